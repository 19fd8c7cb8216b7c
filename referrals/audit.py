"""The audit log: every read and change of personal data and every referral transition, in an
append-only chain where each line carries the hash of the one before.

Appending takes the one row of `audit_head` for update first: on PostgreSQL that row lock, on
SQLite the write lock it takes, makes concurrent appends wait their turn, so the chain never
forks. `verify()` recomputes the chain and names the first line that does not fit: a line
changed, deleted or inserted anywhere, or lines removed from the end (the head remembers the
last hash), all show.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from extensions import db
from referrals.models import AuditEntry

GENESIS = "0" * 64
# Why verify() stopped.
CHANGED, MISSING_OR_INSERTED, TRUNCATED = "changed", "missing-or-inserted", "truncated"


class AuditHead(db.Model):
    """The end of the chain: one row, locked by each append."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_hash: Mapped[str] = mapped_column(String(64), default=GENESIS)
    count: Mapped[int] = mapped_column(Integer, default=0)


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _plain(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return _utc(value).isoformat(timespec="microseconds")
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        items = [_plain(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set) else items
    return value


def entry_hash(previous_hash: str, fields: dict[str, Any]) -> str:
    """sha256 of the previous hash and the line's fields in canonical JSON."""
    canonical = json.dumps(_plain(fields), sort_keys=True, separators=(",", ":"),
                           ensure_ascii=False)
    return hashlib.sha256((previous_hash + canonical).encode()).hexdigest()


def _fields(entry: AuditEntry) -> dict[str, Any]:
    return {
        "at": entry.at, "actor_id": entry.actor_id, "actor_kind": entry.actor_kind,
        "organisation_id": entry.organisation_id, "action": entry.action,
        "subject_type": entry.subject_type, "subject_id": entry.subject_id,
        "person_id": entry.person_id, "details": entry.details or {},
    }


def record(
    action: str,
    subject_type: str,
    subject_id: Any = None,
    *,
    actor=None,
    actor_kind: str | None = None,
    organisation_id: uuid.UUID | None = None,
    person_id: uuid.UUID | None = None,
    details: dict | None = None,
    now: datetime | None = None,
) -> AuditEntry:
    """Append one line in the current transaction (it disappears with a rollback, as the
    action it records does). Flushes. An actor that is not an account (the holder of a
    magic link, referrals/principals.py) names itself through `audit_identity()`."""
    identity = getattr(actor, "audit_identity", None)
    if identity is not None:
        actor_kind, own_organisation, own_details = identity()
        organisation_id = organisation_id or own_organisation
        details = {**(details or {}), **own_details}
    # The write comes first: it takes the lock (the row on PostgreSQL, the database on
    # SQLite), and only then is the end of the chain read, fresh.
    db.session.flush()
    db.session.execute(sa.update(AuditHead).where(AuditHead.id == 1)
                       .values(count=AuditHead.count + 1))
    head = db.session.scalar(sa.select(AuditHead).where(AuditHead.id == 1)
                             .execution_options(populate_existing=True))
    if head is None:  # a database created without the migration's first row
        head = AuditHead(id=1, last_hash=GENESIS, count=1)
        db.session.add(head)
    entry = AuditEntry(
        at=_utc(now or datetime.now(UTC)),
        actor_id=getattr(actor, "id", None),
        actor_kind=actor_kind or ("user" if actor is not None else "system"),
        organisation_id=organisation_id,
        action=action,
        subject_type=subject_type,
        subject_id=None if subject_id is None else str(subject_id),
        person_id=person_id,
        details=_plain(details or {}),
        previous_hash=head.last_hash,
    )
    entry.hash = entry_hash(head.last_hash, _fields(entry))
    head.last_hash = entry.hash
    db.session.add(entry)
    db.session.flush()
    return entry


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int
    broken_at: int | None = None  # id of the first line that does not fit
    reason: str | None = None  # CHANGED, MISSING_OR_INSERTED or TRUNCATED


def verify(progress: Callable[[int, int], None] | None = None, batch: int = 5000) -> Verification:
    """Recompute the chain from the first line; stop at the first broken link."""
    total = db.session.scalar(sa.select(sa.func.count(AuditEntry.id))) or 0
    previous, checked, last_id = GENESIS, 0, None
    while True:
        query = sa.select(AuditEntry).order_by(AuditEntry.id).limit(batch)
        if last_id is not None:
            query = query.where(AuditEntry.id > last_id)
        entries = db.session.scalars(query).all()
        if not entries:
            break
        for entry in entries:
            if entry.previous_hash != previous:
                return Verification(False, checked, entry.id, MISSING_OR_INSERTED)
            if entry_hash(previous, _fields(entry)) != entry.hash:
                return Verification(False, checked, entry.id, CHANGED)
            previous, checked, last_id = entry.hash, checked + 1, entry.id
        if progress:
            progress(checked, total)
        db.session.expunge_all()
    head = db.session.get(AuditHead, 1)
    if head is not None and head.last_hash != previous:
        return Verification(False, checked, None, TRUNCATED)
    return Verification(True, checked)
