"""Fuzz harness over bytes for the whole path a feed body takes: parse → normalize (``process_body``, exactly what
ingest runs) → render (a real ``pipeline.run`` over the bodies that parsed, read back as ``file:`` feeds).

Inputs are Hypothesis-generated: raw bytes; feed skeletons (RSS 2.0, RSS 1.0/RDF, Atom, JSON Feed) filled with
hostile text, markup and XSS vectors; and byte-level mutations of those (flips, truncations, insertions,
duplicated spans), optionally gzip-wrapped. The budget is wall-clock seconds (``SIMAN_HUB_FUZZ_SECONDS``), so CI
runs a few seconds and ``bench/fuzz.py`` runs as long as asked.
"""

from __future__ import annotations

import gzip
import json
import time
import traceback
from dataclasses import dataclass, field
from datetime import UTC, datetime
from xml.sax.saxutils import escape

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from siman_hub.sources.parse import FeedError
from siman_hub.sources.process import Processed, process_body

from .scan import bad_url, scan_html

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
VECTORS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '<a href="javascript:alert(1)">x</a>',
           "<svg onload=alert(1)>", '<iframe src="data:text/html,x">', "]]>", "<![CDATA[", "&amp;lt;script&amp;gt;",
           "&#0;", "&#xD800;", "\u202e", "\x00", "\x1b[31m", "%s%n", "../../etc/passwd", "javascript:alert(1)",
           "Senin, 31 Februari 2026 25:61 WIB", "9999-99-99T99:99:99Z", "\ufeff", "\udcff"]  # fmt: skip
_CONTROL = {chr(c) for c in [*range(0, 9), 11, 12, *range(14, 32), 127, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E,
                              0x2066, 0x2067, 0x2068, 0x2069]}  # fmt: skip

texts = st.one_of(st.sampled_from(VECTORS), st.text(max_size=40),
                  st.lists(st.sampled_from(VECTORS) | st.text(max_size=10), max_size=5).map("".join))  # fmt: skip


def _x(s: str) -> str:
    return escape(s.encode("utf-8", "surrogatepass").decode("utf-8", "replace"))


@st.composite
def skeleton(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["rss", "rdf", "atom", "json"]))
    n = draw(st.integers(0, 4))
    items = [{k: draw(texts) for k in ("title", "link", "guid", "date", "body", "author", "cat", "enc")}
             for _ in range(n)]  # fmt: skip
    raw = draw(st.booleans())  # unescaped payloads make the XML ill-formed: the lenient parsers take over

    def f(v: str) -> str:
        return v.encode("utf-8", "replace").decode("utf-8", "replace") if raw else _x(v)

    if kind == "json":
        doc = {"version": "https://jsonfeed.org/version/1.1", "title": draw(texts),
               "items": [{"id": i["guid"], "url": i["link"], "title": i["title"], "content_html": i["body"],
                          "date_published": i["date"], "authors": [{"name": i["author"]}], "tags": [i["cat"]],
                          "attachments": [{"url": i["enc"], "mime_type": "image/png"}]} for i in items]}  # fmt: skip
        return json.dumps(doc, ensure_ascii=draw(st.booleans())).encode("utf-8", "surrogatepass")
    if kind == "atom":
        entries = "".join(
            f'<entry><title type="html">{f(i["title"])}</title><link href="{_x(i["link"])}"/><id>{f(i["guid"])}</id>'
            f"<updated>{f(i['date'])}</updated><author><name>{f(i['author'])}</name></author>"
            f'<category term="{_x(i["cat"])}"/><content type="html">{f(i["body"])}</content>'
            f'<link rel="enclosure" href="{_x(i["enc"])}" type="image/png"/></entry>'
            for i in items
        )
        body = f'<feed xmlns="http://www.w3.org/2005/Atom"><title>{f(draw(texts))}</title>{entries}</feed>'
    else:
        its = "".join(
            f"<item><title>{f(i['title'])}</title><link>{f(i['link'])}</link><guid>{f(i['guid'])}</guid>"
            f"<pubDate>{f(i['date'])}</pubDate><description>{f(i['body'])}</description>"
            f"<author>{f(i['author'])}</author><category>{f(i['cat'])}</category>"
            f'<enclosure url="{_x(i["enc"])}" type="image/jpeg"/></item>'
            for i in items
        )
        if kind == "rss":
            body = f'<rss version="2.0"><channel><title>{f(draw(texts))}</title>{its}</channel></rss>'
        else:
            body = ('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">'
                    f"<channel><title>{f(draw(texts))}</title></channel>{its}</rdf:RDF>")  # fmt: skip
    enc = draw(st.sampled_from(["utf-8", "utf-8", "iso-8859-1", "utf-16", "windows-1252", "bogus"]))
    decl = f'<?xml version="1.0" encoding="{enc}"?>' if draw(st.booleans()) else ""
    data = (decl + body).encode(enc if enc != "bogus" else "utf-8", "replace")
    return data


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(skeleton()))
    for _ in range(draw(st.integers(0, 6))):
        if not data:
            break
        op = draw(st.sampled_from(["flip", "insert", "delete", "dup", "truncate"]))
        i = draw(st.integers(0, len(data) - 1))
        if op == "flip":
            data[i] ^= 1 << draw(st.integers(0, 7))
        elif op == "insert":
            data[i:i] = draw(st.binary(min_size=1, max_size=16) | st.sampled_from([v.encode("utf-8", "replace")
                                                                                   for v in VECTORS]))  # fmt: skip
        elif op == "delete":
            del data[i : i + draw(st.integers(1, 32))]
        elif op == "dup":
            j = min(len(data), i + draw(st.integers(1, 64)))
            data[j:j] = data[i:j]
        else:
            del data[i:]
    out = bytes(data)
    return gzip.compress(out) if draw(st.integers(0, 9)) == 0 else out


bodies = st.one_of(st.binary(max_size=2048), skeleton(), mutated())


@dataclass(slots=True)
class FuzzStats:
    examples: int = 0
    parsed: int = 0  # bodies that yielded a feed
    refused: int = 0  # bodies refused with FeedError (a clean, recorded reason)
    entries: int = 0
    failures: list[str] = field(default_factory=list)
    corpus: list[bytes] = field(default_factory=list)  # parsed bodies kept for the render stage


def check_processed(p: Processed) -> list[str]:
    """Invariants of what ingest would archive: plain-text titles, safe HTML, web-only URLs, unique keys."""
    problems = []
    keys = [e.key for e in p.entries]
    if len(set(keys)) != len(keys) or not all(keys):
        problems.append(f"keys empty or repeated: {keys}")
    for text in [p.title, *(x for e in p.entries for x in (e.title, e.author or "", *e.categories))]:
        if bad := _CONTROL & set(text):
            problems.append(f"control/bidi characters {sorted(map(ord, bad))} in plain text {text[:60]!r}")
    for e in p.entries:
        for html in (e.summary, e.content):
            problems += scan_html(html, f"entry {e.key}", fragment=True)
        for url in [e.url, e.image, p.link, *(enc.get("url") for enc in e.enclosures)]:
            if url is not None and (bad_url(url) or not url.startswith(("http://", "https://"))):
                problems.append(f"non-web URL {url[:80]!r}")
    return problems


def fuzz(seconds: float, batch: int = 60, keep: int = 25) -> FuzzStats:
    """Run the byte fuzzer for about ``seconds``; returns counts, failures (with the input) and a small corpus."""
    stats = FuzzStats()

    @settings(max_examples=batch, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(bodies)
    def one(body: bytes) -> None:
        stats.examples += 1
        try:
            p = process_body(body, "https://fuzz.example.go.id/feed", {}, tz="Asia/Jakarta", now=NOW)
        except FeedError:
            stats.refused += 1
            return
        except Exception:  # anything else would be an "internal error" for the source: a bug to report
            stats.failures.append(f"{traceback.format_exc(limit=4)}\ninput: {body[:300]!r}")
            return
        stats.parsed += 1
        stats.entries += len(p.entries)
        if problems := check_processed(p):
            stats.failures.append(f"{problems[:3]}\ninput: {body[:300]!r}")
        if p.entries and len(stats.corpus) < keep:
            stats.corpus.append(body)

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        one()
    return stats
