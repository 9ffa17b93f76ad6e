"""The fast paths of a large run must not change what is stored, nor when a feed is reported as stored.

- archive writes are grouped (many feeds per transaction): a report, and the progress callback, come only after
  the commit that stored that feed; a write that fails takes down only its own feed's transaction;
- the name-anchored attribute search answers exactly as the regular expression it replaces;
- raw fields that are already plain JSON skip the JSON round trip, with an equal result.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from functools import partial
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from ingest.helpers import NOW, archive, config, items, rss, source
from support.feedserver import Reply

from siman_hub.models import SourceState
from siman_hub.sources import fastparse, ingest, normalize, sanitize
from siman_hub.sources.attrscan import attr_search
from siman_hub.sources.dispatch import GroupDispatcher, run_group
from siman_hub.sources.fetch import Response
from siman_hub.sources.ingest import SourceReport, _BatchWriter, _Job, _Outcome, fetch_sources
from siman_hub.sources.parse import FeedError
from siman_hub.sources.process import process_body

# -- grouped writes -----------------------------------------------------------------------------------------


def test_every_report_comes_after_its_commit(tmp_path: Path, feed_server) -> None:  # type: ignore[no-untyped-def]
    n = 40
    for i in range(n):
        feed_server.route(f"/f{i}", Reply(200, rss(items(3, prefix=f"s{i}-")), delay=0.05))
    cfg = config(tmp_path, *(source(f"s{i}", feed_server.url(f"/f{i}")) for i in range(n)))
    arc = archive(tmp_path)
    other = sqlite3.connect(tmp_path / "archive.sqlite3")  # sees only what is committed
    seen: list[tuple[str, int, int, int]] = []

    def progress(report: SourceReport) -> None:
        items_ = other.execute(
            "SELECT count(*) FROM items WHERE source_id=?", (report.source_id,)
        ).fetchone()[0]
        logs = other.execute(
            "SELECT count(*) FROM fetch_log WHERE source_id=?", (report.source_id,)
        ).fetchone()[0]
        seen.append((report.source_id, report.new, items_, logs))

    reports = fetch_sources(cfg, arc, now=NOW, force=True, progress=progress, workers=0, rand=lambda: 0.5)
    assert len(reports) == n and all(r.new == 3 and r.error is None for r in reports)
    assert len(seen) == n
    assert all(new == stored == 3 and logs == 1 for _, new, stored, logs in seen), seen


def _outcome(sid: str, url: str) -> _Outcome:
    body = rss(items(4, prefix=f"{sid}-"))
    state = SourceState(source_id=sid, configured_url=url)
    job = _Job(source(sid, url), sid, url, state)
    resp = Response(url, 200, body, {"etag": f'"{sid}"'})
    processed = process_body(body, url, {}, tz="Asia/Jakarta", now=NOW)
    return _Outcome(job, resp, SourceReport(sid, url, 200, state_key=sid), url, processed, body_hash="h")


def test_a_failing_write_costs_only_its_own_feed(tmp_path: Path) -> None:
    arc = archive(tmp_path)
    arc.db.execute(
        "CREATE TRIGGER refuse_bad BEFORE INSERT ON items WHEN NEW.source_id = 'bad'"
        " BEGIN SELECT RAISE(ABORT, 'disk says no'); END"
    )

    async def scenario() -> list[object]:
        writer = _BatchWriter(arc, NOW, lambda: 0.5)
        task = asyncio.create_task(writer.run())
        sids = ("good1", "bad", "good2")
        results = await asyncio.gather(
            *(writer.write(_outcome(s, f"https://{s}.go.id/feed")) for s in sids), return_exceptions=True
        )
        task.cancel()
        return results

    good1, bad, good2 = asyncio.run(scenario())
    assert isinstance(bad, sqlite3.Error) and "disk says no" in str(bad)
    assert isinstance(good1, SourceReport) and isinstance(good2, SourceReport)
    assert (good1.new, good2.new) == (4, 4)
    assert arc.item_counts() == {"good1": 4, "good2": 4}
    states = arc.source_states()
    assert set(states) == {"good1", "good2"} and states["good1"].etag == '"good1"'
    assert states["good1"].failures == 0 and [log.status for log in arc.fetch_logs("good2")] == [200]
    assert arc.fetch_logs("bad") == []


# -- exact fast searches ------------------------------------------------------------------------------------

_PIECES = ["href", "HREF", "hReF", "src", "SRCSET", "srcset", "ſrc", "data", "cite", "poster", "Action",
           "background", "longdesc", "usemap", "=", " ", "\t", "\n", '"', "'", "https:", "HTTP:", "http:",
           "mailto:", "#top", "/rel", "rel", "<a ", "<img ", ">", "x", "é", "İ", "K"]  # fmt: skip
_CASES = [
    (sanitize._RELATIVE_REF, sanitize._has_relative_ref),
    (fastparse._RELATIVE_REF, fastparse._has_relative_ref),
]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=14))
def test_attribute_search_answers_as_the_regex(pieces: list[str]) -> None:
    text = "".join(pieces)
    for pattern, fast in _CASES:
        assert fast(text) == (pattern.search(text) is not None), (pattern.pattern, text)


def test_attribute_search_on_real_descriptions(shared_dir: Path) -> None:
    corpus = shared_dir / "corpora" / "feedparser-tests"
    texts = [p.read_text("utf-8", "replace") for p in sorted(corpus.rglob("*.xml"))[:600]]
    texts += ['<a href="https://x.go.id/a">a</a>', "<img src='/x.jpg'>", '<a HREF = " /x">', "data-src=x"]
    hits = 0
    for text in texts:
        for pattern, fast in _CASES:
            want = pattern.search(text) is not None
            hits += want
            assert fast(text) == want
    assert hits > 10  # the sample does contain relative references
    search = attr_search(sanitize._RELATIVE_REF, ("href",))
    assert search("<a href='/x'>") and not search("<a href='https://x'>")


# -- raw fields ----------------------------------------------------------------------------------------------


def test_raw_fields_equal_the_json_round_trip() -> None:
    plain = {"id": "a-1", "link": "https://x.go.id/1", "title": "Judul", "summary": "<p>x</p>",
             "content": [{"value": "<p>isi</p>"}], "tags": [{"term": "Berita"}, {"term": ""}]}  # fmt: skip
    odd = {"id": 7, "title": "t", "published": NOW, "author": "Humas"}
    for entry in (plain, odd):
        out = normalize._raw(entry)
        assert out == json.loads(json.dumps(out)), out
    assert normalize._raw(odd)["id"] == 7 and normalize._raw(odd)["published"] == str(NOW)
    assert normalize._raw(plain)["tags"] == ["Berita"]


# -- the lxml path needs no surrogate scrubbing ---------------------------------------------------------------


_WITH_SURROGATES = st.lists(
    st.one_of(st.characters(), st.integers(0xD800, 0xDFFF).map(chr)), max_size=12
).map("".join)


@settings(max_examples=300, deadline=None)
@given(_WITH_SURROGATES, st.booleans())
def test_fast_path_output_is_always_encodable(text: str, as_references: bool) -> None:
    """process.py skips the lone-surrogate scrub for the lxml path: lxml must refuse them, however written."""
    if as_references:
        title = "".join(f"&#{ord(c)};" for c in text).encode()
    else:
        title = text.encode("utf-8", "surrogatepass").replace(b"<", b"").replace(b"&", b"")
    body = rss([{"title": "T", "link": "https://x.go.id/1"}]).replace(
        b"<title>T</title>", b"<title>" + title + b"</title>"
    )
    parsed = fastparse.parse_fast(body, "https://x.go.id/feed", {})
    if parsed is not None:
        for entry in parsed.entries:
            entry["title"].encode("utf-8")  # raises on a lone surrogate


# -- grouped dispatch to the parse pool -----------------------------------------------------------------------


class _Unpicklable(Exception):
    def __reduce__(self):  # type: ignore[no-untyped-def]
        raise TypeError("cannot pickle this")


def _job(n: int) -> int:
    if n == 3:
        raise FeedError(f"feed {n} is broken")
    if n == 5:
        raise _Unpicklable("odd")
    return n * n


def test_grouped_dispatch_keeps_each_outcome_apart() -> None:
    pool = ingest._pool(100, 2)
    assert pool is not None

    async def scenario() -> list[object]:
        dispatcher = GroupDispatcher(pool)
        return await asyncio.gather(
            *(dispatcher.run(partial(_job, n)) for n in range(20)), return_exceptions=True
        )

    try:
        results = asyncio.run(scenario())
    finally:
        pool.shutdown()
    assert [r for i, r in enumerate(results) if i not in (3, 5)] == [
        n * n for n in range(20) if n not in (3, 5)
    ]
    assert isinstance(results[3], FeedError) and str(results[3]) == "feed 3 is broken"
    assert isinstance(results[5], RuntimeError) and "_Unpicklable: odd" in str(results[5])
    assert len(run_group([partial(_job, 1), partial(_job, 2)])) == 2
