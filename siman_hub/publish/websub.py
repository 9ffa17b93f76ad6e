"""WebSub (W3C Recommendation) publisher side: tell the hub which topics changed after a publish.

Only subscription documents whose bytes changed are announced (archive documents are never subscribed to). The
ping is best effort: a hub that is down or refuses is reported, and never fails the run, because the feeds
are already published and subscribers still poll.
"""

from __future__ import annotations

import hashlib
import logging
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from ..config import Config

log = logging.getLogger(__name__)

TIMEOUT = 10.0


def topic_paths(out: Path) -> list[Path]:
    """Every subscription document under ``feeds/`` (``feeds/archive/`` excluded)."""
    root = out / "feeds"
    if not root.is_dir():
        return []
    return sorted(
        p for p in root.rglob("*") if p.is_file() and "archive" not in p.relative_to(root).parts[:1]
    )


def snapshot(out: Path) -> dict[str, str]:
    """Path (relative to ``out``) → content hash of every subscription document currently published."""
    return {
        p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in topic_paths(out)
    }


def changed_topics(base_url: str, before: dict[str, str], after: dict[str, str]) -> list[str]:
    """Absolute URLs of the documents that are new or differ. Pure."""
    return [base_url + rel for rel, digest in sorted(after.items()) if before.get(rel) != digest]


def ping(hub: str, topics: list[str], timeout: float = TIMEOUT) -> list[str]:
    """POST ``hub.mode=publish`` for each topic; returns error messages (empty when all were accepted).

    One request per topic, because many hubs accept only one ``hub.url`` per request. Stops at the first
    connection failure: a hub that is unreachable for one topic is unreachable for the rest.
    """
    errors = []
    for topic in topics:
        body = urllib.parse.urlencode({"hub.mode": "publish", "hub.url": topic}).encode()
        req = urllib.request.Request(
            hub, data=body, method="POST", headers={"Content-Type": "application/x-www-form-urlencoded"}
        )
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                if resp.status >= 300:
                    errors.append(f"websub: hub {hub} answered {resp.status} for {topic}")
        except urllib.error.HTTPError as exc:
            errors.append(f"websub: hub {hub} answered {exc.code} for {topic}")
        except (urllib.error.URLError, OSError) as exc:
            errors.append(f"websub: hub {hub} unreachable: {exc}")
            break
    return errors


def notify(config: Config, before: dict[str, str] | None) -> list[str]:
    """After a publish: ping the configured hub with the changed topics. Never raises."""
    hub = config.site.websub_hub
    if not hub or before is None:
        return []
    try:
        topics = changed_topics(config.site.base_url, before, snapshot(config.output_dir))
        errors = ping(hub, topics) if topics else []
    except Exception as exc:  # a failed ping must never fail a run that already published
        errors = [f"websub: {exc!r}"]
    for e in errors:
        log.warning("%s", e)
    return errors


def before_publish(config: Config) -> dict[str, str] | None:
    """The snapshot to compare against after publishing, or None when no hub is configured."""
    if not config.site.websub_hub:
        return None
    try:
        return snapshot(config.output_dir)
    except OSError:
        return {}
