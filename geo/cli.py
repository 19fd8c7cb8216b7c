"""`flask geo …` commands."""

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import force_locale
from flask_babel import gettext as _

from geo.gazetteer import GazetteerError, ImportSummary, import_geography

geo_cli = AppGroup("geo", help="French administrative geography.")


@geo_cli.command("import")
@click.argument(
    "directory", type=click.Path(exists=True, file_okay=False, dir_okay=True, path_type=Path)
)
def import_command(directory: Path) -> None:
    """Import régions, départements, EPCI and communes from DIRECTORY (fr-admin CSV files).

    Importing again updates in place; a bad line refuses the whole import.
    """
    # A command has no browser to ask for a language: it speaks the installation's default.
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        _import(directory)


def _import(directory: Path) -> None:
    # The total is known once the files are read; until then the bar has a placeholder length.
    # It goes to stderr so that stdout carries only the summary.
    with click.progressbar(length=1, label=_("Communes"), file=sys.stderr, show_eta=False) as bar:

        def progress(done: int, total: int) -> None:
            bar.length = total or 1
            bar.update(done - bar.pos)

        try:
            summary = import_geography(directory, progress=progress)
        except GazetteerError as error:
            bar.finish()
            click.secho(error.message, fg="red", err=True)
            raise click.exceptions.Exit(1) from None
    click.echo(describe(summary))


def describe(summary: ImportSummary) -> str:
    """The summary as a few lines for people."""
    kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(summary.communes_by_kind.items()))
    return "\n".join(
        (
            _("Imported in %(seconds).1f s:", seconds=summary.elapsed_seconds),
            _("  régions: %(n)d", n=summary.regions),
            _("  départements: %(n)d", n=summary.departements),
            _("  EPCI: %(n)d", n=summary.epci),
            _("  communes: %(n)d (%(kinds)s)", n=summary.communes, kinds=kinds or "-"),
            _("  postcodes: %(n)d", n=summary.postcodes),
            _("  other names: %(n)d (delegated communes sharing their commune nouvelle's code)",
              n=summary.other_names),
            _("Skipped: %(sectors)d electoral sectors (SRM).", sectors=summary.skipped_sectors),
        )
    )
