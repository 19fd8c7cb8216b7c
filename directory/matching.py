"""Matching: the services found for a need and a place, each with its eligibility for a
person's situation, grouped and explained, and the next questions worth asking.

A situation is a handful of facts of the catalogue (directory.eligibility.FACTS); nothing
here writes it anywhere — the questionnaire and the API hand it back and forth, and it
reaches the database only if a referral is later made with the person's consent.

Groups: eligible (every condition met, nothing to confirm); maybe (facts still unknown, or
manual conditions for the provider to confirm); not eligible (a condition is not met: the
page hides them by default and says why). The questions are the facts that decide the most
"maybe" services, so each answer changes something.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from directory import finder
from directory.eligibility import (
    BOOLEAN,
    CHOICE,
    CHOICES,
    ELIGIBLE,
    FACTS,
    NOT_ELIGIBLE,
    NUMBER,
    Evaluation,
    Rule,
    evaluate,
    parse_rule,
)
from directory.eligibility_words import FACTS_FROM_PLACE, Question, fact_label, question_for
from directory.models import Service
from errors import Invalid
from extensions import db

ELIGIBLE_GROUP, MAYBE_GROUP, NOT_ELIGIBLE_GROUP = "eligible", "maybe", "not-eligible"


@dataclass(frozen=True)
class ServiceMatch:
    hit: finder.Hit
    group: str
    evaluation: Evaluation
    has_rule: bool

    @property
    def service_id(self) -> uuid.UUID:
        return self.hit.service_id


@dataclass(frozen=True)
class AskedQuestion:
    question: Question
    services: int  # how many "maybe" services its answer may decide


@dataclass
class MatchResult:
    found: finder.Found
    facts: dict[str, Any]
    eligible: list[ServiceMatch] = field(default_factory=list)
    maybe: list[ServiceMatch] = field(default_factory=list)
    not_eligible: list[ServiceMatch] = field(default_factory=list)
    questions: list[AskedQuestion] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Reading a situation


def parse_facts(data: Mapping[str, Any] | None) -> dict[str, Any]:
    """A situation from JSON-like input: known facts only, each checked against its type.
    Raises Invalid with a message per fact. Empty values (None, "") mean "not said"."""
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise Invalid(_("The situation is an object of facts."),
                      {"situation": [_("The situation is an object of facts.")]})
    errors: dict[str, list[str]] = {}
    facts: dict[str, Any] = {}
    for name, value in data.items():
        if value is None or value == "":
            continue
        fact = FACTS.get(name)
        if fact is None:
            errors[name] = [_("Unknown fact '%(fact)s'.", fact=name)]
            continue
        problem, clean = _fact_value(fact, value)
        if problem:
            errors[name] = [problem]
        else:
            facts[name] = clean
    if errors:
        raise Invalid(_("Some answers are not valid."), errors)
    return facts


def _fact_value(fact, value) -> tuple[str | None, Any]:
    label = fact_label(fact.name)
    if fact.type == NUMBER:
        if isinstance(value, str):
            try:
                value = float(value.strip().replace(",", "."))
            except ValueError:
                return _("%(fact)s: a number is expected.", fact=label), None
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
            return _("%(fact)s: a number is expected.", fact=label), None
        if (fact.minimum is not None and value < fact.minimum) or \
                (fact.maximum is not None and value > fact.maximum):
            return _("%(fact)s goes from %(min)s to %(max)s.", fact=label,
                     min=f"{fact.minimum:g}", max=f"{fact.maximum:g}"), None
        return None, int(value) if float(value).is_integer() else value
    if fact.type == BOOLEAN:
        if isinstance(value, str) and value.lower() in ("yes", "true", "1", "oui", "on"):
            return None, True
        if isinstance(value, str) and value.lower() in ("no", "false", "0", "non", "off"):
            return None, False
        if isinstance(value, bool):
            return None, value
        return _("%(fact)s: yes or no is expected.", fact=label), None
    if fact.type == CHOICE:
        if not isinstance(value, str) or (fact.values and value not in fact.values):
            return _("%(fact)s: choose one of the values offered.", fact=label), None
        return None, value
    assert fact.type == CHOICES
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values) or \
            set(values) - set(fact.values):
        return _("%(fact)s: choose among the values offered.", fact=label), None
    return None, sorted(set(values))


def with_place_facts(facts: Mapping[str, Any], place) -> dict[str, Any]:
    """The facts the place answers (département of residence) added when not given."""
    result = dict(facts)
    result.setdefault("residence_departement", place.departement_code)
    return result


# ---------------------------------------------------------------------------------------------
# Matching


def rules_of(ids: list[uuid.UUID]) -> dict[uuid.UUID, Rule]:
    """The parsed rules of these services (a rule that no longer parses counts as none: the
    provider form refuses such rules, so only an old import could hold one)."""
    rules: dict[uuid.UUID, Rule] = {}
    for start in range(0, len(ids), finder.MAX_ID_LIST):
        for sid, data in db.session.execute(
            sa.select(Service.id, Service.eligibility).where(
                Service.id.in_(ids[start:start + finder.MAX_ID_LIST]),
                Service.eligibility.is_not(None))
        ):
            if not data:  # a JSON null written before none_as_null: no rule
                continue
            try:
                rules[sid] = parse_rule(data)
            except Invalid:
                continue
    return rules


def group_of(evaluation: Evaluation) -> str:
    if evaluation.status == NOT_ELIGIBLE:
        return NOT_ELIGIBLE_GROUP
    if evaluation.status == ELIGIBLE and not evaluation.to_confirm:
        return ELIGIBLE_GROUP
    return MAYBE_GROUP


def match(criteria: finder.Criteria, facts: Mapping[str, Any]) -> MatchResult:
    """The services the search finds, each evaluated against the situation."""
    known = with_place_facts(facts, criteria.place)
    found = finder.find(criteria)
    rules = rules_of([hit.service_id for hit in found.hits])
    result = MatchResult(found=found, facts=known)
    groups = {ELIGIBLE_GROUP: result.eligible, MAYBE_GROUP: result.maybe,
              NOT_ELIGIBLE_GROUP: result.not_eligible}
    for hit in found.hits:
        rule = rules.get(hit.service_id)
        evaluation = evaluate(rule or Rule(), known)
        group = group_of(evaluation)
        groups[group].append(ServiceMatch(hit, group, evaluation, rule is not None))
    result.questions = next_questions(result.maybe)
    return result


def next_questions(maybe: list[ServiceMatch]) -> list[AskedQuestion]:
    """The facts still unknown that decide "maybe" services, those deciding the most first.
    Facts the place answers are never asked; identity is not a fact, so never asked either."""
    counts: Counter[str] = Counter()
    for item in maybe:
        for fact in item.evaluation.to_ask:
            if fact not in FACTS_FROM_PLACE:
                counts[fact] += 1
    order = list(FACTS)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], order.index(item[0])))
    return [AskedQuestion(question_for(fact), count) for fact, count in ranked]
