"""The search page, /recherche: a need, words, a place and filters → ranked services, a page
at a time, with what to try when nothing is found.

The page reads the same parameters as GET /api/v1/search (directory.search_params), except the
place: a box where people type a postcode or a commune name (`where`), which the autocomplete
completes with the commune's code (`commune`), as on the home page. A wrong parameter shows
the form again as typed, status 422, with the message next to its field and a summary.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from directory import forms, search_params, taxonomy
from directory.catalogue import default_radius_km
from directory.forms import PlaceChoice
from directory.models import (
    MODE_A_DISTANCE,
    MODE_EN_PRESENTIEL,
    T_FRAIS,
    T_MODE_ACCUEIL,
    T_PUBLIC,
    T_TYPE_SERVICE,
)
from directory.views import bp
from errors import Invalid

RADIUS_CHOICES_KM = (5, 10, 20, 30, 50, 100)

# The field of the form that sets each parameter, in the form's order.
FIELD_OF = {
    "need": "need", "q": "q",
    "postcode": "where", "commune": "where", "lat": "where", "lon": "where",
    search_params.LOCATION: "where",
    "radius_km": "radius_km", "publics": "publics", "mode": "mode",
    "fees": "fees", "type": "type", "open_now": "open_now", "page": "page", "per_page": "page",
}
FILTER_FIELDS = ("publics", "mode", "fees", "type", "open_now")


def _locale() -> str:
    return str(get_locale() or "fr")


# Names of the place box: the typed text, the commune the autocomplete chose, and the commune
# the page was showing with the text it was shown for (kept across a new submission of the
# same form, since the autocomplete's choice does not survive a page).
WHERE, CHOSEN, KEPT_CODE, KEPT_TEXT = "where", "commune", "kept_commune", "kept_where"
PLACE_BOX_PARAMETERS = (WHERE, CHOSEN, KEPT_CODE, KEPT_TEXT)


@dataclass(frozen=True)
class PlaceBox:
    """The place box read: the commune code it names, or an error message with the communes
    to choose from when the text names several."""

    text: str = ""
    code: str | None = None
    error: str | None = None
    choices: tuple[PlaceChoice, ...] = ()


def read_place_box(args) -> PlaceBox | None:
    """The place box, or None when the page was given none (a link with a postcode or
    coordinates, or the empty page). The text is resolved as on the home page: one commune,
    several to choose from, or a message saying what to type."""
    text = args.get(WHERE)
    code = (args.get(CHOSEN) or "").strip()
    if not code and text is not None and args.get(KEPT_TEXT) == text:
        code = (args.get(KEPT_CODE) or "").strip()
    if text is None and not code:
        return None
    answer = forms.read_place({forms.PLACE_TEXT: text or "", forms.PLACE_CODE: code})
    if answer.code:
        return PlaceBox(text or "", answer.code)
    if answer.choices:
        message = _("“%(text)s” matches several places: choose yours below.", text=answer.text)
        return PlaceBox(answer.text, error=message, choices=answer.choices)
    return PlaceBox(answer.text, error=answer.error)


@dataclass
class SearchForm:
    """The form as typed, to show it again, with the messages of its fields."""

    where: str = ""
    need: str = ""
    q: str = ""
    radius_km: str = ""
    publics: list[str] = field(default_factory=list)
    mode: list[str] = field(default_factory=list)
    fees: list[str] = field(default_factory=list)
    type: list[str] = field(default_factory=list)
    open_now: bool = False
    errors: dict[str, list[str]] = field(default_factory=dict)
    choices: list[PlaceChoice] = field(default_factory=list)
    kept_code: str | None = None  # the place shown, kept for the next submission

    @classmethod
    def typed(cls, args) -> SearchForm:
        lists = search_params.query_values({name: args.getlist(name)
                                            for name in search_params.LIST_PARAMETERS})
        where = args.get(WHERE)
        return cls(
            where=where if where is not None else args.get("postcode", ""),
            need=args.get("need", ""),
            q=args.get("q", ""),
            radius_km=args.get("radius_km", "").strip(),
            open_now=args.get("open_now", "").strip().lower() in search_params.TRUE_WORDS,
            **{name: lists.get(name, []) for name in search_params.LIST_PARAMETERS},
        )

    @property
    def filters_open(self) -> bool:
        """"More filters" starts open when one is set or wrong, so nothing is hidden."""
        return any(getattr(self, name) for name in FILTER_FIELDS) or any(
            name in self.errors for name in FILTER_FIELDS)

    def radius_options(self) -> list[tuple[str, str]]:
        """(value, label) of the distance select: the usual distances, and the one asked for
        when it is another (a suggestion may widen to 60 km)."""
        values = [str(km) for km in RADIUS_CHOICES_KM]
        if self.radius_selected not in values:
            values.append(self.radius_selected)
        return [(value, value) for value in values]

    @property
    def radius_selected(self) -> str:
        return self.radius_km or _number(default_radius_km())


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


@dataclass(frozen=True)
class FilterChoices:
    """What the filters offer, as (code, label) in reference order."""

    publics: list[tuple[str, str]]
    modes: list[tuple[str, str]]
    fees: list[tuple[str, str]]
    types: list[tuple[str, str]]

    @classmethod
    def load(cls, locale: str) -> FilterChoices:
        def options(taxonomy_name: str) -> list[tuple[str, str]]:
            return [(term.code, term.label(locale)) for term in taxonomy.terms(taxonomy_name)]

        modes = [(code, taxonomy.label(T_MODE_ACCUEIL, code, locale))
                 for code in (MODE_EN_PRESENTIEL, MODE_A_DISTANCE)]
        return cls(options(T_PUBLIC), modes, options(T_FRAIS), options(T_TYPE_SERVICE))


def _render(form: SearchForm, results=None, status: int = 200):
    return render_template(
        "directory/search.html",
        form=form,
        results=results,
        categories=taxonomy.categories(),
        filters=FilterChoices.load(_locale()),
    ), status


def _errors_by_field(field_errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """Each parameter's messages on the field of the form that sets it, in the form's order."""
    by_field: dict[str, list[str]] = {}
    for name, messages in field_errors.items():
        by_field.setdefault(FIELD_OF.get(name, name), []).extend(messages)
    order = list(dict.fromkeys(FIELD_OF.values()))
    return dict(sorted(by_field.items(), key=lambda item: (
        order.index(item[0]) if item[0] in order else len(order))))


def _search_args(args, box: PlaceBox | None) -> MultiDict:
    """The query string as read_search reads it: the place box replaced by the commune it
    names, and 20 results a page."""
    kept = MultiDict([(key, value) for key, value in args.items(multi=True)
                      if key not in PLACE_BOX_PARAMETERS and key != "per_page"])
    if box is not None:
        for name in search_params.LOCATION_PARAMETERS:
            kept.poplist(name)
        if box.code:
            kept["commune"] = box.code
    return kept


@bp.get("/recherche")
def search_page():
    form = SearchForm.typed(request.args)
    box = read_place_box(request.args)
    if box is None and not any(request.args.get(n) for n in search_params.LOCATION_PARAMETERS):
        return _render(form)  # nothing asked yet: the form, with what a link preset
    place_errors = {WHERE: [box.error]} if box and box.error else None
    try:
        asked = search_params.read_search(_search_args(request.args, box),
                                          place_errors=place_errors)
    except Invalid as error:
        form.errors = _errors_by_field(error.field_errors)
        form.choices = list(box.choices if box and box.choices
                            else getattr(error, "choices", []))
        return _render(form, status=422)
    results = search_params.run_search(asked)
    form.kept_code = search_params.place_code(asked.place)
    if not form.where:
        form.where = asked.place.label
    return _render(form, results)
