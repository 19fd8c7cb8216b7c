"""The consent ledger and its one enforcement point, read_person(): only organisations named
in a valid consent read a person, only the categories it covers, a withdrawal or an expiry
cuts access at the next read, and every read (or refusal) is in the audit log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from errors import Invalid, NotFound
from referrals import consent as ledger
from referrals.models import AuditEntry
from tests import factories as f


@pytest.fixture
def world(session):
    org_a, org_b = f.organisation(name="Mission locale"), f.organisation(name="CCAS")
    advisor_a, advisor_b = f.user(), f.user()
    f.membership(advisor_a, org_a)
    f.membership(advisor_b, org_b)
    person = f.person()
    session.commit()
    return org_a, org_b, advisor_a, advisor_b, person


def audit_actions():
    return [e.action for e in ledger.db.session.scalars(
        sa.select(AuditEntry).order_by(AuditEntry.id))]


def test_the_named_organisation_reads_the_categories_consented_and_no_more(world, session):
    org_a, _org_b, advisor_a, _advisor_b, person = world
    f.consent(person, org_a, categories=("identity",), advisor=advisor_a)
    view = ledger.read_person(advisor_a, person.id, ["identity", "contact"], purpose="test")
    assert (view.first_name, view.last_name) == ("Camille", "Martin")
    assert view.email is None and view.categories == {"identity"}
    assert audit_actions()[-1] == "read"


def test_another_organisation_cannot_even_learn_the_person_exists(world, session):
    org_a, _org_b, advisor_a, advisor_b, person = world
    f.consent(person, org_a, advisor=advisor_a)
    with pytest.raises(NotFound) as refused:
        ledger.read_person(advisor_b, person.id, ["identity"], purpose="test")
    with pytest.raises(NotFound) as unknown:
        ledger.read_person(advisor_b, "7d0b9b8e-0000-4000-8000-000000000000", ["identity"],
                           purpose="test")
    assert refused.value.message == unknown.value.message
    assert audit_actions()[-1] == "read-refused"


def test_a_withdrawal_cuts_access_at_the_next_read(world, session):
    org_a, _org_b, advisor_a, _advisor_b, person = world
    consent = f.consent(person, org_a, advisor=advisor_a)
    session.commit()
    ledger.read_person(advisor_a, person.id, ["identity"], purpose="test")
    assert ledger.withdraw(consent, by=None)
    assert not ledger.withdraw(consent, by=None)  # once is enough
    with pytest.raises(NotFound):
        ledger.read_person(advisor_a, person.id, ["identity"], purpose="test")


def test_an_expired_consent_gives_nothing(world, session):
    org_a, _org_b, advisor_a, _advisor_b, person = world
    f.consent(person, org_a, advisor=advisor_a, valid_for=timedelta(days=30))
    later = datetime.now(UTC) + timedelta(days=31)
    assert ledger.can_read(advisor_a, person, "identity")
    assert not ledger.can_read(advisor_a, person, "identity", now=later)
    with pytest.raises(NotFound):
        ledger.read_person(advisor_a, person.id, ["identity"], purpose="test", now=later)


def test_leaving_the_organisation_ends_access(world, session):
    org_a, _org_b, advisor_a, _advisor_b, person = world
    f.consent(person, org_a, advisor=advisor_a)
    advisor_a.memberships[0].status = "removed"
    session.commit()
    assert not ledger.can_read(advisor_a, person, "identity")


def test_the_person_reads_everything_of_their_own(world, session):
    *_, person = world
    account = f.user()
    person.user_id = account.id
    session.commit()
    view = ledger.read_person(account, person.id, ["identity", "contact", "situation"],
                              purpose="own space")
    assert view.email == "camille.martin@example.org"


def test_documents_are_named_one_by_one(world, session):
    org_a, _org_b, advisor_a, _advisor_b, person = world
    f.consent(person, org_a, categories=("identity", "document:cv-2026"), advisor=advisor_a)
    assert ledger.can_read(advisor_a, person, "document:cv-2026")
    assert not ledger.can_read(advisor_a, person, "document:rqth")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"method": "in-person", "attested_by": None}, "method"),
        ({"method": "online"}, "method"),  # only the person, signed in
        ({"method": "carrier pigeon"}, "method"),
        ({"organisations": []}, "organisations"),
        ({"categories": []}, "categories"),
        ({"categories": ["favourite colour"]}, "categories"),
        ({"text": " "}, "text"),
        ({"valid_for": timedelta(days=5000)}, "valid_for"),
        ({"purpose": "referral"}, "service"),
        ({"purpose": "marketing"}, "purpose"),
    ],
)
def test_a_consent_that_cannot_stand_is_refused_with_a_message(world, session, changes, field):
    org_a, _org_b, advisor_a, _advisor_b, person = world
    values = {"purpose": "follow-up", "organisations": [org_a], "categories": ["identity"],
              "method": "in-person", "text": "Texte.", "attested_by": advisor_a}
    values.update(changes)
    with pytest.raises(Invalid) as refused:
        ledger.give_consent(person, **values)
    assert field in refused.value.field_errors


def test_the_consent_text_names_organisations_data_and_end(world, session):
    org_a, org_b, *_ = world
    text = ledger.consent_text("follow-up", [org_b, org_a], ["identity", "contact"],
                               datetime(2027, 5, 25).date())
    assert "CCAS, Mission locale" in text and "25/05/2027" in text
