"""What a search asks, read from a query string: the parameters the search page and
GET /api/v1/search share, checked all at once, and the page of results they get.

`read_search(args)` turns the query string into a `SearchRequest` (the parameters, the resolved
place and the finder's Criteria) or raises Invalid with a message on every wrong parameter, not
only the first; a postcode shared by several communes raises AmbiguousPlace, which also carries
the communes to choose from. `run_search(request)` asks directory.finder and returns one page.
The search page reads its own place box first (directory.search_views), then hands the
commune code to `read_search`.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from flask_babel import gettext as _
from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load

from directory import finder, forms, taxonomy
from directory.models import (
    MODE_A_DISTANCE,
    MODE_EN_PRESENTIEL,
    T_FRAIS,
    T_PUBLIC,
    T_THEMATIQUE,
    T_TYPE_SERVICE,
    Service,
)
from errors import Invalid, NotFound
from geo import places
from geo.place import Place

MAX_TEXT = 200
MAX_RADIUS_KM = 200
MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 20
MAX_CODES = 50  # more values than any taxonomy has terms: not a person's search
MODES = (MODE_EN_PRESENTIEL, MODE_A_DISTANCE)
TRUE_WORDS = frozenset({"true", "1", "on"})
FALSE_WORDS = frozenset({"false", "0", "off"})

# The query-string names, as the API documents them and the page's form sends them.
LIST_PARAMETERS = ("publics", "mode", "fees", "type")
SCALAR_PARAMETERS = ("need", "q", "postcode", "commune", "lat", "lon", "radius_km",
                     "open_now", "page", "per_page")
LOCATION_PARAMETERS = ("postcode", "commune", "lat", "lon")
# The key of the message when no location is given at all (no single parameter is wrong).
LOCATION = "location"


# ---------------------------------------------------------------------------------------------
# Fields: each says in words what is wrong, in the request's language


class _Text(fields.Field):
    """Words, spaces collapsed, at most `max_length` characters."""

    def __init__(self, max_length: int, message: Callable[[], str], **kwargs):
        super().__init__(**kwargs)
        self.max_length, self.message = max_length, message

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        text = " ".join(str(value).split())
        if len(text) > self.max_length:
            raise ValidationError(self.message())
        return text


class _Decimal(fields.Field):
    """A finite number; "45,76" as French writes it is 45.76. Bounds are checked by `check`."""

    def __init__(self, message: Callable[[], str], check: Callable[[float], bool] | None = None,
                 **kwargs):
        super().__init__(**kwargs)
        self.message, self.check = message, check

    def _deserialize(self, value, attr, data, **kwargs) -> float:
        try:
            number = float(str(value).strip().replace(",", "."))
        except ValueError:
            number = math.nan
        if not math.isfinite(number) or (self.check and not self.check(number)):
            raise ValidationError(self.message())
        return number


WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")


class _WholeNumber(fields.Field):
    """A whole number written in digits, between `minimum` and `maximum` (when given)."""

    def __init__(self, message: Callable[[], str], minimum: int, maximum: int | None = None,
                 **kwargs):
        super().__init__(**kwargs)
        self.message, self.minimum, self.maximum = message, minimum, maximum

    def _deserialize(self, value, attr, data, **kwargs) -> int:
        text = str(value).strip()
        if not WHOLE_NUMBER.fullmatch(text):
            raise ValidationError(self.message())
        number = int(text)
        if number < self.minimum or (self.maximum is not None and number > self.maximum):
            raise ValidationError(self.message())
        return number


class _Flag(fields.Field):
    """true/false, 1/0, on/off (a checkbox sends "on")."""

    def _deserialize(self, value, attr, data, **kwargs) -> bool:
        word = str(value).strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ValidationError(_("“Open now” must be true or false."))


class _Codes(fields.Field):
    """Codes of a taxonomy (a list, already split on commas); the unknown ones are named."""

    def __init__(self, known: Callable[[list[str]], list[str]],
                 message: Callable[[str], str], **kwargs):
        super().__init__(**kwargs)
        self.unknown_of, self.message = known, message

    def _deserialize(self, value, attr, data, **kwargs) -> tuple[str, ...]:
        codes = list(dict.fromkeys(value if isinstance(value, list | tuple) else [value]))
        if len(codes) > MAX_CODES:
            raise ValidationError(_("Give at most %(max)d values.", max=MAX_CODES))
        unknown = self.unknown_of(codes)
        if unknown:
            raise ValidationError(self.message(", ".join(unknown)))
        return tuple(codes)


def _unknown_in(taxonomy_name: str, *, allow_categories: bool = False):
    def unknown(codes: list[str]) -> list[str]:
        return taxonomy.validate_codes(taxonomy_name, codes, allow_categories=allow_categories)

    return unknown


def _unknown_modes(codes: list[str]) -> list[str]:
    return [code for code in codes if code not in MODES]


# ---------------------------------------------------------------------------------------------
# The parameters


@dataclass(frozen=True)
class SearchParams:
    """The parameters of a search, checked but not yet resolved (the place is still codes)."""

    need: str | None = None
    text: str = ""
    postcode: str | None = None
    commune: str | None = None
    lat: float | None = None
    lon: float | None = None
    radius_km: float | None = None
    publics: tuple[str, ...] = ()
    modes: tuple[str, ...] = ()
    fees: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    open_now: bool = False
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE


class SearchParamsSchema(Schema):
    """The query string of a search (after `query_values`) → SearchParams."""

    class Meta:
        unknown = EXCLUDE  # lang=, the page's own fields: not the search's business

    need = _Codes(
        _unknown_in(T_THEMATIQUE, allow_categories=True),
        lambda codes: _("No need or category has the code %(codes)s.", codes=codes),
    )
    q = _Text(MAX_TEXT, lambda: _("Use at most %(max)d characters.", max=MAX_TEXT),
              attribute="text")
    postcode = fields.String()
    commune = fields.String()
    lat = _Decimal(lambda: _("The latitude must be a number, like 45.76."))
    lon = _Decimal(lambda: _("The longitude must be a number, like 4.85."))
    radius_km = _Decimal(
        lambda: _("The distance must be a number of kilometres, more than 0 and at most "
                  "%(max)d.", max=MAX_RADIUS_KM),
        check=lambda km: 0 < km <= MAX_RADIUS_KM,
    )
    publics = _Codes(_unknown_in(T_PUBLIC),
                     lambda codes: _("Unknown public code(s): %(codes)s.", codes=codes))
    mode = _Codes(
        _unknown_modes,
        lambda codes: _("Unknown mode(s): %(codes)s. Use %(modes)s.", codes=codes,
                        modes=" / ".join(MODES)),
        attribute="modes",
    )
    fees = _Codes(_unknown_in(T_FRAIS),
                  lambda codes: _("Unknown fees code(s): %(codes)s.", codes=codes))
    type = _Codes(_unknown_in(T_TYPE_SERVICE),
                  lambda codes: _("Unknown service type code(s): %(codes)s.", codes=codes),
                  attribute="types")
    open_now = _Flag()
    page = _WholeNumber(lambda: _("The page must be a whole number, 1 or more."), 1)
    per_page = _WholeNumber(
        lambda: _("The number of results per page must be a whole number from 1 to %(max)d.",
                  max=MAX_PER_PAGE),
        1, MAX_PER_PAGE,
    )

    @post_load
    def make_params(self, data: dict, **kwargs) -> SearchParams:
        need = data.pop("need", ())
        return SearchParams(need=need[0] if need else None, **data)


SCHEMA = SearchParamsSchema()


def query_values(args: Mapping) -> dict:
    """The query string as the schema reads it: empty values dropped (a GET form sends every
    field), list parameters from repeated keys and from commas ("publics=jeunes,seniors")."""
    values: dict = {}
    for name in SCALAR_PARAMETERS:
        value = args.get(name)
        if isinstance(value, list | tuple):
            value = value[0] if value else None
        if value is not None and str(value).strip():
            values[name] = str(value).strip()
    for name in LIST_PARAMETERS:
        given = args.getlist(name) if hasattr(args, "getlist") else args.get(name)
        if given is None:
            given = []
        elif not isinstance(given, list | tuple):
            given = [given]
        codes = [code.strip() for item in given for code in str(item).split(",") if code.strip()]
        if codes:
            values[name] = codes
    return values


# ---------------------------------------------------------------------------------------------
# Reading a whole search


@dataclass(frozen=True)
class SearchRequest:
    """A checked search: its parameters, the place they name, and what the finder is asked."""

    params: SearchParams
    place: Place
    criteria: finder.Criteria


class AmbiguousPlace(Invalid):
    """A postcode several communes share: the person must choose one of `choices`."""

    def __init__(self, message: str, field_errors: dict[str, list[str]],
                 choices: list[forms.PlaceChoice]):
        super().__init__(message, field_errors)
        self.choices = choices


def place_code(place: Place) -> str:
    """The code that names this place (an arrondissement's own, else the commune's)."""
    return place.arrondissement_code or place.commune_code


def read_search(args: Mapping, *, place_errors: dict[str, list[str]] | None = None
                ) -> SearchRequest:
    """Check every parameter of a search and resolve its place; Invalid lists every wrong
    parameter with its message. Exactly one location is required: a postcode, a commune code,
    or lat and lon. `place_errors`, when given, replaces the location check (the search page
    has read its own place box and says what was wrong with it)."""
    values = query_values(args)
    errors: dict[str, list[str]] = {}
    try:
        params = SCHEMA.load(values)
        loaded = vars(params)
    except ValidationError as error:
        errors.update(_messages(error.messages))
        params, loaded = None, error.valid_data or {}
    place, choices = None, []
    if place_errors:
        errors.update(place_errors)
    else:
        try:
            place = _place(values, loaded, errors)
        except AmbiguousPlace as ambiguous:
            errors.update(ambiguous.field_errors)
            choices = ambiguous.choices
    if errors or params is None or place is None:
        message = _("Some search parameters are not valid.")
        if choices:
            raise AmbiguousPlace(message, errors, choices)
        raise Invalid(message, errors)
    criteria = finder.Criteria(
        place=place,
        needs=finder.expand_need(params.need) if params.need else (),
        text=params.text,
        radius_km=params.radius_km,
        publics=params.publics,
        modes=params.modes,
        fees=params.fees,
        types=params.types,
        open_now=params.open_now,
    )
    return SearchRequest(params, place, criteria)


def _messages(messages: Mapping) -> dict[str, list[str]]:
    return {name: [str(m) for m in (found if isinstance(found, list) else [found])]
            for name, found in messages.items()}


def _place(values: dict, loaded: dict, errors: dict[str, list[str]]) -> Place | None:
    """The one place the location parameters name, or None with the messages added to
    `errors` (AmbiguousPlace for a postcode several communes share)."""
    kinds = {
        "postcode": ("postcode",),
        "commune": ("commune",),
        "coordinates": tuple(name for name in ("lat", "lon") if name in values),
    }
    given = {kind: names for kind, names in kinds.items() if any(n in values for n in names)}
    if not given:
        errors[LOCATION] = [_("Give a postcode, a commune or coordinates.")]
        return None
    if len(given) > 1:
        message = _("Give only one of a postcode, a commune or coordinates.")
        for names in given.values():
            for name in names:
                errors.setdefault(name, []).append(message)
        return None
    if any(name in errors for name in LOCATION_PARAMETERS):
        return None  # a badly written number is already said
    try:
        if "postcode" in given:
            return _postcode_place(values["postcode"])
        if "commune" in given:
            return places.place_for_commune(values["commune"])
        if "lat" not in values:
            errors["lat"] = [_("Give the latitude too.")]
            return None
        if "lon" not in values:
            errors["lon"] = [_("Give the longitude too.")]
            return None
        return places.place_at(loaded["lat"], loaded["lon"])
    except AmbiguousPlace:
        raise
    except Invalid as invalid:
        for name, messages in (invalid.field_errors or {LOCATION: [invalid.message]}).items():
            errors.setdefault(name, []).extend(messages)
    except NotFound as unknown:
        name = "postcode" if "postcode" in given else "commune" if "commune" in given else "lat"
        errors.setdefault(name, []).append(unknown.message)
    return None


def _postcode_place(postcode: str) -> Place:
    found = places.places_for_postcode(postcode)
    if len(found) == 1:
        return found[0]
    choices = [forms.PlaceChoice(place_code(p), p.label) for p in found]
    message = _(
        "Several communes have the postcode %(postcode)s: %(communes)s. Give the commune "
        "instead (the code of yours).",
        postcode=postcode,
        communes=", ".join(f"{choice.label} ({choice.code})" for choice in choices),
    )
    raise AmbiguousPlace(message, {"postcode": [message]}, choices)


# ---------------------------------------------------------------------------------------------
# One page of results


@dataclass(frozen=True)
class Result:
    """One service of a page of results, with how far it is and whether it is remote."""

    service: Service
    distance_km: float | None
    remote: bool


@dataclass
class Results:
    request: SearchRequest
    found: finder.Found
    results: list[Result] = field(default_factory=list)

    @property
    def page(self) -> int:
        return self.request.params.page

    @property
    def per_page(self) -> int:
        return self.request.params.per_page

    @property
    def total(self) -> int:
        return self.found.total

    @property
    def pages(self) -> int:
        return math.ceil(self.total / self.per_page)

    @property
    def past_the_end(self) -> bool:
        return self.total > 0 and self.page > self.pages


def run_search(request: SearchRequest) -> Results:
    """The services found for a checked search, and the page of them asked for (empty past
    the last page: the total still says how many there are)."""
    found = finder.find(request.criteria)
    hits = found.page(request.params.page, request.params.per_page)
    services: dict[uuid.UUID, Service] = finder.load_services(hits)
    results = [Result(services[hit.service_id], hit.distance_km, hit.remote)
               for hit in hits if hit.service_id in services]
    return Results(request, found, results)
