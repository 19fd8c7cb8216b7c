"""Flask-WTF forms of the organisation and place pages. They read what was typed and give it
back on error; every rule lives in directory.organisation_editing, whose Invalid errors the
views put back on these fields (`show_errors`)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, StringField, TextAreaField

from directory.editing import hours_text
from directory.models import Location, Organisation
from directory.organisation_editing import LOCATION_FIELDS, ORGANISATION_FIELDS


class _DomainForm(FlaskForm):
    FIELDS: tuple[str, ...] = ()

    def domain_data(self) -> dict:
        """What was typed, as the domain's fields."""
        return {name: getattr(self, name).data for name in self.FIELDS}

    def show_errors(self, field_errors: dict[str, list[str]]) -> None:
        for name, messages in field_errors.items():
            field = getattr(self, name, None)
            if isinstance(field, Field):
                field.errors = list(messages)


class OrganisationForm(_DomainForm):
    FIELDS = ORGANISATION_FIELDS

    description = TextAreaField(_l("Description"))
    email = StringField(_l("Email"))
    phone = StringField(_l("Phone"))
    website = StringField(_l("Website"))
    address = StringField(_l("Address"))
    address_complement = StringField(_l("Address complement"))
    postcode = StringField(_l("Postcode"))
    commune_code = StringField(_l("Commune code"))
    opening_hours = StringField(_l("Opening hours"))
    accessibility_url = StringField(_l("Accessibility page"))
    accessibility_details = TextAreaField(_l("Accessibility details"))


class LocationForm(_DomainForm):
    FIELDS = LOCATION_FIELDS

    name = StringField(_l("Name of the place"))
    description = TextAreaField(_l("Description"))
    address = StringField(_l("Address"))
    address_complement = StringField(_l("Address complement"))
    postcode = StringField(_l("Postcode"))
    commune_code = StringField(_l("Commune code"))
    latitude = StringField(_l("Latitude"))
    longitude = StringField(_l("Longitude"))
    opening_hours = StringField(_l("Opening hours"))
    accessibility_url = StringField(_l("Accessibility page"))
    accessibility_details = TextAreaField(_l("Accessibility details"))


def _number_text(value: float | None) -> str:
    return "" if value is None else repr(float(value))


def initial_data(record: Organisation | Location, fields: tuple[str, ...]) -> dict:
    """The form's values for a stored organisation or place."""
    data = {}
    for name in fields:
        value = getattr(record, name)
        if name == "opening_hours":
            data[name] = hours_text(value) or ""
        elif name in ("latitude", "longitude"):
            data[name] = _number_text(value)
        else:
            data[name] = value or ""
    return data
