"""Eligibility rules: a declarative, versioned format and its three-valued evaluation.

A rule (docs/eligibility.md) is
    {"version": 1,
     "all_of": [condition, …],            # everyone must meet these
     "any_of": [[condition, …], …]}       # and, if there are groups, all of one group
A condition reads one fact of the platform's catalogue (FACTS) with an operator allowed for
its type — {"fact": "age", "op": ">=", "value": 18} — or is "manual": free text the provider
checks ({"manual": "Motivation to train as a carer"}). There is no deeper nesting.

Evaluation is three-valued: eligible, not eligible, or unknown when facts are missing. It
says which conditions are met and not met, the fewest facts still to ask to decide, and the
manual conditions to confirm (assumed met until the provider checks them).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import combinations, product
from typing import Any

from flask_babel import gettext as _

from errors import Invalid

RULE_VERSION = 1
DEPARTEMENT_CODE = re.compile(r"\d{2,3}|2[AB]")
MAX_ENUMERATED = 12  # unknown conditions beyond which "could it change?" is not enumerated
ELIGIBLE, NOT_ELIGIBLE, UNKNOWN = "eligible", "not-eligible", "unknown"

NUMBER, BOOLEAN, CHOICE, CHOICES = "number", "boolean", "choice", "choices"
OPERATORS = {
    NUMBER: ("==", "!=", "<", "<=", ">", ">=", "between"),
    BOOLEAN: ("is",),
    CHOICE: ("in", "not_in"),  # the fact is one value
    CHOICES: ("contains_any", "contains_none"),  # the fact is a set of values
}


@dataclass(frozen=True)
class Fact:
    name: str
    type: str
    values: tuple[str, ...] = ()  # for choice(s)
    minimum: float | None = None
    maximum: float | None = None


# The catalogue the platform maintains (labels and questions live with the pages).
FACTS: dict[str, Fact] = {f.name: f for f in (
    Fact("age", NUMBER, minimum=0, maximum=120),
    Fact("employment_situation", CHOICE, ("employed", "jobseeker", "student", "training",
                                          "inactive", "retired")),
    Fact("registered_france_travail", BOOLEAN),
    Fact("months_registered_france_travail", NUMBER, minimum=0, maximum=600),
    Fact("benefits", CHOICES, ("rsa", "ass", "aah", "are", "prime-activite", "caf", "none")),
    Fact("rqth", BOOLEAN),  # reconnaissance de la qualité de travailleur handicapé
    Fact("education_level", CHOICE, ("none", "cap-bep", "bac", "bac+2", "bac+3", "bac+5")),
    Fact("family_situation", CHOICE, ("single", "couple", "single-parent", "couple-children")),
    Fact("resident_qpv", BOOLEAN),  # lives in a quartier prioritaire de la politique de la ville
    Fact("residence_departement", CHOICE),  # any département code: values not enumerated
)}


@dataclass(frozen=True)
class Condition:
    fact: str | None = None
    op: str | None = None
    value: Any = None
    manual: str | None = None

    @property
    def is_manual(self) -> bool:
        return self.manual is not None


@dataclass(frozen=True)
class Rule:
    all_of: tuple[Condition, ...] = ()
    any_of: tuple[tuple[Condition, ...], ...] = ()
    version: int = RULE_VERSION


@dataclass(frozen=True)
class Evaluation:
    status: str
    met: tuple[Condition, ...] = ()
    not_met: tuple[Condition, ...] = ()
    to_ask: tuple[str, ...] = ()  # the fewest facts that decide, when unknown
    to_confirm: tuple[Condition, ...] = ()  # manual conditions
    relevant_missing: tuple[str, ...] = field(default=())  # every unknown fact that matters


# --- reading and validating ---------------------------------------------------------------


def parse_rule(data: Mapping | None) -> Rule:
    """A Rule from its JSON form, or Invalid with a message per field ("all_of.0.value")."""
    if not data:
        return Rule()
    errors: dict[str, list[str]] = {}
    if not isinstance(data, Mapping):
        raise Invalid(_("A rule is an object."), {"rule": [_("A rule is an object.")]})
    unknown = set(data) - {"version", "all_of", "any_of"}
    if unknown:
        errors["rule"] = [_("Unknown keys: %(keys)s.", keys=", ".join(sorted(unknown)))]
    if data.get("version", RULE_VERSION) != RULE_VERSION:
        errors["version"] = [_("Only version %(version)s is understood.", version=RULE_VERSION)]
    all_of = _conditions(data.get("all_of") or [], "all_of", errors)
    groups = data.get("any_of") or []
    if not isinstance(groups, list) or not all(isinstance(g, list) for g in groups):
        errors["any_of"] = [_("any_of is a list of groups, each a list of conditions.")]
        groups = []
    any_of = tuple(
        _conditions(group, f"any_of.{i}", errors) for i, group in enumerate(groups)
    )
    if any(not group for group in any_of):
        errors.setdefault("any_of", []).append(_("A group needs at least one condition."))
    if errors:
        raise Invalid(_("This eligibility rule is not valid."), errors)
    return Rule(all_of=all_of, any_of=any_of)


def rule_to_json(rule: Rule) -> dict:
    def one(c: Condition) -> dict:
        if c.is_manual:
            return {"manual": c.manual}
        value = list(c.value) if isinstance(c.value, tuple) else c.value
        return {"fact": c.fact, "op": c.op, "value": value}
    return {"version": rule.version, "all_of": [one(c) for c in rule.all_of],
            "any_of": [[one(c) for c in group] for group in rule.any_of]}


def _conditions(items, path: str, errors) -> tuple[Condition, ...]:
    if not isinstance(items, list):
        errors[path] = [_("A list of conditions is expected.")]
        return ()
    conditions = []
    for index, item in enumerate(items):
        where = f"{path}.{index}"
        if isinstance(item, Mapping) and "manual" in item:
            text = item.get("manual")
            if not isinstance(text, str) or not text.strip() or len(text) > 500:
                errors[where] = [_("A manual condition is a text of 1 to 500 characters.")]
            else:
                conditions.append(Condition(manual=text.strip()))
            continue
        problem = _condition_problem(item)
        if problem:
            errors[where] = [problem]
        else:
            conditions.append(Condition(fact=item["fact"], op=item["op"],
                                        value=_normalised(item)))
    return tuple(conditions)


def _condition_problem(item) -> str | None:
    if not isinstance(item, Mapping) or set(item) != {"fact", "op", "value"}:
        return _("A condition has exactly a fact, an operator and a value (or is manual).")
    fact = FACTS.get(item["fact"]) if isinstance(item["fact"], str) else None
    if fact is None:
        return _("Unknown fact '%(fact)s'.", fact=str(item["fact"])[:60])
    if not isinstance(item["op"], str):
        return _("The operator for %(fact)s is one of: %(allowed)s.", fact=fact.name,
                 allowed=", ".join(OPERATORS[fact.type]))
    if item["op"] not in OPERATORS[fact.type]:
        allowed = ", ".join(OPERATORS[fact.type])
        return _("The operator for %(fact)s is one of: %(allowed)s.", fact=fact.name,
                 allowed=allowed)
    value = item["value"]
    if fact.type == NUMBER:
        numbers = value if item["op"] == "between" else [value]
        if (item["op"] == "between" and (not isinstance(value, list) or len(value) != 2)) or \
                not all(isinstance(n, int | float) and not isinstance(n, bool)
                        and math.isfinite(n) for n in numbers):
            return _("between takes [low, high]; other operators a number.")
        if item["op"] == "between" and numbers[0] > numbers[1]:
            return _("The low bound must not be above the high bound.")
        if any((fact.minimum is not None and n < fact.minimum) or
               (fact.maximum is not None and n > fact.maximum) for n in numbers):
            return _("%(fact)s goes from %(min)s to %(max)s.", fact=fact.name,
                     min=f"{fact.minimum:g}", max=f"{fact.maximum:g}")
    elif fact.type == BOOLEAN:
        if not isinstance(value, bool):
            return _("The value is true or false.")
    else:
        if not isinstance(value, list) or not value or \
                not all(isinstance(v, str) for v in value):
            return _("The value is a non-empty list of choices.")
        if fact.name == "residence_departement" and not all(
                DEPARTEMENT_CODE.fullmatch(v) for v in value):
            return _("A département is given by its code, like 69 or 2A.")
        if fact.values and set(value) - set(fact.values):
            unknown = ", ".join(sorted(set(value) - set(fact.values)))
            return _("Unknown value(s) for %(fact)s: %(values)s.", fact=fact.name, values=unknown)
    return None


def _normalised(item) -> Any:
    value = item["value"]
    return tuple(value) if isinstance(value, list) else value


# --- evaluating ------------------------------------------------------------------------------


def condition_holds(condition: Condition, facts: Mapping[str, Any]) -> bool | None:
    """True, False, or None when the fact is not known."""
    value = facts.get(condition.fact)
    if value is None:
        return None
    op, expected = condition.op, condition.value
    if op == "between":
        return expected[0] <= value <= expected[1]
    if op in ("==", "!=", "<", "<=", ">", ">="):
        return {"==": value == expected, "!=": value != expected, "<": value < expected,
                "<=": value <= expected, ">": value > expected, ">=": value >= expected}[op]
    if op == "is":
        return value is expected
    if op == "in":
        return value in expected
    if op == "not_in":
        return value not in expected
    held = set(value)
    return bool(held & set(expected)) if op == "contains_any" else not held & set(expected)


def _combine(rule: Rule, truth) -> bool | None:
    """Kleene logic over the rule's shape; manual conditions count as met."""
    def all_of(conditions):
        values = [True if c.is_manual else truth(c) for c in conditions]
        if False in values:
            return False
        return None if None in values else True

    result = all_of(rule.all_of)
    if rule.any_of and result is not False:
        groups = [all_of(group) for group in rule.any_of]
        choice = True if True in groups else (None if None in groups else False)
        result = False if choice is False else (None if None in (result, choice) else True)
    return result


def evaluate(rule: Rule, facts: Mapping[str, Any]) -> Evaluation:
    """Three-valued verdict of `rule` for a situation, with what decides it."""
    conditions = [*rule.all_of, *(c for group in rule.any_of for c in group)]
    checked = [c for c in conditions if not c.is_manual]
    outcome = {c: condition_holds(c, facts) for c in checked}
    status_value = _combine(rule, lambda c: outcome[c])
    status = {True: ELIGIBLE, False: NOT_ELIGIBLE, None: UNKNOWN}[status_value]
    missing = sorted({c.fact for c in checked if outcome[c] is None})
    to_ask: tuple[str, ...] = ()
    if status == UNKNOWN:
        to_ask = _fewest_deciding(rule, outcome, missing)
    return Evaluation(
        status=status,
        met=tuple(c for c in checked if outcome[c] is True),
        not_met=tuple(c for c in checked if outcome[c] is False),
        to_ask=to_ask,
        to_confirm=tuple(c for c in conditions if c.is_manual) if status != NOT_ELIGIBLE else (),
        relevant_missing=tuple(f for f in to_ask_all(rule, outcome, missing)),
    )


def to_ask_all(rule: Rule, outcome, missing: list[str]) -> list[str]:
    """The unknown facts whose answer could change the verdict."""
    if _combine(rule, lambda c: outcome[c]) is not None:
        return []
    return [f for f in missing if _can_change(rule, outcome, f)]


def _can_change(rule: Rule, outcome, fact: str) -> bool:
    """Whether some answers to the other unknown facts leave the verdict depending on this
    one. Past a dozen unknown conditions, say yes rather than enumerate."""
    unknown = [c for c, v in outcome.items() if v is None]
    mine = [c for c in unknown if c.fact == fact]
    others = [c for c in unknown if c.fact != fact]
    if len(unknown) > MAX_ENUMERATED:
        return True
    for other_values in product((True, False), repeat=len(others)):
        base = dict(zip(others, other_values, strict=True))
        results = set()
        for my_values in product((True, False), repeat=len(mine)):
            assigned = {**base, **dict(zip(mine, my_values, strict=True))}
            results.add(_combine(rule, lambda c, a=assigned: a.get(c, outcome[c])))
            if len(results) > 1:
                return True
    return False


def _fewest_deciding(rule: Rule, outcome, missing: list[str]) -> tuple[str, ...]:
    """The smallest set of facts whose answers, whatever they are, decide the verdict.

    Conditions on the same fact are treated as independent, which can only ask for more than
    strictly needed, never for less."""
    for size in range(1, len(missing) + 1):
        for subset in combinations(missing, size):
            unknown = [c for c, v in outcome.items() if v is None and c.fact in subset]
            decided = True
            for values in product((True, False), repeat=len(unknown)):
                assigned = dict(zip(unknown, values, strict=True))
                if _combine(rule, lambda c, a=assigned: a.get(c, outcome[c])) is None:
                    decided = False
                    break
            if decided:
                return subset
    return tuple(missing)
