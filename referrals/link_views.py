"""Pages of a magic link (referrals/magic_link.py): the one referral it opens, the actions
it allows, its thread, and asking for a fresh link once it has expired.

The token is the only credential: every route opens it first, and the holder then acts
through the same functions as a signed-in receiver (referrals.referrals with a LinkHolder
principal, the page of referrals.views), so the ledger and the transition table decide
exactly as they do for members. Link pages are never cached and send no Referer, since their
address is the credential.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from errors import Conflict, Forbidden, Invalid, NotFound
from extensions import db, limiter
from referrals import magic_link
from referrals import referrals as operations
from referrals.forms import ActionForm, ConfirmForm, MessageForm
from referrals.magic_link import LINK_ACTIONS, LinkClosed
from referrals.notifications import queue_magic_link, status_label
from referrals.transitions import RECEIVER, TRANSITIONS
from referrals.views import FORM_ERROR_STATUS, _render_referral

bp = Blueprint("magic_link", __name__)

# Asking for a fresh link emails the organisation: a few asks per visitor per hour.
RENEWAL_RATE_LIMIT = "5 per hour"
GONE = 410


@bp.after_request
def _no_leak(response):
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


def _closed_page(closed: LinkClosed):
    db.session.commit()
    status = 403 if closed.state == magic_link.SIGN_IN else GONE
    return render_template("referrals/magic_link_closed.html", closed=closed,
                           form=ConfirmForm(), sign_in=closed.state == magic_link.SIGN_IN,
                           address=magic_link.masked(closed.link.organisation.email or "")), \
        status


def _magic(token: str, link) -> dict:
    return {"token": token, "actions": LINK_ACTIONS, "address": link.address,
            "expires_at": link.expires_at}


def _bad_form() -> Invalid:
    return Invalid(_("This form could not be read. Reload the page and try again."))


@bp.get("/orientation/lien/<token>")
def show(token: str):
    try:
        link, holder = magic_link.open_link(token)
    except LinkClosed as closed:
        return _closed_page(closed)
    referral = link.referral
    if referral.status in TRANSITIONS["open"].sources:
        try:
            operations.act(referral, "open", holder, referral.version)
            db.session.commit()
        except Conflict:
            db.session.rollback()  # opened by someone else at this moment: it is opened
            link, holder = magic_link.open_link(token)
            referral = link.referral
    return _render_referral(referral, holder, {RECEIVER}, magic=_magic(token, link))


@bp.post("/orientation/lien/<token>/messages")
def post_message(token: str):
    try:
        link, holder = magic_link.open_link(token)
    except LinkClosed as closed:
        return _closed_page(closed)
    form = MessageForm()
    if not form.validate_on_submit():
        raise _bad_form()
    try:
        operations.post_message(link.referral, holder, form.body.data)
    except Invalid as error:
        db.session.rollback()
        form.show_errors(error.field_errors)
        link, holder = magic_link.open_link(token)
        return _render_referral(link.referral, holder, {RECEIVER}, message_form=form,
                                status=FORM_ERROR_STATUS, magic=_magic(token, link))
    except (Forbidden, NotFound):
        db.session.commit()  # the refusal is audited
        raise
    db.session.commit()
    flash(_("Your message is sent."), "success")
    return redirect(url_for(".show", token=token, _anchor="messages"))


@bp.post("/orientation/lien/<token>/renouveler")
@limiter.limit(RENEWAL_RATE_LIMIT, methods=["POST"])
def renew(token: str):
    link = magic_link.find(token)
    if not ConfirmForm().validate_on_submit():
        raise _bad_form()
    issued = magic_link.renew(token)
    if issued is not None:
        queue_magic_link(issued.link.referral, issued)
    address = magic_link.masked(issued.link.address if issued else link.address)
    db.session.commit()
    return render_template("referrals/magic_link_renewed.html", sent=issued is not None,
                           address=address)


@bp.post("/orientation/lien/<token>/<action>")
def act(token: str, action: str):
    try:
        link, holder = magic_link.open_link(token)
    except LinkClosed as closed:
        return _closed_page(closed)
    magic_link.check_action(action)
    form = ActionForm()
    if not form.validate_on_submit():
        raise _bad_form()
    version = int(form.version.data) if (form.version.data or "").isdigit() else None
    if version is None:
        raise _bad_form()
    referral = link.referral
    try:
        operations.act(referral, action, holder, version, reason=form.reason.data or None,
                       outcome=form.outcome.data or None,
                       note=(form.note.data or "").strip() or None)
    except Invalid as error:
        db.session.rollback()
        form.show_errors(error.field_errors)
        link, holder = magic_link.open_link(token)
        return _render_referral(link.referral, holder, {RECEIVER}, failed=action,
                                action_form=form, status=FORM_ERROR_STATUS,
                                magic=_magic(token, link))
    db.session.commit()
    flash(_("Done: the referral is now %(status)s.", status=status_label(referral.status)),
          "success")
    return redirect(url_for(".show", token=token))
