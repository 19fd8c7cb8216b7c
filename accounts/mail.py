"""Email through an outbox: queued in the caller's transaction, delivered after it commits.

queue_email() adds a row to the current transaction. When that transaction commits, the
rows are delivered by SMTP right after the request (or by `flask mail send`, which retries
whatever failed). Delivery reads through its own session, so it only ever sees committed
rows: an action that rolls back never sends its email.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import make_msgid

import sqlalchemy as sa
from flask import current_app, g, has_request_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from accounts.models import OutboxEmail
from extensions import db

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


def queue_email(recipient: str, subject: str, body: str) -> OutboxEmail:
    """Queue a plain-text email in the current transaction."""
    email = OutboxEmail(recipient=recipient, subject=str(subject), body=str(body))
    db.session.add(email)
    if has_request_context():
        g.relais_mail_queued = True
    return email


def deliver_pending(limit: int = 100) -> tuple[int, int]:
    """Send committed, unsent emails (oldest first); return (sent, failed)."""
    smtp = current_app.config["RELAIS_SMTP"]
    sender = current_app.config["RELAIS_MAIL_FROM"]
    sent = failed = 0
    with Session(db.engine) as session:
        pending = session.scalars(
            sa.select(OutboxEmail)
            .where(OutboxEmail.sent_at.is_(None), OutboxEmail.attempts < MAX_ATTEMPTS)
            .order_by(OutboxEmail.created_at)
            .limit(limit)
        ).all()
        if not pending:
            return 0, 0
        if not smtp["host"]:
            log.info("SMTP_HOST is not set: %d email(s) stay in the outbox", len(pending))
            return 0, 0
        for email in pending:
            email.attempts += 1
            try:
                _send(smtp, sender, email)
            except (OSError, smtplib.SMTPException) as error:
                email.last_error = f"{type(error).__name__}: {error}"
                failed += 1
                log.warning("email to %s not sent: %s", email.recipient, email.last_error)
            else:
                email.sent_at = datetime.now(UTC)
                email.last_error = None
                sent += 1
            session.commit()
    return sent, failed


def _send(smtp: dict, sender: str, email: OutboxEmail) -> None:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = email.recipient
    message["Subject"] = email.subject
    message["Message-ID"] = make_msgid(domain="relais")
    message.set_content(email.body)
    with smtplib.SMTP(smtp["host"], smtp["port"], timeout=10) as client:
        if smtp["starttls"]:
            client.starttls()
        if smtp["user"]:
            client.login(smtp["user"], smtp["password"])
        client.send_message(message)


def init_mail(app) -> None:
    """Deliver what a request queued once its transaction has committed."""

    @event.listens_for(db.session, "after_commit")
    def _note_commit(session):
        if has_request_context() and g.get("relais_mail_queued"):
            g.relais_mail_committed = True

    @app.after_request
    def _deliver_after_commit(response):
        if g.get("relais_mail_committed"):
            g.relais_mail_queued = g.relais_mail_committed = False
            deliver_pending()
        return response
