"""Scale benchmark (issue 9): sharded fetch workers on PostgreSQL vs one process on SQLite, and build cost on a
large archive.

    .venv/bin/python bench/scale_bench.py fetch [--feeds 20000] [--workers 4] [--pg URL]
    .venv/bin/python bench/scale_bench.py build [--items 1000000] [--new 2000]

fetch: a loopback farm (bench/farm/server.py, its own process) serves ``--feeds`` feeds spread over 250
127.0.1.x hosts with 50 ms latency; one process fetches all of them into SQLite, then ``--workers`` processes
(``--shard k/N`` each) fetch them into one PostgreSQL database. Prints wall time, feeds/s and items/s. The
sources are built in Python (no 20,000-line feeds.yaml to parse), so config loading is not in the figures.

build: fills a SQLite archive with ``--items`` items, runs a full build, adds ``--new`` items and runs the
incremental build. Each build is two child processes, refine then publish (``pipeline.build``, whose refine then
has nothing to do), so each step's peak RSS is its own. Prints seconds, pages and MB (Pagefind's apart).

State lives in bench/.work/scale/ (gitignored). PostgreSQL URL: ``--pg`` or SIMAN_HUB_TEST_PG. Wall-clock
figures on a shared, noisy machine: run more than once.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent
WORK = ROOT / ".work" / "scale"
sys.path.insert(0, str(ROOT.parent))

from siman_hub.archive import open_archive  # noqa: E402
from siman_hub.config.model import Config, SiteConfig, Source  # noqa: E402
from siman_hub.models import Entry  # noqa: E402
from siman_hub.sources.decide import decide  # noqa: E402

HOSTS, PORT = 250, 8799


def farm_config(feeds: int, archive: str, root: Path) -> Config:
    site = SiteConfig(title="bench", base_url="https://hub.example.org/", allow_private_addresses=True,
                      archive=archive, output=Path("public"))  # fmt: skip
    sources = tuple(
        Source(id=f"desa-{n}", name=f"Desa {n}", kind="lainnya",
               feeds=(f"http://127.0.1.{1 + n % HOSTS}:{PORT}/feed/{n}.xml",))
        for n in range(feeds)
    )  # fmt: skip
    return Config(path=root / "feeds.yaml", site=site, sources=sources, root=root)


def worker(args: argparse.Namespace) -> None:
    """One fetch worker (a child process): what ``siman-hub fetch --shard K/N`` runs, minus YAML loading."""
    from siman_hub import pipeline
    from siman_hub.sources.shard import Shard

    cfg = farm_config(args.feeds, args.archive, WORK)
    shard = Shard.parse(args.shard) if args.shard else None
    reports = pipeline.fetch(cfg, shard=shard, worker=args.shard or "single")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"fetched": len(reports), "ok": sum(r.ok for r in reports),
                      "new": sum(r.new for r in reports), "rss_mb": round(rss)}))  # fmt: skip


def _spawn(feeds: int, archive: str, shard: str | None) -> subprocess.Popen[str]:
    cmd = [sys.executable, __file__, "worker", "--feeds", str(feeds), "--archive", archive]
    if shard:
        cmd += ["--shard", shard]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)


def _timed(procs: list[subprocess.Popen[str]], t0: float) -> tuple[float, list[dict[str, int]]]:
    outs = [json.loads(p.communicate()[0].strip().splitlines()[-1]) for p in procs]
    return time.perf_counter() - t0, outs


def bench_fetch(args: argparse.Namespace) -> None:
    import psycopg

    pg = args.pg or os.environ.get("SIMAN_HUB_TEST_PG")
    if not pg:
        raise SystemExit("set --pg or SIMAN_HUB_TEST_PG to a PostgreSQL database the bench may fill")
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    farm = subprocess.Popen(
        [sys.executable, str(ROOT / "farm" / "server.py"), "--feeds", str(args.feeds), "--hosts", str(HOSTS),
         "--port", str(PORT), "--items", str(args.items), "--latency", "0.05"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert farm.stdout is not None
        if "READY" not in farm.stdout.readline():
            raise SystemExit("farm did not start")
        print(f"farm: {args.feeds} feeds × {args.items} items on {HOSTS} loopback hosts, 50 ms latency")

        lite = f"sqlite:///{WORK / 'archive.sqlite3'}"
        t, outs = _timed([_spawn(args.feeds, lite, None)], time.perf_counter())
        _report("SQLite, 1 process", t, outs, args.feeds)
        sqlite_t = t

        schema = "scale_bench"
        with psycopg.connect(pg, autocommit=True) as c:
            c.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            c.execute(f"CREATE SCHEMA {schema}")
        sep = "&" if "?" in pg else "?"
        pg_url = f"{pg}{sep}options=-csearch_path%3D{schema}"
        open_archive(pg_url).close()  # migrate once, outside the timing
        n = args.workers
        t0 = time.perf_counter()
        t, outs = _timed([_spawn(args.feeds, pg_url, f"{k}/{n}") for k in range(1, n + 1)], t0)
        _report(f"PostgreSQL, {n} processes (--shard k/{n})", t, outs, args.feeds)
        a = open_archive(pg_url)
        items = a.count_items()
        a.close()
        print(f"  archive check: {items} items in PostgreSQL (expected {args.feeds * args.items})")
        print(f"ratio: {n}×PostgreSQL is {sqlite_t / t:.2f}× the throughput of 1×SQLite")
    finally:
        farm.terminate()
        farm.wait()


def _report(label: str, t: float, outs: list[dict[str, int]], feeds: int) -> None:
    fetched = sum(o["fetched"] for o in outs)
    new = sum(o["new"] for o in outs)
    ok = sum(o["ok"] for o in outs)
    rss = max(o["rss_mb"] for o in outs)
    print(f"{label}: {fetched}/{feeds} feeds ({ok} ok), {new} items in {t:.1f} s = {fetched / t:.0f} feeds/s,"
          f" {new / t:.0f} items/s; peak RSS per process {rss} MB")  # fmt: skip


# -- build on a large archive ---------------------------------------------------------------------------------
N_SOURCES = 700
NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


def _entries(start: int, count: int) -> list[Entry]:
    return [
        Entry(key=f"g:{i}", title=f"Siaran pers nomor {i} tentang program daerah {i % 997}",
              url=f"https://pemda{i % N_SOURCES}.go.id/berita/{i}", content=f"<p>Isi berita {i}.</p>",
              summary=f"Ringkasan {i}", published=NOW - timedelta(minutes=i), content_hash=f"h{i}")
        for i in range(start, start + count)
    ]  # fmt: skip


def _fill(url: str, start: int, count: int, now: datetime) -> None:
    a = open_archive(url)
    try:
        step = 10_000
        for s in range(start, start + count, step):
            chunk = _entries(s, min(step, start + count - s))
            by_source: dict[str, list[Entry]] = {}
            for e in chunk:
                by_source.setdefault(f"pemda-{int(e.key[2:]) % N_SOURCES}", []).append(e)
            with a.transaction():
                for src, entries in by_source.items():
                    a.apply_changes(src, decide({}, entries), now)
    finally:
        a.close()


def build_child(args: argparse.Namespace) -> None:
    """One step of a build in its own process, so its peak RSS is its own: ``refine`` (clustering and tagging of
    the new items) or ``publish`` (``pipeline.build``: refine finds nothing left to do, then the site is built).
    The RSS of Pagefind, a child of the publish step, is reported apart."""
    from siman_hub import pipeline

    cfg = _build_config()
    t0 = time.perf_counter()
    pages = 0
    if args.step == "refine":
        archive = pipeline.archive_for(cfg)
        try:
            pipeline.refine(cfg, archive)
        finally:
            archive.close()
    else:
        pages = pipeline.build(cfg).pages
    use = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"seconds": round(time.perf_counter() - t0, 1), "pages": pages, "rss_mb": round(use.ru_maxrss / 1024),
                      "cpu": round(use.ru_utime + use.ru_stime, 1)}))  # fmt: skip


def _descendants_rss(root: int) -> dict[int, tuple[str, int]]:
    """pid → (command name, RSS in bytes) of every live descendant of ``root``, from /proc (Linux)."""
    parent: dict[int, int] = {}
    info: dict[int, tuple[str, int]] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        parent[int(entry)] = int(fields[1])
        info[int(entry)] = (name, int(fields[21]) * page)
    out = {}
    for pid in info:
        p = pid
        while p > 1:
            p = parent.get(p, 0)
            if p == root:
                out[pid] = info[pid]
                break
    return out


def _run_sampled(cmd: list[str]) -> tuple[subprocess.CompletedProcess[str], int]:
    """Run a build step, sampling its Pagefind processes' RSS twice a second: the peak of one Pagefind (the
    indexer runs them one at a time). ru_maxrss of the children cannot say it: a forked child starts out
    counting its parent's pages."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.5):
            for name, rss in _descendants_rss(proc.pid).values():
                if name.startswith("pagefind"):
                    peak = max(peak, rss)

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    out, err = proc.communicate()
    done.set()
    t.join()
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err), peak >> 20


def _build_config() -> Config:
    root = WORK / "build"
    site = SiteConfig(title="bench", base_url="https://hub.example.org/", archive="archive.sqlite3")
    sources = tuple(Source(id=f"pemda-{n}", name=f"Pemda {n}", kind="lainnya", feeds=(f"https://pemda{n}.go.id/rss",))
                    for n in range(N_SOURCES))  # fmt: skip
    return Config(path=root / "feeds.yaml", site=site, sources=sources, root=root)


def bench_build(args: argparse.Namespace) -> None:
    root = WORK / "build"
    shutil.rmtree(root, ignore_errors=True)
    (root / "content" / "pages").mkdir(parents=True)
    url = _build_config().archive_url
    t0 = time.perf_counter()
    _fill(url, 0, args.items, NOW)
    print(f"filled {args.items} items in {time.perf_counter() - t0:.0f} s")
    for label, extra in (("full build", 0), ("incremental build", args.new)):
        if extra:
            _fill(url, args.items, extra, NOW + timedelta(hours=1))
        for step in ("refine", "publish"):
            out, pagefind_mb = _run_sampled([sys.executable, __file__, "build-child", "--step", step])
            if out.returncode:
                print(f"{label}, {step}: FAILED\n{out.stderr[-2000:]}")
                return
            r = json.loads(out.stdout.strip().splitlines()[-1])
            what = f"{r['pages']} pages, " if step == "publish" else ""
            kids = f" (Pagefind peak {pagefind_mb} MB, sampled)" if step == "publish" else ""
            print(f"{label} ({args.items + extra} items), {step}: {r['seconds']} s (CPU {r['cpu']} s in Python), {what}"
                  f"peak RSS {r['rss_mb']} MB"
                  f"{kids}", flush=True)  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("fetch")
    f.add_argument("--feeds", type=int, default=20_000)
    f.add_argument("--items", type=int, default=5)
    f.add_argument("--workers", type=int, default=4)
    f.add_argument("--pg", default=None)
    w = sub.add_parser("worker")
    w.add_argument("--feeds", type=int, required=True)
    w.add_argument("--archive", required=True)
    w.add_argument("--shard", default=None)
    b = sub.add_parser("build")
    b.add_argument("--items", type=int, default=1_000_000)
    b.add_argument("--new", type=int, default=2_000)
    c = sub.add_parser("build-child")
    c.add_argument("--step", choices=("refine", "publish"), default="publish")
    args = ap.parse_args()
    {"fetch": bench_fetch, "worker": worker, "build": bench_build, "build-child": build_child}[args.cmd](args)


if __name__ == "__main__":
    main()
