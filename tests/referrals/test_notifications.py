"""Emails at each transition reach the parties concerned through the outbox and a real SMTP
server, once the transaction commits; they name the service, the state and a link, and
nothing about the person."""

from __future__ import annotations

import pytest

from accounts.mail import deliver_pending
from referrals import consent as ledger
from referrals.notifications import status_label
from referrals.referrals import act, self_refer, send
from tests import factories as f
from tests.referrals.world import CAR, build, draft

SITE = "https://relais.example"


@pytest.fixture
def world(session):
    world = build()
    session.commit()
    return world


def delivered(session):
    session.commit()
    deliver_pending()


def send_now(app, world, **changes):
    referral = draft(world, **changes)
    with app.test_request_context(base_url=SITE):
        assert send(referral, world.advisor, referral.version).done
    return referral


def test_a_sent_referral_reaches_the_receiving_team_and_the_person(app, session, smtp, world):
    unverified, pending = f.user(verified=False), f.user()
    f.membership(unverified, world.receiving)
    f.membership(pending, world.receiving, status="pending")
    referral = send_now(app, world, situation={"age": 57, "benefits": ["rsa"]})
    assert smtp.messages == []  # nothing leaves before the commit
    delivered(session)

    [email] = smtp.to(world.receiver.email)
    body, link = smtp.body(email), f"{SITE}/espace/orientations/{referral.id}"
    assert "Garage solidaire" in email["Subject"] and "Garage solidaire" in body
    assert link in body
    body = body.replace(link, "")
    for private in ("Camille", "Martin", "camille.martin", "57", "rsa", "Vaulx"):
        assert private not in body and private not in email["Subject"]
    assert len(smtp.to("camille.martin@example.org")) == 1
    assert smtp.to(unverified.email) == smtp.to(pending.email) == []
    assert smtp.to(world.advisor.email) == []


def test_answers_go_back_to_the_sender_and_the_person(app, session, smtp, world):
    referral = send_now(app, world)
    delivered(session)
    before = {address: len(smtp.to(address))
              for address in (world.advisor.email, "camille.martin@example.org")}
    act(referral, "accept", world.receiver, referral.version)
    delivered(session)
    assert len(smtp.to(world.advisor.email)) == before[world.advisor.email] + 1
    assert len(smtp.to("camille.martin@example.org")) == \
        before["camille.martin@example.org"] + 1
    act(referral, "close", world.receiver, referral.version)
    delivered(session)
    assert len(smtp.to(world.advisor.email)) == before[world.advisor.email] + 2
    assert len(smtp.to("camille.martin@example.org")) == \
        before["camille.martin@example.org"] + 1  # closing is not one of the person's


def test_a_person_who_prefers_the_phone_gets_no_email(app, session, smtp, world):
    world.person.preferred_channel = "phone"
    world.person.phone = "06 12 34 56 78"
    send_now(app, world)
    delivered(session)
    assert smtp.to("camille.martin@example.org") == []
    assert len(smtp.to(world.receiver.email)) == 1


def test_a_cancellation_tells_the_receiver_only_once_it_was_sent(app, session, smtp, world):
    unsent = draft(world)
    act(unsent, "cancel", world.advisor, unsent.version)
    delivered(session)
    assert smtp.messages == []
    referral = send_now(app, world)
    act(referral, "cancel", world.advisor, referral.version)
    delivered(session)
    told, cancelled = smtp.to(world.receiver.email)
    assert status_label("sent") in told["Subject"]
    assert status_label("cancelled") in cancelled["Subject"]


def test_a_rolled_back_send_emails_nobody(app, session, smtp, world):
    referral = draft(world)
    session.commit()
    send(referral, world.advisor, referral.version)
    session.rollback()
    deliver_pending()
    assert smtp.messages == []


def test_a_held_referral_reaches_the_receiver_when_released(app, session, smtp):
    world = build(moderation_status="pending")
    referral = draft(world)
    send(referral, world.advisor, referral.version)
    delivered(session)
    assert smtp.to(world.receiver.email) == []
    act(referral, "release", f.territory_manager("69"), referral.version)
    delivered(session)
    assert len(smtp.to(world.receiver.email)) == 1


def test_the_person_who_referred_themself_hears_the_answer_once(app, session, smtp, world):
    account = f.user("camille.martin@example.org")
    world.person.user_id = account.id
    consent = ledger.give_consent(
        world.person, purpose="referral", organisations=[world.receiving],
        categories=["identity"], method="online", text="J'accepte.", given_by=account,
        service=world.service)
    referral = self_refer(account, world.person, world.service, CAR, "", consent)
    act(referral, "decline", world.receiver, referral.version, reason="no-capacity")
    delivered(session)
    assert len(smtp.to(world.receiver.email)) == 1
    assert len(smtp.to(account.email)) == 2  # sent, then declined: each once
