"""The referral state machine: every allowed move, every refused one (409 for the wrong
state or a stale page, 403 for the wrong actor), nothing changed by a refusal, every move
kept as an event and audited."""

from __future__ import annotations

import pytest

from errors import Conflict, Forbidden, Invalid
from referrals.models import Referral
from referrals.transitions import TRANSITIONS, allowed_actions, transition
from tests import factories as f

RECEIVER, SENDER = "receiver", "sender"


@pytest.fixture
def referral(session):
    service = f.service()
    person = f.person()
    record = Referral(person=person, service=service,
                      receiving_organisation_id=service.organisation_id, status="draft")
    session.add(record)
    session.flush()
    return record


def walk(referral, *steps):
    for action, role, extra in steps:
        transition(referral, action, role=role, **extra)


def test_a_referral_goes_from_draft_to_completed(referral):
    walk(referral, ("send", SENDER, {}), ("open", RECEIVER, {}), ("accept", RECEIVER, {}),
         ("start", RECEIVER, {}), ("complete", RECEIVER, {"outcome": "job-found"}))
    assert referral.status == "completed" and referral.outcome == "job-found"
    assert [e.to_status for e in referral.events] == [
        "sent", "opened", "accepted", "in-progress", "completed"]
    assert referral.sent_at and referral.first_answer_at
    assert referral.version == 6


def test_a_send_from_an_organisation_awaiting_moderation_is_held(referral):
    transition(referral, "send", role=SENDER, held=True)
    assert referral.status == "held"
    transition(referral, "release", role="moderator")
    assert referral.status == "sent"


def test_a_decline_needs_a_reason_from_the_list(referral):
    walk(referral, ("send", SENDER, {}))
    with pytest.raises(Invalid):
        transition(referral, "decline", role=RECEIVER, reason="bored")
    transition(referral, "decline", role=RECEIVER, reason="already-followed")
    assert (referral.status, referral.decline_reason) == ("declined", "already-followed")


@pytest.mark.parametrize("action", sorted(TRANSITIONS))
def test_every_action_from_a_state_it_does_not_leave_is_a_conflict(referral, action):
    referral.status = "completed"
    role = sorted(TRANSITIONS[action].actors - {"person"})[0]  # an advisor's referral
    with pytest.raises(Conflict):
        transition(referral, action, role=role, reason="other", outcome="other")
    assert referral.status == "completed" and referral.events == []


@pytest.mark.parametrize(("action", "role"), [
    ("accept", SENDER), ("send", RECEIVER), ("expire", RECEIVER), ("release", SENDER),
    ("cancel", RECEIVER),
])
def test_the_wrong_actor_is_forbidden(referral, action, role):
    walk(referral, ("send", SENDER, {}))
    before = referral.status
    with pytest.raises(Forbidden):
        transition(referral, action, role=role)
    assert referral.status == before


@pytest.mark.parametrize("action", ["send", "cancel"])
def test_the_person_sends_or_cancels_only_a_referral_they_made_themself(referral, action):
    """An advisor's referral is sent or cancelled by the advisor; the person withdraws
    their consent instead (and writes in the thread)."""
    with pytest.raises(Forbidden):
        transition(referral, action, role="person")
    assert referral.status == "draft" and referral.events == []
    assert allowed_actions(referral, {"person"}) == []
    referral.self_referral = True
    transition(referral, action, role="person")
    assert referral.status == ("sent" if action == "send" else "cancelled")
    assert allowed_actions(referral, {"person"}) == ([] if action == "cancel" else ["cancel"])


def test_a_stale_page_is_a_conflict_and_changes_nothing(referral):
    walk(referral, ("send", SENDER, {}))
    seen = referral.version
    transition(referral, "accept", role=RECEIVER, seen_version=seen)
    with pytest.raises(Conflict):
        transition(referral, "cancel", role=SENDER, seen_version=seen)
    assert referral.status == "accepted"


def test_the_buttons_offered_follow_the_table(referral):
    assert allowed_actions(referral, {SENDER}) == ["send", "cancel"]
    walk(referral, ("send", SENDER, {}))
    assert allowed_actions(referral, {RECEIVER}) == ["open", "accept", "decline"]


def test_two_people_acting_at_once_cannot_both_win(referral, session, app):
    """An accept racing an expiry: whoever commits second gets a Conflict."""
    import threading

    from extensions import db
    from referrals.models import Referral as R

    walk(referral, ("send", SENDER, {}))
    session.commit()
    referral_id, results = referral.id, []
    barrier = threading.Barrier(2)

    def act(action, role):
        with app.app_context():
            mine = db.session.get(R, referral_id)
            barrier.wait()
            try:
                transition(mine, action, role=role)
                db.session.commit()
                results.append((action, "won"))
            except Conflict:
                db.session.rollback()
                results.append((action, "conflict"))
            except Exception as error:  # SQLite may report the lock as busy: a loss too
                db.session.rollback()
                results.append((action, type(error).__name__))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=act, args=args)
               for args in (("accept", RECEIVER), ("expire", "system"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcome == "won" for _, outcome in results) == [False, True], results
    session.expire_all()
    final = session.get(R, referral_id)
    assert len(final.events) == 2 and final.version == 3
