"""Where the browser tests find the demo hub, chromium and the CLI (shared by the fixtures in conftest.py)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "examples" / "demo"
CHROMIUM = os.environ.get("SIMAN_HUB_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
CLI = [sys.executable, "-m", "siman_hub"]


def require_browser() -> Any:
    """Playwright's sync API, or a module-level skip saying what is missing (called at a test module's import:
    a browser test module needs Playwright, Debian's chromium and the demo hub)."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (dev extra) is not installed")
    if not Path(CHROMIUM).is_file():
        pytest.skip(
            f"chromium not found at {CHROMIUM}; install Debian's chromium (.ci/run does)",
            allow_module_level=True,
        )
    if not (DEMO / "feeds.yaml").is_file():
        pytest.skip("examples/demo/feeds.yaml is missing", allow_module_level=True)
    return sync_api


def watched_page(browser: Any, server: str, **context: Any) -> tuple[Any, Any]:
    """A new browser context and page on ``server`` whose ``errors`` list collects console errors and uncaught
    exceptions, so a test can assert the page ran clean. Demo stories embed images from fictional publisher
    hosts: their DNS failures are not portal errors. The caller closes the context."""
    ctx = browser.new_context(base_url=server, **context)
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on(
        "console",
        lambda m: errors.append(m.text) if m.type == "error" and "net::ERR_NAME" not in m.text else None,
    )
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.errors = errors
    return ctx, pg
