"""Build the same 10,000-post corpus with siman-hub, Hugo and Pelican in one run; print times, ratios, memory.

Corpus (seeded, identical for every tool): 10,000 posts, each with a title, a date, 0-2 program tags, one of 40
agencies and ~300 Indonesian words. What each tool builds from it:

* Hugo (Debian ``hugo``): one page per post, home + tag + agency(category) lists paginated by 20, RSS per list
  (Hugo's built-in RSS stands in for the Atom feed; a minimal layout set, no theme).
* Pelican (PyPI, installed into bench/.work/venv): article pages, index/tag/category pages paginated by 20, Atom
  feeds for all posts, per tag and per category (default theme).
* siman-hub: the posts ingested as archive items (SQLite, one source per agency, tags stored as refine would),
  then ``build_site``: story pages, home/program/agency/region/archive lists paginated by 20, Atom+RSS+JSON
  feeds per program and agency, sitemap, **plus** the English mirror of every page and the Pagefind index.
  Refine (clustering/tagging) is timed separately: Hugo and Pelican do no such work.

Also measured for siman-hub: peak RSS of the build process, a no-change rebuild, and a rebuild after 500 new
items on a 100,000-item archive (``--big``; slow to set up). Figures from a shared 2-core machine are noisy.

    .venv/bin/python bench/build_compare.py [--posts 10000] [--big 100000] [--skip-hugo] [--skip-pelican]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "bench" / ".work" / "compare"
_TEXT = (
    "pemerintah daerah program nasional masyarakat pembangunan kesehatan pendidikan anak sekolah gizi makan "
    "bergizi gratis desa kota provinsi kabupaten menteri presiden rapat koordinasi anggaran pelayanan publik "
    "infrastruktur jalan jembatan bendungan irigasi sawah petani pangan beras harga pasar ekonomi investasi "
    "industri hilirisasi nikel energi listrik surya koperasi rumah subsidi warga bantuan sosial kemiskinan "
    "stunting posyandu balita ibu hamil pemeriksaan layanan digital data laporan target capaian tahun bulan "
    "minggu kegiatan kunjungan kerja peresmian penandatanganan kerja sama lembaga kementerian badan dinas"
)
WORDS = _TEXT.split()
PROGRAMS = ["mbg", "ckg", "tbc", "sekolah-rakyat", "tiga-juta-rumah", "swasembada-pangan", "swasembada-energi",
            "kopdes-merah-putih", "hilirisasi", "stunting"]  # fmt: skip
AGENCIES = [f"instansi-{i:02d}" for i in range(40)]
START = datetime(2024, 1, 1, tzinfo=UTC)


# -- corpus ---------------------------------------------------------------------------------------------------
def corpus(n: int, seed: int = 5, offset: int = 0) -> list[dict]:
    rnd = random.Random(seed + offset)
    posts = []
    for i in range(offset, offset + n):
        words = rnd.choices(WORDS, k=300)
        paras = [" ".join(words[j : j + 60]).capitalize() + "." for j in range(0, 300, 60)]
        posts.append({
            "slug": f"berita-{i:06d}", "title": " ".join(rnd.choices(WORDS, k=6)).capitalize() + f" {i}",
            "date": START + timedelta(minutes=37 * i), "tags": sorted(set(rnd.sample(PROGRAMS, rnd.randint(0, 2)))),
            "agency": AGENCIES[i % len(AGENCIES)], "paras": paras,
        })  # fmt: skip
    return posts


def write_markdown(posts: list[dict], folder: Path, pelican: bool) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for p in posts:
        if pelican:
            head = (f"Title: {p['title']}\nDate: {p['date']:%Y-%m-%d %H:%M}\nTags: {', '.join(p['tags'])}\n"
                    f"Category: {p['agency']}\nSlug: {p['slug']}\n\n")  # fmt: skip
        else:
            head = (f"---\ntitle: \"{p['title']}\"\ndate: {p['date'].isoformat()}\ntags: {json.dumps(p['tags'])}\n"
                    f"categories: [\"{p['agency']}\"]\n---\n\n")  # fmt: skip
        (folder / f"{p['slug']}.md").write_text(head + "\n\n".join(p["paras"]) + "\n", encoding="utf-8")


# -- tools ----------------------------------------------------------------------------------------------------
def timed(cmd: list[str], cwd: Path, env: dict | None = None) -> tuple[float, int]:
    """Wall time and peak RSS (MB) of one command, run as a child of a fresh measuring process."""
    probe = ("import resource,subprocess,sys,time,json;t=time.perf_counter();"
             "r=subprocess.run(sys.argv[1:]);dt=time.perf_counter()-t;"
             "m=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss;print(json.dumps([dt,m,r.returncode]))")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", probe, *cmd], cwd=cwd, env=env, capture_output=True, text=True,
                         check=True)  # fmt: skip
    dt, rss, rc = json.loads(out.stdout.strip().splitlines()[-1])
    if rc != 0:
        raise RuntimeError(f"{cmd[0]} failed ({rc}): {out.stderr[-2000:]}")
    return dt, rss // 1024


HUGO_LAYOUTS = {
    "_default/baseof.html": "<!DOCTYPE html><html lang=\"id\"><head><meta charset=\"utf-8\"><title>{{ .Title }}</title>"
    "{{ range .AlternativeOutputFormats }}<link rel=\"{{ .Rel }}\" type=\"{{ .MediaType.Type }}\" href=\"{{ .Permalink }}\">"
    "{{ end }}</head><body>{{ block \"main\" . }}{{ end }}</body></html>",
    "_default/single.html": "{{ define \"main\" }}<article><h1>{{ .Title }}</h1><time>{{ .Date.Format \"2 January 2006\" }}</time>"
    "{{ .Content }}<ul>{{ range .Params.tags }}<li><a href=\"/tags/{{ . | urlize }}/\">{{ . }}</a></li>{{ end }}</ul></article>{{ end }}",
    "_default/list.html": "{{ define \"main\" }}<h1>{{ .Title }}</h1><ol>{{ range .Paginator.Pages }}<li><a href=\"{{ .RelPermalink }}\">"
    "{{ .Title }}</a> {{ .Date.Format \"2 January 2006\" }}</li>{{ end }}</ol>{{ with .Paginator.Next }}<a href=\"{{ .URL }}\">next</a>"
    "{{ end }}{{ end }}",
    "index.html": "{{ define \"main\" }}<h1>{{ .Site.Title }}</h1><ol>{{ range (.Paginate (where .Site.RegularPages \"Type\" \"posts\")).Pages }}"
    "<li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a></li>{{ end }}</ol>{{ end }}",
    "_default/terms.html": "{{ define \"main\" }}<h1>{{ .Title }}</h1><ul>{{ range .Data.Terms.Alphabetical }}<li><a href=\"{{ .Page.RelPermalink }}\">"
    "{{ .Page.Title }}</a> {{ .Count }}</li>{{ end }}</ul>{{ end }}",
}  # fmt: skip


def run_hugo(posts: list[dict]) -> dict:
    hugo = shutil.which("hugo")
    if not hugo:
        return {"error": "hugo not installed (apt-get install hugo)"}
    site = WORK / "hugo"
    shutil.rmtree(site, ignore_errors=True)
    write_markdown(posts, site / "content" / "posts", pelican=False)
    for rel, text in HUGO_LAYOUTS.items():
        (site / "layouts" / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / "layouts" / rel).write_text(text, encoding="utf-8")
    (site / "config.toml").write_text(
        'baseURL = "https://portal.example.org/"\ntitle = "Bench"\nlanguageCode = "id"\npaginate = 20\n'
        '[taxonomies]\ntag = "tags"\ncategory = "categories"\n',
        encoding="utf-8",
    )
    dt, rss = timed([hugo, "--quiet", "--cleanDestinationDir", "--ignoreCache"], site)
    version = subprocess.run([hugo, "version"], capture_output=True, text=True).stdout.split()[1]
    return {"time": dt, "rss": rss, "files": _count(site / "public"), "version": version}


def run_pelican(posts: list[dict]) -> dict:
    venv = ROOT / "bench" / ".work" / "venv"
    py = venv / "bin" / "python"
    if not py.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "-q", "pelican", "markdown"], check=True)
    site = WORK / "pelican"
    shutil.rmtree(site, ignore_errors=True)
    write_markdown(posts, site / "content", pelican=True)
    (site / "pelicanconf.py").write_text(
        'SITENAME = "Bench"\nSITEURL = ""\nTIMEZONE = "Asia/Jakarta"\nDEFAULT_LANG = "id"\nDEFAULT_PAGINATION = 20\n'
        'FEED_ALL_ATOM = "feeds/all.atom.xml"\nCATEGORY_FEED_ATOM = "feeds/{slug}.atom.xml"\n'
        'TAG_FEED_ATOM = "feeds/tag-{slug}.atom.xml"\nLOAD_CONTENT_CACHE = False\n',
        encoding="utf-8",
    )
    dt, rss = timed(
        [str(venv / "bin" / "pelican"), "content", "-o", "output", "-s", "pelicanconf.py", "-q"], site
    )
    version = subprocess.run(
        [str(venv / "bin" / "pelican"), "--version"], capture_output=True, text=True
    ).stdout.strip()
    return {"time": dt, "rss": rss, "files": _count(site / "output"), "version": version}


def _count(d: Path) -> int:
    return sum(1 for p in d.rglob("*.html")) if d.is_dir() else 0


# -- siman-hub ------------------------------------------------------------------------------------------------
def hub_yaml(per_page: int = 20) -> str:
    progs = "\n".join(
        f"  - id: {p}\n    name: Program {p}\n    phrases: [{p.replace('-', ' ')}]" for p in PROGRAMS
    )
    srcs = "\n".join(
        f"  - id: {a}\n    name: Instansi {a[-2:]}\n    kind: lembaga\n    feeds: [http://127.0.0.1:9/{a}.xml]"
        + (f'\n    region: "{31 + i % 5}"' if i % 2 else "")
        for i, a in enumerate(AGENCIES)
    )
    return (f"site:\n  title: Bench\n  base_url: https://portal.example.org/\n  per_page: {per_page}\n"
            f"  output: public\n  archive: data/archive.sqlite3\nprograms:\n{progs}\nsources:\n{srcs}\n")  # fmt: skip


def ingest(hub: Path, posts: list[dict]) -> None:
    """The posts as archive items, tagged and clustered as refine would store them (one story per post)."""
    sys.path.insert(0, str(ROOT))
    from siman_hub.archive import open_archive
    from siman_hub.config import load_config
    from siman_hub.models import Changes, Entry, Tag

    config = load_config(hub / "feeds.yaml")
    archive = open_archive(config.archive_url)
    by_agency: dict[str, list[Entry]] = {}
    for p in posts:
        html = "".join(f"<p>{x}</p>" for x in p["paras"])
        by_agency.setdefault(p["agency"], []).append(Entry(
            key=p["slug"], title=p["title"], url=f"https://{p['agency']}.example/{p['slug']}", summary=p["paras"][0][:200],
            content=html, published=p["date"], content_hash=p["slug"]))  # fmt: skip
    now = START + timedelta(days=3650)
    for agency, entries in by_agency.items():
        archive.apply_changes(agency, Changes(inserts=entries), now)
    ids = dict(archive.db.execute("SELECT key, id FROM items"))  # type: ignore[attr-defined]
    archive.put_clusters({i: f"s{i}" for i in ids.values()})
    tags = [
        Tag(ids[p["slug"]], t, "phrase", [t.replace("-", " ")], "bench") for p in posts for t in p["tags"]
    ]
    archive.replace_tags([ids[p["slug"]] for p in posts], tags)
    archive.close()


BUILD = """
import json, sys, time
sys.path.insert(0, {root!r})
from siman_hub.archive import open_archive
from siman_hub.config import load_config
from siman_hub.publish import build_site
config = load_config({cfg!r})
archive = open_archive(config.archive_url)
t = time.perf_counter()
s = build_site(config, archive, config.output_dir, force={force})
print(json.dumps({{"time": time.perf_counter() - t, "pages": s.pages, "rendered": s.rendered, "reused": s.reused,
                  "skipped": s.skipped, "search": s.search_indexed}}))
"""

REFINE = """
import json, sys, time
sys.path.insert(0, {root!r})
from siman_hub.archive import open_archive
from siman_hub.config import load_config
from siman_hub.refine import refine_archive
config = load_config({cfg!r})
archive = open_archive(config.archive_url)
t = time.perf_counter()
refine_archive(config, archive)
print(json.dumps({{"time": time.perf_counter() - t}}))
"""


def hub_build_json(hub: Path, force: bool) -> dict:
    code = BUILD.format(root=str(ROOT), cfg=str(hub / "feeds.yaml"), force=force)
    probe = ("import resource,subprocess,sys,time,json;t=time.perf_counter();"
             "r=subprocess.run(sys.argv[1:],capture_output=True,text=True);dt=time.perf_counter()-t;"
             "m=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss;"
             "sys.stderr.write(r.stderr);print(json.dumps([dt,m,r.returncode,r.stdout]))")  # fmt: skip
    res = subprocess.run([sys.executable, "-c", probe, sys.executable, "-c", code], cwd=hub, capture_output=True,
                         text=True, check=True)  # fmt: skip
    dt, rss, rc, stdout = json.loads(res.stdout.strip().splitlines()[-1])
    if rc != 0:
        raise RuntimeError(res.stderr[-3000:])
    info = json.loads(stdout.strip().splitlines()[-1])
    info.update(wall=dt, rss=rss // 1024)
    return info


def run_hub(posts: list[dict], name: str = "hub") -> tuple[Path, dict]:
    hub = WORK / name
    shutil.rmtree(hub, ignore_errors=True)
    hub.mkdir(parents=True)
    (hub / "feeds.yaml").write_text(hub_yaml(), encoding="utf-8")
    t = time.perf_counter()
    ingest(hub, posts)
    ingest_time = time.perf_counter() - t
    full = hub_build_json(hub, force=True)
    again = hub_build_json(hub, force=False)
    return hub, {"ingest": ingest_time, "full": full, "nochange": again}


def add_items(hub: Path, posts: list[dict]) -> None:
    ingest(hub, posts)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--posts", type=int, default=10_000)
    ap.add_argument(
        "--big", type=int, default=100_000, help="archive size for the 500-new-items rebuild (0: skip)"
    )
    ap.add_argument("--skip-hugo", action="store_true")
    ap.add_argument("--skip-pelican", action="store_true")
    ap.add_argument("--refine", action="store_true", help="also time refine_archive on the corpus")
    ap.add_argument("--only-big", action="store_true", help="run only the --big archive measurements")
    args = ap.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    posts = corpus(args.posts)
    print(
        f"corpus: {len(posts)} posts, ~300 words, pagination 20, tags/programs, feeds (2 cores, shared: noisy)"
    )
    results: dict[str, dict] = {}
    if args.only_big:
        run_big(args.big)
        return
    hub, h = run_hub(posts)
    results["siman-hub"] = {"time": h["full"]["time"], "rss": h["full"]["rss"], "files": h["full"]["pages"]}
    print(f"siman-hub: full build {h['full']['time']:.2f} s (process {h['full']['wall']:.2f} s), peak RSS "
          f"{h['full']['rss']} MB, {h['full']['pages']} HTML pages (id + /en/ mirror) + Pagefind index; "
          f"ingest {h['ingest']:.1f} s (not counted)")  # fmt: skip
    print(f"siman-hub: no-change rebuild {h['nochange']['time']:.3f} s (process {h['nochange']['wall']:.2f} s, "
          f"skipped={h['nochange']['skipped']})")  # fmt: skip
    if args.refine:
        dt, rss = timed(
            [sys.executable, "-c", REFINE.format(root=str(ROOT), cfg=str(hub / "feeds.yaml"))], hub
        )
        print(
            f"siman-hub: refine_archive (cluster + tag, run before build by `siman-hub build`) {dt:.2f} s, {rss} MB"
        )
    if not args.skip_hugo:
        results["hugo"] = run_hugo(posts)
    if not args.skip_pelican:
        results["pelican"] = run_pelican(posts)
    print(f"\n{'tool':<12}{'full build':>12}{'peak RSS':>10}{'HTML files':>12}  ratio to siman-hub")
    base = results["siman-hub"]["time"]
    for tool, r in results.items():
        if "error" in r:
            print(f"{tool:<12} {r['error']}")
            continue
        print(f"{tool:<12}{r['time']:>10.2f} s{r['rss']:>7} MB{r['files']:>12}  {r['time'] / base:.2f}x"
              + (f"  ({r['version']})" if "version" in r else ""))  # fmt: skip
    if args.big:
        run_big(args.big)


def run_big(n: int) -> None:
    """A full build of an ``n``-item archive, a no-change rebuild, then a rebuild after 500 new items."""
    big, hb = run_hub(corpus(n, seed=7), "hub-big")
    print(f"\n{n}-item archive: full build {hb['full']['time']:.1f} s, peak RSS {hb['full']['rss']} MB; "
          f"no-change {hb['nochange']['time']:.3f} s (process {hb['nochange']['wall']:.2f} s)")  # fmt: skip
    add_items(big, corpus(500, seed=11, offset=n))
    inc = hub_build_json(big, force=False)
    print(f"after 500 new items: rebuild {inc['time']:.2f} s (process {inc['wall']:.2f} s), rendered "
          f"{inc['rendered']} of {inc['pages']} pages, search re-indexed={inc['search']}, peak RSS {inc['rss']} MB")  # fmt: skip


if __name__ == "__main__":
    main()
