"""No duplicate work: what an advisor is told before sending a referral.

Three warnings: the person already has an open referral to the same service; an open
referral for the same need (to any service); or another organisation already accompanies
them for that need. The same human may have several records (one per organisation that met
them), so all three look at every record that is probably them (referrals.people).

What a warning says depends on what the sending organisation may know. A referral it sent or
received is its own business: the warning says which. A follow-up is named only when the
sending organisation itself is in that record's follow-up group (it holds a valid consent
and accompanies the person there). Otherwise the words are always the same and the warning
carries no organisation, service or referral at all: "ask them".
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from directory.models import Organisation, Service
from directory.taxonomy import category_of
from extensions import db
from referrals.models import DRAFT, OPEN_STATUSES, Person, Referral
from referrals.notifications import status_label
from referrals.people import active_follow_ups, in_follow_up_group, matching_records

SAME_SERVICE, SAME_NEED, FOLLOWED = "same-service", "same-need", "followed"


@dataclass(frozen=True)
class DuplicateWarning:
    """One warning. `organisation_name` and `referral_id` are set only when the sending
    organisation may know them; an anonymous warning holds nothing but its kind and text."""

    kind: str
    text: str
    organisation_name: str | None = None
    organisation_id: uuid.UUID | None = None
    referral_id: uuid.UUID | None = None

    @property
    def anonymous(self) -> bool:
        return self.organisation_id is None


def followed_elsewhere_text() -> str:
    """The only thing an organisation without consent learns about another's follow-up."""
    return _("This person seems already followed for this need — ask them.")


def same_need(a: str | None, b: str | None) -> bool:
    """Two thématiques are the same need when equal, or when one is the other's category."""
    if not a or not b:
        return False
    return a == b or (a == category_of(a) and category_of(b) == a) or \
        (b == category_of(b) and category_of(a) == b)


def needs_of(referral: Referral) -> set[str]:
    """A referral's need, or the thématiques of its service when the sender named none."""
    return {referral.need} if referral.need else set(referral.service.thematiques)


def _overlap(needs: Iterable[str], others: Iterable[str]) -> bool:
    others = list(others)
    return any(same_need(a, b) for a in needs for b in others)


def warnings_before_sending(
    sending_org: Organisation | None,
    person: Person,
    service: Service,
    need: str | None,
    *,
    excluding: Referral | None = None,
    now: datetime | None = None,
) -> list[DuplicateWarning]:
    """The warnings to show before `sending_org` refers `person` to `service` for `need`
    (None: the service's thématiques). `excluding`: the referral about to be sent."""
    sender_id = sending_org.id if sending_org is not None else None
    records = matching_records(person)
    wanted = {need} if need else set(service.thematiques)
    warnings: list[DuplicateWarning] = []

    query = sa.select(Referral).where(Referral.person_id.in_(records),
                                      Referral.status.in_(OPEN_STATUSES))
    if excluding is not None and excluding.id is not None:
        query = query.where(Referral.id != excluding.id)
    open_referrals = db.session.scalars(query.order_by(Referral.created_at)).all()
    for referral in open_referrals:
        ours = sender_id is not None and sender_id in (referral.sending_organisation_id,
                                                        referral.receiving_organisation_id)
        if referral.status == DRAFT and not (ours and referral.sending_organisation_id
                                             == sender_id):
            continue  # someone else's draft is nobody's work yet
        if referral.service_id == service.id:
            kind = SAME_SERVICE
        elif _overlap(wanted, needs_of(referral)):
            kind = SAME_NEED
        else:
            continue
        warnings.append(_referral_warning(kind, referral) if ours else _anonymous(kind))

    for record_id in sorted(records):
        for follow_up in active_follow_ups(record_id, now):
            if follow_up.organisation_id == sender_id:
                continue
            if not _overlap(wanted, follow_up.needs or []):
                continue
            if sender_id is not None and in_follow_up_group(sender_id, record_id, now):
                organisation = follow_up.organisation
                warnings.append(DuplicateWarning(
                    FOLLOWED,
                    _("%(organisation)s already accompanies this person for this need "
                      "(since %(since)s).", organisation=organisation.name,
                      since=follow_up.since.strftime("%d/%m/%Y")),
                    organisation_name=organisation.name, organisation_id=organisation.id))
            else:
                warnings.append(_anonymous(FOLLOWED))
    return _unique(warnings)


def _referral_warning(kind: str, referral: Referral) -> DuplicateWarning:
    other = referral.receiving_organisation
    if kind == SAME_SERVICE:
        text = _("This person already has an open referral to this service (%(status)s).",
                 status=status_label(referral.status))
    else:
        text = _("This person already has an open referral for this need, to “%(service)s” "
                 "at %(organisation)s (%(status)s).", service=referral.service.name,
                 organisation=other.name, status=status_label(referral.status))
    return DuplicateWarning(kind, text, organisation_name=other.name, organisation_id=other.id,
                            referral_id=referral.id)


def _anonymous(kind: str) -> DuplicateWarning:
    if kind == SAME_SERVICE:
        return DuplicateWarning(kind, _("This person seems to have an open request to this "
                                        "service already — ask them."))
    if kind == SAME_NEED:
        return DuplicateWarning(kind, _("This person seems to have an open request for this "
                                        "need already — ask them."))
    return DuplicateWarning(kind, followed_elsewhere_text())


def _unique(warnings: list[DuplicateWarning]) -> list[DuplicateWarning]:
    """Each warning once: several anonymous ones of a kind say the same thing."""
    return list(dict.fromkeys(warnings))
