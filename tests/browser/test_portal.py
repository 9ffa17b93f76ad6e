"""The demo portal in a real browser: Debian's chromium driven headlessly by Playwright against ``siman-hub serve``.

Never downloads a browser: skips with a message when /usr/bin/chromium (or Playwright) is missing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from .demo import require_browser, watched_page

pytestmark = pytest.mark.browser

sync_api = require_browser()


@pytest.fixture
def page(browser: object, server: str) -> Iterator[object]:
    ctx, pg = watched_page(browser, server)
    yield pg
    ctx.close()


def test_home_program_pagination_story(page: object) -> None:
    pg = page
    pg.goto("/")  # type: ignore[attr-defined]
    assert pg.locator("html").get_attribute("lang") == "id"  # type: ignore[attr-defined]
    assert pg.get_by_role("heading", level=2, name="Berita terbaru").is_visible()  # type: ignore[attr-defined]
    pg.get_by_role("navigation", name="Navigasi utama").get_by_role("link", name="Program").click()  # type: ignore[attr-defined]
    pg.get_by_role("link", name="Makan Bergizi Gratis").first.click()  # type: ignore[attr-defined]
    assert pg.url.endswith("/program/mbg/")  # type: ignore[attr-defined]
    assert pg.get_by_role("heading", level=1).inner_text().startswith("Makan Bergizi Gratis")  # type: ignore[attr-defined]
    assert pg.locator(".story-title").count() > 0  # type: ignore[attr-defined]
    # the demo's programs fit on one page (per_page 10, the first page holds up to 19): paginate the home list
    pg.goto("/")  # type: ignore[attr-defined]
    first_titles = pg.locator(".story-title").all_inner_texts()  # type: ignore[attr-defined]
    pg.get_by_role("navigation", name="Halaman").get_by_role("link", name=re.compile("Lebih lama")).click()  # type: ignore[attr-defined]
    assert re.search(r"/page/\d+/$", pg.url)  # type: ignore[attr-defined]  # numbered from the oldest chunk
    second_titles = pg.locator(".story-title").all_inner_texts()  # type: ignore[attr-defined]
    assert second_titles and not set(first_titles) & set(second_titles)
    title = second_titles[0]
    pg.locator(".story-title a").first.click()  # type: ignore[attr-defined]
    assert "/story/" in pg.url  # type: ignore[attr-defined]
    assert pg.get_by_role("heading", level=1).inner_text() == title  # type: ignore[attr-defined]
    assert pg.get_by_role("link", name=re.compile("Baca berita asli")).count() == 1  # type: ignore[attr-defined]
    assert pg.locator("time").first.inner_text().endswith(("WIB", "WITA", "WIT"))  # type: ignore[attr-defined]
    assert pg.errors == []  # type: ignore[attr-defined]


def test_search_finds_indonesian_word_by_its_stem(page: object) -> None:
    """ "merendam" (me- prefix) must find the story titled "Banjir Rendam …": Pagefind's Indonesian stemmer."""
    pg = page
    pg.goto("/")  # type: ignore[attr-defined]
    pg.get_by_role("searchbox", name="Cari berita").fill("merendam")  # type: ignore[attr-defined]
    pg.get_by_role("button", name="Cari").click()  # type: ignore[attr-defined]
    pg.wait_for_selector(".pagefind-ui__result-title", timeout=15000)  # type: ignore[attr-defined]
    titles = pg.locator(".pagefind-ui__result-title").all_inner_texts()  # type: ignore[attr-defined]
    assert titles[0].startswith("Banjir Rendam Ratusan Rumah"), titles
    pg.locator(".pagefind-ui__result-link").first.click()  # type: ignore[attr-defined]
    assert "Banjir Rendam Ratusan Rumah" in pg.get_by_role("heading", level=1).inner_text()  # type: ignore[attr-defined]
    assert pg.errors == []  # type: ignore[attr-defined]


def test_switch_language(page: object) -> None:
    pg = page
    pg.goto("/program/mbg/")  # type: ignore[attr-defined]
    pg.get_by_role("link", name="English").click()  # type: ignore[attr-defined]
    assert pg.url.endswith("/en/program/mbg/")  # type: ignore[attr-defined]
    assert pg.locator("html").get_attribute("lang") == "en"  # type: ignore[attr-defined]
    assert pg.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Home").is_visible()  # type: ignore[attr-defined]
    pg.get_by_role("link", name="Bahasa Indonesia").click()  # type: ignore[attr-defined]
    assert pg.url.endswith("/program/mbg/") and "/en/" not in pg.url  # type: ignore[attr-defined]


def test_keyboard_skip_link(page: object) -> None:
    pg = page
    pg.goto("/")  # type: ignore[attr-defined]
    pg.keyboard.press("Tab")  # type: ignore[attr-defined]
    focused = pg.evaluate("document.activeElement.textContent")  # type: ignore[attr-defined]
    assert focused == "Langsung ke konten"


def test_serve_rebuilds_and_reloads_on_content_change(page: object, hub: Path) -> None:
    pg = page
    pg.goto("/pages/tentang/")  # type: ignore[attr-defined]
    doc = hub / "content" / "pages" / "tentang.md"
    original = doc.read_text(encoding="utf-8")
    try:
        doc.write_text(re.sub(r"(?m)^title: .*$", "title: Tentang Portal Diperbarui", original, count=1),
                       encoding="utf-8")  # fmt: skip
        # no reload by the test: the page must reload itself (the CSP forbids Playwright's eval-based waits)
        sync_api.expect(pg.get_by_role("heading", level=1)).to_contain_text("Diperbarui", timeout=30000)  # type: ignore[attr-defined]
    finally:
        doc.write_text(original, encoding="utf-8")
