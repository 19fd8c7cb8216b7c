"""The person's own space: with an account, a person sees their referrals, their consents and
who read their data when; withdraws a consent (from the page, or from a link in any email);
downloads all their data as JSON; and asks for erasure, carried out after the legal checks by
erase_person(), which a platform administrator triggers from referrals/erasure_views.py.
One referral's own page (timeline, messages, cancelling) is referrals/self_referral_views.py.

The person is found through Person.user_id = the signed-in user. Their own reads go through
the ledger (consent.read_person) like anyone's, so they are audited too; the "who read my data"
list leaves out the person's own reads, which would otherwise fill it at each visit.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from babel import dates as babel_dates
from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    json,
    redirect,
    render_template,
    url_for,
)
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from itsdangerous import BadSignature, URLSafeTimedSerializer

from accounts import permissions
from accounts.access import verified_required
from accounts.mail import queue_email
from accounts.models import ACTIVE, Membership, User
from directory.hours import TIMEZONE as PARIS
from directory.models import Organisation
from errors import NotFound
from extensions import db
from referrals import audit
from referrals import consent as ledger
from referrals.models import (
    BY_PHONE,
    CATEGORIES,
    IN_PERSON,
    ONLINE,
    PURPOSE_FOLLOW_UP,
    PURPOSE_REFERRAL,
    AuditEntry,
    Consent,
    FollowUp,
    Person,
    Referral,
    ReferralEvent,
    ReferralMessage,
)
from referrals.notifications import status_label

bp = Blueprint("own_space", __name__)

WITHDRAWAL_SALT = "consent-withdrawal"
AUDIT_LINES_SHOWN = 200
ERASED = "—"
ERASED_IDENTITY_KEY = "erased"
# The audit lines the person is shown ("who read my data, when").
SHOWN_ACTIONS = ("read", "read-refused", "transition", "consent-given", "consent-withdrawn",
                 "export", "erasure-requested", "document-added", "document-deleted")
RECEIVER_ACTIONS = ("open", "accept", "decline", "start", "complete")

PURPOSE_LABELS = {
    PURPOSE_REFERRAL: _l("a referral to a service"),
    PURPOSE_FOLLOW_UP: _l("being accompanied"),
}
METHOD_LABELS = {
    ONLINE: _l("online, by you"),
    IN_PERSON: _l("in person, to an advisor"),
    BY_PHONE: _l("by phone, to an advisor"),
}
ACTION_LABELS = {
    "read": _l("read your data"),
    "read-refused": _l("asked to read your data and was refused"),
    "transition": _l("changed the state of a referral"),
    "consent-given": _l("recorded a consent"),
    "consent-withdrawn": _l("withdrew a consent"),
    "export": _l("downloaded your data"),
    "erasure-requested": _l("asked for your record to be erased"),
    "document-added": _l("added a document to your file"),
    "document-deleted": _l("deleted a document of your file"),
}


# ---------------------------------------------------------------------------------------------
# Domain functions


def own_person(user: User | None) -> Person | None:
    """The live record whose account is `user`, if any."""
    if user is None or getattr(user, "id", None) is None:
        return None
    return db.session.scalar(sa.select(Person).where(Person.user_id == user.id,
                                                     Person.erased_at.is_(None)))


def own_consent(user: User | None, consent_id: uuid.UUID) -> Consent:
    """One of the user's own consents; NotFound for anyone else's (or none)."""
    person = own_person(user)
    consent = db.session.get(Consent, consent_id)
    if person is None or consent is None or consent.person_id != person.id:
        raise NotFound(_("This consent does not exist, or it is not yours."))
    return consent


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=WITHDRAWAL_SALT)


def withdrawal_token(consent: Consent) -> str:
    return _serializer().dumps(str(consent.id))


def withdrawal_link(consent: Consent) -> str:
    """The link, for emails, that lets the person withdraw this consent without signing in
    (absolute within a request, a path otherwise)."""
    token = withdrawal_token(consent)
    try:
        return url_for("own_space.withdraw_by_link", token=token, _external=True)
    except RuntimeError:  # no request, no SERVER_NAME: a path
        return f"/consentement/retrait/{token}"


def consent_from_token(token: str) -> Consent:
    """The consent a withdrawal link names; NotFound for a forged or altered link."""
    try:
        consent_id = uuid.UUID(str(_serializer().loads(token)))
    except (BadSignature, ValueError, TypeError):
        raise NotFound(_("This link is not valid. Check that it was copied whole.")) from None
    consent = db.session.get(Consent, consent_id)
    if consent is None:
        raise NotFound(_("This link is not valid. Check that it was copied whole."))
    return consent


def referrals_of(person: Person) -> list[Referral]:
    return list(db.session.scalars(
        sa.select(Referral).where(Referral.person_id == person.id)
        .order_by(Referral.created_at.desc())))


def audit_lines(person: Person, *, limit: int | None = AUDIT_LINES_SHOWN,
                shown_only: bool = True) -> list[AuditEntry]:
    """The audit lines about the person, newest first. `shown_only`: those the page shows
    (reads, refusals, transitions, consents…), without the person's own reads."""
    query = sa.select(AuditEntry).where(AuditEntry.person_id == person.id)
    if shown_only:
        query = query.where(AuditEntry.action.in_(SHOWN_ACTIONS))
        if person.user_id is not None:
            query = query.where(sa.not_(sa.and_(AuditEntry.action == "read",
                                                AuditEntry.actor_id == person.user_id)))
    query = query.order_by(AuditEntry.id.desc())
    if limit:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def _organisation_names(ids) -> dict[uuid.UUID, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(db.session.execute(
        sa.select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids))).all())


def _memberships(actor_ids) -> set[tuple[uuid.UUID, uuid.UUID]]:
    """(user, organisation) for the active memberships of these users, in one query."""
    ids = {i for i in actor_ids if i is not None}
    if not ids:
        return set()
    return set(db.session.execute(
        sa.select(Membership.user_id, Membership.organisation_id).where(
            Membership.user_id.in_(ids), Membership.status == ACTIVE)).all())


def describe_audit(person: Person, entries: list[AuditEntry]) -> list[dict[str, Any]]:
    """Each audit line in words: who (the organisation, "you", "Relais"), what, when."""
    referrals = {str(r.id): r for r in referrals_of(person)}
    consents = {str(c.id): c for c in person.consents}
    names = _organisation_names(
        [e.organisation_id for e in entries]
        + [g.organisation_id for c in consents.values() for g in c.grants]
        + [r.receiving_organisation_id for r in referrals.values()]
        + [r.sending_organisation_id for r in referrals.values()])
    members = _memberships(e.actor_id for e in entries)
    lines = []
    for entry in entries:
        details = entry.details or {}
        organisation_id = entry.organisation_id
        referral = referrals.get(entry.subject_id or "")
        consent = consents.get(entry.subject_id or "")
        if organisation_id is None and consent is not None and entry.actor_id is not None:
            # An advisor records or withdraws a consent for their own organisation.
            organisation_id = next((g.organisation_id for g in consent.grants
                                    if (entry.actor_id, g.organisation_id) in members), None)
        if organisation_id is None and referral is not None and entry.action == "transition":
            receiving = details.get("action") in RECEIVER_ACTIONS or (
                entry.actor_id, referral.receiving_organisation_id) in members
            organisation_id = (referral.receiving_organisation_id if receiving
                               else referral.sending_organisation_id)
        if person.user_id is not None and entry.actor_id == person.user_id:
            who = _("You")
        elif organisation_id in names:
            who = names[organisation_id]
        elif entry.actor_kind == "system":
            who = _("Relais, automatically")
        elif entry.actor_kind == "magic-link":
            who = _("The service, through its link")
        elif entry.action == "read-refused":
            who = _("An organisation you gave no consent to")
        else:
            who = _("An advisor")
        what = str(ACTION_LABELS.get(entry.action, entry.action))
        if entry.action == "read" and details.get("categories"):
            what = _("read %(data)s", data="; ".join(
                ledger.category_label(c) for c in details["categories"]))
        elif entry.action in ("read", "read-refused") and details.get("category"):
            data = ledger.category_label(details["category"])
            what = (_("read %(data)s", data=data) if entry.action == "read"
                    else _("asked to read %(data)s and was refused", data=data))
        elif entry.action == "transition" and referral is not None:
            what = _("%(service)s: the referral is now %(status)s",
                     service=referral.service.name, status=status_label(details.get("to")))
        lines.append({"who": who, "what": what, "at": entry.at})
    return lines


def _iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.isoformat()


def export_data(user: User, person: Person | None) -> dict[str, Any]:
    """All the person's data, as plain JSON-ready values; the export is audited."""
    exported_at = datetime.now(UTC)
    if person is None:
        return {"exported_at": _iso(exported_at), "person": None, "consents": [],
                "referrals": [], "follow_ups": [], "audit": []}
    view = ledger.read_person(user, person.id, CATEGORIES, purpose="export")
    names = _organisation_names(
        [g.organisation_id for c in person.consents for g in c.grants])
    attesters = dict(db.session.execute(sa.select(User.id, User.name).where(
        User.id.in_({c.attested_by_id for c in person.consents if c.attested_by_id})
    )).all())
    follow_ups = db.session.scalars(sa.select(FollowUp).where(FollowUp.person_id == person.id))
    data = {
        "exported_at": _iso(exported_at),
        "person": {
            "id": str(person.id), "first_name": view.first_name, "last_name": view.last_name,
            "birth_date": _iso(view.birth_date), "email": view.email, "phone": view.phone,
            "preferred_channel": view.preferred_channel,
            "france_travail_id": view.france_travail_id, "created_at": _iso(person.created_at),
        },
        "consents": [{
            "id": str(c.id), "purpose": c.purpose,
            "service": c.service_id and _service_name(c.service_id),
            "organisations": sorted(names.get(g.organisation_id, "") for g in c.grants),
            "categories": list(c.categories), "method": c.method,
            "attested_by": attesters.get(c.attested_by_id), "text": c.text,
            "text_version": c.text_version, "given_at": _iso(c.given_at),
            "expires_at": _iso(c.expires_at), "withdrawn_at": _iso(c.withdrawn_at),
        } for c in person.consents],
        "referrals": [_referral_data(r) for r in referrals_of(person)],
        "follow_ups": [{
            "organisation": f.organisation.name, "needs": list(f.needs or []),
            "since": _iso(f.since), "ended_on": _iso(f.ended_on),
        } for f in follow_ups],
    }
    from referrals.documents import readable_documents  # documents build on this module

    data["documents"] = [{  # their files: the download links of the own space
        "id": str(d.id), "name": d.name, "type": d.media_type, "size": d.size,
        "sha256": d.sha256, "added_at": _iso(d.created_at), "scan": d.scan_status,
        "referral": d.referral_id and str(d.referral_id),
    } for d in readable_documents(user, person)]
    entries = audit_lines(person, limit=None, shown_only=False)
    audit_names = _organisation_names(e.organisation_id for e in entries)
    data["audit"] = [{
        "at": _iso(e.at), "action": e.action, "actor_kind": e.actor_kind,
        "organisation": audit_names.get(e.organisation_id), "subject_type": e.subject_type,
        "subject_id": e.subject_id, "details": e.details or {},
    } for e in reversed(entries)]
    audit.record("export", "person", person.id, actor=user, actor_kind="person",
                 person_id=person.id, details={"referrals": len(data["referrals"]),
                                               "consents": len(data["consents"])})
    return data


def _service_name(service_id) -> str | None:
    from directory.models import Service

    service = db.session.get(Service, service_id)
    return service.name if service else None


def _referral_data(referral: Referral) -> dict[str, Any]:
    return {
        "id": str(referral.id), "service": referral.service.name,
        "receiving_organisation": referral.receiving_organisation.name,
        "sending_organisation": (referral.sending_organisation.name
                                 if referral.sending_organisation else None),
        "self_referral": referral.self_referral, "need": referral.need,
        "motive": referral.motive, "situation": referral.situation,
        "status": referral.status, "decline_reason": referral.decline_reason,
        "outcome": referral.outcome, "created_at": _iso(referral.created_at),
        "sent_at": _iso(referral.sent_at), "updated_at": _iso(referral.updated_at),
        "events": [{"action": e.action, "from": e.from_status, "to": e.to_status,
                    "at": _iso(e.at), "by": e.actor_kind, "reason": e.reason, "note": e.note}
                   for e in referral.events],
        "messages": [{"from": m.author_kind, "at": _iso(m.at), "body": m.body}
                     for m in referral.messages],
    }


def record_erasure_request(user: User, person: Person) -> AuditEntry:
    """Record the person's request for erasure and tell the platform administrators that it
    awaits the legal checks (the email names no one: it leaves the platform)."""
    entry = audit.record("erasure-requested", "person", person.id, actor=user,
                         actor_kind="person", person_id=person.id)
    admins = db.session.scalars(sa.select(User.email).where(User.is_platform_admin.is_(True)))
    for email in admins:
        queue_email(
            email, _("Relais: a request for erasure awaits the legal checks"),
            _("A person asked Relais to erase their record (reference %(reference)s, "
              "request of %(date)s).\n\nIt awaits the legal checks (retention duties, "
              "open proceedings) before it is carried out.",
              reference=person.id, date=entry.at.strftime("%d/%m/%Y %H:%M UTC")))
    return entry


def erasure_requested_at(person: Person) -> datetime | None:
    return db.session.scalar(
        sa.select(sa.func.max(AuditEntry.at)).where(AuditEntry.person_id == person.id,
                                                    AuditEntry.action == "erasure-requested"))


def erase_person(person: Person, by: User | None, *, now: datetime | None = None) -> None:
    """Carry out an erasure once the legal checks are done: the identity and contact fields
    go (names become "—"), every consent is withdrawn, follow-ups end, the referrals keep only
    their skeleton (service, organisations, status, dates) and lose the words written about
    the person; the audit log stays whole and records the erasure."""
    now = now or datetime.now(UTC)
    for consent in person.consents:
        ledger.withdraw(consent, by=by, on_behalf=True, now=now)
    person.first_name = person.last_name = ERASED
    person.birth_date = person.email = person.phone = person.france_travail_id = None
    person.identity_key = ERASED_IDENTITY_KEY
    person.user_id = None  # the account would name the record again
    person.erased_at = now
    referrals = referrals_of(person)
    for referral in referrals:
        referral.motive = None
        referral.situation = None
    ids = [r.id for r in referrals]
    if ids:
        db.session.execute(sa.update(ReferralMessage).where(
            ReferralMessage.referral_id.in_(ids)).values(body=ERASED))
        db.session.execute(sa.update(ReferralEvent).where(
            ReferralEvent.referral_id.in_(ids)).values(note=None))
    db.session.execute(sa.update(FollowUp).where(
        FollowUp.person_id == person.id, FollowUp.ended_on.is_(None)).values(ended_on=now.date()))
    from referrals.documents import erase_documents  # documents build on this module

    erase_documents(person, by, now)
    db.session.flush()
    audit.record("erased", "person", person.id, actor=by, person_id=person.id, now=now,
                 details={"referrals": len(ids)})


# ---------------------------------------------------------------------------------------------
# Pages


class ConfirmForm(FlaskForm):
    """A button and its CSRF token."""


def _date(value) -> str:
    return format_date(value, "d MMMM y") if value else ""


def _when(value) -> str:
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return babel_dates.format_datetime(value, "d MMMM y, HH:mm", tzinfo=PARIS,
                                       locale=str(get_locale() or "fr"))


def _consent_rows(consents: list[Consent]) -> list[dict[str, Any]]:
    names = _organisation_names(g.organisation_id for c in consents for g in c.grants)
    attesters = dict(db.session.execute(sa.select(User.id, User.name).where(
        User.id.in_({c.attested_by_id for c in consents if c.attested_by_id}))).all())
    now = datetime.now(UTC)
    return [{
        "consent": c,
        "organisations": ", ".join(sorted(names.get(g.organisation_id, "") for g in c.grants)),
        "purpose": str(PURPOSE_LABELS.get(c.purpose, c.purpose)),
        "service": c.service_id and _service_name(c.service_id),
        "categories": [ledger.category_label(cat) for cat in c.categories],
        "method": str(METHOD_LABELS.get(c.method, c.method)),
        "attested_by": attesters.get(c.attested_by_id),
        "valid": c.is_valid_at(now),
    } for c in sorted(consents, key=lambda c: c.given_at, reverse=True)]


@bp.get("/mon-espace")
@verified_required
def home():
    user = permissions.current_user_or_none()
    person = own_person(user)
    if person is None:
        db.session.commit()
        return render_template("referrals/own/home.html", person=None, view=None)
    view = ledger.read_person(user, person.id, CATEGORIES, purpose="own space")
    from referrals.document_views import section  # document pages build on this module

    page = render_template(
        "referrals/own/home.html", person=person, view=view, referrals=referrals_of(person),
        consents=_consent_rows(person.consents),
        lines=describe_audit(person, audit_lines(person)),
        erasure_asked=erasure_requested_at(person), form=ConfirmForm(),
        status_label=status_label, date=_date, when=_when,
        documents_section=section(user, person, advisor=False))
    db.session.commit()
    return page


@bp.post("/mon-espace/consentements/<uuid:consent_id>/retirer")
@verified_required
def withdraw(consent_id: uuid.UUID):
    user = permissions.current_user_or_none()
    consent = own_consent(user, consent_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        flash(_("This form could not be read. Reload the page and try again."))
        return redirect(url_for("own_space.home"))
    if ledger.withdraw(consent, by=user):
        flash(_("Your consent is withdrawn: the organisations no longer see your data under "
                "it, starting now."))
    else:
        flash(_("This consent was already withdrawn."))
    db.session.commit()
    return redirect(url_for("own_space.home"))


@bp.route("/consentement/retrait/<token>", methods=["GET", "POST"])
def withdraw_by_link(token: str):
    consent = consent_from_token(token)
    form = ConfirmForm()
    done = False
    if form.validate_on_submit():
        done = ledger.withdraw(consent, by=None)
        db.session.commit()
    return render_template("referrals/own/withdraw_by_link.html", form=form, done=done,
                           consent=_consent_rows([consent])[0], token=token,
                           date=_date, when=_when)


@bp.get("/mon-espace/mes-donnees.json")
@verified_required
def export():
    user = permissions.current_user_or_none()
    data = export_data(user, own_person(user))
    db.session.commit()
    body = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": 'attachment; filename="relais-mes-donnees.json"'})


@bp.post("/mon-espace/effacement")
@verified_required
def request_erasure():
    user = permissions.current_user_or_none()
    person = own_person(user)
    form = ConfirmForm()
    if person is None:
        flash(_("Relais holds no record about you."))
    elif not form.validate_on_submit():
        flash(_("This form could not be read. Reload the page and try again."))
    else:
        record_erasure_request(user, person)
        db.session.commit()
        flash(_("Your request is recorded. Your record will be erased after the legal "
                "checks; you will keep a trace that it was."))
    return redirect(url_for("own_space.home"))
