"""The core commands: init, check, fetch, build, run, serve, sources."""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import shutil
import sys
from importlib import resources
from pathlib import Path

import click

from .. import pipeline
from ..config import ConfigError, load_config
from ..content import ContentError, load_content
from ..lock import LockTimeout
from ..sources.ingest import SourceReport
from ..sources.shard import Shard
from . import Ctx, pass_ctx


def _progress(ctx: Ctx, total: int):  # type: ignore[no-untyped-def]
    """A one-line counter on a terminal; silence in cron (no TTY)."""
    done = [0]

    def report(r: SourceReport) -> None:
        done[0] += 1
        if ctx.interactive:
            click.echo(f"\r  fetched {done[0]}/{total} sources", nl=False, err=True)

    return report


def _print_reports(ctx: Ctx, reports: list[SourceReport]) -> None:
    if ctx.interactive:
        click.echo("", err=True)
    failed = [r for r in reports if not r.ok]
    for r in failed:
        click.echo(f"warning: source {r.source_id}: {r.error} ({r.url})", err=True)
    if ctx.verbosity >= 0:
        new = sum(r.new for r in reports)
        upd = sum(r.updated for r in reports)
        click.echo(
            f"{len(reports)} feeds fetched, {len(failed)} failed, {new} new items, {upd} updated", err=True
        )


@click.command()
@click.argument("directory", type=click.Path(path_type=Path), default=Path("."))
def init(directory: Path) -> None:
    """Scaffold a new hub in DIRECTORY: feeds.yaml, content/ and a theme override dir."""
    scaffold = resources.files("siman_hub") / "scaffold"
    directory.mkdir(parents=True, exist_ok=True)
    if (directory / "feeds.yaml").exists():
        raise click.ClickException(f"{directory / 'feeds.yaml'} already exists; not overwriting")
    with resources.as_file(scaffold) as src:
        shutil.copytree(src, directory, dirs_exist_ok=True)
    click.echo(f"created hub in {directory}: edit feeds.yaml, then run `siman-hub check` and `siman-hub run`")


@click.command()
@pass_ctx
def check(ctx: Ctx) -> None:
    """Validate feeds.yaml and content/; exit non-zero listing every error."""
    issues = []
    try:
        config = load_config(ctx.config_path)
    except ConfigError as exc:
        issues.extend(exc.issues)
        config = None
    if config is not None:
        try:
            load_content(config)
        except ContentError as exc:
            issues.extend(exc.issues)
    for issue in issues:
        click.echo(f"error: {issue}", err=True)
    if issues:
        click.echo(f"{len(issues)} error(s)", err=True)
        sys.exit(2)
    assert config is not None
    click.echo(f"ok: {len(config.sources)} sources, {len(config.programs)} programs")


def _parse_shard(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Shard | None:
    try:
        return Shard.parse(value) if value else None
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@click.command()
@click.option("--source", "sources", multiple=True, help="Only this source id (repeatable).")
@click.option("--shard", default=None, metavar="K/N", callback=_parse_shard,
              help="Only the sources shard K of N owns (stable by source id; for N parallel workers).")  # fmt: skip
@click.option("--worker", default=None, help="Worker name shown in PostgreSQL (default host:pid).")
@pass_ctx
def fetch(ctx: Ctx, sources: tuple[str, ...], shard: Shard | None, worker: str | None) -> None:
    """Pull feeds into the archive."""
    config = ctx.config()
    try:
        reports = pipeline.fetch(
            config, sources or None, progress=_progress(ctx, len(config.sources)), shard=shard, worker=worker
        )
    except KeyError as exc:
        raise click.ClickException(str(exc.args[0])) from None
    _print_reports(ctx, reports)
    if reports and all(not r.ok for r in reports):
        sys.exit(1)


@click.command()
@click.option(
    "--out", type=click.Path(path_type=Path), default=None, help="Output directory (default from config)."
)
@pass_ctx
def build(ctx: Ctx, out: Path | None) -> None:
    """Render the portal and feeds from the archive and content/."""
    config = ctx.config()
    try:
        result = pipeline.build(config, out)
    except ContentError as exc:
        for issue in exc.issues:
            click.echo(f"error: {issue}", err=True)
        sys.exit(2)
    except OSError as exc:
        _publish_failed(exc)
    if ctx.verbosity >= 0:
        click.echo(f"built {result.pages} pages into {result.output}", err=True)


def _publish_failed(exc: OSError) -> None:
    """Disk full, read-only or missing output: one clear line for cron mail, not a traceback (exit 4)."""
    where = f" {exc.filename}" if exc.filename else ""
    click.echo(f"error: cannot write the site:{where}: {exc.strerror or exc}", err=True)
    click.echo("nothing published: the previous site is unchanged", err=True)
    sys.exit(4)


@click.command()
@pass_ctx
def run(ctx: Ctx) -> None:
    """Fetch, then build: what cron calls. Exit 0 when the site was published, even if some sources failed."""
    config = ctx.config()
    try:
        result = pipeline.run(config, progress=_progress(ctx, len(config.sources)))
    except LockTimeout as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(3)
    except ContentError as exc:
        for issue in exc.issues:
            click.echo(f"error: {issue}", err=True)
        click.echo("nothing published: fix content/ first", err=True)
        sys.exit(2)
    except OSError as exc:
        _publish_failed(exc)
    _print_reports(ctx, result.reports)
    if ctx.verbosity >= 0:
        click.echo(f"published {result.pages} pages to {result.output}", err=True)


@click.command()
@click.option("--port", default=8000, show_default=True)
@click.option("--bind", default="127.0.0.1", show_default=True)
@pass_ctx
def serve(ctx: Ctx, port: int, bind: str) -> None:
    """Preview the built site on http://BIND:PORT/."""
    config = ctx.config()
    root = config.output_dir
    if not (root / "index.html").exists():
        pipeline.build(config)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer((bind, port), handler)
    click.echo(f"serving {root} at http://{bind}:{port}/ (Ctrl-C to stop)")
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_ctx
def sources(ctx: Ctx, as_json: bool) -> None:
    """Show each source's health: last fetch, status, items, last error."""
    config = ctx.config()
    archive = pipeline.archive_for(config)
    try:
        states = archive.source_states()
        counts = archive.item_counts()
    finally:
        archive.close()
    from ..models import utcnow
    from ..sources.health import source_health
    from ..sources.ingest import state_key

    rows = []
    for s in config.sources:
        feeds = [states.get(state_key(s.id, i)) for i in range(len(s.feeds))]
        st = feeds[0] if feeds else None
        health, reason = source_health(s.enabled, feeds, utcnow(), config.site.stale_days)
        notes = [
            n for f in feeds if f for n in (f.permanent_redirect, f.discovered_from, f.identity_note) if n
        ]
        rows.append({
            "id": s.id, "name": s.name, "kind": s.kind, "enabled": s.enabled, "health": health, "reason": reason,
            "items": counts.get(s.id, 0),
            "last_fetch": st.last_fetch_at.isoformat() if st and st.last_fetch_at else None,
            "last_new_item": st.last_new_item_at.isoformat() if st and st.last_new_item_at else None,
            "next_fetch": st.next_fetch_at.isoformat() if st and st.next_fetch_at else None,
            "status": st.last_status if st else None,
            "failures": st.failures if st else 0,
            "last_error": st.last_error if st else None,
            "disabled_reason": st.disabled_reason if st else None,
            "notes": notes,
        })  # fmt: skip
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    for r in rows:
        click.echo(
            f"{r['id']:<32} {r['health']:<8} {r['items']:>6} items  {r['last_fetch'] or '-':<26} {r['reason']}"
        )


COMMANDS = [init, check, fetch, build, run, sources]  # serve: cli/serve.py
