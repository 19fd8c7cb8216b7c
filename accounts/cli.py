"""`flask mail …` and `flask users …` commands."""

import os

import click
from flask.cli import AppGroup

from accounts.mail import deliver_pending

mail_cli = AppGroup("mail", help="Outgoing email.")
users_cli = AppGroup("users", help="Accounts.")


@mail_cli.command("send")
def send_command():
    """Send the emails waiting in the outbox (retries failed ones, up to 5 attempts)."""
    sent, failed = deliver_pending(limit=1000)
    click.echo(f"sent {sent}, failed {failed}")
    if failed:
        raise click.exceptions.Exit(1)


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
