"""Matching (directory.matching) and POST /api/v1/match: services grouped by eligibility for a
situation, explained in words, with the questions worth asking — and the situation stored
nowhere."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from directory import matching
from directory.finder import Criteria
from errors import Invalid
from extensions import db
from geo.places import place_for_commune
from tests import factories as f
from tests.factories import LYON_3E

YOUTH = {"version": 1, "all_of": [{"fact": "age", "op": "between", "value": [16, 25]}]}
RSA = {"version": 1, "all_of": [{"fact": "benefits", "op": "contains_any", "value": ["rsa"]}]}
SENIOR_JOBSEEKER = {"version": 1, "all_of": [
    {"fact": "age", "op": ">=", "value": 50},
    {"fact": "registered_france_travail", "op": "is", "value": True},
]}
WITH_MANUAL = {"version": 1, "all_of": [{"manual": "Projet professionnel validé"}]}
RHONE_ONLY = {"version": 1, "all_of": [
    {"fact": "residence_departement", "op": "in", "value": ["69"]}]}


@pytest.fixture
def catalogue(session):
    org = f.organisation(name="Mission locale")
    for name, rule in (("Jeunes", YOUTH), ("RSA", RSA), ("Seniors", SENIOR_JOBSEEKER),
                       ("Avec projet", WITH_MANUAL), ("Rhône", RHONE_ONLY), ("Tous", None)):
        f.service(org, name=name, eligibility=rule, at=LYON_3E)
    session.commit()


def grouped(facts):
    result = matching.match(Criteria(place_for_commune("69383")), facts)
    return ({m.hit.name for m in result.eligible}, {m.hit.name for m in result.maybe},
            {m.hit.name for m in result.not_eligible}, result)


def test_with_no_answer_rules_with_facts_are_maybe_and_open_services_eligible(catalogue):
    eligible, maybe, not_eligible, result = grouped({})
    # The département is known from the place: never asked.
    assert eligible == {"Tous", "Rhône"}
    assert maybe == {"Jeunes", "RSA", "Seniors", "Avec projet"}
    assert not_eligible == set()
    asked = [q.question.fact for q in result.questions]
    assert asked[0] == "age"  # decides two services
    assert "residence_departement" not in asked


def test_answers_move_services_between_groups_with_reasons(catalogue):
    eligible, maybe, not_eligible, result = grouped({"age": 22, "benefits": ["rsa"]})
    assert eligible == {"Tous", "Rhône", "Jeunes", "RSA"}
    assert maybe == {"Avec projet"}
    assert not_eligible == {"Seniors"}
    seniors = next(m for m in result.not_eligible if m.hit.name == "Seniors")
    from directory.eligibility_words import describe

    with force_locale("en"):
        assert [describe(c) for c in seniors.evaluation.not_met] == ["Aged 50 or over"]
    with_project = result.maybe[0]
    assert [c.manual for c in with_project.evaluation.to_confirm] == [
        "Projet professionnel validé"]


def test_only_facts_that_change_a_result_are_asked(catalogue):
    *_, result = grouped({"age": 22})
    asked = {q.question.fact for q in result.questions}
    # Age is known; "registered with France Travail" no longer matters (Seniors is out).
    assert asked == {"benefits"}


def test_invalid_answers_are_refused_fact_by_fact():
    with pytest.raises(Invalid) as error:
        matching.parse_facts({"age": 250, "rqth": "maybe", "benefits": ["rsa", "loto"],
                              "favourite_colour": "blue", "employment_situation": "astronaut"})
    assert set(error.value.field_errors) == {
        "age", "rqth", "benefits", "favourite_colour", "employment_situation"}
    assert matching.parse_facts({"age": "23", "rqth": "oui", "benefits": "rsa", "empty": None,
                                 "education_level": ""}) == {
        "age": 23, "rqth": True, "benefits": ["rsa"]} | {}  # "empty" is unknown but blank


def _row_counts():
    tables = [t for t in db.metadata.sorted_tables]
    return {t.name: db.session.scalar(sa.select(sa.func.count()).select_from(t)) for t in tables}


def test_the_api_groups_explains_and_asks(client, catalogue):
    response = client.post("/api/v1/match", json={
        "location": {"commune": "69383"},
        "situation": {"age": 22, "benefits": ["rsa"]},
    }, headers={"Accept-Language": "en"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["counts"] == {"eligible": 4, "maybe": 1, "not_eligible": 1}
    seniors = body["not_eligible"][0]
    assert seniors["name"] == "Seniors"
    assert seniors["status"] == "not-eligible"
    assert seniors["not_met"] == ["Aged 50 or over"]
    assert body["maybe"][0]["to_confirm"] == ["Projet professionnel validé"]
    assert response.headers["Cache-Control"] == "no-store"


def test_the_api_asks_questions_in_words_with_their_choices(client, catalogue):
    body = client.post("/api/v1/match", json={"location": {"postcode": "69003"}},
                       headers={"Accept-Language": "en"}).get_json()
    first = body["questions"][0]
    assert (first["fact"], first["kind"], first["services"]) == ("age", "number", 2)
    benefits = next(q for q in body["questions"] if q["fact"] == "benefits")
    assert {"value": "rsa", "label": "RSA (revenu de solidarité active)"} in benefits["choices"]


def test_the_api_can_leave_out_the_services_one_cannot_use(client, catalogue):
    body = client.post("/api/v1/match", json={
        "location": {"commune": "69383"}, "situation": {"age": 22},
        "include_not_eligible": False}).get_json()
    assert body["not_eligible"] == [] and body["counts"]["not_eligible"] == 1


def test_the_api_stores_nothing_of_the_situation(client, catalogue):
    before = _row_counts()
    client.post("/api/v1/match", json={"location": {"commune": "69383"},
                                       "situation": {"age": 22, "rqth": True}})
    assert _row_counts() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "location"),
        ({"location": {}}, "location"),
        ({"location": {"postcode": "01400"}}, "location.postcode"),  # several communes
        ({"location": {"commune": "99999"}}, "location.commune"),
        ({"location": {"lat": 45.7}}, "location.lon"),
        ({"location": {"commune": "69383"}, "needs": ["nope"]}, "needs"),
        ({"location": {"commune": "69383"}, "situation": {"age": -3}}, "situation.age"),
        ({"location": {"commune": "69383"}, "situation": {"shoe_size": 42}},
         "situation.shoe_size"),
        ({"location": {"commune": "69383"}, "radius_km": 0}, "radius_km"),
        ({"location": {"commune": "69383"}, "limit": 1000}, "limit"),
        ({"location": {"commune": "69383"}, "q": "x" * 201}, "q"),
        ([1, 2], "body"),
    ],
)
def test_the_api_refuses_bad_requests_with_a_message_on_the_field(client, session, body, field):
    response = client.post("/api/v1/match", json=body)
    assert response.status_code == 400
    errors = response.get_json()["errors"]
    assert field in errors, errors
    assert all(isinstance(m, str) and m for m in errors[field])


def test_the_api_answers_in_french_when_asked(client, catalogue):
    body = client.post("/api/v1/match", json={"location": {"commune": "69383"},
                                              "situation": {"age": 22}},
                       headers={"Accept-Language": "fr"}).get_json()
    seniors = body["not_eligible"][0]
    assert seniors["not_met"] == ["50 ans ou plus"]


def test_a_cleared_rule_means_open_to_everyone(session):
    from directory import editing

    service = f.service(name="Jeunes", eligibility=YOUTH, at=LYON_3E)
    session.commit()
    editing.set_eligibility(service, None, None)
    session.commit()
    assert matching.rules_of([service.id]) == {}
    eligible, maybe, _, _ = grouped({})
    assert (eligible, maybe) == ({"Jeunes"}, set())
