"""Query-time cost of the sharded search index: the portal's merged shards vs one Pagefind bundle for the same site.

Takes a built portal (default: the 10,000-post hub of bench/build_compare.py), makes a hardlinked copy indexed as
a single bundle, serves both on loopback and times in headless chromium (Debian's, through Playwright): a cold
search (fresh browser context: every bundle's metadata and WebAssembly fetched) and a warm one (same page, new
query). Prints medians of a few runs; figures from a shared 2-core machine are noisy.

    .venv/bin/python bench/search_merge.py [SITE_DIR] [--runs 5]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CHROMIUM = os.environ.get("SIMAN_HUB_CHROMIUM", "/usr/bin/chromium")
QUERIES = ["stunting", "bendungan irigasi", "koperasi", "posyandu balita", "hilirisasi nikel"]


def single_bundle_copy(site: Path, dest: Path) -> None:
    from siman_hub.publish import search

    shutil.rmtree(dest, ignore_errors=True)
    subprocess.run(["cp", "-al", str(site), str(dest)], check=True)
    shutil.rmtree(dest / "pagefind")
    search.build_index(dest)
    page = dest / "search/index.html"
    html = re.sub(r'data-shards="[^"]*"', 'data-shards=""', page.read_text(encoding="utf-8"))
    page.unlink()  # a hardlink to the original site's file: replace, never edit in place
    page.write_text(html, encoding="utf-8")


def serve(site: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(site))
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, f"http://127.0.0.1:{srv.server_address[1]}/"


def measure(browser: object, url: str, runs: int) -> tuple[list[float], list[float]]:
    cold, warm = [], []
    for i in range(runs):
        ctx = browser.new_context()  # type: ignore[attr-defined]
        pg = ctx.new_page()
        pg.goto(url + "search/")
        q = QUERIES[i % len(QUERIES)]
        t = time.perf_counter()
        pg.fill("#search input", q)
        pg.wait_for_selector(".pagefind-ui__result", timeout=60000)
        cold.append(time.perf_counter() - t)
        q2 = QUERIES[(i + 1) % len(QUERIES)]
        first = pg.locator(".pagefind-ui__result-link").first.get_attribute("href")
        t = time.perf_counter()
        pg.fill("#search input", q2)
        pg.wait_for_function(
            "h => { const a = document.querySelector('.pagefind-ui__result-link'); return a && a.getAttribute('href') !== h; }",
            arg=first, timeout=60000,
        )  # fmt: skip
        warm.append(time.perf_counter() - t)
        ctx.close()
    return cold, warm


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("site", nargs="?", default=str(ROOT / "bench/.work/compare/hub/public"))
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    site = Path(args.site).resolve()
    shards = sorted(p.name for p in (site / "pagefind/shard").iterdir())
    single = ROOT / "bench/.work/search-single"
    t = time.perf_counter()
    single_bundle_copy(site, single)
    print(
        f"site {site}: {len(shards)} story shards; single-bundle copy indexed in {time.perf_counter() - t:.1f} s"
    )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        for name, root in (("merged shards", site), ("single bundle", single)):
            srv, url = serve(root)
            cold, warm = measure(browser, url, args.runs)
            srv.shutdown()
            print(f"{name:<14} first query (cold) median {statistics.median(cold) * 1000:6.0f} ms, "
                  f"next query median {statistics.median(warm) * 1000:6.0f} ms  ({args.runs} runs)")  # fmt: skip
        browser.close()


if __name__ == "__main__":
    main()
