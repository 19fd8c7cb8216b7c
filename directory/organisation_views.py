"""Pages where members keep their organisation's details and places up to date.

Views are thin: they load what the URL names, ask accounts.permissions who may act, parse the
form, call one function of directory.organisation_editing, commit, and redirect to the
organisation's services with a message — or show the form again, as typed, with a message on
each wrong field.
"""

from __future__ import annotations

import uuid

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from accounts.access import verified_required
from accounts.permissions import can_edit_listings, require
from directory import organisation_editing
from directory.edit_forms import ButtonForm
from directory.models import Location, Organisation
from directory.organisation_forms import LocationForm, OrganisationForm, initial_data
from errors import Conflict, Invalid, NotFound
from extensions import db

bp = Blueprint("organisation_editing", __name__)

FORM_ERROR_STATUS = 422


def _uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotFound(_("This page does not exist, or is no longer published.")) from None


def _may_edit(organisation: Organisation) -> None:
    require(
        can_edit_listings(current_user, organisation),
        _("You cannot change this organisation's details."),
    )


def _organisation_to_edit(organisation_id: str) -> Organisation:
    organisation = db.session.get(Organisation, _uuid(organisation_id))
    if organisation is None:
        raise NotFound(_("This organisation does not exist."))
    _may_edit(organisation)
    return organisation


def _location_to_edit(location_id: str) -> Location:
    location = db.session.get(Location, _uuid(location_id))
    if location is None:
        raise NotFound(_("This place does not exist."))
    _may_edit(location.organisation)
    return location


def _back_to_services(organisation: Organisation):
    return redirect(url_for("listings.services", organisation_id=organisation.id))


def _render(template: str, status: int = 200, **context):
    return render_template(template, delete_form=ButtonForm(), **context), status


def _form_page(form, template: str, save, saved_message, **context):
    """The one shape of these pages: show the form; on a valid POST call `save` (a domain
    function) and commit, or roll back and show its field messages."""
    organisation = context["organisation"]
    if form.validate_on_submit():
        try:
            result = save(form.domain_data())
        except Invalid as error:
            db.session.rollback()
            form.show_errors(error.field_errors)
            return _render(template, FORM_ERROR_STATUS, form=form, **context)
        db.session.commit()
        flash(saved_message(result), "success")
        return _back_to_services(organisation)
    return _render(template, FORM_ERROR_STATUS if form.errors else 200, form=form, **context)


def _changes_message(changes) -> str:
    return _("Your changes are saved.") if changes else _("Nothing changed.")


@bp.route("/espace/organisations/<org_id>/modifier", methods=["GET", "POST"])
@verified_required
def edit_organisation(org_id: str):
    organisation = _organisation_to_edit(org_id)
    form = OrganisationForm(
        data=initial_data(organisation, organisation_editing.ORGANISATION_FIELDS)
    )
    return _form_page(
        form, "listings/organisation.html",
        lambda data: organisation_editing.update_organisation(organisation, data, current_user),
        _changes_message, organisation=organisation,
    )


@bp.route("/espace/organisations/<org_id>/lieux/nouveau", methods=["GET", "POST"])
@verified_required
def new_location(org_id: str):
    organisation = _organisation_to_edit(org_id)
    return _form_page(
        LocationForm(), "listings/location.html",
        lambda data: organisation_editing.create_location(organisation, data, current_user),
        lambda location: _("The place “%(name)s” is added.", name=location.name),
        organisation=organisation, location=None,
    )


@bp.route("/espace/lieux/<location_id>/modifier", methods=["GET", "POST"])
@verified_required
def edit_location(location_id: str):
    location = _location_to_edit(location_id)
    form = LocationForm(data=initial_data(location, organisation_editing.LOCATION_FIELDS))
    return _form_page(
        form, "listings/location.html",
        lambda data: organisation_editing.update_location(location, data, current_user),
        _changes_message, organisation=location.organisation, location=location,
    )


@bp.post("/espace/lieux/<location_id>/supprimer")
@verified_required
def delete_location(location_id: str):
    location = _location_to_edit(location_id)
    organisation, name = location.organisation, location.name
    if not ButtonForm().validate_on_submit():
        raise Invalid(_("This form has expired. Please try again."))
    try:
        organisation_editing.delete_location(location, current_user)
    except Conflict:
        db.session.rollback()
        raise
    db.session.commit()
    flash(_("The place “%(name)s” is removed.", name=name), "success")
    return _back_to_services(organisation)
