"""The questionnaire "Which services can I use?": the services of a place grouped by what the
person answered, the few questions that decide the most, and answers kept nowhere but in the
page's form."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from directory.questionnaire_views import ASKABLE, read_answers
from extensions import db
from tests import factories
from tests.pages.html_checks import accessibility_problems, get_page, parse, visible_text

PAGE = "/pour-moi?commune=69123"
PERMIS = "mobilite--preparer-un-permis"
MOBILITE = "mobilite--etre-accompagne-dans-son-parcours-mobilite"  # the factories' need
YOUNG = {"version": 1, "all_of": [{"fact": "age", "op": "between", "value": [16, 25]}]}
YOUNG_AND_REGISTERED = {
    "version": 1,
    "all_of": [
        {"fact": "age", "op": "between", "value": [16, 30]},
        {"fact": "registered_france_travail", "op": "is", "value": True},
    ],
}
RQTH = {
    "version": 1,
    "all_of": [
        {"fact": "rqth", "op": "is", "value": True},
        {"manual": "Un projet professionnel en milieu ordinaire"},
    ],
}


@pytest.fixture
def english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def lyon_service(name: str, rule: dict | None = None, **fields):
    """A service of the Rhône with a place in Lyon 3e and, optionally, an eligibility rule."""
    org = factories.organisation(name=f"Structure de {name}")
    fields.setdefault("at", factories.LYON_3E)
    service = factories.service(org, name=name, **fields)
    service.eligibility = rule
    return service


@pytest.fixture
def services(session):
    made = {
        "young": lyon_service("Garantie jeunes", YOUNG),
        "registered": lyon_service("Parcours emploi", YOUNG_AND_REGISTERED),
        "rqth": lyon_service("Cap emploi", RQTH),
        "open": lyon_service("Point numérique"),
    }
    db.session.commit()
    return made


# --- reading the page ------------------------------------------------------------------------


class Page:
    def __init__(self, response):
        self.status = response.status_code
        self.response = response
        self.html = response.get_data(as_text=True)
        self.tree = parse(self.html)
        self.text = visible_text(self.tree)

    def by_id(self, element_id: str):
        return next((e for e in self.tree.iter() if e.get("id") == element_id), None)

    def group(self, title_id: str) -> list[str]:
        """The service names listed in a group (by the id of its heading)."""
        heading = self.by_id(title_id)
        section = heading.parent
        return [h.text() for h in section.find_all("h3")]

    def questions(self) -> list[str]:
        """The questions asked, in order (the legends of the first form)."""
        forms = self.tree.find_all("form")
        asking = [f for f in forms if any(e.get("id", "").startswith("ask-") for e in f.iter())]
        return [legend.text() for form in asking for legend in form.find_all("legend")]

    def csrf_token(self) -> str:
        return next(
            e.get("value") for e in self.tree.find_all("input") if e.get("name") == "csrf_token"
        )

    def urls(self) -> list[str]:
        return [
            e.get(name)
            for e in self.tree.iter()
            for name in ("href", "action", "src")
            if e.get(name)
        ]


def show(client, url: str = PAGE, status: int = 200) -> Page:
    page = Page(client.get(url))
    assert page.status == status
    assert accessibility_problems(page.tree) == []
    return page


def answer(
    client, answers: list[tuple[str, str]] | dict, url: str = PAGE, status: int = 200
) -> Page:
    """Post answers as the page's form does, with the token of a page first shown."""
    token = show(client, url).csrf_token()
    data = MultiDict(answers)
    data.add("csrf_token", token)
    page = Page(client.post(url, data=data))
    assert page.status == status, page.text
    assert accessibility_problems(page.tree) == []
    return page


def verdict(page) -> str:
    return next(d.text() for d in page.tree.find_all("div") if d.get("role") == "status")


def eligible(page):
    return page.group("eligible-title")


def maybe(page):
    return page.group("maybe-title")


def not_eligible(page):
    return page.group("not-eligible-title")


# --- the first page ---------------------------------------------------------------------------


def test_the_first_page_groups_the_services_and_asks_first_the_fact_deciding_the_most(
    english, services
):
    page = show(english)

    assert page.tree.find_all("h1")[0].text() == "Which services can I use?"
    assert "Your answers are not stored. They are only used to show this page." in page.text
    # age decides two services, then the facts of one service each, in catalogue order.
    assert page.questions() == [
        "How old are you?",
        "Are you registered with France Travail?",
        "Do you have a disability recognition (RQTH)?",
    ]
    assert eligible(page) == ["Point numérique"]
    assert "Open to everyone" in page.by_id("eligible-title").parent.text()
    assert sorted(maybe(page)) == ["Cap emploi", "Garantie jeunes", "Parcours emploi"]
    assert not_eligible(page) == []
    assert "You can use (1)" in page.text and "Maybe — to check (3)" in page.text


def test_each_question_is_a_fieldset_with_the_input_its_kind_needs(english, session):
    lyon_service(
        "Atelier",
        {
            "version": 1,
            "all_of": [
                {"fact": "age", "op": ">=", "value": 18},
                {"fact": "benefits", "op": "contains_any", "value": ["rsa", "ass"]},
                {"fact": "employment_situation", "op": "in", "value": ["jobseeker"]},
            ],
        },
    )
    db.session.commit()

    page = show(english)

    age = page.by_id("ask-age")
    assert (age.get("type"), age.get("min"), age.get("max")) == ("number", "0", "120")
    benefits = [e for e in page.tree.find_all("input") if e.get("name") == "benefits"]
    assert {e.get("type") for e in benefits} == {"checkbox"}
    assert len(benefits) == 7
    situation = [e for e in page.tree.find_all("input") if e.get("name") == "employment_situation"]
    assert {e.get("type") for e in situation} == {"radio"}
    assert situation[-1].get("value") == ""  # "I'd rather not say"
    assert "I’d rather not say" in page.by_id("ask-employment_situation-group").text()
    # One service each: in the catalogue's order.
    assert [f.find_all("legend")[0].text() for f in page.tree.find_all("fieldset")] == [
        "How old are you?",
        "What is your situation today?",
        "Which benefits do you receive?",
    ]


def test_the_page_is_french_by_default(client, services):
    page = get_page(client, PAGE)

    assert page.h1 and page.lang == "fr"


def test_without_a_place_the_page_asks_where_the_person_lives_first(english, services):
    page = show(english, "/pour-moi")

    assert page.by_id("place") is not None
    assert page.questions() == []


def test_an_unknown_commune_is_a_page_not_found(english, services):
    show(english, "/pour-moi?commune=99999", status=404)


# --- answering --------------------------------------------------------------------------------


def test_answering_moves_services_between_groups(english, services):
    young = answer(english, {"age": "22"})

    assert eligible(young) == ["Garantie jeunes", "Point numérique"]
    assert sorted(maybe(young)) == ["Cap emploi", "Parcours emploi"]

    older = answer(english, {"age": "40"})

    assert eligible(older) == ["Point numérique"]
    assert sorted(not_eligible(older)) == ["Garantie jeunes", "Parcours emploi"]
    assert maybe(older) == ["Cap emploi"]


def test_maybe_says_what_to_confirm_with_the_provider_and_which_answers_are_missing(
    english, services
):
    page = answer(english, {"rqth": "yes"})

    item = next(
        li for li in page.by_id("maybe-title").parent.find_all("li") if "Cap emploi" in li.text()
    )
    confirm = "To confirm with the provider: Un projet professionnel en milieu ordinaire"
    assert confirm in item.text()
    parcours = next(
        li
        for li in page.by_id("maybe-title").parent.find_all("li")
        if "Parcours emploi" in li.text()
    )
    assert "Answers missing: Age, Registered with France Travail." in parcours.text()


def test_a_service_not_for_the_person_says_why_inside_a_folded_section(english, services):
    page = answer(english, {"age": "40"})

    details = page.by_id("not-eligible-title").parent.find_all("details")[0]
    assert details.get("open") is None
    assert "Garantie jeunes" in details.text()
    assert "Why not: Aged 16 to 25" in details.text()
    assert details.find_all("summary")[0].text() == "Show them, and why not"


def test_each_service_links_to_its_page_with_organisation_and_distance(english, services):
    page = show(english)

    link = next(a for a in page.tree.find_all("a") if a.text() == "Garantie jeunes")
    assert link.get("href") == f"/services/{services['young'].id}?commune=69123"
    item = link.parent.parent
    assert "Structure de Garantie jeunes" in item.text()
    assert re.search(r"\d+(\.\d)? km away", item.text())


def test_a_remote_service_says_remote(english, session):
    lyon_service("Conseil en ligne", modes=["a-distance"])
    db.session.commit()

    page = show(english)

    item = next(li for li in page.tree.find_all("li") if "Conseil en ligne" in li.text())
    assert "Remote" in item.text()


def test_answered_facts_are_no_longer_asked_and_the_next_ones_come(english, services):
    page = answer(english, {"age": "22", "registered_france_travail": "no"})

    assert page.questions() == ["Do you have a disability recognition (RQTH)?"]


def test_a_fact_no_rule_uses_is_never_asked(english, session):
    lyon_service("Garantie jeunes", YOUNG)
    lyon_service("Point numérique")
    db.session.commit()

    first = show(english)
    assert first.questions() == ["How old are you?"]

    done = answer(english, {"age": "22"})
    assert done.questions() == []
    assert "No more questions" in done.text


def test_a_fact_that_can_no_longer_change_anything_is_not_asked(english, session):
    lyon_service("Parcours emploi", YOUNG_AND_REGISTERED)
    db.session.commit()

    page = answer(english, {"age": "45"})

    assert not_eligible(page) == ["Parcours emploi"]
    assert "Are you registered with France Travail?" not in page.questions()


def test_a_question_left_blank_is_not_asked_again(english, services):
    page = answer(english, [("shown", "age")])

    assert "How old are you?" not in page.questions()
    assert page.questions()[0] == "Are you registered with France Travail?"
    skipped = [e for e in page.tree.find_all("input") if e.get("name") == "skipped"]
    assert [e.get("value") for e in skipped] == ["age"]
    # …and the person can still give it under "Change my answers".
    assert page.by_id("change-age") is not None


def test_at_most_three_questions_at_a_time(english, session):
    lyon_service(
        "Atelier",
        {
            "version": 1,
            "all_of": [
                {"fact": "age", "op": ">=", "value": 18},
                {"fact": "rqth", "op": "is", "value": True},
                {"fact": "resident_qpv", "op": "is", "value": True},
                {"fact": "education_level", "op": "in", "value": ["none"]},
            ],
        },
    )
    db.session.commit()

    assert len(show(english).questions()) == 3


def test_previous_answers_travel_in_the_form_and_can_be_changed(english, services):
    page = answer(english, [("age", "22"), ("benefits", "aah"), ("benefits", "rsa")])

    hidden = [
        (e.get("name"), e.get("value"))
        for e in page.tree.find_all("input")
        if e.get("type") == "hidden" and e.get("name") in ASKABLE
    ]
    assert ("age", "22") in hidden and ("benefits", "aah") in hidden
    assert page.by_id("change-title").text() == "Change my answers"
    assert page.by_id("change-age").get("value") == "22"

    changed = answer(english, [("age", "40"), ("shown", "age")])
    assert "Garantie jeunes" in not_eligible(changed)


# --- invalid answers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("250", "Age goes from 0 to 120."),
        ("abc", "Age: a number is expected."),
    ],
)
def test_an_invalid_answer_shows_the_page_again_with_its_message(english, services, typed, message):
    page = answer(english, [("age", typed), ("rqth", "yes"), ("shown", "age")], status=422)

    group = page.by_id("ask-age-group")
    assert message in page.by_id("ask-age-error").text()
    assert page.by_id("ask-age-error") in list(group.iter())
    age = page.by_id("ask-age")
    assert age.get("value") == typed and age.get("aria-invalid") == "true"
    assert "ask-age-error" in age.get("aria-describedby").split()
    summary = page.tree.find_all("div")
    link = next(
        a for d in summary if "error-summary" in (d.get("class") or "") for a in d.find_all("a")
    )
    assert (link.get("href"), link.text()) == ("#ask-age", message)
    # Nothing is lost: the other answer is still there.
    assert any(
        e.get("name") == "rqth" and e.get("value") == "yes"
        for e in page.tree.find_all("input")
        if e.get("type") == "hidden"
    )
    assert page.response.headers["Cache-Control"] == "no-store"


def test_a_post_without_the_form_token_is_refused(english, services):
    response = english.post(PAGE, data={"age": "22"})

    assert response.status_code == 400


# --- privacy ----------------------------------------------------------------------------------


def row_counts() -> dict[str, int]:
    tables = sa.inspect(db.engine).get_table_names()
    return {
        name: db.session.execute(sa.text(f'SELECT count(*) FROM "{name}"')).scalar()
        for name in tables
    }


def test_nothing_is_stored_and_no_cache_keeps_the_page(english, services):
    before = row_counts()
    first = show(english)
    answered = answer(english, [("age", "22"), ("rqth", "yes"), ("benefits", "aah")])

    assert first.response.headers["Cache-Control"] == "no-store"
    assert answered.response.headers["Cache-Control"] == "no-store"
    assert not db.session.new and not db.session.dirty and not db.session.deleted
    assert row_counts() == before
    with english.session_transaction() as cookie_session:
        kept = str(dict(cookie_session))
    assert not set(cookie_session) & {*ASKABLE, "shown", "skipped", "answers", "situation"}
    assert "aah" not in kept and "rqth" not in kept and "benefits" not in kept


def test_the_answers_never_appear_in_an_address_of_the_page(english, services):
    page = answer(
        english,
        [("age", "22"), ("rqth", "yes"), ("benefits", "aah")],
        url=PAGE + f"&need={MOBILITE}",
    )

    assert "aah" in page.html  # sanity: the answers are in the page, as form fields
    for url in page.urls():
        keys = {key for key, _value in parse_qsl(urlsplit(url).query)}
        assert keys <= {"commune", "need", "q", "service", "lang"}, url
        assert "aah" not in url and "rqth" not in url
    assert page.response.headers.get("Location") is None


def test_only_facts_of_the_catalogue_are_asked_never_identity(english, session):
    lyon_service(
        "Tout",
        {
            "version": 1,
            "any_of": [
                [{"fact": name, "op": "is", "value": True}]
                for name in ("rqth", "resident_qpv", "registered_france_travail")
            ]
            + [[{"fact": "age", "op": ">", "value": 17}]],
        },
    )
    db.session.commit()

    page = answer(english, [("shown", "rqth"), ("shown", "age"), ("shown", "resident_qpv")])

    names = {e.get("name") for e in page.tree.iter() if e.tag in ("input", "select", "textarea")}
    assert names <= set(ASKABLE) | {"csrf_token", "shown", "skipped", "q", "commune"}
    assert not names & {"name", "birth_date", "address", "email", "phone"}


# --- a service's own questions ----------------------------------------------------------------


def test_the_questions_can_be_those_of_one_service(english, services):
    page = show(english, PAGE + f"&service={services['rqth'].id}")

    assert page.questions() == ["Do you have a disability recognition (RQTH)?"]
    assert verdict(page) == "? Cap emploi : Maybe: some answers or checks are missing."

    answered = answer(english, {"rqth": "no"}, url=PAGE + f"&service={services['rqth'].id}")
    assert verdict(answered) == "✗ Cap emploi : Probably not for you."


def test_a_service_that_is_not_found_here_is_said_so(english, services):
    far = lyon_service("Loin", YOUNG, zones=[("commune", "75056")], at=factories.PARIS_11E)
    db.session.commit()

    page = show(english, PAGE + f"&service={far.id}")

    assert "“Loin” is not among the services found for Lyon." in page.text
    assert page.questions() == []


# --- links to the questionnaire ---------------------------------------------------------------


def test_the_area_page_links_to_the_questionnaire(english, session):
    lyon_service("Permis solidaire", YOUNG, thematiques=[PERMIS])
    db.session.commit()

    area = get_page(english, f"/communes/69383?need={PERMIS}")

    href = area.links()["Check which services I can use"]
    assert href == f"/pour-moi?commune=69383&need={PERMIS}"
    page = show(english, href)
    assert "Services for Lyon 3e Arrondissement, need: Prepare for a driving licence." in page.text
    assert maybe(page) == ["Permis solidaire"]


def test_a_service_with_a_rule_links_to_its_own_questions_once_the_place_is_known(
    english, services
):
    young = services["young"]
    page = get_page(english, f"/services/{young.id}?commune=69383")

    href = page.links()["Am I eligible? Answer a few questions"]
    assert dict(parse_qsl(urlsplit(href).query)) == {
        "commune": "69383",
        "need": young.thematiques[0],
        "service": str(young.id),
    }
    assert show(english, href).questions() == ["How old are you?"]

    without_rule = get_page(english, f"/services/{services['open'].id}?commune=69383")
    assert "Am I eligible? Answer a few questions" not in without_rule.links()


# --- reading the form, without HTTP -----------------------------------------------------------


def test_read_answers_keeps_valid_facts_and_says_what_is_wrong(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        answers = read_answers(
            MultiDict(
                [
                    ("age", " 22 "),
                    ("rqth", "oui"),
                    ("benefits", "aah"),
                    ("benefits", "rsa"),
                    ("months_registered_france_travail", "-3"),
                    ("family_situation", "astronaut"),
                    ("residence_departement", "75"),
                    ("name", "Camille"),
                    ("shown", "resident_qpv"),
                    ("shown", "age"),
                    ("skipped", "education_level"),
                ]
            )
        )

    assert answers.facts == {"age": 22, "rqth": True, "benefits": ["aah", "rsa"]}
    assert answers.raw["rqth"] == "yes"
    assert set(answers.errors) == {"months_registered_france_travail", "family_situation"}
    assert answers.skipped == {"resident_qpv", "education_level"}
