"""The ``siman-hub`` command. Each command group lives in its own module; this file only wires them up."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from .. import __version__
from ..config import Config, ConfigError, load_config


class Ctx:
    def __init__(self, config_path: Path, verbosity: int):
        self.config_path = config_path
        self.verbosity = verbosity

    def config(self) -> Config:
        """The validated config, or exit 2 with every error listed (file:line: field: message)."""
        try:
            return load_config(self.config_path)
        except ConfigError as exc:
            for issue in exc.issues:
                click.echo(f"error: {issue}", err=True)
            click.echo(f"{len(exc.issues)} error(s) in {self.config_path}", err=True)
            sys.exit(2)

    @property
    def interactive(self) -> bool:
        return sys.stderr.isatty() and self.verbosity >= 0


pass_ctx = click.make_pass_decorator(Ctx)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="siman-hub")
@click.option("--config", "config_path", type=click.Path(path_type=Path), default=Path("feeds.yaml"),
              show_default=True, envvar="SIMAN_HUB_CONFIG", help="Path to feeds.yaml.")  # fmt: skip
@click.option("-v", "--verbose", count=True, help="More log output (repeatable).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors.")
@click.pass_context
def main(ctx: click.Context, config_path: Path, verbose: int, quiet: bool) -> None:
    """siman-hub: gather government feeds, dedupe and tag them, publish one portal."""
    verbosity = -1 if quiet else verbose
    level = (
        logging.ERROR
        if quiet
        else (logging.DEBUG if verbose > 1 else logging.INFO if verbose else logging.WARNING)
    )
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    ctx.obj = Ctx(config_path, verbosity)


def _register() -> None:
    from . import archive, hub, ingest, opml, refine, serve

    for module in (hub, serve, archive, opml, ingest, refine):
        for command in module.COMMANDS:
            main.add_command(command)


_register()
