"""Fetch-farm benchmark: 1,000 feeds × 20 items on many loopback hosts with 100 ms latency per answer.

Measures siman-hub's ingest (fetch + parse + normalize + archive writes) cold and all-304, its peak memory,
then the PyPI ``reader`` library over the same farm (installed into bench/.work/reader-venv), and prints ratios.

    .venv/bin/python bench/fetch_farm.py [--feeds 1000] [--hosts 50] [--no-reader]

Targets on the 2-core machine: cold ≤ 2 s, all-304 ≤ 0.7 s, peak RSS ≤ 300 MB. Figures are wall-clock on a
shared, noisy machine: run it a few times.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
WORK = ROOT / ".work"
sys.path.insert(0, str(ROOT.parent))

from siman_hub.archive import SQLiteArchive  # noqa: E402
from siman_hub.config.model import Config, SiteConfig, Source  # noqa: E402
from siman_hub.sources.ingest import fetch_sources  # noqa: E402


def start_farm(feeds: int, hosts: int, port: int, latency: float) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "farm" / "server.py"), "--feeds", str(feeds), "--hosts", str(hosts),
         "--port", str(port), "--latency", str(latency)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if "READY" not in line:
        proc.kill()
        raise SystemExit(f"farm did not start: {line!r}")
    return proc


def urls(feeds: int, hosts: int, port: int) -> list[str]:
    return [f"http://127.0.1.{1 + n % hosts}:{port}/feed/{n}.xml" for n in range(feeds)]


def run_ours(feed_urls: list[str]) -> dict[str, float]:
    work = WORK / "ours"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    site = SiteConfig(title="bench", base_url="https://hub.example.org/", allow_private_addresses=True)
    sources = tuple(
        Source(id=f"pemda-{n}", name=f"Pemda {n}", kind="lainnya", feeds=(u,))
        for n, u in enumerate(feed_urls)
    )
    cfg = Config(path=work / "feeds.yaml", site=site, sources=sources, root=work)
    arc = SQLiteArchive(work / "archive.sqlite3")
    t0 = time.perf_counter()
    cold = fetch_sources(cfg, arc, force=True)
    t_cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    warm = fetch_sources(cfg, arc, force=True)
    t_warm = time.perf_counter() - t0
    errors = [r.error for r in cold + warm if r.error]
    out = {
        "cold": t_cold,
        "warm": t_warm,
        "items": arc.count_items(),
        "cold_new": sum(r.new for r in cold),
        "warm_304": sum(1 for r in warm if r.status == 304),
        "errors": len(errors),
        "rss_self_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rss_workers_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }
    if errors:
        out["first_error"] = errors[0]  # type: ignore[assignment]
    arc.close()
    return out


def run_reader(feed_urls: list[str], workers: int) -> dict[str, float] | None:
    venv = WORK / "reader-venv"
    py = venv / "bin" / "python"
    if not py.exists():
        print("installing reader into", venv, "…", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(py), "-m", "pip", "install", "-q", "reader", "sgmllib3k"], check=True
        )  # reader needs sgmllib
    db = WORK / "reader.sqlite"
    db.unlink(missing_ok=True)
    listing = WORK / "urls.txt"
    listing.write_text("\n".join(feed_urls))
    res = subprocess.run(
        [str(py), str(ROOT / "farm" / "reader_run.py"), str(db), str(listing), str(workers)],
        capture_output=True, text=True,
    )  # fmt: skip
    if res.returncode:
        print(res.stderr[-2000:], file=sys.stderr)
        return None
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--feeds", type=int, default=1000)
    ap.add_argument("--hosts", type=int, default=50)
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--latency", type=float, default=0.1)
    ap.add_argument("--reader-workers", type=int, default=100)
    ap.add_argument("--no-reader", action="store_true")
    a = ap.parse_args()
    farm = start_farm(a.feeds, a.hosts, a.port, a.latency)
    try:
        feed_urls = urls(a.feeds, a.hosts, a.port)
        ours = run_ours(feed_urls)
        print(f"siman-hub: cold {ours['cold']:.2f} s (target ≤ 2.0), all-304 {ours['warm']:.2f} s (target ≤ 0.7), "
              f"{ours['items']} items, {ours['warm_304']} × 304, {ours['errors']} errors, "
              f"peak RSS {ours['rss_self_mb']:.0f} MB main + {ours['rss_workers_mb']:.0f} MB largest worker "
              f"(target ≤ 300)")  # fmt: skip
        if ours.get("first_error"):
            print("  first error:", ours["first_error"])
        if not a.no_reader:
            theirs = run_reader(feed_urls, a.reader_workers)
            if theirs:
                print(f"reader (workers={a.reader_workers}): cold {theirs['cold']:.2f} s, all-unchanged "
                      f"{theirs['warm']:.2f} s, {theirs['entries']} entries")  # fmt: skip
                print(f"ratio reader/siman-hub: cold ×{theirs['cold'] / ours['cold']:.1f}, "
                      f"all-304 ×{theirs['warm'] / ours['warm']:.1f}")  # fmt: skip
    finally:
        farm.terminate()
        farm.wait(timeout=10)


if __name__ == "__main__":
    main()
