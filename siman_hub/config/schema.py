"""JSON Schema of feeds.yaml.

Structure is checked by a standard validator (jsonschema) so that every structural error is reported at once;
the cross-field rules that a schema cannot express (duplicate ids, program references, region codes) live in
``validate.py``.
"""

from __future__ import annotations

from typing import Any

SLUG = r"^[a-z0-9][a-z0-9-]{0,62}$"
KINDS = ["kementerian", "lembaga", "provinsi", "kabupaten", "kota", "media", "lainnya"]
IDENTITY_MODES = ["auto", "guid", "link", "link+date", "link+date+title", "content"]

_str_list: dict[str, Any] = {"type": "array", "items": {"type": "string", "minLength": 1}}

SITE: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["title", "base_url"],
    "properties": {
        "title": {"type": "string", "minLength": 1},
        "description": {"type": "string"},
        "base_url": {"type": "string"},
        "language": {"enum": ["id", "en"]},
        "timezone": {"type": "string"},
        "output": {"type": "string", "minLength": 1},
        "archive": {"type": "string", "minLength": 1},
        "content": {"type": "string", "minLength": 1},
        "theme": {"type": "string", "minLength": 1},
        "per_page": {"type": "integer", "minimum": 1, "maximum": 500},
        "feed_size": {"type": "integer", "minimum": 1, "maximum": 1000},
        "websub_hub": {"type": ["string", "null"]},
        "stale_days": {"type": "integer", "minimum": 1},
        "allow_private_addresses": {"type": "boolean"},
    },
}

PROGRAM: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "name"],
    "properties": {
        "id": {"type": "string", "pattern": SLUG},
        "name": {"type": "string", "minLength": 1},
        "description": {"type": "string"},
        "hashtag": {"type": "string"},
        "phrases": _str_list,
        "abbreviations": _str_list,
        "cooccur": {"type": "array", "items": {**_str_list, "minItems": 2}},
        "exclude": _str_list,
        "valid_from": {"type": ["string", "null"]},
        "valid_until": {"type": ["string", "null"]},
    },
}

SOURCE: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "name", "kind", "feeds"],
    "properties": {
        "id": {"type": "string", "pattern": SLUG},
        "name": {"type": "string", "minLength": 1},
        "kind": {"enum": KINDS},
        "region": {"type": ["string", "null"]},
        "homepage": {"type": "string"},
        "feeds": {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1}},
        "enabled": {"type": "boolean"},
        "verified": {"type": "boolean"},
        "note": {"type": "string"},
        "programs": _str_list,
        "priority": {"type": "integer"},
        "timezone": {"type": "string"},
        "identity": {"enum": IDENTITY_MODES},
        "interval": {"type": "integer", "minimum": 1},
        "user_agent": {"type": "string"},
        "logo": {"type": "string", "minLength": 1},
        "colour": {"type": "string"},
    },
}

CONFIG: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["site", "sources"],
    "properties": {
        "site": SITE,
        "programs": {"type": "array", "items": PROGRAM},
        "sources": {"type": "array", "items": SOURCE},
    },
}
