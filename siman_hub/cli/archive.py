"""Archive administration: ``migrate-archive`` moves a hub between SQLite and PostgreSQL."""

from __future__ import annotations

import sys

import click


def _url(value: str) -> str:
    """A bare path means a SQLite file, as in feeds.yaml."""
    return value if "://" in value else f"sqlite:///{value}"


@click.command("migrate-archive")
@click.argument("source")
@click.argument("target")
def migrate_archive(source: str, target: str) -> None:
    """Copy the archive at SOURCE into the empty archive at TARGET, then compare row counts and checksums.

    SOURCE and TARGET are archive URLs (sqlite:///path, a bare path, or postgresql://user@host/db). Stop fetch
    workers first; the target is written in one transaction, so a failed copy leaves it empty. Exit 1 if any
    table differs after the copy.
    """
    from ..archive.copy import CopyError, copy_archive
    from ..archive.postgresql import redact

    def progress(table: str, n: int) -> None:
        click.echo(f"  {table}: {n} rows…", err=True)

    try:
        report = copy_archive(_url(source), _url(target), progress=progress)
    except (CopyError, ConnectionError, ValueError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    for t in report.tables:
        mark = "ok" if t.ok else "MISMATCH"
        click.echo(
            f"{t.table:<16} {t.source_rows:>10} → {t.target_rows:>10} rows  {t.target_checksum[:16]}  {mark}"
        )
    if not report.ok:
        click.echo(f"error: copy into {redact(_url(target))} differs from the source", err=True)
        sys.exit(1)
    click.echo(
        f"copied {sum(t.source_rows for t in report.tables)} rows; counts and checksums match", err=True
    )


COMMANDS = [migrate_archive]
