"""Public pages of the directory: home, place lookup, area, service and organisation pages.

Views read the query string (directory.forms), call the catalogue, geography and taxonomy
functions, and render. Coverage, publication and place resolution rules live in those modules;
the template helpers below only turn codes, dates and distances into words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode, urlsplit

from babel import Locale
from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_babel import format_date, format_decimal, get_locale

from directory import catalogue, forms, taxonomy
from directory.hours import WeeklyHours
from directory.listing_words import eligibility_in_words
from directory.models import SUSPENDED
from geo import places
from geo.coverage import Verdict
from geo.place import Place

bp = Blueprint("directory", __name__)

# Remembered so the home page can send a need straight to the person's area.
SESSION_PLACE = "place"


def _locale() -> str:
    return str(get_locale() or "fr")


# ---------------------------------------------------------------------------------------------
# Template helpers (presentation only)


@bp.app_template_global()
def url_with(**changes: str | None) -> str:
    """The current page's address with some query parameters changed (None removes one)."""
    args = [(key, value) for key, value in request.args.items(multi=True) if key not in changes]
    args += [(key, value) for key, value in changes.items() if value is not None]
    # "//host" would be read as another site: keep the link on this one.
    path = "/" + request.path.lstrip("/")
    return path + ("?" + urlencode(args) if args else "")


@bp.app_template_global()
def web_address(value: str | None) -> str | None:
    """The address if it is a web page (http or https), else None: stored links come from
    many sources, and a javascript: or data: link must never become clickable."""
    if not value:
        return None
    scheme = urlsplit(value.strip()).scheme.lower()
    return value.strip() if scheme in ("http", "https") else None


@bp.app_template_global()
def term_label(taxonomy_name: str, code: str) -> str:
    return taxonomy.label(taxonomy_name, code, _locale())


@bp.app_template_global()
def language_name(code: str) -> str:
    """An ISO 639-1 code as a language name in the page's language ("fr" → "French")."""
    name = Locale.parse(_locale()).languages.get(code)
    return name[:1].upper() + name[1:] if name else code


@bp.app_template_global()
def weekly_hours(data: dict | None) -> WeeklyHours | None:
    return WeeklyHours.from_json(data) if data else None


@bp.app_template_filter("long_date")
def long_date(value: date) -> str:
    """ "3 March 2026" / "3 mars 2026", and "1er mars 2026" as French writes the first."""
    if value.day == 1 and _locale().startswith("fr"):
        return format_date(value, "d'er' MMMM y")
    return format_date(value, "d MMMM y")


@bp.app_template_filter("km")
def km(value: float) -> str:
    """A distance as people say it: one decimal under 10 km, whole kilometres beyond."""
    return format_decimal(round(value, 1) if value < 10 else round(value), "#,##0.#")


# ---------------------------------------------------------------------------------------------
# Pages


def _home(
    *, text: str = "", error: str | None = None, need_code: str | None = None, status: int = 200
):
    need = forms.need_filter(need_code, _locale())
    return render_template(
        "directory/home.html",
        categories=taxonomy.categories(),
        known_place=session.get(SESSION_PLACE),
        text=text,
        error=error,
        need=need,
    ), status


@bp.get("/")
def home():
    return _home()


@bp.get("/lieu")
def find_place():
    """The location step: the typed place → its area page, a choice, or the form again."""
    need_code = request.args.get("need") or None
    answer = forms.read_place(request.args)
    need = forms.need_filter(need_code, _locale())
    if not answer.asked:
        return render_template("directory/place_step.html", need=need, text="", error=None)
    if answer.error:
        # The form again with the message next to the field: not an error page.
        return _home(text=answer.text, error=answer.error, need_code=need_code, status=422)
    if answer.code:
        return redirect(url_for(".area", code=answer.code, need=need.code if need else None))
    return render_template("directory/place_choices.html", answer=answer, need=need)


@bp.get("/communes/<code>")
def area(code: str):
    """The active services covering a place, optionally for one need."""
    place = places.place_for_commune(code)
    need = forms.need_filter(request.args.get("need"), _locale())
    found = catalogue.services_covering(place, date.today())
    shown = [hit for hit in found if need is None or need.matches(hit.service)]
    session[SESSION_PLACE] = {"code": code, "label": place.label}
    return render_template(
        "directory/area.html",
        code=code,
        place=place,
        area=places.area_names(place),
        need=need,
        categories=taxonomy.categories(),
        hits=shown,
        total=len(found),
    )


@dataclass(frozen=True)
class CoverageCheck:
    """The answer to "is this service available where I live?" for one place."""

    place: Place
    verdict: Verdict
    zone_name: str | None


@bp.get("/services/<service_id>")
def service_page(service_id: str):
    service = catalogue.public_service(service_id)
    answer = forms.read_place(request.args)
    check = None
    if answer.code:
        place = places.place_for_commune(answer.code)
        verdict = catalogue.service_covers(service, place)
        zone_name = catalogue.zone_labels([verdict.zone])[0].name if verdict.zone else None
        check = CoverageCheck(place, verdict, zone_name)
    today = date.today()
    return render_template(
        "directory/service.html",
        service=service,
        suspended=service.status == SUSPENDED and not service.is_active(today),
        zones=catalogue.zone_labels(service.zones),
        has_polygon=service.coverage_polygon is not None,
        radius_km=catalogue.distance_limit_km(service),
        answer=answer,
        check=check,
        eligibility=eligibility_in_words(service.eligibility),
    )


@bp.get("/organisations/<organisation_id>")
def organisation_page(organisation_id: str):
    organisation = catalogue.public_organisation(organisation_id)
    return render_template(
        "directory/organisation.html",
        organisation=organisation,
        services=catalogue.public_services_of(organisation),
    )
