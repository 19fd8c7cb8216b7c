"""Emails at each referral transition, to the parties concerned, through the outbox.

    sent (or released by the moderator)        → the receiving organisation's active members
    accepted, declined, completed, closed, expired → the sender
    cancelled (once it had been sent)           → the receiving organisation's active members
    sent, accepted, declined, completed         → the person too, when they have an email
                                                  address and chose to be contacted by email

An organisation where nobody can sign in (no active member with a confirmed address) is
written to at its own address on record instead: a sent referral comes with a magic link
to answer it (referrals/magic_link.py), a cancellation with a plain notice. Emails to the
person carry the link that withdraws their consent to the referral without signing in.

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
from referrals import magic_link
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
MAGIC_LINK_ENDPOINT, MAGIC_LINK_PATH = "magic_link.show", "/orientation/lien/{token}"
OWN_SPACE_ENDPOINT, OWN_SPACE_PATH = "own_space.home", "/mon-espace"

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


def _site_link(endpoint: str, path: str, **values) -> str:
    """An absolute link within a request, the path otherwise (CLI, seed)."""
    if has_request_context() and endpoint in current_app.view_functions:
        return url_for(endpoint, _external=True, **values)
    return path


def magic_link_url(token: str) -> str:
    return _site_link(MAGIC_LINK_ENDPOINT, MAGIC_LINK_PATH.format(token=token), token=token)


def _person_addresses(referral: Referral) -> set[str]:
    """The person's own addresses: their record's and their account's."""
    person = referral.person
    if person is None or person.erased_at is not None:
        return set()
    found = {person.email} if person.email else set()
    if person.user_id is not None:
        account = db.session.get(User, person.user_id)
        if account is not None:
            found.add(account.email)
    return {a.lower() for a in found}


def message_to_person(referral: Referral, status: str) -> tuple[str, str]:
    """What the person reads: the state, their space when they have an account, and the
    link that withdraws their consent at once, without signing in."""
    from referrals.own_space import withdrawal_link  # own_space shows status_label

    service, state = referral.service.name, status_label(status)
    parts = [_("Your referral to the service “%(service)s” is now %(state)s.",
               service=service, state=state)]
    if referral.person.user_id is not None:
        parts.append(_("Sign in to Relais to follow it: %(link)s",
                       link=_site_link(OWN_SPACE_ENDPOINT, OWN_SPACE_PATH)))
    if referral.consent is not None and referral.consent.withdrawn_at is None:
        parts.append(_("You agreed to share some of your information with the organisation "
                       "that receives this referral. You can withdraw this consent at any "
                       "time, and it stops at once: %(link)s",
                       link=withdrawal_link(referral.consent)))
    subject = _("Referral to “%(service)s”: %(state)s", service=service, state=state)
    return subject, "\n\n".join(parts)


def message_with_magic_link(referral: Referral, url: str, expires_at) -> tuple[str, str]:
    """To an organisation nobody can sign in for: the referral is waiting, and the link that
    answers it (this referral only, until its date). Still nothing about the person."""
    service = referral.service.name
    subject = _("Referral to “%(service)s”: %(state)s", service=service,
                state=status_label(SENT))
    body = "\n\n".join((
        _("A referral to your service “%(service)s” has been sent to %(organisation)s "
          "through Relais.", service=service,
          organisation=referral.receiving_organisation.name),
        _("Nobody at your organisation has an account on Relais yet, so this email carries "
          "a personal link. It opens this referral only, without an account, so that you can "
          "read what the person agreed to share, accept or decline it, and write to the "
          "sender. It works until %(date)s; after that, its page lets you ask for a new one, "
          "sent to this address: %(link)s", date=expires_at.strftime("%d/%m/%Y"), link=url),
        _("Do not forward this email: whoever holds the link can act for your organisation "
          "on this referral."),
        _("Once someone at your organisation has an account on Relais, links stop working: "
          "sign in to answer referrals instead."),
    ))
    return subject, body


def queue_magic_link(referral: Referral, issued: magic_link.Issued, *,
                     subject: str | None = None, lead: str | None = None) -> None:
    """Email a link just issued to the address it was issued for (the one on record); a
    reminder gives its own subject and first paragraph."""
    default_subject, body = message_with_magic_link(referral, magic_link_url(issued.token),
                                                    issued.link.expires_at)
    queue_email(issued.link.address, subject or default_subject,
                "\n\n".join((lead, body)) if lead else body)


def _tell_organisation_without_account(referral: Referral, event: str) -> int:
    """The organisation's own address, when nobody could sign in to read the news."""
    organisation = referral.receiving_organisation
    if event == SENT:
        issued = magic_link.issue(referral)
        if issued is None:
            return 0
        queue_magic_link(referral, issued)
        return 1
    if (event == CANCELLED and referral.sent_at is not None
            and magic_link.needs_link(organisation)):
        subject = message_for(referral, event, "")[0]
        body = _("The referral to the service “%(service)s” sent to %(organisation)s has been "
                 "cancelled by its sender: there is nothing more to do.",
                 service=referral.service.name, organisation=organisation.name)
        queue_email(organisation.email, subject, body)
        return 1
    return 0


def notify(referral: Referral, event: str, *, link_for: LinkBuilder | None = None) -> int:
    """Queue the emails for the referral's new state `event`; return how many."""
    addresses = recipients(referral, event)
    count = _tell_organisation_without_account(referral, event)
    if addresses:
        subject, body = message_for(referral, event, (link_for or referral_link)(referral))
        personal = _person_addresses(referral)
        for address in addresses:
            if address in personal:
                queue_email(address, *message_to_person(referral, event))
            else:
                queue_email(address, subject, body)
    db.session.flush()
    return count + len(addresses)
