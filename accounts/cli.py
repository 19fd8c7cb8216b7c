"""`flask mail …` and `flask users …` commands."""

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
