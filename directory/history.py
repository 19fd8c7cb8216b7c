"""The field-by-field history of listings, and the review of changes to published ones.

Every change a member makes to a service is kept as one `ChangeRecord` per field: who, when,
the value before and the value after. People trust a listing they can trace, and the territory
manager of the organisation's département reviews what changed on listings already public
(`needs_review`), since a published listing is what advisors and the public rely on.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory.models import Organisation, Service, utcnow
from errors import Forbidden
from extensions import db

ENTITY_SERVICE, ENTITY_ORGANISATION = "service", "organisation"
# Kept in a history page at most; older records stay in the table.
HISTORY_LIMIT = 500


class ChangeRecord(db.Model):
    """One field of one listing changed by one person at one moment."""

    __tablename__ = "change_record"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    entity: Mapped[str] = mapped_column(String(20))  # "service" or "organisation"
    entity_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    field: Mapped[str] = mapped_column(String(60))
    # JSON so lists (needs, zones) and dates keep their shape; None means "empty".
    old_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    new_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    changed_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    reviewed_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    changed_by = relationship("User", foreign_keys=[changed_by_id], lazy="joined")
    reviewed_by = relationship("User", foreign_keys=[reviewed_by_id])

    @property
    def awaiting_review(self) -> bool:
        return self.needs_review and self.reviewed_at is None


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def record_changes(
    entity: str,
    entity_id: uuid.UUID,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    actor,
    *,
    needs_review: bool,
    now: datetime | None = None,
) -> list[ChangeRecord]:
    """One record per field whose value differs between the two snapshots (an empty text and
    no value count as the same, so saving an untouched form records nothing). Flushes."""
    now = now or utcnow()
    records = []
    for field, new in after.items():
        old = before.get(field)
        if old == new or (_empty(old) and _empty(new)):
            continue
        records.append(
            ChangeRecord(
                entity=entity,
                entity_id=entity_id,
                field=field,
                old_value=None if _empty(old) else old,
                new_value=None if _empty(new) else new,
                changed_by_id=actor.id if actor is not None else None,
                changed_at=now,
                needs_review=needs_review,
            )
        )
    db.session.add_all(records)
    db.session.flush()
    return records


def changes_of(service: Service, limit: int = HISTORY_LIMIT) -> list[ChangeRecord]:
    """The service's changes, newest first."""
    return list(
        db.session.scalars(
            sa.select(ChangeRecord)
            .where(ChangeRecord.entity == ENTITY_SERVICE, ChangeRecord.entity_id == service.id)
            .order_by(ChangeRecord.changed_at.desc(), ChangeRecord.field)
            .limit(limit)
        ).unique()
    )


def awaiting_review(
    may_moderate: Callable[[Organisation], bool], limit: int = HISTORY_LIMIT
) -> list[tuple[Service, list[ChangeRecord]]]:
    """Changes to public services not yet reviewed that the reviewer may moderate, grouped by
    service, the longest-waiting first. `may_moderate` is the permission check
    (accounts.permissions.can_moderate for the reviewer), asked once per organisation: the
    queue holds only unreviewed changes, so it stays short enough to read through."""
    query = (
        sa.select(ChangeRecord, Service)
        .join(Service, Service.id == ChangeRecord.entity_id)
        .where(
            ChangeRecord.entity == ENTITY_SERVICE,
            ChangeRecord.needs_review.is_(True),
            ChangeRecord.reviewed_at.is_(None),
        )
        .order_by(ChangeRecord.changed_at, ChangeRecord.field)
    )
    grouped: dict[uuid.UUID, tuple[Service, list[ChangeRecord]]] = {}
    allowed: dict[uuid.UUID, bool] = {}
    for record, service in db.session.execute(query).unique():
        if service.organisation_id not in allowed:
            allowed[service.organisation_id] = may_moderate(service.organisation)
        if not allowed[service.organisation_id]:
            continue
        if service.id not in grouped and len(grouped) >= limit:
            break
        grouped.setdefault(service.id, (service, []))[1].append(record)
    return list(grouped.values())


def mark_reviewed(
    service: Service,
    record_ids: Iterable[str | uuid.UUID],
    reviewer,
    may_moderate: Callable[[Organisation], bool],
    *,
    now: datetime | None = None,
) -> int:
    """Mark the listed changes of one service as reviewed and return how many were. Only the
    ids the reviewer saw are marked, so a change made while they read is not waved through.
    Ids of other services, or already reviewed, are ignored. Flushes."""
    if not may_moderate(service.organisation):
        raise Forbidden(_("You cannot review changes to this organisation's listings."))
    wanted = set()
    for value in record_ids:
        try:
            wanted.add(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))
        except ValueError:
            continue
    if not wanted:
        return 0
    records = (
        db.session.scalars(
            sa.select(ChangeRecord).where(
                ChangeRecord.id.in_(wanted),
                ChangeRecord.entity == ENTITY_SERVICE,
                ChangeRecord.entity_id == service.id,
                ChangeRecord.needs_review.is_(True),
                ChangeRecord.reviewed_at.is_(None),
            )
        )
        .unique()
        .all()
    )
    now = now or utcnow()
    for record in records:
        record.reviewed_at = now
        record.reviewed_by_id = reviewer.id
    db.session.flush()
    return len(records)
