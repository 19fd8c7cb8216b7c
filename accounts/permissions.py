"""Who may do what with an organisation: the one place that answers it.

Every view and domain function of the accounts and listings areas asks these functions rather
than reading roles itself, so a rule changes in one place and the tables in
tests/accounts/test_permissions.py say what each kind of user may do.

Platform administrators only act as such once they have given their second factor in the
current session (session key "relais_2fa", set at sign-in): a stolen password alone must not
open the whole platform. Functions that can grant a platform administrator's power take
`second_factor`: pass True/False explicitly (domain tests, CLI), or leave it None to read the
current request's session (False outside a request).
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import has_request_context, session
from flask_babel import gettext as _
from flask_login import current_user

from accounts.models import (
    ACTIVE,
    ADMIN,
    Membership,
    TerritoryAssignment,
    User,
)
from directory.models import Organisation
from errors import Forbidden
from extensions import db
from geo.models import Commune

SECOND_FACTOR_DONE = "relais_2fa"


# ---------------------------------------------------------------------------------------------
# Platform administrators and the second factor


def second_factor_done() -> bool:
    """Whether the person of the current request gave their second factor in this session
    (False outside a request: a CLI or a test must say so explicitly)."""
    return has_request_context() and bool(session.get(SECOND_FACTOR_DONE))


def acts_as_platform_admin(user: User | None, *, second_factor: bool | None = None) -> bool:
    """A platform administrator who gave their second factor; without it they are treated as
    any other user, whatever else they are."""
    if user is None or not user.is_platform_admin:
        return False
    return second_factor_done() if second_factor is None else second_factor


# ---------------------------------------------------------------------------------------------
# Organisations


def _active_membership(user: User | None, organisation: Organisation) -> Membership | None:
    if user is None or organisation is None or organisation.id is None:
        return None
    return db.session.scalar(
        sa.select(Membership).where(
            Membership.user_id == user.id,
            Membership.organisation_id == organisation.id,
            Membership.status == ACTIVE,
        )
    )


def is_member(user: User | None, organisation: Organisation) -> bool:
    """An active member of the organisation, whatever the role (administrators are members
    too). Pending and refused requests are not membership."""
    return _active_membership(user, organisation) is not None


def is_org_admin(user: User | None, organisation: Organisation) -> bool:
    """An active administrator of the organisation."""
    link = _active_membership(user, organisation)
    return link is not None and link.role == ADMIN


def can_edit_listings(
    user: User | None, organisation: Organisation, *, second_factor: bool | None = None
) -> bool:
    """Create and change the organisation's services: its active members and administrators
    with a verified email (what they publish must be traceable to a real address), and
    platform administrators."""
    if acts_as_platform_admin(user, second_factor=second_factor):
        return True
    return user is not None and user.is_verified and is_member(user, organisation)


def can_manage_members(
    user: User | None, organisation: Organisation, *, second_factor: bool | None = None
) -> bool:
    """Accept or refuse requests, invite, change roles and remove members: the
    organisation's verified administrators, and platform administrators."""
    if acts_as_platform_admin(user, second_factor=second_factor):
        return True
    return user is not None and user.is_verified and is_org_admin(user, organisation)


# ---------------------------------------------------------------------------------------------
# Territory managers


def departement_of(organisation: Organisation) -> str | None:
    """The département an organisation belongs to, for moderation: its commune's, or read
    from its postcode when it has no commune (imported records often lack the code).

    Postcodes mostly start with the département code; the exceptions handled are overseas
    (97x → three digits) and Corsica (20xxx → 2A below 20200, else 2B)."""
    if organisation.commune_code:
        code = db.session.scalar(
            sa.select(Commune.departement_code).where(Commune.code == organisation.commune_code)
        )
        if code:
            return code
    postcode = (organisation.postcode or "").strip()
    if len(postcode) != 5 or not postcode.isdigit():
        return None
    if postcode.startswith("97"):
        return postcode[:3]
    if postcode.startswith("20"):
        return "2A" if postcode < "20200" else "2B"
    return postcode[:2]


def managed_departements(user: User | None) -> set[str]:
    """The départements a user is territory manager of (none for most users)."""
    if user is None or user.id is None:
        return set()
    return set(
        db.session.scalars(
            sa.select(TerritoryAssignment.departement_code).where(
                TerritoryAssignment.user_id == user.id
            )
        )
    )


def can_moderate(
    user: User | None, organisation: Organisation, *, second_factor: bool | None = None
) -> bool:
    """Approve a new organisation, or the first administrator of one that has none: the
    territory managers of its département (verified), and platform administrators. An
    organisation whose département cannot be told is left to platform administrators."""
    if acts_as_platform_admin(user, second_factor=second_factor):
        return True
    if user is None or not user.is_verified:
        return False
    departement = departement_of(organisation)
    return departement is not None and departement in managed_departements(user)


def moderates_something(user: User | None, *, second_factor: bool | None = None) -> bool:
    """Whether the moderation queue is for this user at all."""
    if acts_as_platform_admin(user, second_factor=second_factor):
        return True
    return user is not None and user.is_verified and bool(managed_departements(user))


def moderators_of(organisation: Organisation) -> list[User]:
    """Who is told about a new organisation or a first-administrator request: the territory
    managers of its département and the platform administrators (the inverse of
    can_moderate, so the people emailed are the people who can act)."""
    departement = departement_of(organisation)
    managers = sa.select(TerritoryAssignment.user_id).where(
        TerritoryAssignment.departement_code == departement
    )
    query = sa.select(User).where(
        sa.or_(
            User.is_platform_admin.is_(True),
            sa.and_(User.id.in_(managers), User.email_verified_at.is_not(None)),
        )
    )
    return list(db.session.scalars(query.order_by(User.email)))


def can_decide_membership(
    user: User | None, membership: Membership, *, second_factor: bool | None = None
) -> bool:
    """Accept or refuse a request to join. An organisation's administrators decide who joins
    it; when it has no active administrator (the request is then for the administrator role)
    nobody inside can vouch for the requester, so its moderators decide."""
    organisation = membership.organisation
    has_admin = db.session.scalar(
        sa.select(sa.func.count(Membership.id)).where(
            Membership.organisation_id == organisation.id,
            Membership.status == ACTIVE,
            Membership.role == ADMIN,
        )
    )
    if has_admin:
        return can_manage_members(user, organisation, second_factor=second_factor)
    return can_moderate(user, organisation, second_factor=second_factor)


# ---------------------------------------------------------------------------------------------
# Enforcement


def require(allowed: bool, message: str | None = None) -> None:
    """Raise Forbidden unless allowed: `require(can_manage_members(user, org))`."""
    if not allowed:
        raise Forbidden(message or _("You are not allowed to do this."))


def current_user_or_none() -> User | None:
    """The signed-in user of this request, or None for a visitor. Pages that need someone
    signed in use accounts.access.login_required, which also asks for a due second factor."""
    if not current_user.is_authenticated:
        return None
    return current_user._get_current_object()
