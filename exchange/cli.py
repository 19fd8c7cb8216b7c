"""`flask hsds export DIR`, `flask hsds import PATH`, `flask datainclusion export DIR` and
`flask datainclusion import PATH`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import force_locale
from flask_babel import gettext as _

from errors import Invalid
from exchange import (
    datainclusion_export,
    datainclusion_import,
    hsds_export,
    hsds_import,
    hsds_reading,
)

hsds_cli = AppGroup("hsds", help="Open Referral HSDS 3.0 exchange.")


def _bar(label: str):
    # To stderr, so that stdout carries only the summary.
    return click.progressbar(length=1, label=label, file=sys.stderr, show_eta=False)


def _progress(bar):
    def progress(done: int, total: int) -> None:
        bar.length = total or 1
        bar.update(done - bar.pos)
    return progress


@hsds_cli.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def export_command(directory: Path) -> None:
    """Write the public catalogue to DIRECTORY/json (HSDS 3.0 JSON) and DIRECTORY/csv (an HSDS
    3.0 CSV data package)."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        try:
            with _bar(_("Exporting")) as bar:
                done = hsds_export.export(directory, progress=_progress(bar))
        except OSError as error:
            _cannot_write(directory, error)
        click.echo(_("Exported %(orgs)d organisations, %(services)d services and %(terms)d "
                     "taxonomy terms to %(dir)s (%(files)d files).", orgs=done.organizations,
                     services=done.services, terms=done.taxonomy_terms, dir=directory,
                     files=len(done.files)))


@hsds_cli.command("import")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--source", default=None,
              help="Name of the data's origin; records are matched on it and their HSDS id "
                   "when importing again (default: the file or folder name).")
@click.option("--max-mb", default=hsds_reading.MAX_BYTES // (1024 * 1024), show_default=True,
              type=click.IntRange(1, 10_000), help="Largest file read, in MB.")
def import_command(path: Path, source: str | None, max_mb: int) -> None:
    """Import HSDS 3.0 from PATH: a JSON file, a folder of JSON files, or a CSV data package
    (its datapackage.json or folder). Nothing is written when any record is refused."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        _import(path, source or _default_source(path), max_mb)


def _default_source(path: Path) -> str:
    path = path.resolve()
    named = path.parent if path.name in ("datapackage.json", "json", "csv") else path
    return f"hsds:{named.name if named.is_dir() else named.stem}"[:100]


def _import(path: Path, source: str, max_mb: int) -> None:
    try:
        records = hsds_reading.read(path, max_bytes=max_mb * 1024 * 1024)
    except hsds_reading.Unreadable as error:
        click.secho(_("Nothing imported: %(reason)s", reason=str(error)), fg="red", err=True)
        raise click.exceptions.Exit(1) from None
    with _bar(_("Importing")) as bar:
        report = hsds_import.import_records(records, source, progress=_progress(bar))
    for warning in report.warnings:
        click.secho(_("warning: %(problem)s", problem=str(warning)), fg="yellow", err=True)
    if not report.ok:
        for error in report.errors:
            click.secho(_("error: %(problem)s", problem=str(error)), fg="red", err=True)
        click.secho(_("Nothing imported: %(n)d records refused (listed above).",
                      n=len(report.errors)), fg="red", err=True)
        raise click.exceptions.Exit(1)
    click.echo(_("Imported from %(source)s:", source=source))
    for entity in ("organization", "location", "service", "external term"):
        click.echo(_("  %(entity)s: %(created)d created, %(updated)d updated", entity=entity,
                     created=report.created[entity], updated=report.updated[entity]))
    click.echo(_("%(n)d warnings.", n=len(report.warnings)))


def _cannot_write(directory: Path, error: OSError) -> None:
    """An export directory that cannot be written: a message and exit status 1."""
    click.secho(_("Nothing was exported: %(dir)s cannot be written (%(reason)s).",
                  dir=directory, reason=error.strerror or error), fg="red", err=True)
    raise click.exceptions.Exit(1) from None


datainclusion_cli = AppGroup("datainclusion", help="data·inclusion schema v1 exchange.")


@datainclusion_cli.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def datainclusion_export_command(directory: Path) -> None:
    """Write the public catalogue to DIRECTORY/structures.json and DIRECTORY/services.json in
    the data·inclusion schema v1 (validated against it first)."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        try:
            with _bar(_("Exporting")) as bar:
                done = datainclusion_export.export(directory, progress=_progress(bar))
        except OSError as error:
            _cannot_write(directory, error)
        except Invalid as problem:
            click.secho(problem.message, fg="red", err=True)
            for record, reasons in problem.field_errors.items():
                for reason in reasons:
                    click.secho(f"{record}: {reason}", fg="red", err=True)
            raise click.exceptions.Exit(1) from None
        click.echo(_("Exported %(structures)d structures and %(services)d services to "
                     "%(dir)s.", structures=done.structures, services=done.services,
                     dir=directory))


@datainclusion_cli.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
def datainclusion_import_command(path: Path) -> None:
    """Import data·inclusion v1 structures and services from PATH (a JSON file, or a folder
    with structures.json and services.json). Nothing is written when any record is refused."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        try:
            found = datainclusion_import.read(path)
        except hsds_reading.Unreadable as error:
            click.secho(_("Nothing imported: %(reason)s", reason=str(error)), fg="red",
                        err=True)
            raise click.exceptions.Exit(1) from None
        report = datainclusion_import.import_records(found)
        if report.errors:
            for error in report.errors:
                click.secho(_("error: %(problem)s", problem=str(error)), fg="red", err=True)
            click.secho(_("Nothing imported: %(n)d records refused (listed above).",
                          n=len(report.errors)), fg="red", err=True)
            raise click.exceptions.Exit(1)
        for kind in ("structure", "service", "location"):
            click.echo(_("  %(entity)s: %(created)d created, %(updated)d updated", entity=kind,
                         created=report.created[kind], updated=report.updated[kind]))
