"""Share images (Open Graph / X cards): one 1200×630 PNG per story, drawn with Pillow from the theme's own font.

Why drawn at build time: a post on WhatsApp, Facebook or X shows the image, not the page, so the story's title,
its programs and the publishing agency must be in it, and a static portal has no server to draw it on request.
Why a bundled font (``share/fonts/`` of the theme, DejaVu Sans): CI and a fresh server may have no system fonts,
and the result must not depend on which ones happen to be installed; a theme overrides the files to change it.

Cost (about 3 ms an image: 1 to draw, 2 to deflate): the agency band (logo or initials, name) and the footer
are the same for every story of an agency, so they are drawn once per agency and kept as an exact 8-bit image;
a story adds its title and program chips as ink coverage on a tile (words rasterized once per font and reused,
since titles share most of their words), which a lookup table turns into indices of the text-over-background
colour ramp: no per-image colour quantizing. The PNG keeps that palette (a third of an RGB PNG's size).
"""

from __future__ import annotations

import colorsys
import hashlib
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1200, 630
#: Bump when the drawing changes: part of every image's key, so all images are redrawn once.
DRAWING_VERSION = "1"
STYLE_FILE = "share/style.json"
FONT_REGULAR = "share/fonts/DejaVuSans.ttf"
FONT_BOLD = "share/fonts/DejaVuSans-Bold.ttf"
DEFAULT_STYLE = {"background": "#ffffff", "text": "#1a1f24", "muted": "#5b6570", "footer": "#f1f3f5"}
MAX_PROGRAMS = 3
_MARGIN = 60
_BAND = 150
_LOGO = 84


@dataclass(frozen=True, slots=True)
class Look:
    """What the theme decides: fonts and colours (``share/`` in a theme directory overrides the default)."""

    regular: str
    bold: str
    style: tuple[tuple[str, str], ...]

    def colour(self, name: str) -> str:
        return dict(self.style).get(name, DEFAULT_STYLE[name])

    def key(self) -> str:
        """Content hash of the fonts and colours: a theme change redraws every image, nothing else does."""
        h = hashlib.blake2b(digest_size=12)
        for f in (self.regular, self.bold):
            h.update(Path(f).read_bytes())
        h.update(repr(self.style).encode())
        return h.hexdigest()


def load_look(theme_dirs: Sequence[Path]) -> Look:
    """Fonts and colours from the most specific theme layer that has each file."""

    def first(rel: str) -> Path | None:
        return next((d / rel for d in theme_dirs if (d / rel).is_file()), None)

    regular, bold = first(FONT_REGULAR), first(FONT_BOLD)
    if regular is None or bold is None:
        raise FileNotFoundError(f"share image fonts missing: no theme has {FONT_REGULAR} and {FONT_BOLD}")
    style = dict(DEFAULT_STYLE)
    style_file = first(STYLE_FILE)
    if style_file is not None:
        data = json.loads(style_file.read_text(encoding="utf-8"))
        style.update({k: str(v) for k, v in data.items() if k in DEFAULT_STYLE})
    return Look(str(regular), str(bold), tuple(sorted(style.items())))


@dataclass(frozen=True, slots=True)
class Agency:
    id: str
    name: str
    colour: str  # "#rrggbb", configured or derived
    logo: str | None  # absolute path, checked by the config loader
    logo_hash: str = ""  # of the file's bytes: a logo replaced under the same name is a different agency look


@dataclass(frozen=True, slots=True)
class Card:
    """Everything one share image shows (and so its key)."""

    title: str
    programs: tuple[str, ...]  # program names, in display order
    agency: Agency
    hub: str


def derived_colour(agency_id: str) -> str:
    """A stable colour for an agency without ``colour:``: a hue from the id's hash, dark enough for white text."""
    d = hashlib.blake2b(agency_id.encode(), digest_size=4).digest()
    r, g, b = colorsys.hls_to_rgb(d[0] / 256, 0.30 + d[1] / 256 * 0.08, 0.55 + d[2] / 256 * 0.25)
    return f"#{round(r * 255):02x}{round(g * 255):02x}{round(b * 255):02x}"


def initials(name: str) -> str:
    """Up to three initials of the agency's name, skipping the generic words every agency shares."""
    generic = {
        "pemerintah",
        "kementerian",
        "badan",
        "provinsi",
        "kabupaten",
        "kota",
        "dan",
        "republik",
        "indonesia",
    }
    words = [w for w in name.replace("-", " ").split() if w[:1].isalnum()]
    picked = [w for w in words if w.lower() not in generic] or words
    return "".join(w[0].upper() for w in picked[:3]) or "?"


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    v = hex_colour.lstrip("#")
    return int(v[0:2], 16), int(v[2:4], 16), int(v[4:6], 16)


def _on(colour: str) -> tuple[int, int, int]:
    """Text colour readable on ``colour`` (WCAG relative luminance)."""

    def lin(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (lin(c) for c in _rgb(colour))
    return (255, 255, 255) if 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.35 else (20, 24, 28)


@lru_cache(maxsize=32)
def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size, layout_engine=ImageFont.Layout.BASIC)


def _ellipsize(text: str, font: ImageFont.FreeTypeFont, width: int) -> str:
    """``text`` shortened to ``width`` pixels with an ellipsis, at a word boundary unless that loses half."""
    if font.getlength(text) <= width:
        return text
    full = text
    lo, hi = 0, len(text)  # the longest prefix that fits with the ellipsis (width grows with length)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if font.getlength(text[:mid] + "…") <= width:
            lo = mid
        else:
            hi = mid - 1
    text = text[:lo]
    space = text.rfind(" ")
    if full[len(text) : len(text) + 1] not in (" ", "") and space > len(text) // 2:
        text = text[:space]
    return text.rstrip(" ,;:.-–—") + "…"


_WORD_WIDTHS: dict[tuple[str, int, str], float] = {}


def _width(font: ImageFont.FreeTypeFont, word: str) -> float:
    """A word's width, cached per font: titles share most of their words, and measuring was a third of an
    image's cost when every candidate line was measured whole."""
    key = (str(font.path), int(font.size), word)
    w = _WORD_WIDTHS.get(key)
    if w is None:
        if len(_WORD_WIDTHS) > 200_000:
            _WORD_WIDTHS.clear()
        w = _WORD_WIDTHS[key] = font.getlength(word)
    return w


def wrap(
    text: str, font: ImageFont.FreeTypeFont, width: int, max_lines: int, ellipsis: bool = True
) -> tuple[list[str], bool]:
    """Greedy word wrap into at most ``max_lines`` lines of ``width`` pixels; True when it had to cut (the last
    line then ends with an ellipsis). A word wider than a line is split by characters. Lines are measured as
    the sum of their words and spaces (kerning across a space is negligible; 2% of the width is kept free)."""
    limit = width * 0.98
    space = _width(font, " ")
    lines: list[str] = []
    line, line_w = "", 0.0
    words = text.split()
    for i, word in enumerate(words):
        w = _width(font, word)
        if line and line_w + space + w <= limit:
            line, line_w = f"{line} {word}", line_w + space + w
            continue
        if not line and w <= limit:
            line, line_w = word, w
            continue
        if line:
            lines.append(line)
        line, line_w = word, w
        while line_w > limit:  # a very long word (a URL, a chain of names)
            cut = len(line)
            while cut > 1 and font.getlength(line[:cut]) > limit:
                cut -= 1
            lines.append(line[:cut])
            line = line[cut:]
            line_w = font.getlength(line)
        if len(lines) >= max_lines:
            if not ellipsis:
                return lines[:max_lines], True
            rest = " ".join([line, *words[i + 1 :]]).strip()
            kept = lines[:max_lines]
            kept[-1] = _ellipsize(kept[-1] + " " + rest, font, width)
            return kept, True
    if line:
        lines.append(line)
    if len(lines) > max_lines:
        if not ellipsis:
            return lines[:max_lines], True
        kept = lines[:max_lines]
        kept[-1] = _ellipsize(" ".join(lines[max_lines - 1 :]), font, width)
        return kept, True
    return lines, False


@lru_cache(maxsize=64)
def _logo(path: str, content_hash: str, box: int) -> Image.Image:
    with Image.open(path) as im:
        im = im.convert("RGBA")
        im.thumbnail((box, box), Image.Resampling.LANCZOS)
        return im


@lru_cache(maxsize=64)
def _background(look: Look, agency: Agency, hub: str) -> tuple[Image.Image, Image.Image]:
    """The agency band (logo or initials, name) and the footer, drawn once per agency and copied for each of
    its stories, as an exact 8-bit image (adaptive quantizing of every whole image was most of an image's
    cost); with the palette of the tile a story draws on (``_tile_palette``)."""
    img = Image.new("RGB", (WIDTH, HEIGHT), look.colour("background"))
    d = ImageDraw.Draw(img)
    colour, on = _rgb(agency.colour), _on(agency.colour)
    d.rectangle((0, 0, WIDTH, _BAND), fill=colour)
    top = (_BAND - _LOGO) // 2
    box = (_MARGIN, top, _MARGIN + _LOGO, top + _LOGO)
    d.rounded_rectangle(box, radius=16, fill=(255, 255, 255))
    if agency.logo:
        logo = _logo(agency.logo, agency.logo_hash, _LOGO - 12)
        img.paste(logo, (box[0] + (_LOGO - logo.width) // 2, box[1] + (_LOGO - logo.height) // 2), logo)
    else:
        f = _font(look.bold, 34 if len(initials(agency.name)) < 3 else 28)
        d.text(((box[0] + box[2]) / 2, (box[1] + box[3]) / 2), initials(agency.name), font=f, fill=colour,
               anchor="mm")  # fmt: skip
    name_x = box[2] + 28
    f = _font(look.bold, 34)
    name = _ellipsize(agency.name, f, WIDTH - name_x - _MARGIN)
    d.text((name_x, _BAND / 2), name, font=f, fill=on, anchor="lm")
    # footer: the hub's name on a light band with the agency's colour as an edge
    d.rectangle((0, _FOOTER, WIDTH, HEIGHT), fill=look.colour("footer"))
    d.rectangle((0, _FOOTER, WIDTH, _FOOTER + 6), fill=colour)
    f = _font(look.bold, 26)
    d.text((_MARGIN, HEIGHT - 37), _ellipsize(hub, f, WIDTH - 2 * _MARGIN), font=f, fill=look.colour("muted"),
           anchor="lm")  # fmt: skip
    tile = _tile_palette(look, colour)
    return _indexed(img, tile), _palette_image(tile)


_RAMP_STEPS = 24
_TITLE_TOP = _BAND + 36
_FOOTER = HEIGHT - 80
_CHIPS = HEIGHT - 150  # top of the program chips
_TITLE_SIZES = (60, 52, 46)  # the largest that fits the whole title; the smallest cuts it with an ellipsis


def _tile_palette(look: Look, colour: tuple[int, int, int]) -> list[tuple[int, int, int]]:
    """What a story draws between the band and the footer: text over the background in its antialiasing
    shades, and the chips' outline in the agency's colour (shapes are not antialiased)."""
    a, b = _rgb(look.colour("text")), _rgb(look.colour("background"))
    ramp = [
        tuple(round(x + (y - x) * i / _RAMP_STEPS) for x, y in zip(a, b, strict=True))  # type: ignore[misc]
        for i in range(_RAMP_STEPS + 1)
    ]
    return list(dict.fromkeys([*ramp, colour]))  # type: ignore[list-item]


def _palette_image(colours: list[tuple[int, int, int]]) -> Image.Image:
    pal = Image.new("P", (1, 1))
    pal.putpalette([c for rgb in colours for c in rgb])
    return pal


def _indexed(img: Image.Image, first: list[tuple[int, int, int]]) -> Image.Image:
    """``img`` as an 8-bit image whose palette starts with ``first`` (the tile's colours, so a tile quantized to
    them pastes in by index). Exact: every colour keeps its value while the image has at most 256 colours in
    all (flat fills, text edges, a small logo); rarer extra colours go to their nearest entry."""
    arr = np.asarray(img, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
    keys = (arr[:, 0] << 16) | (arr[:, 1] << 8) | arr[:, 2]
    found = img.getcolors(WIDTH * HEIGHT) or []  # (count, rgb), in C: cheaper than sorting every pixel
    first_keys = [(r << 16) | (g << 8) | b for r, g, b in first]
    seen = set(first_keys)
    frequent = [(r << 16) | (g << 8) | b for _, (r, g, b) in sorted(found, key=lambda c: -c[0])]
    pal_keys = np.array(
        first_keys + [k for k in frequent if k not in seen][: 256 - len(first_keys)], np.int64
    )
    pal_rgb = np.stack([(pal_keys >> 16) & 255, (pal_keys >> 8) & 255, pal_keys & 255], axis=1)
    uniq = np.array(sorted(frequent), dtype=np.int64)
    uniq_rgb = np.stack([(uniq >> 16) & 255, (uniq >> 8) & 255, uniq & 255], axis=1)
    nearest = ((uniq_rgb[:, None, :] - pal_rgb[None, :, :]) ** 2).sum(axis=2).argmin(axis=1).astype(np.uint8)
    indexed = Image.frombytes("P", img.size, nearest[np.searchsorted(uniq, keys)].tobytes())
    indexed.putpalette(pal_rgb.astype(np.uint8).reshape(-1).tolist())
    return indexed


_MASKS: dict[tuple[str, int, str], tuple[Image.Image, int, int]] = {}


def _mask(font: ImageFont.FreeTypeFont, word: str) -> tuple[Image.Image, int, int]:
    """A word's antialiased coverage and its offset from the pen position, rasterized once per font: titles
    share most of their words, and FreeType rasterizing was the largest part of drawing an image."""
    key = (str(font.path), int(font.size), word)
    got = _MASKS.get(key)
    if got is None:
        if len(_MASKS) > 50_000:
            _MASKS.clear()
        left, top, right, bottom = font.getbbox(word)
        im = Image.new("L", (max(1, right - left), max(1, bottom - top)))
        ImageDraw.Draw(im).text((-left, -top), word, font=font, fill=255)
        got = _MASKS[key] = (im, left, top)
    return got


def _text(tile: Image.Image, x: float, y: float, text: str, font: ImageFont.FreeTypeFont) -> None:
    """``text`` onto a coverage tile (0 background, 255 ink), word by word from ``_mask``."""
    space = _width(font, " ")
    for word in text.split(" "):
        if word:
            mask, left, top = _mask(font, word)
            tile.paste(255, (round(x) + left, round(y) + top), mask)
            x += _width(font, word)
        x += space


def _chips(
    tile: Image.Image, look: Look, programs: tuple[str, ...], y: int
) -> list[tuple[int, int, int, int]]:
    """Up to ``MAX_PROGRAMS`` program names (and "+n" for the rest) left to right; returns the chips' boxes
    (their outlines are drawn afterwards in the agency's colour)."""
    f = _font(look.regular, 26)
    ascent, descent = f.getmetrics()
    x = 0
    shown = list(programs[:MAX_PROGRAMS])
    if len(programs) > MAX_PROGRAMS:
        shown.append(f"+{len(programs) - MAX_PROGRAMS}")
    boxes = []
    for name in shown:
        label = _ellipsize(name, f, WIDTH - 2 * _MARGIN - 40)
        text_w = f.getlength(label)
        w = int(text_w) + 36
        if x + w > WIDTH - 2 * _MARGIN:
            break
        _text(tile, x + (w - text_w) / 2, y + 24 - (ascent + descent) / 2, label, f)
        boxes.append((x, y, x + w, y + 48))
        x += w + 14
    return boxes


def draw(look: Look, card: Card) -> Image.Image:
    """The share image of one story: a copy of its agency's background, with the title (as large as fits) and
    the program chips. Text goes onto a coverage tile that a lookup table turns into palette indices of the
    text-over-background ramp (no colour quantizing per image); chip outlines are drawn by index."""
    background, _ = _background(look, card.agency, card.hub)
    bottom = _CHIPS - 24 if card.programs else _FOOTER - 30
    width = WIDTH - 2 * _MARGIN
    for size in _TITLE_SIZES:
        f = _font(look.bold, size)
        step = int(size * 1.22)
        max_lines = max(1, (bottom - _TITLE_TOP) // step)
        lines, cut = wrap(card.title, f, width, max_lines, ellipsis=size == _TITLE_SIZES[-1])
        if not cut:
            break
    tile = Image.new("L", (width, _FOOTER - _TITLE_TOP), 0)
    for n, line in enumerate(lines):
        _text(tile, 0, n * step, line, f)
    boxes = _chips(tile, look, card.programs, _CHIPS - _TITLE_TOP) if card.programs else []
    img = background.copy()
    img.paste(tile.point(_COVERAGE_TO_RAMP).convert("P"), (_MARGIN, _TITLE_TOP))
    if boxes:
        d = ImageDraw.Draw(img)
        outline = _tile_palette(look, _rgb(card.agency.colour)).index(_rgb(card.agency.colour))
        for x0, y0, x1, y1 in boxes:
            d.rounded_rectangle((x0 + _MARGIN, y0 + _TITLE_TOP, x1 + _MARGIN, y1 + _TITLE_TOP), radius=24,
                                outline=outline, width=3)  # fmt: skip
    return img


#: ink coverage 0..255 → index into the ramp (0: the text colour, ``_RAMP_STEPS``: the background)
_COVERAGE_TO_RAMP = [round(_RAMP_STEPS * (255 - a) / 255) for a in range(256)]


def render(look: Look, card: Card) -> bytes:
    """The PNG bytes: an 8-bit palette (flat colours and antialiased text need no more) at light compression,
    about a third of an RGB PNG's size and faster to write."""
    buf = io.BytesIO()
    draw(look, card).save(buf, "PNG", compress_level=3)
    return buf.getvalue()
