"""The dashboard's charts: matplotlib's SVG backend, rendered at build time into static files.

Why matplotlib: the standard, long-maintained Python plotting library; its SVG backend needs no browser, font
files or JavaScript runtime, and with ``svg.fonttype: none`` text stays text (small, selectable, read by screen
readers). It is imported only when a chart has to be drawn: charts are keyed by their figures, so a build whose
figures did not change never loads it.

Every chart is self-describing (``role="img"``, ``<title>``, ``<desc>``) and follows the reader's colour scheme:
ink and bars are CSS variables switched by ``prefers-color-scheme`` inside the SVG, which browsers apply to an
SVG shown through ``<img>``. Colours come from the Okabe-Ito palette and the cividis colour map, both readable
with colour-vision deficiencies. The output is deterministic (no date, fixed id salt), so an unchanged chart is
byte-identical.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

INK = "#010203"  # sentinel colours, replaced by CSS variables after rendering
BAR = "#0072b2"  # Okabe-Ito blue (light); sky blue in the dark scheme
GRID = "#a0a4a8"
STYLE = (
    "<style>:root{--ink:#1b1f24;--bar:#0072b2;--grid:#d6dbe1}"
    "@media (prefers-color-scheme:dark){:root{--ink:#e6e9ed;--bar:#56b4e9;--grid:#3a424b}}</style>"
)
FONT_SIZE = 11
LABEL_CHARS = 34  # longer names are shortened in the chart; the table beside it has them in full


def short(label: str, n: int = LABEL_CHARS) -> str:
    return label if len(label) <= n else label[: n - 1].rstrip() + "…"


def _text_inches(chars: int) -> float:
    """Width of a label of ``chars`` characters: DejaVu Sans averages about 0.6 em a character."""
    return chars * 0.6 * FONT_SIZE / 72


# -- sizes (inches) decided without matplotlib, so pages can give <img> its width and height ------------------
def hbar_size(n: int) -> tuple[float, float]:
    return 7.0, max(1.6, 0.9 + 0.3 * n)


def heatmap_size(rows: int, cols: int, label_chars: int = LABEL_CHARS) -> tuple[float, float]:
    """Cells of about 0.32 × 0.3 inch beside the row labels, so a 15-program matrix fits the page unscaled."""
    return max(4.0, _text_inches(min(label_chars, LABEL_CHARS)) + 0.5 + 0.32 * cols), max(
        2.4, 2.2 + 0.3 * rows
    )


def multiples_size(n: int) -> tuple[float, float]:
    return 7.0, max(1.8, 1.75 * math.ceil(max(n, 1) / 3) + 0.3)


def weekly_size() -> tuple[float, float]:
    return 7.0, 2.6


def px(size: tuple[float, float]) -> tuple[int, int]:
    """The SVG's size in CSS pixels (matplotlib writes points: 72 per inch, 96 px per inch)."""
    return round(size[0] * 96), round(size[1] * 96)


# -- rendering ----------------------------------------------------------------------------------------------
def _figure(size: tuple[float, float]) -> Any:
    from matplotlib.figure import Figure

    return Figure(figsize=size)


def _margins(
    fig: Any, *, left: float, bottom: float, top: float = 0.15, right: float = 0.15, **kw: float
) -> None:
    """Fixed margins in inches. Measured layout (matplotlib's constrained or tight layout) draws every chart
    twice; estimating from label lengths halves the cost of the ~50 charts of a 40-agency hub."""
    w, h = fig.get_size_inches()
    fig.subplots_adjust(left=left / w, right=1 - right / w, bottom=bottom / h, top=1 - top / h, **kw)


def _rc() -> dict[str, Any]:
    return {"svg.fonttype": "none", "svg.hashsalt": "siman-hub", "font.size": FONT_SIZE,
            "font.family": "sans-serif", "font.sans-serif": ["DejaVu Sans"], "text.color": INK, "axes.labelcolor": INK, "axes.edgecolor": INK,
            "xtick.color": INK, "ytick.color": INK, "axes.facecolor": "none", "figure.facecolor": "none",
            "savefig.facecolor": "none", "savefig.transparent": True}  # fmt: skip


def _svg(fig: Any, title: str, desc: str) -> bytes:
    """The figure as an accessible SVG document whose colours follow the reader's scheme."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    svg = buf.getvalue()
    svg = svg.replace(INK, "var(--ink)").replace(BAR, "var(--bar)").replace(GRID, "var(--grid)")
    start = svg.index("<svg ")
    close = svg.index(">", start) + 1
    head = svg[start:close].replace("<svg ", '<svg role="img" aria-labelledby="chart-title chart-desc" ', 1)
    inner = (
        f'<title id="chart-title">{escape(title)}</title><desc id="chart-desc">{escape(desc)}</desc>{STYLE}'
    )
    return (svg[:start] + head + inner + svg[close:]).encode("utf-8")


def _ticks(ax: Any, *, integer: bool = True) -> None:
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(nbins=6, integer=integer))
    ax.spines[["top", "right"]].set_visible(False)


def hbar(
    labels: Sequence[str], values: Sequence[float], title: str, desc: str, *, percent: bool = False
) -> bytes:
    """Horizontal bars, largest on top, each with its value written at its end."""
    import matplotlib

    with matplotlib.rc_context(_rc()):
        fig = _figure(hbar_size(len(labels)))
        shown = [short(label) for label in labels]
        _margins(fig, left=_text_inches(max(map(len, shown), default=1)) + 0.2, bottom=0.4, right=0.2)
        ax = fig.add_subplot()
        ys = list(range(len(labels)))[::-1]
        bars = ax.barh(ys, values, color=BAR)
        ax.set_yticks(ys, shown)
        top = max(values, default=0) or 1
        ax.set_xlim(0, (100 if percent else top) * 1.12)
        ax.bar_label(bars, labels=[f"{v:.0f}%" if percent else f"{v:g}" for v in values], padding=3)
        _ticks(ax, integer=not percent)
        if percent:
            ax.xaxis.set_major_formatter("{x:.0f}%")
        ax.grid(axis="x", color=GRID, linewidth=0.5)
        ax.set_axisbelow(True)
        return _svg(fig, title, desc)


def heatmap(rows: Sequence[str], cols: Sequence[str], values: Sequence[Sequence[int]], title: str,
            desc: str) -> bytes:  # fmt: skip
    """Rows × columns of counts on the cividis scale, each cell labelled with its count (empty when 0)."""
    import matplotlib

    with matplotlib.rc_context(_rc()):
        rlabels, clabels = [short(r) for r in rows], [short(c, 20) for c in cols]
        fig = _figure(heatmap_size(len(rows), len(cols), max(map(len, rlabels), default=1)))
        _margins(fig, left=_text_inches(max(map(len, rlabels), default=1)) + 0.2,
                 bottom=_text_inches(max(map(len, clabels), default=1)) * 0.72 + 0.3, right=0.2, top=0.1)  # fmt: skip
        ax = fig.add_subplot()
        top = max((v for row in values for v in row), default=0) or 1
        import numpy as np

        # vector cells (pcolormesh; imshow would embed a raster image); empty cells stay transparent
        cells = np.ma.masked_equal(np.array(values, dtype=float).reshape(len(rows), len(cols)), 0)
        img = ax.pcolormesh(cells, cmap="cividis", vmin=0, vmax=top, edgecolors=GRID, linewidth=0.5)
        ax.set_xlim(0, len(cols))
        ax.set_ylim(len(rows), 0)  # first row on top
        ax.set_xticks(
            [x + 0.5 for x in range(len(cols))], clabels, rotation=45, ha="right", rotation_mode="anchor"
        )
        ax.set_yticks([y + 0.5 for y in range(len(rows))], rlabels)
        for x in range(len(cols) + 1):
            ax.axvline(x, color=GRID, linewidth=0.5)
        for y in range(len(rows) + 1):
            ax.axhline(y, color=GRID, linewidth=0.5)
        cmap = img.get_cmap()
        for i, row in enumerate(values):
            for j, v in enumerate(row):
                if v:
                    r, g, b, _ = cmap(v / top)
                    light = 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.45
                    ax.text(j + 0.5, i + 0.5, str(v), ha="center", va="center", fontsize=FONT_SIZE - 1,
                            color="#000000" if light else "#ffffff")  # fmt: skip
        ax.tick_params(length=0)
        ax.spines[:].set_visible(False)
        return _svg(fig, title, desc)


def multiples(
    weeks: Sequence[str], series: Sequence[tuple[str, Sequence[int]]], title: str, desc: str
) -> bytes:
    """One small line chart per series on a shared scale (small multiples: no colour legend to decode)."""
    import matplotlib

    n = max(len(series), 1)
    ncols = 3
    nrows = math.ceil(n / ncols)
    top = max((v for _, vs in series for v in vs), default=0) or 1
    with matplotlib.rc_context(_rc()):
        fig = _figure(multiples_size(len(series)))
        _margins(fig, left=0.45, bottom=0.35, top=0.3, right=0.15, hspace=0.75, wspace=0.2)
        axes = fig.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False)
        xs = list(range(len(weeks)))
        for k, ax in enumerate(axes.flat):
            if k >= len(series):
                ax.set_visible(False)
                continue
            label, values = series[k]
            ax.fill_between(xs, values, color=BAR, alpha=0.25, linewidth=0)
            ax.plot(xs, values, color=BAR, linewidth=1.8, marker="o", markersize=2.5)
            ax.set_title(short(label, 24), fontsize=FONT_SIZE, loc="left")
            ax.set_ylim(0, top * 1.15)
            ax.set_xticks([0, len(xs) - 1], [weeks[0][5:], weeks[-1][5:]] if weeks else ["", ""])
            ax.spines[["top", "right"]].set_visible(False)
            ax.grid(axis="y", color=GRID, linewidth=0.5)
            from matplotlib.ticker import MaxNLocator

            ax.yaxis.set_major_locator(MaxNLocator(nbins=3, integer=True))
        return _svg(fig, title, desc)


# One weekly figure per set of weeks, drawn again with each agency's heights: creating a figure's artists costs
# more than drawing them, and an agency page's chart differs from the next one's only in its bars.
_WEEKLY: dict[tuple[str, ...], tuple[Any, Any, Any, list[Any]]] = {}


def weekly(weeks: Sequence[str], values: Sequence[int], title: str, desc: str) -> bytes:
    """Columns per week, labelled with the week's Monday (month-day) under every other column. Byte-identical to
    a chart drawn on a fresh figure (the SVG's ids depend only on its content)."""
    import matplotlib

    with matplotlib.rc_context(_rc()):
        key = tuple(weeks)
        if key not in _WEEKLY:
            from matplotlib.ticker import MaxNLocator

            _WEEKLY.clear()
            fig = _figure(weekly_size())
            _margins(fig, left=0.45, bottom=0.35, top=0.2)
            ax = fig.add_subplot()
            xs = list(range(len(weeks)))
            bars = ax.bar(xs, [0] * len(xs), color=BAR)
            labels = ax.bar_label(bars, labels=[""] * len(xs), padding=2)
            ax.set_xticks(xs[::2], [w[5:] for w in weeks][::2])
            ax.yaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
            ax.spines[["top", "right"]].set_visible(False)
            ax.grid(axis="y", color=GRID, linewidth=0.5)
            ax.set_axisbelow(True)
            _WEEKLY[key] = (fig, ax, bars, labels)
        fig, ax, bars, labels = _WEEKLY[key]
        for bar, label, v in zip(bars, labels, values, strict=True):
            bar.set_height(v)
            label.xy = (label.xy[0], v)
            label.set_text(str(v) if v else "")
        ax.set_ylim(0, (max(values, default=0) or 1) * 1.2)
        return _svg(fig, title, desc)
