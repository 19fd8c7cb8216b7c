"""Referral operations: drafting checks the advisor, the ledger, the service, the need, the
facts and the consent; the situation is shared only under a consent covering it; sending
warns of duplicates first, holds referrals of organisations awaiting moderation; each party
acts in its own role; the message thread is for the parties, the receiving side only while
the consent holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from directory.models import DRAFT as UNPUBLISHED
from errors import Conflict, Forbidden, Invalid, NotFound
from referrals import consent as ledger
from referrals.models import AuditEntry
from referrals.referrals import (
    act,
    draft_referral,
    post_message,
    roles_of,
    self_refer,
    send,
    thread,
)
from tests import factories as f
from tests.referrals.world import CAR, HOUSING, MOBILITY, build, draft, referral_consent


@pytest.fixture
def world(session):
    world = build()
    session.commit()
    return world


def sent(world, **changes):
    referral = draft(world, **changes)
    outcome = send(referral, world.advisor, referral.version)
    assert outcome.done, outcome.warnings
    return referral


# ---------------------------------------------------------------------------------------------
# Drafting


def test_an_advisor_drafts_a_referral_with_the_persons_situation(world, session):
    referral = draft(world, situation={"age": "24", "rqth": True})
    assert (referral.status, referral.need, referral.sending_organisation_id) == (
        "draft", MOBILITY, world.sending.id)
    assert referral.receiving_organisation_id == world.receiving.id
    assert referral.situation == {"age": 24, "rqth": True}
    actions = session.scalars(sa.select(AuditEntry.action)).all()
    assert "create" in actions and "read" in actions


def test_the_situation_stays_out_unless_the_consent_covers_it(world):
    consent = referral_consent(world, categories=("identity", "contact"))
    referral = draft(world, situation={"age": 24}, consent=consent)
    assert referral.situation is None


def test_only_a_member_of_the_sending_organisation_drafts(world):
    outsider = f.user()
    with pytest.raises(Forbidden):
        draft_referral(outsider, world.sending, world.person, world.service, None, "", None,
                       referral_consent(world))


def test_an_organisation_that_may_not_read_the_person_cannot_refer_them(world, session):
    other = f.organisation()
    advisor = f.user()
    f.membership(advisor, other)
    consent = referral_consent(world)
    with pytest.raises(NotFound):
        draft_referral(advisor, other, world.person, world.service, None, "", None, consent)


@pytest.mark.parametrize("case", ["unpublished", "foreign need", "bad fact", "unknown fact",
                                  "other service", "withdrawn", "no consent"])
def test_what_cannot_be_referred_is_named(world, session, case):
    service, need, situation = world.service, MOBILITY, None
    consent = referral_consent(world)
    field = {"unpublished": "service", "foreign need": "need", "bad fact": "age",
             "unknown fact": "shoe_size"}.get(case, "consent")
    if case == "unpublished":
        service.status = UNPUBLISHED
    elif case == "foreign need":
        need = HOUSING
    elif case == "bad fact":
        situation = {"age": "two hundred"}
    elif case == "unknown fact":
        situation = {"shoe_size": 42}
    elif case == "other service":
        consent = referral_consent(world, service=f.service(world.receiving))
    elif case == "withdrawn":
        ledger.withdraw(consent, by=None)
    elif case == "no consent":
        consent = None
    with pytest.raises(Invalid) as refused:
        draft_referral(world.advisor, world.sending, world.person, service, need, "", situation,
                       consent)
    assert list(refused.value.field_errors) == [field]


# ---------------------------------------------------------------------------------------------
# Sending


def test_a_send_with_warnings_waits_for_the_advisor_to_confirm(world, session):
    sent(world)
    second = draft(world)
    version = second.version
    outcome = send(second, world.advisor, version)
    assert not outcome.done and [w.kind for w in outcome.warnings] == ["same-service"]
    assert (second.status, second.version, second.events) == ("draft", version, [])
    confirmed = send(second, world.advisor, version, confirmed=True)
    assert confirmed.done and second.status == "sent"


def test_an_organisation_awaiting_moderation_has_its_referrals_held(session):
    world = build(moderation_status="pending")
    referral = draft(world)
    assert send(referral, world.advisor, referral.version).event.to_status == "held"
    manager = f.territory_manager("69")
    assert "moderator" in roles_of(manager, referral)
    act(referral, "release", manager, referral.version)
    assert referral.status == "sent" and referral.sent_at is not None


def test_a_withdrawn_consent_stops_the_send(world, session):
    referral = draft(world)
    ledger.withdraw(referral.consent, by=None)
    with pytest.raises(Invalid) as refused:
        send(referral, world.advisor, referral.version)
    assert "consent" in refused.value.field_errors and referral.status == "draft"


def test_the_receiver_cannot_send_and_a_stranger_cannot_even_see(world):
    referral = draft(world)
    with pytest.raises(Forbidden):
        send(referral, world.receiver, referral.version)
    with pytest.raises(NotFound):
        send(referral, f.user(), referral.version)


def test_a_person_refers_themself_from_a_service_page(world, session):
    account = f.user()
    world.person.user_id = account.id
    consent = ledger.give_consent(
        world.person, purpose="referral", organisations=[world.receiving],
        categories=["identity", "contact"], method="online", text="J'accepte.",
        given_by=account, service=world.service)
    referral = self_refer(account, world.person, world.service, CAR, "Mon permis.", consent)
    assert (referral.status, referral.self_referral, referral.sending_organisation_id) == (
        "sent", True, None)
    assert referral.events[0].actor_kind == "person"
    assert roles_of(account, referral) == {"person"}
    with pytest.raises(NotFound):
        self_refer(world.advisor, world.person, world.service, CAR, "", consent)


# ---------------------------------------------------------------------------------------------
# Roles and actions


def test_each_party_holds_its_own_role(world, session):
    referral = sent(world)
    colleague = f.user()
    f.membership(colleague, world.sending)
    leaver = f.user()
    f.membership(leaver, world.receiving, status="removed")
    assert roles_of(world.advisor, referral) == {"sender"}
    assert roles_of(colleague, referral) == {"sender"}
    assert roles_of(world.receiver, referral) == {"receiver"}
    assert roles_of(leaver, referral) == set()
    assert roles_of(None, referral) == set()


def test_the_receiver_accepts_and_completes(world):
    referral = sent(world)
    act(referral, "open", world.receiver, referral.version)
    act(referral, "accept", world.receiver, referral.version)
    act(referral, "complete", world.receiver, referral.version, outcome="started")
    assert (referral.status, referral.outcome) == ("completed", "started")


def test_the_wrong_party_is_refused_and_a_stranger_learns_nothing(world):
    referral = sent(world)
    with pytest.raises(Forbidden):
        act(referral, "accept", world.advisor, referral.version)
    with pytest.raises(NotFound):
        act(referral, "cancel", f.user(), referral.version)
    assert referral.status == "sent"


def test_a_stale_page_gets_a_conflict(world):
    referral = sent(world)
    seen = referral.version
    act(referral, "decline", world.receiver, seen, reason="no-capacity", note="Complet.")
    with pytest.raises(Conflict):
        act(referral, "cancel", world.advisor, seen)
    assert (referral.status, referral.decline_reason) == ("declined", "no-capacity")


# ---------------------------------------------------------------------------------------------
# Messages


def test_sender_receiver_and_person_write_in_the_thread(world, session):
    referral = sent(world)
    account = f.user()
    world.person.user_id = account.id
    start = datetime.now(UTC)
    post_message(referral, world.advisor, "Elle est disponible le mardi.", now=start)
    post_message(referral, world.receiver, "  Rendez-vous mardi 10 h.  ",
                 now=start + timedelta(minutes=1))
    post_message(referral, account, "Merci !", now=start + timedelta(minutes=2))
    for reader in (world.advisor, world.receiver, account):
        assert [(m.author_kind, m.body) for m in thread(referral, reader)] == [
            ("sender", "Elle est disponible le mardi."), ("receiver", "Rendez-vous mardi 10 h."),
            ("person", "Merci !")]
    reads = session.scalars(sa.select(AuditEntry).where(
        AuditEntry.subject_type == "referral-thread", AuditEntry.action == "read")).all()
    assert [e.actor_id for e in reads] == [world.advisor.id, world.receiver.id, account.id]


@pytest.mark.parametrize("body", ["", "   ", "x" * 5001, "bell\x07"])
def test_a_message_is_one_to_five_thousand_characters(world, body):
    referral = sent(world)
    with pytest.raises(Invalid) as refused:
        post_message(referral, world.advisor, body)
    assert list(refused.value.field_errors) == ["body"]


def test_outsiders_neither_read_nor_write_the_thread(world, session):
    referral = sent(world)
    post_message(referral, world.advisor, "Confidentiel.")
    stranger = f.user()
    f.membership(stranger, f.organisation())
    with pytest.raises(NotFound):
        thread(referral, stranger)
    with pytest.raises(NotFound):
        post_message(referral, stranger, "Bonjour")
    refused = session.scalars(sa.select(AuditEntry).where(
        AuditEntry.action == "read-refused", AuditEntry.subject_type == "referral-thread")).all()
    assert [e.actor_id for e in refused] == [stranger.id, stranger.id]
    assert [m.body for m in thread(referral, world.advisor)] == ["Confidentiel."]


def test_a_withdrawal_closes_the_thread_to_the_receiver_at_once(world, session):
    referral = sent(world)
    post_message(referral, world.advisor, "Elle est disponible le mardi.")
    ledger.withdraw(referral.consent, by=None)
    with pytest.raises(Forbidden):
        thread(referral, world.receiver)
    with pytest.raises(Forbidden):
        post_message(referral, world.receiver, "Bonjour")
    assert [m.body for m in thread(referral, world.advisor)] == [
        "Elle est disponible le mardi."]


def test_an_expired_consent_closes_the_thread_to_the_receiver(world):
    referral = sent(world, consent=referral_consent(world, valid_for=timedelta(days=10)))
    later = datetime.now(UTC) + timedelta(days=11)
    assert thread(referral, world.receiver) == []
    with pytest.raises(Forbidden):
        thread(referral, world.receiver, now=later)

