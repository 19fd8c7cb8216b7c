"""Flask-WTF forms of the organisation pages: joining, members, invitations, creation,
moderation. They only read and bound what was typed; the rules live in accounts.memberships
and accounts.organisations, whose Invalid errors the views put back on these fields."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from accounts.models import ADMIN, MEMBER
from accounts.organisations import EMAIL, NewOrganisation


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def role_choices() -> list[tuple[str, str]]:
    return [(MEMBER, _l("Member")), (ADMIN, _l("Administrator"))]


class SearchForm(FlaskForm):
    """The GET search for an organisation to join (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    q = StringField(
        _l("Organisation name or SIRET number"),
        filters=[_strip],
        validators=[Length(max=150, message=_l("Keep it under %(max)d characters."))],
    )


class JoinRequestForm(FlaskForm):
    message = TextAreaField(
        _l("Message to the administrators (optional)"),
        filters=[_strip],
        validators=[Length(max=1000, message=_l("Keep the message under %(max)d characters."))],
    )


class DecisionForm(FlaskForm):
    """Accept or refuse: the button pressed gives `decision`."""

    decision = StringField(validators=[AnyOf(["accept", "refuse"])])

    @property
    def accepted(self) -> bool:
        return self.decision.data == "accept"


class RoleForm(FlaskForm):
    role = SelectField(
        _l("Role"),
        choices=role_choices,
        validators=[AnyOf([MEMBER, ADMIN], message=_l("Choose a role."))],
    )


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class InvitationForm(FlaskForm):
    email = StringField(
        _l("Email address"),
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Enter the email address of the person to invite.")),
            Length(max=254, message=_l("Keep it under %(max)d characters.")),
            Regexp(
                EMAIL.pattern + "$", message=_l("Enter an email address like name@example.org.")
            ),
        ],
    )
    role = SelectField(
        _l("Role"),
        choices=role_choices,
        default=MEMBER,
        validators=[AnyOf([MEMBER, ADMIN], message=_l("Choose a role."))],
    )


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class OrganisationForm(FlaskForm):
    """Declaring a new organisation. Lengths are bounded here; formats, the SIRET checksum and
    the commune are checked by accounts.organisations.validate_new_organisation."""

    name = StringField(_l("Name"), filters=[_strip])
    siret = StringField(_l("SIRET number (optional)"), filters=[_strip])
    networks = MultiCheckboxField(
        _l("Networks (optional)"), choices=[], validate_choice=False, validators=[Optional()]
    )
    description = TextAreaField(_l("What the organisation does (optional)"), filters=[_strip])
    address = StringField(_l("Street address"), filters=[_strip])
    address_complement = StringField(_l("Address complement (optional)"), filters=[_strip])
    postcode = StringField(_l("Postcode"), filters=[_strip])
    commune = StringField(_l("Commune"), filters=[_strip])
    commune_code = StringField(filters=[_strip])  # added by the autocomplete script
    email = StringField(_l("Email (optional)"), filters=[_strip])
    phone = StringField(_l("Phone (optional)"), filters=[_strip])
    website = StringField(_l("Website (optional)"), filters=[_strip])

    def to_data(self) -> NewOrganisation:
        return NewOrganisation(
            name=self.name.data or "",
            siret=self.siret.data or "",
            networks=list(self.networks.data or []),
            description=self.description.data or "",
            address=self.address.data or "",
            address_complement=self.address_complement.data or "",
            postcode=self.postcode.data or "",
            commune=self.commune.data or "",
            commune_code=self.commune_code.data or "",
            email=self.email.data or "",
            phone=self.phone.data or "",
            website=self.website.data or "",
        )

    def add_errors(self, field_errors: dict[str, list[str]]) -> None:
        """Put a domain Invalid's messages on the fields they concern."""
        for name, messages in field_errors.items():
            target = getattr(self, name, None)
            if target is not None:
                target.errors = list(target.errors) + list(messages)
