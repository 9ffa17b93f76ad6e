"""The build manifest: what each published file was built from, so the next build can skip unchanged pages.

Stored inside the output directory (``.siman-hub/manifest.json``) so it is swapped together with the site it
describes: a crashed build can never leave a manifest that disagrees with the published files.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

MANIFEST = ".siman-hub/manifest.json"
FORMAT = 2


@dataclass(slots=True)
class Manifest:
    fingerprint: str = ""
    pages: dict[str, str] = field(default_factory=dict)  # file path → input key
    search_key: str = ""  # the primary bundle (editors' pages and posts)
    search_shards: dict[str, str] = field(default_factory=dict)  # story shard name → key of its pages
    stats: dict[str, int] = field(default_factory=dict)

    def to_bytes(self) -> bytes:
        data = {"format": FORMAT, "fingerprint": self.fingerprint, "search_key": self.search_key,
                "search_shards": self.search_shards, "stats": self.stats, "pages": self.pages}  # fmt: skip
        return json.dumps(data, separators=(",", ":"), sort_keys=True).encode()


def load(out: Path) -> Manifest:
    """The manifest of the published site, or an empty one (forcing a full build) if unreadable."""
    try:
        data = json.loads((out / MANIFEST).read_bytes())
    except (OSError, ValueError):
        return Manifest()
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return Manifest()
    return Manifest(str(data.get("fingerprint", "")), dict(data.get("pages", {})),
                    str(data.get("search_key", "")), dict(data.get("search_shards", {})),
                    dict(data.get("stats", {})))  # fmt: skip


def page_key(global_key: str, path: str, sig: str) -> str:
    return hashlib.blake2b(f"{global_key}\0{path}\0{sig}".encode(), digest_size=16).hexdigest()


def hash_files(files: list[Path], h: hashlib._Hash | None = None) -> str:
    """Content hash of a set of files (theme, catalogs, code): any edit re-renders every page."""
    h = h or hashlib.blake2b(digest_size=16)
    for f in files:
        h.update(str(f).encode() + b"\0")
        try:
            h.update(f.read_bytes())
        except OSError:
            h.update(b"<missing>")
    return h.hexdigest()


def tree_files(root: Path) -> list[Path]:
    return (
        sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        if root.is_dir()
        else []
    )
