"""Pages where members keep their organisation's services up to date, the review of changes by
territory managers, "report an error" on public pages, the zone autocomplete, and
`flask listings remind`.

Views are thin: they load what the URL names, ask accounts.permissions who may act, parse the
form, call one function of directory.editing / history / feedback, commit, and redirect with a
message — or show the form again, as typed, with a message on each wrong field.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import date

import click
from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from accounts.access import verified_required
from accounts.permissions import can_edit_listings, can_moderate, moderates_something, require
from directory import catalogue, editing, feedback, history, listing_words, reminders, taxonomy
from directory.edit_forms import (
    ButtonForm,
    ReportForm,
    ReviewForm,
    ServiceForm,
    SuspendForm,
    initial_data,
)
from directory.models import Organisation, Service
from directory.views import language_name, long_date
from directory.zone_search import search_zones
from errors import Conflict, Invalid, NotFound
from extensions import db, limiter

bp = Blueprint("listings", __name__, cli_group="listings")
# Words for the templates (statuses, freshness, the change history).
for _helper in (
    listing_words.service_status,
    listing_words.change_field,
    listing_words.change_value,
    listing_words.listing_overdue,
    listing_words.eligibility_in_words,
):
    bp.add_app_template_global(_helper)
bp.add_app_template_filter(listing_words.long_datetime, "long_datetime")

FORM_ERROR_STATUS = 422


def _locale() -> str:
    return str(get_locale() or "fr")


def _uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotFound(_("This page does not exist, or is no longer published.")) from None


def _organisation_to_edit(organisation_id: str) -> Organisation:
    organisation = db.session.get(Organisation, _uuid(organisation_id))
    if organisation is None:
        raise NotFound(_("This organisation does not exist."))
    require(
        can_edit_listings(current_user, organisation),
        _("You cannot change this organisation's services."),
    )
    return organisation


def _service(service_id: str) -> Service:
    service = db.session.get(Service, _uuid(service_id))
    if service is None:
        raise NotFound(_("This service does not exist."))
    return service


def _service_to_edit(service_id: str) -> Service:
    service = _service(service_id)
    require(
        can_edit_listings(current_user, service.organisation),
        _("You cannot change this organisation's services."),
    )
    return service


# ---------------------------------------------------------------------------------------------
# The organisation's services


@bp.get("/espace/organisations/<organisation_id>/services")
@verified_required
def services(organisation_id: str):
    organisation = _organisation_to_edit(organisation_id)
    return render_template(
        "listings/services.html",
        organisation=organisation,
        services=organisation.services,
        today=date.today(),
    )


def _service_form(organisation: Organisation, service: Service | None = None) -> ServiceForm:
    initial = initial_data(service, language_name) if service is not None else {}
    form = ServiceForm(data=initial)
    form.offer_choices(organisation, _locale())
    return form


def _render_edit(form, organisation, service, status=200):
    return render_template(
        "listings/edit.html",
        form=form,
        organisation=organisation,
        service=service,
        categories=taxonomy.categories(),
        locale=_locale(),
    ), status


@bp.route("/espace/organisations/<organisation_id>/services/nouveau", methods=["GET", "POST"])
@verified_required
def new_service(organisation_id: str):
    organisation = _organisation_to_edit(organisation_id)
    form = _service_form(organisation)
    if form.validate_on_submit():
        try:
            service = editing.create_service(organisation, form.service_data(), current_user)
        except Invalid as error:
            db.session.rollback()
            form.show_errors(error.field_errors)
            return _render_edit(form, organisation, None, FORM_ERROR_STATUS)
        db.session.commit()
        flash(_("The service “%(name)s” is saved as a draft.", name=service.name), "success")
        return redirect(url_for(".edit_service", service_id=service.id))
    return _render_edit(form, organisation, None, FORM_ERROR_STATUS if form.errors else 200)


@bp.route("/espace/services/<service_id>/modifier", methods=["GET", "POST"])
@verified_required
def edit_service(service_id: str):
    service = _service_to_edit(service_id)
    organisation = service.organisation
    form = _service_form(organisation, service)
    if form.validate_on_submit():
        try:
            changes = editing.update_service(service, form.service_data(), current_user)
        except Invalid as error:
            db.session.rollback()
            form.show_errors(error.field_errors)
            return _render_edit(form, organisation, service, FORM_ERROR_STATUS)
        db.session.commit()
        if changes and service.is_public():
            flash(
                _("Your changes are saved and published. The territory manager will review them."),
                "success",
            )
        elif changes:
            flash(_("Your changes are saved."), "success")
        else:
            flash(_("Nothing changed; the information is marked as checked today."), "success")
        return redirect(url_for(".edit_service", service_id=service.id))
    return _render_edit(form, organisation, service, FORM_ERROR_STATUS if form.errors else 200)


def _lifecycle(service_id: str, action, success: str):
    """A POST button of the edit page: run `action`, commit, say what happened."""
    service = _service_to_edit(service_id)
    if not ButtonForm().validate_on_submit():
        raise Invalid(_("This form has expired. Please try again."))
    try:
        action(service)
    except (Invalid, Conflict) as error:
        db.session.rollback()
        for messages in error.field_errors.values():
            for message in messages:
                flash(message, "error")
        if not error.field_errors:
            flash(error.message, "error")
        return redirect(url_for(".edit_service", service_id=service.id))
    db.session.commit()
    flash(success % {"name": service.name}, "success")
    return redirect(url_for(".edit_service", service_id=service.id))


@bp.post("/espace/services/<service_id>/publier")
@verified_required
def publish(service_id: str):
    return _lifecycle(
        service_id, lambda s: editing.publish(s, current_user), _("“%(name)s” is published.")
    )


@bp.post("/espace/services/<service_id>/archiver")
@verified_required
def archive(service_id: str):
    return _lifecycle(
        service_id,
        lambda s: editing.archive(s, current_user),
        _("“%(name)s” is archived: it is no longer shown to the public."),
    )


@bp.post("/espace/services/<service_id>/confirmer")
@verified_required
def confirm(service_id: str):
    return _lifecycle(
        service_id,
        lambda s: editing.confirm_still_correct(s, current_user, date.today()),
        _("Thank you: “%(name)s” is marked as checked today."),
    )


@bp.route("/espace/services/<service_id>/suspendre", methods=["GET", "POST"])
@verified_required
def suspend(service_id: str):
    service = _service_to_edit(service_id)
    form = SuspendForm()
    status = 200
    if form.validate_on_submit():
        try:
            until = editing.read_date(form.until.data)
            editing.suspend(service, until, current_user, date.today())
        except Invalid as error:
            db.session.rollback()
            form.until.errors = list(error.field_errors.get("until") or [error.message])
            status = FORM_ERROR_STATUS
        else:
            db.session.commit()
            flash(
                _(
                    "“%(name)s” is suspended until %(date)s.",
                    name=service.name,
                    date=long_date(until),
                ),
                "success",
            )
            return redirect(url_for(".edit_service", service_id=service.id))
    elif form.errors:
        status = FORM_ERROR_STATUS
    return render_template("listings/suspend.html", form=form, service=service), status


# ---------------------------------------------------------------------------------------------
# History and review


@bp.get("/espace/services/<service_id>/historique")
@verified_required
def service_history(service_id: str):
    service = _service(service_id)
    require(
        can_edit_listings(current_user, service.organisation)
        or can_moderate(current_user, service.organisation),
        _("You cannot see the history of this service."),
    )
    return render_template(
        "listings/history.html",
        service=service,
        records=history.changes_of(service),
        may_edit=can_edit_listings(current_user, service.organisation),
    )


@bp.get("/moderation/modifications")
@verified_required
def review_queue():
    require(moderates_something(current_user), _("This page is for territory managers."))
    queue = history.awaiting_review(lambda org: can_moderate(current_user, org))
    return render_template("listings/review.html", queue=queue, form=ReviewForm())


@bp.post("/moderation/modifications/<service_id>")
@verified_required
def mark_reviewed(service_id: str):
    service = _service(service_id)
    require(
        can_moderate(current_user, service.organisation),
        _("You cannot review changes to this organisation's listings."),
    )
    form = ReviewForm()
    if not form.validate_on_submit():
        raise Invalid(_("This form has expired. Please try again."))
    count = history.mark_reviewed(
        service, form.record.data or [], current_user, lambda org: can_moderate(current_user, org)
    )
    db.session.commit()
    flash(
        _("%(count)s change(s) to “%(name)s” marked as reviewed.", count=count, name=service.name),
        "success",
    )
    return redirect(url_for(".review_queue"))


# ---------------------------------------------------------------------------------------------
# Public: report an error, and the zone autocomplete


def _report_key() -> str:
    # Per address and service: one person cannot flood an organisation, and reports on other
    # services are not blocked by it.
    from flask_limiter.util import get_remote_address

    return f"{get_remote_address()}|{request.view_args.get('service_id')}"


@bp.route("/services/<service_id>/signaler", methods=["GET", "POST"])
@limiter.limit("5 per hour", key_func=_report_key, methods=["POST"])
def report(service_id: str):
    service = catalogue.public_service(service_id)
    form = ReportForm()
    form.reason.choices = [
        SelectChoice(reason) for reason in taxonomy.reference_list("service_feedback_reasons")
    ]
    status = 200
    if form.validate_on_submit():
        try:
            feedback.report_error(
                service,
                form.reason.data or "",
                form.details.data or "",
                form.email.data,
                url_for(".edit_service", service_id=service.id, _external=True),
            )
        except Invalid as error:
            db.session.rollback()
            for name, messages in error.field_errors.items():
                getattr(form, name).errors = list(messages)
            status = FORM_ERROR_STATUS
        else:
            db.session.commit()
            flash(_("Thank you. Your report was sent to the organisation."), "success")
            return redirect(url_for("directory.service_page", service_id=service.id))
    elif form.errors:
        status = FORM_ERROR_STATUS
    return render_template("listings/report.html", form=form, service=service), status


@bp.get("/api/v1/zones")
def zones():
    """?q=rhone → {"results": [{"kind": "departement", "code": "69",
    "label": "Rhône (département 69)", "name": "Rhône"}, …]}: public geography, no login."""
    matches = search_zones(request.args.get("q", ""))
    return jsonify({"results": [asdict(match) for match in matches]})


# ---------------------------------------------------------------------------------------------
# flask listings remind


@bp.cli.command("remind")
@click.option(
    "--base-url",
    envvar="RELAIS_PUBLIC_URL",
    default="http://localhost:5000",
    show_default=True,
    help="Address of the site, for the links in the emails.",
)
def remind(base_url: str):
    """Email the editors of overdue listings (at most once per period; safe to repeat)."""
    from accounts.mail import deliver_pending

    with current_app.test_request_context(base_url=base_url):
        emails, services = reminders.send_reminders(
            date.today(),
            lambda s: url_for("listings.edit_service", service_id=s.id, _external=True),
        )
        db.session.commit()
    sent, failed, given_up = deliver_pending()
    click.echo(
        _(
            "%(services)s overdue service(s), %(emails)s reminder(s) queued; "
            "%(sent)s sent, %(failed)s failed.",
            services=services,
            emails=emails,
            sent=sent,
            failed=failed + given_up,
        )
    )
