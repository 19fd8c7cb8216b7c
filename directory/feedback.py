"""Anyone reading a listing can report an error; the report reaches the people who can fix it.

The reasons are DORA's list (directory.taxonomy.reference_list("service_feedback_reasons")).
Nothing is stored: the report is an email to the organisation's administrators (or, when it
has none yet, its members), queued in the request's transaction like every email.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask_babel import gettext as _

from accounts.mail import queue_email
from accounts.models import ACTIVE, ADMIN, Membership, User
from directory import taxonomy
from directory.models import Service
from errors import Invalid
from extensions import db

DETAILS_MAX_LENGTH = 2000
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def editors_of(organisation_id, *, admins_first: bool = True) -> list[User]:
    """Who answers for an organisation's listings: its active administrators, or its active
    members when it has no administrator, with a confirmed address (never a stranger's)."""
    rows = db.session.execute(
        sa.select(User, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.organisation_id == organisation_id,
            Membership.status == ACTIVE,
            User.email_verified_at.is_not(None),
        )
        .order_by(User.email)
    ).all()
    admins = [user for user, role in rows if role == ADMIN]
    if admins_first and admins:
        return admins
    return [user for user, _role in rows]


def report_error(
    service: Service, reason: str, details: str, reporter_email: str | None, link: str
) -> int:
    """Check the report and email it to the organisation's administrators; return how many
    emails were queued. The details are required with "another reason", since the reason
    alone then says nothing."""
    reasons = taxonomy.reference_list("service_feedback_reasons")
    errors: dict[str, list[str]] = {}
    if reason not in reasons:
        errors["reason"] = [_("Choose what is wrong.")]
    details = (details or "").replace("\r\n", "\n").strip()
    if _CONTROL.search(details):
        errors["details"] = [_("This text contains invisible characters that cannot be stored.")]
    elif len(details) > DETAILS_MAX_LENGTH:
        errors["details"] = [
            _(
                "Use at most %(max)s characters (there are %(count)s).",
                max=DETAILS_MAX_LENGTH,
                count=len(details),
            )
        ]
    elif not details and reason == reasons[-1]:
        errors["details"] = [_("Say what is wrong.")]
    reporter_email = (reporter_email or "").strip() or None
    if reporter_email and (len(reporter_email) > 254 or not _EMAIL.fullmatch(reporter_email)):
        errors["email"] = [_("Enter an email address like name@example.org, or leave it empty.")]
    if errors:
        raise Invalid(_("Some fields need your attention."), errors)
    recipients = editors_of(service.organisation_id)
    subject = _("Error reported on “%(service)s”", service=service.name)
    body = "\n\n".join(
        part
        for part in (
            _(
                "Someone reported an error on the listing “%(service)s” of %(organisation)s.",
                service=service.name,
                organisation=service.organisation.name,
            ),
            _("Reason: %(reason)s", reason=reason),
            _("Details: %(details)s", details=details) if details else "",
            _("They can be reached at %(email)s.", email=reporter_email)
            if reporter_email
            else _("They left no address."),
            _("Check and update the listing: %(link)s", link=link),
        )
        if part
    )
    for user in recipients:
        queue_email(user.email, subject, body)
    return len(recipients)
