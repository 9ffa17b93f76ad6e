"""``siman-hub import-opml FILE``: add the feeds of an OPML file to feeds.yaml as new sources.

feeds.yaml is edited by people and full of comments that explain why a feed is disabled or unverified, so it is
edited with ruamel.yaml's round-trip mode (comments, order and quoting survive) and only appended to. The result
is validated like ``siman-hub check`` before it replaces the file; nothing is written if it would not load.
"""

from __future__ import annotations

import io
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from defusedxml import ElementTree
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from ..config import ConfigError, load_config
from . import Ctx, pass_ctx

KINDS = ("kementerian", "lembaga", "provinsi", "kabupaten", "kota", "media", "lainnya")
_KIND_BY_LABEL = {
    "kementerian": "kementerian", "lembaga": "lembaga", "pemerintah provinsi": "provinsi",
    "pemerintah kabupaten": "kabupaten", "pemerintah kota": "kota", "media": "media", "lainnya": "lainnya",
}  # fmt: skip


@dataclass(slots=True)
class OpmlFeed:
    name: str
    xml_url: str
    html_url: str | None
    kind: str | None
    region: str | None
    source_id: str | None


def parse_opml(data: bytes) -> list[OpmlFeed]:
    """Every outline with an ``xmlUrl``; the kind comes from the outline's own ``kind`` or an enclosing group
    whose text names a kind (as in the hub's own ``sources.opml``)."""
    root = ElementTree.fromstring(data)
    body = root.find("body")
    if root.tag != "opml" or body is None:
        raise ValueError("not an OPML document (no <opml><body>)")
    out: list[OpmlFeed] = []

    def walk(node: Any, kind: str | None) -> None:
        for o in node.findall("outline"):
            label = (o.get("text") or o.get("title") or "").strip()
            group_kind = _KIND_BY_LABEL.get(label.lower(), kind)
            url = (o.get("xmlUrl") or "").strip()
            if url:
                out.append(OpmlFeed(label or url, url, o.get("htmlUrl") or None, o.get("kind") or kind,
                                    o.get("region") or None, o.get("sourceId") or None))  # fmt: skip
            walk(o, group_kind)

    walk(body, None)
    return out


def slug(text: str) -> str:
    ascii_ = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")[:60] or "sumber"


def plan_sources(
    feeds: list[OpmlFeed], existing: list[dict[str, Any]], default_kind: str
) -> list[dict[str, Any]]:
    """New source mappings for feeds whose URL no source has yet. Pure."""
    known_urls = {u for s in existing for u in (s.get("feeds") or [])}
    ids = {s.get("id") for s in existing}
    new: list[dict[str, Any]] = []
    for f in feeds:
        if f.xml_url in known_urls:
            continue
        known_urls.add(f.xml_url)
        base = f.source_id if f.source_id and re.fullmatch(r"[a-z0-9-]+", f.source_id) else slug(f.name)
        sid, n = base, 2
        while sid in ids:
            sid, n = f"{base}-{n}", n + 1
        ids.add(sid)
        kind = f.kind if f.kind in KINDS else default_kind
        src: dict[str, Any] = {"id": sid, "name": f.name, "kind": kind}
        if f.region:
            src["region"] = f.region
        if f.html_url and f.html_url.startswith(("http://", "https://")):
            src["homepage"] = f.html_url
        src["feeds"] = [f.xml_url]
        src["verified"] = False
        new.append(src)
    return new


def _dump(yaml: YAML, doc: Any) -> str:
    buf = io.StringIO()
    yaml.dump(doc, buf)
    return buf.getvalue()


def import_opml(config_path: Path, opml_data: bytes, default_kind: str = "lainnya") -> list[dict[str, Any]]:
    """Append the OPML's new feeds to ``config_path``; returns the sources added. Raises ConfigError (file
    untouched) when the result would not validate."""
    yaml = YAML()  # round-trip: keeps comments, key order and quoting
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap an editor's long line
    yaml.representer.add_representer(
        type(None), lambda r, _: r.represent_scalar("tag:yaml.org,2002:null", "null")
    )  # keep `key: null` as written
    yaml.indent(mapping=2, sequence=4, offset=2)
    text = config_path.read_text(encoding="utf-8")
    doc = yaml.load(text)
    sources = doc.setdefault("sources", CommentedSeq())
    new = plan_sources(parse_opml(opml_data), list(sources), default_kind)
    for src in new:
        m = CommentedMap()
        for k, v in src.items():
            m[k] = CommentedSeq(v) if isinstance(v, list) else v
        m.fa.set_block_style()
        m["feeds"].fa.set_flow_style()
        sources.append(m)
    if new:
        sources.yaml_set_comment_before_after_key(
            len(sources) - len(new), before="imported from OPML", indent=2
        )
    out = _dump(yaml, doc)
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", dir=config_path.parent, delete=False,
                                     encoding="utf-8") as tmp:  # fmt: skip
        tmp.write(out)
    tmp_path = Path(tmp.name)
    try:
        load_config(tmp_path)
        tmp_path.replace(config_path)
    finally:
        tmp_path.unlink(missing_ok=True)
    return new


@click.command("import-opml")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--kind", "default_kind", type=click.Choice(KINDS), default="lainnya", show_default=True,
              help="Kind for feeds whose OPML group does not name one.")  # fmt: skip
@pass_ctx
def import_opml_cmd(ctx: Ctx, file: Path, default_kind: str) -> None:
    """Add the feeds of an OPML FILE to feeds.yaml (comments kept; already-known feed URLs skipped)."""
    try:
        added = import_opml(ctx.config_path, file.read_bytes(), default_kind)
    except ConfigError as exc:
        for issue in exc.issues:
            click.echo(f"error: {issue}", err=True)
        raise click.ClickException(
            f"{ctx.config_path} left unchanged: the imported sources would not validate"
        ) from exc
    except (ValueError, ElementTree.ParseError) as exc:
        raise click.ClickException(f"{file}: {exc}") from exc
    for s in added:
        click.echo(f"added {s['id']}: {s['name']} ({s['feeds'][0]})")
    click.echo(f"{len(added)} source(s) added to {ctx.config_path}; review them, then run `siman-hub check`")


COMMANDS = [import_opml_cmd]
