"""Where the browser tests find the demo hub, chromium and the CLI (shared by the fixtures in conftest.py)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "examples" / "demo"
CHROMIUM = os.environ.get("SIMAN_HUB_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
CLI = [sys.executable, "-m", "siman_hub"]
