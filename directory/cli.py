"""`flask directory …` commands."""

from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import force_locale

from directory.taxonomy import load_taxonomies
from errors import Invalid
from extensions import db

directory_cli = AppGroup("directory", help="Catalogue of organisations and services.")


@directory_cli.command("load-taxonomies")
@click.option(
    "--from",
    "reference_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder of the data·inclusion CSV files (default: seed/reference/data-inclusion).",
)
def load_taxonomies_command(reference_dir: Path | None) -> None:
    """Load or update the national taxonomies (thématiques, publics, modes…)."""
    try:
        # No request to pick a language from: operators read English, like the rest of the CLI.
        with force_locale("en"):
            counts = load_taxonomies(reference_dir)
    except Invalid as error:
        db.session.rollback()
        click.echo(f"Refused: {error.message}", err=True)
        raise SystemExit(1) from error
    db.session.commit()
    for taxonomy, count in counts.items():
        click.echo(f"{taxonomy}: {count}")
    click.echo(f"{sum(counts.values())} terms loaded.")


search_cli = AppGroup("search", help="The full-text search index (derived from the database).")


@search_cli.command("reindex")
@click.option("--procs", type=click.IntRange(1, 8), default=None,
              help="Processes writing the new index (default: 2 for large catalogues on a "
                   "machine with 2 cores or more, else 1).")
def reindex_command(procs: int | None) -> None:
    """Rebuild the search index from the database; searches keep the old one until done."""
    import sys
    import time

    from flask_babel import gettext as _

    from directory import search

    started = time.perf_counter()
    with click.progressbar(length=1, label=_("Services"), file=sys.stderr) as bar:

        def progress(done: int, total: int) -> None:
            bar.length = max(total, 1)
            bar.update(done - bar.pos)

        count = search.rebuild(progress, procs=procs)
    elapsed = time.perf_counter() - started
    click.echo(_("%(count)s service(s) indexed in %(seconds).1f s.", count=count,
                 seconds=elapsed))
