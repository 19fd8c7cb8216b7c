"""People: an advisor records a person with the consent they gave (follow-up consent and
FollowUp, in one go, audited; nothing at all when a field is wrong); a lookup returns only
the records the organisation may read and a bare "someone else has one"; the follow-up group
is seen by its members only."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from errors import Forbidden, Invalid, NotFound
from referrals import consent as ledger
from referrals import people
from referrals.identity import identity_key
from referrals.models import AuditEntry, Consent, FollowUp, Person
from tests import factories as f
from tests.referrals.world import CAR, HOUSING, MOBILITY, build, record


@pytest.fixture
def advisor_at(session):
    org = f.organisation(name="Mission locale de Lyon")
    advisor = f.user()
    f.membership(advisor, org)
    return advisor, org


def count(model) -> int:
    return ledger.db.session.scalar(sa.select(sa.func.count()).select_from(model))


VALID = {"first_name": "Camille", "last_name": "Martin", "birth_date": "17/05/1999",
         "email": "Camille.Martin@example.org", "phone": "06 12 34 56 78",
         "preferred_channel": "sms", "france_travail_id": "abc 12345"}
CONSENT = {"method": "phone", "categories": ["identity", "contact"], "needs": [MOBILITY]}


def test_an_advisor_records_a_person_with_their_consent_and_follow_up(advisor_at, session):
    advisor, org = advisor_at
    person = people.create_person(advisor, org, VALID, CONSENT)
    session.commit()

    assert (person.birth_date, person.email, person.france_travail_id) == (
        date(1999, 5, 17), "camille.martin@example.org", "ABC12345")
    assert person.identity_key == identity_key("Martin", "Camille", date(1999, 5, 17))
    [consent] = person.consents
    assert (consent.purpose, consent.method, consent.attested_by_id) == (
        "follow-up", "phone", advisor.id)
    assert consent.organisation_ids == {org.id} and "Mission locale de Lyon" in consent.text
    follow_up = session.scalar(sa.select(FollowUp))
    assert (follow_up.organisation_id, follow_up.needs, follow_up.since) == (
        org.id, [MOBILITY], date.today())
    assert ledger.read_person(advisor, person.id, ["contact"], purpose="test").phone == \
        "06 12 34 56 78"
    created = session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "create"))
    assert (created.subject_type, created.subject_id) == ("person", str(person.id))


@pytest.mark.parametrize(("changes", "field"), [
    ({"last_name": "  "}, "last_name"),
    ({"first_name": None}, "first_name"),
    ({"last_name": "x" * 101}, "last_name"),
    ({"birth_date": "2999-01-01"}, "birth_date"),
    ({"birth_date": "1850-01-01"}, "birth_date"),
    ({"birth_date": "31/02/1999"}, "birth_date"),
    ({"email": "camille@"}, "email"),
    ({"phone": "call me"}, "phone"),
    ({"preferred_channel": "pigeon"}, "preferred_channel"),
    ({"preferred_channel": "email", "email": ""}, "preferred_channel"),
    ({"france_travail_id": "ABC-123"}, "france_travail_id"),
    ({"france_travail_id": "123456789012"}, "france_travail_id"),
])
def test_a_wrong_field_is_named_and_nothing_is_written(advisor_at, session, changes, field):
    advisor, org = advisor_at
    session.commit()
    with pytest.raises(Invalid) as refused:
        people.create_person(advisor, org, {**VALID, **changes}, CONSENT)
    assert list(refused.value.field_errors) == [field]
    assert (count(Person), count(Consent), count(FollowUp), count(AuditEntry)) == (0, 0, 0, 0)


def test_every_wrong_field_is_named_at_once_consent_included(advisor_at, session):
    advisor, org = advisor_at
    with pytest.raises(Invalid) as refused:
        people.create_person(advisor, org, {**VALID, "last_name": "", "email": "no"},
                             {"method": "online", "categories": ["contact"],
                              "needs": ["not-a-need"]})
    assert set(refused.value.field_errors) == {"last_name", "email", "method", "categories",
                                               "needs"}
    assert count(Person) == 0


def test_only_a_member_records_a_person_for_an_organisation(advisor_at, session):
    _advisor, org = advisor_at
    with pytest.raises(Forbidden):
        people.create_person(f.user(), org, VALID, CONSENT)
    assert count(Person) == 0


# ---------------------------------------------------------------------------------------------
# Finding an existing record


def test_a_lookup_finds_the_organisations_own_record_even_with_a_slip(advisor_at, session):
    advisor, org = advisor_at
    person = record(advisor, org)
    exact = people.find_existing(org, "MARTIN", "camille", date(1999, 5, 17))
    slip = people.find_existing(org, "Martn", "Camille", date(1999, 5, 17))
    assert exact == slip == people.Existing([person], elsewhere=False)
    assert people.find_existing(org, "Martin", "Camille", date(1999, 5, 18)) == \
        people.Existing([], elsewhere=False)


def test_another_organisation_learns_only_that_someone_has_a_record(advisor_at, session):
    advisor, org = advisor_at
    record(advisor, org)
    other = f.organisation()
    assert people.find_existing(other, "Martin", "Camille", date(1999, 5, 17)) == \
        people.Existing([], elsewhere=True)
    lookup = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "lookup")).all()
    assert lookup[-1].organisation_id == other.id and lookup[-1].person_id is None


def test_a_withdrawn_consent_hides_the_record_from_its_organisation(advisor_at, session):
    advisor, org = advisor_at
    person = record(advisor, org)
    ledger.withdraw(person.consents[0], by=None)
    assert people.find_existing(org, "Martin", "Camille", date(1999, 5, 17)) == \
        people.Existing([], elsewhere=True)


# ---------------------------------------------------------------------------------------------
# The follow-up group


@pytest.fixture
def followed(session):
    world = build()
    ccas_advisor = f.user()
    f.membership(ccas_advisor, world.receiving)
    f.consent(world.person, world.receiving, advisor=ccas_advisor)
    session.add(FollowUp(person_id=world.person.id, organisation_id=world.receiving.id,
                         needs=[HOUSING], since=date(2026, 1, 5)))
    session.commit()
    return world, ccas_advisor


def test_members_of_the_group_see_who_accompanies_the_person(followed):
    world, ccas_advisor = followed
    for member in (world.advisor, ccas_advisor):
        group = people.follow_up_group(member, world.person)
        assert [(m.organisation_name, m.needs) for m in group] == [
            ("CCAS de Villeurbanne", [HOUSING]), ("Mission locale de Lyon", [MOBILITY])]


def test_the_person_sees_their_own_group(followed, session):
    world, _ = followed
    account = f.user()
    world.person.user_id = account.id
    assert len(people.follow_up_group(account, world.person)) == 2


def test_outsiders_see_nothing_of_the_group(followed, session):
    world, _ = followed
    stranger = f.user()
    f.membership(stranger, f.organisation())
    with pytest.raises(NotFound):
        people.follow_up_group(stranger, world.person)
    # Reading the person under a referral consent is not accompanying them.
    garage = f.organisation()
    garage_member = f.user()
    f.membership(garage_member, garage)
    f.consent(world.person, garage, advisor=world.advisor, purpose="referral",
              service=f.service(garage, thematiques=[CAR]))
    with pytest.raises(Forbidden):
        people.follow_up_group(garage_member, world.person)


def test_a_withdrawal_takes_the_organisation_out_of_the_group(followed, session):
    world, ccas_advisor = followed
    ccas_consent = next(c for c in world.person.consents
                        if c.organisation_ids == {world.receiving.id})
    ledger.withdraw(ccas_consent, by=None)
    group = people.follow_up_group(world.advisor, world.person)
    assert [m.organisation_name for m in group] == ["Mission locale de Lyon"]
    with pytest.raises(NotFound):
        people.follow_up_group(ccas_advisor, world.person)
