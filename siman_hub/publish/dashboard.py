"""Participation figures for coordinators (``/dasbor/`` and the agency pages). Pure: site model + health in,
figures out; docs/portal.md defines every figure.

Counts are of **items** (each agency's own publications, a re-post included: amplifying a release is
participation), dated by their ``sort_date`` in the site's time zone. Stories (clusters) appear only in the
"most re-published" list. Periods are whole local days ending with the day of the hub's *as-of* time, the
newest item date in the archive: data-derived, so a rebuild of the same archive gives the same figures whatever
the calendar says, and a live hub fetching every few minutes has an as-of time of about now. Whole days and
calendar weeks keep the figures, and so the charts keyed by them, unchanged until an item arrives or a day
passes.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ..config import Source
from ..models import Item
from .model import SiteModel, Story

PERIODS = (30, 7, 90)  # days; the first is the default period shown at /dasbor/
TREND_WEEKS = 13  # a quarter of calendar weeks (Monday to Sunday), the current one partial
TOP_STORIES = 10
AGENCY_DAYS = 90  # the period of an agency page's program counts


@dataclass(frozen=True, slots=True)
class Health:
    """A source's health at the as-of time, and since when it has been so (None: unknown or not applicable)."""

    source_id: str
    status: str  # health.py's word: ok, never, stale, broken, down, disabled
    reason: str
    since: datetime | None


@dataclass(frozen=True, slots=True)
class TopStory:
    """A story re-published in the period: its distinct publishers with an item dated in the period."""

    story_id: str
    title: str
    date: datetime  # its newest item in the period
    source_ids: tuple[str, ...]  # the story's canonical publisher first (when among them), then by id


@dataclass(slots=True)
class Period:
    days: int
    start: date  # first local day included
    end: date  # last local day included (the as-of day)
    by_agency: dict[str, int]  # every configured source, 0 included
    by_program: dict[str, int]  # every configured program, 0 included
    matrix: dict[str, dict[str, int]]  # source → program → items (non-zero cells only)
    program_agencies: dict[str, int]  # program → distinct enabled sources with a tagged item
    silent: list[str]  # enabled sources without an item in the period
    enabled: int  # enabled sources: the denominator of every share
    active: int  # enabled sources with at least one item
    top: list[TopStory]

    def share(self, n: int) -> float:
        return n / self.enabled if self.enabled else 0.0


@dataclass(slots=True)
class AgencyFigures:
    counts: dict[int, int]  # period days → items
    by_program: dict[str, int]  # last AGENCY_DAYS days, non-zero only
    weekly: list[int]  # items per trend week
    health: Health


@dataclass(slots=True)
class Dashboard:
    as_of: datetime | None  # newest item date; None on an empty archive
    periods: dict[int, Period]
    weeks: list[date]  # Monday of each trend week, oldest first
    trend: dict[str, list[int]]  # program → items per week
    health: list[Health]  # enabled sources that are not ok (a feed disabled by a 410 included), worst first
    agencies: dict[str, AgencyFigures] = field(default_factory=dict)


def as_of(model: SiteModel) -> datetime | None:
    """The hub's data time: the newest item date (``sort_date`` is capped at first-seen, so never future)."""
    return max((m.sort_date for s in model.stories for m in s.members), default=None)


def weeks_ending(day: date, n: int) -> list[date]:
    """Mondays of the ``n`` calendar weeks ending with the week of ``day``, oldest first."""
    monday = day - timedelta(days=day.weekday())
    return [monday - timedelta(weeks=k) for k in range(n - 1, -1, -1)]


_UNHEALTHY_ORDER = ("disabled", "down", "broken", "stale", "never")


def compute(model: SiteModel, health: dict[str, Health], tz: str) -> Dashboard:
    """Every figure of every period, the trend and each configured source's own figures.

    ``health`` holds each configured source's health at the as-of time (see ``dashsite.read_health``)."""
    zone = ZoneInfo(tz)
    sources = model.sources
    programs = [p.id for p in model.config.programs]
    enabled = [s for s in model.config.sources if s.enabled]
    now = as_of(model)
    end = now.astimezone(zone).date() if now else date(1970, 1, 1)
    weeks = weeks_ending(end, TREND_WEEKS)
    week_index = {w: i for i, w in enumerate(weeks)}

    # one pass over the items: (local day, source, programs) of every item of a configured source
    rows: list[tuple[date, str, tuple[str, ...]]] = []
    story_members: list[tuple[Story, list[tuple[date, Item]]]] = []  # re-posted stories, their dated items
    for story in model.stories:
        progs: dict[int, list[str]] = defaultdict(list)
        for pid, tags in story.tags.items():
            for t in tags:
                progs[t.item_id].append(pid)
        members = [(m.sort_date.astimezone(zone).date(), m) for m in story.members if m.source_id in sources]
        rows += [(day, m.source_id, tuple(sorted(set(progs[m.id])))) for day, m in members]
        if len(members) > 1:
            story_members.append((story, members))

    periods = {days: _period(days, end, rows, story_members, model.config.sources, enabled, programs)
               for days in PERIODS}  # fmt: skip

    trend = {pid: [0] * len(weeks) for pid in programs}
    agency_weekly: dict[str, list[int]] = {s.id: [0] * len(weeks) for s in model.config.sources}
    agency_programs: dict[str, Counter[str]] = defaultdict(Counter)
    agency_start = end - timedelta(days=AGENCY_DAYS - 1)
    for day, sid, progs in rows:
        w = week_index.get(day - timedelta(days=day.weekday()))
        if w is not None and day <= end:
            agency_weekly[sid][w] += 1
            for pid in progs:
                if pid in trend:
                    trend[pid][w] += 1
        if agency_start <= day <= end:
            agency_programs[sid].update(p for p in progs if p in trend)

    agencies = {}
    for s in model.config.sources:
        counts = {days: periods[days].by_agency.get(s.id, 0) for days in PERIODS}
        by_prog = {pid: agency_programs[s.id][pid] for pid in programs if agency_programs[s.id][pid]}
        h = health.get(s.id) or Health(s.id, "never", "", None)
        agencies[s.id] = AgencyFigures(counts, by_prog, agency_weekly[s.id], h)

    unhealthy = [h for s in enabled if (h := health.get(s.id)) and h.status in _UNHEALTHY_ORDER]
    unhealthy.sort(key=lambda h: (_UNHEALTHY_ORDER.index(h.status), h.since or datetime.max.replace(tzinfo=zone),
                                  h.source_id))  # fmt: skip
    return Dashboard(now, periods, weeks, trend, unhealthy, agencies)


def _period(days: int, end: date, rows: list[tuple[date, str, tuple[str, ...]]], stories: list[tuple[Story, list[tuple[date, Item]]]],
            sources: list[Source], enabled: list[Source], programs: list[str]) -> Period:  # fmt: skip
    start = end - timedelta(days=days - 1)
    by_agency: Counter[str] = Counter()
    by_program: Counter[str] = Counter()
    matrix: dict[str, Counter[str]] = defaultdict(Counter)
    known = set(programs)
    for day, sid, progs in rows:
        if start <= day <= end:
            by_agency[sid] += 1
            for pid in progs:
                if pid in known:
                    by_program[pid] += 1
                    matrix[sid][pid] += 1
    enabled_ids = {s.id for s in enabled}
    program_agencies = {
        pid: sum(1 for sid in matrix if sid in enabled_ids and matrix[sid][pid]) for pid in programs
    }
    silent = [s.id for s in enabled if not by_agency[s.id]]
    top: list[TopStory] = []
    for story, members in stories:
        inside = [(m.sort_date, m.source_id) for day, m in members if start <= day <= end]
        sids = {sid for _, sid in inside}
        if len(sids) > 1:
            canon = story.canonical.source_id
            ordered = tuple([canon] if canon in sids else []) + tuple(sorted(sids - {canon}))
            top.append(TopStory(story.id, story.canonical.title, max(d for d, _ in inside), ordered))
    top.sort(key=lambda t: (-len(t.source_ids), -t.date.timestamp(), t.story_id))
    return Period(
        days, start, end,
        {s.id: by_agency[s.id] for s in sources},
        {pid: by_program[pid] for pid in programs},
        {sid: dict(sorted(c.items())) for sid, c in sorted(matrix.items())},
        program_agencies, silent, len(enabled), len(enabled) - len(silent), top[:TOP_STORIES],
    )  # fmt: skip


# -- the downloads: one JSON document and one CSV table per period -------------------------------------------
def period_data(dash: Dashboard, days: int, model: SiteModel) -> dict[str, Any]:
    """The period's figures as plain data: the JSON download, the CSV's source and the pages' signature."""
    p = dash.periods[days]
    names = {s.id: s.name for s in model.config.sources}
    prog_names = {pr.id: pr.name for pr in model.config.programs}
    return {
        "as_of": dash.as_of.isoformat() if dash.as_of else None,
        "period": {"days": days, "start": p.start.isoformat(), "end": p.end.isoformat()},
        "participation": {"enabled_agencies": p.enabled, "active_agencies": p.active,
                          "share": round(p.share(p.active), 4)},
        "items_per_agency": [{"agency": sid, "name": names[sid], "items": n} for sid, n in p.by_agency.items()],
        "items_per_program": [{"program": pid, "name": prog_names[pid], "items": n,
                               "agencies": p.program_agencies[pid],
                               "agency_share": round(p.share(p.program_agencies[pid]), 4)}
                              for pid, n in p.by_program.items()],
        "matrix": [{"agency": sid, "program": pid, "items": n} for sid, row in p.matrix.items() for pid, n in row.items()],
        "silent_agencies": p.silent,
        "unhealthy_sources": [{"agency": h.source_id, "status": h.status, "reason": h.reason,
                               "since": h.since.isoformat() if h.since else None} for h in dash.health],
        "most_republished": [{"story": t.story_id, "title": t.title, "date": t.date.isoformat(),
                              "agencies": list(t.source_ids)} for t in p.top],
        "trend": {"weeks": [w.isoformat() for w in dash.weeks],
                  "programs": [{"program": pid, "items": counts} for pid, counts in dash.trend.items()]},
    }  # fmt: skip


CSV_COLUMNS = ("figure", "agency", "program", "date", "story", "value")


def csv_rows(data: dict[str, Any]) -> list[tuple[str, ...]]:
    """The period's figures in one long table (a spreadsheet filters by ``figure``): the same numbers as the JSON."""
    rows: list[tuple[str, ...]] = [
        ("enabled_agencies", "", "", "", "", str(data["participation"]["enabled_agencies"])),
        ("active_agencies", "", "", "", "", str(data["participation"]["active_agencies"])),
    ]
    rows += [("items_per_agency", r["agency"], "", "", "", str(r["items"])) for r in data["items_per_agency"]]
    for r in data["items_per_program"]:
        rows.append(("items_per_program", "", r["program"], "", "", str(r["items"])))
        rows.append(("agencies_per_program", "", r["program"], "", "", str(r["agencies"])))
    rows += [("matrix", r["agency"], r["program"], "", "", str(r["items"])) for r in data["matrix"]]
    rows += [("silent_agency", sid, "", "", "", "1") for sid in data["silent_agencies"]]
    rows += [
        ("unhealthy_source", r["agency"], "", r["since"] or "", "", r["status"])
        for r in data["unhealthy_sources"]
    ]
    rows += [
        ("republished_story", "", "", "", r["story"], str(len(r["agencies"])))
        for r in data["most_republished"]
    ]
    weeks = data["trend"]["weeks"]
    for r in data["trend"]["programs"]:
        rows += [("trend", "", r["program"], w, "", str(n)) for w, n in zip(weeks, r["items"], strict=True)]
    return rows


def digest(data: Any) -> str:
    """A short stable hash of plain data: the input signature of a page or chart that shows it."""
    return hashlib.blake2b(json.dumps(data, sort_keys=True, default=str).encode(), digest_size=16).hexdigest()
