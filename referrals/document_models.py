"""The document table: one row per stored document of a person (referrals/documents.py)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, LargeBinary, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory.models import utcnow
from extensions import db
from referrals.models import Person, Referral


class Document(db.Model):
    """A document in a person's file, maybe attached to a referral. The file itself is
    encrypted on disk under its id (referrals/document_storage.py); this row holds its wrapped
    key, and only a committed row makes a document visible."""

    __tablename__ = "document"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    referral_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("referral.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))  # shown, never a path
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    sha256: Mapped[str] = mapped_column(String(64))  # of the plaintext
    master_key_id: Mapped[str] = mapped_column(String(16), index=True)
    wrapped_key: Mapped[bytes] = mapped_column(LargeBinary)
    scan_status: Mapped[str] = mapped_column(String(20))  # clean | not-scanned
    uploaded_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL")
    )
    # The consent that shares it with organisations (None: only the person sees it).
    consent_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("consent.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    person: Mapped[Person] = relationship()
    referral: Mapped[Referral | None] = relationship()

    @property
    def category(self) -> str:
        """The consent category that names this document."""
        return f"document:{self.id}"
