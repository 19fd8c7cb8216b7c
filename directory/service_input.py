"""What a member may write in a service listing: every field read, checked and normalised.

`clean_service_input(data, organisation)` takes the values a form (or any other caller) gives
for some or all of SERVICE_FIELDS and returns them ready to store, or raises Invalid with a
message for each wrong field, all at once, so a person fixes everything in one go and nothing
is written while anything is wrong. Text is stored as typed (pages escape it); what is checked
is what other people and programs rely on: codes of the national taxonomies, places that
exist, contact details that work, links that are web pages.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from babel import Locale
from flask_babel import get_locale
from flask_babel import gettext as _

from directory import taxonomy
from directory.hours import FIELD as HOURS_FIELD
from directory.hours import WeeklyHours
from directory.models import (
    T_FRAIS,
    T_MODE_ACCUEIL,
    T_MODE_MOBILISATION,
    T_PERSONNE_MOBILISATRICE,
    T_PUBLIC,
    T_THEMATIQUE,
    T_TYPE_SERVICE,
    Organisation,
)
from directory.zone_input import ZoneChoice, clean_zones
from errors import Invalid
from geo.names import normalise

# Every field a member edits, in form order. Status, dates and sources are not among them:
# they change through publish/suspend/archive or imports.
TEXT_LIMITS: dict[str, int] = {
    "name": 150,
    "summary": 280,
    "description": 10_000,
    "publics_details": 2_000,
    "fees_details": 2_000,
    "conditions": 2_000,
    "mobilisation_details": 2_000,
    "contact_name": 150,
}
SINGLE_LINE = ("name", "summary", "contact_name")
NAME_MIN_LENGTH = 3
CODE_FIELDS: dict[str, str] = {"type": T_TYPE_SERVICE, "fees": T_FRAIS}
CODE_LIST_FIELDS: dict[str, str] = {
    "thematiques": T_THEMATIQUE,
    "publics": T_PUBLIC,
    "modes_accueil": T_MODE_ACCUEIL,
    "modes_mobilisation": T_MODE_MOBILISATION,
    "mobilisable_par": T_PERSONNE_MOBILISATRICE,
}
SERVICE_FIELDS: tuple[str, ...] = (
    "name",
    "summary",
    "description",
    "type",
    "thematiques",
    "publics",
    "publics_details",
    "modes_accueil",
    "modes_mobilisation",
    "mobilisable_par",
    "mobilisation_details",
    "mobilisation_link",
    "fees",
    "fees_details",
    "languages",
    "required_documents",
    "conditions",
    "duration_weeks",
    "hours_per_week",
    "contact_name",
    "contact_email",
    "contact_phone",
    "contact_public",
    "location_ids",
    "opening_hours",
    "update_frequency",
    "zones",
    "coverage_radius_km",
)
ALL_PUBLICS = "tous-publics"
MAX_DOCUMENTS = 30
DOCUMENT_MAX_LENGTH = 200
MAX_LANGUAGES = 40
RADIUS_KM = (1, 200)
DURATION_WEEKS = (1, 520)
HOURS_PER_WEEK = (0.5, 168)

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_PHONE = re.compile(r"\+?[0-9 .()/-]+")


@dataclass
class _Errors:
    by_field: dict[str, list[str]] = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        self.by_field.setdefault(name, []).append(str(message))


# ---------------------------------------------------------------------------------------------
# Field readers: each returns the value to store, or None after recording what is wrong.


def _text(
    errors: _Errors, name: str, value: Any, *, required: bool = False,
    limits: dict[str, int] = TEXT_LIMITS, single_line: tuple[str, ...] = SINGLE_LINE,
) -> str | None:
    """Text as people type it: no invisible characters, spaces tidied (on one line for the
    `single_line` fields), within `limits`; a message on the field otherwise."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.add(name, _("This must be text."))
        return None
    if _CONTROL.search(value):
        errors.add(name, _("This text contains invisible characters that cannot be stored."))
        return None
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = " ".join(value.split()) if name in single_line else value.strip()
    if not value:
        if required:
            errors.add(name, _("This field is required."))
        return None
    limit = limits[name]
    if len(value) > limit:
        errors.add(
            name,
            _("Use at most %(max)s characters (there are %(count)s).", max=limit, count=len(value)),
        )
        return None
    if name == "name" and len(value) < NAME_MIN_LENGTH:
        errors.add(name, _("Use at least %(min)s characters.", min=NAME_MIN_LENGTH))
        return None
    return value


def _string_list(errors: _Errors, name: str, value: Any) -> list[str] | None:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        errors.add(name, _("This must be a list of choices."))
        return None
    return [v.strip() for v in value if v.strip()]


def _code(errors: _Errors, name: str, value: Any, taxonomy_name: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        errors.add(name, _("This must be one of the choices."))
        return None
    value = value.strip()
    if taxonomy.validate_codes(taxonomy_name, [value]):
        errors.add(name, _("“%(value)s” is not one of the choices.", value=value))
        return None
    return value


def _codes(errors: _Errors, name: str, value: Any, taxonomy_name: str) -> list[str] | None:
    codes = _string_list(errors, name, value)
    if codes is None:
        return None
    codes = list(dict.fromkeys(codes))
    unknown = taxonomy.validate_codes(taxonomy_name, codes)
    if unknown:
        errors.add(
            name,
            _("%(values)s: not among the choices.", values=", ".join(f"“{u}”" for u in unknown)),
        )
        return None
    if name == "publics" and ALL_PUBLICS in codes and len(codes) > 1:
        everyone = taxonomy.label(T_PUBLIC, ALL_PUBLICS, str(get_locale() or "fr"))
        errors.add(
            name,
            _(
                "“%(everyone)s” already covers all publics: choose it alone, or choose the "
                "publics without it.",
                everyone=everyone,
            ),
        )
        return None
    return codes


@cache
def _language_names() -> dict[str, str]:
    """ISO 639-1 codes by code and by their French and English names (accent-free)."""
    found: dict[str, str] = {}
    for locale in ("en", "fr"):
        for code, label in Locale.parse(locale).languages.items():
            if len(code) == 2 and code.isalpha():
                found[code] = code
                found.setdefault(normalise(label), code)
    return found


def _languages(errors: _Errors, value: Any) -> list[str] | None:
    tokens = _string_list(errors, "languages", value)
    if tokens is None:
        return None
    known = _language_names()
    codes, unknown = [], []
    for token in tokens:
        code = known.get(token.lower()) if len(token) == 2 else known.get(normalise(token))
        if code is None:
            unknown.append(token)
        elif code not in codes:
            codes.append(code)
    if unknown:
        errors.add(
            "languages",
            _(
                "%(values)s: not a language we know. Use a name (English, arabe) or a two-letter "
                "code (en, ar).",
                values=", ".join(f"“{u}”" for u in unknown),
            ),
        )
        return None
    if len(codes) > MAX_LANGUAGES:
        errors.add("languages", _("List at most %(max)s languages.", max=MAX_LANGUAGES))
        return None
    return codes


def _documents(errors: _Errors, value: Any) -> list[str] | None:
    """Documents from the DORA list, or written freely (short: one document each)."""
    documents = _string_list(errors, "required_documents", value)
    if documents is None:
        return None
    if any(_CONTROL.search(d) for d in documents):
        errors.add(
            "required_documents",
            _("This text contains invisible characters that cannot be stored."),
        )
        return None
    documents = list(dict.fromkeys(" ".join(d.split()) for d in documents))
    suggested = set(taxonomy.reference_list("credentials"))
    too_long = [d for d in documents if d not in suggested and len(d) > DOCUMENT_MAX_LENGTH]
    if too_long:
        errors.add(
            "required_documents",
            _(
                "Each document is at most %(max)s characters: write one document per line.",
                max=DOCUMENT_MAX_LENGTH,
            ),
        )
        return None
    if len(documents) > MAX_DOCUMENTS:
        errors.add("required_documents", _("List at most %(max)s documents.", max=MAX_DOCUMENTS))
        return None
    return documents


def _email(errors: _Errors, name: str, value: Any) -> str | None:
    text = _plain(errors, name, value)
    if not text:
        return None
    if len(text) > 254 or not _EMAIL.fullmatch(text):
        errors.add(name, _("Enter an email address like contact@example.org."))
        return None
    return text


def _phone(errors: _Errors, name: str, value: Any) -> str | None:
    text = _plain(errors, name, value)
    if not text:
        return None
    digits = sum(c.isdigit() for c in text)
    if len(text) > 30 or not _PHONE.fullmatch(text) or "+" in text[1:] or not 4 <= digits <= 15:
        errors.add(name, _("Enter a phone number like 04 72 00 00 00 or +33 4 72 00 00 00."))
        return None
    return text


def _url(errors: _Errors, name: str, value: Any) -> str | None:
    text = _plain(errors, name, value)
    if not text:
        return None
    try:
        parts = urlsplit(text)
    except ValueError:
        parts = None
    if (
        parts is None
        or parts.scheme.lower() not in ("http", "https")
        or not parts.netloc
        or any(c.isspace() for c in text)
        or len(text) > 2083
    ):
        errors.add(name, _("Enter a web address starting with https:// or http://."))
        return None
    return text


def _plain(errors: _Errors, name: str, value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        errors.add(name, _("This must be text."))
        return None
    if _CONTROL.search(value):
        errors.add(name, _("This text contains invisible characters that cannot be stored."))
        return None
    return value.strip() or None


def _number(
    errors: _Errors, name: str, value: Any, bounds: tuple[float, float], *, whole: bool
) -> float | int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str) and re.fullmatch(r"\s*[0-9]+(?:[.,][0-9]+)?\s*", value):
        number = float(value.strip().replace(",", "."))
    low, high = bounds
    if number is None or (whole and not number.is_integer()):
        message = _("Enter a whole number.") if whole else _("Enter a number, for example 12.5.")
        errors.add(name, message)
        return None
    if not low <= number <= high:
        errors.add(
            name, _("Enter a number from %(min)s to %(max)s.", min=_fmt(low), max=_fmt(high))
        )
        return None
    return int(number) if whole else number


def _fmt(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def _boolean(errors: _Errors, name: str, value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    errors.add(name, _("This must be yes or no."))
    return None


def _locations(errors: _Errors, value: Any, organisation: Organisation) -> list | None:
    """Places of this organisation only: a service is delivered where its provider is."""
    ids = _string_list(
        errors,
        "location_ids",
        [str(v) for v in value] if isinstance(value, list | tuple) else value,
    )
    if ids is None:
        return None
    own = {str(location.id): location for location in organisation.locations}
    chosen, foreign = [], []
    for raw in dict.fromkeys(ids):
        try:
            key = str(uuid.UUID(raw))
        except ValueError:
            key = raw
        if key in own:
            chosen.append(own[key])
        else:
            foreign.append(raw)
    if foreign:
        errors.add("location_ids", _("Choose among your organisation's places only."))
        return None
    return chosen


def _opening_hours(errors: _Errors, value: Any) -> dict | None:
    text = _plain(errors, "opening_hours", value)
    if not text:
        return None
    try:
        return WeeklyHours.from_osm(text).to_json()
    except Invalid as error:
        for message in error.field_errors.get(HOURS_FIELD) or [error.message]:
            errors.add("opening_hours", message)
        return None


def _update_frequency(errors: _Errors, value: Any) -> str | None:
    allowed = [choice.value for choice in taxonomy.reference_list("update_frequencies")]
    if value in allowed:
        return value
    errors.add("update_frequency", _("Choose how often this information should be checked."))
    return None


def _zones(errors: _Errors, value: Any) -> list[ZoneChoice] | None:
    zones, problems = clean_zones(value)
    for problem in problems:
        errors.add("zones", problem)
    return zones


# ---------------------------------------------------------------------------------------------


def clean_service_input(
    data: Mapping[str, Any], organisation: Organisation, *, creating: bool = False
) -> dict[str, Any]:
    """The given fields of SERVICE_FIELDS checked and normalised, ready to store. Unknown keys
    are refused (a typo must not be silently dropped). When `creating`, the name is required
    even if absent. Raises Invalid with every field's messages."""
    errors = _Errors()
    for key in data:
        if key not in SERVICE_FIELDS:
            errors.add(key, _("This field is not part of a service."))
    cleaned: dict[str, Any] = {}
    wanted = set(data) | ({"name"} if creating else set())
    for name in SERVICE_FIELDS:
        if name not in wanted:
            continue
        value = data.get(name)
        if name in TEXT_LIMITS:
            result = _text(errors, name, value, required=name == "name")
        elif name in CODE_FIELDS:
            result = _code(errors, name, value, CODE_FIELDS[name])
        elif name in CODE_LIST_FIELDS:
            result = _codes(errors, name, value, CODE_LIST_FIELDS[name])
        elif name == "languages":
            result = _languages(errors, value)
        elif name == "required_documents":
            result = _documents(errors, value)
        elif name == "contact_email":
            result = _email(errors, name, value)
        elif name == "contact_phone":
            result = _phone(errors, name, value)
        elif name == "mobilisation_link":
            result = _url(errors, name, value)
        elif name == "contact_public":
            result = _boolean(errors, name, value)
        elif name == "duration_weeks":
            result = _number(errors, name, value, DURATION_WEEKS, whole=True)
        elif name == "hours_per_week":
            result = _number(errors, name, value, HOURS_PER_WEEK, whole=False)
        elif name == "coverage_radius_km":
            result = _number(errors, name, value, RADIUS_KM, whole=False)
        elif name == "location_ids":
            result = _locations(errors, value, organisation)
        elif name == "opening_hours":
            result = _opening_hours(errors, value)
        elif name == "update_frequency":
            result = _update_frequency(errors, value)
        else:  # zones
            result = _zones(errors, value)
        cleaned[name] = result
    if errors.by_field:
        raise Invalid(_("Some fields need your attention."), errors.by_field)
    return cleaned
