"""`flask outbox …` (and its older name `flask mail …`) and `flask users …` commands."""

import os
import signal
import threading

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import gettext as _

from accounts.mail import Delivery, deliver_pending, waiting_count

outbox_cli = AppGroup("outbox", help="Outgoing email: the outbox table.")
mail_cli = AppGroup("mail", help="Outgoing email (same commands as `flask outbox`).")
users_cli = AppGroup("users", help="Accounts.")

# Emails sent per run; a longer backlog goes out over the following runs.
BATCH = 1000


@outbox_cli.command("send")
@click.option("--loop", "loop_seconds", type=click.IntRange(min=1), default=None,
              metavar="SECONDS", help="Keep running, sending what is due every SECONDS (for a "
              "process manager); stop with Ctrl-C or SIGTERM.")
def send_command(loop_seconds):
    """Send the emails that are due in the outbox. A failed email stays there and is retried
    later with growing delays (1 minute, 2, 4 … up to 6 hours) until RELAIS_MAIL_MAX_ATTEMPTS
    attempts, then given up (logged as an error). The exit status is 0 even when the SMTP
    server is down: running again is the retry."""
    if not current_app.config["RELAIS_SMTP"]["host"]:
        click.echo(_("SMTP_HOST is not set: %(count)s email(s) wait in the outbox.",
                     count=waiting_count()))
        return
    if loop_seconds is None:
        _report(deliver_pending(limit=BATCH))
        waiting = waiting_count()
        if waiting:
            click.echo(_("%(count)s email(s) wait in the outbox for a later attempt; this is not "
                         "an error (exit status 0).", count=waiting))
        return
    _send_every(loop_seconds)


mail_cli.add_command(send_command)  # `flask mail send`, the command's first name


def _report(delivery: Delivery) -> None:
    click.echo(_("%(sent)s sent, %(failed)s failed (will retry), %(given_up)s given up.",
                 sent=delivery.sent, failed=delivery.failed, given_up=delivery.given_up))
    if delivery.given_up:
        click.echo(_("Given-up emails stay in the outbox table with failed_at set; see the log "
                     "for the reason."), err=True)


def _send_every(seconds: int) -> None:
    """Deliver, wait, repeat. Ctrl-C or SIGTERM stops after the email in hand, so no claim is
    left hanging; a second Ctrl-C stops at once."""
    stop = threading.Event()

    def request_stop(signum, frame):
        stop.set()
        signal.signal(signal.SIGINT, signal.default_int_handler)

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        click.echo(_("Sending the outbox every %(seconds)s seconds; Ctrl-C to stop.",
                     seconds=seconds))
        while not stop.is_set():
            delivery = deliver_pending(limit=BATCH, stop=stop)
            if any(delivery):  # quiet when there was nothing to do
                _report(delivery)
            stop.wait(seconds)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    click.echo(_("Stopped."))


@users_cli.command("create-admin")
@click.argument("email")
@click.option("--name", default=None, help="Name shown to other users (default: the part "
              "of the address before @).")
def create_admin_command(email, name):
    """Make EMAIL a platform administrator: create a verified account, or promote the existing
    one (its password is kept). The password is asked twice, or read from the environment
    variable RELAIS_ADMIN_PASSWORD when set (for scripts)."""
    from accounts import auth
    from directory.models import utcnow
    from errors import Invalid
    from extensions import db

    problems = auth.email_problems(auth.normalise_email(email))
    if problems:
        click.echo(problems[0], err=True)
        raise click.exceptions.Exit(1)
    password = None
    if auth.find_user(email) is None:
        password = os.environ.get("RELAIS_ADMIN_PASSWORD") or click.prompt(
            "Password (at least 12 characters)", hide_input=True, confirmation_prompt=True
        )
    try:
        result = auth.create_platform_admin(email, name, password, now=utcnow())
    except Invalid as error:
        for messages in error.field_errors.values():
            for message in messages:
                click.echo(message, err=True)
        raise click.exceptions.Exit(1) from None
    db.session.commit()
    action = "created" if result.created else "promoted"
    click.echo(f"Platform administrator {result.user.email} {action}.")
    click.echo("Two-factor authentication (TOTP) is required: they set it up at their first "
               "sign-in, at /login.")


@users_cli.command("grant-territory")
@click.argument("email")
@click.argument("departements", nargs=-1, required=True)
def grant_territory_command(email, departements):
    """Make the account EMAIL territory manager of the DEPARTEMENTS given by code (69, 2A…):
    they approve first administrators and organisations there and review listing changes.
    Running it again for a département they already have changes nothing."""
    from flask_babel import gettext as _

    from accounts import auth
    from accounts.models import TerritoryAssignment
    from extensions import db
    from geo.models import Departement

    user = auth.find_user(email)
    if user is None:
        click.echo(_("No account has the address %(email)s.", email=email), err=True)
        raise click.exceptions.Exit(1)
    unknown = [code for code in departements if db.session.get(Departement, code) is None]
    if unknown:
        click.echo(_("Unknown département code(s): %(codes)s (import the geography first: "
                     "flask geo import DIR).", codes=", ".join(unknown)), err=True)
        raise click.exceptions.Exit(1)
    held = {t.departement_code for t in user.territories}
    for code in departements:
        if code not in held:
            db.session.add(TerritoryAssignment(user=user, departement_code=code))
    db.session.commit()
    codes = sorted(held | set(departements))
    click.echo(_("%(email)s is territory manager of: %(codes)s.", email=user.email,
                 codes=", ".join(codes)))
