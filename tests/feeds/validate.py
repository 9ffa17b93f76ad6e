"""Independent checks of produced feeds: schemas (RFC 4287 RELAX NG, JSON Feed 1.1) and three parsers.

Each ``read_*`` returns the same neutral shape from every parser, ``[(id, updated)]`` in document order, so tests
can assert the parsers agree with each other and with what the hub meant to publish.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import cache
from pathlib import Path
from typing import Any

import atoma
import fastfeedparser
import feedparser
import jsonschema
from lxml import etree

HERE = Path(__file__).parent


@cache
def atom_schema() -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(HERE / "atom.rng")))


@cache
def jsonfeed_validator() -> jsonschema.Draft202012Validator:
    schema = json.loads((HERE / "jsonfeed-1.1.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def atom_errors(data: bytes) -> list[str]:
    schema = atom_schema()
    ok = schema.validate(etree.fromstring(data))
    return [] if ok else [str(e) for e in schema.error_log]


def jsonfeed_errors(data: bytes) -> list[str]:
    return [f"{list(e.path)}: {e.message}" for e in jsonfeed_validator().iter_errors(json.loads(data))]


def _utc(dt: datetime | None) -> datetime | None:
    return dt.astimezone(UTC) if dt else None


def _struct(t: Any) -> datetime | None:
    return datetime(*t[:6], tzinfo=UTC) if t else None


def read_feedparser(data: bytes, fmt: str) -> tuple[list[tuple[str, datetime | None]], dict[str, Any]]:
    d = feedparser.parse(data)
    assert not d.bozo, f"feedparser: {d.bozo_exception!r}"
    key = "published_parsed" if fmt == "rss" else "updated_parsed"
    return [(e.id, _struct(e.get(key))) for e in d.entries], d.feed


def read_fastfeedparser(data: bytes, fmt: str) -> list[tuple[str, datetime | None]]:
    d = fastfeedparser.parse(data.decode("utf-8"))
    out = []
    for e in d.entries:
        raw = e.get("published") if fmt == "rss" else (e.get("updated") or e.get("published"))
        out.append((e.get("id") or e.get("guid"), _utc(datetime.fromisoformat(raw)) if raw else None))
    return out


def read_atoma(data: bytes, fmt: str) -> list[tuple[str, datetime | None]]:
    if fmt == "atom":
        f = atoma.parse_atom_bytes(data)
        return [(e.id_, _utc(e.updated)) for e in f.entries]
    if fmt == "rss":
        r = atoma.parse_rss_bytes(data)
        return [(i.guid, _utc(i.pub_date)) for i in r.items]
    f = atoma.parse_json_feed_bytes(data)
    # ids only: atoma 0.0.17 reads a "Z" offset as the machine's local zone, so its JSON dates are not compared
    return [(i.id_, None) for i in f.items]


def read_json(data: bytes) -> list[tuple[str, datetime | None]]:
    doc = json.loads(data)
    return [(i["id"], _utc(datetime.fromisoformat(i["date_modified"]))) for i in doc["items"]]


def rfc822(value: str) -> datetime:
    return parsedate_to_datetime(value).astimezone(UTC)
