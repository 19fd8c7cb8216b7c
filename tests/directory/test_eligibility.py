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
        ({"all_of": [{"fact": ["age"], "op": ">=", "value": 1}]}, "all_of.0", "Unknown fact"),
        ({"all_of": [{"fact": "age", "op": [">="], "value": 1}]}, "all_of.0",
         "The operator for age is one of"),
        ({"all_of": [{"fact": "age", "op": ">=", "value": float("nan")}]}, "all_of.0",
         "other operators a number"),
        ({"all_of": [{"fact": "residence_departement", "op": "in", "value": ["Lyon"]}]},
         "all_of.0", "like 69 or 2A"),
        ({"version": 2}, "version", "Only version 1"),
        ({"when": "always"}, "rule", "Unknown keys: when."),
    ],
)
def test_invalid_rules_are_refused_with_a_message_per_field(data, field, message):
    with pytest.raises(Invalid) as refused:
        parse_rule(data)
    assert any(message in text for text in refused.value.field_errors[field])


# --- properties (hypothesis) -----------------------------------------------------------------

import itertools  # noqa: E402

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from directory.eligibility import (  # noqa: E402
    BOOLEAN,
    CHOICE,
    FACTS,
    NUMBER,
    OPERATORS,
)

DEPARTEMENTS = ("01", "69", "75")


def _values(fact):
    return fact.values or DEPARTEMENTS


@st.composite
def conditions(draw):
    if draw(st.integers(0, 9)) == 0:
        return {"manual": draw(st.sampled_from(["Motivation", "Projet validé"]))}
    fact = FACTS[draw(st.sampled_from(sorted(FACTS)))]
    op = draw(st.sampled_from(OPERATORS[fact.type]))
    if fact.type == NUMBER:
        numbers = st.integers(int(fact.minimum), min(int(fact.maximum), 80))
        if op == "between":
            low, high = sorted((draw(numbers), draw(numbers)))
            value = [low, high]
        else:
            value = draw(numbers)
    elif fact.type == BOOLEAN:
        value = draw(st.booleans())
    else:
        value = draw(st.lists(st.sampled_from(_values(fact)), min_size=1, max_size=3,
                              unique=True))
    return {"fact": fact.name, "op": op, "value": value}


rules = st.fixed_dictionaries({
    "version": st.just(1),
    "all_of": st.lists(conditions(), max_size=3),
    "any_of": st.lists(st.lists(conditions(), min_size=1, max_size=3), max_size=3),
})


def _fact_value(fact):
    if fact.type == NUMBER:
        return st.integers(int(fact.minimum), min(int(fact.maximum), 80))
    if fact.type == BOOLEAN:
        return st.booleans()
    if fact.type == CHOICE:
        return st.sampled_from(_values(fact))
    return st.lists(st.sampled_from(_values(fact)), max_size=3, unique=True)


situations = st.fixed_dictionaries({}, optional={
    name: _fact_value(fact) for name, fact in FACTS.items()
})


@st.composite
def situation_and_more(draw):
    """A situation and a fuller one that adds facts to it (never changes one)."""
    fuller = draw(situations)
    kept = draw(st.lists(st.sampled_from(sorted(fuller)), unique=True)) if fuller else []
    return {name: fuller[name] for name in kept}, fuller


@settings(max_examples=400, deadline=None)
@given(rules, situation_and_more())
def test_adding_facts_never_undoes_a_decided_answer(data, pair):
    """A missing fact never makes a service eligible (or not eligible) that more facts would
    decide otherwise, and a decided answer never becomes unknown again."""
    fewer, more = pair
    rule = parse_rule(data)
    first = evaluate(rule, fewer).status
    if first != UNKNOWN:
        assert evaluate(rule, more).status == first


@settings(max_examples=300, deadline=None)
@given(rules, situations)
def test_answering_the_facts_to_ask_decides(data, facts):
    """Whatever the answers to `to_ask`, the verdict is no longer unknown."""
    rule = parse_rule(data)
    evaluation = evaluate(rule, facts)
    if evaluation.status != UNKNOWN:
        assert evaluation.to_ask == ()
        return
    assert evaluation.to_ask
    assert set(evaluation.to_ask) <= set(evaluation.relevant_missing)
    candidates = [_probe_values(rule, name) for name in evaluation.to_ask]
    for values in itertools.islice(itertools.product(*candidates), 200):
        answered = {**facts, **dict(zip(evaluation.to_ask, values, strict=True))}
        assert evaluate(rule, answered).status != UNKNOWN, answered


def _probe_values(rule, name):
    """Values of a fact on both sides of every bound the rule uses."""
    fact = FACTS[name]
    used = [c.value for c in (*rule.all_of, *(c for g in rule.any_of for c in g))
            if not c.is_manual and c.fact == name]
    if fact.type == NUMBER:
        bounds = {v for value in used for v in (value if isinstance(value, tuple) else (value,))}
        return sorted({n + d for n in bounds for d in (-1, 0, 1)} | {0})
    if fact.type == BOOLEAN:
        return [True, False]
    if fact.type == CHOICE:
        return list(_values(fact))
    return [[], *([v] for v in _values(fact))]


@settings(max_examples=300, deadline=None)
@given(rules)
def test_without_any_fact_a_rule_with_a_checked_condition_is_never_eligible(data):
    rule = parse_rule(data)
    checked_for_everyone = any(not c.is_manual for c in rule.all_of)
    every_group_checked = rule.any_of and all(
        any(not c.is_manual for c in group) for group in rule.any_of)
    if checked_for_everyone or every_group_checked:
        assert evaluate(rule, {}).status != ELIGIBLE
