"""A build that cannot finish publishes nothing: disk full, a read-only output file system, a broken feeds.yaml or
broken Markdown front matter each give a clear error (naming file and line where there is one) and leave the
previous site exactly as it was.

Disk-full and read-only are real: a small tmpfs is mounted for the output (root can write through permission
bits, not through a full or read-only file system). Where mounting is not allowed the two tests skip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.feedserver import FeedServer, Reply

from .hubkit import Src, cli, rss, tree, write_config


def _serve(srv: FeedServer, n: int = 4) -> list[Src]:
    for i in range(n):
        items = [{"title": f"Kabar daerah {i}-{j}", "link": f"https://d{i}.example.go.id/{j}", "guid": f"d{i}-{j}",
                  "body": "Program makan bergizi gratis berjalan. " * 30} for j in range(6)]  # fmt: skip
        srv.route(f"/d{i}.xml", Reply(200, rss(f"D{i}", items), {"Content-Type": "application/rss+xml"}))
    return [Src(f"d{i}", srv.url(f"/d{i}.xml")) for i in range(n)]


@pytest.fixture
def small_fs(tmp_path: Path) -> Iterator[Path]:
    """A 24 MiB tmpfs, unmounted afterwards; skips where mount(2) is not permitted."""
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("needs root and mount(8) to make a real full / read-only file system")
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(mnt)], capture_output=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {r.stderr.decode().strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(mnt)], capture_output=True)
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def _hub_with_site(tmp_path: Path, srv: FeedServer, output: Path) -> tuple[Path, dict[str, str]]:
    cfg = write_config(tmp_path, _serve(srv), title="Hub Sebelum", extra_site=f"output: {str(output)!r}")
    done = cli(cfg, "run")
    assert done.returncode == 0, done.stderr
    return cfg, tree(output)


def _assert_clear_failure(done: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert done.returncode not in (0, None), done.stderr
    assert "Traceback" not in done.stderr, f"a traceback is not a clear error:\n{done.stderr[-2000:]}"
    for n in needles:
        assert n.lower() in done.stderr.lower(), done.stderr[-2000:]


def test_disk_full_keeps_previous_site(tmp_path: Path, feed_server: FeedServer, small_fs: Path) -> None:
    out = small_fs / "public"
    cfg, before = _hub_with_site(tmp_path, feed_server, out)
    used = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    free = shutil.disk_usage(small_fs).free
    # leave room for a tenth of a site: the next build (every page changes with the title) cannot fit
    with (small_fs / "filler").open("wb") as fh:
        fh.truncate(0)
        chunk = b"\0" * (1 << 20)
        remaining = max(0, free - used // 10)
        while remaining > 0:
            fh.write(chunk[: min(len(chunk), remaining)])
            remaining -= len(chunk)
    write_config(tmp_path, _serve(feed_server), title="Hub Sesudah", extra_site=f"output: {str(out)!r}")
    for command in ("build", "run"):
        done = cli(cfg, command)
        _assert_clear_failure(done, "no space left")
        assert tree(out) == before, f"{command}: the previous site was changed"
        assert not [p for p in small_fs.iterdir() if p.name.startswith(".public.")], "staging left behind"
    (small_fs / "filler").unlink()
    assert cli(cfg, "build").returncode == 0  # space back: publishes again
    assert "Hub Sesudah" in (out / "index.html").read_text(encoding="utf-8")


def test_read_only_output_keeps_previous_site(
    tmp_path: Path, feed_server: FeedServer, small_fs: Path
) -> None:
    out = small_fs / "public"
    cfg, before = _hub_with_site(tmp_path, feed_server, out)
    write_config(tmp_path, _serve(feed_server), title="Hub Sesudah", extra_site=f"output: {str(out)!r}")
    subprocess.run(["mount", "-o", "remount,ro", str(small_fs)], check=True)
    done = cli(cfg, "build")
    _assert_clear_failure(done, "read-only")
    assert tree(out) == before


def test_output_parent_is_a_file(tmp_path: Path, feed_server: FeedServer) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    cfg = write_config(tmp_path, _serve(feed_server), extra_site=f"output: {str(blocker / 'public')!r}")
    done = cli(cfg, "run")
    _assert_clear_failure(done, "not-a-dir")
    assert blocker.read_text() == "x"


# --- broken configuration and content ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def good_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One fetched and published hub per module; each test works on its own copy."""
    root = tmp_path_factory.mktemp("good-hub")
    with FeedServer() as srv:
        cfg = write_config(root, _serve(srv))
        done = cli(cfg, "run")
        assert done.returncode == 0, done.stderr
        yield root


def _good_site(tmp_path: Path, template: Path) -> tuple[Path, dict[str, str]]:
    hub = tmp_path / "hub"
    shutil.copytree(template, hub, symlinks=True)
    return hub / "feeds.yaml", tree(hub / "public")


@pytest.mark.parametrize(
    ("mutate", "line", "words"),
    [
        # YAML syntax: an unclosed flow sequence on the feeds line of the second source
        (lambda t: t.replace("feeds: ['http", "feeds: ['http", 1).replace("    kind: lainnya\n", "    kind: [lainnya\n", 2),
         None, ["feeds.yaml"]),
        # schema: a wrong type for a site setting (line 5: allow_private_addresses is line 4)
        (lambda t: t.replace("  allow_private_addresses: true\n", "  allow_private_addresses: true\n  per_page: banyak\n"),
         5, ["per_page"]),
        # a source pointing at an unknown program
        (lambda t: t.replace("    kind: lainnya\n", "    kind: lainnya\n    programs: [tidak-ada]\n", 1),
         None, ["tidak-ada"]),
    ],
    ids=["yaml-syntax", "schema-type", "unknown-program"],
)  # fmt: skip
def test_broken_feeds_yaml_publishes_nothing_and_names_the_line(tmp_path: Path, good_hub: Path, mutate,
                                                                line: int | None, words: list[str]) -> None:  # fmt: skip
    cfg, before = _good_site(tmp_path, good_hub)
    good = cfg.read_text(encoding="utf-8")
    bad = mutate(good)
    assert bad != good
    cfg.write_text(bad, encoding="utf-8")
    # the line of the fault, or for a syntax error the line where the YAML parser gave up (the next one)
    first = line or _first_diff_line(good, bad)
    for command in ("run", "build", "check"):
        done = cli(cfg, command)
        _assert_clear_failure(done, *words)
        assert any(f"feeds.yaml:{n}:" in done.stderr for n in (first, first + 1)), (
            command,
            first,
            done.stderr,
        )
        assert tree(cfg.parent / "public") == before


def _first_diff_line(a: str, b: str) -> int:
    for n, (x, y) in enumerate(zip(a.splitlines(), b.splitlines(), strict=False), start=1):
        if x != y:
            return n
    raise AssertionError("no difference")


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        ("posts/rusak.md", "---\ntitle: Berita\ndate: 2026-11-20\nprograms: [mbg\n---\nIsi.\n", 4),
        ("posts/tanggal.md", "---\ntitle: Berita\ndate: kemarin sore\n---\nIsi.\n", 3),
        ("pages/program.md", "---\ntitle: Halaman\nprograms: [tidak-ada]\n---\nIsi.\n", 3),
        ("pages/kunci.md", "---\ntitle: Halaman\nwarna: merah\n---\nIsi.\n", 3),
        ("pages/tutup.md", "---\ntitle: Tanpa penutup\nIsi tanpa garis penutup.\n", 1),
    ],
    ids=["yaml-syntax", "bad-date", "unknown-program", "unknown-key", "unclosed"],
)
def test_broken_front_matter_publishes_nothing_and_names_file_and_line(tmp_path: Path, good_hub: Path,
                                                                       name: str, text: str, line: int) -> None:  # fmt: skip
    cfg, before = _good_site(tmp_path, good_hub)
    doc = cfg.parent / "content" / name
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(text, encoding="utf-8")
    for command in ("run", "build") if "rusak" in name else ("run",):
        done = cli(cfg, command)
        _assert_clear_failure(done)
        assert any(f"{doc.name}:{n}:" in done.stderr for n in (line, line + 1)), (command, done.stderr)
        assert tree(cfg.parent / "public") == before
