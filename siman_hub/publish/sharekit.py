"""The share kit in the build: short codes, the share image of every story, the short-link pages, and what the
story template shows (``share(story)``).

Images are the expensive part (thousands of stories), so each one is keyed like a page, by exactly what it
draws (title, program names, agency name/colour/logo bytes, hub name, theme fonts and colours, drawing version)
and not by the page's global key: editing a template or a translation re-renders pages, never images. An image
whose key is unchanged is hardlinked from the published site; the others are drawn on a background thread (in a
process pool over every core when there are many) while the pages render, and joined before the site is swapped.
"""

from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import Config, Program, Source
from . import manifest, paths, share, shareimage
from .model import SiteModel, Story
from .pages import PageJob
from .render import theme_dirs
from .writer import Staging

log = logging.getLogger(__name__)

CODES_FILE = ".siman-hub/short-links.json"
#: Below this many images a process pool costs more to start than it saves.
POOL_MIN = 200
_CHUNK = 256


@dataclass(frozen=True, slots=True)
class ShareView:
    """What a story page shows of the kit."""

    code: str
    short_url: str
    story_url: str
    image_url: str
    image_alt: str
    width: int
    height: int
    caption: str
    links: list[share.ShareLink]


def load_codes(out: Path) -> dict[str, str]:
    """The published site's code table (story id → code); empty when missing or unreadable (then the
    deterministic rule recomputes it)."""
    try:
        data = json.loads((out / CODES_FILE).read_bytes())
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): str(v) for k, v in data.items() if isinstance(v, str)}


def first_seen_order(model: SiteModel) -> list[str]:
    """Story ids in the order the hub first saw them (ties by id): who wins a short-code collision."""
    return [s.id for s in sorted(model.stories, key=lambda s: (s.first_seen, s.id))]


def draw_files(look: shareimage.Look, jobs: list[tuple[str, shareimage.Card]]) -> int:
    """Draw each card into its file (absolute path), in a worker process or the builder's background thread.

    Written beside the target and renamed over it: the staging file may be a hardlink of the live site's (the
    ``cp -al`` seed), whose content must never change, and a rename replaces the name, not that content. The
    images travel no further than the disk (no pickling of ~30 KB per image back to the builder)."""
    for target, card in jobs:
        data = shareimage.render(look, card)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        tmp = f"{target}.{os.getpid()}.tmp"
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    return len(jobs)


def agency_for(source: Source | None, source_id: str) -> shareimage.Agency:
    """The agency as drawn, with the hash of its logo file (a new logo under the same name redraws)."""
    name = source.name if source else source_id
    colour = (source.colour if source else None) or shareimage.derived_colour(source_id)
    logo = str(source.logo) if source and source.logo else None
    logo_hash = hashlib.blake2b(Path(logo).read_bytes(), digest_size=12).hexdigest() if logo else ""
    return shareimage.Agency(source_id, name, colour, logo, logo_hash)


def card_for(
    story: Story, programs: Mapping[str, Program], agency: shareimage.Agency, hub: str
) -> shareimage.Card:
    """What the story's share image shows: its canonical title, its programs' names, the publishing agency."""
    names = tuple(programs[pid].name if pid in programs else pid for pid in story.program_ids)
    return shareimage.Card(" ".join(story.canonical.title.split()), names, agency, hub)


def _chunks(todo: list[tuple[str, shareimage.Card]]) -> list[list[tuple[str, shareimage.Card]]]:
    """Pool tasks of one agency each (at most ``_CHUNK`` images): a worker draws an agency's background once
    and reuses it for the whole task, instead of every worker drawing every agency's."""
    chunks: list[list[tuple[str, shareimage.Card]]] = []
    for job in sorted(todo, key=lambda j: j[1].agency.id):
        if not chunks or len(chunks[-1]) >= _CHUNK or chunks[-1][0][1].agency.id != job[1].agency.id:
            chunks.append([])
        chunks[-1].append(job)
    return chunks


class ShareKit:
    def __init__(self, config: Config, model: SiteModel, out: Path, staging: Staging,
                 prev: manifest.Manifest, new: manifest.Manifest, global_key: str) -> None:  # fmt: skip
        self.config, self.model, self.out, self.staging = config, model, out, staging
        self.prev, self.new, self.global_key = prev, new, global_key
        self.base = config.site.base_url
        self.codes = share.assign_codes(first_seen_order(model), load_codes(out))
        self.look = shareimage.load_look(theme_dirs(config))
        self._look_key = f"{shareimage.DRAWING_VERSION}|{self.look.key()}"
        self._programs = {p.id: p for p in config.programs}
        self._hashtags = {p.id: share.hashtag(p) for p in config.programs}
        self._agencies: dict[str, shareimage.Agency] = {}
        self._image_keys: dict[str, str] = {}
        self.images_rendered = 0
        self.images_reused = 0
        self.seconds = 0.0  # wall time of the drawing pass (it overlaps the page rendering)
        self._thread: threading.Thread | None = None
        self._pool: ProcessPoolExecutor | None = None
        self._error: BaseException | None = None
        self._cancel = threading.Event()

    # -- what each image draws ----------------------------------------------------------------------------
    def card(self, story: Story) -> tuple[shareimage.Card, str]:
        """The story's card and its key (the drawing's inputs: theme look and version, and the card)."""
        sid = story.canonical.source_id
        agency = self._agencies.get(sid)
        if agency is None:
            agency = self._agencies[sid] = agency_for(self.model.sources.get(sid), sid)
        card = card_for(story, self._programs, agency, self.config.site.title)
        key = hashlib.blake2b(f"{self._look_key}|{card!r}".encode(), digest_size=16).hexdigest()
        return card, key

    # -- images -------------------------------------------------------------------------------------------
    def start_images(self) -> None:
        """Key every story's image, keep the unchanged ones, and start drawing the rest in the background."""
        todo: list[tuple[str, shareimage.Card]] = []
        for story in self.model.stories:
            card, key = self.card(story)
            rel = paths.share_image(story.id)
            self._image_keys[story.id] = key
            self.new.pages[rel] = key
            if self.prev.pages.get(rel) == key and (
                self.staging.keep(rel) or self.staging.link(self.out / rel, rel)
            ):
                self.images_reused += 1
            else:
                self.staging.keep(rel)  # a seeded copy is replaced by name below, never dropped as stale
                todo.append((str(self.staging.path(rel)), card))
        self.images_rendered = len(todo)
        if todo:
            self._thread = threading.Thread(
                target=self._draw_all, args=(todo,), name="share-images", daemon=True
            )
            self._thread.start()

    def _draw_all(self, todo: list[tuple[str, shareimage.Card]]) -> None:
        t0 = time.perf_counter()
        try:
            workers = os.cpu_count() or 1
            if len(todo) < POOL_MIN or workers < 2:
                for i in range(0, len(todo), 16):
                    if self._cancel.is_set():
                        return
                    draw_files(self.look, todo[i : i + 16])
            else:
                # forkserver: workers start from a clean process, not a fork of this multi-threaded one
                ctx = multiprocessing.get_context("forkserver" if os.name == "posix" else "spawn")
                self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx)
                chunks = _chunks(todo)
                try:
                    for _ in self._pool.map(draw_files, [self.look] * len(chunks), chunks):
                        if self._cancel.is_set():
                            return
                finally:
                    self._pool.shutdown(wait=True, cancel_futures=True)
        except BaseException as exc:  # handed to finish(), which raises it in the builder's thread
            self._error = exc
        finally:
            self.seconds = time.perf_counter() - t0

    def finish(self) -> None:
        """Wait for the images; a drawing error fails the build (the previous site stays published)."""
        if self._thread is not None:
            self._thread.join()
        if self._error is not None:
            raise RuntimeError(f"share images failed: {self._error}") from self._error
        if self.images_rendered:
            log.info("share images: %d drawn in %.1f s (in the background), %d reused", self.images_rendered,
                     self.seconds, self.images_reused)  # fmt: skip

    def cancel(self) -> None:
        self._cancel.set()
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
        if self._thread is not None:
            self._thread.join()

    # -- pages --------------------------------------------------------------------------------------------
    def page_sig(self, job: PageJob) -> str:
        """A story page shows its short link and its image's version: both are part of its signature."""
        if job.template != "story.html":
            return job.sig
        sid = job.ctx["story"].id
        return f"{job.sig}|share:{self.codes[sid]}:{self._image_keys.get(sid, '')[:10]}"

    def view(self, story: Story) -> ShareView:
        """The template's ``share(story)``: ``story`` carries its canonical item's text (for the caption)."""
        c = story.canonical
        short_url = self.base + paths.short(self.codes[story.id])
        story_url = self.base + paths.story(story.id)
        tags = [self._hashtags[pid] for pid in story.program_ids if pid in self._hashtags]
        title = " ".join(c.title.split())
        text = share.caption(title, share.plain_text(c.summary or c.content or ""), short_url, tags)
        image = f"{self.base}{paths.share_image(story.id)}?v={self._image_keys.get(story.id, '')[:10]}"
        return ShareView(self.codes[story.id], short_url, story_url, image, title, shareimage.WIDTH,
                         shareimage.HEIGHT, text, share.share_links(story_url, short_url, title, text, tags))  # fmt: skip

    def write_short_links(self, env: Any, common: dict[str, Any]) -> int:
        """One redirect page per story at ``s/<code>/``, keyed like pages (reused when unchanged); and the code
        table, so the next build keeps every code. Returns the pages rendered."""
        rendered = 0
        template = env.get_template("shortlink.html")
        for story in self.model.stories:
            rel_url = paths.short(self.codes[story.id])
            file = paths.file_for(rel_url)
            title = " ".join(story.canonical.title.split())
            key = self.new.pages[file] = manifest.page_key(self.global_key, file, f"short|{story.id}|{title}")
            if self.prev.pages.get(file) == key and (
                self.staging.keep(file) or self.staging.link(self.out / file, file)
            ):
                continue
            html = template.render(**common, story=story, title=title, url_path=rel_url,
                                   target="../../" + paths.story(story.id),
                                   story_url=self.base + paths.story(story.id))  # fmt: skip
            self.staging.write(file, html.encode("utf-8"))
            rendered += 1
        table = json.dumps(self.codes, separators=(",", ":"), sort_keys=True).encode()
        self.staging.write(CODES_FILE, table)
        return rendered
