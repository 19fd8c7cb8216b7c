"""People, their consents, follow-ups, referrals between organisations, and the audit log.

A person's record belongs to no organisation: organisations reach it through a consent the
person gave them (the consent ledger, referrals/consent.py), for named categories of data, for
a purpose and a time. Every read and change of personal data, and every referral transition,
is written to an append-only, hash-chained audit log (referrals/audit.py).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory.models import Organisation, Service, utcnow
from extensions import db

# Data categories a consent may cover; documents are named one by one ("document:<id>").
IDENTITY, CONTACT, SITUATION = "identity", "contact", "situation"
CATEGORIES = (IDENTITY, CONTACT, SITUATION)
DOCUMENT_PREFIX = "document:"

# How a consent was given.
ONLINE, IN_PERSON, BY_PHONE = "online", "in-person", "phone"
CONSENT_METHODS = (ONLINE, IN_PERSON, BY_PHONE)

# What a consent is for.
PURPOSE_REFERRAL, PURPOSE_FOLLOW_UP = "referral", "follow-up"
PURPOSES = (PURPOSE_REFERRAL, PURPOSE_FOLLOW_UP)

CONTACT_CHANNELS = ("email", "phone", "sms", "post")

# Referral states (referrals/transitions.py holds who may move them and where).
DRAFT, HELD, SENT, OPENED = "draft", "held", "sent", "opened"
ACCEPTED, DECLINED, IN_PROGRESS = "accepted", "declined", "in-progress"
COMPLETED, CLOSED, EXPIRED, CANCELLED = "completed", "closed", "expired", "cancelled"
REFERRAL_STATUSES = (DRAFT, HELD, SENT, OPENED, ACCEPTED, DECLINED, IN_PROGRESS, COMPLETED,
                     CLOSED, EXPIRED, CANCELLED)
OPEN_STATUSES = (DRAFT, HELD, SENT, OPENED, ACCEPTED, IN_PROGRESS)

OUTCOMES = ("started", "finished", "job-found", "no-show", "other")
DECLINE_REASONS = ("already-followed", "not-eligible", "no-capacity", "unreachable",
                   "person-declined", "other")


class Person(db.Model):
    """Someone accompanied: created by an advisor (with consent) or by the person."""

    __tablename__ = "person"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    birth_date: Mapped[date | None] = mapped_column(Date)
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(30))
    preferred_channel: Mapped[str] = mapped_column(String(10), default="email")
    france_travail_id: Mapped[str | None] = mapped_column(String(20))
    # The person's own account, when they have one.
    user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), unique=True
    )
    # HMAC of the normalised identity (referrals/identity.py): finds the same person across
    # organisations without comparing names in clear.
    identity_key: Mapped[str] = mapped_column(String(64), index=True)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    erased_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    consents: Mapped[list[Consent]] = relationship(back_populates="person",
                                                   order_by="Consent.given_at")


class Consent(db.Model):
    """One consent of the ledger: who, to whom, for what, which data, how, until when."""

    __tablename__ = "consent"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[str] = mapped_column(String(20))
    # The service a referral consent is for (None for a follow-up).
    service_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("service.id", ondelete="SET NULL")
    )
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    method: Mapped[str] = mapped_column(String(20))
    # The advisor who attests a consent given in person or by phone.
    attested_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    text: Mapped[str] = mapped_column(Text)  # exactly what was shown or read out
    text_version: Mapped[str] = mapped_column(String(20))
    given_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    withdrawn_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    person: Mapped[Person] = relationship(back_populates="consents")
    grants: Mapped[list[ConsentGrant]] = relationship(back_populates="consent",
                                                      cascade="all, delete-orphan")

    @property
    def organisation_ids(self) -> set[uuid.UUID]:
        return {grant.organisation_id for grant in self.grants}

    def is_valid_at(self, moment: datetime) -> bool:
        return self.withdrawn_at is None and _aware(moment) < _aware(self.expires_at)


def _aware(moment: datetime) -> datetime:
    """SQLite gives naive datetimes back: they are UTC, as written."""
    from datetime import UTC

    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class ConsentGrant(db.Model):
    """An organisation a consent is given to."""

    __tablename__ = "consent_grant"

    consent_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("consent.id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True, index=True
    )

    consent: Mapped[Consent] = relationship(back_populates="grants")
    organisation: Mapped[Organisation] = relationship()


class FollowUp(db.Model):
    """This organisation accompanies this person for these needs since this date."""

    __tablename__ = "follow_up"
    __table_args__ = (UniqueConstraint("person_id", "organisation_id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    needs: Mapped[list[str]] = mapped_column(JSON, default=list)  # thématique codes
    since: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    consent_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("consent.id", ondelete="SET NULL")
    )
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    person: Mapped[Person] = relationship()
    organisation: Mapped[Organisation] = relationship()


class Referral(db.Model):
    """A person sent by one organisation (or by themself) to another's service."""

    __tablename__ = "referral"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    service_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("service.id", ondelete="RESTRICT"), index=True
    )
    receiving_organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    # None for a self-referral.
    sending_organisation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    sender_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    self_referral: Mapped[bool] = mapped_column(Boolean, default=False)
    need: Mapped[str | None] = mapped_column(String(120))  # thématique code
    motive: Mapped[str | None] = mapped_column(Text)  # the sender's words
    # Situation facts shared under the consent's "situation" category (never otherwise).
    situation: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    consent_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("consent.id", ondelete="SET NULL")
    )
    status: Mapped[str] = mapped_column(String(20), default=DRAFT, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    first_answer_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                 onupdate=utcnow)
    decline_reason: Mapped[str | None] = mapped_column(String(30))
    outcome: Mapped[str | None] = mapped_column(String(20))
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Bumped on each transition: a form showing an older version is stale (409).
    version: Mapped[int] = mapped_column(Integer, default=1)

    person: Mapped[Person] = relationship()
    service: Mapped[Service] = relationship()
    receiving_organisation: Mapped[Organisation] = relationship(
        foreign_keys=[receiving_organisation_id])
    sending_organisation: Mapped[Organisation | None] = relationship(
        foreign_keys=[sending_organisation_id])
    consent: Mapped[Consent | None] = relationship()
    events: Mapped[list[ReferralEvent]] = relationship(
        back_populates="referral", cascade="all, delete-orphan", order_by="ReferralEvent.at")
    messages: Mapped[list[ReferralMessage]] = relationship(
        back_populates="referral", cascade="all, delete-orphan", order_by="ReferralMessage.at")


class ReferralEvent(db.Model):
    """One transition of a referral, kept for ever (the timeline)."""

    __tablename__ = "referral_event"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    referral_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("referral.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # user | magic-link | person | system
    actor_kind: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    reason: Mapped[str | None] = mapped_column(String(30))
    note: Mapped[str | None] = mapped_column(Text)

    referral: Mapped[Referral] = relationship(back_populates="events")


class ReferralMessage(db.Model):
    """A message of a referral's thread between sender, receiver and the person."""

    __tablename__ = "referral_message"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    referral_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("referral.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    author_kind: Mapped[str] = mapped_column(String(20))  # sender | receiver | person
    body: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    referral: Mapped[Referral] = relationship(back_populates="messages")


class AuditEntry(db.Model):
    """One line of the append-only audit log; `hash` chains it to the line before, so a
    change or a deletion anywhere breaks the chain (`flask audit verify`)."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                    primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)  # no FK: the log outlives users
    actor_kind: Mapped[str] = mapped_column(String(20))
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    action: Mapped[str] = mapped_column(String(30))  # read | create | update | transition …
    subject_type: Mapped[str] = mapped_column(String(30))
    subject_id: Mapped[str | None] = mapped_column(String(64))
    person_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    previous_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
