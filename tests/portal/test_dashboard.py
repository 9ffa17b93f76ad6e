"""The participation dashboard of the demo portal: every figure checked against numbers computed here, straight
from the archive with SQL and plain Python (never by calling siman_hub.publish.dashboard), for every period; the
CSV and JSON downloads parse and agree; the pages show the same numbers; an agency page shows its own figures;
and charts are keyed like pages (a no-change build draws nothing, a new item redraws only what it changes).

The demo is fetched from its local feed files like ``make demo``, plus two changes that make every figure
non-trivial: a source whose only item is old (silent in the short periods) and a source whose feed breaks after
the first run (broken, since its first failed fetch). One source is made stale in the archive's state.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from lxml import html as lxml_html
from ruamel.yaml import YAML

from siman_hub.archive import open_archive
from siman_hub.models import Changes, FetchLog, SourceState
from siman_hub.publish import build_site
from siman_hub.sources.health import failing_since, health_since

from .hub import BASE, assign_refine, entry, make_hub

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "examples" / "demo"
CLI = [sys.executable, "-m", "siman_hub"]
ZONE = ZoneInfo("Asia/Jakarta")
PERIODS = (7, 30, 90)
OLD_FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Kabupaten Sepi</title><link>https://sepi.example.go.id/</link>
<description>Feed uji</description>
<item><title>Rapat koordinasi lama</title><link>https://sepi.example.go.id/berita/1</link>
<guid>https://sepi.example.go.id/berita/1</guid><pubDate>Mon, 05 Oct 2026 09:00:00 +0700</pubDate>
<description>Rapat koordinasi pembangunan desa.</description></item>
</channel></rss>
"""
SILENT_SOURCE = """
  - id: kab-sepi
    name: Lembaga Uji Sepi
    kind: lembaga
    homepage: https://sepi.example.go.id/
    feeds: [file:feeds/kab-sepi.xml]
"""
STALE_SINCE = "2026-10-20T03:00:00+00:00"


def _cli(config: Path, *args: str, codes: tuple[int, ...] = (0,)) -> None:
    proc = subprocess.run([*CLI, "--config", str(config), "-q", *args], cwd=REPO, timeout=180,
                          capture_output=True, text=True)  # fmt: skip
    assert proc.returncode in codes, proc.stderr


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("dash") / "demo"
    shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns("public", "data"))
    (root / "feeds" / "kab-sepi.xml").write_text(OLD_FEED, encoding="utf-8")
    text = (root / "feeds.yaml").read_text(encoding="utf-8")
    assert "\nsources:\n" in text
    (root / "feeds.yaml").write_text(
        text.replace("\nsources:\n", "\nsources:" + SILENT_SOURCE, 1), encoding="utf-8"
    )
    config = root / "feeds.yaml"
    _cli(config, "run")
    # kab-madiun's feed breaks: two failed fetches in a row after a good one
    (root / "feeds" / "kab-madiun.xml").write_text("<html><body>Maintenance</body></html>", encoding="utf-8")
    for _ in range(2):  # exit 1: a source failed
        _cli(config, "fetch", "--source", "kab-madiun", codes=(1,))
    with sqlite3.connect(root / "data" / "archive.sqlite3") as db:  # oikn: no new item for weeks
        db.execute("UPDATE sources SET last_new_item_at=? WHERE source_id='oikn'", (STALE_SINCE,))
    _cli(config, "build")
    return root


# -- the expected figures, from the archive alone ---------------------------------------------------------------
class Expected:
    def __init__(self, root: Path) -> None:
        db = sqlite3.connect(root / "data" / "archive.sqlite3")
        self.items = [(i, s, datetime.fromisoformat(d), c, t) for i, s, d, c, t in
                      db.execute("SELECT id, source_id, sort_date, cluster_id, title FROM items")]  # fmt: skip
        self.tags: dict[int, set[str]] = defaultdict(set)
        for item_id, pid in db.execute("SELECT item_id, program_id FROM tags"):
            self.tags[item_id].add(pid)
        self.fetch_log = list(
            db.execute("SELECT source_id, started_at, error FROM fetch_log ORDER BY started_at, id")
        )
        db.close()
        conf = YAML(typ="safe").load((root / "feeds.yaml").read_text(encoding="utf-8"))
        self.sources = [s["id"] for s in conf["sources"]]
        self.enabled = [s["id"] for s in conf["sources"] if s.get("enabled", True)]
        self.programs = [p["id"] for p in conf["programs"]]
        self.as_of = max(d for _, _, d, _, _ in self.items)
        self.end = self.as_of.astimezone(ZONE).date()

    def day(self, d: datetime) -> date:
        return d.astimezone(ZONE).date()

    def in_period(self, days: int) -> list[tuple[int, str, datetime, str, str]]:
        start = self.end - timedelta(days=days - 1)
        return [it for it in self.items if start <= self.day(it[2]) <= self.end]

    def by_agency(self, days: int) -> dict[str, int]:
        c = Counter(s for _, s, _, _, _ in self.in_period(days))
        return {s: c[s] for s in self.sources}

    def by_program(self, days: int) -> dict[str, int]:
        c = Counter(p for i, *_ in self.in_period(days) for p in self.tags[i])
        return {p: c[p] for p in self.programs}

    def matrix(self, days: int) -> dict[tuple[str, str], int]:
        return dict(Counter((s, p) for i, s, *_ in self.in_period(days) for p in self.tags[i]))

    def program_agencies(self, days: int) -> dict[str, int]:
        pairs = {(s, p) for i, s, *_ in self.in_period(days) for p in self.tags[i] if s in self.enabled}
        return {p: sum(1 for _, q in pairs if q == p) for p in self.programs}

    def silent(self, days: int) -> list[str]:
        active = {s for _, s, *_ in self.in_period(days)}
        return [s for s in self.enabled if s not in active]

    def republished(self, days: int) -> list[tuple[str, int]]:
        clusters: dict[str, list[tuple[str, datetime]]] = defaultdict(list)
        for i, s, d, c, _ in self.in_period(days):
            clusters[c or f"item-{i}"].append((s, d))
        ranked = [(c, len({s for s, _ in v}), max(d for _, d in v)) for c, v in clusters.items()]
        ranked = [r for r in ranked if r[1] > 1]
        ranked.sort(key=lambda r: (-r[1], -r[2].timestamp(), r[0]))
        return [(c, n) for c, n, _ in ranked[:10]]

    def weeks(self) -> list[date]:
        monday = self.end - timedelta(days=self.end.weekday())
        return [monday - timedelta(weeks=k) for k in range(12, -1, -1)]

    def trend(self) -> dict[str, list[int]]:
        weeks = self.weeks()
        out = {p: [0] * 13 for p in self.programs}
        for i, _, d, _, _ in self.items:
            day = self.day(d)
            monday = day - timedelta(days=day.weekday())
            if monday in weeks:
                for p in self.tags[i]:
                    out[p][weeks.index(monday)] += 1
        return out

    def agency_weekly(self, sid: str) -> list[int]:
        weeks = self.weeks()
        out = [0] * 13
        for _, s, d, _, _ in self.items:
            day = self.day(d)
            if s == sid and (monday := day - timedelta(days=day.weekday())) in weeks:
                out[weeks.index(monday)] += 1
        return out

    def failing_since(self, sid: str) -> str:
        since = None
        for s, started, error in self.fetch_log:
            if s == sid:
                since = (since or started) if error else None
        assert since is not None
        return since


@pytest.fixture(scope="module")
def expected(demo: Path) -> Expected:
    return Expected(demo)


def _json(demo: Path, days: int) -> dict:
    return json.loads((demo / "public" / "dasbor" / f"data-{days}.json").read_text(encoding="utf-8"))


def _page(demo: Path, rel: str) -> lxml_html.HtmlElement:
    return lxml_html.fromstring((demo / "public" / rel / "index.html").read_bytes())


def _table(doc: lxml_html.HtmlElement, caption_start: str) -> list[list[str]]:
    tables = [t for t in doc.iter("table") if t.find("caption") is not None
              and t.find("caption").text_content().startswith(caption_start)]  # fmt: skip
    assert len(tables) == 1, caption_start
    return [[c.text_content().strip() for c in tr] for tr in tables[0].iter("tr")][1:]


def test_demo_has_every_kind_of_figure(expected: Expected) -> None:
    """The setup is not vacuous: silent agencies differ by period, stories are re-published, programs tagged."""
    assert expected.silent(7) == expected.silent(30) == ["kab-sepi"]
    assert expected.silent(90) == []
    assert len(expected.republished(30)) >= 5
    assert sum(expected.by_program(7).values()) > 0


@pytest.mark.parametrize("days", PERIODS)
def test_downloads_match_the_archive(demo: Path, expected: Expected, days: int) -> None:
    data = _json(demo, days)
    assert data["as_of"] == expected.as_of.isoformat()
    start = expected.end - timedelta(days=days - 1)
    assert data["period"] == {"days": days, "start": start.isoformat(), "end": expected.end.isoformat()}
    assert {r["agency"]: r["items"] for r in data["items_per_agency"]} == expected.by_agency(days)
    assert {r["program"]: r["items"] for r in data["items_per_program"]} == expected.by_program(days)
    assert {(r["agency"], r["program"]): r["items"] for r in data["matrix"]} == expected.matrix(days)
    assert {r["program"]: r["agencies"] for r in data["items_per_program"]} == expected.program_agencies(days)
    for r in data["items_per_program"]:
        assert r["agency_share"] == round(r["agencies"] / len(expected.enabled), 4)
    assert data["silent_agencies"] == expected.silent(days)
    active = len(expected.enabled) - len(expected.silent(days))
    assert data["participation"] == {"enabled_agencies": len(expected.enabled), "active_agencies": active,
                                     "share": round(active / len(expected.enabled), 4)}  # fmt: skip
    assert [(r["story"], len(r["agencies"])) for r in data["most_republished"]] == expected.republished(days)
    assert data["trend"]["weeks"] == [w.isoformat() for w in expected.weeks()]
    assert {r["program"]: r["items"] for r in data["trend"]["programs"]} == expected.trend()
    unhealthy = {r["agency"]: r for r in data["unhealthy_sources"]}
    assert set(unhealthy) == {"kab-madiun", "oikn"}
    assert unhealthy["kab-madiun"]["status"] == "broken"
    assert unhealthy["kab-madiun"]["since"] == expected.failing_since("kab-madiun")
    assert unhealthy["oikn"]["status"] == "stale"
    assert unhealthy["oikn"]["since"] == STALE_SINCE


@pytest.mark.parametrize("days", PERIODS)
def test_csv_agrees_with_json(demo: Path, days: int) -> None:
    data = _json(demo, days)
    with (demo / "public" / "dasbor" / f"data-{days}.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    pick = lambda fig, key: {r[key]: int(r["value"]) for r in rows if r["figure"] == fig}  # noqa: E731
    assert pick("items_per_agency", "agency") == {r["agency"]: r["items"] for r in data["items_per_agency"]}
    assert pick("items_per_program", "program") == {
        r["program"]: r["items"] for r in data["items_per_program"]
    }
    assert pick("agencies_per_program", "program") == {
        r["program"]: r["agencies"] for r in data["items_per_program"]
    }
    assert {(r["agency"], r["program"]): int(r["value"]) for r in rows if r["figure"] == "matrix"} == {
        (r["agency"], r["program"]): r["items"] for r in data["matrix"]
    }
    assert [r["agency"] for r in rows if r["figure"] == "silent_agency"] == data["silent_agencies"]
    assert [(r["story"], int(r["value"])) for r in rows if r["figure"] == "republished_story"] == [
        (r["story"], len(r["agencies"])) for r in data["most_republished"]
    ]
    trend = defaultdict(list)
    for r in rows:
        if r["figure"] == "trend":
            trend[r["program"]].append(int(r["value"]))
    assert dict(trend) == {r["program"]: r["items"] for r in data["trend"]["programs"]}
    assert {r["agency"]: (r["value"], r["date"]) for r in rows if r["figure"] == "unhealthy_source"} == {
        r["agency"]: (r["status"], r["since"]) for r in data["unhealthy_sources"]
    }


@pytest.mark.parametrize(
    ("rel", "days"), [("dasbor", 30), ("dasbor/7", 7), ("dasbor/90", 90), ("en/dasbor", 30)]
)
def test_pages_show_the_figures(demo: Path, expected: Expected, rel: str, days: int) -> None:
    doc = _page(demo, rel)
    en = rel.startswith("en/")
    names = {r["agency"]: r["name"] for r in _json(demo, days)["items_per_agency"]}
    agencies = _table(doc, "Items per agency," if en else "Berita per instansi,")
    assert {row[0]: int(row[1]) for row in agencies} == {
        names[s]: n for s, n in expected.by_agency(days).items()
    }
    matrix = _table(doc, "Items per agency and program" if en else "Berita per instansi dan program")
    cols = [p for p in expected.programs if expected.by_program(days)[p]]
    shown = {(row[0], p): int(v) for row in matrix for p, v in zip(cols, row[1:], strict=True) if int(v)}
    assert shown == {(names[s], p): n for (s, p), n in expected.matrix(days).items()}
    trend = _table(doc, "Items per program per week" if en else "Berita per program per minggu")
    assert [[int(v) for v in row[1:]] for row in trend] == list(expected.trend().values())
    silent = [a.text_content() for a in doc.xpath("//ul[@class='silent']//a")]
    assert silent == [names[s] for s in expected.silent(days)]
    stories = doc.xpath("//ol[@class='republished']/li/a")
    assert [a.get("href").rstrip("/").rsplit("/", 1)[1] for a in stories] == [
        c for c, _ in expected.republished(days)
    ]
    assert (
        doc.xpath("//nav[@class='periods']//a[@aria-current='page']")[0].text_content().startswith(str(days))
    )
    assert expected.as_of.isoformat() in [t.get("datetime") for t in doc.xpath("//p[@class='lead']/time")]
    for img in doc.xpath("//figure[@class='chart']//img"):
        svg = (demo / "public" / img.get("src").replace("../", "")).read_text(encoding="utf-8")
        assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
        assert img.get("alt")


def test_agency_page_shows_its_own_figures(demo: Path, expected: Expected) -> None:
    doc = _page(demo, "agency/kab-madiun")
    section = doc.xpath("//section[@class='agency-dash']")[0]
    counts = [int(s.text_content()) for s in section.xpath(".//strong")]
    assert counts == [expected.by_agency(d)["kab-madiun"] for d in PERIODS]
    weekly = _table(doc, "Berita per minggu")
    assert [int(row[1]) for row in weekly] == expected.agency_weekly("kab-madiun")
    assert "rusak" in section.text_content()  # broken, in Indonesian
    programs = Counter(
        p for i, s, *_ in expected.in_period(90) if s == "kab-madiun" for p in expected.tags[i]
    )
    shown = {a.get("href").rstrip("/").rsplit("/", 1)[1]: int(a.tail.split("·")[0])
             for a in section.xpath(".//a[contains(@href, 'program/')]")}  # fmt: skip
    assert shown == dict(programs) and shown
    sepi = _page(demo, "agency/kab-sepi").xpath("//section[@class='agency-dash']")[0]
    assert [int(s.text_content()) for s in sepi.xpath(".//strong")] == [0, 0, 1]


def test_charts_and_dashboard_pages_are_keyed_by_their_figures(tmp_path: Path) -> None:
    """A build whose figures did not change reuses every dashboard file (same inode: hardlinked, nothing drawn);
    a new item redraws the charts whose figures it changes and no other."""
    config = make_hub(tmp_path / "hub", stories=45)
    out = config.output_dir
    archive = open_archive(config.archive_url)
    try:
        for sid in ("bgn", "pemprov-sulsel", "pemkot-makassar", "infopublik"):
            archive.put_source_state(SourceState(sid, last_fetch_at=BASE, last_success_at=BASE,
                                                 last_new_item_at=BASE))  # fmt: skip
        build_site(config, archive, out)
        files = sorted(str(p.relative_to(out)) for p in (out / "dasbor").rglob("*") if p.is_file())
        files += [f"en/{f}" for f in files if f.endswith(".html")]
        inodes = lambda: {f: os.stat(out / f).st_ino for f in files}  # noqa: E731
        before = inodes()
        assert "dasbor/chart/agency/bgn.svg" in before and "dasbor/chart/trend.svg" in before

        # a later fetch that found nothing new: the sources page changes, no dashboard figure does
        archive.put_source_state(SourceState("bgn", last_fetch_at=BASE + timedelta(minutes=10),
                                             last_success_at=BASE, last_new_item_at=BASE))  # fmt: skip
        stats = build_site(config, archive, out)
        assert not stats.skipped and stats.rendered > 0
        assert inodes() == before

        # a new untagged item from Pemkot Makassar, the same local day
        archive.apply_changes("pemkot-makassar", Changes(inserts=[entry(
            "new-1", "Rapat koordinasi baru", "Rapat koordinasi pembangunan jalan.", BASE + timedelta(hours=2),
            "https://pemkot-makassar.example/new-1")]), BASE + timedelta(hours=2))  # fmt: skip
        assign_refine(archive)
        build_site(config, archive, out)
        after = inodes()
        changed = {f for f in files if after[f] != before[f]}
        assert {"dasbor/chart/agency/pemkot-makassar.svg", "dasbor/chart/30-agencies.svg", "dasbor/index.html",
                "dasbor/data-30.json", "en/dasbor/index.html"} <= changed  # fmt: skip
        # other agencies' charts, the trend and the program charts show nothing the untagged item changes
        assert not changed & {"dasbor/chart/agency/bgn.svg", "dasbor/chart/trend.svg", "dasbor/chart/30-programs.svg",
                              "dasbor/chart/30-share.svg"}  # fmt: skip
        data = json.loads((out / "dasbor" / "data-7.json").read_text(encoding="utf-8"))
        assert data["as_of"] == (BASE + timedelta(hours=2)).isoformat()
    finally:
        archive.close()


def test_health_since_is_the_first_failure_of_the_current_run() -> None:
    """The state counts failures; the fetch log (newest first) says when the current run of them began."""
    t = [BASE + timedelta(hours=h) for h in range(5)]
    log = lambda at, error=None: FetchLog("x", at, 10, 500 if error else 200, 0, 0, 0, error)  # noqa: E731
    newest_first = [log(t[4], "HTTP 500"), log(t[3], "timeout"), log(t[2]), log(t[1], "HTTP 500"), log(t[0])]
    assert failing_since(newest_first) == t[3]
    assert failing_since([log(t[4]), *newest_first]) is None
    assert failing_since([log(t[1], "x"), log(t[0], "y")]) == t[0]  # older than the log: its oldest failure
    state = SourceState("x", last_fetch_at=t[4], last_new_item_at=t[0], failures=2, last_error="HTTP 500")
    assert health_since("down", state, newest_first) == t[3]
    assert health_since("stale", state, newest_first) == t[0]
    assert health_since("ok", state, newest_first) is None
