"""The eligibility form read as plain functions: rows as typed → a rule with a message on each
wrong row, and a stored rule → rows to fill in (no database, no request)."""

import pytest
from werkzeug.datastructures import MultiDict

from directory.eligibility import parse_rule
from directory.eligibility_form import (
    ALL_OPERATORS,
    BLANK_EVERYONE_ROWS,
    BLANK_GROUP_ROWS,
    BLANK_GROUPS,
    FORM,
    MAX_GROUPS,
    MAX_ROWS,
    Row,
    add_rows,
    errors_on_rows,
    read_departements,
    read_number,
    read_rows,
    rows_from_rule,
    rule_from_form,
    rule_from_rows,
)


def posted(everyone=(), groups=(), **counts) -> MultiDict:
    """A posted form: each row a dict of its fields without the row prefix ("fact", "op",
    "number", "values-benefits": [...])."""
    items = [("all-rows", str(counts.get("all_rows", len(everyone)))),
             ("groups", str(counts.get("group_count", len(groups))))]

    def row(prefix, fields):
        for name, value in fields.items():
            for item in value if isinstance(value, list) else [value]:
                items.append((f"{prefix}-{name}", item))

    for i, fields in enumerate(everyone):
        row(f"all-{i}", fields)
    for k, group in enumerate(groups):
        items.append((f"g{k}-rows", str(len(group))))
        for i, fields in enumerate(group):
            row(f"g{k}-{i}", fields)
    return MultiDict(items)


BLANK = {"fact": "", "op": "", "number": "", "high": ""}


def test_rows_of_every_kind_make_one_rule_and_blank_rows_are_left_out():
    form = posted(
        everyone=[
            {"fact": "employment_situation", "op": "not_in", "values-employment_situation":
             ["employed"]},
            BLANK,
            {"fact": "manual", "manual": "  Motivated to start within a month  "},
            {"fact": "benefits", "op": "contains_any", "values-benefits": ["ass", "rsa"]},
        ],
        groups=[
            [{"fact": "age", "op": "between", "number": "16", "high": "25"}, BLANK],
            [BLANK, BLANK],  # a group of blank rows is no group
            [{"fact": "age", "op": "<=", "number": " 30 "},
             {"fact": "rqth", "answer": "yes"},
             {"fact": "residence_departement", "op": "in", "codes": "69, 1 ; 2a"},
             {"fact": "months_registered_france_travail", "op": ">=", "number": "6,5"}],
        ],
    )

    rule, errors = rule_from_form(form)

    assert errors == {}
    assert rule == {
        "version": 1,
        "all_of": [
            {"fact": "employment_situation", "op": "not_in", "value": ["employed"]},
            {"manual": "Motivated to start within a month"},
            # in the catalogue's order, whatever order the browser sent
            {"fact": "benefits", "op": "contains_any", "value": ["rsa", "ass"]},
        ],
        "any_of": [
            [{"fact": "age", "op": "between", "value": [16, 25]}],
            [{"fact": "age", "op": "<=", "value": 30},
             {"fact": "rqth", "op": "is", "value": True},
             {"fact": "residence_departement", "op": "in", "value": ["69", "01", "2A"]},
             {"fact": "months_registered_france_travail", "op": ">=", "value": 6.5}],
        ],
    }
    parse_rule(rule)  # and the rule format accepts it


def test_a_form_with_only_blank_rows_means_no_condition():
    assert rule_from_form(posted(everyone=[BLANK, BLANK], groups=[[BLANK]])) == (None, {})
    assert rule_from_form(MultiDict()) == (None, {})


def test_a_row_left_on_no_condition_is_ignored_whatever_its_hidden_inputs_hold():
    form = posted(everyone=[{"fact": "", "op": ">=", "number": "18", "manual": "x"}])
    assert rule_from_form(form) == (None, {})


def test_only_the_choices_of_the_chosen_fact_are_read():
    form = posted(everyone=[{"fact": "benefits", "op": "contains_none",
                             "values-benefits": ["aah"], "values-education_level": ["none"]}])
    rule, _ = rule_from_form(form)
    assert rule["all_of"] == [{"fact": "benefits", "op": "contains_none", "value": ["aah"]}]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"fact": "height", "op": ">=", "number": "2"},
         "Choose what this condition is about from the list."),
        ({"fact": "age", "op": "in", "number": "18"},
         "“is one of” does not apply to “Age”. Choose one of: at least, at most, between,"),
        ({"fact": "benefits", "op": ">=", "values-benefits": ["rsa"]},
         "Choose one of: includes one of, includes none of."),
        ({"fact": "age", "op": "", "number": "18"}, "Choose a comparison"),
        ({"fact": "age", "op": ">=", "number": "dix-huit"},
         "“dix-huit” is not a number. Enter digits, for example 18."),
        ({"fact": "age", "op": ">=", "number": ""}, "Enter a number."),
        ({"fact": "age", "op": "between", "number": "16", "high": "vingt"},
         "“vingt” is not a number."),
        ({"fact": "age", "op": "between", "number": "30", "high": "18"},
         "The first number must not be above the second."),
        ({"fact": "age", "op": "between", "number": "16", "high": ""},
         "“Between” needs a second number."),
        ({"fact": "age", "op": ">=", "number": "200"}, "Enter a number from 0 to 120."),
        ({"fact": "months_registered_france_travail", "op": "<", "number": "-1"},
         "Enter a number from 0 to 600."),
        ({"fact": "rqth", "op": "is"}, "Choose yes or no."),
        ({"fact": "rqth", "answer": "maybe"}, "Choose yes or no."),
        ({"fact": "family_situation", "op": "in"}, "Tick at least one choice."),
        ({"fact": "family_situation", "op": "in", "values-family_situation": ["castle"]},
         "Choose among the choices offered."),
        ({"fact": "residence_departement", "op": "in", "codes": ""},
         "Enter at least one département code"),
        ({"fact": "residence_departement", "op": "not_in", "codes": "69, Rhône, 20, 999"},
         "Not a département code: Rhône, 20, 999."),
        ({"fact": "manual", "manual": "   "}, "Describe the condition in words."),
        ({"fact": "manual", "manual": "x" * 501}, "Use at most 500 characters."),
    ],
)
def test_a_wrong_row_gets_a_message_and_no_rule_is_made(fields, message):
    good = {"fact": "age", "op": ">=", "number": "18"}
    form = posted(everyone=[good], groups=[[BLANK], [good, fields]])

    rule, errors = rule_from_form(form)

    assert rule is None
    assert list(errors) == ["g1-1"]
    assert message in errors["g1-1"][0]


def test_errors_of_the_rule_are_put_back_on_the_rows_counting_only_non_blank_ones():
    rows = read_rows(posted(
        everyone=[BLANK, {"fact": "manual", "manual": "a"}, {"fact": "manual", "manual": "b"}],
        groups=[[BLANK, BLANK], [BLANK, {"fact": "manual", "manual": "c"}]],
    ))

    placed = errors_on_rows(rows, {
        "all_of.1": ["second"], "any_of.0.0": ["in group"], "any_of.0": ["group"],
        "any_of": ["whole"], "all_of.9": ["nowhere"], "version": ["old"],
    })

    assert placed == {"all-2": ["second"], "g1-1": ["in group"], "g1": ["group"],
                      FORM: ["whole", "nowhere", "old"]}
    rows.show_errors(placed)
    assert rows.everyone[2].errors == ["second"] and rows.groups[1].errors == ["group"]
    assert rows.errors == ["whole", "nowhere", "old"] and rows.has_errors


def test_a_stored_rule_becomes_rows_then_the_same_rule_again():
    rule = {
        "version": 1,
        "all_of": [{"fact": "age", "op": "between", "value": [16, 25.5]},
                   {"manual": "Motivated"},
                   {"fact": "residence_departement", "op": "in", "value": ["69", "01"]}],
        "any_of": [[{"fact": "rqth", "op": "is", "value": False}],
                   [{"fact": "benefits", "op": "contains_any", "value": ["rsa", "aah"]}]],
    }

    rows = rows_from_rule(rule)

    first = rows.everyone[0]
    assert (first.fact, first.op, first.number, first.high) == ("age", "between", "16", "25.5")
    assert rows.everyone[1].manual == "Motivated"
    assert rows.everyone[2].codes == "69, 01"
    assert rows.groups[0].rows[0].answer == "no"
    assert rows.groups[1].rows[0].values == ["rsa", "aah"]
    assert rule_from_rows(rows) == (parse_and_dump(rule), {})


def parse_and_dump(rule):
    from directory.eligibility import rule_to_json

    return rule_to_json(parse_rule(rule))


def test_blank_rows_and_groups_are_offered_to_fill_in():
    empty = rows_from_rule(None)
    assert [r.id for r in empty.everyone] == [f"all-{i}" for i in range(BLANK_EVERYONE_ROWS)]
    assert [g.id for g in empty.groups] == [f"g{k}" for k in range(BLANK_GROUPS)]
    assert all(len(g.rows) == BLANK_GROUP_ROWS for g in empty.groups)
    assert all(row.is_blank for row in empty.rows())

    one_group = rows_from_rule({"any_of": [[{"manual": "a"}]]})
    assert [len(g.rows) for g in one_group.groups] == [2, BLANK_GROUP_ROWS, BLANK_GROUP_ROWS]


def test_add_buttons_add_a_row_or_a_group_up_to_the_limits():
    rows = rows_from_rule(None)
    assert add_rows(rows, "add-all") == f"all-{BLANK_EVERYONE_ROWS}"
    assert add_rows(rows, "add-g1") == f"g1-{BLANK_GROUP_ROWS}"
    assert add_rows(rows, "add-g9") is None
    assert add_rows(rows, "refresh") is None
    while add_rows(rows, "add-group"):
        pass
    assert len(rows.groups) == MAX_GROUPS
    while add_rows(rows, "add-all"):
        pass
    assert len(rows.everyone) == MAX_ROWS


def test_forged_counts_are_cut_to_the_limits():
    rows = read_rows(MultiDict({"all-rows": "100000", "groups": "-3"}))
    assert len(rows.everyone) == MAX_ROWS and rows.groups == []
    assert read_rows(MultiDict({"all-rows": "many"})).everyone == []


def test_a_row_offers_the_operators_of_its_fact_or_all_while_it_has_none():
    assert Row("all-0").operators == ALL_OPERATORS
    assert Row("all-0", fact="age").operators == (">=", "<=", "between", ">", "<", "==", "!=")
    assert Row("all-0", fact="benefits").operators == ("contains_any", "contains_none")
    # a wrong operator is still offered, so the form shows what was typed
    assert Row("all-0", fact="benefits", op="in").operators == ALL_OPERATORS


@pytest.mark.parametrize(
    ("text", "number"),
    [("18", 18), (" 3,5 ", 3.5), ("1 000", 1000), ("7.0", 7), ("-2", -2), ("", None),
     ("dix", None), ("1e3", None), ("3,5,1", None)],
)
def test_numbers_are_read_as_people_type_them(text, number):
    assert read_number(text) == number


def test_departement_codes_are_read_with_commas_or_spaces():
    assert read_departements("69, 1;2a  971 69") == (["69", "01", "2A", "971"], [])
    assert read_departements("00, 20, 96, 977, Lyon") == ([], ["00", "20", "96", "977", "Lyon"])
