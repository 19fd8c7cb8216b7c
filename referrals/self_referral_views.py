"""Pages of the person: ask a service to contact them (from its page), and follow one of their
own referrals in /mon-espace (timeline, messages, cancelling a self-referral).

Views parse a form, call referrals.self_referral (or referrals.referrals for the thread),
commit, and redirect or render. The person's own record is read through consent.read_person,
so these reads are audited like anyone's.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from accounts.access import verified_required
from accounts.permissions import current_user_or_none
from directory import catalogue, taxonomy
from directory.eligibility_words import fact_label, value_label
from errors import Conflict, Forbidden, Invalid, NotFound
from extensions import db, limiter
from referrals import consent as ledger
from referrals import referrals as operations
from referrals import self_referral as asking
from referrals.forms import CHANNEL_LABELS, DECLINE_LABELS, OUTCOME_LABELS
from referrals.models import CONTACT, IDENTITY, SITUATION
from referrals.notifications import status_label
from referrals.own_space import own_person
from referrals.self_referral_forms import CancelForm, OwnMessageForm, SelfReferralForm

bp = Blueprint("self_referral", __name__)

FORM_ERROR_STATUS = 422
# Each request reaches an organisation's inbox and emails its members: one account cannot
# flood them.
ASK_RATE_LIMIT = "10 per hour"


def _today():
    return datetime.now(UTC).date()


@bp.app_template_global()
def self_referral_open(service) -> bool:
    """For the service page: whether to offer "Ask to be contacted"."""
    return asking.accepts_self_referrals(service, _today())


def _labels() -> dict:
    locale = str(get_locale() or "fr")
    return {"status": status_label, "decline": DECLINE_LABELS, "outcomes": OUTCOME_LABELS,
            "channels": CHANNEL_LABELS, "fact": fact_label, "value": _fact_value,
            "need": lambda code: taxonomy.label("thematique", code, locale) if code else ""}


def _fact_value(name: str, value) -> str:
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, list):
        return ", ".join(value_label(name, str(v)) for v in value)
    return value_label(name, str(value))


def _own_view(user):
    """The person's own record as they may read it (audited), or None before they have one."""
    person = own_person(user)
    if person is None:
        return None
    return ledger.read_person(user, person.id, [IDENTITY, CONTACT], purpose="self-referral")


# ---------------------------------------------------------------------------------------------
# Asking a service to contact me


def _asker_key() -> str:
    from flask_limiter.util import get_remote_address

    user = current_user_or_none()
    return f"self-referral|{user.id if user is not None else get_remote_address()}"


@bp.route("/services/<service_id>/etre-contacte", methods=["GET", "POST"])
@limiter.limit(ASK_RATE_LIMIT, key_func=_asker_key, methods=["POST"])
@verified_required
def ask(service_id: str):
    user = current_user_or_none()
    service = catalogue.public_service(service_id)
    if not asking.accepts_self_referrals(service, _today()):
        raise NotFound(_("This service does not take requests from people themselves."))
    form = SelfReferralForm()
    form.offer(service)
    warnings: list[str] = []
    left: list[str] = []

    def shown_text() -> str:
        return asking.consent_text_for(service, form.chosen_categories(), form.until(_today()))

    def page(code: int):
        view = _own_view(user)
        db.session.commit()  # the person's own read is audited
        return render_template("referrals/self/ask.html", form=form, service=service,
                               view=view, warnings=warnings, left=left,
                               labels=_labels()), code

    if request.method == "GET":
        view = _own_view(user)
        if view is not None:
            form.email.data, form.phone.data = view.email, view.phone
            form.preferred_channel.data = view.preferred_channel
        else:
            form.email.data = user.email
        asked_need = request.args.get("need")
        if asked_need in service.thematiques:
            form.need.data = asked_need
        form.consent_text.data = shown_text()
        return page(200)
    if not form.validate_on_submit():
        left.append(_("This form has expired. Please try again."))
        form.consent_text.data = shown_text()
        return page(FORM_ERROR_STATUS)
    shown = shown_text()
    if form.consent_text.data != shown:
        form.consent_text.data = shown
        form.consent_text.errors = [_("The consent text changed with your choices: read the "
                                      "new text, then send again.")]
        form.categories.errors = asking.category_errors(form.chosen_categories())
        return page(FORM_ERROR_STATUS)
    if not form.agree.data:
        form.agree.errors = [_("Tick the box to agree: without your consent the service "
                               "cannot receive your request.")]
        return page(FORM_ERROR_STATUS)
    try:
        asked = asking.ask_to_be_contacted(
            user, service, form.person_data(), categories=form.chosen_categories(),
            text=form.consent_text.data, valid_for=form.valid_for(),
            need=form.need.data or None, motive=form.motive.data,
            situation=form.situation(), confirmed=form.confirmed.data == "1")
    except Invalid as error:
        db.session.rollback()
        left.extend(form.show_errors(error.field_errors))
        return page(FORM_ERROR_STATUS)
    if not asked.done:
        warnings.extend(asked.warnings)
        form.confirmed.data = "1"
        return page(200)
    db.session.commit()
    flash(_("Your request is sent to %(organisation)s. They will contact you; you can follow "
            "it here.", organisation=service.organisation.name), "success")
    return redirect(url_for(".own_referral", referral_id=asked.referral.id))


# ---------------------------------------------------------------------------------------------
# One of my referrals


def _own_or_404(referral_id: str):
    user = current_user_or_none()
    try:
        return user, asking.own_referral(user, referral_id)
    except NotFound:
        db.session.commit()  # the refusal is audited
        raise


def _render_own(referral, user, *, message_form=None, cancel_form=None, status: int = 200):
    situation = None
    if referral.situation:  # the person's own facts, read through the ledger like any read
        ledger.require_category(user, referral.person, SITUATION)
        situation = referral.situation
    messages = operations.thread(referral, user)
    db.session.commit()  # the reads are audited
    return render_template(
        "referrals/own/referral.html", referral=referral, messages=messages,
        situation=situation,
        can_cancel=asking.can_cancel(referral), labels=_labels(),
        message_form=message_form or OwnMessageForm(),
        cancel_form=cancel_form or CancelForm()), status


@bp.get("/mon-espace/orientations/<referral_id>")
@verified_required
def own_referral(referral_id: str):
    user, referral = _own_or_404(referral_id)
    return _render_own(referral, user)


@bp.post("/mon-espace/orientations/<referral_id>/messages")
@verified_required
def post_own_message(referral_id: str):
    user, referral = _own_or_404(referral_id)
    form = OwnMessageForm()
    if not form.validate_on_submit():
        raise Invalid(_("This form could not be read. Reload the page and try again."))
    try:
        operations.post_message(referral, user, form.body.data)
    except Invalid as error:
        db.session.rollback()
        form.show_errors(error.field_errors)
        return _render_own(referral, user, message_form=form, status=FORM_ERROR_STATUS)
    db.session.commit()
    flash(_("Your message is sent."), "success")
    return redirect(url_for(".own_referral", referral_id=referral.id, _anchor="messages"))


@bp.post("/mon-espace/orientations/<referral_id>/annuler")
@verified_required
def cancel_own(referral_id: str):
    user, referral = _own_or_404(referral_id)
    form = CancelForm()
    version = form.version.data or ""
    if not form.validate_on_submit() or not version.isdigit():
        raise Invalid(_("This form could not be read. Reload the page and try again."))
    try:
        asking.cancel_own_referral(user, referral, int(version),
                                   note=(form.note.data or "").strip() or None)
    except (Conflict, Forbidden):
        db.session.rollback()
        raise
    db.session.commit()
    flash(_("Your request is cancelled."), "success")
    return redirect(url_for(".own_referral", referral_id=referral.id))
