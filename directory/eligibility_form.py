"""The provider's form for a service's eligibility rule: rows of conditions, never JSON.

The page (templates/listings/eligibility.html) shows "everyone must" rows and groups of rows
("and at least one of these groups"). A row names a fact of the catalogue, an operator in words
and the value(s) in the inputs its type needs — or is a manual condition, a text. This module

- reads the posted form into rows exactly as typed (`read_rows`), so the page can show them
  again on error;
- turns rows into a rule dict of docs/eligibility.md, with messages on the wrong rows
  (`rule_from_rows`, `rule_from_form`); rows with no fact chosen are blank and ignored, so the
  page can always offer empty rows, and a group of blank rows is no group;
- puts the messages of directory.editing.set_eligibility back on the rows they are about
  (`errors_on_rows`: its "all_of.2" counts only the rows that were not blank);
- turns a stored rule back into rows, with blank rows to fill in (`rows_from_rule`).

The rule itself is validated by directory.eligibility; the checks here are about what was typed
(a number that is not one, an operator that does not fit the fact), in the words of the form.

Field names: a row's fields start with its id, "all-0" for the first "everyone" row, "g1-0"
for the first row of the second group: "all-0-fact", "all-0-op", "all-0-number", "all-0-high"
(the second number of "between"), "all-0-answer" (yes/no), "all-0-values-<fact>" (ticked
choices), "all-0-codes" (département codes), "all-0-manual". Hidden counts "all-rows", "groups"
and "g1-rows" say how many rows and groups the page had.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from directory.eligibility import (
    BOOLEAN,
    CHOICE,
    CHOICES,
    FACTS,
    NUMBER,
    OPERATORS,
    RULE_VERSION,
    Condition,
    parse_rule,
)
from directory.eligibility_words import fact_label, value_label
from errors import Invalid

MANUAL = "manual"  # the fact select's value for a condition written in words
DEPARTEMENT_FACT = "residence_departement"
MANUAL_MAX_LENGTH = 500
MAX_ROWS = 20  # per section: the page never offers more, a forged count is cut here
MAX_GROUPS = 5
BLANK_EVERYONE_ROWS = 3
BLANK_GROUPS = 2
BLANK_GROUP_ROWS = 2
FORM = "form"  # key of the messages about the whole form rather than one row

# Every operator in words, in the order the select lists them.
OPERATOR_WORDS = {
    ">=": _l("at least"),
    "<=": _l("at most"),
    "between": _l("between"),
    ">": _l("more than"),
    "<": _l("less than"),
    "==": _l("exactly"),
    "!=": _l("anything but"),
    "is": _l("yes or no"),
    "in": _l("is one of"),
    "not_in": _l("is not one of"),
    "contains_any": _l("includes one of"),
    "contains_none": _l("includes none of"),
}
ALL_OPERATORS = tuple(OPERATOR_WORDS)

# Département codes: 01–19, 21–95, 2A, 2B and the overseas 971–976.
_DEPARTEMENT = re.compile(r"0[1-9]|1[0-9]|2[1-9AB]|[3-8][0-9]|9[0-5]|97[1-6]")
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_SECTION_ACTION = re.compile(r"add-(all|g([0-9]+))")


# ---------------------------------------------------------------------------------------------
# Rows as typed


@dataclass
class Row:
    """One condition of the form, as typed (every value a string)."""

    id: str  # "all-0", "g1-2": the prefix of its fields and its anchor in the page
    fact: str = ""  # a fact name, MANUAL, or "" for a blank row
    op: str = ""
    number: str = ""
    high: str = ""  # the second number of "between"
    answer: str = ""  # "yes" / "no"
    values: list[str] = field(default_factory=list)
    codes: str = ""
    manual: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def is_blank(self) -> bool:
        return not self.fact

    @property
    def kind(self) -> str:
        """Which inputs the row shows: number, boolean, values, departement, manual, or ""
        (blank, or a fact the catalogue does not know)."""
        if self.fact == MANUAL:
            return MANUAL
        return fact_kind(self.fact) if self.fact in FACTS else ""

    @property
    def operators(self) -> tuple[str, ...]:
        """The operators its select offers: those of its fact, or all of them while no fact
        is chosen or when the chosen operator does not fit (so it is shown as typed)."""
        fact = FACTS.get(self.fact)
        if fact is None or (self.op and self.op not in OPERATORS[fact.type]):
            return ALL_OPERATORS
        return operators_for(fact.name)


@dataclass
class Group:
    id: str  # "g0"
    rows: list[Row]
    errors: list[str] = field(default_factory=list)


@dataclass
class RuleRows:
    """The whole form: the "everyone must" rows and the groups."""

    everyone: list[Row]
    groups: list[Group]
    errors: list[str] = field(default_factory=list)  # about the whole form

    def rows(self) -> list[Row]:
        return [*self.everyone, *(row for group in self.groups for row in group.rows)]

    def show_errors(self, errors: Mapping[str, list[str]]) -> None:
        """Put messages keyed by row id, group id or FORM where the page shows them."""
        places: dict[str, Any] = {row.id: row for row in self.rows()}
        places.update({group.id: group for group in self.groups})
        for key, messages in errors.items():
            target = places.get(key)
            if target is None:
                self.errors.extend(messages)
            else:
                target.errors.extend(messages)

    @property
    def has_errors(self) -> bool:
        return bool(
            self.errors
            or any(group.errors for group in self.groups)
            or any(row.errors for row in self.rows())
        )


def fact_kind(name: str) -> str:
    """The inputs a fact's value needs."""
    fact = FACTS[name]
    if name == DEPARTEMENT_FACT:
        return "departement"
    if fact.type in (CHOICE, CHOICES):
        return "values"
    return fact.type


@dataclass(frozen=True)
class FactChoice:
    """A fact as the form offers it."""

    name: str
    label: str
    kind: str
    operators: tuple[str, ...]
    values: tuple[tuple[str, str], ...]  # (value, label) for facts with checkboxes


def fact_choices() -> list[FactChoice]:
    """The catalogue in the page's language, in the catalogue's order."""
    return [
        FactChoice(
            name,
            fact_label(name),
            fact_kind(name),
            operators_for(name),
            tuple((value, value_label(name, value)) for value in fact.values),
        )
        for name, fact in FACTS.items()
    ]


def operator_words(op: str) -> str:
    return str(OPERATOR_WORDS.get(op, op))


def operators_for(name: str) -> tuple[str, ...]:
    """The operators that fit a fact, in the order the page lists them."""
    allowed = OPERATORS[FACTS[name].type]
    return tuple(op for op in ALL_OPERATORS if op in allowed)


# ---------------------------------------------------------------------------------------------
# Reading the posted form


def _count(form: Mapping, name: str, most: int) -> int:
    try:
        return max(0, min(int(str(form.get(name, "0")).strip()), most))
    except ValueError:
        return 0


def _read_row(form, row_id: str) -> Row:
    def text(name: str) -> str:
        return str(form.get(f"{row_id}-{name}", ""))

    fact = text("fact").strip()
    values = form.getlist(f"{row_id}-values-{fact}") if fact in FACTS else []
    return Row(
        id=row_id,
        fact=fact,
        op=text("op").strip(),
        number=text("number"),
        high=text("high"),
        answer=text("answer"),
        values=[str(value) for value in values],
        codes=text("codes"),
        manual=text("manual"),
    )


def read_rows(form) -> RuleRows:
    """The rows of a posted form (a MultiDict), as typed."""
    everyone = [_read_row(form, f"all-{i}") for i in range(_count(form, "all-rows", MAX_ROWS))]
    groups = []
    for k in range(_count(form, "groups", MAX_GROUPS)):
        count = _count(form, f"g{k}-rows", MAX_ROWS)
        groups.append(Group(f"g{k}", [_read_row(form, f"g{k}-{i}") for i in range(count)]))
    return RuleRows(everyone, groups)


def add_rows(rows: RuleRows, action: str) -> str | None:
    """An "add" button of the page: one more row in a section ("add-all", "add-g1") or one
    more group ("add-group"). Returns the id of what was added (None: nothing to add)."""
    if action == "add-group":
        if len(rows.groups) >= MAX_GROUPS:
            return None
        group_id = f"g{len(rows.groups)}"
        rows.groups.append(
            Group(group_id, [Row(f"{group_id}-{i}") for i in range(BLANK_GROUP_ROWS)])
        )
        return group_id
    match = _SECTION_ACTION.fullmatch(action)
    if match is None:
        return None
    if match.group(2) is None:
        section, prefix = rows.everyone, "all"
    else:
        index = int(match.group(2))
        if index >= len(rows.groups):
            return None
        section, prefix = rows.groups[index].rows, rows.groups[index].id
    if len(section) >= MAX_ROWS:
        return None
    section.append(Row(f"{prefix}-{len(section)}"))
    return section[-1].id


# ---------------------------------------------------------------------------------------------
# Rows → rule


def rule_from_form(form) -> tuple[dict | None, dict[str, list[str]]]:
    """The rule a posted form describes, and the messages per row id (empty when it is right).
    No condition at all is None: the service is open to everyone."""
    return rule_from_rows(read_rows(form))


def rule_from_rows(rows: RuleRows) -> tuple[dict | None, dict[str, list[str]]]:
    """The rule the rows describe (blank rows ignored), or None with the messages per row id
    when a row is wrong. No condition at all is None with no message."""
    errors: dict[str, list[str]] = {}

    def conditions(section: list[Row]) -> list[dict]:
        found = []
        for row in section:
            if row.is_blank:
                continue
            condition, problems = condition_from_row(row)
            if problems:
                errors[row.id] = problems
            else:
                found.append(condition)
        return found

    all_of = conditions(rows.everyone)
    any_of = [group for group in (conditions(g.rows) for g in rows.groups) if group]
    if errors:
        return None, errors
    if not all_of and not any_of:
        return None, {}
    return {"version": RULE_VERSION, "all_of": all_of, "any_of": any_of}, {}


def condition_from_row(row: Row) -> tuple[dict | None, list[str]]:
    """One non-blank row as a condition of the rule format, or the messages that say why not."""
    if row.fact == MANUAL:
        text = row.manual.strip()
        if not text:
            return None, [_("Describe the condition in words.")]
        if len(text) > MANUAL_MAX_LENGTH:
            return None, [_("Use at most %(count)s characters.", count=MANUAL_MAX_LENGTH)]
        return {"manual": text}, []
    fact = FACTS.get(row.fact)
    if fact is None:
        return None, [_("Choose what this condition is about from the list.")]
    allowed = OPERATORS[fact.type]
    op = allowed[0] if len(allowed) == 1 else row.op  # yes/no facts have one operator
    if not op:
        return None, [_("Choose a comparison, for example “at least”.")]
    if op not in allowed:
        return None, [
            _(
                "“%(operator)s” does not apply to “%(fact)s”. Choose one of: %(allowed)s.",
                operator=operator_words(op),
                fact=fact_label(fact.name),
                allowed=", ".join(operator_words(o) for o in operators_for(fact.name)),
            )
        ]
    value, problems = _value(row, fact, op)
    if problems:
        return None, problems
    return {"fact": fact.name, "op": op, "value": value}, []


def _value(row: Row, fact, op: str) -> tuple[Any, list[str]]:
    if fact.type == NUMBER:
        return _numbers(row, fact, op)
    if fact.type == BOOLEAN:
        if row.answer not in ("yes", "no"):
            return None, [_("Choose yes or no.")]
        return row.answer == "yes", []
    if fact.name == DEPARTEMENT_FACT:
        return _departements(row.codes)
    if not row.values:
        return None, [_("Tick at least one choice.")]
    if set(row.values) - set(fact.values):
        return None, [_("Choose among the choices offered.")]
    # In the catalogue's order, each once, whatever order the browser sent them in.
    return [value for value in fact.values if value in row.values], []


def read_number(text: str) -> int | float | None:
    """A number as people type it ("18", "3,5", "1 000"), or None if it is not one."""
    cleaned = re.sub(r"[\s\u00a0\u202f]", "", text).replace(",", ".")
    if not _NUMBER.fullmatch(cleaned):
        return None
    value = float(cleaned)
    return int(value) if value.is_integer() else value


def _numbers(row: Row, fact, op: str) -> tuple[Any, list[str]]:
    typed = [row.number, row.high] if op == "between" else [row.number]
    if not typed[0].strip():
        return None, [_("Enter a number.")]
    if op == "between" and not typed[1].strip():
        return None, [_("“Between” needs a second number.")]
    numbers = []
    for text in typed:
        number = read_number(text)
        if number is None:
            return None, [_("“%(text)s” is not a number. Enter digits, for example 18.",
                            text=text.strip())]
        numbers.append(number)
    if any(
        (fact.minimum is not None and n < fact.minimum)
        or (fact.maximum is not None and n > fact.maximum)
        for n in numbers
    ):
        return None, [_("Enter a number from %(min)s to %(max)s.",
                        min=f"{fact.minimum:g}", max=f"{fact.maximum:g}")]
    if op == "between":
        if numbers[0] > numbers[1]:
            return None, [_("The first number must not be above the second.")]
        return numbers, []
    return numbers[0], []


def read_departements(text: str) -> tuple[list[str], list[str]]:
    """Département codes typed with commas or spaces ("69, 1, 2a") → (codes, not codes);
    "1" is read as "01"."""
    codes, wrong = [], []
    for part in re.split(r"[,;\s]+", text):
        code = part.strip().upper()
        if not code:
            continue
        if len(code) == 1 and code.isdigit():
            code = "0" + code
        if not _DEPARTEMENT.fullmatch(code):
            wrong.append(part.strip())
        elif code not in codes:
            codes.append(code)
    return codes, wrong


def _departements(text: str) -> tuple[Any, list[str]]:
    codes, wrong = read_departements(text)
    if wrong:
        return None, [
            _(
                "Not a département code: %(codes)s. Codes look like 01, 69, 2A or 971.",
                codes=", ".join(wrong),
            )
        ]
    if not codes:
        return None, [_("Enter at least one département code, for example 69.")]
    return codes, []


def errors_on_rows(rows: RuleRows, field_errors: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """The messages of set_eligibility's Invalid ("all_of.1", "any_of.0.2", "any_of"), keyed by
    the id of the row (or group) they are about, FORM for the rest. The rule's indices count
    only the rows and groups that were not blank: they are mapped back to the page's."""
    everyone = [row.id for row in rows.everyone if not row.is_blank]
    groups = [
        (group.id, [row.id for row in group.rows if not row.is_blank])
        for group in rows.groups
        if any(not row.is_blank for row in group.rows)
    ]
    placed: dict[str, list[str]] = {}
    for key, messages in field_errors.items():
        parts = key.split(".")
        target = FORM
        try:
            if parts[0] == "all_of" and len(parts) > 1:
                target = everyone[int(parts[1])]
            elif parts[0] == "any_of" and len(parts) > 2:
                target = groups[int(parts[1])][1][int(parts[2])]
            elif parts[0] == "any_of" and len(parts) == 2:
                target = groups[int(parts[1])][0]
        except (ValueError, IndexError):
            target = FORM
        placed.setdefault(target, []).extend(messages)
    return placed


# ---------------------------------------------------------------------------------------------
# Rule → rows


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def row_from_condition(condition: Condition, row_id: str) -> Row:
    if condition.is_manual:
        return Row(row_id, fact=MANUAL, manual=condition.manual or "")
    row = Row(row_id, fact=condition.fact or "", op=condition.op or "")
    kind = fact_kind(row.fact)
    if kind == NUMBER:
        if condition.op == "between":
            low, high = condition.value
            row.number, row.high = _number_text(low), _number_text(high)
        else:
            row.number = _number_text(condition.value)
    elif kind == BOOLEAN:
        row.answer = "yes" if condition.value else "no"
    elif kind == "departement":
        row.codes = ", ".join(condition.value)
    else:
        row.values = list(condition.value)
    return row


def rows_from_rule(rule: Mapping | None) -> RuleRows:
    """The rows that show a stored rule, followed by blank rows and groups to fill in."""
    try:
        parsed = parse_rule(rule)
    except Invalid:
        parsed = parse_rule(None)  # a rule that no longer reads is shown as none, not a crash
    everyone = [row_from_condition(c, f"all-{i}") for i, c in enumerate(parsed.all_of)]
    groups = [
        Group(f"g{k}", [row_from_condition(c, f"g{k}-{i}") for i, c in enumerate(group)])
        for k, group in enumerate(parsed.any_of)
    ]
    return with_blank_rows(RuleRows(everyone, groups))


def with_blank_rows(rows: RuleRows) -> RuleRows:
    """Blank rows to fill in: a few for everyone, one more in each group, and new groups."""
    for _i in range(BLANK_EVERYONE_ROWS):
        add_rows(rows, "add-all")
    for index in range(len(rows.groups)):
        add_rows(rows, f"add-g{index}")
    for _i in range(BLANK_GROUPS):
        add_rows(rows, "add-group")
    return rows
