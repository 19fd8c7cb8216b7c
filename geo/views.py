"""Geography JSON API (commune autocomplete, location resolution).

Errors are typed (Invalid → 400, UnknownPlace → 404) and turned into JSON by errors.py.
"""

import re
from dataclasses import asdict

from flask import Blueprint, jsonify, request
from flask_babel import gettext as _

from errors import Invalid
from geo import places
from geo.place import Place

bp = Blueprint("geo", __name__)


@bp.get("/api/v1/communes")
def communes():
    """Autocomplete: ?q=vill&limit=10 → {"results": [{code, name, label, postcodes, …}]}."""
    matches = places.search_communes(request.args.get("q", ""), _limit(request.args))
    return jsonify({"results": [asdict(match) for match in matches]})


@bp.get("/api/v1/places")
def resolve_place():
    """?postcode=69003 | ?commune=69383 | ?lat=45.76&lon=4.85 → {"places": [...]}."""
    found = places.resolve(
        postcode=request.args.get("postcode"),
        commune=request.args.get("commune"),
        lat=request.args.get("lat"),
        lon=request.args.get("lon"),
    )
    return jsonify({"places": [_place_json(place) for place in found]})


def _limit(args) -> int:
    raw = args.get("limit", "10").strip()
    if not re.fullmatch(r"[0-9]{1,3}", raw):
        message = _("The limit must be a whole number from 1 to %(max)d.", max=places.MAX_MATCHES)
        raise Invalid(message, {"limit": [message]})
    return int(raw)


def _place_json(place: Place) -> dict:
    return {**asdict(place), "label": place.label, **asdict(places.area_names(place))}
