"""Referrals nobody answers: a reminder to the receiving organisation after
RELAIS_REFERRAL_REMINDER_DAYS (10), expiry after RELAIS_REFERRAL_EXPIRY_DAYS (30).

"Unanswered" means still sent or opened: neither accepted nor declined. Both functions are
safe to run again and again (`flask referrals remind`, `flask referrals expire`, daily): a
referral is reminded once (reminded_at) and expires once (the transition leaves the states it
applies to).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from accounts.mail import queue_email
from extensions import db
from referrals import magic_link
from referrals.models import EXPIRED, OPENED, SENT, Referral, _aware
from referrals.notifications import (
    LinkBuilder,
    active_member_emails,
    notify,
    queue_magic_link,
    referral_link,
)
from referrals.transitions import SYSTEM, transition

UNANSWERED = (SENT, OPENED)


def _unanswered_since(cutoff: datetime) -> list[Referral]:
    """Referrals sent at or before `cutoff` and still waiting for an answer, oldest first."""
    candidates = db.session.scalars(
        sa.select(Referral).where(Referral.status.in_(UNANSWERED),
                                  Referral.sent_at.is_not(None),
                                  Referral.sent_at <= cutoff)
        .order_by(Referral.sent_at)
        # Two runs at once wait for each other here (PostgreSQL), so none reminds twice.
        .with_for_update().execution_options(populate_existing=True)
    ).all()
    # SQLite compares the stored text: check again on the values themselves.
    return [r for r in candidates if _aware(r.sent_at) <= _aware(cutoff)]


def expire_unanswered(*, now: datetime | None = None, days: int | None = None,
                      link_for: LinkBuilder | None = None) -> int:
    """Expire the referrals unanswered for `days` (RELAIS_REFERRAL_EXPIRY_DAYS), as the
    system, telling their senders; return how many. Flushes."""
    now = now or datetime.now(UTC)
    days = days if days is not None else current_app.config["RELAIS_REFERRAL_EXPIRY_DAYS"]
    expired = 0
    for referral in _unanswered_since(now - timedelta(days=days)):
        transition(referral, "expire", role=SYSTEM, actor_kind="system", now=now)
        notify(referral, EXPIRED, link_for=link_for)
        expired += 1
    return expired


def remind_unanswered(*, now: datetime | None = None, days: int | None = None,
                      link_for: LinkBuilder | None = None) -> tuple[int, int]:
    """Email the active members of the receiving organisation of each referral unanswered
    for `days` (RELAIS_REFERRAL_REMINDER_DAYS), once per referral; return (emails queued,
    referrals reminded). An organisation where nobody can sign in is reminded at its own
    address with a fresh magic link. A referral whose organisation has nobody to tell stays
    unmarked, to be reminded once someone can act. Flushes."""
    now = now or datetime.now(UTC)
    days = days if days is not None else current_app.config["RELAIS_REFERRAL_REMINDER_DAYS"]
    link_for = link_for or referral_link
    emails = reminded = 0
    for referral in _unanswered_since(now - timedelta(days=days)):
        if referral.reminded_at is not None:
            continue
        addresses = active_member_emails(referral.receiving_organisation_id)
        waited = (_aware(now) - _aware(referral.sent_at)).days
        subject = _("A referral to “%(service)s” is waiting for your answer",
                    service=referral.service.name)
        if not addresses:
            # Nobody can sign in: the organisation's address gets a fresh magic link (the
            # first one may have expired), when it has one (referrals/magic_link.py).
            issued = magic_link.issue(referral, now=now)
            if issued is None:
                continue
            queue_magic_link(referral, issued, subject=subject, lead=_(
                "This referral has been waiting for an answer for %(days)s days. Without an "
                "answer it expires after %(expiry)s days.", days=waited,
                expiry=current_app.config["RELAIS_REFERRAL_EXPIRY_DAYS"]))
            referral.reminded_at = now
            emails += 1
            reminded += 1
            continue
        body = "\n\n".join((
            _("A referral to the service “%(service)s” has been waiting for an answer for "
              "%(days)s days. Without an answer it expires after %(expiry)s days.",
              service=referral.service.name, days=waited,
              expiry=current_app.config["RELAIS_REFERRAL_EXPIRY_DAYS"]),
            _("Sign in to Relais to accept or decline it: %(link)s",
              link=link_for(referral)),
        ))
        for address in addresses:
            queue_email(address, subject, body)
        referral.reminded_at = now
        emails += len(addresses)
        reminded += 1
    db.session.flush()
    return emails, reminded
