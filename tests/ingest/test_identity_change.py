"""A feed whose CMS starts reusing guids changes identity mode; its archived items must be re-keyed, not doubled."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from ingest.helpers import NOW, archive, config, items, rss, source

from siman_hub.models import Entry
from siman_hub.sources.decide import decide
from siman_hub.sources.identity import rekey_map
from siman_hub.sources.ingest import fetch_sources


def test_degrading_identity_rekeys_archived_items(tmp_path: Path) -> None:
    feed = tmp_path / "f.xml"
    good = items(10)
    feed.write_bytes(rss(good))
    cfg, arc = config(tmp_path, source("pemda", feed.as_uri(), interval=1)), archive(tmp_path)
    [r] = fetch_sources(cfg, arc, ["pemda"], now=NOW)
    assert r.new == 10 and arc.get_source_state("pemda").identity_mode == "guid"

    # the CMS is "upgraded": every guid is now the same, and two new items appear
    broken = [dict(it, guid="https://x.go.id/?p=") for it in items(12)]
    feed.write_bytes(rss(broken))
    [r] = fetch_sources(cfg, arc, ["pemda"], now=NOW + timedelta(hours=1))
    assert arc.get_source_state("pemda").identity_mode == "link"
    assert r.new == 2, "only the two new items are new; the ten archived ones were re-keyed"
    assert arc.count_items("pemda") == 12
    keys = {i.key for i in arc.iter_items()}
    assert all(k.startswith("l:") for k in keys)

    # and the next fetch is steady
    [r] = fetch_sources(cfg, arc, ["pemda"], now=NOW + timedelta(hours=2))
    assert (r.new, r.updated) == (0, 0) and arc.count_items("pemda") == 12


def test_decide_rekeys_each_archived_item_at_most_once() -> None:
    a = Entry(key="l:a", title="A", content_hash="h")
    b = Entry(key="l:b", title="B", content_hash="h2")
    c = Entry(key="l:c", title="C", content_hash="h3")
    # l:a and l:b both resolve to item 7 (impossible in practice, but the core must not double-claim)
    changes = decide({"g:1": (7, "h"), "g:2": (8, "x")}, [a, b, c], {"l:a": 7, "l:b": 7, "l:c": 8})
    assert changes.rekeys == [(7, "l:a"), (8, "l:c")]
    assert changes.seen == [7] and changes.inserts == [b] and changes.updates == [(8, c)]


def test_rekey_map_skips_ambiguous_keys() -> None:
    rows = [(1, "g", "https://x.go.id/a?utm_source=wa", None, "A", "x"), (2, "g", "https://x.go.id/b", None, "B", "y"),
            (3, "g", "https://x.go.id/b", None, "B2", "z")]  # fmt: skip
    assert rekey_map(rows, "link") == {"l:https://x.go.id/a": 1}
