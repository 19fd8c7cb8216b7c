"""The referral state machine: one table says, for each action, from which states it may
happen, to which state it leads, and who may take it. `transition()` is the only code that
changes a referral's status.

    draft ──send──▶ sent (or held, while the sending organisation awaits moderation)
    held ──release──▶ sent                          (territory manager)
    sent ──open──▶ opened                           (receiver, on first reading)
    sent|opened ──accept──▶ accepted | ──decline──▶ declined (with a reason)
    accepted ──start──▶ in-progress
    accepted|in-progress ──complete──▶ completed (with an outcome) | ──close──▶ closed
    sent|opened ──expire──▶ expired                 (the system, unanswered after 30 days)
    draft|held|sent|opened ──cancel──▶ cancelled    (the sender)

A transition from the wrong state, or on a version of the referral older than the one the
actor saw (someone else acted meanwhile), is a Conflict (HTTP 409) and changes nothing; an
actor who may not take the action gets Forbidden. Every transition is kept as an event and
written to the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm.attributes import set_committed_value

from errors import Conflict, Forbidden, Invalid
from extensions import db
from referrals import audit
from referrals.models import (
    ACCEPTED,
    CANCELLED,
    CLOSED,
    COMPLETED,
    DECLINE_REASONS,
    DECLINED,
    DRAFT,
    EXPIRED,
    HELD,
    IN_PROGRESS,
    OPENED,
    OUTCOMES,
    SENT,
    Referral,
    ReferralEvent,
)

# Who acts: the sending side, the receiving side, the moderator, the person, the system.
SENDER, RECEIVER, MODERATOR, PERSON, SYSTEM = "sender", "receiver", "moderator", "person", \
    "system"


@dataclass(frozen=True)
class Move:
    sources: tuple[str, ...]
    target: str
    actors: frozenset[str]


TRANSITIONS: dict[str, Move] = {
    "send": Move((DRAFT,), SENT, frozenset({SENDER, PERSON})),
    "release": Move((HELD,), SENT, frozenset({MODERATOR})),
    "open": Move((SENT,), OPENED, frozenset({RECEIVER})),
    "accept": Move((SENT, OPENED), ACCEPTED, frozenset({RECEIVER})),
    "decline": Move((SENT, OPENED), DECLINED, frozenset({RECEIVER})),
    "start": Move((ACCEPTED,), IN_PROGRESS, frozenset({RECEIVER})),
    "complete": Move((ACCEPTED, IN_PROGRESS), COMPLETED, frozenset({RECEIVER})),
    "close": Move((ACCEPTED, IN_PROGRESS), CLOSED, frozenset({RECEIVER, SENDER})),
    "expire": Move((SENT, OPENED), EXPIRED, frozenset({SYSTEM})),
    "cancel": Move((DRAFT, HELD, SENT, OPENED), CANCELLED, frozenset({SENDER, PERSON})),
}


def _claim(referral: Referral) -> None:
    """Bump the version in the database only if nobody else did since this referral was
    read: two people acting at once (an accept racing an expiry) cannot both win; the loser
    gets a Conflict and changes nothing."""
    db.session.flush()
    seen = referral.version
    claimed = db.session.execute(
        sa.update(Referral.__table__)
        .where(Referral.__table__.c.id == referral.id, Referral.__table__.c.version == seen)
        .values(version=seen + 1)
    ).rowcount
    if claimed != 1:
        raise Conflict(_("This referral changed while you were reading it: look at it again "
                         "before acting."))
    set_committed_value(referral, "version", seen + 1)


def allowed_actions(referral: Referral, roles: set[str]) -> list[str]:
    """The actions these roles may take on the referral now (for the buttons a page shows)."""
    roles = _acting_roles(referral, roles)
    return [action for action, move in TRANSITIONS.items()
            if referral.status in move.sources and move.actors & roles]


def _acting_roles(referral: Referral, roles: set[str]) -> set[str]:
    """The person acts on the referrals they made themself; on an advisor's referral they
    read and write in the thread, and withdraw their consent, but the sender sends or
    cancels it."""
    return roles if referral.self_referral else roles - {PERSON}


def transition(
    referral: Referral,
    action: str,
    *,
    role: str,
    actor=None,
    actor_kind: str = "user",
    seen_version: int | None = None,
    reason: str | None = None,
    outcome: str | None = None,
    note: str | None = None,
    held: bool = False,
    now: datetime | None = None,
) -> ReferralEvent:
    """Take `action` on the referral as `role`. `seen_version` is the version the actor's
    page showed (None for the system). `held`: a send that waits for moderation."""
    move = TRANSITIONS.get(action)
    if move is None:
        raise Invalid(_("Unknown action."), {"action": [_("Unknown action.")]})
    if role not in move.actors or role not in _acting_roles(referral, {role}):
        raise Forbidden(_("You cannot do this on this referral."))
    if seen_version is not None and seen_version != referral.version:
        raise Conflict(_("This referral changed while you were reading it: look at it again "
                         "before acting."))
    if referral.status not in move.sources:
        raise Conflict(_("This referral is %(status)s: this action is no longer possible.",
                         status=referral.status))
    if action == "decline" and reason not in DECLINE_REASONS:
        raise Invalid(_("Say why the referral is declined."),
                      {"reason": [_("Choose a reason from the list.")]})
    if action == "complete" and outcome not in OUTCOMES:
        raise Invalid(_("Say how it ended."), {"outcome": [_("Choose an outcome.")]})
    now = now or datetime.now(UTC)
    target = HELD if (action == "send" and held) else move.target
    previous = referral.status
    _claim(referral)
    event = ReferralEvent(referral=referral, action=action, from_status=referral.status,
                          to_status=target, actor_id=getattr(actor, "id", None),
                          actor_kind=actor_kind, at=now, reason=reason or outcome, note=note)
    referral.status = target
    if target == SENT and referral.sent_at is None:
        referral.sent_at = now
    if action in ("accept", "decline") and referral.first_answer_at is None:
        referral.first_answer_at = now
    if action == "decline":
        referral.decline_reason = reason
    if action == "complete":
        referral.outcome = outcome
    db.session.add(event)
    db.session.flush()
    audit.record("transition", "referral", referral.id, actor=actor, actor_kind=actor_kind,
                 person_id=referral.person_id, now=now,
                 details={"action": action, "from": previous, "to": target,
                          "reason": reason or outcome})
    return event
