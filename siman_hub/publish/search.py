"""Full-text search: a Pagefind index built from the rendered story and editors' pages, offline and static.

Pagefind reads ``<html lang="id">`` and stems Indonesian; filters come from ``data-pagefind-filter`` attributes
(program, agency, region) in the story template. Only the primary language's story, page and post files are
indexed (the English mirror repeats the same text), which also keeps indexing time proportional to stories.
"""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path

log = logging.getLogger(__name__)

BUNDLE = "pagefind"
GLOB = "{story,pages,posts}/**/*.html"


class SearchIndexError(RuntimeError):
    pass


def _binary() -> str:
    from pagefind.service import _must_get_executable  # the extended binary shipped by pagefind[extended]

    return str(_must_get_executable())


def start_index(site_dir: Path) -> subprocess.Popen[bytes]:
    """Start indexing ``site_dir`` in place (``site_dir/pagefind/``: index plus the UI's JS/CSS).

    Runs beside the Python build (feeds, sitemap) on another core; :func:`finish_index` waits for it.
    """
    cmd = [_binary(), "--site", str(site_dir), "--output-subdir", BUNDLE, "--glob", GLOB, "--quiet"]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def finish_index(proc: subprocess.Popen[bytes]) -> None:
    out, err = proc.communicate()
    if proc.returncode != 0:
        msg = (err or out).decode("utf-8", "replace").strip()
        raise SearchIndexError(f"pagefind failed ({proc.returncode}): {msg}")


def build_index(site_dir: Path) -> None:
    finish_index(start_index(site_dir))
