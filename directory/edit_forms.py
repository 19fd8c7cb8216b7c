"""Flask-WTF forms of the listing pages. They read what was typed and give it back on error;
every rule lives in directory.service_input and directory.editing, whose Invalid errors the
views put back on these fields (`show_errors`)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Field,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice

from directory import taxonomy
from directory.catalogue import zone_labels
from directory.editing import hours_text
from directory.models import (
    T_FRAIS,
    T_MODE_ACCUEIL,
    T_MODE_MOBILISATION,
    T_PERSONNE_MOBILISATRICE,
    T_PUBLIC,
    T_TYPE_SERVICE,
    ZONE_COUNTRY,
    Organisation,
    Service,
)
from directory.service_input import SERVICE_FIELDS
from directory.zone_input import zone_lines

CONTACT_EVERYONE, CONTACT_PROFESSIONALS = "everyone", "professionals"


class _Choices(SelectMultipleField):
    """Checkboxes; the choices are only offered here, checked by the domain."""

    def pre_validate(self, form) -> None:
        pass


class _Choice(SelectField):
    def pre_validate(self, form) -> None:
        pass


class _Radio(RadioField):
    def pre_validate(self, form) -> None:
        pass


class ServiceForm(FlaskForm):
    """Every field of a service, on one page."""

    name = StringField(_l("Name of the service"))
    summary = TextAreaField(_l("Summary"))
    description = TextAreaField(_l("Description"))
    type = _Choice(_l("Type of service"))
    thematiques = _Choices(_l("Needs it answers"))
    publics = _Choices(_l("Publics"))
    publics_details = TextAreaField(_l("More about who it is for"))
    conditions = TextAreaField(_l("Conditions of access"))
    modes_accueil = _Choices(_l("How it is delivered"))
    modes_mobilisation = _Choices(_l("How to start"))
    mobilisable_par = _Choices(_l("Who can ask for it"))
    mobilisation_details = TextAreaField(_l("More about how to start"))
    mobilisation_link = StringField(_l("Link to apply online"))
    fees = _Radio(_l("Cost"))
    fees_details = TextAreaField(_l("More about the cost"))
    documents_suggested = _Choices(_l("Common documents"))
    documents_other = TextAreaField(_l("Other documents, one per line"))
    languages = StringField(_l("Languages spoken"))
    duration_weeks = StringField(_l("Duration in weeks"))
    hours_per_week = StringField(_l("Hours per week"))
    contact_name = StringField(_l("Contact name"))
    contact_email = StringField(_l("Contact email"))
    contact_phone = StringField(_l("Contact phone"))
    contact_visibility = _Radio(
        _l("Who sees the contact details"),
        choices=[
            SelectChoice(CONTACT_EVERYONE, _l("Everyone")),
            SelectChoice(CONTACT_PROFESSIONALS, _l("Professionals only")),
        ],
        default=CONTACT_PROFESSIONALS,
    )
    location_ids = _Choices(_l("Places where it is delivered"))
    opening_hours = StringField(_l("Opening hours"))
    whole_country = BooleanField(_l("The whole country"))
    zones = TextAreaField(_l("Areas covered, one per line"))
    coverage_radius_km = StringField(_l("Distance limit in km for in-person services"))
    update_frequency = _Radio(_l("How often should this information be checked?"))

    # Domain field → the form field that shows its messages.
    ERROR_FIELDS = {"required_documents": "documents_other", "contact_public": "contact_visibility"}

    def offer_choices(self, organisation: Organisation, locale: str) -> None:
        """The choices of the moment: national taxonomies, the organisation's places."""

        def options(name: str) -> list[SelectChoice]:
            return [SelectChoice(t.code, t.label(locale)) for t in taxonomy.terms(name)]

        unspecified = [SelectChoice("", _l("Not specified"))]
        self.type.choices = unspecified + options(T_TYPE_SERVICE)
        self.thematiques.choices = [
            SelectChoice(need.code, need.label(locale))
            for category in taxonomy.categories()
            for need in category.needs
        ]
        self.publics.choices = options(T_PUBLIC)
        self.modes_accueil.choices = options(T_MODE_ACCUEIL)
        self.modes_mobilisation.choices = options(T_MODE_MOBILISATION)
        self.mobilisable_par.choices = options(T_PERSONNE_MOBILISATRICE)
        self.fees.choices = unspecified + options(T_FRAIS)
        self.documents_suggested.choices = [
            SelectChoice(text) for text in taxonomy.reference_list("credentials")
        ]
        self.location_ids.choices = [
            SelectChoice(str(location.id), location.name) for location in organisation.locations
        ]
        self.update_frequency.choices = [
            SelectChoice(choice.value, choice.label(locale))
            for choice in taxonomy.reference_list("update_frequencies")
        ]

    def service_data(self) -> dict:
        """What was typed, as the domain's SERVICE_FIELDS."""
        suggested = set(self.documents_suggested.data or [])
        other = [line for line in (self.documents_other.data or "").splitlines() if line.strip()]
        zones = self.zones.data or ""
        if self.whole_country.data:
            zones = f"{ZONE_COUNTRY}\n{zones}"
        data = {
            "required_documents": [
                text for text in taxonomy.reference_list("credentials") if text in suggested
            ]
            + other,
            "languages": [part for part in (self.languages.data or "").split(",")],
            "contact_public": self.contact_visibility.data == CONTACT_EVERYONE,
            "zones": zones,
            "type": self.type.data or None,
            "fees": self.fees.data or None,
        }
        for name in SERVICE_FIELDS:
            if name not in data:
                data[name] = getattr(self, name).data
        return data

    def show_errors(self, field_errors: dict[str, list[str]]) -> None:
        for name, messages in field_errors.items():
            field: Field | None = getattr(self, self.ERROR_FIELDS.get(name, name), None)
            if isinstance(field, Field):
                field.errors = list(messages)


def initial_data(service: Service, language_name) -> dict:
    """The form's values for a stored service (`language_name` turns a code into a name in
    the reader's language)."""
    suggested = set(taxonomy.reference_list("credentials"))
    documents = list(service.required_documents or [])
    zones = [zone for zone in service.zones if zone.kind != ZONE_COUNTRY]
    names = {(z.kind, z.code): z.name for z in zone_labels(zones)}
    data = {
        name: getattr(service, name)
        for name in SERVICE_FIELDS
        if name
        not in (
            "languages",
            "required_documents",
            "contact_public",
            "zones",
            "location_ids",
            "opening_hours",
        )
    }
    data.update(
        languages=", ".join(language_name(code) for code in service.languages or []),
        documents_suggested=[d for d in documents if d in suggested],
        documents_other="\n".join(d for d in documents if d not in suggested),
        contact_visibility=CONTACT_EVERYONE if service.contact_public else CONTACT_PROFESSIONALS,
        location_ids=[str(location.id) for location in service.locations],
        whole_country=any(zone.kind == ZONE_COUNTRY for zone in service.zones),
        zones="\n".join(
            f"{line} ({names[(z.kind, z.code)]})"
            for line, z in zip(zone_lines(zones).splitlines(), zones, strict=True)
        ),
        opening_hours=hours_text(service.opening_hours) or "",
        coverage_radius_km=_number_text(service.coverage_radius_km),
        hours_per_week=_number_text(service.hours_per_week),
        type=service.type or "",
        fees=service.fees or "",
    )
    return data


def _number_text(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


class SuspendForm(FlaskForm):
    until = StringField(_l("Suspended until"))


class ButtonForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class ReviewForm(FlaskForm):
    """The changes a reviewer saw, marked reviewed together."""

    record = SelectMultipleField(validate_choice=False)


class ReportForm(FlaskForm):
    reason = _Radio(_l("What is wrong?"))
    details = TextAreaField(_l("Details"))
    email = StringField(_l("Your email address (optional)"))
