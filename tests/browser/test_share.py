"""The share kit in a real browser: "Salin keterangan" copies the caption to the clipboard and says so.

Debian's chromium driven by Playwright against ``siman-hub serve`` on the demo hub (the fixtures of
conftest.py); skips like test_portal.py when chromium or Playwright is missing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from .demo import require_browser, watched_page

pytestmark = pytest.mark.browser

sync_api = require_browser()


@pytest.fixture
def clip_page(browser: object, server: str) -> Iterator[object]:
    ctx, pg = watched_page(browser, server, permissions=["clipboard-read", "clipboard-write"])
    yield pg
    ctx.close()


def _mbg_story(pg: object) -> str:
    pg.goto("/program/mbg/")  # type: ignore[attr-defined]
    pg.locator(".story-title a").first.click()  # type: ignore[attr-defined]
    assert "/story/" in pg.url  # type: ignore[attr-defined]
    return pg.get_by_role("heading", level=1).inner_text()  # type: ignore[attr-defined]


def test_copy_caption_puts_it_on_the_clipboard(clip_page: object) -> None:
    pg = clip_page
    title = _mbg_story(pg)
    caption = pg.get_by_label("Keterangan", exact=True).input_value()  # type: ignore[attr-defined]
    short = pg.locator('link[rel="shortlink"]').get_attribute("href")  # type: ignore[attr-defined]
    assert caption.startswith(title + "\n\n") and f"\n\n{short}\n\n" in caption
    assert caption.endswith("#MakanBergiziGratis")
    status = pg.get_by_role("status")  # type: ignore[attr-defined]
    assert status.inner_text() == ""
    pg.get_by_role("button", name="Salin keterangan").click()  # type: ignore[attr-defined]
    sync_api.expect(status).to_have_text("Keterangan disalin", timeout=5000)
    assert pg.evaluate("navigator.clipboard.readText()") == caption  # type: ignore[attr-defined]
    assert pg.errors == []  # type: ignore[attr-defined]


def test_share_links_open_in_a_new_tab_and_short_link_redirects(clip_page: object, server: str) -> None:
    pg = clip_page
    title = _mbg_story(pg)
    story_url = pg.url  # type: ignore[attr-defined]
    links = pg.get_by_role("region", name="Bagikan berita ini").get_by_role("link")  # type: ignore[attr-defined]
    names = links.all_inner_texts()
    for network in ("WhatsApp", "Facebook", "X", "Telegram", "Surel"):
        assert any(n.startswith(network) for n in names), names
    short = pg.locator('link[rel="shortlink"]').get_attribute("href")  # type: ignore[attr-defined]
    code = re.search(r"/s/([0-9a-z]+)/$", short).group(1)  # type: ignore[union-attr]
    pg.goto(f"/s/{code}/")  # type: ignore[attr-defined]
    pg.wait_for_url(story_url, timeout=10000)  # type: ignore[attr-defined]
    assert pg.get_by_role("heading", level=1).inner_text() == title  # type: ignore[attr-defined]
