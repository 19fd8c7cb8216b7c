"""Carrying out a person's request for erasure, after the legal checks (docs/erasure.md).

A person asks from their space (own_space.record_erasure_request: an audit line). A platform
administrator sees the pending requests with the checks, and confirms: own_space.erase_person
then removes the identity and contact, withdraws every consent, ends the follow-ups and strips
the referrals to their skeleton, while the audit log records that it was done, by whom, and
the checks as they stood. The person's account is emailed that it is done.

The checks look at the record without reading anyone's data (no names are shown to the
administrator, only the record's reference): an open referral blocks the erasure until it is
closed or cancelled, unless the administrator writes why it must go ahead anyway; the rest
(consents in force, follow-ups running, documents held, other records that seem to be the
same person) is said so that the administrator knows what the erasure ends.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from accounts import permissions
from accounts.mail import queue_email
from accounts.models import User
from errors import Forbidden, Invalid, NotFound
from extensions import db
from referrals import audit
from referrals.document_models import Document
from referrals.models import OPEN_STATUSES, AuditEntry, Consent, FollowUp, Person, Referral
from referrals.own_space import erase_person
from referrals.people import matching_records

OVERRIDE_MIN_LENGTH = 20
OVERRIDE_MAX_LENGTH = 2000
RECENT_ERASURES_SHOWN = 20

OPEN_REFERRALS, CONSENTS, FOLLOW_UPS, DOCUMENTS, OTHER_RECORDS = (
    "open-referrals", "consents", "follow-ups", "documents", "other-records")


@dataclass(frozen=True)
class Check:
    """One legal check: `blocking` checks that did not pass stop the erasure unless the
    administrator gives a reason."""

    name: str
    passed: bool
    blocking: bool
    text: str
    count: int = 0


@dataclass(frozen=True)
class ErasureRequest:
    person_id: uuid.UUID
    requested_at: datetime
    checks: tuple[Check, ...]

    @property
    def blocked(self) -> bool:
        return any(c.blocking and not c.passed for c in self.checks)

    @property
    def reference(self) -> str:
        return str(self.person_id)[:8]


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def _requests() -> dict[uuid.UUID, datetime]:
    """Persons not yet erased -> when they last asked for erasure."""
    rows = db.session.execute(
        sa.select(AuditEntry.person_id, sa.func.max(AuditEntry.at))
        .join(Person, Person.id == AuditEntry.person_id)
        .where(AuditEntry.action == "erasure-requested", Person.erased_at.is_(None))
        .group_by(AuditEntry.person_id))
    return {person_id: at for person_id, at in rows}


def legal_checks(person: Person, now: datetime | None = None) -> tuple[Check, ...]:
    """The checks before erasing `person`, in the order the page shows them."""
    now = _now(now)
    open_referrals = db.session.scalar(
        sa.select(sa.func.count(Referral.id)).where(Referral.person_id == person.id,
                                                    Referral.status.in_(OPEN_STATUSES)))
    consents = [c for c in db.session.scalars(
        sa.select(Consent).where(Consent.person_id == person.id)) if c.is_valid_at(now)]
    follow_ups = db.session.scalar(
        sa.select(sa.func.count(FollowUp.id)).where(
            FollowUp.person_id == person.id,
            sa.or_(FollowUp.ended_on.is_(None), FollowUp.ended_on > now.date())))
    documents = db.session.scalar(
        sa.select(sa.func.count(Document.id)).where(Document.person_id == person.id))
    others = len(matching_records(person) - {person.id})
    return (
        Check(OPEN_REFERRALS, open_referrals == 0, True, ngettext(
            "%(num)d referral is still open: it must be closed or cancelled first, or a "
            "reason given to erase anyway.",
            "%(num)d referrals are still open: they must be closed or cancelled first, or a "
            "reason given to erase anyway.", open_referrals)
            if open_referrals else _("No referral is open."), open_referrals),
        Check(CONSENTS, True, False, ngettext(
            "%(num)d consent in force: the erasure withdraws it.",
            "%(num)d consents in force: the erasure withdraws them.", len(consents))
            if consents else _("No consent in force."), len(consents)),
        Check(FOLLOW_UPS, True, False, ngettext(
            "%(num)d organisation accompanies the person: the erasure ends it.",
            "%(num)d organisations accompany the person: the erasure ends them.", follow_ups)
            if follow_ups else _("No organisation accompanies the person."), follow_ups),
        Check(DOCUMENTS, True, False, ngettext(
            "%(num)d document of the person is held: the erasure deletes it.",
            "%(num)d documents of the person are held: the erasure deletes them.", documents)
            if documents else _("No document of the person is held."), documents),
        Check(OTHER_RECORDS, True, False, ngettext(
            "%(num)d other record seems to be the same person: it is held by organisations "
            "under their own consent and is not erased here.",
            "%(num)d other records seem to be the same person: they are held by organisations "
            "under their own consent and are not erased here.", others)
            if others else _("No other record seems to be the same person."), others),
    )


def pending_requests(now: datetime | None = None) -> list[ErasureRequest]:
    """The requests awaiting the legal checks, oldest first."""
    requests = _requests()
    people = {p.id: p for p in db.session.scalars(
        sa.select(Person).where(Person.id.in_(list(requests))))} if requests else {}
    found = [ErasureRequest(pid, at, legal_checks(people[pid], now))
             for pid, at in requests.items()]
    return sorted(found, key=lambda r: (r.requested_at, str(r.person_id)))


def pending_request(person_id: uuid.UUID | str | None,
                    now: datetime | None = None) -> ErasureRequest:
    """The pending request about this record; NotFound when there is none (never asked, or
    already carried out)."""
    try:
        pid = uuid.UUID(str(person_id))
    except (TypeError, ValueError):
        pid = None
    person = db.session.get(Person, pid) if pid else None
    requested_at = _requests().get(pid) if person is not None else None
    if requested_at is None:
        raise NotFound(_("No pending request for erasure has this reference."))
    return ErasureRequest(pid, requested_at, legal_checks(person, now))


def recent_erasures(limit: int = RECENT_ERASURES_SHOWN) -> list[AuditEntry]:
    """The audit lines recording erasures carried out, newest first."""
    return list(db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "erased")
        .order_by(AuditEntry.id.desc()).limit(limit)))


def carry_out(admin: User, person_id: uuid.UUID | str, override: str | None = None, *,
              second_factor: bool | None = None, now: datetime | None = None) -> ErasureRequest:
    """Erase the record once its checks pass, or despite a blocking check when `override`
    says why (at least OVERRIDE_MIN_LENGTH characters). Forbidden unless a platform
    administrator (second factor given); NotFound with no pending request; Invalid when a
    check blocks. The checks, the reason and the erasure go to the audit log; the person's
    account is emailed. The caller commits."""
    now = _now(now)
    if not permissions.acts_as_platform_admin(admin, second_factor=second_factor):
        raise Forbidden(_("Only a platform administrator carries out an erasure."))
    request = pending_request(person_id, now)
    reason = " ".join((override or "").split())
    if request.blocked:
        if len(reason) < OVERRIDE_MIN_LENGTH:
            raise Invalid(_("This erasure cannot be carried out yet."), {"override": [
                _("Close the open referrals first, or say why the erasure must go ahead "
                  "anyway (%(min)d characters at least).", min=OVERRIDE_MIN_LENGTH)]})
        if len(reason) > OVERRIDE_MAX_LENGTH:
            raise Invalid(_("This erasure cannot be carried out yet."), {"override": [
                _("At most %(max)d characters.", max=OVERRIDE_MAX_LENGTH)]})
    person = db.session.get(Person, request.person_id)
    account = db.session.get(User, person.user_id) if person.user_id else None
    audit.record("erasure-checked", "person", person.id, actor=admin, person_id=person.id,
                 now=now, details={
                     "requested_at": request.requested_at,
                     "checks": {c.name: c.count for c in request.checks},
                     "override": reason if request.blocked else None})
    erase_person(person, admin, now=now)
    if account is not None:
        queue_email(
            account.email, _("Relais: your record is erased"),
            _("As you asked on %(date)s, Relais erased your record: your identity and contact "
              "details, and what was written about you in your referrals. Your consents are "
              "withdrawn.\n\nA trace that the erasure was carried out is kept, without your "
              "name. Your Relais account itself stays open.",
              date=request.requested_at.strftime("%d/%m/%Y")))
    return request
