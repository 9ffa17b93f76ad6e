"""``siman-hub retag`` and ``siman-hub evaluate``: re-run tagging after a rules change; measure refine quality."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import Ctx, pass_ctx

DEFAULT_LABELED = Path("tests/data/refine/items.jsonl")


@click.command()
@click.option(
    "--recluster", is_flag=True, help="Also re-cluster every item from scratch (ids kept where founders are)."
)
@pass_ctx
def retag(ctx: Ctx, recluster: bool) -> None:
    """Re-tag the whole archive with the current rules (and overrides)."""
    from .. import pipeline
    from ..content import ContentError
    from ..refine import RefineError, refine_archive

    config = ctx.config()
    archive = pipeline.archive_for(config)
    try:
        report = refine_archive(config, archive, retag=True, full=recluster)
    except (RefineError, ContentError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    finally:
        archive.close()
    for w in report.warnings:
        click.echo(f"warning: {w}", err=True)
    click.echo(f"retagged {report.tagged} items, clustered {report.clustered} in {report.seconds:.2f}s")


@click.command()
@click.option("--data", type=click.Path(path_type=Path, exists=True), default=None,
              help=f"Labeled JSONL (default {DEFAULT_LABELED} beside the config).")  # fmt: skip
@click.option(
    "--errors", "show_errors", is_flag=True, help="Also list false merges, missed pairs, tag errors."
)
@pass_ctx
def evaluate(ctx: Ctx, data: Path | None, show_errors: bool) -> None:
    """Dedupe pairwise precision/recall and per-program tagging P/R/F1 on the labeled set (dev/test/all)."""
    from ..refine.evaluate import evaluate as run_eval
    from ..refine.evaluate import format_results, load_labeled

    config = ctx.config()
    path = data or (config.root / DEFAULT_LABELED)
    if not path.is_file():
        click.echo(f"error: no labeled set at {path}", err=True)
        sys.exit(2)
    try:
        items = load_labeled(path)
    except ValueError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    results, errors = run_eval(config, items)
    click.echo(format_results(results))
    if show_errors:
        for group in errors["false_merges"]:
            click.echo(f"FALSE MERGE: {group}")
        for group in errors["missed"]:
            click.echo(f"MISSED: {group}")
        for row in errors["tags"]:
            click.echo(f"TAG: {row}")


COMMANDS = [retag, evaluate]
