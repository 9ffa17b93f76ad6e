"""The dashboard in the site: health read from the archive, the ``/dasbor/`` page jobs, the agency pages' part,
and the keyed chart and download files. The figures themselves are computed in ``dashboard`` (pure).

Everything written here is keyed by what it shows (``dashboard.digest`` of its figures), like every page: a
build whose figures did not change re-renders no dashboard page and draws no chart.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from ..archive import Archive
from ..config import Config
from ..sources.health import feed_health, health_since, source_health
from ..sources.ingest import state_key
from . import charts, dashboard, i18n, paths
from .dashboard import AGENCY_DAYS, PERIODS, TREND_WEEKS, Dashboard, Health
from .model import SiteModel
from .pages import PageJob

log = logging.getLogger(__name__)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_FAILING = ("down", "broken", "disabled")
CHART_AGENCIES = (
    20  # agencies drawn in the bar chart and heatmap (the most active); the tables list every one
)


def read_health(config: Config, archive: Archive, now: datetime | None) -> dict[str, Health]:
    """Each configured source's health at ``now`` (the as-of time) via ``sources.health``, with since when: the
    fetch log is read only for failing feeds, as far back as their current run of failures."""
    states = archive.source_states()
    at = now or _EPOCH
    stale = config.site.stale_days
    out: dict[str, Health] = {}
    for s in config.sources:
        keys = [state_key(s.id, i) for i in range(len(s.feeds))]
        feeds = [states.get(k) for k in keys]
        status, reason = source_health(s.enabled, feeds, at, stale)
        since = None
        if s.enabled:
            for key, st in zip(keys, feeds, strict=True):
                if feed_health(st, at, stale)[0] == status:
                    failing = st is not None and status in _FAILING
                    logs = archive.fetch_logs(key, limit=st.failures + 1) if failing and st else []
                    since = health_since(status, st, logs)
                    break
        out[s.id] = Health(s.id, status, reason, since)
    return out


@dataclass(slots=True)
class Chart:
    """One SVG file: where it goes, what it shows (its signature), its size, its title (a catalog msgid with
    its parameters, so the page gives ``<img alt>`` in the page's language) and how to draw it."""

    path: str
    msgid: str
    params: dict[str, Any]
    size: tuple[int, int]
    sig: str
    draw: Callable[[str, str], bytes] = field(repr=False)  # (title, description) → SVG bytes

    def title(self, gettext: Callable[[str], str]) -> str:
        return gettext(self.msgid) % self.params


TOP_AGENCIES_TITLE = "Items per agency, last %(days)d days: the %(n)d most active agencies"
TOP_MATRIX_TITLE = "Items per agency and program, last %(days)d days: the %(n)d most active agencies"
DESC = "The same figures are in the table below the chart and in the CSV and JSON downloads."


def period_path(days: int) -> str:
    return paths.dashboard(None if days == PERIODS[0] else days)


def data_file(days: int, ext: str) -> str:
    return f"{paths.dashboard()}data-{days}.{ext}"


@dataclass(slots=True)
class DashSite:
    model: SiteModel
    dash: Dashboard
    data: dict[int, dict[str, Any]]
    charts: dict[str, Chart]

    def jobs(self) -> Iterator[PageJob]:
        """The period pages: the default period at ``dasbor/``, the others at ``dasbor/<days>/``."""
        nav = [(d, period_path(d)) for d in sorted(PERIODS)]
        for days in PERIODS:
            mine = {k.split("/", 1)[1]: c for k, c in self.charts.items() if k.startswith(f"{days}/")}
            sig = dashboard.digest([self.data[days], nav, sorted((c.path, c.sig) for c in mine.values()),
                                    self.charts["trend"].sig if "trend" in self.charts else ""])  # fmt: skip
            yield PageJob(period_path(days), "dashboard.html", "dasbor|" + sig,
                          {"dash": self.dash, "period": self.dash.periods[days], "days": days, "charts": mine,
                           "trend_chart": self.charts.get("trend"), "period_nav": nav,
                           "downloads": [(ext, data_file(days, ext)) for ext in ("csv", "json")],
                           "trend_weeks": TREND_WEEKS})  # fmt: skip

    def as_of_day(self) -> date | None:
        """The as-of day, shown on agency pages instead of the as-of time: their figures are whole days, so an
        agency page re-renders when its own figures change or a day passes, not on every run of a live hub."""
        return self.dash.periods[PERIODS[0]].end if self.dash.as_of else None

    def agency(self, sid: str) -> tuple[str, dict[str, Any]]:
        """The agency page's compact dashboard: its signature part and its template context."""
        fig = self.dash.agencies[sid]
        chart = self.charts.get(f"agency/{sid}")
        ctx = {"fig": fig, "chart": chart, "weeks": self.dash.weeks, "as_of_day": self.as_of_day(),
               "periods": sorted(PERIODS), "agency_days": AGENCY_DAYS}  # fmt: skip
        sig = dashboard.digest([fig.counts, fig.by_program, fig.weekly, fig.health, self.as_of_day(),
                                self.dash.weeks, chart.sig if chart else ""])  # fmt: skip
        return sig, {"dash": ctx}

    def write(self, cached: Callable[[str, str], bool], write: Callable[[str, bytes], None]) -> int:
        """Write the downloads and the charts whose signature changed (``cached`` reuses the others); returns
        the number of charts drawn."""
        for days, data in self.data.items():
            sig = dashboard.digest(data)
            if not cached(data_file(days, "json"), sig):
                write(data_file(days, "json"), json.dumps(data, ensure_ascii=False, indent=1).encode())
            if not cached(data_file(days, "csv"), sig):
                buf = io.StringIO()
                out = csv.writer(buf)
                out.writerow(dashboard.CSV_COLUMNS)
                out.writerows(dashboard.csv_rows(data))
                write(data_file(days, "csv"), buf.getvalue().encode())
        gettext = i18n.translations(self.model.config.site.language).gettext
        drawn = 0
        start = time.perf_counter()
        for chart in self.charts.values():
            if not cached(chart.path, chart.sig):
                write(chart.path, chart.draw(chart.title(gettext), gettext(DESC)))
                drawn += 1
        log.info(
            "dashboard: %d of %d charts drawn in %.2f s", drawn, len(self.charts), time.perf_counter() - start
        )
        return drawn


def build(config: Config, archive: Archive, model: SiteModel) -> DashSite:
    now = dashboard.as_of(model)
    dash = dashboard.compute(model, read_health(config, archive, now), config.site.timezone)
    data = {days: dashboard.period_data(dash, days, model) for days in PERIODS}
    return DashSite(model, dash, data, _charts(model, dash))


def _chart(path: str, msgid: str, params: dict[str, Any], size: tuple[float, float], what: Any,
           draw: Callable[[str, str], bytes]) -> Chart:  # fmt: skip
    return Chart(
        path, msgid, params, charts.px(size), dashboard.digest([path, msgid, params, size, what]), draw
    )


def _charts(model: SiteModel, dash: Dashboard) -> dict[str, Chart]:
    """Every chart with data to show (a period without items has no bars to draw: the page says so instead)."""
    names = {s.id: s.name for s in model.config.sources}
    programs = [(p.id, p.name) for p in model.config.programs]
    base = f"{paths.dashboard()}chart/"
    out: dict[str, Chart] = {}
    for days, p in dash.periods.items():
        active = sorted(((n, sid) for sid, n in p.by_agency.items() if n), key=lambda t: (-t[0], names[t[1]]))
        if not active:
            continue
        labels = [names[sid] for _, sid in active[:CHART_AGENCIES]]
        values = [n for n, _ in active[:CHART_AGENCIES]]
        params = {"days": days}
        top = len(active) > CHART_AGENCIES
        out[f"{days}/agencies"] = _chart(
            f"{base}{days}-agencies.svg",
            TOP_AGENCIES_TITLE if top else "Items per agency, last %(days)d days",
            {"days": days, "n": CHART_AGENCIES} if top else params,
            charts.hbar_size(len(labels)), [labels, values],
            lambda t, d, labels=labels, values=values: charts.hbar(labels, values, t, d))  # fmt: skip
        prog = sorted(programs, key=lambda x: -p.by_program[x[0]])
        plabels = [name for _, name in prog]
        pvalues = [p.by_program[pid] for pid, _ in prog]
        out[f"{days}/programs"] = _chart(
            f"{base}{days}-programs.svg", "Items per program, last %(days)d days", params,
            charts.hbar_size(len(plabels)), [plabels, pvalues],
            lambda t, d, labels=plabels, values=pvalues: charts.hbar(labels, values, t, d))  # fmt: skip
        share = sorted(programs, key=lambda x: -p.program_agencies[x[0]])
        slabels = [name for _, name in share]
        svalues = [round(100 * p.share(p.program_agencies[pid]), 1) for pid, _ in share]
        out[f"{days}/share"] = _chart(
            f"{base}{days}-share.svg", "Share of agencies that published on each program, last %(days)d days",
            params, charts.hbar_size(len(slabels)), [slabels, svalues],
            lambda t, d, labels=slabels, values=svalues: charts.hbar(labels, values, t, d, percent=True))  # fmt: skip
        cols = [pid for pid, _ in programs if p.by_program[pid]]
        if cols:
            with_tags = [sid for _, sid in active if sid in p.matrix]
            mtop = len(with_tags) > CHART_AGENCIES
            rows = with_tags[:CHART_AGENCIES]
            rlabels = [names[sid] for sid in rows]
            cells = [[p.matrix[sid].get(pid, 0) for pid in cols] for sid in rows]
            out[f"{days}/matrix"] = _chart(
                f"{base}{days}-matrix.svg",
                TOP_MATRIX_TITLE if mtop else "Items per agency and program, last %(days)d days",
                {"days": days, "n": CHART_AGENCIES} if mtop else params,
                charts.heatmap_size(len(rows), len(cols), max(len(charts.short(r)) for r in rlabels)), [rlabels, cols, cells],
                lambda t, d, r=rlabels, c=cols, v=cells: charts.heatmap(r, c, v, t, d))  # fmt: skip
    weeks = [w.isoformat() for w in dash.weeks]
    series = [(name, dash.trend[pid]) for pid, name in programs if any(dash.trend[pid])]
    if series:
        out["trend"] = _chart(
            f"{base}trend.svg", "Items per program per week, last %(weeks)d weeks", {"weeks": TREND_WEEKS},
            charts.multiples_size(len(series)), [weeks, series],
            lambda t, d: charts.multiples(weeks, series, t, d))  # fmt: skip
    for sid, fig in dash.agencies.items():
        if any(fig.weekly):
            out[f"agency/{sid}"] = _chart(
                f"{base}agency/{sid}.svg", "Items per week: %(name)s", {"name": names[sid]},
                charts.weekly_size(), [weeks, fig.weekly],
                lambda t, d, v=fig.weekly: charts.weekly(weeks, v, t, d))  # fmt: skip
    return out
