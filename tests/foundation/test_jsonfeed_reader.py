"""JSON Feed sources are read (feedparser 6.0 cannot), through the same normalize path as RSS and Atom."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from siman_hub.sources.normalize import normalize
from siman_hub.sources.parse import FeedError, parse_feed

NOW = datetime(2026, 11, 20, tzinfo=UTC)


def doc(**over: object) -> bytes:
    base = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Kementerian Sosial",
        "home_page_url": "https://kemensos.go.id/",
        "items": [
            {"id": "sr-1", "url": "https://kemensos.go.id/sr?utm_source=x", "title": "Sekolah Rakyat Dibuka",
             "content_html": "<p>Siswa <script>alert(1)</script>baru.</p>", "date_published": "2026-11-09T08:00:00+07:00",
             "authors": [{"name": "Humas"}], "tags": ["sekolah rakyat"], "image": "https://kemensos.go.id/a.jpg"},
            {"id": "sr-2", "url": "/relatif", "content_text": "Paragraf satu.\n\nParagraf dua.",
             "date_modified": "2026-11-10T08:00:00Z"},
        ],
    }  # fmt: skip
    base.update(over)
    return json.dumps(base).encode()


def test_json_feed_entries_are_normalized_and_sanitized() -> None:
    parsed = parse_feed(doc(), "https://kemensos.go.id/feed.json")
    entries, mode = normalize(
        parsed, feed_url="https://kemensos.go.id/feed.json", tz="Asia/Jakarta", now=NOW
    )[:2]
    assert mode == "guid" and [e.key for e in entries] == ["g:sr-1", "g:sr-2"]
    first, second = entries
    assert first.title == "Sekolah Rakyat Dibuka" and "script" not in first.content
    assert first.published == datetime(2026, 11, 9, 1, 0, tzinfo=UTC)
    assert first.author == "Humas" and first.categories == ["sekolah rakyat"] and first.image
    assert second.url == "https://kemensos.go.id/relatif"
    assert "<p>Paragraf dua.</p>" in second.content


@pytest.mark.parametrize("body", [b'{"items": []}', b"[1, 2]", b'{"version": "https://jsonfeed.org/version/1.1"}',
                                  b"{not json"])  # fmt: skip
def test_json_that_is_not_a_json_feed_is_a_clear_error(body: bytes) -> None:
    with pytest.raises(FeedError):
        parse_feed(body)
