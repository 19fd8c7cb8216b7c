"""Who acts for an organisation: requests to join, decisions, roles, invitations.

A person asks to join an organisation; its administrators accept or refuse. When it has no
active administrator the request is for the administrator role and its moderators (territory
managers of its département, platform administrators) decide instead, since nobody inside
can vouch for the requester. Administrators can also invite by email: the link carries a
random token of which only the SHA-256 is stored, and expires.

Functions here check permissions themselves (accounts.permissions), flush but never commit,
and queue their emails in the caller's transaction.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from accounts import permissions
from accounts.mail import queue_email
from accounts.models import (
    ACTIVE,
    ADMIN,
    MEMBER,
    ORGANISATION_ROLES,
    PENDING,
    REFUSED,
    Invitation,
    Membership,
    User,
)
from directory.models import MODERATION_APPROVED, Organisation
from errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from extensions import db

MAX_MESSAGE = 1000
DEFAULT_INVITATION_DAYS = 7


def _now() -> datetime:
    return datetime.now(UTC)


def _link(endpoint: str, **values) -> str:
    """An absolute link for an email (needs a request, or SERVER_NAME in the config)."""
    return url_for(endpoint, _external=True, **values)


# ---------------------------------------------------------------------------------------------
# Reading


def active_admins(organisation: Organisation) -> list[User]:
    """The organisation's active administrators, by name."""
    return list(
        db.session.scalars(
            sa.select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.organisation_id == organisation.id,
                Membership.status == ACTIVE,
                Membership.role == ADMIN,
            )
            .order_by(User.name, User.email)
        )
    )


def has_active_admin(organisation: Organisation) -> bool:
    return bool(active_admins(organisation))


def memberships_of_user(user: User) -> list[Membership]:
    """Every membership of a user (active, pending, refused), by organisation name."""
    return list(
        db.session.scalars(
            sa.select(Membership)
            .join(Organisation, Organisation.id == Membership.organisation_id)
            .where(Membership.user_id == user.id)
            .options(selectinload(Membership.organisation))
            .order_by(Organisation.name)
        )
    )


def members_of(organisation: Organisation) -> list[Membership]:
    """Active memberships, administrators first, then by name."""
    return list(
        db.session.scalars(
            sa.select(Membership)
            .join(User, User.id == Membership.user_id)
            .where(Membership.organisation_id == organisation.id, Membership.status == ACTIVE)
            .options(selectinload(Membership.user))
            .order_by(sa.case((Membership.role == ADMIN, 0), else_=1), User.name, User.email)
        )
    )


def pending_requests_of(organisation: Organisation) -> list[Membership]:
    """Requests waiting for a decision, oldest first."""
    return list(
        db.session.scalars(
            sa.select(Membership)
            .where(Membership.organisation_id == organisation.id, Membership.status == PENDING)
            .options(selectinload(Membership.user))
            .order_by(Membership.requested_at)
        )
    )


def pending_invitations_of(organisation: Organisation) -> list[Invitation]:
    """Invitations not yet accepted (expired ones included, so they can be sent again)."""
    return list(
        db.session.scalars(
            sa.select(Invitation)
            .where(Invitation.organisation_id == organisation.id, Invitation.accepted_at.is_(None))
            .order_by(Invitation.created_at)
        )
    )


def membership_in(organisation: Organisation, membership_id) -> Membership:
    """A membership of this organisation, or NotFound: an id of another organisation's
    membership named under this one is not found, never acted on."""
    link = db.session.get(Membership, membership_id)
    if link is None or link.organisation_id != organisation.id:
        raise NotFound(_("This person is not part of this organisation."))
    return link


# ---------------------------------------------------------------------------------------------
# Asking to join and deciding


def request_to_join(user: User, organisation: Organisation, message: str = "") -> Membership:
    """A verified user asks to join an approved organisation.

    When the organisation has an active administrator the request is for the member role and
    goes to its administrators; when it has none, it is for the administrator role and goes to
    its moderators. A refused request may be made again; a pending or active one may not."""
    permissions.require(
        user.is_verified, _("Confirm your email address before asking to join an organisation.")
    )
    if organisation.moderation_status != MODERATION_APPROVED:
        raise NotFound(_("This organisation does not exist."))
    message = (message or "").strip()
    if len(message) > MAX_MESSAGE:
        text = _("Keep the message under %(max)d characters.", max=MAX_MESSAGE)
        raise Invalid(text, {"message": [text]})
    link = db.session.scalar(
        sa.select(Membership).where(
            Membership.user_id == user.id, Membership.organisation_id == organisation.id
        )
    )
    if link is not None and link.status == ACTIVE:
        raise Conflict(_("You are already a member of this organisation."))
    if link is not None and link.status == PENDING:
        raise Conflict(_("You have already asked to join this organisation."))
    admins = active_admins(organisation)
    if link is None:
        link = Membership(user=user, organisation=organisation)
        db.session.add(link)
    link.role = MEMBER if admins else ADMIN
    link.status = PENDING
    link.message = message or None
    link.requested_at = _now()
    link.decided_at = link.decided_by_id = None
    db.session.flush()
    recipients = admins or permissions.moderators_of(organisation)
    where = (
        _link("organisations.members", organisation_id=organisation.id)
        if admins
        else _link("organisations.moderation")
    )
    for recipient in recipients:
        queue_email(
            recipient.email,
            _(
                "%(name)s asks to join %(organisation)s",
                name=user.name,
                organisation=organisation.name,
            ),
            _new_request_body(user, organisation, link, where),
        )
    return link


def _new_request_body(user: User, organisation: Organisation, link: Membership, where: str):
    lines = [
        _(
            "%(name)s (%(email)s) asks to join %(organisation)s.",
            name=user.name,
            email=user.email,
            organisation=organisation.name,
        ),
    ]
    if link.role == ADMIN:
        lines.append(
            _(
                "The organisation has no administrator yet: this person asks to be its "
                "administrator."
            )
        )
    if link.message:
        lines += ["", _("Their message:"), link.message]
    lines += ["", _("Accept or refuse the request here: %(link)s", link=where)]
    return "\n".join(lines)


def decide_request(
    actor: User, membership: Membership, accept: bool, *, second_factor: bool | None = None
) -> Membership:
    """Accept or refuse a pending request (see permissions.can_decide_membership for who
    may); the requester is told by email either way."""
    permissions.require(
        permissions.can_decide_membership(actor, membership, second_factor=second_factor)
    )
    if membership.status != PENDING:
        raise Conflict(_("This request has already been answered."))
    membership.status = ACTIVE if accept else REFUSED
    membership.decided_at = _now()
    membership.decided_by_id = actor.id
    db.session.flush()
    organisation = membership.organisation
    if accept:
        subject = _("You are now part of %(organisation)s", organisation=organisation.name)
        body = _(
            "Your request to join %(organisation)s was accepted. You can act for it "
            "from your space: %(link)s",
            organisation=organisation.name,
            link=_link("organisations.dashboard"),
        )
    else:
        subject = _("Your request to join %(organisation)s", organisation=organisation.name)
        body = _(
            "Your request to join %(organisation)s was not accepted. If you think this "
            "is a mistake, contact the organisation directly.",
            organisation=organisation.name,
        )
    queue_email(membership.user.email, subject, body)
    return membership


# ---------------------------------------------------------------------------------------------
# Roles and removal


def _is_last_admin(membership: Membership) -> bool:
    if membership.status != ACTIVE or membership.role != ADMIN:
        return False
    others = db.session.scalar(
        sa.select(sa.func.count(Membership.id)).where(
            Membership.organisation_id == membership.organisation_id,
            Membership.status == ACTIVE,
            Membership.role == ADMIN,
            Membership.id != membership.id,
        )
    )
    return not others


def change_role(
    actor: User, membership: Membership, role: str, *, second_factor: bool | None = None
) -> Membership:
    """Make an active member an administrator or the reverse. The last administrator cannot
    be demoted: an organisation without one would need a moderator to recover."""
    permissions.require(
        permissions.can_manage_members(actor, membership.organisation, second_factor=second_factor)
    )
    if role not in ORGANISATION_ROLES:
        text = _("Choose member or administrator.")
        raise Invalid(text, {"role": [text]})
    if membership.status != ACTIVE:
        raise Conflict(_("Only active members have a role to change."))
    if role == MEMBER and _is_last_admin(membership):
        raise Conflict(
            _(
                "This is the organisation's only administrator: make someone else "
                "administrator first."
            )
        )
    membership.role = role
    db.session.flush()
    return membership


def remove_member(
    actor: User, membership: Membership, *, second_factor: bool | None = None
) -> None:
    """Remove someone from the organisation (the row goes: they may ask again later). The
    last administrator cannot be removed."""
    permissions.require(
        permissions.can_manage_members(actor, membership.organisation, second_factor=second_factor)
    )
    if membership.status != ACTIVE:
        raise Conflict(_("This person is not an active member."))
    if _is_last_admin(membership):
        raise Conflict(
            _(
                "This is the organisation's only administrator: make someone else "
                "administrator first."
            )
        )
    db.session.delete(membership)
    db.session.flush()


# ---------------------------------------------------------------------------------------------
# Invitations


class InvitationGone(DomainError):
    """A real invitation that can no longer be used (expired or already accepted)."""

    status = 410


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_days() -> int:
    return int(current_app.config.get("RELAIS_INVITATION_DAYS", DEFAULT_INVITATION_DAYS))


@dataclass(frozen=True)
class SentInvitation:
    invitation: Invitation
    token: str  # only ever in the email; the database keeps its hash


def invite(
    actor: User,
    organisation: Organisation,
    email: str,
    role: str,
    *,
    second_factor: bool | None = None,
) -> SentInvitation:
    """Invite someone by email with a role. Inviting the same address again replaces the
    previous pending invitation (its link stops working), so there is one live link per
    person and organisation."""
    permissions.require(
        permissions.can_manage_members(actor, organisation, second_factor=second_factor)
    )
    email = (email or "").strip().lower()
    if role not in ORGANISATION_ROLES:
        text = _("Choose member or administrator.")
        raise Invalid(text, {"role": [text]})
    already = db.session.scalar(
        sa.select(Membership.id)
        .join(User, User.id == Membership.user_id)
        .where(
            Membership.organisation_id == organisation.id,
            Membership.status == ACTIVE,
            sa.func.lower(User.email) == email,
        )
    )
    if already is not None:
        text = _("This person is already a member of the organisation.")
        raise Invalid(text, {"email": [text]})
    db.session.execute(
        sa.delete(Invitation).where(
            Invitation.organisation_id == organisation.id,
            Invitation.email == email,
            Invitation.accepted_at.is_(None),
        )
    )
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        organisation=organisation,
        email=email,
        role=role,
        token_hash=token_hash(token),
        invited_by_id=actor.id,
        created_at=_now(),
        expires_at=_now() + timedelta(days=invitation_days()),
    )
    db.session.add(invitation)
    db.session.flush()
    role_name = _("administrator") if role == ADMIN else _("member")
    queue_email(
        email,
        _("Invitation to join %(organisation)s on Relais", organisation=organisation.name),
        "\n".join(
            [
                _(
                    "%(name)s invites you to join %(organisation)s on Relais as %(role)s.",
                    name=actor.name,
                    organisation=organisation.name,
                    role=role_name,
                ),
                "",
                _(
                    "Sign in (or create your account) with this email address, then open this "
                    "link to accept: %(link)s",
                    link=_link("organisations.invitation", token=token),
                ),
                "",
                _("The link works once and expires in %(days)d days.", days=invitation_days()),
            ]
        ),
    )
    return SentInvitation(invitation, token)


def cancel_invitation(
    actor: User, organisation: Organisation, invitation_id, *, second_factor: bool | None = None
) -> None:
    """Withdraw a pending invitation of this organisation (another organisation's id is not
    found)."""
    permissions.require(
        permissions.can_manage_members(actor, organisation, second_factor=second_factor)
    )
    invitation = db.session.get(Invitation, invitation_id)
    if (
        invitation is None
        or invitation.organisation_id != organisation.id
        or invitation.accepted_at is not None
    ):
        raise NotFound(_("This invitation does not exist."))
    db.session.delete(invitation)
    db.session.flush()


def open_invitation(token: str) -> Invitation:
    """The invitation a link names: NotFound for an unknown (forged, replaced or withdrawn)
    token, InvitationGone once used or expired."""
    invitation = db.session.scalar(
        sa.select(Invitation).where(Invitation.token_hash == token_hash(token or ""))
    )
    if invitation is None:
        raise NotFound(
            _(
                "This invitation link is not valid. It may have been replaced by a "
                "newer invitation: ask the organisation to send it again."
            )
        )
    if invitation.accepted_at is not None:
        raise InvitationGone(_("This invitation has already been used."))
    expires_at = invitation.expires_at
    if expires_at.tzinfo is None:  # SQLite gives back naive UTC datetimes
        expires_at = expires_at.replace(tzinfo=UTC)
    if expires_at <= _now():
        raise InvitationGone(
            _("This invitation has expired. Ask the organisation to send you a new one.")
        )
    return invitation


def invitation_is_for(user: User, invitation: Invitation) -> bool:
    """An invitation is for the account registered with the address it was sent to."""
    return user.email.strip().lower() == invitation.email


def accept_invitation(user: User, token: str) -> Membership:
    """The invited person, signed in with the invited address and verified, joins with the
    invitation's role. An earlier request becomes this membership; an administrator is never
    demoted by accepting an invitation as member."""
    invitation = open_invitation(token)
    if not invitation_is_for(user, invitation):
        raise Forbidden(
            _(
                "This invitation was sent to another email address. Sign in with "
                "the account of that address to accept it."
            )
        )
    permissions.require(
        user.is_verified, _("Confirm your email address before accepting the invitation.")
    )
    link = db.session.scalar(
        sa.select(Membership).where(
            Membership.user_id == user.id,
            Membership.organisation_id == invitation.organisation_id,
        )
    )
    if link is None:
        link = Membership(user=user, organisation=invitation.organisation, role=invitation.role)
        db.session.add(link)
    elif not (link.status == ACTIVE and link.role == ADMIN):
        link.role = invitation.role
    link.status = ACTIVE
    link.decided_at = _now()
    link.decided_by_id = invitation.invited_by_id
    invitation.accepted_at = _now()
    db.session.flush()
    return link
