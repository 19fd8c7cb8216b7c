"""The consent ledger and the one enforcement point for reading personal data.

A consent records the person; the organisations it is given to; the purpose (a referral to a
service, or a follow-up); the categories of data it covers (identity, contact, situation
facts, each document by name); how it was given (online by the person, or in person or by
phone to a named advisor who attests it); the exact text shown and its version; when; until
when (6 months by default); and its withdrawal.

`read_person()` is the only way code reads a person's data for someone: it checks the reader
against the ledger at that very moment (a withdrawal or an expiry takes effect at the next
read), returns only the categories allowed, and writes the read to the audit log. A reader
with no valid consent learns nothing, not even that the person exists (NotFound).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from accounts.models import ACTIVE, Membership, User
from directory.models import Organisation, Service
from errors import Forbidden, Invalid, NotFound
from extensions import db
from referrals import audit
from referrals.models import (
    BY_PHONE,
    CATEGORIES,
    CONSENT_METHODS,
    CONTACT,
    DOCUMENT_PREFIX,
    IDENTITY,
    IN_PERSON,
    ONLINE,
    PURPOSE_REFERRAL,
    PURPOSES,
    SITUATION,
    Consent,
    ConsentGrant,
    Person,
)
from referrals.principals import is_link_holder

DEFAULT_VALIDITY = timedelta(days=183)  # six months
MAX_VALIDITY = timedelta(days=3 * 366)
TEXT_VERSION = "2026-11-1"


def now_utc() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


# ---------------------------------------------------------------------------------------------
# The text people agree to


def category_label(category: str) -> str:
    if category.startswith(DOCUMENT_PREFIX):
        from referrals.documents import names_by_category  # documents build on the ledger

        name = names_by_category([category]).get(category, category[len(DOCUMENT_PREFIX):])
        return _("the document “%(name)s”", name=name)
    return {
        IDENTITY: _("your identity (name, date of birth, France Travail number)"),
        CONTACT: _("how to contact you (email, phone)"),
        SITUATION: _("your situation as you described it (age, benefits, disability "
                     "recognition…)"),
    }.get(category, category)


def consent_text(
    purpose: str,
    organisations: Iterable[Organisation],
    categories: Iterable[str],
    until: date,
    service: Service | None = None,
) -> str:
    """The words shown (or read out) to the person; stored as they were, with TEXT_VERSION."""
    names = ", ".join(sorted(o.name for o in organisations))
    shared = "; ".join(category_label(c) for c in categories)
    if purpose == PURPOSE_REFERRAL and service is not None:
        aim = _("so that they can answer your request for “%(service)s”", service=service.name)
    else:
        aim = _("so that they can accompany you")
    return _(
        "I agree that %(organisations)s may see %(data)s, %(aim)s, until %(until)s. "
        "I can withdraw this consent at any time, online or by asking an advisor; "
        "it then stops at once.",
        organisations=names, data=shared, aim=aim, until=until.strftime("%d/%m/%Y"),
    )


# ---------------------------------------------------------------------------------------------
# Giving and withdrawing


def give_consent(
    person: Person,
    *,
    purpose: str,
    organisations: list[Organisation],
    categories: list[str],
    method: str,
    text: str,
    text_version: str = TEXT_VERSION,
    attested_by: User | None = None,
    given_by: User | None = None,
    service: Service | None = None,
    valid_for: timedelta = DEFAULT_VALIDITY,
    now: datetime | None = None,
) -> Consent:
    """Record a consent; Invalid with a message per field when it cannot stand. Audited."""
    now = now or now_utc()
    errors: dict[str, list[str]] = {}
    if purpose not in PURPOSES:
        errors["purpose"] = [_("Choose what the consent is for.")]
    if method not in CONSENT_METHODS:
        errors["method"] = [_("Say how the person gave their consent.")]
    elif method in (IN_PERSON, BY_PHONE) and attested_by is None:
        errors["method"] = [_("A consent given in person or by phone is attested by the "
                              "advisor who received it.")]
    elif method == ONLINE and (given_by is None or given_by.id != person.user_id):
        errors["method"] = [_("Only the person, signed in, can give a consent online.")]
    if not organisations:
        errors["organisations"] = [_("Name at least one organisation.")]
    unknown = [c for c in categories
               if c not in CATEGORIES and not c.startswith(DOCUMENT_PREFIX)]
    if not categories or unknown:
        errors["categories"] = [_("Choose which information is shared.")]
    if not text or not text.strip():
        errors["text"] = [_("The consent keeps the exact text shown to the person.")]
    if not timedelta(days=1) <= valid_for <= MAX_VALIDITY:
        errors["valid_for"] = [_("A consent lasts from one day to three years.")]
    if purpose == PURPOSE_REFERRAL and service is None:
        errors["service"] = [_("A referral consent names the service.")]
    if errors:
        raise Invalid(_("This consent cannot be recorded."), errors)
    consent = Consent(
        person_id=person.id, purpose=purpose, service_id=service.id if service else None,
        categories=list(dict.fromkeys(categories)), method=method,
        attested_by_id=attested_by.id if attested_by else None, text=text.strip(),
        text_version=text_version, given_at=now, expires_at=now + valid_for,
        grants=[ConsentGrant(organisation_id=o.id) for o in
                {o.id: o for o in organisations}.values()],
    )
    db.session.add(consent)
    db.session.flush()
    actor = attested_by or given_by
    audit.record("consent-given", "consent", consent.id, actor=actor,
                 actor_kind="person" if method == ONLINE else "user",
                 person_id=person.id, now=now,
                 details={"organisations": sorted(str(o.id) for o in organisations),
                          "categories": consent.categories, "purpose": purpose,
                          "method": method, "expires_at": consent.expires_at})
    return consent


def withdraw(consent: Consent, *, by: User | None, on_behalf: bool = False,
             now: datetime | None = None) -> bool:
    """Withdraw a consent (the person, or an advisor on their behalf). Takes effect at the
    next read. Returns False when it was already withdrawn. Audited."""
    if consent.withdrawn_at is not None:
        return False
    now = now or now_utc()
    consent.withdrawn_at = now
    consent.withdrawn_by_id = by.id if by is not None else None
    db.session.flush()
    audit.record("consent-withdrawn", "consent", consent.id, actor=by,
                 actor_kind="user" if on_behalf else "person", person_id=consent.person_id,
                 now=now)
    return True


# ---------------------------------------------------------------------------------------------
# Who may read what


def active_organisation_ids(user: User | None) -> set[uuid.UUID]:
    """The organisations a user is an active member of (none for a link holder, who is no
    member of anything)."""
    if user is None or is_link_holder(user):
        return set()
    return set(db.session.scalars(
        sa.select(Membership.organisation_id).where(
            Membership.user_id == user.id, Membership.status == ACTIVE)
    ))


def valid_consents(person_id: uuid.UUID, organisation_ids: Iterable[uuid.UUID],
                   now: datetime | None = None) -> list[Consent]:
    """The consents of the person given to any of these organisations, valid now."""
    ids = list(organisation_ids)
    if not ids:
        return []
    now = now or now_utc()
    consents = db.session.scalars(
        sa.select(Consent).join(ConsentGrant).where(
            Consent.person_id == person_id,
            ConsentGrant.organisation_id.in_(ids),
            Consent.withdrawn_at.is_(None),
        ).execution_options(populate_existing=True)  # a withdrawal elsewhere counts at once
    ).unique().all()
    return [c for c in consents if _aware(c.expires_at) > _aware(now)]


def allowed_categories(actor: User | None, person: Person,
                       now: datetime | None = None) -> tuple[set[str], uuid.UUID | None]:
    """The categories the actor may read now, and the organisation that makes it so.

    The holder of a magic link reads as the receiving organisation, and only the person of
    its referral under that referral's own consent (valid now, given to that organisation)."""
    if is_link_holder(actor):
        if person.id != actor.person_id:
            return set(), None
        held = [c for c in valid_consents(person.id, [actor.organisation_id], now)
                if c.id == actor.consent_id]
        return (set(held[0].categories), actor.organisation_id) if held else (set(), None)
    if actor is not None and person.user_id is not None and person.user_id == actor.id:
        return {*CATEGORIES, "document:*"}, None
    allowed: set[str] = set()
    via = None
    for consent in valid_consents(person.id, active_organisation_ids(actor), now):
        allowed |= set(consent.categories)
        mine = consent.organisation_ids & active_organisation_ids(actor)
        via = via or (sorted(mine)[0] if mine else None)
    return allowed, via


def can_read(actor: User | None, person: Person, category: str,
             now: datetime | None = None) -> bool:
    allowed, _via = allowed_categories(actor, person, now)
    return category in allowed or (category.startswith(DOCUMENT_PREFIX)
                                   and "document:*" in allowed)


@dataclass(frozen=True)
class PersonView:
    """What a reader may see of a person: categories not allowed stay None."""

    id: uuid.UUID
    categories: frozenset[str]
    first_name: str | None = None
    last_name: str | None = None
    birth_date: date | None = None
    france_travail_id: str | None = None
    email: str | None = None
    phone: str | None = None
    preferred_channel: str | None = None
    extra: dict = field(default_factory=dict)


def read_person(actor: User | None, person_id: uuid.UUID | str, categories: Iterable[str],
                *, purpose: str, now: datetime | None = None) -> PersonView:
    """THE enforcement point: the person's data in the requested categories the actor may
    read now, audited. NotFound when the actor may read none of them (or there is no such
    person): an organisation without consent cannot even learn the person exists."""
    try:
        pid = person_id if isinstance(person_id, uuid.UUID) else uuid.UUID(str(person_id))
    except ValueError:
        raise NotFound(_("This person does not exist, or you cannot see them.")) from None
    person = db.session.get(Person, pid)
    if person is None or person.erased_at is not None:
        raise NotFound(_("This person does not exist, or you cannot see them."))
    allowed, via = allowed_categories(actor, person, now)
    wanted = set(categories)
    granted = {c for c in wanted if c in allowed or (c.startswith(DOCUMENT_PREFIX)
                                                      and "document:*" in allowed)}
    if not granted:
        audit.record("read-refused", "person", person.id, actor=actor, person_id=person.id,
                     details={"categories": sorted(wanted), "purpose": purpose}, now=now)
        raise NotFound(_("This person does not exist, or you cannot see them."))
    audit.record("read", "person", person.id, actor=actor,
                 actor_kind="person" if via is None else "user", organisation_id=via,
                 person_id=person.id, details={"categories": sorted(granted),
                                               "purpose": purpose}, now=now)
    view = {"id": person.id, "categories": frozenset(granted)}
    if IDENTITY in granted:
        view |= {"first_name": person.first_name, "last_name": person.last_name,
                 "birth_date": person.birth_date, "france_travail_id": person.france_travail_id}
    if CONTACT in granted:
        view |= {"email": person.email, "phone": person.phone,
                 "preferred_channel": person.preferred_channel}
    return PersonView(**view)


def require_category(actor: User | None, person: Person, category: str,
                     now: datetime | None = None) -> None:
    """For reads of one category outside read_person (a referral's situation facts, a
    document): Forbidden unless allowed now; audited either way."""
    allowed, via = allowed_categories(actor, person, now)
    if not (category in allowed or (category.startswith(DOCUMENT_PREFIX)
                                    and "document:*" in allowed)):
        audit.record("read-refused", category.split(":")[0], None, actor=actor,
                     person_id=person.id, details={"category": category}, now=now)
        raise Forbidden(_("The person has not agreed to share this with your organisation."))
    audit.record("read", category.split(":")[0], category, actor=actor,
                 actor_kind="person" if via is None and actor is not None else None,
                 organisation_id=via, person_id=person.id, details={"category": category},
                 now=now)
