"""Demo accounts, one for each role, so a newcomer can sign in as each kind of user.

They share one password, printed by `flask seed demo`; the platform administrator sets up
two-factor authentication at first sign-in, as every platform administrator must. Ids are
stable and rows are updated in place, like the rest of the demo.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from flask_babel import lazy_gettext as _l

from accounts.models import (
    ACTIVE,
    ADMIN,
    MEMBER,
    PENDING,
    Membership,
    TerritoryAssignment,
    User,
)
from extensions import db
from seed.demo_specs import demo_id

DEMO_PASSWORD = "relais-demo-2026"  # noqa: S105 (printed on purpose: demo data only)

FRANCE_TRAVAIL = "france-travail-lyon-part-dieu"
MISSION_LOCALE = "mission-locale-metropole-lyon"
CAP_EMPLOI = "cap-emploi-rhone"
# Declared on Relais, awaiting moderation (seed/demo_referrals.py writes it).
PENDING_ORGANISATION = "association-tremplin-rhone"


@dataclass(frozen=True)
class DemoAccount:
    key: str
    email: str
    name: str
    role: str  # what the account is, for the printed list (a lazy translation)
    memberships: tuple[tuple[str, str, str], ...] = ()  # (organisation key, role, status)
    territories: tuple[str, ...] = ()
    platform_admin: bool = False


ACCOUNTS = (
    DemoAccount("citizen", "camille.martin@example.org", "Camille Martin", _l("citizen")),
    DemoAccount("ft-member", "conseillere.ft@example.org", "Samia Benali",
                _l("member of France Travail Lyon Part-Dieu"),
                memberships=((FRANCE_TRAVAIL, MEMBER, ACTIVE),)),
    DemoAccount("ft-admin", "admin.ft@example.org", "Luc Girard",
                _l("administrator of France Travail Lyon Part-Dieu"),
                memberships=((FRANCE_TRAVAIL, ADMIN, ACTIVE),)),
    DemoAccount("ml-member", "conseiller.ml@example.org", "Hugo Perrin",
                _l("member of the Mission locale de la Métropole de Lyon"),
                memberships=((MISSION_LOCALE, MEMBER, ACTIVE),)),
    DemoAccount("ml-admin", "admin.ml@example.org", "Nadia Roux",
                _l("administrator of the Mission locale de la Métropole de Lyon"),
                memberships=((MISSION_LOCALE, ADMIN, ACTIVE),)),
    DemoAccount("applicant", "demande.capemploi@example.org", "Yanis Faure",
                _l("waiting for Cap emploi Rhône to accept their request"),
                memberships=((CAP_EMPLOI, MEMBER, PENDING),)),
    DemoAccount("pending-member", "tremplin.rhone@example.org", "Inès Morel",
                _l("member of Association Tremplin Rhône, awaiting moderation (its referrals "
                   "are held)"),
                memberships=((PENDING_ORGANISATION, MEMBER, ACTIVE),)),
    DemoAccount("territory", "territoire.rhone@example.org", "Claire Lambert",
                _l("territory manager for the Rhône (69)"), territories=("69",)),
    DemoAccount("platform", "admin.plateforme@example.org", "Admin Relais",
                _l("platform administrator (sets up two-factor sign-in first)"),
                platform_admin=True),
)


def write_demo_accounts(now: datetime | None = None) -> list[DemoAccount]:
    """Create or refresh the demo accounts and their memberships (no commit)."""
    now = now or datetime.now(UTC)
    hasher = PasswordHasher()
    for spec in ACCOUNTS:
        account = db.session.get(User, demo_id(f"account/{spec.key}"))
        if account is None:
            account = User(id=demo_id(f"account/{spec.key}"), email=spec.email,
                           password_hash=hasher.hash(DEMO_PASSWORD))
            db.session.add(account)
        elif not _password_is(hasher, account.password_hash, DEMO_PASSWORD):
            account.password_hash = hasher.hash(DEMO_PASSWORD)
        account.email, account.name = spec.email, spec.name
        account.email_verified_at = account.email_verified_at or now
        account.is_platform_admin = spec.platform_admin
        account.failed_logins, account.locked_until = 0, None
        for org_key, role, status in spec.memberships:
            membership_id = demo_id(f"account/{spec.key}/membership/{org_key}")
            membership = db.session.get(Membership, membership_id)
            if membership is None:
                membership = Membership(id=membership_id, user=account,
                                        organisation_id=demo_id(org_key))
                db.session.add(membership)
            membership.role, membership.status = role, status
            membership.decided_at = now if status == ACTIVE else None
        for code in spec.territories:
            if db.session.get(TerritoryAssignment, (account.id, code)) is None:
                db.session.add(TerritoryAssignment(user=account, departement_code=code))
    db.session.flush()
    return list(ACCOUNTS)


def _password_is(hasher: PasswordHasher, password_hash: str, password: str) -> bool:
    try:
        return hasher.verify(password_hash, password)
    except VerificationError:
        return False
