"""The questionnaire "Which services can I use?": the services found for a place and a need,
grouped by eligibility for the person's situation, and the few questions that would decide
the services still uncertain.

The situation may say disability or benefits, so it lives only in the page's form: each
answer comes back as a hidden input, never in the session, the database, a log line or an
address (the search itself — place, need, words, service — is in the address, the answers in
the POST body). Responses are marked `no-store` so no cache keeps them either. Matching and
the choice of questions are directory.matching's; this module reads the form and renders.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, render_template, request
from flask_babel import get_locale
from werkzeug.datastructures import MultiDict

from directory import catalogue, finder, forms, matching
from directory.eligibility import BOOLEAN, CHOICES, FACTS
from directory.eligibility_words import (
    FACTS_FROM_PLACE,
    Question,
    describe,
    fact_label,
    question_for,
)
from errors import Invalid
from geo import places

bp = Blueprint("questionnaire", __name__)

QUESTIONS_AT_ONCE = 3
MAX_SHOWN = 100  # services listed per group; the headings count them all
MAX_TEXT = 200  # search words, as the match API
MAX_ANSWER = 100  # characters of an answer kept to show it again
FORM_ERROR_STATUS = 422

# The facts a person may be asked: those of the catalogue the place does not already answer.
# Identity (name, birth date, address) is not a fact, so it can never be asked.
ASKABLE = tuple(name for name in FACTS if name not in FACTS_FROM_PLACE)
# Form fields that are not facts: the questions shown on the previous page, and the facts the
# person preferred not to give (so they are not asked again).
SHOWN, SKIPPED = "shown", "skipped"


@dataclass
class Answers:
    """The situation as the form sent it: `raw` what was typed (to show it again), `facts`
    the valid answers parsed, `errors` one message per invalid answer, `skipped` the facts
    left blank when asked."""

    raw: dict[str, Any] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    skipped: set[str] = field(default_factory=set)

    @property
    def given(self) -> list[str]:
        """The facts answered validly, in catalogue order."""
        return [name for name in ASKABLE if name in self.facts]

    @property
    def to_change(self) -> list[str]:
        """The facts the person answered or chose not to give: the ones they may change."""
        return [name for name in ASKABLE if name in self.facts or name in self.skipped]


def read_answers(form: MultiDict) -> Answers:
    """The answers of the questionnaire form, each checked by matching.parse_facts. Unknown
    fields are ignored; an empty field means "I'd rather not say"."""
    answers = Answers()
    for name in ASKABLE:
        if FACTS[name].type == CHOICES:
            value: Any = [v.strip()[:MAX_ANSWER] for v in form.getlist(name) if v.strip()]
        else:
            value = (form.get(name) or "").strip()[:MAX_ANSWER]
        if not value:
            continue
        answers.raw[name] = value
        try:
            answers.facts.update(matching.parse_facts({name: value}))
        except Invalid as error:
            answers.errors[name] = (error.field_errors.get(name) or [error.message])[0]
            continue
        if FACTS[name].type == BOOLEAN:  # "oui", "true"… shown again as the radio they mean
            answers.raw[name] = "yes" if answers.facts[name] else "no"
        elif FACTS[name].type == CHOICES:
            answers.raw[name] = answers.facts[name]
    asked_before = set(form.getlist(SHOWN)) | set(form.getlist(SKIPPED))
    answers.skipped = {name for name in ASKABLE if name in asked_before and name not in answers.raw}
    return answers


def questions_to_show(
    result: matching.MatchResult,
    answers: Answers,
    service_id: uuid.UUID | None = None,
    limit: int = QUESTIONS_AT_ONCE,
) -> list[Question]:
    """The answers to correct first, then the unanswered questions that decide the most
    "maybe" services (of one service only when `service_id` is given), `limit` at a time.
    A fact the person preferred not to give is not asked again."""
    if service_id is None:
        ranked = result.questions
    else:
        ranked = matching.next_questions([m for m in result.maybe if m.service_id == service_id])
    to_correct = [question_for(name) for name in ASKABLE if name in answers.errors]
    fresh = [
        asked.question
        for asked in ranked
        if asked.question.fact not in answers.skipped and asked.question.fact not in answers.errors
    ]
    return to_correct + fresh[: max(0, limit - len(to_correct))]


@dataclass(frozen=True)
class Search:
    """What the address says: the place, and optionally a need, words and one service."""

    code: str
    place: Any
    need: forms.NeedFilter | None
    text: str
    service: Any | None

    @property
    def params(self) -> dict[str, str]:
        """The query string of this search (never any answer)."""
        values = {
            "commune": self.code,
            "need": self.need.code if self.need else None,
            "q": self.text or None,
            "service": str(self.service.id) if self.service else None,
        }
        return {key: value for key, value in values.items() if value}

    def criteria(self) -> finder.Criteria:
        needs = finder.expand_need(self.need.code) if self.need else ()
        return finder.Criteria(place=self.place, needs=needs, text=self.text)


def read_search(args: Mapping[str, str]) -> Search | None:
    """The search of the address, or None when no place is given; NotFound or Invalid (an
    error page) for a place or a service that does not exist."""
    code = (args.get("commune") or "").strip().upper()
    if not code:
        return None
    place = places.place_for_commune(code)
    need = forms.need_filter(args.get("need"), str(get_locale() or "fr"))
    service_id = (args.get("service") or "").strip()
    service = catalogue.public_service(service_id) if service_id else None
    text = " ".join((args.get("q") or "").split())[:MAX_TEXT]
    return Search(code, place, need, text, service)


@bp.after_request
def no_store(response):
    # The answers may say health or benefits: no cache, shared or private, keeps the page
    # (error pages included).
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/pour-moi")
def questionnaire():
    """The services for the place and need of the address, and the first questions."""
    return _page(Answers())


@bp.post("/pour-moi")
def answer():
    """The same page for the answers so far (in the form only; CSRF checked by Flask-WTF)."""
    return _page(read_answers(request.form))


def _page(answers: Answers):
    search = read_search(request.args)
    if search is None:  # no place yet: the page asks for it first
        return render_template("directory/questionnaire.html", search=None)
    result = matching.match(search.criteria(), answers.facts)
    service_id = search.service.id if search.service else None
    groups = {
        "eligible": result.eligible,
        "maybe": result.maybe,
        "not_eligible": result.not_eligible,
    }
    shown = [item.hit for items in groups.values() for item in items[:MAX_SHOWN]]
    chosen = next(
        (item for items in groups.values() for item in items if item.service_id == service_id), None
    )
    page = render_template(
        "directory/questionnaire.html",
        search=search,
        answers=answers,
        questions=questions_to_show(result, answers, service_id),
        groups=groups,
        chosen=chosen,
        services=finder.load_services(shown),
        max_shown=MAX_SHOWN,
        describe=describe,
        fact_label=fact_label,
        question_for=question_for,
    )
    return page, FORM_ERROR_STATUS if answers.errors else 200
