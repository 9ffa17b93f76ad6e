"""Fetch → parse → normalize → decide → archive, for every enabled source. Failures are per source: one broken
feed is recorded and reported, and never stops the others.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from ..archive import Archive
from ..config import Config, Source
from ..models import FetchLog, SourceState, utcnow
from . import decide, normalize
from .fetch import Response, fetch_many
from .parse import FeedError, parse_feed

log = logging.getLogger(__name__)


@dataclass(slots=True)
class SourceReport:
    source_id: str
    url: str
    status: int | None
    new: int = 0
    updated: int = 0
    error: str | None = None
    warning: str | None = None
    duration_ms: int = 0

    @property
    def ok(self) -> bool:
        return self.error is None


def state_key(source_id: str, feed_index: int) -> str:
    """Fetch state is kept per feed URL; a source's first feed uses the source id itself."""
    return source_id if feed_index == 0 else f"{source_id}#{feed_index}"


def fetch_sources(
    config: Config,
    archive: Archive,
    only: Iterable[str] | None = None,
    *,
    now: datetime | None = None,
    progress: Callable[[SourceReport], None] | None = None,
) -> list[SourceReport]:
    now = now or utcnow()
    wanted = set(only or ())
    unknown = wanted - {s.id for s in config.sources}
    if unknown:
        raise KeyError(f"unknown source id(s): {', '.join(sorted(unknown))}")
    jobs: list[tuple[Source, int, str, SourceState]] = []
    for src in config.sources:
        if not src.enabled or (wanted and src.id not in wanted):
            continue
        for i, configured_url in enumerate(src.feeds):
            key = state_key(src.id, i)
            state = archive.get_source_state(key) or SourceState(source_id=key)
            if state.disabled_reason:
                continue
            url = state.feed_url or configured_url
            jobs.append((src, i, url, state))
    requests = [
        (url, {"etag": st.etag, "last_modified": st.last_modified, "user_agent": src.user_agent})
        for src, _, url, st in jobs
    ]
    responses = asyncio.run(fetch_many(requests)) if requests else []
    reports = []
    for (src, _, url, state), resp in zip(jobs, responses, strict=True):
        report = _apply(archive, src, url, state, resp, now)
        reports.append(report)
        if progress:
            progress(report)
    return reports


def _apply(
    archive: Archive, src: Source, url: str, state: SourceState, resp: Response, now: datetime
) -> SourceReport:
    report = SourceReport(src.id, url, resp.status, duration_ms=resp.duration_ms)
    state.last_fetch_at = now
    state.last_status = resp.status
    try:
        if resp.error or resp.status is None:
            report.error = resp.error or "no response"
        elif resp.status == 304:
            state.etag = resp.headers.get("etag", state.etag)
            state.last_modified = resp.headers.get("last-modified", state.last_modified)
            state.last_success_at = now
        elif 200 <= resp.status < 300:
            state.etag = resp.headers.get("etag")
            state.last_modified = resp.headers.get("last-modified")
            body_hash = hashlib.sha256(resp.body).hexdigest()
            if body_hash != state.body_hash:
                parsed = parse_feed(resp.body, resp.url, resp.headers)
                entries, mode = normalize.normalize(
                    parsed, feed_url=resp.url, tz=src.timezone, now=now, identity_mode=src.identity
                )
                changes = decide.decide(archive.stored_hashes(src.id), entries)
                with archive.transaction():
                    report.new, report.updated = archive.apply_changes(src.id, changes, now)
                state.identity_mode = mode
                state.feed_title = parsed.title or state.feed_title
                state.feed_link = parsed.link or state.feed_link
                report.warning = parsed.warning
                state.body_hash = body_hash
            state.last_success_at = now
            if report.new:
                state.last_new_item_at = now
        else:
            report.error = f"HTTP {resp.status}"
    except FeedError as exc:
        report.error = str(exc)
    except Exception as exc:  # one hostile feed must never stop the run
        log.exception("source %s: unexpected error", src.id)
        report.error = f"internal error: {type(exc).__name__}: {exc}"
    if report.error:
        state.failures += 1
        state.last_error = report.error
        state.body_hash = None if resp.status and resp.status >= 400 else state.body_hash
    else:
        state.failures = 0
        state.last_error = None
    with archive.transaction():
        archive.put_source_state(state)
        archive.record_fetch(
            FetchLog(
                src.id,
                now,
                resp.duration_ms,
                resp.status,
                len(resp.body),
                report.new,
                report.updated,
                report.error,
                url,
            )
        )
    return report
