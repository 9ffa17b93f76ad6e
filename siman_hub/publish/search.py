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


def build_index(site_dir: Path) -> None:
    """Index ``site_dir`` in place, writing ``site_dir/pagefind/`` (index and the UI's JS/CSS)."""
    cmd = [_binary(), "--site", str(site_dir), "--output-subdir", BUNDLE, "--glob", GLOB, "--quiet"]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SearchIndexError(
            f"pagefind failed ({proc.returncode}): {proc.stderr.strip() or proc.stdout.strip()}"
        )
