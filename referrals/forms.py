"""Flask-WTF forms of the referral pages. They read what was typed and give it back on error;
every rule lives in referrals.people, referrals.consent and referrals.referrals, whose Invalid
errors the views put back on these fields (`show_errors`)."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    Field,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)

from directory import taxonomy
from directory.eligibility_words import fact_label, value_label
from directory.models import T_THEMATIQUE
from referrals import consent as ledger
from referrals.models import (
    BY_PHONE,
    CONTACT,
    CONTACT_CHANNELS,
    IDENTITY,
    IN_PERSON,
    SITUATION,
)

# Validity offered, in months, and the days each stands for (six months is DEFAULT_VALIDITY).
VALIDITY_DAYS = {"1": 31, "3": 92, "6": ledger.DEFAULT_VALIDITY.days, "12": 366}
DEFAULT_MONTHS = "6"

METHOD_LABELS = {IN_PERSON: _l("In person"), BY_PHONE: _l("By phone")}
CATEGORY_LABELS = {IDENTITY: _l("Identity (name, date of birth, France Travail number)"),
                   CONTACT: _l("Contact (email, phone)"),
                   SITUATION: _l("Situation (age, employment, benefits…)")}
CHANNEL_LABELS = {"email": _l("Email"), "phone": _l("Phone"), "sms": _l("Text message"),
                  "post": _l("Post")}
DECLINE_LABELS = {"already-followed": _l("Already followed elsewhere / duplicate"),
                  "not-eligible": _l("Not eligible"), "no-capacity": _l("No place available"),
                  "unreachable": _l("Person unreachable"),
                  "person-declined": _l("The person declined"), "other": _l("Other reason")}
OUTCOME_LABELS = {"started": _l("Started"), "finished": _l("Finished"),
                  "job-found": _l("Job found"), "no-show": _l("Did not come"),
                  "other": _l("Other outcome")}
ACTION_LABELS = {"send": _l("Send"), "release": _l("Release"), "open": _l("Mark as opened"),
                 "accept": _l("Accept"), "decline": _l("Decline"), "start": _l("Start"),
                 "complete": _l("Complete"), "close": _l("Close"),
                 "cancel": _l("Cancel the referral")}
YES_NO = [("", _l("Not said")), ("yes", _l("Yes")), ("no", _l("No"))]
SITUATION_FIELDS = ("age", "employment_situation", "registered_france_travail", "rqth")


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


def _locale() -> str:
    return str(get_locale() or "fr")


def need_choices(codes) -> list[tuple[str, str]]:
    locale = _locale()
    return [(code, taxonomy.label(T_THEMATIQUE, code, locale)) for code in codes]


class _Errors:
    ERROR_FIELDS: dict[str, str] = {}

    def show_errors(self, field_errors: dict[str, list[str]]) -> list[str]:
        """Put each message on its field; returns the messages no field shows."""
        left: list[str] = []
        for name, messages in field_errors.items():
            field = getattr(self, self.ERROR_FIELDS.get(name, name), None)
            if isinstance(field, Field):
                field.errors = list(field.errors or []) + list(messages)
            else:
                left.extend(messages)
        return left


class ConsentFields:
    """The consent block shared by the person and referral forms."""

    method = _Radio(_l("How did the person agree?"),
                    choices=[(k, v) for k, v in METHOD_LABELS.items()])
    categories = _Choices(_l("Information shared"),
                          choices=[(k, v) for k, v in CATEGORY_LABELS.items()],
                          default=[IDENTITY, CONTACT])
    validity = _Choice(_l("Valid for"), default=DEFAULT_MONTHS,
                       choices=[("1", _l("1 month")), ("3", _l("3 months")),
                                ("6", _l("6 months")), ("12", _l("12 months"))])
    consent_text = HiddenField()

    def valid_for(self) -> timedelta:
        return timedelta(days=VALIDITY_DAYS.get(self.validity.data or "", 0))

    def until(self, today: date) -> date:
        return today + self.valid_for()

    def chosen_categories(self) -> list[str]:
        return [c for c in (self.categories.data or []) if c]


class PersonForm(_Errors, ConsentFields, FlaskForm):
    first_name = StringField(_l("First name"))
    last_name = StringField(_l("Last name"))
    birth_date = StringField(_l("Date of birth"))
    email = StringField(_l("Email"))
    phone = StringField(_l("Phone"))
    preferred_channel = _Radio(_l("Preferred way to be contacted"),
                               choices=[(c, CHANNEL_LABELS[c]) for c in CONTACT_CHANNELS])
    france_travail_id = StringField(_l("France Travail number"))
    needs = _Choices(_l("Needs followed"))
    service = HiddenField()
    confirmed = HiddenField()
    ERROR_FIELDS = {"valid_for": "validity", "text": "consent_text"}

    def person_data(self) -> dict:
        return {name: getattr(self, name).data for name in (
            "first_name", "last_name", "birth_date", "email", "phone", "preferred_channel",
            "france_travail_id")}

    def consent_data(self) -> dict:
        return {"method": self.method.data, "categories": self.chosen_categories(),
                "needs": self.needs.data or [], "text": self.consent_text.data,
                "valid_for": self.valid_for()}


class ReferralForm(_Errors, ConsentFields, FlaskForm):
    service = HiddenField()
    need = _Choice(_l("Need"))
    motive = TextAreaField(_l("Why this referral"))
    age = StringField(fact_label("age"))
    employment_situation = _Choice(fact_label("employment_situation"))
    registered_france_travail = _Choice(fact_label("registered_france_travail"), choices=YES_NO)
    rqth = _Choice(fact_label("rqth"), choices=YES_NO)
    categories = _Choices(_l("Information shared"),
                          choices=[(k, v) for k, v in CATEGORY_LABELS.items()],
                          default=[IDENTITY, CONTACT])
    ERROR_FIELDS = {"valid_for": "validity", "text": "consent_text", "situation": "age",
                    "organisations": "service"}

    def offer(self, service) -> None:
        self.need.choices = [("", _l("The service's needs in general"))] + \
            need_choices(service.thematiques)
        self.employment_situation.choices = [("", _l("Not said"))] + [
            (v, value_label("employment_situation", v)) for v in
            ("employed", "jobseeker", "student", "training", "inactive", "retired")]

    def situation(self) -> dict:
        facts = {"age": (self.age.data or "").strip(),
                 "employment_situation": self.employment_situation.data or ""}
        for name in ("registered_france_travail", "rqth"):
            if self[name].data in ("yes", "no"):
                facts[name] = self[name].data == "yes"
        return {k: v for k, v in facts.items() if v != ""}


class ActionForm(_Errors, FlaskForm):
    version = HiddenField()
    confirmed = HiddenField()
    reason = _Choice(_l("Reason"), choices=[("", "—")] + list(DECLINE_LABELS.items()))
    outcome = _Choice(_l("Outcome"), choices=[("", "—")] + list(OUTCOME_LABELS.items()))
    note = TextAreaField(_l("Message (optional)"))


class MessageForm(_Errors, FlaskForm):
    body = TextAreaField(_l("Your message"))


class ConfirmForm(FlaskForm):
    """A button with its CSRF token."""

