"""The page where members write who a service is for: its structured eligibility rule, as rows
of conditions (directory.eligibility_form), saved through directory.editing.set_eligibility.

Registered on the "listings" blueprint of directory.edit_views (same permission check as the
service's edit page). The "add" buttons show the form again with more rows, saving nothing:
the page works without JavaScript.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from accounts.access import verified_required
from directory import editing
from directory.edit_views import FORM_ERROR_STATUS, _service_to_edit, bp
from directory.eligibility_form import (
    ALL_OPERATORS,
    FORM,
    MANUAL,
    MAX_GROUPS,
    MAX_ROWS,
    RuleRows,
    add_rows,
    errors_on_rows,
    fact_choices,
    operator_words,
    read_rows,
    rows_from_rule,
    rule_from_rows,
)
from directory.listing_words import eligibility_in_words
from directory.models import Service
from errors import Invalid
from extensions import db

SAVE, CLEAR = "save", "clear"  # other actions: "add-…" and "refresh" (no save)


class EligibilityForm(FlaskForm):
    """Only the CSRF token: the rows are read by directory.eligibility_form, since their number
    changes with the "add" buttons."""


def _render(service: Service, rows: RuleRows, status: int = 200):
    return render_template(
        "listings/eligibility.html",
        service=service,
        rows=rows,
        form=EligibilityForm(),
        facts=fact_choices(),
        operator_words=operator_words,
        operator_labels={op: operator_words(op) for op in ALL_OPERATORS},
        manual=MANUAL,
        max_rows=MAX_ROWS,
        max_groups=MAX_GROUPS,
        current=eligibility_in_words(service.eligibility),
    ), status


@bp.route("/espace/services/<service_id>/conditions", methods=["GET", "POST"])
@verified_required
def edit_eligibility(service_id: str):
    service = _service_to_edit(service_id)
    if request.method == "GET":
        return _render(service, rows_from_rule(service.eligibility))
    # The CSRF token was checked before the view (CSRFProtect: every POST of the site).
    action = request.form.get("action") or SAVE
    rows = RuleRows([], []) if action == CLEAR else read_rows(request.form)
    if action not in (SAVE, CLEAR):
        add_rows(rows, action)  # "refresh" adds nothing: chosen facts now show their inputs
        return _render(service, rows)
    rule, row_errors = rule_from_rows(rows)
    if row_errors:
        rows.show_errors(row_errors)
        return _render(service, rows, FORM_ERROR_STATUS)
    try:
        editing.set_eligibility(service, rule, current_user)
    except Invalid as error:
        db.session.rollback()
        rows.show_errors(errors_on_rows(rows, error.field_errors) or {FORM: [error.message]})
        return _render(service, rows, FORM_ERROR_STATUS)
    db.session.commit()
    flash(_("Eligibility conditions saved."), "success")
    return redirect(url_for(".edit_service", service_id=service.id))
