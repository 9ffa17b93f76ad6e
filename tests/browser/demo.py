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
