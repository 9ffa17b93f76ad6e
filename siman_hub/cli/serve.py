"""``siman-hub serve``: preview the portal, rebuild when content/, themes or feeds.yaml change, reload the browser.

The live-reload script is an external file served only by this preview server (the portal's CSP forbids inline
script, and the published site never contains it): the server appends a ``<script src>`` to every HTML response,
and the script polls a build counter.
"""

from __future__ import annotations

import contextlib
import http.server
import threading
import time
from collections.abc import Callable
from pathlib import Path

import click

from .. import pipeline
from ..config import Config, ConfigError, load_config
from ..content import ContentError
from ..publish.render import theme_dirs
from . import Ctx, pass_ctx

PREFIX = "/_siman-hub/"
RELOAD_JS = b"""(function () {
  var seen = null;
  function poll() {
    fetch("/_siman-hub/version", {cache: "no-store"}).then(function (r) { return r.text(); }).then(function (v) {
      if (seen !== null && v !== seen) { window.location.reload(); }
      seen = v;
    }).catch(function () {}).finally(function () { setTimeout(poll, 1000); });
  }
  poll();
})();
"""
_TAG = b'<script src="/_siman-hub/reload.js"></script>'


def watched_paths(config: Config) -> list[Path]:
    """What a rebuild depends on, besides the archive: the config, editors' content and every theme layer."""
    return [config.path, config.content_dir, *theme_dirs(config)]


def snapshot(roots: list[Path]) -> dict[str, tuple[float, int]]:
    """(mtime, size) of every file under ``roots``: cheap enough to poll twice a second."""
    out: dict[str, tuple[float, int]] = {}
    for root in roots:
        files = [root] if root.is_file() else (root.rglob("*") if root.is_dir() else [])
        for f in files:
            with contextlib.suppress(OSError):
                st = f.stat()
                if not f.is_dir():
                    out[str(f)] = (st.st_mtime, st.st_size)
    return out


class Preview:
    """Build state shared by the watcher thread and the request handlers."""

    def __init__(self, config_path: Path, build: Callable[[Config], object] | None = None):
        self.config_path = config_path
        self.version = 0
        self.error: str | None = None
        self._build = build or (lambda c: pipeline.build(c))
        self.lock = threading.Lock()

    def config(self) -> Config:
        return load_config(self.config_path)

    def rebuild(self) -> bool:
        with self.lock:
            try:
                self._build(self.config())
            except (ConfigError, ContentError) as exc:
                self.error = str(exc)
                click.echo(f"rebuild failed:\n{exc}", err=True)
                return False
            except Exception as exc:  # keep serving the last good site whatever broke
                self.error = f"{type(exc).__name__}: {exc}"
                click.echo(f"rebuild failed: {self.error}", err=True)
                return False
            self.error = None
            self.version += 1
            return True

    def watch(self, stop: threading.Event, interval: float = 0.5) -> None:
        try:
            paths = watched_paths(self.config())
        except ConfigError:
            paths = [self.config_path]
        last = snapshot(paths)
        while not stop.wait(interval):
            now = snapshot(paths)
            if now != last:
                last = now
                click.echo("change detected: rebuilding", err=True)
                if self.rebuild():
                    with contextlib.suppress(ConfigError):
                        paths = watched_paths(self.config())
                        last = snapshot(paths)


def make_handler(root: Path, preview: Preview) -> type[http.server.SimpleHTTPRequestHandler]:
    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            super().__init__(*args, directory=str(root), **kwargs)

        def log_message(self, format: str, *args: object) -> None:
            pass

        def _send(self, body: bytes, ctype: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path == PREFIX + "version":
                self._send(str(preview.version).encode(), "text/plain")
                return
            if path == PREFIX + "reload.js":
                self._send(RELOAD_JS, "text/javascript")
                return
            if path.endswith("/") or path.endswith(".html"):
                file = Path(self.translate_path(path))
                if file.is_dir():
                    file = file / "index.html"
                if file.is_file():
                    body = file.read_bytes()
                    i = body.rfind(b"</body>")
                    body = body[:i] + _TAG + body[i:] if i >= 0 else body + _TAG
                    self._send(body, "text/html; charset=utf-8")
                    return
            super().do_GET()

    Handler.extensions_map = {**Handler.extensions_map, ".atom": "application/atom+xml",
                              ".rss": "application/rss+xml", ".wasm": "application/wasm",
                              ".pagefind": "application/octet-stream", ".pf_meta": "application/octet-stream"}  # fmt: skip
    return Handler


@click.command()
@click.option("--port", default=8000, show_default=True)
@click.option("--bind", default="127.0.0.1", show_default=True)
@click.option("--watch/--no-watch", default=True, show_default=True, help="Rebuild on changes.")
@pass_ctx
def serve(ctx: Ctx, port: int, bind: str, watch: bool) -> None:
    """Preview the site on http://BIND:PORT/, rebuilding and reloading when sources of the site change."""
    config = ctx.config()
    preview = Preview(ctx.config_path)
    root = config.output_dir.resolve()
    if not preview.rebuild() and not (root / "index.html").exists():
        raise click.ClickException("the first build failed; fix the errors above")
    server = http.server.ThreadingHTTPServer((bind, port), make_handler(root, preview))
    stop = threading.Event()
    if watch:
        threading.Thread(target=preview.watch, args=(stop,), daemon=True).start()
    click.echo(f"serving {root} at http://{bind}:{server.server_address[1]}/ (Ctrl-C to stop)", err=True)
    try:
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()
    finally:
        stop.set()
        server.server_close()
        time.sleep(0)


COMMANDS = [serve]
