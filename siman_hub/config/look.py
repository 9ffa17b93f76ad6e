"""Checks of an agency's share-image look (``logo:``, ``colour:`` in feeds.yaml).

Apart from ``load.py`` because a logo is a file that must exist *and* decode: a logo that only fails when the
build draws 10,000 share images would stop the build (or silently drop the logo), so ``siman-hub check`` opens
it up front and reports it with the source's ``file:line`` like every other config error.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
#: Raster formats Pillow draws without extra libraries (an SVG logo would need a renderer the build lacks).
LOGO_FORMATS = ("PNG", "JPEG", "WEBP", "GIF")


def agency_look_problems(logo: Any, colour: Any, base: Path) -> Iterator[tuple[str, str]]:
    """(key, message) for each problem of a source's ``logo`` (a path relative to the config file) and
    ``colour`` (``#rrggbb``); nothing when both are absent or fine."""
    if isinstance(colour, str) and not COLOUR.match(colour):
        yield "colour", f'not a colour {colour!r} (write #rrggbb, e.g. "#1f6f43")'
    if isinstance(logo, str) and logo:
        path = Path(logo)
        if path.is_absolute():
            yield "logo", f"logo must be a path relative to the config file, not {logo!r}"
            return
        full = (base / path).resolve()
        if not full.is_file():
            yield "logo", f"logo file not found: {full}"
            return
        problem = _logo_problem(full)
        if problem:
            yield "logo", problem


def _logo_problem(path: Path) -> str | None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as im:
            fmt = im.format
            im.verify()
    except (OSError, UnidentifiedImageError, SyntaxError, ValueError) as exc:
        return f"logo is not a readable image ({exc.__class__.__name__}): {path}"
    if fmt not in LOGO_FORMATS:
        return f"logo format {fmt} is not supported (use {', '.join(LOGO_FORMATS)}): {path}"
    return None
