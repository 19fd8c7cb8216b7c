"""Email through an outbox: queued in the caller's transaction, delivered after it commits.

queue_email() adds a row to the current transaction, so an action that rolls back never sends
its email and one that commits never loses it. deliver_pending() sends committed rows that are
due: right after the request that queued them, and from `flask outbox send` (run by hand, from
cron, or kept running with --loop), which also retries the failures.

How delivery stays reliable:

- It reads through its own session, so it only ever sees committed rows.
- **No double send.** Before talking to SMTP, a sender claims the row with one atomic UPDATE
  that succeeds only if the row is still unsent and unclaimed (or its claim has expired), and
  commits that claim; a second sender, in this process or another, finds the row claimed and
  skips it. sent_at is written in a second commit once the server has accepted the message.
- **Nothing lost.** A failure (server down, refused message) keeps the row, counts the attempt
  and sets next_attempt_at one minute later, then 2, 4, 8 … minutes (at most 6 hours). After
  RELAIS_MAIL_MAX_ATTEMPTS attempts the row is marked failed_at and logged as an error; rows are
  never deleted.
- **The one at-least-once edge.** If the process dies after the server accepted a message but
  before sent_at is committed, the row is sent again once its claim expires (5 minutes). Every
  message carries a Message-ID derived from its row, identical on each attempt, so mail servers
  and clients can recognise the duplicate.
- The attempt is counted when the row is claimed, so a message that crashes the sender every
  time is still given up after the maximum number of attempts.

Once the server has accepted a message, its body is removed from the row (in the same commit
as sent_at): bodies carry signed links (a magic link answering a referral, a consent's
withdrawal, a password reset) that must not outlive their delivery in a table. Recipient,
subject and dates stay, as the record that it was sent.
"""

from __future__ import annotations

import logging
import smtplib
import threading
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import NamedTuple

import sqlalchemy as sa
from flask import current_app, g, has_request_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from accounts.models import OutboxEmail
from directory.models import utcnow
from extensions import db

log = logging.getLogger(__name__)

# How long a sender holds a row it is sending; past it, the sender is presumed dead and another
# may take the row. Far longer than one SMTP exchange (its socket timeout is 10 seconds).
CLAIM_DURATION = timedelta(minutes=5)
RETRY_BASE_DELAY = timedelta(minutes=1)
RETRY_MAX_DELAY = timedelta(hours=6)
SMTP_TIMEOUT_SECONDS = 10
# What a sent email's body becomes (see the module's docstring).
SENT_BODY = "[sent: body removed]"


class Delivery(NamedTuple):
    """What one delivery run did."""

    sent: int = 0
    failed: int = 0  # kept in the outbox, tried again after a delay
    given_up: int = 0  # marked failed_at: no more attempts


def queue_email(recipient: str, subject: str, body: str) -> OutboxEmail:
    """Queue a plain-text email in the current transaction."""
    email = OutboxEmail(id=uuid.uuid4(), recipient=recipient, subject=str(subject),
                        body=str(body))
    db.session.add(email)
    if has_request_context():
        g.setdefault("relais_mail_queued", []).append(email.id)
    return email


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed attempt: 1 minute, then twice as long
    after each further failure, at most 6 hours."""
    doublings = min(max(attempts - 1, 0), 20)  # 2**20 minutes is far past the cap already
    return min(RETRY_BASE_DELAY * 2**doublings, RETRY_MAX_DELAY)


def message_id(email_id: uuid.UUID, sender: str) -> str:
    """The Message-ID of an outbox row: the same on every attempt, so that a message sent twice
    (see the module docstring) can be recognised as one."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "relais.localhost"
    return f"<outbox-{email_id}@{domain}>"


def waiting_count() -> int:
    """Emails neither sent nor given up (due now or later)."""
    with Session(db.engine) as session:
        return session.scalar(
            sa.select(sa.func.count(OutboxEmail.id)).where(
                OutboxEmail.sent_at.is_(None), OutboxEmail.failed_at.is_(None)
            )
        )


def deliver_pending(
    limit: int = 100,
    *,
    now: datetime | None = None,
    only: Iterable[uuid.UUID] | None = None,
    stop: threading.Event | None = None,
) -> Delivery:
    """Send the committed emails that are due (oldest first, at most `limit`), each claimed so
    that no other sender sends it too; count the failures and schedule their retry.

    `now` fixes the clock (tests); by default each claim and each outcome reads the time, so a
    long run never hands out claims that are already expired. `only` restricts the run to
    these rows (what a request just queued). Once `stop` is set, no further email is claimed:
    the run ends after the one in hand."""
    clock: Callable[[], datetime] = (lambda: now) if now is not None else utcnow
    smtp = current_app.config["RELAIS_SMTP"]
    sender = current_app.config["RELAIS_MAIL_FROM"]
    max_attempts = current_app.config["RELAIS_MAIL_MAX_ATTEMPTS"]
    if not smtp["host"]:
        log.info("SMTP_HOST is not set: %d email(s) wait in the outbox", waiting_count())
        return Delivery()
    sent = failed = 0
    with Session(db.engine) as session:
        given_up = _give_up_beyond_max_attempts(session, clock(), max_attempts)
        query = (
            sa.select(OutboxEmail.id)
            .where(_claimable(clock(), max_attempts))
            .order_by(OutboxEmail.created_at, OutboxEmail.id)
            .limit(limit)
        )
        if only is not None:
            query = query.where(OutboxEmail.id.in_(list(only)))
        candidates = session.scalars(query).all()
        session.commit()
        for email_id in candidates:
            if stop is not None and stop.is_set():
                break
            if not _claim(session, email_id, clock(), max_attempts):
                continue  # another sender has it, or has just sent it
            email = session.get(OutboxEmail, email_id)
            try:
                _send(smtp, sender, email)
            except Exception as error:  # whatever it is, the other emails still go out
                if not isinstance(error, OSError | smtplib.SMTPException):
                    log.exception("email %s could not be sent", email_id)
                if _record_failure(email, f"{type(error).__name__}: {error}", clock(),
                                   max_attempts):
                    given_up += 1
                else:
                    failed += 1
            else:
                email.sent_at = clock()
                email.body = SENT_BODY
                email.claimed_until = email.next_attempt_at = email.last_error = None
                sent += 1
            session.commit()
    return Delivery(sent, failed, given_up)


def _claimable(now: datetime, max_attempts: int):
    """Unsent, not given up, due, not held by a live sender, and with an attempt left."""
    return sa.and_(
        OutboxEmail.sent_at.is_(None),
        OutboxEmail.failed_at.is_(None),
        OutboxEmail.attempts < max_attempts,
        sa.or_(OutboxEmail.next_attempt_at.is_(None), OutboxEmail.next_attempt_at <= now),
        sa.or_(OutboxEmail.claimed_until.is_(None), OutboxEmail.claimed_until < now),
    )


def _claim(session: Session, email_id: uuid.UUID, now: datetime, max_attempts: int) -> bool:
    """Take the row for CLAIM_DURATION and count the attempt, committed before any SMTP talk.
    The UPDATE re-checks every condition, so of two senders racing for a row exactly one
    changes it (PostgreSQL re-evaluates the WHERE after the other's commit; SQLite serialises
    writers)."""
    result = session.execute(
        sa.update(OutboxEmail)
        .where(OutboxEmail.id == email_id, _claimable(now, max_attempts))
        .values(claimed_until=now + CLAIM_DURATION, attempts=OutboxEmail.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return result.rowcount == 1


def _record_failure(email: OutboxEmail, error: str, now: datetime, max_attempts: int) -> bool:
    """Release the row with its retry time, or give it up after the last attempt; True when
    given up."""
    email.last_error = error
    email.claimed_until = None
    if email.attempts >= max_attempts:
        email.failed_at = now
        email.next_attempt_at = None
        log.error("email %s to %s given up after %d attempts: %s",
                  email.id, email.recipient, email.attempts, error)
        return True
    email.next_attempt_at = now + retry_delay(email.attempts)
    log.warning("email %s to %s not sent (attempt %d of %d, next at %s): %s", email.id,
                email.recipient, email.attempts, max_attempts, email.next_attempt_at, error)
    return False


def _give_up_beyond_max_attempts(session: Session, now: datetime, max_attempts: int) -> int:
    """Give up the rows that have no attempt left but were never marked: their last attempt
    was interrupted (the sender died; its claim has expired), or RELAIS_MAIL_MAX_ATTEMPTS was
    lowered since."""
    result = session.execute(
        sa.update(OutboxEmail)
        .where(
            OutboxEmail.sent_at.is_(None),
            OutboxEmail.failed_at.is_(None),
            OutboxEmail.attempts >= max_attempts,
            sa.or_(OutboxEmail.claimed_until.is_(None), OutboxEmail.claimed_until < now),
        )
        .values(failed_at=now, claimed_until=None, next_attempt_at=None)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    if result.rowcount:
        log.error("%d email(s) given up: no attempt left (the last one was interrupted, or "
                  "RELAIS_MAIL_MAX_ATTEMPTS was lowered)", result.rowcount)
    return result.rowcount


def _send(smtp: dict, sender: str, email: OutboxEmail) -> None:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = email.recipient
    message["Subject"] = email.subject
    message["Date"] = format_datetime(_aware(email.created_at))
    message["Message-ID"] = message_id(email.id, sender)
    message.set_content(email.body)
    with smtplib.SMTP(smtp["host"], smtp["port"], timeout=SMTP_TIMEOUT_SECONDS) as client:
        if smtp["starttls"]:
            client.starttls()
        if smtp["user"]:
            client.login(smtp["user"], smtp["password"])
        client.send_message(message)


def _aware(moment: datetime) -> datetime:
    """SQLite gives back naive UTC datetimes."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def init_mail(app) -> None:
    """Deliver what a request queued once its transaction has committed. Only that request's
    emails: the backlog and the retries belong to `flask outbox send`, so a request never waits
    on someone else's mail."""

    @event.listens_for(db.session, "after_commit")
    def _note_commit(session):
        if has_request_context() and g.get("relais_mail_queued"):
            g.relais_mail_committed = list(g.relais_mail_queued)

    @app.after_request
    def _deliver_after_commit(response):
        committed = g.pop("relais_mail_committed", None)
        if committed:
            g.relais_mail_queued = []
            try:
                deliver_pending(only=committed)
            except Exception:  # the action succeeded; `flask outbox send` will send its email
                log.exception("email after the request not sent; it stays in the outbox")
        return response
