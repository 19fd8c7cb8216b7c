"""The directory's JSON API (/api/v1): marshmallow in (directory.search_params), marshmallow
out (directory.schemas). Public and read-only so far; errors are JSON (errors.py).

GET /api/v1/search   services for a need and a place, ranked, one page at a time
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_babel import get_locale

from directory import search_params, taxonomy
from directory.models import T_THEMATIQUE
from directory.schemas import PlaceChoiceSchema, SearchResultsSchema
from extensions import limiter
from geo import places

bp = Blueprint("api", __name__, url_prefix="/api/v1")

# Generous: a page of results per second per address, for people and small integrations.
SEARCH_RATE_LIMIT = "120 per minute"


@bp.errorhandler(search_params.AmbiguousPlace)
def ambiguous_place(error: search_params.AmbiguousPlace):
    """A postcode several communes share: the usual 400, plus the communes to choose from."""
    body = {
        "error": "invalid",
        "message": error.message,
        "errors": error.field_errors,
        "choices": PlaceChoiceSchema(many=True).dump(error.choices),
    }
    return jsonify(body), 400


@bp.get("/search")
@limiter.limit(SEARCH_RATE_LIMIT)
def search():
    """?postcode=69100 | commune=69383 | lat=45.76&lon=4.85, with need, q, radius_km, publics,
    mode, fees, type, open_now, page, per_page → a page of services (see SearchResultsSchema).
    Every wrong parameter is named in `errors` (`location` when none is given); a postcode
    several communes share also gives `choices`; a page past the last one is empty, with the
    total."""
    asked = search_params.read_search(request.args)
    results = search_params.run_search(asked)
    return jsonify(SearchResultsSchema().dump(_answer(results)))


def _answer(results: search_params.Results) -> dict:
    place = results.request.place
    locale = str(get_locale() or "fr")
    suggestions = []
    for suggestion in results.found.suggestions:
        item = {"kind": suggestion.kind, "count": suggestion.count}
        if suggestion.radius_km is not None:
            item["radius_km"] = suggestion.radius_km
        if suggestion.need is not None:
            item["need"] = suggestion.need
            item["label"] = taxonomy.label(T_THEMATIQUE, suggestion.need, locale)
        suggestions.append(item)
    return {
        "place": {"place": place, "names": places.area_names(place)},
        "total": results.total,
        "page": results.page,
        "per_page": results.per_page,
        "pages": results.pages,
        "nearby": results.found.nearby,
        "remote": results.found.remote,
        "results": results.results,
        "suggestions": suggestions,
    }
