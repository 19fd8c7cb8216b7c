"""Unanswered referrals: the receiving organisation is reminded once after 10 days, the
referral expires after 30 (the sender is told); both commands are safe to run again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from accounts.mail import deliver_pending
from referrals.expiry import expire_unanswered, remind_unanswered
from referrals.referrals import act, send
from tests import factories as f
from tests.referrals.world import build, draft

SITE = "https://relais.example"


@pytest.fixture
def world(session):
    world = build()
    session.commit()
    return world


def sent_at(world, moment):
    referral = draft(world, now=moment)
    assert send(referral, world.advisor, referral.version, confirmed=True, now=moment).done
    return referral


def settle(session, smtp):
    """Commit and deliver what the setting up sent, so only the command's emails remain."""
    session.commit()
    deliver_pending()
    smtp.messages.clear()


def run(app, verb):
    result = app.test_cli_runner().invoke(args=["referrals", verb, "--base-url", SITE])
    assert result.exit_code == 0, result.output
    return result.output


def test_the_delays_are_settings(app):
    assert app.config["RELAIS_REFERRAL_EXPIRY_DAYS"] == 30
    assert app.config["RELAIS_REFERRAL_REMINDER_DAYS"] == 10


def test_a_referral_unanswered_for_30_days_expires_once(world, session):
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    referral = sent_at(world, start)
    assert expire_unanswered(now=start + timedelta(days=29, hours=23)) == 0
    assert referral.status == "sent"
    assert expire_unanswered(now=start + timedelta(days=30)) == 1
    assert referral.status == "expired"
    event = referral.events[-1]
    assert (event.action, event.actor_kind, event.actor_id) == ("expire", "system", None)
    assert expire_unanswered(now=start + timedelta(days=60)) == 0


def test_opened_but_unanswered_expires_and_answered_does_not(world, session):
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    opened, accepted = sent_at(world, start), sent_at(world, start)
    act(opened, "open", world.receiver, opened.version, now=start + timedelta(days=1))
    act(accepted, "accept", world.receiver, accepted.version, now=start + timedelta(days=2))
    assert expire_unanswered(now=start + timedelta(days=31)) == 1
    assert (opened.status, accepted.status) == ("expired", "accepted")


def test_the_expiry_delay_is_settable(world, session):
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    referral = sent_at(world, start)
    assert expire_unanswered(now=start + timedelta(days=8), days=7) == 1
    assert referral.status == "expired"


def test_flask_referrals_expire_tells_the_sender(app, world, session, smtp):
    referral = sent_at(world, datetime.now(UTC) - timedelta(days=31))
    fresh = sent_at(world, datetime.now(UTC) - timedelta(days=3))
    settle(session, smtp)

    output = run(app, "expire")

    assert output.startswith("1 ")
    session.expire_all()
    assert (referral.status, fresh.status) == ("expired", "sent")
    [email] = smtp.to(world.advisor.email)
    assert f"{SITE}/espace/orientations/{referral.id}" in smtp.body(email)
    assert run(app, "expire").startswith("0 ")
    assert len(smtp.to(world.advisor.email)) == 1


def test_the_receiving_team_is_reminded_once_after_10_days(app, world, session, smtp):
    colleague, left = f.user(), f.user()
    f.membership(colleague, world.receiving)
    f.membership(left, world.receiving, status="removed")
    waiting = sent_at(world, datetime.now(UTC) - timedelta(days=11))
    recent = sent_at(world, datetime.now(UTC) - timedelta(days=9))
    answered = sent_at(world, datetime.now(UTC) - timedelta(days=12))
    act(answered, "decline", world.receiver, answered.version, reason="no-capacity")
    settle(session, smtp)

    output = run(app, "remind")

    assert output.startswith("1 ")
    for member in (world.receiver, colleague):
        [email] = smtp.to(member.email)
        assert "Garage solidaire" in smtp.body(email)
        assert f"{SITE}/espace/orientations/{waiting.id}" in smtp.body(email)
        assert str(recent.id) not in smtp.body(email) and str(answered.id) not in \
            smtp.body(email)
    assert smtp.to(left.email) == []
    session.expire_all()
    assert waiting.reminded_at is not None and recent.reminded_at is None

    run(app, "remind")
    assert len(smtp.to(world.receiver.email)) == 1  # once only


def test_a_reminder_waits_for_someone_to_remind(world, session):
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    referral = sent_at(world, start)
    world.receiver.memberships[0].status = "removed"
    assert remind_unanswered(now=start + timedelta(days=11)) == (0, 0)
    assert referral.reminded_at is None
