"""Crash safety: ``siman-hub fetch`` and ``siman-hub build`` are SIGKILLed at random moments, many times over.

After every kill:
- the archive opens and passes SQLite's integrity and foreign-key checks, with no duplicate items;
- every item whose commit was visible to another reader just before the kill is still there (nothing lost);
- ``public/`` is exactly one complete build — the previous one or the new one, never a mix.

The loop is short in CI; ``SIMAN_HUB_CRASH_ROUNDS=200`` runs a longer campaign. ``SIMAN_HUB_CRASH_SEED`` replays
one. Kill times are drawn uniformly over a calibrated uninterrupted run, so kills land in start-up, fetching,
parsing, committing, refining, rendering and the final swap alike.
"""

from __future__ import annotations

import json
import os
import random
import time
from pathlib import Path

from lxml import etree
from lxml import html as lxml_html
from support.feedserver import FeedServer, Reply, Request

from siman_hub.archive import open_archive
from siman_hub.config import load_config

from .hubkit import (
    Src,
    archive_path,
    cli,
    committed_items,
    integrity,
    kill,
    rss,
    spawn,
    wait_until,
    write_config,
)

ROUNDS = int(os.environ.get("SIMAN_HUB_CRASH_ROUNDS", "8"))
SEED = int(os.environ.get("SIMAN_HUB_CRASH_SEED", str(random.randrange(1 << 30))))
N_SOURCES = 70  # above the ingest's process-pool threshold, so its worker processes are killed too
PER_ROUND = 6  # new items per source per round


class Lab:
    """Feeds whose content moves on every round: each round publishes new items, keeping two rounds back."""

    def __init__(self, srv: FeedServer, n: int, rng: random.Random):
        self.srv, self.n, self.rng, self.round = srv, n, rng, 0
        for i in range(n):
            srv.route(f"/s{i}.xml", lambda req, i=i: self.reply(req, i))

    def items(self, i: int, rnd: int) -> list[dict[str, str]]:
        out = []
        for r in range(max(0, rnd - 2), rnd + 1):
            for j in range(PER_ROUND):
                out.append({"title": f"Berita {i}-{r}-{j} tentang program makan bergizi gratis",
                            "link": f"https://s{i}.example.go.id/berita/{r}/{j}", "guid": f"s{i}-r{r}-{j}",
                            "body": f"Isi berita {i}-{r}-{j}. " * 20})  # fmt: skip
        return out

    def reply(self, _req: Request, i: int) -> Reply:
        body = rss(f"Sumber {i}", self.items(i, self.round))
        return Reply(200, body, {"Content-Type": "application/rss+xml"}, delay=self.rng.uniform(0, 0.04))

    def sources(self) -> list[Src]:
        return [Src(f"s{i}", self.srv.url(f"/s{i}.xml")) for i in range(self.n)]


def _check_archive(db: Path, cfg: Path, must_hold: set[tuple[str, str]]) -> dict[tuple[str, str], str | None]:
    """Consistent, and holding ``must_hold``; returns (source id, key) → guid of every archived item."""
    problems = integrity(db)
    assert not problems, problems
    archive = open_archive(load_config(cfg).archive_url)  # opens (and migrates) after the crash
    try:
        assert archive.integrity_check() == []
        held = {(it.source_id, it.key): it.guid for it in archive.iter_items()}
    finally:
        archive.close()
    lost = must_hold - held.keys()
    assert not lost, f"{len(lost)} committed items lost after SIGKILL, e.g. {sorted(lost)[:3]}"
    return held


def test_sigkill_during_fetch_loses_no_committed_item(tmp_path: Path, feed_server: FeedServer) -> None:
    rng = random.Random(SEED)
    print(f"crash seed {SEED} (SIMAN_HUB_CRASH_SEED to replay), {ROUNDS} rounds")
    lab = Lab(feed_server, N_SOURCES, rng)
    cfg = write_config(tmp_path, lab.sources())
    db = archive_path(tmp_path)
    force = [a for s in lab.sources() for a in ("--source", s.id)]  # every round fetches every feed

    t0 = time.monotonic()
    done = cli(cfg, "fetch", *force)
    full = time.monotonic() - t0
    assert done.returncode == 0, done.stderr
    held = _check_archive(db, cfg, set())
    assert len(held) == N_SOURCES * PER_ROUND

    kills = mid_ingest = 0
    for rnd in range(1, ROUNDS + 1):
        lab.round = rnd
        before = committed_items(db)
        proc = spawn(cfg, "fetch", *force)
        if rnd % 2:  # anywhere in the run
            time.sleep(rng.uniform(0.05, 1.1) * full)
        else:  # inside the commit phase: once the round's first commit is visible
            n_before = len(before)
            wait_until(lambda n=n_before: len(committed_items(db)) > n, full, step=0.01)
            time.sleep(rng.uniform(0.0, 0.4))
        seen = committed_items(db)  # commits visible to another reader at the moment of the kill
        killed = kill(proc)
        was_running = killed.was_running
        assert not killed.orphans, f"{len(killed.orphans)} worker processes outlived the killed run"
        if was_running:
            kills += 1
        else:
            full *= 0.8  # runs got faster than the calibration run (warm caches): aim earlier
        new_seen = len(seen - before)
        if was_running and 0 < new_seen < N_SOURCES * PER_ROUND:
            mid_ingest += 1
        held = _check_archive(db, cfg, seen | before)
        assert set(held) >= before

    # the next, uninterrupted run catches up: everything the feeds offer now is archived, nothing twice
    done = cli(cfg, "fetch", *force)
    assert done.returncode == 0, done.stderr
    held = _check_archive(db, cfg, set(held))
    offered = {(f"s{i}", f"s{i}-r{r}-{j}") for i in range(N_SOURCES)
               for r in range(max(0, ROUNDS - 2), ROUNDS + 1) for j in range(PER_ROUND)}  # fmt: skip
    archived = {(sid, guid) for (sid, _), guid in held.items()}
    assert offered <= archived, sorted(offered - archived)[:3]
    assert len(archived) == len(held), "one guid archived under two keys"
    print(
        f"fetch: {kills} kills of a running process, {mid_ingest} between the first and last commit of a round"
    )
    assert kills >= ROUNDS // 3, "the kills mostly missed the run: calibration is off"


# --- build ----------------------------------------------------------------------------------------------------


MARKER = "PENANDA-BUILD-"
FROZEN = "feeds/archive/"


def _write_round_config(root: Path, srcs: list[Src], rnd: int) -> Path:
    """Round ``rnd``'s hub: a unique marker in the site title (on every page and feed), and on odd rounds an
    extra page, so the two shapes of site also differ in their file sets."""
    extra = root / "content" / "pages" / "khusus.md"
    if rnd % 2:
        extra.write_text(f"---\ntitle: Halaman {MARKER}{rnd}\n---\nKhusus.\n", encoding="utf-8")
    elif extra.exists():
        extra.unlink()
    return write_config(root, srcs, title=f"Hub {MARKER}{rnd}")


def _published_build(out: Path) -> tuple[str | None, set[str]]:
    """(the one build marker found in ``out``, marker-bearing paths); fails on a mix or an incomplete file."""
    markers: set[str] = set()
    bearing: set[str] = set()
    for p in sorted(out.rglob("*")):
        if not p.is_file():
            continue
        rel = p.relative_to(out).as_posix()
        data = p.read_bytes()
        assert data, f"empty file published: {rel}"
        if rel.endswith(".html"):
            assert data.rstrip().endswith(b"</html>"), f"truncated page: {rel}"
            lxml_html.document_fromstring(data)
        elif rel.endswith((".xml", ".atom", ".rss", ".opml")):
            etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
        elif rel.endswith(".json"):
            json.loads(data)
        if rel.startswith(FROZEN):
            continue  # archived feed pages (RFC 5005) keep the title they were frozen with: checked for form only
        found = {m.decode() for m in _markers(data)}
        if found:
            markers |= found
            bearing.add(rel)
    assert len(markers) <= 1, f"published site mixes builds: {sorted(markers)}"
    return (markers.pop() if markers else None), bearing


def _markers(data: bytes) -> set[bytes]:
    out = set()
    start = 0
    needle = MARKER.encode()
    while (i := data.find(needle, start)) >= 0:
        j = i + len(needle)
        while j < len(data) and data[j : j + 1].isdigit():
            j += 1
        out.add(data[i:j])
        start = j
    return out


def test_sigkill_during_build_publishes_old_or_new_never_a_mix(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    rng = random.Random(SEED + 1)
    lab = Lab(feed_server, 10, rng)
    srcs = lab.sources()
    cfg = _write_round_config(tmp_path, srcs, 0)
    assert cli(cfg, "fetch").returncode == 0
    db = archive_path(tmp_path)
    out = tmp_path / "public"

    shapes: dict[int, set[str]] = {}  # marker-bearing paths of a complete build, per shape (round parity)
    durations = []
    for rnd in (0, 1):
        cfg = _write_round_config(tmp_path, srcs, rnd)
        t0 = time.monotonic()
        done = cli(cfg, "build")
        durations.append(time.monotonic() - t0)
        assert done.returncode == 0, done.stderr
        marker, bearing = _published_build(out)
        assert marker == f"{MARKER}{rnd}"
        shapes[rnd % 2] = bearing
    assert shapes[1] - shapes[0], "the two shapes of site must differ in their files"
    full = max(durations)

    current = 1
    kills = swapped_by_killed = 0
    for rnd in range(2, ROUNDS + 2):
        cfg = _write_round_config(tmp_path, srcs, rnd)
        proc = spawn(cfg, "build")
        time.sleep(rng.uniform(0.0, 1.1) * full)
        killed = kill(proc)
        was_running = killed.was_running
        assert not killed.orphans
        kills += was_running
        if not was_running:
            full *= 0.8
        marker, bearing = _published_build(out)
        assert marker in (f"{MARKER}{current}", f"{MARKER}{rnd}"), (marker, current, rnd)
        now = int(marker.removeprefix(MARKER))
        assert bearing == shapes[now % 2], (
            f"round {rnd}: build {now} published incompletely or with extra files: "
            f"missing {sorted(shapes[now % 2] - bearing)[:5]}, extra {sorted(bearing - shapes[now % 2])[:5]}"
        )
        if not was_running:
            assert now == rnd, "a build that finished did not publish"
        elif now == rnd:
            swapped_by_killed += 1
        current = now
        assert not integrity(db)
        assert not list(out.glob(".*staging*")), "staging directory inside the published site"

    # after all those kills, a normal build still publishes, and leaves no stale staging directories behind
    cfg = _write_round_config(tmp_path, srcs, 1000)
    done = cli(cfg, "build")
    assert done.returncode == 0, done.stderr
    assert _published_build(out)[0] == f"{MARKER}1000"
    print(f"build: {kills} kills of a running build, {swapped_by_killed} killed after the swap")
    assert kills >= ROUNDS // 3

    def litter() -> list[str]:
        return sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".public."))

    wait_until(
        lambda: not litter(), 15, step=0.1
    )  # the replaced site may still be being deleted in background
    assert not litter(), (
        f"killed builds left {len(litter())} staging directories beside the output: {litter()[:3]}"
    )
