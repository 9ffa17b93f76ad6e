"""Overlapping cron runs: two ``siman-hub run`` at once serialise on the run lock, a dead holder's lock is free at
once, and the archive stays consistent throughout.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support.feedserver import FeedServer, Reply

from siman_hub.config import load_config
from siman_hub.lock import LockTimeout, RunLock

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


def _serve(srv: FeedServer, n: int, delay: float) -> list[Src]:
    for i in range(n):
        items = [{"title": f"Siaran pers {i}-{j}", "link": f"https://k{i}.example.go.id/{j}", "guid": f"k{i}-{j}"}
                 for j in range(5)]  # fmt: skip
        srv.route(
            f"/k{i}.xml", Reply(200, rss(f"K{i}", items), {"Content-Type": "application/rss+xml"}, delay)
        )
    return [Src(f"k{i}", srv.url(f"/k{i}.xml")) for i in range(n)]


def _lock_is_held(path: Path) -> bool:
    if not path.exists():
        return False
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing drops our lock, if we got it
    return False


def test_two_runs_started_together_serialise_and_fetch_once(tmp_path: Path, feed_server: FeedServer) -> None:
    srcs = _serve(feed_server, 4, delay=0.8)
    cfg = write_config(tmp_path, srcs)
    a, b = spawn(cfg, "run"), spawn(cfg, "run")
    out_a, out_b = a.communicate(timeout=120), b.communicate(timeout=120)
    assert (a.returncode, b.returncode) == (0, 0), (out_a[1], out_b[1])
    # had the second not waited for the first to commit, both would have found every feed due and fetched it
    assert len(feed_server.requests) == len(srcs), [r.path for r in feed_server.requests]
    db = archive_path(tmp_path)
    assert not integrity(db)
    assert len(committed_items(db)) == 4 * 5
    assert (tmp_path / "public" / "index.html").is_file()


def test_lock_of_a_killed_holder_is_free_at_once(tmp_path: Path, feed_server: FeedServer) -> None:
    srcs = _serve(feed_server, 2, delay=30)  # the holder hangs in fetch until killed
    cfg = write_config(tmp_path, srcs)
    lock = load_config(cfg).archive_lock_path
    holder = spawn(cfg, "run")
    assert wait_until(lambda: _lock_is_held(lock), 20), "the run never took its lock"
    assert kill(holder).was_running
    assert not _lock_is_held(lock), "lock still held after its holder died"
    # the next cron run gets the lock immediately and publishes
    srcs = _serve(feed_server, 2, delay=0)
    t0 = time.monotonic()
    done = cli(cfg, "run", timeout=60)
    assert done.returncode == 0, done.stderr
    assert time.monotonic() - t0 < 30
    assert not integrity(archive_path(tmp_path))
    assert len(committed_items(archive_path(tmp_path))) == 2 * 5


def test_waiting_for_a_live_holder_times_out_with_a_clear_message(tmp_path: Path) -> None:
    lock = tmp_path / "data" / "archive.sqlite3.lock"
    code = ("import sys, time; from pathlib import Path; from siman_hub.lock import RunLock\n"
            "with RunLock(Path(sys.argv[1])):\n    print('held', flush=True); time.sleep(60)")  # fmt: skip
    holder = subprocess.Popen([sys.executable, "-c", code, str(lock)], stdout=subprocess.PIPE, text=True,
                              start_new_session=True)  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        t0 = time.monotonic()
        with (
            pytest.raises(LockTimeout, match="another siman-hub run holds") as err,
            RunLock(lock, timeout=0.5),
        ):
            pass
        assert str(lock) in str(err.value)
        assert 0.4 < time.monotonic() - t0 < 5
    finally:
        kill(holder)  # type: ignore[arg-type]
    with RunLock(lock, timeout=2):  # and free again once the holder is gone
        pass
