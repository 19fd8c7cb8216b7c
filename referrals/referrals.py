"""Referral operations: draft, send (after the duplicate check), refer oneself, act on a
referral in one's role, and the message thread.

Every status change goes through referrals.transitions.transition(); this module decides who
acts in which role (roles_of), checks what the table cannot (membership, the ledger, the
consent behind the referral), and queues the emails (referrals.notifications) in the same
transaction. Views call these functions and commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from accounts import permissions
from accounts.models import User
from directory.matching import parse_facts
from directory.models import MODERATION_APPROVED, Organisation, Service
from directory.service_input import _Errors, _text
from errors import Forbidden, Invalid, NotFound
from extensions import db
from referrals import audit
from referrals import consent as ledger
from referrals.duplicates import DuplicateWarning, warnings_before_sending
from referrals.models import (
    DRAFT,
    IDENTITY,
    PURPOSE_REFERRAL,
    SENT,
    SITUATION,
    Consent,
    Person,
    Referral,
    ReferralEvent,
    ReferralMessage,
)
from referrals.notifications import LinkBuilder, notify
from referrals.people import readable_by
from referrals.principals import MAGIC_LINK_ACTOR, is_link_holder
from referrals.transitions import (
    MODERATOR,
    PERSON,
    RECEIVER,
    SENDER,
    TRANSITIONS,
    transition,
)

MOTIVE_MAX_LENGTH = 5000
MESSAGE_MAX_LENGTH = 5000
# When an actor holds several roles, the first that may take the action acts.
ROLE_ORDER = (SENDER, RECEIVER, PERSON, MODERATOR)
ACT_OPTIONS = ("reason", "outcome", "note", "confirmed")


@dataclass
class Outcome:
    """What send() and act() did: the event when the referral moved; the warnings when a
    send waits for the advisor to confirm (then nothing moved)."""

    referral: Referral
    event: ReferralEvent | None = None
    warnings: list[DuplicateWarning] = field(default_factory=list)

    @property
    def done(self) -> bool:
        return self.event is not None


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def _not_found() -> NotFound:
    return NotFound(_("This referral does not exist, or you cannot see it."))


# ---------------------------------------------------------------------------------------------
# Who is who on a referral


def roles_of(actor: User | None, referral: Referral) -> set[str]:
    """The roles `actor` holds on the referral: sender (an active member of the sending
    organisation, or the advisor who sent it), receiver (an active member of the receiving
    organisation), moderator (of the sending organisation), person (the person's own
    account). Empty for anyone else. The holder of a magic link is the receiver of its own
    referral only, while it is still addressed to the link's organisation."""
    if is_link_holder(actor):
        return {RECEIVER} if (actor.referral_id == referral.id and
                              actor.organisation_id == referral.receiving_organisation_id) \
            else set()
    if actor is None or getattr(actor, "id", None) is None:
        return set()
    organisations = ledger.active_organisation_ids(actor)
    roles: set[str] = set()
    if not referral.self_referral and (referral.sending_organisation_id in organisations
                                       or referral.sender_id == actor.id):
        roles.add(SENDER)
    if referral.receiving_organisation_id in organisations:
        roles.add(RECEIVER)
    if referral.sending_organisation is not None and permissions.can_moderate(
            actor, referral.sending_organisation):
        roles.add(MODERATOR)
    if referral.person is not None and referral.person.user_id == actor.id:
        roles.add(PERSON)
    return roles


def _actor_kind(actor, role: str) -> str:
    """How events and the audit log name the actor: the person, a user, or a magic link."""
    if is_link_holder(actor):
        return MAGIC_LINK_ACTOR
    return "person" if role == PERSON else "user"


def _consent_holds(referral: Referral, now: datetime | None) -> bool:
    """The referral's own consent is valid now and names the receiving organisation."""
    if referral.consent_id is None:
        return False
    valid = ledger.valid_consents(referral.person_id, [referral.receiving_organisation_id], now)
    return any(consent.id == referral.consent_id for consent in valid)


# ---------------------------------------------------------------------------------------------
# Drafting


def _check_request(errors: _Errors, person: Person, service: Service, need: str | None,
                   motive: str | None, consent: Consent | None, now: datetime) -> str | None:
    """What a referral asks for, checked; returns the motive as stored."""
    if service is None or not (service.is_public() and service.is_active(now.date())):
        errors.add("service", _("This service does not take referrals now."))
    elif need is not None and need not in service.thematiques:
        errors.add("need", _("Choose one of the needs this service covers."))
    motive = _text(errors, "motive", motive, limits={"motive": MOTIVE_MAX_LENGTH},
                   single_line=())
    problem = None
    if consent is None:
        problem = _("Record the person's consent to this referral first.")
    elif (consent.person_id != person.id or consent.purpose != PURPOSE_REFERRAL
          or service is None or consent.service_id != service.id
          or service.organisation_id not in consent.organisation_ids):
        problem = _("This consent is not the person's consent to this referral.")
    elif not consent.is_valid_at(now):
        problem = _("This consent has been withdrawn or has expired.")
    if problem:
        errors.add("consent", problem)
    return motive


def draft_referral(advisor: User, sending_org: Organisation, person: Person, service: Service,
                   need: str | None, motive: str | None, situation: dict | None,
                   consent: Consent | None, *, now: datetime | None = None) -> Referral:
    """A draft referral of `person` to `service`, by an advisor of `sending_org`.

    `consent` is the person's referral consent (purpose "referral", this service, given to
    the receiving organisation), recorded by the caller with consent.give_consent. Forbidden
    unless the advisor is an active member of the sending organisation; NotFound unless the
    organisation may read the person (ledger); Invalid with a message per field otherwise.
    The situation facts are checked (directory.matching.parse_facts) and kept only when the
    consent covers "situation": otherwise they are not shared at all. Audited."""
    now = _now(now)
    if not permissions.is_member(advisor, sending_org):
        raise Forbidden(_("Only a member of the sending organisation can refer a person."))
    if not readable_by([sending_org.id], person.id, IDENTITY, now):
        audit.record("read-refused", "person", person.id, actor=advisor, person_id=person.id,
                     organisation_id=sending_org.id, now=now, details={"purpose": "referral"})
        raise NotFound(_("This person does not exist, or you cannot see them."))
    ledger.read_person(advisor, person.id, [IDENTITY], purpose="referral", now=now)
    errors = _Errors()
    motive = _check_request(errors, person, service, need, motive, consent, now)
    try:
        facts = parse_facts(situation)
    except Invalid as invalid:
        facts = {}
        errors.by_field.update(invalid.field_errors)
    if errors.by_field:
        raise Invalid(_("This referral cannot be prepared."), errors.by_field)
    shared = facts if facts and SITUATION in consent.categories else None
    referral = Referral(
        person_id=person.id, service_id=service.id,
        receiving_organisation_id=service.organisation_id,
        sending_organisation_id=sending_org.id, sender_id=advisor.id, self_referral=False,
        need=need, motive=motive, situation=shared, consent_id=consent.id, status=DRAFT,
        created_at=now)
    db.session.add(referral)
    db.session.flush()
    audit.record("create", "referral", referral.id, actor=advisor,
                 organisation_id=sending_org.id, person_id=person.id, now=now,
                 details={"service": service.id, "need": need,
                          "situation": sorted(shared) if shared else []})
    return referral


# ---------------------------------------------------------------------------------------------
# Sending


def send(referral: Referral, actor: User, seen_version: int | None, *, confirmed: bool = False,
         now: datetime | None = None, link_for: LinkBuilder | None = None) -> Outcome:
    """Send a draft. Unless `confirmed`, the duplicate check comes first: when it finds
    something, nothing moves and the warnings come back for the advisor to confirm. A
    sending organisation still awaiting moderation has its referral held; otherwise it is
    sent and the receiving organisation told."""
    now = _now(now)
    roles = roles_of(actor, referral)
    if not roles:
        raise _not_found()
    if SENDER in roles:
        role = SENDER
    elif PERSON in roles and referral.self_referral:
        role = PERSON
    else:
        raise Forbidden(_("You cannot do this on this referral."))
    fresh = referral.status == DRAFT and seen_version in (None, referral.version)
    if fresh and not _consent_holds(referral, now):
        raise Invalid(_("The person's consent to this referral is no longer valid."),
                      {"consent": [_("This consent has been withdrawn or has expired.")]})
    if fresh and not confirmed:
        warnings = warnings_before_sending(referral.sending_organisation, referral.person,
                                           referral.service, referral.need,
                                           excluding=referral, now=now)
        if warnings:
            return Outcome(referral, None, warnings)
    sending = referral.sending_organisation
    held = sending is not None and sending.moderation_status != MODERATION_APPROVED
    event = transition(referral, "send", role=role, actor=actor,
                       actor_kind="person" if role == PERSON else "user",
                       seen_version=seen_version, held=held, now=now)
    if referral.status == SENT:
        notify(referral, SENT, link_for=link_for)
    return Outcome(referral, event)


def self_refer(person_user: User, person: Person, service: Service, need: str | None,
               motive: str | None, consent: Consent | None, *, situation: dict | None = None,
               now: datetime | None = None, link_for: LinkBuilder | None = None) -> Referral:
    """The person, signed in, asks for a service from its page: a referral with no sending
    organisation, sent at once under the person's referral consent. Situation facts are
    kept only when the consent covers "situation", as in draft_referral."""
    now = _now(now)
    if (person_user is None or person.erased_at is not None or person.user_id is None
            or person.user_id != person_user.id):
        raise NotFound(_("This person does not exist, or you cannot see them."))
    errors = _Errors()
    motive = _check_request(errors, person, service, need, motive, consent, now)
    try:
        facts = parse_facts(situation)
    except Invalid as invalid:
        facts = {}
        errors.by_field.update(invalid.field_errors)
    if errors.by_field:
        raise Invalid(_("This request cannot be sent."), errors.by_field)
    shared = facts if facts and SITUATION in consent.categories else None
    referral = Referral(
        person_id=person.id, service_id=service.id,
        receiving_organisation_id=service.organisation_id, sending_organisation_id=None,
        sender_id=person_user.id, self_referral=True, need=need, motive=motive,
        situation=shared, consent_id=consent.id, status=DRAFT, created_at=now)
    db.session.add(referral)
    db.session.flush()
    audit.record("create", "referral", referral.id, actor=person_user, actor_kind="person",
                 person_id=person.id, now=now,
                 details={"service": service.id, "need": need, "self_referral": True,
                          "situation": sorted(shared) if shared else []})
    transition(referral, "send", role=PERSON, actor=person_user, actor_kind="person", now=now)
    notify(referral, SENT, link_for=link_for)
    return referral


# ---------------------------------------------------------------------------------------------
# Acting


def act(referral: Referral, action: str, actor: User, seen_version: int | None, *,
        now: datetime | None = None, link_for: LinkBuilder | None = None,
        **kw: Any) -> Outcome:
    """Take `action` in the actor's role (roles_of) through the transition table, and queue
    the emails. Options: reason (decline), outcome (complete), note, confirmed (send).
    NotFound for someone with no role on the referral; Forbidden for a role that may not
    take the action; Conflict for a wrong state or a stale `seen_version`."""
    unknown = set(kw) - set(ACT_OPTIONS)
    if unknown:
        raise TypeError(f"act() got unexpected options {sorted(unknown)}")
    move = TRANSITIONS.get(action)
    if move is None:
        raise Invalid(_("Unknown action."), {"action": [_("Unknown action.")]})
    if action == "send":
        return send(referral, actor, seen_version, confirmed=bool(kw.get("confirmed")),
                    now=now, link_for=link_for)
    roles = roles_of(actor, referral)
    if not roles:
        raise _not_found()
    usable = [role for role in ROLE_ORDER if role in roles and role in move.actors]
    if not usable:
        raise Forbidden(_("You cannot do this on this referral."))
    role = usable[0]
    event = transition(referral, action, role=role, actor=actor,
                       actor_kind=_actor_kind(actor, role),
                       seen_version=seen_version, reason=kw.get("reason"),
                       outcome=kw.get("outcome"), note=kw.get("note"), now=now)
    notify(referral, referral.status, link_for=link_for)
    return Outcome(referral, event)


# ---------------------------------------------------------------------------------------------
# The message thread


def _thread_role(referral: Referral, actor: User | None, now: datetime | None) -> str:
    """The side the actor speaks for in the thread. The receiving organisation reads and
    writes only while the referral's consent holds (a withdrawal cuts it at once)."""
    roles = roles_of(actor, referral)
    for role in (SENDER, PERSON):
        if role in roles:
            return role
    if RECEIVER in roles:
        if _consent_holds(referral, now):
            return RECEIVER
        audit.record("read-refused", "referral-thread", referral.id, actor=actor,
                     organisation_id=referral.receiving_organisation_id,
                     person_id=referral.person_id, now=now,
                     details={"reason": "consent"})
        raise Forbidden(_("The person's consent to this referral has ended: its messages "
                          "are no longer shared with your organisation."))
    audit.record("read-refused", "referral-thread", referral.id, actor=actor,
                 person_id=referral.person_id, now=now, details={"reason": "no role"})
    raise _not_found()


def _organisation_for(role: str, referral: Referral):
    return {SENDER: referral.sending_organisation_id,
            RECEIVER: referral.receiving_organisation_id}.get(role)


def post_message(referral: Referral, actor: User, body: str, *,
                 now: datetime | None = None) -> ReferralMessage:
    """Add a message (1 to 5000 characters) to the referral's thread, as the sending side,
    the receiving side or the person. Audited."""
    now = _now(now)
    role = _thread_role(referral, actor, now)
    errors = _Errors()
    text = _text(errors, "body", body, required=True, limits={"body": MESSAGE_MAX_LENGTH},
                 single_line=())
    if errors.by_field:
        raise Invalid(_("This message cannot be sent."), errors.by_field)
    message = ReferralMessage(referral_id=referral.id, author_id=getattr(actor, "id", None),
                              author_kind=role,
                              body=text, at=now)
    db.session.add(message)
    db.session.flush()
    audit.record("create", "referral-message", message.id, actor=actor,
                 actor_kind="person" if role == PERSON else "user",
                 organisation_id=_organisation_for(role, referral),
                 person_id=referral.person_id, now=now)
    return message


def thread(referral: Referral, actor: User | None, *,
           now: datetime | None = None) -> list[ReferralMessage]:
    """The referral's messages, oldest first, for the sending side, the person, and the
    receiving side while the consent holds. The read is audited."""
    now = _now(now)
    role = _thread_role(referral, actor, now)
    messages = db.session.scalars(
        sa.select(ReferralMessage).where(ReferralMessage.referral_id == referral.id)
        .order_by(ReferralMessage.at, ReferralMessage.id)).all()
    audit.record("read", "referral-thread", referral.id, actor=actor,
                 actor_kind="person" if role == PERSON else "user",
                 organisation_id=_organisation_for(role, referral),
                 person_id=referral.person_id, now=now, details={"messages": len(messages)})
    return list(messages)
