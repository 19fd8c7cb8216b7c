"""Upkeep of the documents: retention (`flask documents purge`), the sweeper of crash
leftovers (`flask documents sweep`) and master-key rotation (`flask documents rotate-key`).
Each is safe to run again; deletions go through documents.delete_document (audited, the file
removed once the deletion commits)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from extensions import db
from referrals import document_storage as storage
from referrals.document_models import Document
from referrals.documents import delete_document, documents_settings, keyring, store
from referrals.models import (
    CANCELLED,
    CLOSED,
    COMPLETED,
    DECLINED,
    EXPIRED,
    PURPOSE_FOLLOW_UP,
    Referral,
    ReferralEvent,
)

logger = logging.getLogger(__name__)

ENDED_WITHOUT_FOLLOW_THROUGH = (DECLINED, CANCELLED, EXPIRED)
ENDED_AFTER_FOLLOW_THROUGH = (CLOSED, COMPLETED)


def _covered_by_follow_up(document: Document, now: datetime) -> bool:
    return any(c.purpose == PURPOSE_FOLLOW_UP and document.category in (c.categories or [])
               and c.is_valid_at(now) for c in document.person.consents)


def purge(now: datetime | None = None,
          progress: Callable[[int], None] | None = None) -> int:
    """Delete documents past their retention: those of declined, cancelled or expired
    referrals after RELAIS_DOCUMENTS_RETENTION_DAYS; those of closed or completed ones after
    RELAIS_DOCUMENTS_CLOSED_RETENTION_DAYS unless a follow-up consent still names them.
    Safe to run again: what is left is what must stay."""
    now = now or datetime.now(UTC)
    settings = documents_settings()
    rules = (
        (ENDED_WITHOUT_FOLLOW_THROUGH, timedelta(days=settings.documents_retention_days), False),
        (ENDED_AFTER_FOLLOW_THROUGH,
         timedelta(days=settings.documents_closed_retention_days), True),
    )
    # A referral ended with the transition into its state (updated_at moves with any change).
    ended = (sa.select(sa.func.max(ReferralEvent.at))
             .where(ReferralEvent.referral_id == Referral.id,
                    ReferralEvent.to_status == Referral.status).scalar_subquery())
    deleted = 0
    for statuses, delay, follow_up_keeps in rules:
        documents = db.session.scalars(
            sa.select(Document).join(Referral, Document.referral_id == Referral.id)
            .where(Referral.status.in_(statuses),
                   sa.func.coalesce(ended, Referral.updated_at) <= now - delay)).all()
        for document in documents:
            if follow_up_keeps and _covered_by_follow_up(document, now):
                continue
            delete_document(document, reason="retention", now=now)
            deleted += 1
            if progress:
                progress(deleted)
    return deleted


def sweep(older_than_seconds: float = 3600.0, now: float | None = None) -> int:
    """Remove files no committed document owns (crash leftovers), once older than the grace
    period that lets an upload in flight finish its commit."""
    found = list(storage.stored_ids(store()))
    ids = [i for i, _p in found if i is not None]
    known: set[uuid.UUID] = set()
    for start in range(0, len(ids), 500):
        known |= set(db.session.scalars(
            sa.select(Document.id).where(Document.id.in_(ids[start:start + 500]))))
    removed = 0
    for document_id, path in found:
        orphan = path.suffix == storage.PART_SUFFIX or document_id not in known
        if orphan and storage.older_than(path, older_than_seconds, now):
            path.unlink(missing_ok=True)
            removed += 1
            logger.info("removed orphan document file %s", path.name)
    return removed


def rotate_master_key(new_key: str | None = None,
                      progress: Callable[[int, int], None] | None = None,
                      batch: int = 200) -> tuple[int, storage.Keyring]:
    """Re-wrap every document key under a new current master key, one committed batch at a
    time (readers keep working: both keys stay in the keyring meanwhile), then drop the keys
    that were already retired before this run and that no document uses any more.

    The key that was current when the run began is kept, retired, until the next rotation:
    an upload that read the keyring just before the switch may still wrap its key with it
    after the last re-wrapped batch, and must stay readable (the next run re-wraps it)."""
    ring = keyring()
    retired_before = {kid for kid, _key in ring.keys[1:]}
    if ring.source != "env":
        ring = storage.add_current_key(ring, new_key)
    total = db.session.scalar(sa.select(sa.func.count(Document.id)).where(
        Document.master_key_id != ring.current_id)) or 0
    done = 0
    while True:
        documents = db.session.scalars(
            sa.select(Document).where(Document.master_key_id != ring.current_id)
            .limit(batch)).all()
        if not documents:
            break
        for document in documents:
            key = storage.unwrap_key(ring, document.id, document.master_key_id,
                                     document.wrapped_key)
            document.master_key_id, document.wrapped_key = storage.wrap_key(ring, document.id,
                                                                            key)
        db.session.commit()
        done += len(documents)
        if progress:
            progress(done, total)
    used = set(db.session.scalars(sa.select(Document.master_key_id).distinct()))
    ring = storage.drop_keys(ring, {kid for kid in retired_before if kid not in used})
    return done, ring
