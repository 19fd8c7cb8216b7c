"""Forms of the self-referral page, the person's own referral page and the administrators'
erasure page. They read what was typed; the rules live in referrals.self_referral and
referrals.erasure, whose Invalid errors come back on these fields (`show_errors`)."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, StringField, TextAreaField

from directory.eligibility_words import fact_label, value_label
from referrals.forms import (
    CATEGORY_LABELS,
    CHANNEL_LABELS,
    DEFAULT_MONTHS,
    SITUATION_FIELDS,
    VALIDITY_DAYS,
    YES_NO,
    _Choice,
    _Choices,
    _Errors,
    _Radio,
    need_choices,
)
from referrals.models import CONTACT, CONTACT_CHANNELS, IDENTITY

EMPLOYMENT_SITUATIONS = ("employed", "jobseeker", "student", "training", "inactive", "retired")


class SelfReferralForm(_Errors, FlaskForm):
    # The person's record, asked only the first time (afterwards: the contact details).
    first_name = StringField(_l("First name"))
    last_name = StringField(_l("Last name"))
    birth_date = StringField(_l("Date of birth"))
    email = StringField(_l("Email"))
    phone = StringField(_l("Phone"))
    preferred_channel = _Radio(_l("How do you prefer to be contacted?"),
                               choices=[(c, CHANNEL_LABELS[c]) for c in CONTACT_CHANNELS])
    # The request.
    need = _Choice(_l("What for"))
    motive = TextAreaField(_l("Your message to the service (optional)"))
    # The consent.
    categories = _Choices(_l("What you share with the service"),
                          choices=[(k, v) for k, v in CATEGORY_LABELS.items()],
                          default=[IDENTITY, CONTACT])
    validity = _Choice(_l("For how long"), default=DEFAULT_MONTHS,
                       choices=[("1", _l("1 month")), ("3", _l("3 months")),
                                ("6", _l("6 months")), ("12", _l("12 months"))])
    age = StringField(fact_label("age"))
    employment_situation = _Choice(fact_label("employment_situation"))
    registered_france_travail = _Choice(fact_label("registered_france_travail"), choices=YES_NO)
    rqth = _Choice(fact_label("rqth"), choices=YES_NO)
    consent_text = HiddenField()
    agree = BooleanField(_l("I have read this text and I agree to it"))
    confirmed = HiddenField()
    ERROR_FIELDS = {"valid_for": "validity", "text": "consent_text", "situation": "age",
                    "service": "need", "consent": "consent_text"}

    def offer(self, service) -> None:
        self.need.choices = [("", _l("The service in general"))] + \
            need_choices(service.thematiques)
        self.employment_situation.choices = [("", _l("Not said"))] + [
            (v, value_label("employment_situation", v)) for v in EMPLOYMENT_SITUATIONS]

    def person_data(self) -> dict:
        return {name: getattr(self, name).data for name in (
            "first_name", "last_name", "birth_date", "email", "phone", "preferred_channel")}

    def chosen_categories(self) -> list[str]:
        return [c for c in (self.categories.data or []) if c]

    def valid_for(self) -> timedelta:
        return timedelta(days=VALIDITY_DAYS.get(self.validity.data or "", 0))

    def until(self, today: date) -> date:
        return today + self.valid_for()

    def situation(self) -> dict:
        facts = {"age": (self.age.data or "").strip(),
                 "employment_situation": self.employment_situation.data or ""}
        for name in ("registered_france_travail", "rqth"):
            if self[name].data in ("yes", "no"):
                facts[name] = self[name].data == "yes"
        return {k: v for k, v in facts.items() if k in SITUATION_FIELDS and v != ""}


class OwnMessageForm(_Errors, FlaskForm):
    body = TextAreaField(_l("Your message"))


class CancelForm(_Errors, FlaskForm):
    version = HiddenField()
    note = TextAreaField(_l("Why you cancel (optional)"))


class ErasureForm(_Errors, FlaskForm):
    override = TextAreaField(_l("Why erase despite the open referrals"))
