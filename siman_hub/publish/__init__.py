"""Publish: the archive and content/ rendered into the portal and feeds, swapped into place atomically.

Incremental: every page has an input key (theme + catalogs + config + code, and the page's own signature from
``pages.plan``). A page whose key matches the previous build is hardlinked from the published site into the
staging directory instead of being rendered; when nothing at all changed, the build stops before reading items.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup

from ..archive import Archive
from ..config import Config
from ..content import Content, load_content
from . import dashsite, i18n, manifest, paths, search, sharekit
from .feeds import render_feeds
from .model import SiteModel, build_model
from .pages import PageJob, plan, region_name
from .render import make_env, theme_dirs
from .sitemap import robots, write_sorted_sitemaps
from .writer import Staging

log = logging.getLogger(__name__)

_CODE_DIR = Path(__file__).resolve().parent
TEXT_BATCH = 500  # story pages rendered per query of their text


@dataclass(slots=True)
class BuildStats:
    pages: int = 0
    feeds: int = 0
    rendered: int = 0
    reused: int = 0
    skipped: bool = False
    search_indexed: bool = False
    share_images: int = 0  # share images drawn (the others were reused)


def _root_for(url_path: str) -> str:
    """Relative prefix back to the site root, so the portal works from any host or sub-path."""
    depth = url_path.count("/")
    return "../" * depth if depth else "./"


def _global_key(config: Config, content: Content) -> str:
    """Inputs shared by every page: theme files, catalogs, publish code, config and editors' content."""
    files: list[Path] = []
    for d in theme_dirs(config):
        files += manifest.tree_files(d)
    files += i18n.catalog_files()
    files += sorted(_CODE_DIR.glob("*.py"))
    files.append(config.path.resolve())  # the same hub via a relative or absolute config path: same keys
    files += sorted({s.logo for s in config.sources if s.logo})  # drawn on share images: a new logo rebuilds
    h = hashlib.blake2b(digest_size=16)
    for d in (*content.pages, *content.posts, *content.programs.values()):
        h.update(str(d.path).encode())
        h.update(repr((d.title, d.html, d.date, d.draft, d.pinned, d.programs, d.summary, d.image)).encode())
    return manifest.hash_files(files, h)


def _source_rows(config: Config, archive: Archive, model: SiteModel) -> tuple[list[dict[str, Any]], str]:
    """One row per source for the health page, merging extra feeds' states (``<id>#<n>``) into their source."""
    states = archive.source_states()
    rows = []
    for s in config.sources:
        own = [st for key, st in states.items() if key == s.id or key.startswith(s.id + "#")]
        last_fetch = max((st.last_fetch_at for st in own if st.last_fetch_at), default=None)
        errors = [st for st in own if st.last_error]
        error = max(errors, key=lambda st: st.last_fetch_at or last_fetch or 0).last_error if errors else None  # type: ignore[arg-type,return-value]
        disabled = next((st.disabled_reason for st in own if st.disabled_reason), None)
        stories = model.by_agency.get(s.id, [])
        if not s.enabled or disabled:
            status = "disabled"
        elif last_fetch is None:
            status = "never fetched"
        else:
            status = "error" if error else "ok"
        rows.append({"source": s, "status": status, "last_fetch": last_fetch, "error": error,
                     "disabled_reason": disabled, "count": len(stories),
                     "last_item": stories[0].date if stories else None,
                     "failures": max((st.failures for st in own), default=0)})  # fmt: skip
    sig = repr([(r["source"].id, r["status"], r["last_fetch"], r["error"], r["disabled_reason"], r["count"],
                 r["last_item"], r["failures"]) for r in rows])  # fmt: skip
    return rows, hashlib.blake2b(sig.encode(), digest_size=16).hexdigest()


def _fingerprint(global_key: str, archive: Archive, config: Config, out: Path) -> str:
    states = sorted(
        (k, v.last_fetch_at, v.last_status, v.last_error, v.failures, v.disabled_reason)
        for k, v in archive.source_states().items()
    )
    fp = getattr(archive, "build_fingerprint", None)
    archive_fp = fp() if fp else os.urandom(8).hex()  # unknown backend: always rebuild
    return hashlib.blake2b(f"{global_key}|{archive_fp}|{states}|{out}".encode(), digest_size=16).hexdigest()


def build_site(config: Config, archive: Archive, out: Path, *, force: bool = False) -> BuildStats:
    """Render the portal and feeds into ``out``. ``force`` ignores the previous build's manifest."""
    out = out.resolve()
    content = load_content(config)
    global_key = _global_key(config, content)
    prev = manifest.Manifest() if force else manifest.load(out)
    fingerprint = _fingerprint(global_key, archive, config, out)
    if not force and prev.fingerprint == fingerprint and (out / "index.html").is_file():
        prev.pages.close()
        stats = BuildStats(**{k: v for k, v in prev.stats.items() if k in ("pages", "feeds")})
        stats.skipped = True
        stats.reused = stats.pages
        return stats

    heads = getattr(archive, "iter_item_heads", None)
    if heads is not None:  # light rows: text is read per rendered page (bounded memory on a large archive)
        model = build_model(config, heads(), archive.tags(), lambda ids: archive.iter_items(ids=ids))
    else:
        model = build_model(config, archive.iter_items(), archive.tags())
    rows, sources_sig = _source_rows(config, archive, model)
    dash = dashsite.build(config, archive, model)
    sharder = search.Sharder((st.date for st in model.stories), config.site.timezone, search.SHARD_LIMIT)
    shard_list = sorted({sharder.name(st.date) for st in model.stories})
    staging = Staging(out)
    if not force:  # reused files arrive in one hardlink copy; the search bundles and static files are rebuilt
        staging.seed(skip=(search.BUNDLE, "static"))
    stats = BuildStats()
    new = manifest.Manifest(fingerprint, manifest.PageKeys.create(staging.fresh(manifest.PAGE_KEYS)))
    indexer: search.Indexer | None = None
    kit: sharekit.ShareKit | None = None
    try:
        kit = sharekit.ShareKit(config, model, out, staging, prev, new, global_key)
        kit.start_images()  # drawn in the background while the pages render
        primary = config.site.language
        languages = [primary] + [x for x in [i18n.mirror_language(primary)] if x]
        shard_pages = {name: search.ShardKey() for name in shard_list}
        content_keys: list[str] = []
        pending: list[tuple[PageJob, str]] = []
        for lang in languages:
            env = make_env(config, lang)
            pre = i18n.prefix(lang, primary)
            common = _common(config, model, content, lang, languages)
            common["story_item"] = _story_items(env, common)
            common["fragment"] = _fragments(env, common)
            common["share"] = kit.view
            for job in plan(model, content, rows, sources_sig, shard_list, dash):
                if pre and not job.mirrored:
                    continue  # story text is the publisher's Indonesian: one page, the switch leads to the mirror's home
                rel_url = pre + job.path
                file = paths.file_for(rel_url)
                key = manifest.page_key(global_key, rel_url, kit.page_sig(job))
                new.pages.add(file, key, rel_url)
                stats.pages += 1
                if not pre:
                    if job.path.startswith("story/"):
                        shard_pages[sharder.name(job.ctx["story"].date)].add(key)
                    elif job.path.startswith(("pages/", "posts/")):
                        content_keys.append(key)
                    elif indexer is None:  # every indexed page is in staging: index beside the list rendering
                        _render_stories(model, env, staging, pending, pre, common)
                        indexer = _start_search(staging, out, prev, new, global_key, model, sharder,
                                                shard_pages, content_keys, stats)  # fmt: skip
                if prev.pages.get(file) == key and (staging.keep(file) or staging.link(out / file, file)):
                    stats.reused += 1
                    continue
                if job.template == "story.html":
                    pending.append((job, rel_url))
                    if len(pending) >= TEXT_BATCH:
                        _render_stories(model, env, staging, pending, pre, common)
                    stats.rendered += 1
                    continue
                _render_stories(model, env, staging, pending, pre, common)
                _render(env, staging, job, rel_url, pre, common)
                stats.rendered += 1
            _render_stories(model, env, staging, pending, pre, common)
        if indexer is None:
            indexer = _start_search(staging, out, prev, new, global_key, model, sharder, shard_pages,
                                    content_keys, stats)  # fmt: skip
        kit.write_short_links(make_env(config, primary), _common(config, model, content, primary, languages))

        def emit(rel: str, data: bytes) -> None:
            staging.write(rel, data)
            stats.feeds += rel.startswith("feeds/")

        def reuse(rel: str) -> bool:  # a frozen feed archive document: the published copy is the same bytes
            if force or not (staging.keep(rel) or staging.link(out / rel, rel)):
                return False
            stats.feeds += rel.startswith("feeds/")
            return True

        def cached(rel: str, sig: str) -> bool:
            """A keyed document outside the page plan (an API page): hardlinked when its signature is unchanged."""
            key = new.pages[rel] = manifest.page_key(global_key, rel, sig)
            return prev.pages.get(rel) == key and (staging.keep(rel) or staging.link(out / rel, rel))

        render_feeds(model, emit, archive, reuse=reuse, cached=cached)
        dash.write(cached, staging.write)
        staging.write("robots.txt", robots(config.site.base_url))
        write_sorted_sitemaps(config.site.base_url, new.pages.url_count(), new.pages.urls(), staging.write)
        for theme in reversed(theme_dirs(config)):
            static = theme / "static"
            if static.is_dir():
                shutil.copytree(static, staging.dir / "static", dirs_exist_ok=True)
        indexer.finish()
        kit.finish()
        stats.share_images = kit.images_rendered
        new.stats = {"pages": stats.pages, "feeds": stats.feeds}
        new.pages.close()
        prev.pages.close()
        staging.write(manifest.MANIFEST, new.to_bytes())
        staging.publish()
    except BaseException:
        if indexer is not None:
            indexer.cancel()
        if kit is not None:
            kit.cancel()
        new.pages.close()
        prev.pages.close()
        staging.abandon()
        raise
    log.info("built %d pages (%d rendered, %d reused), %d feeds", stats.pages, stats.rendered, stats.reused,
             stats.feeds)  # fmt: skip
    return stats


def _start_search(staging: Staging, out: Path, prev: manifest.Manifest, new: manifest.Manifest, global_key: str,
                  model: SiteModel, sharder: search.Sharder, shard_pages: dict[str, search.ShardKey],
                  content_keys: list[str], stats: BuildStats) -> search.Indexer:  # fmt: skip
    """Re-index only the bundles whose pages changed (in the background); hardlink the others from the site.
    Only the changed shards' page lists are made (from the stories), never one of every story page."""
    old = out / search.BUNDLE
    new.search_key = search.shard_key(global_key, content_keys)
    content_changed = not (prev.search_key == new.search_key and (old / "pagefind-entry.json").is_file())
    if not content_changed:
        staging.link_tree(old, search.BUNDLE, skip=(search.SHARD_DIR,))
    changed: dict[str, list[str]] = {}
    for name, acc in shard_pages.items():
        key = new.search_shards[name] = acc.key(global_key)
        old_shard = old / search.SHARD_DIR / name
        if prev.search_shards.get(name) == key and (old_shard / "pagefind-entry.json").is_file():
            staging.link_tree(old_shard, f"{search.BUNDLE}/{search.SHARD_DIR}/{name}")
        else:
            changed[name] = []
    if changed:
        for st in model.stories:
            files = changed.get(sharder.name(st.date))
            if files is not None:
                files.append(paths.file_for(paths.story(st.id)))
    stats.search_indexed = content_changed or bool(changed)
    return search.Indexer(staging.dir, content_changed, changed).start()


def _common(
    config: Config, model: SiteModel, content: Content, lang: str, languages: list[str]
) -> dict[str, Any]:
    program_names = {p.id: p.name for p in config.programs}
    return {
        "site": config.site,
        "lang": lang,
        "languages": languages,
        "language_names": i18n.LANGUAGE_NAMES,
        "primary_lang": config.site.language,
        "nav_pages": [{"path": paths.page(d.slug), "title": d.title} for d in content.pages if not d.draft],
        "program_name": lambda pid: program_names.get(pid, pid),
        "source_name": lambda sid: model.sources[sid].name if sid in model.sources else sid,
        "story_regions": lambda story: _story_regions(model, story),
        "paths": paths,
    }


_ITEM_CACHE = 20_000  # cached list entries (~700 bytes each)
_ROOT_MARK = "\ue000root\ue000"  # stands for the page's relative root in a cached list item


def _story_items(env: Any, common: dict[str, Any]) -> Any:
    """``story_item(story, hlevel, root)`` for ``_story_list.html``: a story's list entry is rendered once per
    language and reused on every list it appears in (home, program, agency, region, month), with only the
    relative root substituted: most of the work of a list page. Cached for one build (stories do not change)."""
    template = env.get_template("_story_item.html")
    cache: dict[tuple[str, int], str] = {}

    def story_item(story: Any, hlevel: int, root: str) -> Markup:
        key = (story.id, hlevel)
        html = cache.get(key)
        if html is None:
            if len(cache) >= _ITEM_CACHE:  # bounded on a huge archive: start over rather than grow
                cache.clear()
            html = cache[key] = template.render(**common, s=story, hlevel=hlevel, root=_ROOT_MARK).strip()
        return Markup(html.replace(_ROOT_MARK, root))

    return story_item


def _fragments(env: Any, common: dict[str, Any]) -> Any:
    """``fragment(template, root, site_root)``: page chrome that depends only on the language and the page's
    depth (search form, main navigation, footer), rendered once per depth instead of once per page."""
    cache: dict[tuple[str, str, str], Markup] = {}

    def fragment(name: str, root: str, site_root: str) -> Markup:
        key = (name, root, site_root)
        html = cache.get(key)
        if html is None:
            html = cache[key] = Markup(
                env.get_template(name).render(**common, root=root, site_root=site_root)
            )
        return html

    return fragment


def _story_regions(model: SiteModel, story: Any) -> list[str]:
    """Names of the province and kabupaten/kota of every publisher: the story's region search filter."""
    names: set[str] = set()
    for sid in story.source_ids:
        src = model.sources.get(sid)
        if src and src.region:
            for code in {src.region, src.region[:2]}:
                names.add(region_name(code))
    return sorted(names)


def _render_stories(model: SiteModel, env: Any, staging: Staging, pending: list[tuple[PageJob, str]], pre: str,
                    common: dict[str, Any]) -> None:  # fmt: skip
    """Render a batch of story pages with their canonical item's text, read in one query; empties ``pending``."""
    if not pending:
        return
    full = model.with_text([job.ctx["story"] for job, _ in pending])
    for (job, rel_url), story in zip(pending, full, strict=True):
        _render(env, staging, PageJob(job.path, job.template, job.sig, {**job.ctx, "story": story},
                                      job.searchable, job.mirrored), rel_url, pre, common)  # fmt: skip
    pending.clear()


def _render(env: Any, staging: Staging, job: PageJob, rel_url: str, pre: str, common: dict[str, Any]) -> None:
    root = _root_for(rel_url)
    kind, key = job.ctx.get("feed", (False, None))
    alternates = []
    if kind is not False:
        alternates = [
            {"type": "application/atom+xml", "ext": "atom", "path": paths.feed(kind, key, "atom")},
            {"type": "application/rss+xml", "ext": "rss", "path": paths.feed(kind, key, "rss")},
            {"type": "application/feed+json", "ext": "json", "path": paths.feed(kind, key, "json")},
        ]
    html = env.get_template(job.template).render(
        **common, **job.ctx, url_path=rel_url, page_path=job.path, root=root + pre, site_root=root, mirrored=job.mirrored,
        alternates=alternates,
    )  # fmt: skip
    staging.write(paths.file_for(rel_url), html.encode("utf-8"))
