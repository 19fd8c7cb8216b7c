"""Eligibility in plain words: fact names, their values, the question that asks each fact, and
one sentence per condition ("Aged 16 to 25", "Receives RSA or ASS").

The rule format and its evaluation live in directory.eligibility and know nothing of
languages; every sentence a person reads about a rule is made here, through the catalogue of
translations, so the questionnaire, the results and the provider form say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from directory.eligibility import BOOLEAN, CHOICE, CHOICES, FACTS, NUMBER, Condition, Fact

FACT_LABELS = {
    "age": _l("Age"),
    "employment_situation": _l("Employment situation"),
    "registered_france_travail": _l("Registered with France Travail"),
    "months_registered_france_travail": _l("Months registered with France Travail"),
    "benefits": _l("Benefits received"),
    "rqth": _l("Disability recognition (RQTH)"),
    "education_level": _l("Education level"),
    "family_situation": _l("Family situation"),
    "resident_qpv": _l("Lives in a priority neighbourhood (QPV)"),
    "residence_departement": _l("Département of residence"),
}

VALUE_LABELS = {
    "employment_situation": {
        "employed": _l("in work"),
        "jobseeker": _l("looking for work"),
        "student": _l("student"),
        "training": _l("in training"),
        "inactive": _l("not working and not looking"),
        "retired": _l("retired"),
    },
    "benefits": {
        "rsa": _l("RSA (revenu de solidarité active)"),
        "ass": _l("ASS (allocation de solidarité spécifique)"),
        "aah": _l("AAH (allocation aux adultes handicapés)"),
        "are": _l("ARE (unemployment benefit)"),
        "prime-activite": _l("prime d'activité"),
        "caf": _l("other CAF benefits"),
        "none": _l("no benefit"),
    },
    "education_level": {
        "none": _l("no diploma"),
        "cap-bep": _l("CAP or BEP"),
        "bac": _l("baccalauréat"),
        "bac+2": _l("two years after the bac"),
        "bac+3": _l("three years after the bac"),
        "bac+5": _l("five years or more after the bac"),
    },
    "family_situation": {
        "single": _l("single"),
        "couple": _l("in a couple"),
        "single-parent": _l("single parent"),
        "couple-children": _l("couple with children"),
    },
}

# Booleans read as a sentence each way.
BOOLEAN_SENTENCES = {
    "registered_france_travail": (
        _l("Registered with France Travail"), _l("Not registered with France Travail")
    ),
    "rqth": (
        _l("Has a disability recognition (RQTH)"), _l("Has no disability recognition (RQTH)")
    ),
    "resident_qpv": (
        _l("Lives in a priority neighbourhood (QPV)"),
        _l("Does not live in a priority neighbourhood (QPV)"),
    ),
}

QUESTIONS = {
    "age": _l("How old are you?"),
    "employment_situation": _l("What is your situation today?"),
    "registered_france_travail": _l("Are you registered with France Travail?"),
    "months_registered_france_travail": _l(
        "For how many months have you been registered with France Travail?"
    ),
    "benefits": _l("Which benefits do you receive?"),
    "rqth": _l("Do you have a disability recognition (RQTH)?"),
    "education_level": _l("What is your highest diploma?"),
    "family_situation": _l("What is your family situation?"),
    "resident_qpv": _l("Do you live in a priority neighbourhood (QPV)?"),
    "residence_departement": _l("In which département do you live?"),
}

# Facts a place already answers: never asked when the location is known.
FACTS_FROM_PLACE = ("residence_departement",)


def fact_label(name: str) -> str:
    return str(FACT_LABELS.get(name, name))


def value_label(fact: str, value: str) -> str:
    if fact == "residence_departement":
        return _departement_name(value)
    return str(VALUE_LABELS.get(fact, {}).get(value, value))


def _departement_name(code: str) -> str:
    from extensions import db
    from geo.models import Departement

    department = db.session.get(Departement, code)
    return f"{department.name} ({code})" if department else code


@dataclass(frozen=True)
class Question:
    """How to ask one fact: `kind` is number, yes-no, choice (one) or choices (several)."""

    fact: str
    text: str
    kind: str
    choices: tuple[tuple[str, str], ...] = ()  # (value, label)
    minimum: float | None = None
    maximum: float | None = None


def question_for(name: str) -> Question:
    fact: Fact = FACTS[name]
    kind = {NUMBER: "number", BOOLEAN: "yes-no", CHOICE: "choice", CHOICES: "choices"}[fact.type]
    choices = tuple((value, value_label(name, value)) for value in fact.values)
    return Question(name, str(QUESTIONS[name]), kind, choices, fact.minimum, fact.maximum)


def _number(value: float) -> str:
    return format_decimal(value)


def _or_list(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return _("%(first)s or %(last)s", first=", ".join(words[:-1]), last=words[-1])


def describe(condition: Condition) -> str:
    """One condition as a sentence a person understands."""
    if condition.is_manual:
        return condition.manual or ""
    fact, op, value = condition.fact, condition.op, condition.value
    kind = FACTS[fact].type
    if kind == BOOLEAN:
        if fact in BOOLEAN_SENTENCES:
            yes, no = BOOLEAN_SENTENCES[fact]
            return str(yes if value else no)
        return f"{fact_label(fact)}: {_('yes') if value else _('no')}"
    if kind == NUMBER:
        return _describe_number(fact, op, value)
    labels = [value_label(fact, v) for v in value]
    if fact == "benefits":
        if op == "contains_any":
            return _("Receives %(benefits)s", benefits=_or_list(labels))
        return _("Does not receive %(benefits)s", benefits=_or_list(labels))
    if op in ("in", "contains_any"):
        return _("%(fact)s: %(values)s", fact=fact_label(fact), values=_or_list(labels))
    return _("%(fact)s: not %(values)s", fact=fact_label(fact), values=_or_list(labels))


AGE_SENTENCES = {
    "==": _l("Aged %(n)s"), "!=": _l("Not aged %(n)s"), "<": _l("Under %(n)s"),
    "<=": _l("Aged %(n)s or under"), ">": _l("Over %(n)s"), ">=": _l("Aged %(n)s or over"),
    "between": _l("Aged %(low)s to %(high)s"),
}
NUMBER_SENTENCES = {
    "==": _l("%(fact)s: %(n)s"), "!=": _l("%(fact)s: not %(n)s"),
    "<": _l("%(fact)s: under %(n)s"), "<=": _l("%(fact)s: %(n)s or fewer"),
    ">": _l("%(fact)s: over %(n)s"), ">=": _l("%(fact)s: %(n)s or more"),
    "between": _l("%(fact)s: %(low)s to %(high)s"),
}


def _describe_number(fact: str, op: str, value) -> str:
    template = str((AGE_SENTENCES if fact == "age" else NUMBER_SENTENCES)[op])
    if op == "between":
        low, high = value
        return template % {"low": _number(low), "high": _number(high), "fact": fact_label(fact)}
    return template % {"n": _number(value), "fact": fact_label(fact)}
