"""`flask audit …`: checking the audit log; `flask referrals …`: expiring unanswered
referrals and reminding their receivers."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import force_locale
from flask_babel import gettext as _

from extensions import db
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
        reasons = {
            audit.CHANGED: _("Line %(id)s was changed after it was written."),
            audit.MISSING_OR_INSERTED: _("Line %(id)s does not follow the line before it: a "
                                         "line is missing or was inserted."),
            audit.TRUNCATED: _("Lines were removed from the end of the log."),
        }
        click.secho(reasons[result.reason] % {"id": result.broken_at}, fg="red", err=True)
        click.secho(_("%(count)d line(s) before it are whole.", count=result.checked),
                    fg="red", err=True)
        raise click.exceptions.Exit(1)


referrals_cli = AppGroup("referrals", help="Referrals between organisations.")

_base_url = click.option(
    "--base-url",
    envvar="RELAIS_PUBLIC_URL",
    default="http://localhost:5000",
    show_default=True,
    help="Address of the site, for the links in the emails.",
)


@referrals_cli.command("expire")
@_base_url
def expire_command(base_url: str) -> None:
    """Expire referrals left unanswered (RELAIS_REFERRAL_EXPIRY_DAYS) and tell their senders;
    safe to run again."""
    from accounts.mail import deliver_pending
    from referrals.expiry import expire_unanswered

    with current_app.test_request_context(base_url=base_url):
        expired = expire_unanswered()
        db.session.commit()
        sent, failed = deliver_pending()[:2]
        click.echo(_("%(expired)s referral(s) expired; %(sent)s email(s) sent, %(failed)s "
                     "failed.", expired=expired, sent=sent, failed=failed))


@referrals_cli.command("remind")
@_base_url
def remind_command(base_url: str) -> None:
    """Remind receiving organisations, once, of referrals unanswered for
    RELAIS_REFERRAL_REMINDER_DAYS; safe to run again."""
    from accounts.mail import deliver_pending
    from referrals.expiry import remind_unanswered

    with current_app.test_request_context(base_url=base_url):
        emails, referrals = remind_unanswered()
        db.session.commit()
        sent, failed = deliver_pending()[:2]
        click.echo(_("%(referrals)s referral(s) waiting, %(emails)s reminder(s) queued; "
                     "%(sent)s sent, %(failed)s failed.", referrals=referrals, emails=emails,
                     sent=sent, failed=failed))


documents_cli = AppGroup("documents", help="Documents of people: keys, retention, orphans.")


@documents_cli.command("rotate-key")
@click.option("--new-key", envvar="RELAIS_DOCUMENTS_NEW_MASTER_KEY", default=None,
              help="The new master key (base64 of 32 bytes); a random one by default. Only "
                   "for the key file: with RELAIS_DOCUMENTS_MASTER_KEY, put the new key "
                   "first there.")
def rotate_key_command(new_key: str | None) -> None:
    """Re-wrap every document key under a new master key, without downtime."""
    from referrals.document_storage import MasterKeyError
    from referrals.document_upkeep import rotate_master_key
    from referrals.documents import keyring

    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        with click.progressbar(length=1, label=_("Documents"), file=sys.stderr) as bar:

            def progress(done: int, total: int) -> None:
                bar.length = max(total, 1)
                bar.update(done - bar.pos)

            try:
                before = keyring()
                done, ring = rotate_master_key(new_key, progress)
            except MasterKeyError as error:
                click.secho(str(error), fg="red", err=True)
                raise click.exceptions.Exit(1) from None
        click.echo(_("%(count)d document key(s) re-wrapped under master key %(key)s.",
                     count=done, key=ring.current_id))
        if ring.source == "env" and len(before.keys) > 1:
            click.echo(_("Remove the old keys from RELAIS_DOCUMENTS_MASTER_KEY now: no "
                         "document needs them any more."))


@documents_cli.command("purge")
def purge_command() -> None:
    """Delete documents past their retention period; safe to run again."""
    from referrals.document_upkeep import purge

    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        deleted = purge(progress=lambda n: click.echo(".", nl=False, err=True))
        db.session.commit()
        click.echo(_("%(count)d document(s) deleted.", count=deleted))


@documents_cli.command("sweep")
@click.option("--older-than-minutes", default=60, show_default=True, type=click.IntRange(0),
              help="Leave younger files alone: an upload may still be committing them.")
def sweep_command(older_than_minutes: int) -> None:
    """Remove files that no document owns (what a crash mid-upload leaves)."""
    from referrals.document_upkeep import sweep

    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        removed = sweep(older_than_minutes * 60)
        click.echo(_("%(count)d orphan file(s) removed.", count=removed))
