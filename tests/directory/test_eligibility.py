"""Eligibility rules: validation of the format and three-valued evaluation, as plain
functions (no database, no request)."""

import pytest

from directory.eligibility import (
    ELIGIBLE,
    NOT_ELIGIBLE,
    UNKNOWN,
    evaluate,
    parse_rule,
    rule_to_json,
)
from errors import Invalid

# A typical youth employment scheme: 16-25, or up to 30 with an RQTH; not in employment; and
# either registered with France Travail for 6 months, or receiving the RSA.
YOUTH = {
    "version": 1,
    "all_of": [
        {"fact": "employment_situation", "op": "not_in", "value": ["employed"]},
        {"manual": "Motivated to start within a month"},
    ],
    "any_of": [
        [{"fact": "age", "op": "between", "value": [16, 25]}],
        [{"fact": "age", "op": "between", "value": [16, 30]},
         {"fact": "rqth", "op": "is", "value": True}],
    ],
}


def rule(data=YOUTH):
    return parse_rule(data)


@pytest.mark.parametrize(
    ("facts", "status"),
    [
        ({"age": 22, "employment_situation": "jobseeker"}, ELIGIBLE),
        ({"age": 28, "employment_situation": "jobseeker", "rqth": True}, ELIGIBLE),
        ({"age": 28, "employment_situation": "jobseeker", "rqth": False}, NOT_ELIGIBLE),
        ({"age": 22, "employment_situation": "employed"}, NOT_ELIGIBLE),
        ({"age": 40, "employment_situation": "jobseeker", "rqth": True}, NOT_ELIGIBLE),
        ({"age": 22}, UNKNOWN),
        ({"employment_situation": "student"}, UNKNOWN),
        ({}, UNKNOWN),
    ],
)
def test_verdict_is_eligible_not_eligible_or_unknown(facts, status):
    assert evaluate(rule(), facts).status == status


def test_a_single_failed_condition_for_everyone_decides_whatever_else_is_unknown():
    result = evaluate(rule(), {"employment_situation": "employed"})
    assert result.status == NOT_ELIGIBLE and result.to_ask == ()
    assert [c.fact for c in result.not_met] == ["employment_situation"]


def test_unknown_asks_the_fewest_facts_that_decide():
    # Age 28: only the RQTH answer is missing to decide.
    result = evaluate(rule(), {"age": 28, "employment_situation": "jobseeker"})
    assert result.status == UNKNOWN and result.to_ask == ("rqth",)
    # Nothing known: no one or two facts decide for every answer (at 26-30, RQTH matters).
    nothing = evaluate(rule(), {})
    assert nothing.to_ask == ("age", "employment_situation", "rqth")


def test_an_irrelevant_unknown_fact_is_not_asked():
    # Age 22 already satisfies the first group: RQTH does not matter.
    result = evaluate(rule(), {"age": 22})
    assert result.to_ask == ("employment_situation",)
    assert "rqth" not in result.relevant_missing


def test_met_and_not_met_conditions_are_reported():
    result = evaluate(rule(), {"age": 28, "employment_situation": "jobseeker", "rqth": False})
    assert {c.fact for c in result.met} == {"employment_situation", "age"}
    assert {(c.fact, c.op) for c in result.not_met} == {("age", "between"), ("rqth", "is")}


def test_manual_conditions_are_left_to_confirm_unless_not_eligible():
    eligible = evaluate(rule(), {"age": 22, "employment_situation": "jobseeker"})
    assert [c.manual for c in eligible.to_confirm] == ["Motivated to start within a month"]
    assert evaluate(rule(), {"employment_situation": "employed"}).to_confirm == ()


@pytest.mark.parametrize(
    ("condition", "facts", "holds"),
    [
        ({"fact": "benefits", "op": "contains_any", "value": ["rsa", "ass"]},
         {"benefits": ["rsa"]}, True),
        ({"fact": "benefits", "op": "contains_any", "value": ["rsa", "ass"]},
         {"benefits": ["aah"]}, False),
        ({"fact": "benefits", "op": "contains_none", "value": ["are"]},
         {"benefits": ["rsa"]}, True),
        ({"fact": "months_registered_france_travail", "op": ">=", "value": 12},
         {"months_registered_france_travail": 12}, True),
        ({"fact": "months_registered_france_travail", "op": "<", "value": 12},
         {"months_registered_france_travail": 12}, False),
        ({"fact": "education_level", "op": "in", "value": ["none", "cap-bep"]},
         {"education_level": "bac"}, False),
        ({"fact": "resident_qpv", "op": "is", "value": True}, {"resident_qpv": True}, True),
        ({"fact": "residence_departement", "op": "in", "value": ["69", "01"]},
         {"residence_departement": "69"}, True),
    ],
)
def test_each_operator_reads_its_fact(condition, facts, holds):
    result = evaluate(parse_rule({"all_of": [condition]}), facts)
    assert result.status == (ELIGIBLE if holds else NOT_ELIGIBLE)


def test_a_rule_without_conditions_is_for_everyone():
    assert evaluate(parse_rule(None), {}).status == ELIGIBLE


def test_rules_round_trip_through_json():
    assert parse_rule(rule_to_json(rule())) == rule()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"all_of": [{"fact": "height", "op": ">", "value": 1}]}, "all_of.0",
         "Unknown fact 'height'."),
        ({"all_of": [{"fact": "age", "op": "in", "value": [18]}]}, "all_of.0",
         "The operator for age is one of"),
        ({"all_of": [{"fact": "age", "op": ">=", "value": "18"}]}, "all_of.0",
         "other operators a number"),
        ({"all_of": [{"fact": "age", "op": "between", "value": [30, 18]}]}, "all_of.0",
         "low bound"),
        ({"all_of": [{"fact": "age", "op": ">=", "value": 200}]}, "all_of.0",
         "age goes from 0 to 120"),
        ({"all_of": [{"fact": "rqth", "op": "is", "value": "yes"}]}, "all_of.0",
         "true or false"),
        ({"all_of": [{"fact": "benefits", "op": "contains_any", "value": ["lottery"]}]},
         "all_of.0", "Unknown value(s) for benefits: lottery."),
        ({"all_of": [{"manual": ""}]}, "all_of.0", "1 to 500 characters"),
        ({"any_of": [{"fact": "age", "op": ">=", "value": 18}]}, "any_of", "list of groups"),
        ({"any_of": [[]]}, "any_of", "at least one condition"),
        ({"any_of": [[{"any_of": []}]]}, "any_of.0.0", "exactly a fact"),  # no deeper nesting
        ({"version": 2}, "version", "Only version 1"),
        ({"when": "always"}, "rule", "Unknown keys: when."),
    ],
)
def test_invalid_rules_are_refused_with_a_message_per_field(data, field, message):
    with pytest.raises(Invalid) as refused:
        parse_rule(data)
    assert any(message in text for text in refused.value.field_errors[field])
