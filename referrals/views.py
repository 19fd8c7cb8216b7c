"""Pages of advisors and receiving organisations: record a person with their consent, see a
person's record, refer them to a service, the inbox of referrals, and one referral's page
(timeline, the person's data as the consent allows, the message thread, the actions).

Views parse a form, call referrals.people / referrals.consent / referrals.referrals, commit,
and redirect or render. Every read of the person goes through consent.read_person (or
require_category); a refused read is committed (it is audited) before the page says "not
found". Only ids appear in addresses.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from accounts.access import verified_required
from accounts.models import ACTIVE, Membership
from accounts.permissions import current_user_or_none
from directory import taxonomy
from directory.eligibility_words import fact_label, value_label
from directory.models import MODERATION_REFUSED, Organisation, Service
from errors import Conflict, Forbidden, Invalid, NotFound
from extensions import db
from referrals import audit, document_views, people
from referrals import consent as ledger
from referrals import referrals as operations
from referrals.forms import (
    ACTION_LABELS,
    CATEGORY_LABELS,
    CHANNEL_LABELS,
    DECLINE_LABELS,
    METHOD_LABELS,
    OUTCOME_LABELS,
    ActionForm,
    ConfirmForm,
    MessageForm,
    PersonForm,
    ReferralForm,
)
from referrals.models import (
    CONTACT,
    DRAFT,
    HELD,
    IDENTITY,
    PURPOSE_FOLLOW_UP,
    PURPOSE_REFERRAL,
    REFERRAL_STATUSES,
    SITUATION,
    Consent,
    Person,
    Referral,
)
from referrals.notifications import status_label
from referrals.transitions import RECEIVER, SENDER, TRANSITIONS, allowed_actions

bp = Blueprint("referrals", __name__)

FORM_ERROR_STATUS = 422
INBOX_LIMIT = 200
# Actions a person takes by opening the page, never by a button.
IMPLICIT_ACTIONS = {"open"}


def _locale() -> str:
    return str(get_locale() or "fr")


def _bad_form() -> Invalid:
    return Invalid(_("This form could not be read. Reload the page and try again."))


def _uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None


# ---------------------------------------------------------------------------------------------
# Who acts, for which organisation


def _member():
    """The signed-in user and the organisations they act for (active memberships of
    organisations not refused by moderation), or Forbidden."""
    user = current_user_or_none()
    organisations = list(db.session.scalars(
        sa.select(Organisation).join(Membership, Membership.organisation_id == Organisation.id)
        .where(Membership.user_id == user.id, Membership.status == ACTIVE,
               Organisation.moderation_status != MODERATION_REFUSED)
        .order_by(Organisation.name)))
    if not organisations:
        raise Forbidden(_("These pages are for members of an organisation."))
    return user, organisations


def _acting(organisations: list[Organisation]) -> Organisation:
    """The organisation named by the `org` parameter among the user's, else the first."""
    wanted = _uuid(request.values.get("org"))
    return next((o for o in organisations if o.id == wanted), organisations[0])


def _read_person(user, person_id, categories, purpose: str):
    """consent.read_person, with the refusal committed to the audit log before the 404."""
    try:
        return ledger.read_person(user, person_id, categories, purpose=purpose)
    except NotFound:
        db.session.commit()
        raise


def _referral_or_404(referral_id) -> Referral:
    referral = db.session.get(Referral, _uuid(referral_id)) if _uuid(referral_id) else None
    if referral is None:
        raise NotFound(_("This referral does not exist, or you cannot see it."))
    return referral


def _roles_or_404(user, referral: Referral) -> set[str]:
    """The user's roles on the referral; someone with none learns nothing (audited)."""
    roles = operations.roles_of(user, referral)
    if not roles:
        audit.record("read-refused", "referral", referral.id, actor=user,
                     person_id=referral.person_id, details={"reason": "no role"})
        db.session.commit()
        raise NotFound(_("This referral does not exist, or you cannot see it."))
    return roles


def _referral_service(value) -> Service | None:
    """A service that takes referrals now, or None."""
    service = db.session.get(Service, _uuid(value)) if _uuid(value) else None
    if service is None or not (service.is_public() and service.is_active(datetime.now(UTC).date())):
        return None
    return service


def _shown_text(form, purpose: str, organisations, service=None) -> str:
    """The consent text for the choices in the form, as consent.consent_text words it."""
    until = form.until(datetime.now(UTC).date())
    return str(ledger.consent_text(purpose, organisations, form.chosen_categories(), until,
                                   service=service))


def _text_still_shown(form, shown: str) -> bool:
    """Whether the text posted back is the one these choices give; otherwise the form comes
    back with the new text to read to the person (what is stored is what was shown)."""
    if form.consent_text.data == shown:
        return True
    form.consent_text.data = shown
    form.consent_text.errors = [_("The consent text changed with your choices: read the new "
                                  "text to the person, then save again.")]
    return False


def _labels() -> dict:
    return {"methods": METHOD_LABELS, "categories": CATEGORY_LABELS,
            "channels": CHANNEL_LABELS, "decline": DECLINE_LABELS, "outcomes": OUTCOME_LABELS,
            "actions": ACTION_LABELS, "status": status_label,
            "need": lambda code: taxonomy.label("thematique", code, _locale()) if code else "",
            "fact": fact_label, "value": _fact_value_label}


def _fact_value_label(name: str, value) -> str:
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, list):
        return ", ".join(value_label(name, str(v)) for v in value)
    return value_label(name, str(value))


# ---------------------------------------------------------------------------------------------
# Recording a person


@bp.route("/espace/personnes/nouvelle", methods=["GET", "POST"])
@verified_required
def new_person():
    user, organisations = _member()
    organisation = _acting(organisations)
    form = PersonForm()
    locale = _locale()
    form.needs.choices = [(c.code, c.label(locale)) for c in taxonomy.categories()]
    if request.method == "GET":
        form.service.data = request.args.get("service", "")
    shown = _shown_text(form, PURPOSE_FOLLOW_UP, [organisation])
    existing = None

    def page(code: int):
        return render_template("referrals/new_person.html", form=form,
                               organisation=organisation, organisations=organisations,
                               existing=existing, labels=_labels()), code

    if request.method == "GET":
        form.consent_text.data = shown
        return page(200)
    if not form.validate_on_submit():
        form.consent_text.data = shown
        return page(FORM_ERROR_STATUS) if form.errors else page(200)
    if not _text_still_shown(form, shown):
        return page(FORM_ERROR_STATUS)
    if form.confirmed.data != "1":
        try:
            values = people.clean_person(form.person_data())
        except Invalid as error:
            db.session.rollback()
            form.show_errors(error.field_errors)
            return page(FORM_ERROR_STATUS)
        existing = people.find_existing(organisation, values["last_name"], values["first_name"],
                                        values["birth_date"], actor=user)
        db.session.commit()  # the lookup is audited
        if existing.records or existing.elsewhere:
            form.confirmed.data = "1"
            return page(200)
        existing = None
    try:
        person = people.create_person(user, organisation, form.person_data(),
                                      form.consent_data())
    except Invalid as error:
        db.session.rollback()
        form.show_errors(error.field_errors)
        return page(FORM_ERROR_STATUS)
    db.session.commit()
    flash(_("The record is created with the person's consent."), "success")
    if _referral_service(form.service.data) is not None:
        return redirect(url_for(".new_referral", person_id=person.id, service=form.service.data,
                                org=organisation.id))
    return redirect(url_for(".person", person_id=person.id))


# ---------------------------------------------------------------------------------------------
# A person's record


@bp.get("/espace/personnes/<person_id>")
@verified_required
def person(person_id: str):
    user, organisations = _member()
    view = _read_person(user, person_id, [IDENTITY, CONTACT], "person page")
    record = db.session.get(Person, view.id)
    mine = {o.id for o in organisations}
    their_referrals = db.session.scalars(
        sa.select(Referral).where(
            Referral.person_id == record.id,
            sa.or_(Referral.sending_organisation_id.in_(mine),
                   sa.and_(Referral.receiving_organisation_id.in_(mine),
                           Referral.status.not_in((DRAFT, HELD)))))
        .order_by(Referral.created_at.desc())).all()
    try:
        group = people.follow_up_group(user, record)
    except Forbidden:
        group = None
    consents = sorted(ledger.valid_consents(record.id, mine), key=lambda c: c.given_at)
    documents_section = document_views.section(user, record, organisation=_acting(organisations))
    db.session.commit()  # the reads are audited
    return render_template("referrals/person.html", view=view, referrals=their_referrals,
                           group=group, consents=consents, form=ConfirmForm(),
                           organisation=_acting(organisations), labels=_labels(),
                           documents_section=documents_section)


@bp.post("/espace/consentements/<consent_id>/retirer")
@verified_required
def withdraw_consent(consent_id: str):
    user, organisations = _member()
    mine = {o.id for o in organisations}
    consent = db.session.get(Consent, _uuid(consent_id)) if _uuid(consent_id) else None
    if consent is None or not (consent.organisation_ids & mine):
        raise NotFound(_("This consent does not exist, or you cannot see it."))
    if not ConfirmForm().validate_on_submit():
        raise _bad_form()
    if ledger.withdraw(consent, by=user, on_behalf=True):
        flash(_("The consent is withdrawn: what it covered is no longer shared."), "success")
    else:
        flash(_("This consent was already withdrawn."))
    person_id = consent.person_id
    db.session.commit()
    if ledger.valid_consents(person_id, mine):
        return redirect(url_for(".person", person_id=person_id))
    return redirect(url_for(".inbox"))


# ---------------------------------------------------------------------------------------------
# Referring a person


def _services_named(text: str) -> list[Service]:
    """Services taking referrals whose name contains `text` (to choose one)."""
    if len(text.strip()) < 2:
        return []
    found = db.session.scalars(
        sa.select(Service).where(Service.name.ilike(f"%{text.strip()}%"))
        .order_by(Service.name).limit(50))
    return [s for s in found if _referral_service(s.id) is not None][:20]


@bp.route("/espace/personnes/<person_id>/orienter", methods=["GET", "POST"])
@verified_required
def new_referral(person_id: str):
    user, organisations = _member()
    organisation = _acting(organisations)
    view = _read_person(user, person_id, [IDENTITY], "referral")
    record = db.session.get(Person, view.id)
    form = ReferralForm()
    chosen = form.service.data if request.method == "POST" else request.args.get("service")
    service = _referral_service(chosen)
    if service is None:
        if request.method == "POST":
            raise Invalid(_("This service does not take referrals now."))
        query = request.args.get("q", "")
        results = _services_named(query)
        db.session.commit()
        return render_template("referrals/choose_service.html", view=view, query=query,
                               results=results, organisation=organisation)
    form.offer(service)
    shown = _shown_text(form, PURPOSE_REFERRAL, [service.organisation], service)
    left: list[str] = []

    def page(code: int):
        db.session.commit()  # the read of the person is audited
        return render_template("referrals/new_referral.html", form=form, view=view,
                               service=service, organisation=organisation,
                               organisations=organisations, left=left,
                               labels=_labels()), code

    if request.method == "GET":
        form.service.data = str(service.id)
        form.consent_text.data = shown
        return page(200)
    if not form.validate_on_submit():
        form.consent_text.data = shown
        left.append(_("This form has expired. Please try again."))
        return page(FORM_ERROR_STATUS)
    if not _text_still_shown(form, shown):
        return page(FORM_ERROR_STATUS)
    try:
        consent = ledger.give_consent(
            record, purpose=PURPOSE_REFERRAL, organisations=[service.organisation],
            categories=form.chosen_categories(), method=form.method.data,
            text=form.consent_text.data, attested_by=user, service=service,
            valid_for=form.valid_for())
        referral = operations.draft_referral(user, organisation, record, service,
                                             form.need.data or None, form.motive.data,
                                             form.situation(), consent)
    except Invalid as error:
        db.session.rollback()
        left.extend(form.show_errors(error.field_errors))
        view = _read_person(user, person_id, [IDENTITY], "referral")
        return page(FORM_ERROR_STATUS)
    outcome = operations.send(referral, user, referral.version)
    db.session.commit()
    if outcome.warnings:
        return _confirm_send(referral, outcome.warnings)
    flash(_("The referral is sent."), "success")
    return redirect(url_for(".show", referral_id=referral.id))


def _confirm_send(referral: Referral, warnings):
    return render_template("referrals/confirm_send.html", referral=referral, warnings=warnings,
                           form=ConfirmForm(), labels=_labels())


# ---------------------------------------------------------------------------------------------
# The inbox


@bp.get("/espace/orientations")
@verified_required
def inbox():
    _user, organisations = _member()
    organisation = _acting(organisations)
    box = "sent" if request.args.get("box") == "sent" else "received"
    if box == "sent":
        base = sa.select(Referral).where(Referral.sending_organisation_id == organisation.id)
    else:
        base = sa.select(Referral).where(Referral.receiving_organisation_id == organisation.id,
                                         Referral.status.not_in((DRAFT, HELD)))
    counts = _counts(base)
    status = request.args.get("status", "")
    status = status if status in REFERRAL_STATUSES else ""
    services = list(db.session.scalars(
        sa.select(Service).where(Service.organisation_id == organisation.id)
        .order_by(Service.name))) if box == "received" else []
    service_id = _uuid(request.args.get("service"))
    age = request.args.get("age", "")
    age_days = int(age) if age.isdigit() and int(age) <= 3650 else None
    query = base
    if status:
        query = query.where(Referral.status == status)
    if service_id and any(s.id == service_id for s in services):
        query = query.where(Referral.service_id == service_id)
    if age_days is not None:
        since = datetime.now(UTC) - timedelta(days=age_days)
        query = query.where(sa.func.coalesce(Referral.sent_at, Referral.created_at) >= since)
    referrals = db.session.scalars(
        query.order_by(sa.func.coalesce(Referral.sent_at, Referral.created_at).desc())
        .limit(INBOX_LIMIT)).all()
    return render_template("referrals/inbox.html", box=box, organisation=organisation,
                           organisations=organisations, counts=counts, referrals=referrals,
                           services=services, status=status, service_id=service_id,
                           age=age_days, statuses=REFERRAL_STATUSES, labels=_labels())


def _counts(base) -> dict[str, int]:
    listed = base.subquery()
    return dict(db.session.execute(
        sa.select(listed.c.status, sa.func.count()).group_by(listed.c.status)).all())


# ---------------------------------------------------------------------------------------------
# One referral


def _render_referral(referral: Referral, user, roles: set[str], *, failed: str | None = None,
                     action_form: ActionForm | None = None,
                     message_form: MessageForm | None = None, status: int = 200,
                     magic: dict | None = None):
    """The referral's page for `user` in `roles`. `magic` (referrals/link_views.py): the
    page of a magic link holder, with the link's token and the only actions it allows."""
    try:
        view = ledger.read_person(user, referral.person_id, [IDENTITY, CONTACT],
                                  purpose="referral page")
    except NotFound:
        view = None  # the refusal stays in the audit log: this transaction is committed
    situation = None
    if referral.situation and view is not None:
        try:
            ledger.require_category(user, referral.person, SITUATION)
            situation = referral.situation
        except Forbidden:
            situation = None
    try:
        messages, thread_closed = operations.thread(referral, user), None
    except Forbidden as error:
        messages, thread_closed = None, error.message
    actions = [a for a in allowed_actions(referral, roles) if a not in IMPLICIT_ACTIONS
               and (magic is None or a in magic["actions"])]
    documents_section = None
    if view is not None and magic is None:
        documents_section = document_views.section(
            user, referral.person, referral=referral, organisation=referral.sending_organisation,
            can_add=SENDER in roles and referral.sending_organisation is not None)
    db.session.commit()
    return render_template(
        "referrals/show.html", referral=referral, view=view, situation=situation,
        messages=messages, thread_closed=thread_closed, actions=actions, roles=roles,
        failed=failed, action_form=action_form or ActionForm(),
        message_form=message_form or MessageForm(), labels=_labels(),
        receiver=RECEIVER in roles, sender=SENDER in roles, magic=magic,
        documents_section=documents_section), status


@bp.get("/espace/orientations/<referral_id>")
@verified_required
def show(referral_id: str):
    user, _organisations = _member()
    referral = _referral_or_404(referral_id)
    roles = _roles_or_404(user, referral)
    if (RECEIVER in roles and SENDER not in roles
            and referral.status in TRANSITIONS["open"].sources):
        try:
            operations.act(referral, "open", user, referral.version)
            db.session.commit()
        except Conflict:
            db.session.rollback()  # someone opened it at the same moment: it is opened
            referral = _referral_or_404(referral_id)
    return _render_referral(referral, user, roles)


@bp.post("/espace/orientations/<referral_id>/messages")
@verified_required
def post_message(referral_id: str):
    user, _organisations = _member()
    referral = _referral_or_404(referral_id)
    roles = _roles_or_404(user, referral)
    form = MessageForm()
    if not form.validate_on_submit():
        raise _bad_form()
    try:
        operations.post_message(referral, user, form.body.data)
    except Invalid as error:
        db.session.rollback()
        form.show_errors(error.field_errors)
        return _render_referral(referral, user, roles, message_form=form,
                                status=FORM_ERROR_STATUS)
    except (Forbidden, NotFound):
        db.session.commit()  # the refusal is audited
        raise
    db.session.commit()
    flash(_("Your message is sent."), "success")
    return redirect(url_for(".show", referral_id=referral.id, _anchor="messages"))


@bp.post("/espace/orientations/<referral_id>/<action>")
@verified_required
def act(referral_id: str, action: str):
    user, _organisations = _member()
    referral = _referral_or_404(referral_id)
    roles = _roles_or_404(user, referral)
    if action not in TRANSITIONS or action in IMPLICIT_ACTIONS:
        raise NotFound(_("This action does not exist."))
    form = ActionForm()
    if not form.validate_on_submit():
        raise _bad_form()
    version = int(form.version.data) if (form.version.data or "").isdigit() else None
    if version is None:
        raise _bad_form()
    try:
        outcome = operations.act(referral, action, user, version,
                                 reason=form.reason.data or None,
                                 outcome=form.outcome.data or None,
                                 note=(form.note.data or "").strip() or None,
                                 confirmed=form.confirmed.data == "1")
    except Invalid as error:
        db.session.rollback()
        form.show_errors(error.field_errors)
        return _render_referral(referral, user, roles, failed=action, action_form=form,
                                status=FORM_ERROR_STATUS)
    db.session.commit()
    if outcome.warnings:
        return _confirm_send(referral, outcome.warnings)
    flash(_("Done: the referral is now %(status)s.", status=status_label(referral.status)),
          "success")
    return redirect(url_for(".show", referral_id=referral.id))
