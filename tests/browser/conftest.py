"""Fixtures shared by the browser tests: one copy of the demo hub, fetched from its local feed files, served by
``siman-hub serve`` and visited with Debian's chromium (never a downloaded browser).

Each test module checks for chromium and Playwright itself and skips with a message when they are missing.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from .demo import ARGS, CHROMIUM, CLI, DEMO, REPO


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the demo hub, fetched from its local feed files (the demo's own dir stays untouched)."""
    root = tmp_path_factory.mktemp("demo") / "demo"
    shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns("public", "data"))
    subprocess.run(
        [*CLI, "--config", str(root / "feeds.yaml"), "-q", "run"], check=True, cwd=REPO, timeout=120
    )
    return root


@pytest.fixture(scope="session")
def server(hub: Path) -> Iterator[str]:
    port = _free_port()
    proc = subprocess.Popen(
        [*CLI, "--config", str(hub / "feeds.yaml"), "serve", "--port", str(port)],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(
                    f"serve exited: {proc.stderr.read().decode() if proc.stderr else ''}"
                ) from None
            time.sleep(0.2)
    else:
        proc.kill()
        raise RuntimeError("siman-hub serve did not start within 60 s")
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Module-scoped, never session-scoped: Playwright's sync API keeps an asyncio loop running in this thread
    while it is open, and later test modules call ``asyncio.run``."""
    from playwright import sync_api

    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()
