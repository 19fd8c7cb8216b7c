"""A member writes who a service is for through the eligibility page, as a browser would (CSRF
token and rows read from the form): stored with its revision and history, shown in words on the
edit, history and public pages; wrong rows are shown again as typed with their message."""

import pytest

from directory.history import changes_of
from tests import factories
from tests.listings.helpers import csrf_token, form_values, replace
from tests.pages.html_checks import accessibility_problems, get_page, parse

RULE = {
    "version": 1,
    "all_of": [{"fact": "age", "op": ">=", "value": 18},
               {"manual": "Motivated to start within a month"}],
    "any_of": [[{"fact": "employment_situation", "op": "in", "value": ["jobseeker"]}],
               [{"fact": "benefits", "op": "contains_any", "value": ["rsa"]},
                {"fact": "resident_qpv", "op": "is", "value": True}]],
}
RULE_IN_FORM = {
    "all-0-fact": "age", "all-0-op": ">=", "all-0-number": "18",
    "all-1-fact": "manual", "all-1-manual": "Motivated to start within a month",
    "g0-0-fact": "employment_situation", "g0-0-op": "in",
    "g0-0-values-employment_situation": ["jobseeker"],
    "g1-0-fact": "benefits", "g1-0-op": "contains_any", "g1-0-values-benefits": ["rsa"],
    "g1-1-fact": "resident_qpv", "g1-1-answer": "yes",
}


@pytest.fixture
def member(session):
    org = factories.organisation(name="Mission locale", commune_code="69123")
    service = factories.service(org, name="Garantie jeunes")
    person = factories.user(name="Camille")
    factories.membership(person, org)
    return person, service


def urls(service):
    page = f"/espace/services/{service.id}/conditions"
    return page, page + "?lang=en"


def submit(client, service, action="save", **changes):
    """Open the page, change some fields, press the button that sends `action`."""
    page, english = urls(service)
    values = replace(form_values(get_page(client, english).tree, page), **changes)
    return client.post(page, data=multi(values + [("action", action)]))


def test_a_member_saves_conditions_for_everyone_and_two_groups(client, session, member):
    person, service = member
    factories.login(client, person)
    page, english = urls(service)

    form = get_page(client, english)
    assert form.h1 == "Who is this service for?"
    response = submit(client, service, **RULE_IN_FORM)

    assert response.status_code == 302
    assert response.location.endswith(f"/espace/services/{service.id}/modifier")
    session.expire_all()
    assert service.eligibility == RULE
    assert service.eligibility_revision == 1
    [record] = changes_of(service)
    assert (record.field, record.old_value, record.new_value) == ("eligibility", None, RULE)
    assert record.changed_by_id == person.id and record.awaiting_review  # a published service

    edit = get_page(client, f"/espace/services/{service.id}/modifier?lang=en")
    assert "Eligibility conditions saved." in edit.text
    assert "Who is this service for? (eligibility conditions)" in edit.text
    assert "Aged 18 or over" in edit.text
    assert "Receives RSA (revenu de solidarité active); Lives in a priority neighbourhood" \
        in edit.text
    assert edit.links()["Change the eligibility conditions"] == page

    history = get_page(client, f"/espace/services/{service.id}/historique?lang=en")
    assert "Eligibility conditions" in history.text
    assert "No condition: open to everyone" in history.text
    assert (
        "Aged 18 or over; Motivated to start within a month; one of: (Employment situation: "
        "looking for work) or (Receives RSA (revenu de solidarité active); Lives in a priority "
        "neighbourhood (QPV))"
    ) in history.text

    # The page shows the stored rule in its rows: saving it untouched changes nothing.
    again = get_page(client, english)
    assert again.field("all-0-number").get("value") == "18"
    assert "selected" in next(
        o for o in again.field("g1-1-fact").find_all("option") if o.get("value") == "resident_qpv"
    ).attrs
    assert "What people read now" in again.text
    response = client.post(page, data=multi(form_values(again.tree, page)))
    assert response.status_code == 302
    session.expire_all()
    assert service.eligibility_revision == 1 and len(changes_of(service)) == 1


def test_wrong_rows_are_shown_again_as_typed_with_their_message_and_nothing_is_stored(
    client, session, member
):
    person, service = member
    factories.login(client, person)

    response = submit(
        client, service,
        **{"all-0-fact": "age", "all-0-op": ">=", "all-0-number": "dix-huit",
           "all-1-fact": "benefits", "all-1-op": "in", "all-1-values-benefits": ["rsa"],
           "g1-0-fact": "age", "g1-0-op": "between", "g1-0-number": "30", "g1-0-high": "18",
           "g0-0-fact": "manual", "g0-0-manual": "Lives nearby"},
    )

    assert response.status_code == 422
    tree = parse(response.get_data(as_text=True))
    assert accessibility_problems(tree) == []
    text = tree.text()
    assert "Some conditions need your attention" in text
    summary = {a.get("href"): a.text() for a in tree.find_all("a") if "condition" in a.text()}
    assert summary["#all-0-fact"].startswith("Everyone must, condition 1:")
    assert "“dix-huit” is not a number" in summary["#all-0-fact"]
    assert "“is one of” does not apply to “Benefits received”" in summary["#all-1-fact"]
    assert summary["#g1-0-fact"] == (
        "Group 2, condition 1: The first number must not be above the second."
    )
    # each message is also next to its row, which the row's fields point to
    row = next(e for e in tree.iter() if e.get("id") == "all-0")
    assert row.get("aria-describedby") == "all-0-error"
    assert "is not a number" in next(e for e in tree.iter() if e.get("id") == "all-0-error").text()
    # as typed
    values = dict(form_values(tree, urls(service)[0]))
    assert values["all-0-number"] == "dix-huit"
    assert values["all-1-op"] == "in" and values["all-1-values-benefits"] == "rsa"
    assert (values["g1-0-number"], values["g1-0-high"]) == ("30", "18")
    assert values["g0-0-manual"] == "Lives nearby"
    session.expire_all()
    assert service.eligibility is None and service.eligibility_revision == 0
    assert changes_of(service) == []


def test_without_javascript_the_add_buttons_show_more_rows_and_save_nothing(
    client, session, member
):
    person, service = member
    factories.login(client, person)
    page, english = urls(service)

    response = submit(client, service, "add-all", **{"all-0-fact": "age"})
    assert response.status_code == 200
    tree = parse(response.get_data(as_text=True))
    assert accessibility_problems(tree) == []
    values = dict(form_values(tree, page))
    assert values["all-rows"] == "4" and values["all-0-fact"] == "age"
    # the chosen fact now shows its inputs: a comparison and a number, no yes/no
    panels = {e.get("data-panel"): e for e in find(tree, "all-0").iter() if e.get("data-panel")}
    assert "hidden" not in panels["operator"].attrs and "hidden" not in panels["number"].attrs
    assert "hidden" in panels["boolean"].attrs and "hidden" in panels["manual"].attrs

    values = form_values(tree, page) + [("action", "add-group")]
    response = client.post(page, data=multi(values))
    assert dict(form_values(parse(response.get_data(as_text=True)), page))["groups"] == "3"
    session.expire_all()
    assert service.eligibility is None and changes_of(service) == []


def test_removing_all_conditions_opens_the_service_to_everyone(client, session, member):
    person, service = member
    factories.login(client, person)
    page, english = urls(service)
    assert submit(client, service, **RULE_IN_FORM).status_code == 302

    response = client.post(page, data={"csrf_token": csrf_token(client, english),
                                       "action": "clear"})

    assert response.status_code == 302
    session.expire_all()
    assert service.eligibility is None and service.eligibility_revision == 2
    assert changes_of(service)[0].new_value is None
    assert "What people read now" not in get_page(client, english).text


def test_leaving_every_row_on_no_condition_also_removes_them(client, session, member):
    person, service = member
    factories.login(client, person)
    page, english = urls(service)
    assert submit(client, service, **RULE_IN_FORM).status_code == 302

    form = get_page(client, english)
    values = form_values(form.tree, page)
    blank = replace(values, **{name: "" for name, _ in values if name.endswith("-fact")})
    response = client.post(page, data=multi(blank))

    assert response.status_code == 302
    session.expire_all()
    assert service.eligibility is None and service.eligibility_revision == 2


def test_a_member_of_another_organisation_cannot_see_or_change_the_conditions(
    client, session, member
):
    _person, service = member
    outsider = factories.user()
    factories.membership(outsider, factories.organisation(name="Autre structure"))
    factories.login(client, outsider)
    page, english = urls(service)

    assert client.get(english).status_code == 403
    response = client.post(page, data={"csrf_token": csrf_token(client, "/?lang=en"),
                                       "all-rows": "1", "all-0-fact": "age", "all-0-op": ">=",
                                       "all-0-number": "18"})

    assert response.status_code == 403
    session.expire_all()
    assert service.eligibility is None and changes_of(service) == []


def test_a_form_without_its_csrf_token_is_refused(client, session, member):
    person, service = member
    factories.login(client, person)

    response = client.post(urls(service)[0], data={
        "all-rows": "1", "all-0-fact": "age", "all-0-op": ">=", "all-0-number": "18"})

    assert response.status_code == 400
    session.expire_all()
    assert service.eligibility is None


def test_the_public_page_says_who_can_use_the_service(client, session, member):
    _person, service = member
    public = f"/services/{service.id}?lang=en"
    assert "Who can use this service" not in get_page(client, public).text

    service.eligibility = RULE
    service.conditions = "Sur rendez-vous"
    session.commit()

    text = get_page(client, public).text
    assert "Who can use this service" in text
    assert "Everyone who uses it must: Aged 18 or over Motivated to start within a month" in text
    assert (
        "And one of the following: Employment situation: looking for work all of these: "
        "Receives RSA (revenu de solidarité active) Lives in a priority neighbourhood (QPV)"
    ) in text
    assert "Sur rendez-vous" in text  # the free-text conditions are still shown


def test_the_form_page_passes_the_page_checks_with_a_row_of_each_kind(client, session, member):
    person, service = member
    service.eligibility = {
        "all_of": [{"fact": "age", "op": "between", "value": [16, 25]},
                   {"fact": "rqth", "op": "is", "value": False},
                   {"fact": "residence_departement", "op": "in", "value": ["69"]},
                   {"manual": "Motivated"}],
        "any_of": [[{"fact": "education_level", "op": "not_in", "value": ["bac+5"]}]],
    }
    factories.login(client, person)

    page = get_page(client, urls(service)[1])

    assert page.field("all-0-high").get("value") == "25"
    assert "checked" in page.field("all-1-answer-no").attrs
    assert page.field("all-2-codes").get("value") == "69"
    assert page.field("all-3-manual").get("value") == "Motivated"
    assert "checked" in page.field("g0-0-education_level-6").attrs  # bac+5, the sixth choice
    assert "Département of residence: Rhône (69)" in page.text  # what people read now


def find(tree, element_id):
    return next(e for e in tree.iter() if e.get("id") == element_id)


def multi(values):
    from werkzeug.datastructures import MultiDict

    return MultiDict(values)
