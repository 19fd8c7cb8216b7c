"""`flask seed …` commands."""

import sys

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import force_locale
from flask_babel import gettext as _

from directory.labels import STATUS_LABELS, ZONE_KIND_LABELS
from errors import Invalid
from seed.demo_accounts import ACCOUNTS, DEMO_PASSWORD
from seed.demo_referrals import CITIZEN_PATH, FIGURES_PATH, INBOX_PATH

seed_cli = AppGroup("seed", help="Demo data.")

LOCAL_URL = "http://127.0.0.1:5000"
CITIZEN_EMAIL = next(account.email for account in ACCOUNTS if account.key == "citizen")


@seed_cli.command("demo")
def demo_command() -> None:
    """Build or refresh the demo catalogue of the Rhône (69). Safe to run again."""
    # A command has no browser to ask for a language: it speaks the installation's default.
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        _demo()


def _demo() -> None:
    from seed.demo import build_demo
    from seed.demo_catalogue import DemoSpecError

    # The bar goes to stderr so that stdout carries only the summary.
    with click.progressbar(length=1, label=_("Communes"), file=sys.stderr) as bar:

        def progress(done: int, total: int) -> None:
            bar.length = total or 1
            bar.update(done - bar.pos)

        try:
            summary = build_demo(progress=progress)
        except (Invalid, DemoSpecError) as error:
            bar.finish()
            click.secho(getattr(error, "message", None) or str(error), fg="red", err=True)
            raise click.exceptions.Exit(1) from None
    indexed = _rebuild_search_index()

    statuses = ", ".join(
        f"{STATUS_LABELS[status]} {count}"
        for status, count in sorted(summary.services_by_status.items())
    )
    zones = ", ".join(
        f"{ZONE_KIND_LABELS[kind]} {count}" for kind, count in summary.zones_by_kind.items()
    )
    service_id, service_name = summary.notable_service
    organisation_id, organisation_name = summary.notable_organisation
    lines = [
        _("Demo catalogue of the Rhône ready (%(communes)d communes imported).",
          communes=summary.geography.communes),
        _("  Organisations: %(count)d, of which %(town_halls)d town halls",
          count=summary.organisations, town_halls=summary.town_halls),
        _("  Locations: %(count)d", count=summary.locations),
        _("  Services: %(count)d (%(statuses)s)", count=summary.services, statuses=statuses),
        _("  Coverage zones: %(zones)s", zones=zones),
        _("  Search index: %(count)d services", count=indexed),
    ]
    if summary.referrals is not None:
        lines.append(_referrals_line(summary.referrals))
    if summary.written.deleted:
        lines.append(_("  Removed %(count)d demo records no longer generated.",
                       count=summary.written.deleted))
    if summary.written.kept:
        lines.append(_("  Kept %(count)d old demo records that other data still uses.",
                       count=len(summary.written.kept)))
    lines += [
        _("Try it (flask --app app run):"),
        f"  {LOCAL_URL}/",
        f"  {LOCAL_URL}/services/{service_id}  ({service_name})",
        f"  {LOCAL_URL}/organisations/{organisation_id}  ({organisation_name})",
        f"  {LOCAL_URL}/communes/{summary.notable_commune}",
        f"  {LOCAL_URL}/recherche?commune=69123&need=mobilite",
        f"  {LOCAL_URL}/pour-moi?commune=69383&need=remobilisation",
        _("  %(url)s  (the referrals of your organisation, signed in as an advisor)",
          url=f"{LOCAL_URL}{INBOX_PATH}"),
        _("  %(url)s  (its figures: sent, received, answered, and the CSV export)",
          url=f"{LOCAL_URL}{FIGURES_PATH}"),
        _("  %(url)s  (the citizen's own space, signed in as %(email)s)",
          url=f"{LOCAL_URL}{CITIZEN_PATH}", email=CITIZEN_EMAIL),
    ]
    if summary.referrals is not None and summary.referrals.magic_link_path:
        lines.append(_("  %(url)s  (answer a referral as a provider with no account, through "
                       "the magic link it was emailed)",
                       url=f"{LOCAL_URL}{summary.referrals.magic_link_path}"))
    if summary.api_token:
        lines += [
            _("API token of the Mission locale (services:read and services:write; a new one at "
              "each run; documentation at %(url)s):", url=f"{LOCAL_URL}/api/docs"),
            f"  curl -H 'Authorization: Bearer {summary.api_token}' "
            f"{LOCAL_URL}/api/v1/services",
        ]
    lines += [
        _("Demo accounts (password: %(password)s):", password=DEMO_PASSWORD),
    ]
    lines += [f"  {account.email:34} {account.role}" for account in summary.accounts]
    click.echo("\n".join(lines))


def _referrals_line(referrals) -> str:
    from referrals.notifications import status_label

    states = ", ".join(f"{status_label(state)} {count}"
                       for state, count in referrals.by_state.items())
    return _("  Referrals: %(count)d (%(states)s), for %(people)d people, with %(consents)d "
             "consents and %(messages)d messages",
             count=referrals.referrals, states=states, people=referrals.people,
             consents=referrals.consents, messages=referrals.messages)


def _rebuild_search_index() -> int:
    """The demo's search index, whole (the index is derived from the database)."""
    from directory import search

    with click.progressbar(length=1, label=_("Search index"), file=sys.stderr) as bar:

        def progress(done: int, total: int) -> None:
            bar.length = total or 1
            bar.update(done - bar.pos)

        return search.rebuild(progress)
