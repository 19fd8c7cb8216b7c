"""The outbox: email leaves only after its transaction commits, through real SMTP.
Retries, claims and `flask outbox send`: test_outbox.py."""

import sqlalchemy as sa

from accounts.mail import deliver_pending, queue_email
from accounts.models import OutboxEmail
from extensions import db


def _request_that_queues_mail(app, *, commit: bool):
    """A request whose view queues an email, then commits or rolls back; the app's own
    after-request hooks run as for any request."""
    with app.test_request_context("/", method="POST"):
        queue_email("person@example.org", "Bonjour", "Votre demande est bien reçue.")
        if commit:
            db.session.commit()
        else:
            db.session.rollback()
        app.process_response(app.response_class("ok"))


def test_email_queued_in_a_committed_request_reaches_the_smtp_server(app, app_ctx, smtp):
    _request_that_queues_mail(app, commit=True)
    (message,) = smtp.to("person@example.org")
    assert message["Subject"] == "Bonjour"
    assert "Votre demande est bien reçue." in smtp.body(message)
    assert db.session.scalar(sa.select(OutboxEmail.sent_at)) is not None


def test_email_of_a_rolled_back_request_is_never_sent(app, app_ctx, smtp):
    _request_that_queues_mail(app, commit=False)
    assert smtp.messages == []
    assert db.session.scalar(sa.select(sa.func.count(OutboxEmail.id))) == 0


def test_without_an_smtp_server_configured_email_waits_in_the_outbox(app, app_ctx):
    queue_email("person@example.org", "Rappel", "Texte")
    db.session.commit()
    assert deliver_pending() == (0, 0, 0)
    assert db.session.scalar(sa.select(OutboxEmail.sent_at)) is None
