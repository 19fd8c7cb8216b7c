"""`flask seed demo`: its people, consents, follow-ups, referrals in every state and messages,
written through the domain functions so that the audit log is real."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from extensions import db
from referrals import audit
from referrals.duplicates import warnings_before_sending
from referrals.models import (
    BY_PHONE,
    CONSENT_METHODS,
    IN_PERSON,
    ONLINE,
    REFERRAL_STATUSES,
    Consent,
    FollowUp,
    Person,
    Referral,
    ReferralEvent,
    ReferralMessage,
)
from seed.demo_referrals import demo_people_ids
from seed.demo_specs import demo_id
from tests.conftest import STORES, build_app, drop_database


@pytest.fixture(scope="module", params=STORES)
def demo_app(request, tmp_path_factory):
    """A fresh database on which the demo has run once."""
    name = f"relais_seed_demo_referrals_{os.getpid()}"
    app = build_app(request.param, name, tmp_path_factory.mktemp(request.param),
                    geography=False)
    app.config["BABEL_DEFAULT_LOCALE"] = "en"
    result = app.test_cli_runner().invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    app.extensions["demo.first_output"] = result.output
    yield app
    drop_database(app)


@pytest.fixture
def session(demo_app):
    with demo_app.app_context():
        yield db.session
        db.session.remove()


def demo_referrals(session) -> list[Referral]:
    return list(session.scalars(sa.select(Referral)
                                .where(Referral.person_id.in_(demo_people_ids()))))


def test_the_demo_has_referrals_in_every_state(session):
    states = {referral.status for referral in demo_referrals(session)}
    assert states == set(REFERRAL_STATUSES)


def test_the_command_prints_the_referrals_by_state_and_the_pages_to_try(demo_app):
    output = demo_app.extensions["demo.first_output"]
    assert ("  Referrals: 12 (being prepared 1, waiting for moderation 1, sent 2, opened 1, "
            "accepted 1, declined 1, in progress 1, completed 1, closed 1, expired 1, "
            "cancelled 1), for 9 people, with 23 consents and 7 messages") in output
    assert "http://127.0.0.1:5000/espace/orientations" in output
    assert "http://127.0.0.1:5000/mon-espace" in output
    assert "tremplin.rhone@example.org" in output


def test_the_command_prints_a_magic_link_that_answers_a_waiting_referral(demo_app):
    import re

    output = demo_app.extensions["demo.first_output"]
    match = re.search(r"http://127\.0\.0\.1:5000(/orientation/lien/\S+)", output)
    assert match, output
    from referrals import magic_link
    from referrals.consent import read_person

    # Checked without opening the page, which would move the referral the other tests count.
    with demo_app.test_request_context():
        link, holder = magic_link.open_link(match.group(1).rsplit("/", 1)[1])
        assert link.referral.receiving_organisation.name == "Garage solidaire du Val de Saône"
        seen = read_person(holder, link.referral.person_id, ["identity"], purpose="test")
        assert (seen.first_name, seen.last_name) == ("Léa", "Dubois")
        db.session.rollback()
        db.session.remove()


def test_the_command_prints_an_api_token_that_lists_the_mission_locale_services(demo_app):
    import re

    output = demo_app.extensions["demo.first_output"]
    match = re.search(r"Authorization: Bearer (\S+)' http://127\.0\.0\.1:5000/api/v1/services",
                      output)
    assert match, output
    client = demo_app.test_client()
    answer = client.get("/api/v1/services",
                        headers={"Authorization": f"Bearer {match.group(1)}"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.get_json()  # the Mission locale's own services
    assert client.get("/api/v1/services",
                      headers={"Authorization": "Bearer rls_not-a-token"}).status_code == 401


def test_the_declined_referral_says_the_person_is_already_followed(session):
    declined = [r for r in demo_referrals(session) if r.status == "declined"]
    assert [r.decline_reason for r in declined] == ["already-followed"]
    completed = [r for r in demo_referrals(session) if r.status == "completed"]
    assert [r.outcome for r in completed] == ["job-found"]


def test_the_association_awaiting_moderation_has_its_referral_held(session):
    (held,) = [r for r in demo_referrals(session) if r.status == "held"]
    assert held.sending_organisation.moderation_status == "pending"
    assert held.sending_organisation.name == "Association Tremplin Rhône"


def test_the_citizen_refers_herself_with_her_own_online_consent(session):
    (own,) = [r for r in demo_referrals(session) if r.self_referral]
    assert own.person.user_id == demo_id("account/citizen")
    assert own.sending_organisation_id is None and own.status == "sent"
    assert own.consent.method == ONLINE
    assert [m.author_kind for m in own.messages] == ["person"]


def test_every_consent_keeps_its_text_and_method_and_some_expired_or_were_withdrawn(session):
    consents = session.scalars(sa.select(Consent)
                               .where(Consent.person_id.in_(demo_people_ids()))).all()
    assert all(c.text.strip() and c.method in CONSENT_METHODS for c in consents)
    assert {c.method for c in consents} == {ONLINE, IN_PERSON, BY_PHONE}
    now = datetime.now(UTC)
    assert any(c.withdrawn_at is not None for c in consents)
    assert any(c.withdrawn_at is None and not c.is_valid_at(now) for c in consents)


def test_people_are_followed_for_needs_by_the_advisors_organisations(session):
    people = demo_people_ids()
    assert 8 <= len(people) <= 10
    follow_ups = session.scalars(sa.select(FollowUp).where(FollowUp.person_id.in_(people))).all()
    assert all(f.needs for f in follow_ups)
    assert {f.organisation_id for f in follow_ups} >= {
        demo_id("mission-locale-metropole-lyon"), demo_id("france-travail-lyon-part-dieu")}


def test_a_few_threads_have_messages_from_both_sides(session):
    threads = [r for r in demo_referrals(session) if r.messages]
    assert len(threads) >= 3
    assert any({m.author_kind for m in r.messages} == {"sender", "receiver"} for r in threads)


def test_the_mission_locale_draft_warns_that_another_organisation_follows_the_person(session):
    (draft,) = [r for r in demo_referrals(session) if r.status == "draft"]
    warnings = warnings_before_sending(draft.sending_organisation, draft.person, draft.service,
                                       draft.need, excluding=draft)
    assert [w.kind for w in warnings] == ["followed"]


def test_the_demo_organisations_have_figures_to_show(demo_app, session):
    from referrals.figures import RECEIVED_BY, SENT_BY, default_period, figures
    from seed.demo_accounts import FRANCE_TRAVAIL, MISSION_LOCALE

    period = default_period(datetime.now(UTC).date())
    sent = figures(demo_id(MISSION_LOCALE), SENT_BY, period).overall
    received = figures(demo_id(FRANCE_TRAVAIL), RECEIVED_BY, period).overall
    assert sent.counts["pending"] and sent.counts["accepted"] and sent.counts["cancelled"]
    assert received.answered and received.median_first_answer is not None
    assert ("http://127.0.0.1:5000/espace/orientations/chiffres"
            in demo_app.extensions["demo.first_output"])


def test_the_demo_queues_no_email(session):
    from accounts.models import OutboxEmail

    assert session.scalar(sa.select(sa.func.count()).select_from(OutboxEmail)) == 0


def snapshot(session) -> dict:
    people = demo_people_ids()
    referrals = sa.select(Referral.id).where(Referral.person_id.in_(people))
    return {
        "people": sorted(people),
        "consents": sorted(session.scalars(
            sa.select(Consent.id).where(Consent.person_id.in_(people)))),
        "referrals": sorted(session.execute(
            sa.select(Referral.id, Referral.status).where(Referral.person_id.in_(people))).all()),
        "events": sorted(session.scalars(
            sa.select(ReferralEvent.id).where(ReferralEvent.referral_id.in_(referrals)))),
        "messages": sorted(session.scalars(
            sa.select(ReferralMessage.id).where(ReferralMessage.referral_id.in_(referrals)))),
    }


def test_running_again_keeps_ids_and_counts_spares_other_people_and_the_chain_verifies(
        demo_app):
    from accounts.models import User
    from referrals.people import create_person

    with demo_app.app_context():
        before = snapshot(db.session)
        assert audit.verify().ok
        # A person someone recorded through the site, signed in as the demo advisor.
        advisor = db.session.get(User, demo_id("account/ml-member"))
        mission_locale = advisor.memberships[0].organisation
        mine = create_person(advisor, mission_locale,
                             {"first_name": "Inès", "last_name": "Nouvelle",
                              "email": "ines.nouvelle@example.org"},
                             {"method": "in-person", "needs": []})
        db.session.commit()
        mine_id = mine.id
        db.session.remove()

    result = demo_app.test_cli_runner().invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output

    with demo_app.app_context():
        assert snapshot(db.session) == before
        assert db.session.get(Person, mine_id) is not None
        verification = audit.verify()
        assert verification.ok, verification
        db.session.remove()


def test_the_citizens_erasure_request_waits_blocked_by_her_open_request(session):
    from referrals.erasure import pending_requests

    (pending,) = pending_requests()
    assert session.get(Person, pending.person_id).user_id == demo_id("account/citizen")
    assert pending.blocked  # her own request to France Travail is still open


def test_lea_s_documents_are_shared_as_her_consents_say_and_a_rerun_leaves_no_stray_file(
        demo_app, session):
    from accounts.models import User
    from referrals import documents
    from referrals.document_models import Document

    lea = session.get(Person, demo_id("referrals/lea/person/0"))
    samia = session.get(User, demo_id("account/ft-member"))  # France Travail, the receiver
    hugo = session.get(User, demo_id("account/ml-member"))
    assert {d.name for d in documents.readable_documents(hugo, lea)} == {
        "Devis auto-école.pdf", "Attestation d'hébergement.pdf"}
    [quote] = documents.readable_documents(samia, lea)
    _document, content = documents.open_document(samia, quote.id)
    assert b"".join(content).startswith(b"%PDF-")
    session.rollback()  # the read's audit line is not the demo's
    stored = [p for p in documents.store().files.rglob("*.rdoc")]
    assert sorted(p.stem for p in stored) == sorted(
        str(i) for i in session.scalars(sa.select(Document.id)))  # the first run's are gone
