"""`flask audit …`: checking the audit log."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import force_locale
from flask_babel import gettext as _

from referrals import audit

audit_cli = AppGroup("audit", help="The append-only audit log of personal data.")


@audit_cli.command("verify")
def verify_command() -> None:
    """Recompute the hash chain and report the first broken link (exit status 1)."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        with click.progressbar(length=1, label=_("Audit log"), file=sys.stderr) as bar:

            def progress(done: int, total: int) -> None:
                bar.length = max(total, 1)
                bar.update(done - bar.pos)

            result = audit.verify(progress)
        if result.ok:
            click.echo(_("The audit log is whole: %(count)d line(s) checked.",
                         count=result.checked))
            return
        where = (_("line %(id)s", id=result.broken_at) if result.broken_at is not None
                 else _("the end of the log"))
        click.secho(_("The audit log is broken at %(where)s: it %(reason)s. "
                      "%(count)d line(s) before it are whole.",
                      where=where, reason=result.reason, count=result.checked),
                    fg="red", err=True)
        raise click.exceptions.Exit(1)
