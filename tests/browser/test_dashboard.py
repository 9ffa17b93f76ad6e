"""The participation dashboard in a real browser: axe-core finds no accessibility violation on the dashboard's
pages (two periods, the English mirror) and on an agency page, and every chart loads in light and dark schemes.

axe-core is the npm package `.ci/run` installs into bench/.work/npm (beside vnu-jar); it is injected into the page
by Playwright (with the page's CSP bypassed for the injected script only: the portal itself runs no inline
script). Skips with a message when chromium, Playwright or axe-core is missing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from .demo import REPO, require_browser

pytestmark = pytest.mark.browser

sync_api = require_browser()
AXE = Path(os.environ.get("AXE_JS", REPO / "bench/.work/npm/node_modules/axe-core/axe.min.js"))
if not AXE.is_file():
    pytest.skip(
        f"axe-core not found at {AXE}; `npm install axe-core` in bench/.work/npm (.ci/run does) or set AXE_JS",
        allow_module_level=True,
    )

PAGES = ["dasbor/", "dasbor/7/", "en/dasbor/", "agency/bgn/"]


@pytest.fixture(params=["light", "dark"])
def page(request: pytest.FixtureRequest, browser: object, server: str) -> Iterator[object]:
    ctx = browser.new_context(base_url=server, bypass_csp=True, color_scheme=request.param)  # type: ignore[attr-defined]
    pg = ctx.new_page()
    yield pg
    ctx.close()


def _violations(pg: object) -> list[dict[str, object]]:
    pg.add_script_tag(path=str(AXE))  # type: ignore[attr-defined]
    result = pg.evaluate(  # type: ignore[attr-defined]
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))}))"
    )
    return list(result)


@pytest.mark.parametrize("path", PAGES)
def test_axe_finds_no_violation(page: object, path: str) -> None:
    pg = page
    pg.goto(path)  # type: ignore[attr-defined]
    pg.locator("details").evaluate_all("ds => ds.forEach(d => d.open = true)")  # type: ignore[attr-defined]
    assert _violations(pg) == []


@pytest.mark.parametrize("path", ["dasbor/", "agency/bgn/"])
def test_charts_load_with_names_and_tables(page: object, path: str) -> None:
    pg = page
    pg.goto(path)  # type: ignore[attr-defined]
    images = pg.locator("figure.chart img")  # type: ignore[attr-defined]
    assert images.count() >= (5 if path == "dasbor/" else 1)
    for i in range(images.count()):
        img = images.nth(i)
        img.scroll_into_view_if_needed()
        sync_api.expect(img).to_have_js_property("complete", True)
        assert img.evaluate("i => i.naturalWidth") > 0, img.get_attribute("src")
        assert img.get_attribute("alt")
        figure = img.locator("xpath=ancestor::figure[1]")
        assert figure.locator("table caption").count() == 1
