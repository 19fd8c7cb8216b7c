"""No duplicate work: before sending, the advisor hears of an open referral to the same
service or for the same need, and of another organisation already accompanying the person
for that need — on any record of the same human. Another organisation is named only when the
sending organisation is in that record's follow-up group; otherwise the words are always the
same and the warning holds no organisation, service or referral."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

import pytest
from flask_babel import force_locale

from referrals import consent as ledger
from referrals.duplicates import (
    FOLLOWED,
    SAME_NEED,
    SAME_SERVICE,
    same_need,
    warnings_before_sending,
)
from referrals.models import FollowUp, Referral
from referrals.referrals import send
from tests import factories as f
from tests.referrals.world import CAR, HOUSING, MOBILITY, build, draft, record


@pytest.fixture
def world(session):
    world = build()
    session.commit()
    return world


@pytest.fixture
def elsewhere(world, session):
    """France Travail accompanies the same human for mobility, on a record of its own
    typed with a slip; the mission locale holds no consent on that record."""
    agency = f.organisation(name="France Travail Lyon Part-Dieu")
    agent = f.user()
    f.membership(agent, agency)
    other_record = record(agent, agency, last_name="Martinn", needs=[MOBILITY])
    session.commit()
    return agency, agent, other_record


def warnings(world, need=MOBILITY, service=None):
    """The warnings as an English-speaking advisor reads them."""
    with force_locale("en"):
        return warnings_before_sending(world.sending, world.person, service or world.service,
                                       need)


def test_nothing_to_say_about_a_first_referral(world):
    assert warnings(world) == []


def test_the_organisations_own_open_referral_to_the_service_is_named(world, session):
    earlier = draft(world)
    send(earlier, world.advisor, earlier.version, confirmed=True)
    [warning] = warnings(world, need=None)
    assert (warning.kind, warning.organisation_name, warning.referral_id) == (
        SAME_SERVICE, "CCAS de Villeurbanne", earlier.id)


def test_an_open_referral_for_the_same_need_elsewhere_is_named_to_its_sender(world, session):
    earlier = draft(world)
    send(earlier, world.advisor, earlier.version, confirmed=True)
    other_service = f.service(f.organisation(), thematiques=[MOBILITY])
    [warning] = warnings(world, service=other_service)
    assert warning.kind == SAME_NEED and "Garage solidaire" in warning.text


def test_another_organisations_referral_is_not_named(world, elsewhere, session):
    agency, agent, other_record = elsewhere
    f.consent(other_record, world.receiving, agency, advisor=agent, purpose="referral",
              service=world.service)
    theirs = Referral(person_id=other_record.id, service_id=world.service.id,
                      receiving_organisation_id=world.receiving.id,
                      sending_organisation_id=agency.id, status="sent", need=CAR)
    session.add(theirs)
    session.flush()
    found = {w.kind: w for w in warnings(world, need=CAR)}
    assert set(found) == {SAME_SERVICE}
    assert asdict(found[SAME_SERVICE]) == {
        "kind": SAME_SERVICE, "organisation_name": None, "organisation_id": None,
        "referral_id": None,
        "text": "This person seems to have an open request to this service already — ask them."}


def test_someone_elses_draft_is_not_work_yet(world, elsewhere, session):
    agency, _agent, other_record = elsewhere
    session.add(Referral(person_id=other_record.id, service_id=world.service.id,
                         receiving_organisation_id=world.receiving.id,
                         sending_organisation_id=agency.id, status="draft"))
    session.flush()
    assert [w.kind for w in warnings(world, need=CAR)] == []


def test_a_follow_up_elsewhere_without_consent_is_never_named(world, elsewhere):
    agency, *_ = elsewhere
    [warning] = warnings(world)
    assert warning.kind == FOLLOWED
    assert warning.text == "This person seems already followed for this need — ask them."
    assert warning.organisation_id is None and warning.organisation_name is None
    assert agency.name not in repr(warning) and str(agency.id) not in repr(warning)


def test_a_follow_up_is_named_once_the_sender_is_in_that_records_group(world, elsewhere,
                                                                        session):
    agency, agent, other_record = elsewhere
    consent = f.consent(other_record, world.sending, advisor=agent)
    session.add(FollowUp(person_id=other_record.id, organisation_id=world.sending.id,
                         needs=[HOUSING], since=date.today(), consent_id=consent.id))
    session.flush()
    [warning] = warnings(world)
    assert (warning.kind, warning.organisation_id) == (FOLLOWED, agency.id)
    assert "France Travail Lyon Part-Dieu already accompanies this person" in warning.text

    ledger.withdraw(consent, by=None)  # out of the group: back to the bare words
    [warning] = warnings(world)
    assert (warning.text, warning.organisation_id) == (
        "This person seems already followed for this need — ask them.", None)


def test_a_consent_without_a_follow_up_does_not_name_the_other(world, elsewhere):
    agency, agent, other_record = elsewhere
    f.consent(other_record, world.sending, advisor=agent)  # may read, does not accompany
    [warning] = warnings(world)
    assert warning.organisation_id is None


def test_a_follow_up_for_another_need_says_nothing(world, elsewhere):
    assert warnings(world, need=CAR) == []


def test_a_different_human_says_nothing(world, session):
    agency = f.organisation()
    agent = f.user()
    f.membership(agent, agency)
    record(agent, agency, first_name="Dominique", needs=[MOBILITY])
    record(agent, agency, birth_date="1999-05-18", needs=[MOBILITY])
    assert warnings(world) == []


def test_a_follow_up_for_the_whole_category_covers_its_needs(world, session):
    agency = f.organisation()
    agent = f.user()
    f.membership(agent, agency)
    record(agent, agency, needs=["mobilite"])
    assert [w.kind for w in warnings(world, need=CAR)] == [FOLLOWED]


def test_needs_are_the_same_when_equal_or_within_a_category():
    assert same_need(CAR, CAR) and same_need("mobilite", CAR) and same_need(CAR, "mobilite")
    assert not same_need(CAR, MOBILITY) and not same_need(None, CAR)
