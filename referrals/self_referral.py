"""A person asks a service to contact them (self-referral), and follows their own referrals.

From a service page, a signed-in person gives their own record (created the first time, its
contact details brought up to date afterwards), an online referral consent to the service's
organisation for the categories they choose (identity and contact at least: without them
nobody can contact them), and referrals.self_refer sends the referral at once. Before
anything is written, the duplicate check of referrals.duplicates runs as it does for an
advisor; the person is told in their own words, and the warning never names anyone.

On their own referral the person reads the timeline and the thread, writes messages, and
cancels the referral when it is a self-referral the transition table still lets them cancel.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask_babel import gettext as _

from accounts.models import User
from directory.models import MODERATION_APPROVED, Service
from directory.service_input import _email, _Errors, _phone, _text
from errors import Forbidden, Invalid, NotFound
from extensions import db
from referrals import audit
from referrals import consent as ledger
from referrals import referrals as operations
from referrals.duplicates import SAME_NEED, SAME_SERVICE, warnings_before_sending
from referrals.identity import identity_key
from referrals.models import (
    CONTACT,
    CONTACT_CHANNELS,
    IDENTITY,
    ONLINE,
    PURPOSE_REFERRAL,
    SITUATION,
    Person,
    Referral,
)
from referrals.own_space import own_person
from referrals.people import clean_person
from referrals.transitions import PERSON, allowed_actions

# The data·inclusion "personne-mobilisatrice" code for people asking for themselves.
PEOPLE_THEMSELVES = "usagers"
# What a person needs to share so that a service can contact them.
REQUIRED_CATEGORIES = (IDENTITY, CONTACT)
CONTACT_FIELDS = ("email", "phone", "preferred_channel")


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


# ---------------------------------------------------------------------------------------------
# Which services a person may ask for


def accepts_self_referrals(service: Service | None, today: date) -> bool:
    """Whether a person may ask this service to contact them: it takes referrals now (public
    and active, of an approved organisation) and, when it says who may ask for it, people
    themselves are among them (a service only professionals may mobilise has no such
    action)."""
    if service is None or not (service.is_public() and service.is_active(today)):
        return False
    if service.organisation.moderation_status != MODERATION_APPROVED:
        return False
    who = service.mobilisable_par
    return not who or PEOPLE_THEMSELVES in who


def consent_text_for(service: Service, categories: list[str], until: date) -> str:
    """The words the person agrees to: what is shared, with whom, for what, until when and
    how to withdraw (consent.consent_text)."""
    return str(ledger.consent_text(PURPOSE_REFERRAL, [service.organisation], categories, until,
                                   service=service))


# ---------------------------------------------------------------------------------------------
# Asking to be contacted


@dataclass
class Asked:
    """What ask_to_be_contacted did: the referral when it was sent; otherwise the warnings
    the person is to confirm (nothing was written)."""

    referral: Referral | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def done(self) -> bool:
        return self.referral is not None


def _contact(errors: _Errors, data: Mapping[str, Any]) -> dict[str, Any]:
    """The contact details of an existing record, checked as people.clean_person does."""
    email = _email(errors, "email", data.get("email"))
    phone = _phone(errors, "phone", data.get("phone"))
    channel = data.get("preferred_channel") or ("email" if email else "phone")
    if channel not in CONTACT_CHANNELS:
        errors.add("preferred_channel", _("Choose how the person prefers to be contacted."))
    elif channel == "email" and not email and "email" not in errors.by_field:
        errors.add("preferred_channel", _("To be contacted by email, give an email address."))
    elif channel in ("phone", "sms") and not phone and "phone" not in errors.by_field:
        errors.add("preferred_channel", _("To be contacted by phone, give a phone number."))
    return {"email": email.lower() if email else None, "phone": phone,
            "preferred_channel": channel}


def category_errors(categories: list[str]) -> list[str]:
    """What is wrong with the categories chosen (identity and contact are needed)."""
    if any(c not in (IDENTITY, CONTACT, SITUATION) for c in categories):
        return [_("Choose which information is shared.")]
    if not all(c in categories for c in REQUIRED_CATEGORIES):
        return [_("To be contacted, share at least your identity and how to contact you.")]
    return []


def _categories(errors: _Errors, categories: list[str]) -> list[str]:
    chosen = list(dict.fromkeys(c for c in categories if c))
    for message in category_errors(chosen):
        errors.add("categories", message)
    return chosen


def person_warning(kind: str) -> str:
    """A duplicate warning in the person's words; it never names an organisation."""
    if kind == SAME_SERVICE:
        return _("You seem to have an open request to this service already. You can follow "
                 "it in your space.")
    if kind == SAME_NEED:
        return _("You seem to have an open request for this need already, to another "
                 "service.")
    return _("An organisation seems to accompany you for this need already: you may want to "
             "ask your advisor first.")


def ask_to_be_contacted(user: User, service: Service, person_data: Mapping[str, Any], *,
                        categories: list[str], text: str, valid_for: timedelta,
                        need: str | None, motive: str | None,
                        situation: Mapping[str, Any] | None = None, confirmed: bool = False,
                        now: datetime | None = None) -> Asked:
    """The signed-in person asks `service` to contact them.

    `person_data`: first_name, last_name, birth_date, email, phone, preferred_channel (only
    the contact details count when the person already has their own record). `categories`
    must hold identity and contact; situation facts are shared only with "situation".
    `text` is the consent text the page showed (stored as it was). Unless `confirmed`, the
    duplicate check comes first and, when it finds something, nothing is written and the
    warnings come back. Invalid with a message per field; NotFound for a service that takes
    no self-referral. Everything it writes is audited; the caller commits."""
    now = _now(now)
    if user is None or getattr(user, "id", None) is None:
        raise Forbidden(_("Sign in to ask a service to contact you."))
    if not accepts_self_referrals(service, now.date()):
        raise NotFound(_("This service does not take requests from people themselves."))
    errors = _Errors()
    person = own_person(user)
    values: dict[str, Any] | None = None
    if person is None:
        try:
            values = clean_person(person_data, now=now)
        except Invalid as invalid:
            errors.by_field.update(invalid.field_errors)
    else:
        values = _contact(errors, person_data)
    chosen = _categories(errors, categories)
    if need and need not in service.thematiques:
        errors.add("need", _("Choose one of the needs this service covers."))
    _text(errors, "motive", motive, limits={"motive": operations.MOTIVE_MAX_LENGTH},
          single_line=())
    if errors.by_field:
        raise Invalid(_("This request cannot be sent."), errors.by_field)

    if not confirmed:
        probe = person or Person(id=uuid.uuid4(), identity_key=identity_key(
            values["last_name"], values["first_name"], values["birth_date"]), **values)
        found = warnings_before_sending(None, probe, service, need, now=now)
        if found:
            return Asked(warnings=list(dict.fromkeys(person_warning(w.kind) for w in found)))

    if person is None:
        person = Person(**values, user_id=user.id, created_by_id=user.id, created_at=now,
                        identity_key=identity_key(values["last_name"], values["first_name"],
                                                  values["birth_date"]))
        db.session.add(person)
        db.session.flush()
        audit.record("create", "person", person.id, actor=user, actor_kind="person",
                     person_id=person.id, now=now,
                     details={"self": True, "fields": sorted(k for k, v in values.items() if v)})
    else:
        changed = sorted(name for name in CONTACT_FIELDS
                         if getattr(person, name) != values[name])
        for name in changed:
            setattr(person, name, values[name])
        if changed:
            db.session.flush()
            audit.record("update", "person", person.id, actor=user, actor_kind="person",
                         person_id=person.id, now=now, details={"fields": changed})
    consent = ledger.give_consent(
        person, purpose=PURPOSE_REFERRAL, organisations=[service.organisation],
        categories=chosen, method=ONLINE, text=text, given_by=user, service=service,
        valid_for=valid_for, now=now)
    referral = operations.self_refer(user, person, service, need or None, motive, consent,
                                     situation=dict(situation or {}), now=now)
    return Asked(referral=referral)


# ---------------------------------------------------------------------------------------------
# The person's own referrals


def own_referral(user: User | None, referral_id: uuid.UUID | str | None) -> Referral:
    """One of the user's own referrals (the person's role, referrals.roles_of); NotFound for
    any other, and the refusal is audited."""
    try:
        rid = uuid.UUID(str(referral_id))
    except (TypeError, ValueError):
        rid = None
    referral = db.session.get(Referral, rid) if rid else None
    if referral is None:
        raise NotFound(_("This referral does not exist, or you cannot see it."))
    if PERSON not in operations.roles_of(user, referral):
        audit.record("read-refused", "referral", referral.id, actor=user,
                     person_id=referral.person_id, details={"reason": "not the person"})
        raise NotFound(_("This referral does not exist, or you cannot see it."))
    return referral


def can_cancel(referral: Referral) -> bool:
    """The person cancels only what they sent themself, while the table allows it; a
    referral an advisor sent is cancelled by the advisor (the person withdraws consent)."""
    return referral.self_referral and "cancel" in allowed_actions(referral, {PERSON})


def cancel_own_referral(user: User, referral: Referral, seen_version: int | None, *,
                        note: str | None = None, now: datetime | None = None):
    """Cancel the person's own self-referral (transitions.transition: Conflict when it is too
    late or the page was stale)."""
    if PERSON not in operations.roles_of(user, referral):
        raise NotFound(_("This referral does not exist, or you cannot see it."))
    if not referral.self_referral:
        raise Forbidden(_("Ask the organisation that referred you to cancel this referral, "
                          "or withdraw your consent."))
    return operations.act(referral, "cancel", user, seen_version, note=note, now=now)
