"""The printable referral sheet, for a person who is not online: where to go, when, whom to
call, what to bring, the referral's reference and date, the advisor's contact, and the
person's name.

Only the referral's sending and receiving sides print it. The name is read through
consent.read_person (audited) with the "identity" category: without it — the consent was
withdrawn, has expired, or never covered identity — the sheet is still printed, without the
name. The service's contact is printed only when it is public: a contact meant for
professionals is not handed out on paper; the organisation's public phone and email stand in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from flask_babel import gettext as _

from accounts.models import User
from directory.hours import TIMEZONE
from directory.models import Location, Organisation, Service
from errors import NotFound
from extensions import db
from referrals import audit
from referrals import consent as ledger
from referrals.models import IDENTITY, Referral
from referrals.transitions import RECEIVER, SENDER

PRINTING_ROLES = {SENDER, RECEIVER}


@dataclass(frozen=True)
class Contact:
    name: str | None = None
    phone: str | None = None
    email: str | None = None

    def __bool__(self) -> bool:
        return bool(self.name or self.phone or self.email)


@dataclass(frozen=True)
class Sheet:
    referral: Referral
    service: Service
    reference: str
    dated: datetime  # when it was sent (or prepared, if not sent yet), Paris time
    person_name: str | None  # None: the consent does not let this reader see it
    places: list[Location]
    organisation: Organisation  # the service's, whose address stands in when no place
    service_contact: Contact
    documents: list[str]
    advisor: Contact  # empty for a self-referral
    sending_organisation: Organisation | None


def reference(referral: Referral) -> str:
    """A short reference to say on the phone: the first eight characters of the id."""
    return referral.id.hex[:8].upper()


def _aware(moment: datetime) -> datetime:
    """SQLite gives naive datetimes back: they are UTC, as written."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _service_contact(service: Service) -> Contact:
    if service.contact_public:
        public = Contact(service.contact_name, service.contact_phone, service.contact_email)
        if public:
            return public
    organisation = service.organisation
    return Contact(None, organisation.phone, organisation.email)


def referral_sheet(referral: Referral, reader, roles: set[str]) -> Sheet:
    """The sheet of the referral for a reader of its sending or receiving side (NotFound for
    anyone else, audited). The read of the person's name is audited too."""
    if not roles & PRINTING_ROLES:
        audit.record("read-refused", "referral-sheet", referral.id, actor=reader,
                     person_id=referral.person_id, details={"reason": "no role"})
        raise NotFound(_("This referral does not exist, or you cannot see it."))
    try:
        view = ledger.read_person(reader, referral.person_id, [IDENTITY],
                                  purpose="referral sheet")
        name = " ".join(part for part in (view.first_name, view.last_name) if part)
    except NotFound:
        name = None  # refused, and the refusal is in the audit log
    service = referral.service
    sender = db.session.get(User, referral.sender_id) if referral.sender_id else None
    sending = referral.sending_organisation
    advisor = Contact()
    if not referral.self_referral and sender is not None:
        advisor = Contact(sender.name, sending.phone if sending else None, sender.email)
    return Sheet(
        referral=referral, service=service, reference=reference(referral),
        dated=_aware(referral.sent_at or referral.created_at).astimezone(TIMEZONE),
        person_name=name or None, places=service.locations, organisation=service.organisation,
        service_contact=_service_contact(service),
        documents=[d for d in (service.required_documents or []) if d and d.strip()],
        advisor=advisor, sending_organisation=None if referral.self_referral else sending)
