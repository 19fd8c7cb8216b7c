"""The page where an organisation's administrators create and revoke its API tokens.

A new token's secret is shown once, on the page that answers the creation (never stored,
never put in the session or a redirect): whoever loses it revokes it and makes another.
"""

from __future__ import annotations

import uuid

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField

from accounts import api_tokens, organisations, permissions
from accounts.access import login_required
from accounts.org_forms import ConfirmForm, MultiCheckboxField
from errors import Invalid
from extensions import db

bp = Blueprint("api_tokens", __name__)


def scope_choices() -> list[tuple[str, str]]:
    return [
        (api_tokens.SCOPE_READ, _l("Read the organisation's services (services:read)")),
        (api_tokens.SCOPE_WRITE,
         _l("Create, change and archive the organisation's services (services:write)")),
    ]


class ApiTokenForm(FlaskForm):
    """Lengths and choices are checked by accounts.api_tokens.create_token."""

    name = StringField(_l("Name of the program that will use it"),
                       filters=[lambda v: v.strip() if isinstance(v, str) else v])
    scopes = MultiCheckboxField(_l("What it may do"), choices=scope_choices,
                                validate_choice=False, default=[api_tokens.SCOPE_READ])


def _managed(organisation_id: uuid.UUID):
    user = permissions.current_user_or_none()
    organisation = organisations.organisation_by_id(organisation_id)
    permissions.require(
        permissions.can_manage_members(user, organisation),
        _("Only the organisation's administrators manage its API tokens."),
    )
    return user, organisation


def _page(organisation, form=None, secret=None, status=200):
    response = render_template(
        "accounts/organisations/api_tokens.html",
        organisation=organisation,
        tokens=api_tokens.tokens_of(organisation),
        form=form or ApiTokenForm(formdata=None),
        revoke_form=ConfirmForm(formdata=None),
        secret=secret,
    ), status
    return response


@bp.get("/organisations/<uuid:organisation_id>/jetons-api")
@login_required
def tokens(organisation_id: uuid.UUID):
    _user, organisation = _managed(organisation_id)
    return _page(organisation)


@bp.post("/organisations/<uuid:organisation_id>/jetons-api")
@login_required
def create(organisation_id: uuid.UUID):
    user, organisation = _managed(organisation_id)
    form = ApiTokenForm()
    if not form.validate():
        raise Invalid(_("This form could not be read. Reload the page and try again."))
    try:
        _token, secret = api_tokens.create_token(user, organisation, form.name.data,
                                                 form.scopes.data or [])
    except Invalid as error:
        db.session.rollback()
        for name, messages in error.field_errors.items():
            field = getattr(form, name, form.name)
            field.errors = list(field.errors) + list(messages)
        return _page(organisation, form=form, status=422)
    db.session.commit()
    body, status = _page(organisation, secret=secret)
    return body, status, {"Cache-Control": "no-store"}


@bp.post("/organisations/<uuid:organisation_id>/jetons-api/<uuid:token_id>/revoquer")
@login_required
def revoke(organisation_id: uuid.UUID, token_id: uuid.UUID):
    user, organisation = _managed(organisation_id)
    if not ConfirmForm().validate():
        raise Invalid(_("This form could not be read. Reload the page and try again."))
    token = api_tokens.revoke_token(user, organisation, token_id)
    db.session.commit()
    flash(_("The token “%(name)s” is revoked: it no longer works.", name=token.name))
    return redirect(url_for(".tokens", organisation_id=organisation.id))
