"""Write the site into a staging directory, then swap it into place in one step.

A cron deploy must never serve a half-written site, and a crash mid-build must leave the previous site intact.
On Linux the swap is ``renameat2(RENAME_EXCHANGE)``, which exchanges the two directories atomically; elsewhere
it falls back to two renames (a window of microseconds in which the output path is missing).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import shutil
import subprocess
import threading
import time
from array import array
from collections.abc import Iterator
from pathlib import Path

import numpy as np

_RENAME_EXCHANGE = 2
_TRASH_QUIET = 30.0  # seconds without change after which a trash dir's rm is presumed dead
_AT_FDCWD = -100
_MADE_CACHE = 10_000  # directories remembered as created


def _exchange(a: Path, b: Path) -> bool:
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    try:
        libc = ctypes.CDLL(libc_name, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0


class Staging:
    """A fresh directory beside ``out`` that becomes ``out`` on ``publish()``."""

    def __init__(self, out: Path):
        self.out = out.resolve()
        self.dir = self.out.parent / f".{self.out.name}.staging-{os.getpid()}"
        if self.dir.exists():
            shutil.rmtree(self.dir)
        _sweep_dead(self.out)
        self.dir.mkdir(parents=True)
        # directories already created (one mkdir per directory, not per file); bounded: every story page has a
        # directory of its own, and a million Paths would outweigh the rest of the build
        self._made: set[Path] = {self.dir}
        self._seeded: SeededFiles | None = None  # files hardlinked in by ``seed`` and what became of each

    def seed(self, skip: tuple[str, ...] = ()) -> bool:
        """Hardlink the whole published site into the staging dir in one ``cp -al`` (C, one process) instead of
        one ``os.link``/``mkdir`` per reused file from Python, leaving out the top-level entries in ``skip``
        (directories rebuilt by other tools, which would write into the shared files in place).

        Every seeded file shares its inode with the live site, so it must never be opened for writing: ``write``
        unlinks it first, and ``publish`` removes the seeded files this build neither wrote nor reused. False
        (staging left empty, per-file links as before) without GNU ``cp`` or when the copy fails.
        """
        cp = shutil.which("cp")
        if not cp or not self.out.is_dir():
            return False
        entries = [e for e in os.listdir(self.out) if e not in skip]
        ok = True
        if entries:
            res = subprocess.run([cp, "-al", "-t", str(self.dir), "--", *(str(self.out / e) for e in entries)],
                                 stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                 check=False)  # fmt: skip
            ok = res.returncode == 0
        listing = SeededFiles.list(self.dir) if ok else None
        if listing is None:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir.mkdir(parents=True)
            return False
        self._seeded = listing
        return True

    def _forget(self, rel: str, target: Path) -> None:
        """Before writing ``target``: unlink a seeded hardlink, so the live site's file is never written."""
        if self._seeded is not None and self._seeded.replace(os.path.normpath(rel)):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(target)

    def path(self, rel: str) -> Path:
        """Where ``rel`` goes, refusing anything that would escape the output directory.

        Lexical, without touching the disk: the staging dir is new and only this class creates entries in it (no
        symlinks), so a normalized relative path that does not climb out cannot land outside it.
        """
        norm = os.path.normpath(rel)
        if os.path.isabs(norm) or norm == ".." or norm.startswith("../") or "\0" in rel:
            raise ValueError(f"refusing to write outside the output directory: {rel!r}")
        return self.dir if norm == "." else self.dir / norm

    def _parent(self, target: Path) -> None:
        parent = target.parent
        if parent not in self._made:
            parent.mkdir(parents=True, exist_ok=True)
            if len(self._made) >= _MADE_CACHE:
                self._made.clear()  # forgetting costs one more (idempotent) mkdir, never a wrong result
            self._made.add(parent)

    def write(self, rel: str, data: bytes | str) -> None:
        target = self.path(rel)
        self._forget(rel, target)
        self._parent(target)
        if isinstance(data, str):
            data = data.encode("utf-8")
        target.write_bytes(data)

    def fresh(self, rel: str) -> Path:
        """Where to create a new file ``rel`` that is written in place over time (a SQLite file): its parent exists
        and the seeded hardlink of the published copy is gone, so the live site's file is never opened."""
        target = self.path(rel)
        self._forget(rel, target)
        self._parent(target)
        return target

    def keep(self, rel: str) -> bool:
        """Reuse the seeded copy of ``rel`` (a normalized path such as ``paths.file_for`` gives): True when the seed
        put the published file there. A set lookup, no path objects or syscalls: most files of a big site take
        this path on an incremental build."""
        return self._seeded is not None and self._seeded.keep(rel)

    def link(self, src: Path, rel: str) -> bool:
        """Reuse an unchanged file of the previous build: a hardlink (no copy), or a copy across devices."""
        target = self.path(rel)
        if self._seeded is not None:
            norm = os.path.normpath(rel)
            if src == self.out / norm and self._seeded.keep(
                norm
            ):  # already there: the seed linked the same file
                return True
            self._forget(rel, target)
        self._parent(target)
        try:
            os.link(src, target)
        except FileNotFoundError:
            return False
        except OSError:
            try:
                shutil.copy2(src, target)
            except OSError:
                return False
        return True

    def link_tree(self, src: Path, rel: str, skip: tuple[str, ...] = ()) -> None:
        """Hardlink a whole directory of the previous build (e.g. an unchanged search index), leaving out the
        top-level entries named in ``skip``."""
        base = self.path(rel)
        for dirpath, dirs, files in os.walk(src):
            if Path(dirpath) == src:
                dirs[:] = [d for d in dirs if d not in skip]
                files = [f for f in files if f not in skip]
            d = base / Path(dirpath).relative_to(src)
            d.mkdir(parents=True, exist_ok=True)
            for f in files:
                try:
                    os.link(Path(dirpath) / f, d / f)
                except OSError:
                    shutil.copy2(Path(dirpath) / f, d / f)

    def _drop_stale(self) -> None:
        """Remove the seeded files this build did not produce (a deleted story, a page past the end of a list),
        and directories left empty, so the result equals a build from scratch."""
        if self._seeded is None:
            return
        for rel in list(self._seeded.stale(self.dir)):  # listed first: find must not see the tree change
            target = self.dir / rel
            try:
                os.unlink(target)
            except FileNotFoundError:
                continue
            parent = target.parent
            while parent != self.dir:
                try:
                    os.rmdir(parent)
                except OSError:
                    break
                parent = parent.parent
        self._seeded = None

    def publish(self) -> None:
        self._drop_stale()
        _fsync_tree(self.dir)
        if self.out.exists() and _exchange(self.dir, self.out):
            _discard(self.dir, self.out)
            return
        old = self.out.parent / f".{self.out.name}.old-{os.getpid()}"
        if self.out.exists():
            os.rename(self.out, old)
        os.rename(self.dir, self.out)
        _discard(old, self.out)

    def abandon(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


def _discard(old: Path, out: Path) -> None:
    """Delete the previous site without making the build wait for it.

    Unlinking tens of thousands of files can take longer than building them on a slow disk, and the new site is
    already live: rename the old tree aside and remove it in a detached ``rm -rf`` (a thread where there is no
    ``rm``). A trash dir left by a crash is swept by the next build the same way.
    """
    trash = out.parent / f".{out.name}.trash-{os.getpid()}-{os.urandom(4).hex()}"
    try:
        os.rename(old, trash)
    except OSError:
        trash = old
    rm = shutil.which("rm")
    if rm:
        subprocess.Popen([rm, "-rf", "--", str(trash)], start_new_session=True, stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    else:
        threading.Thread(target=shutil.rmtree, args=(trash, True), daemon=False).start()


def _sweep_dead(out: Path) -> None:
    """Remove staging/old/trash directories left beside ``out`` by builds that were killed (cron timeout, OOM
    killer): each is a whole copy of the site, and without this every killed build would leak one for good."""
    if not out.parent.is_dir():
        return
    for p in out.parent.glob(f".{out.name}.*-*"):
        kind, _, rest = p.name[len(out.name) + 2 :].partition("-")
        pid = rest.split("-", 1)[0]  # staging-<pid>, old-<pid>, trash-<pid>-<random>
        if kind not in ("staging", "old", "trash") or not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:  # its builder is gone
            if kind == "trash":
                # a trash dir is deleted by the detached rm its build started, which outlives the builder: leave
                # it while that rm is at work (it touches the dir), take over only once it has gone quiet
                try:
                    if time.time() - p.stat().st_mtime < _TRASH_QUIET:
                        continue
                except OSError:
                    continue
            _discard(
                p, out
            )  # never in the build's way: a whole site copy can take longer to delete than to build
        except PermissionError:  # alive, someone else's
            pass


def _find(root: Path) -> Iterator[str] | None:
    """Every regular file under ``root``, relative: one ``find`` (C) rather than a Python walk of the site,
    streamed from its output (a million-file site is never one list)."""
    find = shutil.which("find")
    if not find:
        return None
    proc = subprocess.Popen([find, ".", "-type", "f", "-print0"], cwd=root, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)  # fmt: skip

    def paths() -> Iterator[str]:
        assert proc.stdout is not None
        rest = b""
        try:
            while chunk := proc.stdout.read(1 << 20):
                *done, rest = (rest + chunk).split(b"\0")
                for p in done:
                    if p:
                        yield os.path.normpath(os.fsdecode(p))
            if rest:
                yield os.path.normpath(os.fsdecode(rest))
        finally:
            proc.stdout.close()
            if proc.wait() != 0:
                raise OSError(f"find failed in {root}")

    return paths()


class SeededFiles:
    """The files ``Staging.seed`` hardlinked in, and what this build did with each (reused it, or replaced it with
    a file of its own); every one left untouched is stale at the end.

    A build of a million-story site seeds about 1.5 million files: they are held as a sorted array of the paths'
    64-bit hashes (8 bytes each, plus one state byte) instead of two sets of path strings (hundreds of MB), and the
    stale ones are found by listing the staging directory again at the end. A hash collision between two paths
    can only make a stale file look reused (left in the site) or unlink a file about to be replaced anyway."""

    _SEEDED, _KEPT, _REPLACED = 0, 1, 2

    def __init__(self, hashes: np.ndarray) -> None:
        self.hashes = np.sort(hashes)
        self.state = np.zeros(len(self.hashes), dtype=np.uint8)

    @classmethod
    def list(cls, root: Path) -> SeededFiles | None:
        files = _find(root)
        if files is None:
            return None
        try:
            hashes = array("q", map(hash, files))
        except OSError:
            return None
        return cls(np.frombuffer(hashes, dtype=np.int64))

    def _index(self, rel: str) -> int:
        h = hash(rel)
        i = int(np.searchsorted(self.hashes, h))
        return i if i < len(self.hashes) and self.hashes[i] == h else -1

    def keep(self, rel: str) -> bool:
        """Reuse the seeded copy of ``rel`` (normalized): True when the seed put it there and it was not replaced."""
        i = self._index(rel)
        if i < 0 or self.state[i] == self._REPLACED:
            return False
        self.state[i] = self._KEPT
        return True

    def replace(self, rel: str) -> bool:
        """``rel`` is about to be written: True when its seeded hardlink is still there (to be unlinked first)."""
        i = self._index(rel)
        if i < 0 or self.state[i] == self._REPLACED:
            return False
        self.state[i] = self._REPLACED
        return True

    def stale(self, root: Path) -> Iterator[str]:
        """Seeded files under ``root`` this build neither reused nor replaced."""
        files = _find(root)
        if files is None:
            return
        for rel in files:
            i = self._index(rel)
            if i >= 0 and self.state[i] == self._SEEDED:
                yield rel


def _fsync_tree(root: Path) -> None:
    """Flush file data before the swap, so a power cut cannot publish empty files (one sync, not one per file)."""
    os.sync()
