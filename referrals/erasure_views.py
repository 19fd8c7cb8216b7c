"""Pages of the platform administrators: the pending requests for erasure with their legal
checks, and the confirmation that carries one out (referrals.erasure)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from accounts.access import platform_admin_required
from accounts.permissions import current_user_or_none
from errors import Invalid
from extensions import db
from referrals import erasure
from referrals.self_referral_forms import ErasureForm

bp = Blueprint("erasure", __name__)

FORM_ERROR_STATUS = 422


@bp.get("/admin/effacements")
@platform_admin_required
def requests():
    return render_template("referrals/erasure/requests.html",
                           pending=erasure.pending_requests(), done=erasure.recent_erasures())


def _review(pending, form: ErasureForm, status: int = 200):
    return render_template("referrals/erasure/review.html", pending=pending, form=form,
                           min_length=erasure.OVERRIDE_MIN_LENGTH), status


@bp.get("/admin/effacements/<person_id>")
@platform_admin_required
def review(person_id: str):
    return _review(erasure.pending_request(person_id), ErasureForm())


@bp.post("/admin/effacements/<person_id>/effacer")
@platform_admin_required
def erase(person_id: str):
    user = current_user_or_none()
    form = ErasureForm()
    pending = erasure.pending_request(person_id)
    if not form.validate_on_submit():
        raise Invalid(_("This form could not be read. Reload the page and try again."))
    try:
        erasure.carry_out(user, person_id, form.override.data)
    except Invalid as error:
        db.session.rollback()
        form.show_errors(error.field_errors)
        return _review(pending, form, FORM_ERROR_STATUS)
    db.session.commit()
    flash(_("The record %(reference)s is erased; the audit log keeps the trace.",
            reference=pending.reference), "success")
    return redirect(url_for(".requests"))
