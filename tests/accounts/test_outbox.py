"""The outbox is reliable: an email leaves only once its transaction committed, is retried with
growing delays while the SMTP server is down, is never sent twice by two senders, and is given
up (never deleted) after the last allowed attempt. `flask outbox send` runs it."""

from __future__ import annotations

import os
import signal
import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from accounts import mail
from accounts.mail import Delivery, deliver_pending, message_id, queue_email, retry_delay
from accounts.models import OutboxEmail
from config import Settings
from extensions import db

MINUTE = timedelta(minutes=1)


@pytest.fixture
def t0():
    return datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def runner(app, app_ctx, monkeypatch):
    # Commands speak the installation's default language; the assertions read English.
    monkeypatch.setitem(app.config, "BABEL_DEFAULT_LOCALE", "en")
    return app.test_cli_runner()


def queued(*recipients: str) -> list[OutboxEmail]:
    emails = [queue_email(r, "Votre orientation", f"Bonjour {r}") for r in recipients]
    db.session.commit()
    return emails


def row(email: OutboxEmail) -> OutboxEmail:
    db.session.expire_all()
    return db.session.get(OutboxEmail, email.id)


def aware(moment: datetime | None) -> datetime | None:
    """SQLite gives back naive UTC datetimes."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


@pytest.fixture
def server_down(app, smtp):
    """The SMTP server is down; call the fixture's value to bring it back (the sink listens on
    a new port after each start). Brought back at the end for the sink's own teardown."""
    smtp.stop()
    up = []

    def back():
        smtp.start()
        app.config["RELAIS_SMTP"] = {**app.config["RELAIS_SMTP"], "port": smtp.port}
        up.append(True)

    yield back
    if not up:
        smtp.start()


@pytest.mark.parametrize(
    ("attempts", "delay"),
    [
        (1, MINUTE),
        (2, 2 * MINUTE),
        (3, 4 * MINUTE),
        (8, 128 * MINUTE),
        (9, 256 * MINUTE),
        (10, timedelta(hours=6)),  # 512 minutes, capped
        (500, timedelta(hours=6)),
    ],
)
def test_retry_delay_doubles_from_one_minute_up_to_six_hours(attempts, delay):
    assert retry_delay(attempts) == delay


def test_an_email_queued_in_a_rolled_back_transaction_is_never_sent(runner, smtp):
    queue_email("person@example.org", "Orientation", "Texte")
    db.session.rollback()

    result = runner.invoke(args=["outbox", "send"])

    assert result.exit_code == 0, result.output
    assert "0 sent, 0 failed (will retry), 0 given up." in result.output
    assert smtp.messages == []
    assert db.session.scalar(sa.select(sa.func.count(OutboxEmail.id))) == 0


def test_while_the_server_is_down_attempts_are_counted_and_retries_spaced_out(
    app_ctx, server_down, t0
):
    (email,) = queued("person@example.org")

    assert deliver_pending(now=t0) == Delivery(failed=1)
    first = row(email)
    assert first.attempts == 1 and first.sent_at is None and first.failed_at is None
    assert "ConnectionRefusedError" in first.last_error
    assert aware(first.next_attempt_at) == t0 + MINUTE
    assert first.claimed_until is None

    assert deliver_pending(now=t0 + 30 * timedelta(seconds=1)) == Delivery()  # not due yet
    assert row(email).attempts == 1

    assert deliver_pending(now=t0 + MINUTE) == Delivery(failed=1)
    second = row(email)
    assert second.attempts == 2
    assert aware(second.next_attempt_at) == t0 + MINUTE + 2 * MINUTE
    assert db.session.scalar(sa.select(sa.func.count(OutboxEmail.id))) == 1


def test_when_the_server_is_back_the_email_is_sent_exactly_once_when_due(
    app_ctx, smtp, server_down, t0
):
    (email,) = queued("person@example.org")
    deliver_pending(now=t0)
    server_down()  # back up

    assert deliver_pending(now=t0 + 30 * timedelta(seconds=1)) == Delivery()
    assert smtp.messages == []

    assert deliver_pending(now=t0 + MINUTE) == Delivery(sent=1)
    assert deliver_pending(now=t0 + 10 * MINUTE) == Delivery()
    (message,) = smtp.to("person@example.org")
    assert message["Subject"] == "Votre orientation"
    sent = row(email)
    assert aware(sent.sent_at) == t0 + MINUTE
    assert sent.attempts == 2 and sent.last_error is None and sent.next_attempt_at is None


def test_a_sent_email_keeps_no_body_only_the_record_that_it_was_sent(app_ctx, smtp, t0):
    """Bodies carry signed links (magic links, withdrawal, password reset): once delivered,
    the outbox row keeps the recipient, subject and dates, not the link."""
    (email,) = queued("person@example.org")
    before = row(email).body
    assert deliver_pending(now=t0) == Delivery(sent=1)
    (message,) = smtp.to("person@example.org")
    assert message.get_content().strip() == before.strip()
    sent = row(email)
    assert sent.body == "[sent: body removed]"
    assert sent.recipient == "person@example.org" and sent.subject == "Votre orientation"


def test_two_senders_at_once_never_send_the_same_email_twice(app, app_ctx, smtp):
    queued(*(f"person{n}@example.org" for n in range(30)))
    start = threading.Barrier(2)
    runs: list[Delivery] = []

    def sender():
        with app.app_context():
            start.wait()
            runs.append(deliver_pending())

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(runs) == 2
    assert sum(run.sent for run in runs) == 30
    assert len(smtp.messages) == 30
    assert len({m["To"] for m in smtp.messages}) == 30
    assert db.session.scalar(
        sa.select(sa.func.count(OutboxEmail.id)).where(OutboxEmail.sent_at.is_(None))) == 0


def test_an_email_is_given_up_after_the_last_attempt_and_kept(
    app, app_ctx, smtp, server_down, t0, monkeypatch, caplog
):
    monkeypatch.setitem(app.config, "RELAIS_MAIL_MAX_ATTEMPTS", 3)
    # The migrations' logging set-up (fileConfig) disables loggers that existed before it ran.
    monkeypatch.setattr(mail.log, "disabled", False)
    (email,) = queued("person@example.org")

    assert deliver_pending(now=t0) == Delivery(failed=1)
    assert deliver_pending(now=t0 + MINUTE) == Delivery(failed=1)
    assert deliver_pending(now=t0 + 3 * MINUTE) == Delivery(given_up=1)

    given_up = row(email)
    assert aware(given_up.failed_at) == t0 + 3 * MINUTE
    assert given_up.attempts == 3 and given_up.sent_at is None and given_up.last_error
    assert any(r.levelname == "ERROR" and "given up after 3 attempts" in r.getMessage()
               for r in caplog.records)
    server_down()  # back up
    assert deliver_pending(now=t0 + timedelta(days=2)) == Delivery()
    assert smtp.messages == [] and row(email).attempts == 3


def test_eight_attempts_by_default_and_the_environment_can_change_it(monkeypatch, tmp_path):
    monkeypatch.delenv("RELAIS_MAIL_MAX_ATTEMPTS", raising=False)
    assert Settings.from_env(instance_path=tmp_path).flask_config()[
        "RELAIS_MAIL_MAX_ATTEMPTS"] == 8
    monkeypatch.setenv("RELAIS_MAIL_MAX_ATTEMPTS", "3")
    assert Settings.from_env(instance_path=tmp_path).mail_max_attempts == 3


def crash_once(monkeypatch, *, after_the_server_accepted: bool) -> None:
    """The sender process dies (here: KeyboardInterrupt, which nothing catches) while sending,
    before or after the SMTP server accepted the message; sent_at is never written."""
    real_send = mail._send
    crashed = []

    def send(*args):
        if crashed:
            return real_send(*args)
        crashed.append(True)
        if after_the_server_accepted:
            real_send(*args)
        raise KeyboardInterrupt

    monkeypatch.setattr(mail, "_send", send)


def test_an_email_claimed_by_a_sender_that_died_waits_for_the_claim_to_expire(
    app_ctx, smtp, t0, monkeypatch
):
    (email,) = queued("person@example.org")
    crash_once(monkeypatch, after_the_server_accepted=False)
    with pytest.raises(KeyboardInterrupt):
        deliver_pending(now=t0)
    assert aware(row(email).claimed_until) == t0 + 5 * MINUTE

    assert deliver_pending(now=t0 + 4 * MINUTE) == Delivery()  # still held by the dead sender
    assert smtp.messages == []
    assert deliver_pending(now=t0 + 6 * MINUTE) == Delivery(sent=1)
    assert len(smtp.messages) == 1 and row(email).attempts == 2


def test_a_crash_after_the_server_accepted_resends_once_with_the_same_message_id(
    app, app_ctx, smtp, t0, monkeypatch
):
    """The documented at-least-once edge: receivers can recognise the copy by its Message-ID."""
    (email,) = queued("person@example.org")
    crash_once(monkeypatch, after_the_server_accepted=True)
    with pytest.raises(KeyboardInterrupt):
        deliver_pending(now=t0)

    assert deliver_pending(now=t0 + 6 * MINUTE) == Delivery(sent=1)
    assert deliver_pending(now=t0 + 60 * MINUTE) == Delivery()
    first, again = smtp.to("person@example.org")
    expected = message_id(email.id, app.config["RELAIS_MAIL_FROM"])
    assert first["Message-ID"] == again["Message-ID"] == expected


def test_each_email_has_its_own_stable_message_id(app, app_ctx, smtp):
    one, other = queued("one@example.org", "other@example.org")

    deliver_pending()

    sender = app.config["RELAIS_MAIL_FROM"]
    assert message_id(one.id, sender) == f"<outbox-{one.id}@relais.localhost>"
    assert smtp.to("one@example.org")[0]["Message-ID"] == message_id(one.id, sender)
    assert smtp.to("other@example.org")[0]["Message-ID"] == message_id(other.id, sender)
    assert message_id(one.id, sender) != message_id(other.id, sender)


def test_an_email_whose_last_attempt_was_interrupted_is_given_up(app, app_ctx, smtp, t0,
                                                                monkeypatch):
    monkeypatch.setitem(app.config, "RELAIS_MAIL_MAX_ATTEMPTS", 1)
    (email,) = queued("person@example.org")
    crash_once(monkeypatch, after_the_server_accepted=False)
    with pytest.raises(KeyboardInterrupt):
        deliver_pending(now=t0)

    assert deliver_pending(now=t0 + 6 * MINUTE) == Delivery(given_up=1)
    assert smtp.messages == []
    assert row(email).failed_at is not None


def test_a_request_sends_its_own_email_and_leaves_the_backlog_to_the_command(app, app_ctx,
                                                                            smtp):
    queued("backlog@example.org")  # committed earlier, outside any request
    with app.test_request_context("/", method="POST"):
        queue_email("person@example.org", "Bonjour", "Votre demande est bien reçue.")
        db.session.commit()
        app.process_response(app.response_class("ok"))

    assert [m["To"] for m in smtp.messages] == ["person@example.org"]
    assert deliver_pending() == Delivery(sent=1)
    assert len(smtp.to("backlog@example.org")) == 1


def test_a_request_whose_email_cannot_be_handed_over_still_succeeds(app, app_ctx, smtp,
                                                                    monkeypatch):
    def store_unavailable(**kwargs):
        raise RuntimeError("database is locked")

    monkeypatch.setattr(mail, "deliver_pending", store_unavailable)
    with app.test_request_context("/", method="POST"):
        queue_email("person@example.org", "Bonjour", "Votre demande est bien reçue.")
        db.session.commit()
        response = app.process_response(app.response_class("ok"))

    assert response.status_code == 200
    assert db.session.scalar(
        sa.select(sa.func.count(OutboxEmail.id)).where(OutboxEmail.sent_at.is_(None))) == 1


def test_send_command_reports_what_it_sent(runner, smtp):
    queued("one@example.org", "two@example.org")

    result = runner.invoke(args=["outbox", "send"])

    assert result.exit_code == 0, result.output
    assert "2 sent, 0 failed (will retry), 0 given up." in result.output
    assert len(smtp.messages) == 2


def test_send_command_exits_0_when_the_server_is_down_and_says_it_will_retry(runner,
                                                                             server_down):
    (email,) = queued("person@example.org")

    result = runner.invoke(args=["outbox", "send"])

    assert result.exit_code == 0, result.output
    assert "0 sent, 1 failed (will retry), 0 given up." in result.output
    assert "1 email(s) wait in the outbox for a later attempt; this is not an error" in (
        result.output)
    assert row(email).attempts == 1


def test_mail_send_is_the_same_command(runner, smtp):
    queued("person@example.org")

    result = runner.invoke(args=["mail", "send"])

    assert result.exit_code == 0, result.output
    assert "1 sent, 0 failed (will retry), 0 given up." in result.output


def test_send_command_without_an_smtp_server_says_the_email_waits(runner):
    queued("one@example.org", "two@example.org")

    result = runner.invoke(args=["outbox", "send"])

    assert result.exit_code == 0, result.output
    assert "SMTP_HOST is not set: 2 email(s) wait in the outbox." in result.output
    assert db.session.scalar(
        sa.select(sa.func.count(OutboxEmail.id)).where(OutboxEmail.attempts == 0)) == 2


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_send_loop_stops_cleanly_on_ctrl_c_or_sigterm(runner, smtp, monkeypatch, stop_signal):
    from accounts import cli

    queued("person@example.org")
    handlers_before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)

    def deliver_then_get_interrupted(**kwargs):
        delivery = deliver_pending(**kwargs)
        os.kill(os.getpid(), stop_signal)  # a person presses Ctrl-C, or the manager stops it
        return delivery

    monkeypatch.setattr(cli, "deliver_pending", deliver_then_get_interrupted)

    result = runner.invoke(args=["outbox", "send", "--loop", "3600"])

    assert result.exit_code == 0, result.output
    assert "every 3600 seconds" in result.output
    assert "1 sent, 0 failed (will retry), 0 given up." in result.output
    assert result.output.rstrip().endswith("Stopped.")
    assert len(smtp.messages) == 1
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == handlers_before
