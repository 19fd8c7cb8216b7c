"""People who sign in, what they may act for, and the email they are sent."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory.models import Organisation, utcnow
from extensions import db

# Roles within an organisation.
MEMBER, ADMIN = "member", "admin"
ORGANISATION_ROLES = (MEMBER, ADMIN)
# Membership lifecycle: a request to join waits for an administrator (or, for the first
# administrator of an organisation, a territory manager or platform administrator).
PENDING, ACTIVE, REFUSED = "pending", "active", "refused"


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, db.Model):
    __tablename__ = "user_account"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-cased
    name: Mapped[str] = mapped_column(String(150))
    password_hash: Mapped[str] = mapped_column(String(255))  # argon2id
    email_verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    is_platform_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The 30-second step of the last code accepted: a code is good once, never replayed.
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Part of the login session id: replacing it (at login, password change, logout
    # everywhere) invalidates every session issued before.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan",
        foreign_keys="Membership.user_id",
    )
    territories: Mapped[list[TerritoryAssignment]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    def get_id(self) -> str:  # Flask-Login
        return f"{self.id}:{self.session_token}"

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def has_totp(self) -> bool:
        return self.totp_confirmed_at is not None


class Membership(db.Model):
    """A user acting for an organisation, as member or administrator, once active."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("user_id", "organisation_id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(20), default=MEMBER)
    status: Mapped[str] = mapped_column(String(20), default=PENDING, index=True)
    message: Mapped[str | None] = mapped_column(Text)  # what the requester wrote
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    user: Mapped[User] = relationship(back_populates="memberships", foreign_keys=[user_id])
    organisation: Mapped[Organisation] = relationship()


class TerritoryAssignment(db.Model):
    """A territory manager's département: they approve first administrators and review
    changes to published listings there."""

    __tablename__ = "territory_assignment"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    departement_code: Mapped[str] = mapped_column(
        ForeignKey("geo_departement.code"), primary_key=True
    )

    user: Mapped[User] = relationship(back_populates="territories")


class Invitation(db.Model):
    """An organisation administrator invites someone by email; the link expires."""

    __tablename__ = "invitation"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(254), index=True)
    role: Mapped[str] = mapped_column(String(20), default=MEMBER)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of the token
    invited_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    organisation: Mapped[Organisation] = relationship()


class OutboxEmail(db.Model):
    """An email to send, written in the same transaction as what caused it and sent after
    commit, so a rolled-back action never emails and a crash never loses a message.

    A sender claims a row (claimed_until) before talking to SMTP, so two senders never send it
    both; a failure sets next_attempt_at further away each time, until failed_at marks that
    Relais gave up. Rows are never deleted: the table is also the record of what was sent."""

    __tablename__ = "outbox_email"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    # Not before this moment (backoff after a failure); NULL means as soon as possible.
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    # A sender holds the row until then; past it, the sender is presumed dead.
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Given up after the last allowed attempt.
    failed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
