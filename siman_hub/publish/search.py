"""Full-text search: Pagefind indexes of the rendered story and editors' pages, offline and static, in shards.

Pagefind reads ``<html lang="id">`` and stems Indonesian; filters come from ``data-pagefind-filter`` attributes
(program, agency, region) in the story template. Only the primary language's pages are indexed (the English
mirror repeats the same text).

Pagefind has no incremental mode and its memory grows with the pages of one run (about 100 KB a page), so the
index is split: the primary bundle ``pagefind/`` holds the editors' pages and posts, and every story belongs to
one shard ``pagefind/shard/<period>/`` by its date. A build re-indexes only the shards whose pages changed
(new stories land in the newest period) and hardlinks the others from the published site; the search page
merges the shards with Pagefind's multisite ``mergeIndex``. Periods are as coarse as the size bound allows
(a year, else a month, else a week of the month, else a day), so a shard holds at most about
:data:`SHARD_LIMIT` stories unless one day alone has more, and a layout change re-indexes one period only.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import tempfile
import threading
from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

log = logging.getLogger(__name__)

BUNDLE = "pagefind"
SHARD_DIR = "shard"
CONTENT_GLOB = "{pages,posts}/**/*.html"
#: Stories per shard (bounds Pagefind's memory and the work a change causes; more shards cost the search page).
SHARD_LIMIT = 2000


class SearchIndexError(RuntimeError):
    pass


def _binary() -> str:
    from pagefind.service import _must_get_executable  # the extended binary shipped by pagefind[extended]

    return str(_must_get_executable())


class Sharder:
    """Which shard a story date belongs to (see :func:`shard_names`), from counts per year, month and week of the
    month: a few hundred counters, not a name per story, however large the archive."""

    def __init__(self, dates: Iterable[datetime], tz: str, limit: int = SHARD_LIMIT) -> None:
        self.zone = ZoneInfo(tz)
        self.limit = limit
        self.years: Counter[int] = Counter()
        self.months: Counter[tuple[int, int]] = Counter()
        self.weeks: Counter[tuple[int, int, int]] = Counter()
        for d in dates:
            local = d.astimezone(self.zone)
            self.years[local.year] += 1
            self.months[(local.year, local.month)] += 1
            self.weeks[(local.year, local.month, (local.day - 1) // 7)] += 1

    def name(self, d: datetime) -> str:
        d = d.astimezone(self.zone)
        if self.years[d.year] <= self.limit:
            return f"{d.year:04d}"
        if self.months[(d.year, d.month)] <= self.limit:
            return f"{d.year:04d}-{d.month:02d}"
        if self.weeks[(d.year, d.month, (d.day - 1) // 7)] <= self.limit:
            return f"{d.year:04d}-{d.month:02d}-w{(d.day - 1) // 7 + 1}"
        return f"{d.year:04d}-{d.month:02d}-{d.day:02d}"


def shard_names(dates: Iterable[tuple[str, datetime]], tz: str, limit: int = SHARD_LIMIT) -> dict[str, str]:
    """story id → shard name (pure). A year is one shard if it holds ``limit`` stories or fewer, else its months
    are; a month past the limit splits into weeks of the month (days 1-7, 8-14, ...), a week into days."""
    pairs = list(dates)
    sharder = Sharder((d for _, d in pairs), tz, limit)
    return {sid: sharder.name(d) for sid, d in pairs}


class ShardKey:
    """The key of one shard's pages, accumulated page by page in any order (a sum of the page keys modulo
    2**128, and their count): the same value as for the sorted set, without keeping the pages' list."""

    __slots__ = ("count", "total")

    def __init__(self) -> None:
        self.count = 0
        self.total = 0

    def add(self, page_key: str) -> None:
        self.count += 1
        self.total = (self.total + int(page_key, 16)) & ((1 << 128) - 1)

    def key(self, global_key: str) -> str:
        return hashlib.blake2b(
            f"{global_key}|{self.count}|{self.total:032x}".encode(), digest_size=16
        ).hexdigest()


def shard_key(global_key: str, page_keys: Iterable[str]) -> str:
    h = hashlib.blake2b(global_key.encode(), digest_size=16)
    for k in sorted(page_keys):
        h.update(k.encode())
    return h.hexdigest()


class _Runner:
    """Runs Pagefind commands, remembering the live one so a failed build can stop it."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen[bytes] | None = None
        self.cancelled = False

    def __call__(self, cmd: list[str]) -> None:
        if self.cancelled:
            raise SearchIndexError("search indexing cancelled")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out, err = self.proc.communicate()
        if self.proc.returncode != 0:
            msg = (err or out).decode("utf-8", "replace").strip()
            raise SearchIndexError(f"pagefind failed ({self.proc.returncode}): {msg}")

    def cancel(self) -> None:
        self.cancelled = True
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()


def _run(cmd: list[str]) -> None:
    _Runner()(cmd)


def index_content(site_dir: Path, run: _Runner | None = None) -> None:
    """The primary bundle (``pagefind/``: editors' pages and posts plus the UI's JS/CSS); ``posts/`` always has
    its list page, so it is never empty."""
    (run or _run)(
        [_binary(), "--site", str(site_dir), "--output-subdir", BUNDLE, "--glob", CONTENT_GLOB, "--quiet"]
    )


def index_shard(site_dir: Path, name: str, files: list[str], run: _Runner | None = None) -> None:
    """One story shard: a scratch site of hardlinks to exactly its pages (URLs stay ``/story/<id>/``)."""
    out = site_dir / BUNDLE / SHARD_DIR / name
    scratch = Path(tempfile.mkdtemp(prefix=f".shard-{name}-", dir=site_dir.parent))
    try:
        made: set[Path] = set()
        for rel in files:
            target = scratch / rel
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            os.link(site_dir / rel, target)
        (run or _run)([_binary(), "--site", str(scratch), "--output-path", str(out), "--glob", "**/*.html",
                       "--quiet"])  # fmt: skip
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


class Indexer:
    """Runs the Pagefind jobs of one build one after another on a background thread (Pagefind is another
    process, so it uses the second core while Python renders), keeping one Pagefind's memory at a time."""

    def __init__(self, site_dir: Path, content: bool, shards: dict[str, list[str]]):
        self.site_dir = site_dir
        self.content = content
        self.shards = shards
        self.error: BaseException | None = None
        self.run = _Runner()
        self.thread = threading.Thread(target=self._work, name="pagefind", daemon=True)

    def start(self) -> Indexer:
        self.thread.start()
        return self

    def _work(self) -> None:
        try:
            if self.content:
                index_content(self.site_dir, self.run)
            for name, files in sorted(self.shards.items(), reverse=True):  # newest first
                index_shard(self.site_dir, name, files, self.run)
        except BaseException as e:  # re-raised in finish()
            self.error = e

    def cancel(self) -> None:
        """Stop indexing (the build failed): kill the running Pagefind and wait for the thread."""
        self.run.cancel()
        self.thread.join()

    def finish(self) -> None:
        self.thread.join()
        if self.error is not None:
            raise self.error


def build_index(site_dir: Path) -> None:
    """Index a whole rendered site in one bundle (tools and tests; the build uses shards)."""
    _run([_binary(), "--site", str(site_dir), "--output-subdir", BUNDLE, "--glob", "{story,pages,posts}/**/*.html",
          "--quiet"])  # fmt: skip
