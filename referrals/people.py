"""People: an advisor records a person with their consent, finds whether a record already
exists, and sees who accompanies the person (the follow-up group).

A record belongs to no organisation. The advisor who creates it attests the consent the
person gave in person or by phone: a follow-up consent to the advisor's organisation, and a
FollowUp saying that organisation accompanies the person for these needs since today.

Looking a person up never tells an organisation more than the ledger allows: it gets back the
records it may read, and only a yes/no for "someone else already has a record", never whose.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from accounts import permissions
from accounts.models import User
from directory import taxonomy
from directory.models import T_THEMATIQUE, Organisation
from directory.service_input import _email, _Errors, _phone, _text
from errors import Forbidden, Invalid
from extensions import db
from referrals import audit
from referrals import consent as ledger
from referrals.identity import identity_key, similar_names
from referrals.models import (
    BY_PHONE,
    CATEGORIES,
    CONTACT_CHANNELS,
    DOCUMENT_PREFIX,
    IDENTITY,
    IN_PERSON,
    PURPOSE_FOLLOW_UP,
    FollowUp,
    Person,
)

NAME_MAX_LENGTH = 100
OLDEST_AGE_YEARS = 120
PERSON_TEXT_LIMITS = {"first_name": NAME_MAX_LENGTH, "last_name": NAME_MAX_LENGTH}
FRANCE_TRAVAIL_ID = re.compile(r"[A-Z0-9]{1,11}")
_DATE_FR = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def _today(now: datetime | None) -> date:
    return (now or datetime.now(UTC)).date()


# ---------------------------------------------------------------------------------------------
# Reading what the advisor typed


def _birth_date(errors: _Errors, value: Any, today: date) -> date | None:
    """A date (or "YYYY-MM-DD", "DD/MM/YYYY"), not in the future, within a human lifetime."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        value = value.date()
    born = value if isinstance(value, date) else None
    if born is None and isinstance(value, str):
        text = value.strip()
        french = _DATE_FR.fullmatch(text)
        try:
            if french:
                day, month, year = (int(part) for part in french.groups())
                born = date(year, month, day)
            else:
                born = date.fromisoformat(text)
        except ValueError:
            born = None
    if born is None:
        errors.add("birth_date", _("Enter a date of birth like 17/05/1999."))
        return None
    if born > today or born.year < today.year - OLDEST_AGE_YEARS:
        errors.add("birth_date", _("This date of birth is not plausible: check the year."))
        return None
    return born


def _france_travail_id(errors: _Errors, value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        errors.add("france_travail_id", _("This must be text."))
        return None
    text = "".join(value.split()).upper()  # people type it with spaces, in either case
    if not text:
        return None
    if not FRANCE_TRAVAIL_ID.fullmatch(text):
        errors.add("france_travail_id",
                   _("A France Travail number has at most 11 letters and digits."))
        return None
    return text


def clean_person(data: Mapping[str, Any], *, now: datetime | None = None) -> dict[str, Any]:
    """The person's fields as they will be stored, or Invalid with a message per field."""
    errors = _Errors()
    values = {
        "last_name": _text(errors, "last_name", data.get("last_name"), required=True,
                           limits=PERSON_TEXT_LIMITS, single_line=("last_name",)),
        "first_name": _text(errors, "first_name", data.get("first_name"), required=True,
                            limits=PERSON_TEXT_LIMITS, single_line=("first_name",)),
        "birth_date": _birth_date(errors, data.get("birth_date"), _today(now)),
        "email": _email(errors, "email", data.get("email")),
        "phone": _phone(errors, "phone", data.get("phone")),
        "france_travail_id": _france_travail_id(errors, data.get("france_travail_id")),
    }
    if values["email"]:
        values["email"] = values["email"].lower()
    channel = data.get("preferred_channel") or None
    if channel is None:
        channel = "email" if values["email"] else "phone" if values["phone"] else "post"
    if channel not in CONTACT_CHANNELS:
        errors.add("preferred_channel", _("Choose how the person prefers to be contacted."))
    elif channel == "email" and not values["email"] and "email" not in errors.by_field:
        errors.add("preferred_channel", _("To be contacted by email, give an email address."))
    elif channel in ("phone", "sms") and not values["phone"] and "phone" not in errors.by_field:
        errors.add("preferred_channel", _("To be contacted by phone, give a phone number."))
    values["preferred_channel"] = channel
    if errors.by_field:
        raise Invalid(_("Some fields are not valid."), errors.by_field)
    return values


def _needs(errors: _Errors, value: Any) -> list[str]:
    """Thématique codes (a whole category is allowed: "emploi" accompanies every need of it)."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        errors.add("needs", _("This must be a list of choices."))
        return []
    codes = list(dict.fromkeys(v.strip() for v in value if v.strip()))
    unknown = taxonomy.validate_codes(T_THEMATIQUE, codes, allow_categories=True)
    if unknown:
        errors.add("needs", _("“%(value)s” is not one of the choices.", value=unknown[0]))
    return codes


def _consent_terms(errors: _Errors, consent_data: Mapping[str, Any]) -> dict[str, Any]:
    """What the advisor says about the consent received: checked here before anything is
    written, so that a refused consent leaves no record of a person behind."""
    method = consent_data.get("method")
    if method not in (IN_PERSON, BY_PHONE):
        errors.add("method", _("Say whether the person agreed in person or by phone."))
    categories = consent_data.get("categories") or [IDENTITY]
    if isinstance(categories, str):
        categories = [categories]
    categories = list(dict.fromkeys(categories))
    if IDENTITY not in categories or any(
            c not in CATEGORIES and not str(c).startswith(DOCUMENT_PREFIX) for c in categories):
        errors.add("categories", _("Choose which information is shared (identity at least)."))
    valid_for = consent_data.get("valid_for", ledger.DEFAULT_VALIDITY)
    if isinstance(valid_for, int):
        valid_for = timedelta(days=valid_for)
    if not isinstance(valid_for, timedelta) or not (
            timedelta(days=1) <= valid_for <= ledger.MAX_VALIDITY):
        errors.add("valid_for", _("A consent lasts from one day to three years."))
    text = consent_data.get("text")
    if text is not None and not str(text).strip():
        errors.add("text", _("The consent keeps the exact text shown to the person."))
    return {"method": method, "categories": categories, "valid_for": valid_for, "text": text,
            "needs": _needs(errors, consent_data.get("needs"))}


# ---------------------------------------------------------------------------------------------
# Creating a record


def create_person(advisor: User, organisation: Organisation, data: Mapping[str, Any],
                  consent_data: Mapping[str, Any], *, now: datetime | None = None) -> Person:
    """Record a person with the consent they gave the advisor in person or by phone.

    `data`: last_name, first_name, birth_date, email, phone, preferred_channel,
    france_travail_id. `consent_data`: method ("in-person" | "phone"), categories (identity
    at least), needs (thématiques followed), optionally text (else the standard one) and
    valid_for (days or timedelta). Creates the person, a follow-up consent to `organisation`
    attested by the advisor, and the FollowUp; audited. Forbidden unless the advisor is an
    active member of the organisation; Invalid with every field's message, before anything is
    written."""
    if not permissions.is_member(advisor, organisation):
        raise Forbidden(_("Only a member of the organisation can record a person for it."))
    now = now or datetime.now(UTC)
    errors = _Errors()
    try:
        values = clean_person(data, now=now)
    except Invalid as invalid:
        values = None
        errors.by_field.update(invalid.field_errors)
    terms = _consent_terms(errors, consent_data)
    if errors.by_field:
        raise Invalid(_("Some fields are not valid."), errors.by_field)

    person = Person(**values, created_by_id=advisor.id,
                    identity_key=identity_key(values["last_name"], values["first_name"],
                                              values["birth_date"]))
    db.session.add(person)
    db.session.flush()
    until = (now + terms["valid_for"]).date()
    text = terms["text"] or ledger.consent_text(PURPOSE_FOLLOW_UP, [organisation],
                                                terms["categories"], until)
    consent = ledger.give_consent(
        person, purpose=PURPOSE_FOLLOW_UP, organisations=[organisation],
        categories=terms["categories"], method=terms["method"], text=str(text),
        attested_by=advisor, valid_for=terms["valid_for"], now=now)
    db.session.add(FollowUp(person_id=person.id, organisation_id=organisation.id,
                            needs=terms["needs"], since=now.date(), consent_id=consent.id,
                            created_by_id=advisor.id))
    db.session.flush()
    audit.record("create", "person", person.id, actor=advisor, organisation_id=organisation.id,
                 person_id=person.id, now=now,
                 details={"fields": sorted(k for k, v in values.items() if v),
                          "needs": terms["needs"]})
    return person


# ---------------------------------------------------------------------------------------------
# The same human across records


def same_person_ids(last_name: str, first_name: str, birth_date: date | None,
                    *, key: str | None = None) -> set[uuid.UUID]:
    """Every live record that is probably this human: the same keyed identity, or the same
    birth date with names that differ by a slip (identity.similar_names)."""
    key = key or identity_key(last_name, first_name, birth_date)
    live = Person.erased_at.is_(None)
    found = set(db.session.scalars(sa.select(Person.id).where(live, Person.identity_key == key)))
    if birth_date is not None:
        rows = db.session.execute(
            sa.select(Person.id, Person.last_name, Person.first_name)
            .where(live, Person.birth_date == birth_date))
        found |= {pid for pid, last, first in rows
                  if similar_names((last_name, first_name), (last, first))}
    return found


def matching_records(person: Person) -> set[uuid.UUID]:
    """The records of the same human as `person` (itself included)."""
    return same_person_ids(person.last_name, person.first_name, person.birth_date,
                           key=person.identity_key) | {person.id}


def readable_by(organisation_ids: Iterable[uuid.UUID], person_id: uuid.UUID,
                category: str = IDENTITY, now: datetime | None = None) -> bool:
    """Whether one of these organisations holds a valid consent covering `category`."""
    return any(category in consent.categories
               for consent in ledger.valid_consents(person_id, organisation_ids, now))


@dataclass(frozen=True)
class Existing:
    """What a lookup tells an organisation: the records it may read, and whether someone
    else holds a record of (probably) this person — never who."""

    records: list[Person]
    elsewhere: bool


def find_existing(organisation: Organisation, last_name: str, first_name: str,
                  birth_date: date | None, *, actor: User | None = None,
                  now: datetime | None = None) -> Existing:
    """Before creating a record: the records of this person the organisation may read (exact
    identity, or the same birth date and similar names), and a boolean saying that another
    record exists that it may not read. The lookup is audited (how many, not whom)."""
    if not (last_name or "").strip() or not (first_name or "").strip():
        return Existing(records=[], elsewhere=False)
    ids = same_person_ids(last_name, first_name, birth_date)
    readable = [pid for pid in ids if readable_by([organisation.id], pid, now=now)]
    records = [db.session.get(Person, pid) for pid in sorted(readable)]
    elsewhere = len(readable) < len(ids)
    audit.record("lookup", "person", None, actor=actor, organisation_id=organisation.id,
                 now=now, details={"readable": len(records), "elsewhere": elsewhere})
    return Existing(records=records, elsewhere=elsewhere)


# ---------------------------------------------------------------------------------------------
# The follow-up group


@dataclass(frozen=True)
class GroupMember:
    organisation_id: uuid.UUID
    organisation_name: str
    needs: list[str]
    since: date


def active_follow_ups(person_id: uuid.UUID, now: datetime | None = None) -> list[FollowUp]:
    """The follow-ups of this record still running, whose organisation still holds a valid
    consent from the person (a withdrawn consent takes the organisation out of the group)."""
    today = _today(now)
    follow_ups = db.session.scalars(
        sa.select(FollowUp).where(
            FollowUp.person_id == person_id,
            sa.or_(FollowUp.ended_on.is_(None), FollowUp.ended_on > today))
    ).all()
    return [f for f in follow_ups if ledger.valid_consents(person_id, [f.organisation_id], now)]


def in_follow_up_group(organisation_id: uuid.UUID, person_id: uuid.UUID,
                       now: datetime | None = None) -> bool:
    """Whether the organisation accompanies this record now, with the person's consent."""
    return any(f.organisation_id == organisation_id for f in active_follow_ups(person_id, now))


def follow_up_group(actor: User | None, person: Person,
                    *, now: datetime | None = None) -> list[GroupMember]:
    """The organisations accompanying the person, for the person themself or a member of one
    of those organisations. Anyone else: NotFound through the ledger when they may not read
    the person at all, Forbidden when they may read them but do not accompany them."""
    ledger.read_person(actor, person.id, [IDENTITY], purpose="follow-up group", now=now)
    group = active_follow_ups(person.id, now)
    is_the_person = actor is not None and person.user_id == actor.id
    if not is_the_person:
        mine = ledger.active_organisation_ids(actor)
        if not any(f.organisation_id in mine for f in group):
            raise Forbidden(_("Only the organisations accompanying this person see who "
                              "else does."))
    members = [GroupMember(f.organisation_id, f.organisation.name, list(f.needs or []),
                           f.since) for f in group]
    return sorted(members, key=lambda m: (m.since, m.organisation_name))
