"""Emails at each referral transition, to the parties concerned, through the outbox.

    sent (or released by the moderator)        → the receiving organisation's active members
    accepted, declined, completed, closed, expired → the sender
    cancelled (once it had been sent)           → the receiving organisation's active members
    sent, accepted, declined, completed         → the person too, when they have an email
                                                  address and chose to be contacted by email

An email says only the service, the state and a link: never the person's name, situation
facts or documents (email leaves the platform, and the ledger cannot follow it there). The
email is queued in the caller's transaction (accounts.mail.queue_email), so a transition
that rolls back sends nothing.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from flask import current_app, has_request_context, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from accounts.mail import queue_email
from accounts.models import ACTIVE, Membership, User
from extensions import db
from referrals.models import (
    ACCEPTED,
    CANCELLED,
    CLOSED,
    COMPLETED,
    DECLINED,
    DRAFT,
    EXPIRED,
    HELD,
    IN_PROGRESS,
    OPENED,
    SENT,
    Referral,
)

# The referral's page (referrals/views.py); REFERRAL_PATH when no request says where the site is.
REFERRAL_ENDPOINT = "referrals.show"
REFERRAL_PATH = "/espace/orientations/{id}"

STATUS_LABELS = {
    DRAFT: _l("being prepared"),
    HELD: _l("waiting for moderation"),
    SENT: _l("sent"),
    OPENED: _l("opened"),
    ACCEPTED: _l("accepted"),
    DECLINED: _l("declined"),
    IN_PROGRESS: _l("in progress"),
    COMPLETED: _l("completed"),
    CLOSED: _l("closed"),
    EXPIRED: _l("expired"),
    CANCELLED: _l("cancelled"),
}

TO_RECEIVER = (SENT, CANCELLED)
TO_SENDER = (ACCEPTED, DECLINED, COMPLETED, CLOSED, EXPIRED)
TO_PERSON = (SENT, ACCEPTED, DECLINED, COMPLETED)

LinkBuilder = Callable[[Referral], str]


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def referral_link(referral: Referral) -> str:
    """An absolute link to the referral's page when a request (or the CLI's request context
    with its --base-url) says where the site is; a path otherwise."""
    if has_request_context():
        if REFERRAL_ENDPOINT in current_app.view_functions:
            return url_for(REFERRAL_ENDPOINT, referral_id=referral.id, _external=True)
        return request.url_root.rstrip("/") + REFERRAL_PATH.format(id=referral.id)
    return REFERRAL_PATH.format(id=referral.id)


def active_member_emails(organisation_id) -> list[str]:
    """The confirmed addresses of an organisation's active members."""
    if organisation_id is None:
        return []
    return list(db.session.scalars(
        sa.select(User.email).join(Membership, Membership.user_id == User.id).where(
            Membership.organisation_id == organisation_id, Membership.status == ACTIVE,
            User.email_verified_at.is_not(None)).order_by(User.email)))


def _sender_emails(referral: Referral) -> list[str]:
    if referral.self_referral:  # the person sent it: their account's address
        account = db.session.get(User, referral.sender_id) if referral.sender_id else None
        return [account.email] if account is not None else []
    if referral.sender_id is not None:
        sender = db.session.get(User, referral.sender_id)
        if sender is not None:
            return [sender.email]
    return active_member_emails(referral.sending_organisation_id)


def _person_email(referral: Referral) -> str | None:
    person = referral.person
    if person is None or person.erased_at is not None or not person.email:
        return None
    return person.email if person.preferred_channel == "email" else None


def recipients(referral: Referral, status: str) -> list[str]:
    """Who is told that the referral is now in `status`, each address once."""
    found: list[str] = []
    if status == SENT or (status == CANCELLED and referral.sent_at is not None):
        found += active_member_emails(referral.receiving_organisation_id)
    if status in TO_SENDER:
        found += _sender_emails(referral)
    if status in TO_PERSON:
        address = _person_email(referral)
        if address:
            found.append(address)
    return list(dict.fromkeys(a.lower() for a in found))


def message_for(referral: Referral, status: str, link: str) -> tuple[str, str]:
    """Subject and body: the service, the state and the link, nothing about the person."""
    service = referral.service.name
    state = status_label(status)
    subject = _("Referral to “%(service)s”: %(state)s", service=service, state=state)
    body = "\n\n".join((
        _("A referral to the service “%(service)s” is now %(state)s.", service=service,
          state=state),
        _("Sign in to Relais to see it: %(link)s", link=link),
        _("This email carries no personal information on purpose: everything else is on "
          "Relais, for those the person allowed."),
    ))
    return subject, body


def notify(referral: Referral, event: str, *, link_for: LinkBuilder | None = None) -> int:
    """Queue the emails for the referral's new state `event`; return how many."""
    addresses = recipients(referral, event)
    if not addresses:
        return 0
    subject, body = message_for(referral, event, (link_for or referral_link)(referral))
    for address in addresses:
        queue_email(address, subject, body)
    db.session.flush()
    return len(addresses)
