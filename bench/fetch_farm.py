"""Fetch-farm benchmark: 1,000 feeds × 20 items on many loopback hosts with 100 ms latency per answer.

Measures siman-hub's ingest (fetch + parse + normalize + archive writes) cold and all-304, its peak memory,
then the PyPI ``reader`` library over the same farm (installed into bench/.work/reader-venv), and prints ratios.

    .venv/bin/python bench/fetch_farm.py [--feeds 1000] [--hosts 50] [--repeat 3] [--no-reader]

Targets on the 2-core machine: cold ≤ 2 s, all-304 ≤ 0.7 s, peak RSS ≤ 300 MB. Figures are wall-clock on a
shared, noisy machine: ``--repeat`` runs ours several times (fresh archive each) and prints best and median,
with the load average; CPU seconds (main process, parse workers, farm server) are printed too, being far less
sensitive to other load than wall-clock.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
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


def _cpu(who: int) -> float:
    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime


def process_cpu(pid: int) -> float | None:
    """CPU seconds of another (still running) process, from /proc: the farm server's share of the 2 cores."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def run_ours(feed_urls: list[str], farm_pid: int) -> dict[str, float]:
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
    cpu: dict[str, float] = {}
    timings: dict[str, float] = {}
    reports = {}
    for phase in ("cold", "warm"):
        main0, kids0, farm0 = (
            _cpu(resource.RUSAGE_SELF),
            _cpu(resource.RUSAGE_CHILDREN),
            process_cpu(farm_pid),
        )
        t0 = time.perf_counter()
        reports[phase] = fetch_sources(cfg, arc, force=True)
        timings[phase] = time.perf_counter() - t0
        farm1 = process_cpu(farm_pid)
        cpu[f"{phase}_cpu_main"] = _cpu(resource.RUSAGE_SELF) - main0
        cpu[f"{phase}_cpu_workers"] = _cpu(resource.RUSAGE_CHILDREN) - kids0  # pool workers are reaped by now
        cpu[f"{phase}_cpu_farm"] = (
            (farm1 - farm0) if farm0 is not None and farm1 is not None else float("nan")
        )
    cold, warm = reports["cold"], reports["warm"]
    errors = [r.error for r in cold + warm if r.error]
    out = {
        **timings,
        **cpu,
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
    ap.add_argument(
        "--repeat", type=int, default=1, help="runs of ours (fresh archive each): best and median"
    )
    a = ap.parse_args()
    farm = start_farm(a.feeds, a.hosts, a.port, a.latency)
    try:
        feed_urls = urls(a.feeds, a.hosts, a.port)
        load0 = os.getloadavg()
        runs = []
        for _ in range(max(1, a.repeat)):
            ours = run_ours(feed_urls, farm.pid)
            runs.append(ours)
            print(f"siman-hub: cold {ours['cold']:.2f} s (target ≤ 2.0), all-304 {ours['warm']:.2f} s (target ≤ 0.7), "
                  f"{ours['items']} items, {ours['warm_304']} × 304, {ours['errors']} errors, "
                  f"peak RSS {ours['rss_self_mb']:.0f} MB main + {ours['rss_workers_mb']:.0f} MB largest worker "
                  f"(target ≤ 300)")  # fmt: skip
            print(f"  CPU s: cold main {ours['cold_cpu_main']:.2f} + workers {ours['cold_cpu_workers']:.2f} + farm "
                  f"{ours['cold_cpu_farm']:.2f}; all-304 main {ours['warm_cpu_main']:.2f} + workers "
                  f"{ours['warm_cpu_workers']:.2f} + farm {ours['warm_cpu_farm']:.2f}")  # fmt: skip
            if ours.get("first_error"):
                print("  first error:", ours["first_error"])
        load1 = os.getloadavg()
        print(f"load average (1 min) {load0[0]:.2f} before, {load1[0]:.2f} after, on {os.cpu_count()} CPUs")
        if len(runs) > 1:
            for key, label in (("cold", "cold"), ("warm", "all-304")):
                values = [r[key] for r in runs]
                print(f"siman-hub {label} over {len(runs)} runs: best {min(values):.2f} s, "
                      f"median {statistics.median(values):.2f} s")  # fmt: skip
        ours = {"cold": min(r["cold"] for r in runs), "warm": min(r["warm"] for r in runs)}
        if not a.no_reader:
            theirs = run_reader(feed_urls, a.reader_workers)
            if theirs:
                print(f"reader (workers={a.reader_workers}): cold {theirs['cold']:.2f} s, all-unchanged "
                      f"{theirs['warm']:.2f} s, {theirs['entries']} entries")  # fmt: skip
                print(f"ratio reader/siman-hub (our best): cold ×{theirs['cold'] / ours['cold']:.1f}, "
                      f"all-304 ×{theirs['warm'] / ours['warm']:.1f}")  # fmt: skip
    finally:
        farm.terminate()
        farm.wait(timeout=10)


if __name__ == "__main__":
    main()
