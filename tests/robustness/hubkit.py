"""Helpers shared by the robustness tests: a throw-away hub on disk, the CLI as a real subprocess (so it can be
SIGKILLed), feed documents, and the published-output checks (file sets, executable-script scan).
"""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True, slots=True)
class Src:
    id: str
    url: str
    name: str = ""
    kind: str = "lainnya"
    region: str | None = None


def write_config(root: Path, sources: Sequence[Src], *, title: str = "Hub Uji Ketahanan",
                 allow_private: bool = True, extra_site: str = "") -> Path:  # fmt: skip
    """feeds.yaml for a hub in ``root`` (archive, public/ and content/ all inside it)."""
    lines = [
        "site:",
        f"  title: {title!r}",
        "  base_url: https://hub.example.go.id/",
        f"  allow_private_addresses: {'true' if allow_private else 'false'}",
    ]
    lines += [f"  {ln}" for ln in textwrap.dedent(extra_site).splitlines() if ln.strip()]
    lines += [
        "programs:",
        "  - id: mbg",
        "    name: Makan Bergizi Gratis",
        "    phrases: [makan bergizi gratis]",
        "    abbreviations: [MBG, SPPG]",
        "sources:",
    ]
    for s in sources:
        lines += [f"  - id: {s.id}", f"    name: {(s.name or s.id)!r}", f"    kind: {s.kind}",
                  f"    feeds: [{s.url!r}]"]  # fmt: skip
        if s.region:
            lines.append(f"    region: {s.region!r}")
    cfg = root / "feeds.yaml"
    cfg.write_text("\n".join(lines) + "\n", encoding="utf-8")
    pages = root / "content" / "pages"
    pages.mkdir(parents=True, exist_ok=True)
    about = pages / "tentang.md"
    if not about.exists():
        about.write_text("---\ntitle: Tentang\n---\nHub uji ketahanan.\n", encoding="utf-8")
    return cfg


def cli_cmd(cfg: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "siman_hub", "--config", str(cfg), *args]


def cli(cfg: Path, *args: str, timeout: float = 120.0) -> subprocess.CompletedProcess[str]:
    """The real command in a real process, as cron runs it (no TTY)."""
    return subprocess.run(cli_cmd(cfg, *args), capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL, cwd=cfg.parent)  # fmt: skip


def spawn(cfg: Path, *args: str) -> subprocess.Popen[str]:
    """The command in its own session, so everything it starts can be found (and must die) with it."""
    return subprocess.Popen(cli_cmd(cfg, *args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            stdin=subprocess.DEVNULL, cwd=cfg.parent, start_new_session=True)  # fmt: skip


@dataclass(slots=True)
class Killed:
    was_running: bool  # a real crash, not a run that had already finished
    stderr: str
    orphans: list[int]  # processes of the run that outlived it (killed here so the test can go on)


def session_members(sid: int) -> list[int]:
    """Live (non-zombie) processes whose session id is ``sid``."""
    left = []
    for p in Path("/proc").iterdir():
        if not p.name.isdigit():
            continue
        try:
            fields = (p / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[3]) == sid:
            left.append(int(p.name))
    return left


def kill(proc: subprocess.Popen[str], grace: float = 5.0) -> Killed:
    """SIGKILL the run (only its main process, as the OOM killer or a cron timeout would)."""
    alive = proc.poll() is None
    if alive:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    wait_until(lambda: not session_members(proc.pid), grace, step=0.05)
    orphans = session_members(proc.pid)
    for pid in orphans:
        os.kill(pid, signal.SIGKILL)
    _, err = proc.communicate(timeout=30)
    if not alive:
        assert proc.returncode == 0, f"the run finished before the kill, but failed: {err}"
    return Killed(alive, err, orphans)


def archive_path(root: Path) -> Path:
    return root / "data" / "archive.sqlite3"


def committed_items(db: Path) -> set[tuple[str, str]]:
    """(source_id, key) of every item whose commit is visible to another reader right now."""
    if not db.exists():
        return set()
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        return {(r[0], r[1]) for r in con.execute("SELECT source_id, key FROM items")}
    except sqlite3.OperationalError:  # killed before the schema was created
        return set()
    finally:
        con.close()


def integrity(db: Path) -> list[str]:
    """Problems SQLite itself finds: page-level integrity and foreign keys. Empty means consistent."""
    con = sqlite3.connect(db, timeout=30)
    try:
        problems = [r[0] for r in con.execute("PRAGMA integrity_check") if r[0] != "ok"]
        problems += [f"foreign key: {r}" for r in con.execute("PRAGMA foreign_key_check")]
        dupes = con.execute(
            "SELECT source_id, key, count(*) FROM items GROUP BY source_id, key HAVING count(*) > 1"
        ).fetchall()
        problems += [f"duplicate item {d}" for d in dupes]
        return problems
    finally:
        con.close()


def tree(root: Path) -> dict[str, str]:
    """relative path → sha256 of every file under ``root`` (the published site as a reader would get it)."""
    out = {}
    for p in sorted(root.rglob("*")):
        if p.is_file():
            out[p.relative_to(root).as_posix()] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def files_escaping(root: Path, output: Path) -> list[str]:
    """Files or links anywhere under ``root`` (the hub) that a build wrote outside ``output``.

    Only the hub's own bookkeeping may live outside the output directory: the config, content/, data/ and the
    build's transient staging directories beside the output.
    """
    allowed_top = {"feeds.yaml", "content", "data", "theme", output.name}
    bad = []
    for p in root.iterdir():
        if p.name in allowed_top or p.name.startswith(f".{output.name}."):
            continue
        bad.append(str(p))
    for p in output.rglob("*"):
        if p.is_symlink():
            bad.append(f"symlink {p}")
        if output.resolve() not in p.resolve().parents and p.resolve() != output.resolve():
            bad.append(str(p))
    return bad


def wait_until(pred, timeout: float, step: float = 0.02) -> bool:  # type: ignore[no-untyped-def]
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(step)
    return bool(pred())


# --- feed documents -------------------------------------------------------------------------------------------


def rss(title: str, items: Iterable[dict[str, str]], link: str = "https://example.go.id/") -> bytes:
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">',
        f"<channel><title>{escape(title)}</title><link>{escape(link)}</link>",
    ]
    for it in items:
        parts.append(
            "<item>"
            f"<title>{escape(it['title'])}</title><link>{escape(it['link'])}</link>"
            f'<guid isPermaLink="false">{escape(it["guid"])}</guid>'
            f"<pubDate>{escape(it.get('date', 'Mon, 16 Nov 2026 10:00:00 +0700'))}</pubDate>"
            f"<description>{escape(it.get('body', ''))}</description>"
            "</item>"
        )
    parts.append("</channel></rss>")
    return "\n".join(parts).encode("utf-8")
