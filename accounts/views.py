"""Account pages: sign-up, email confirmation, sign-in (with its second step), sign-out,
password reset, two-factor setup and the account page.

Views parse the form, call one function of accounts.auth, commit, then sign in, render or
redirect. A refused sign-in commits too: its failure must count towards the lockout.
Rate limits (HTTP 429 past them) are per remote address, on the POSTs that try passwords,
codes or send email.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from accounts import access, auth
from accounts.forms import (
    CodeForm,
    ConfirmForm,
    ForgottenPasswordForm,
    LoginForm,
    NewPasswordForm,
    SignUpForm,
)
from directory.models import utcnow
from errors import Invalid
from extensions import db, limiter

bp = Blueprint("accounts", __name__)

# Where a signed-in person lands when no page asked them to sign in: their space
# (organisations.dashboard), or their account page while their address is unconfirmed.
SPACE = "/espace"
# The TOTP secret being set up, until a code from it confirms the app has it.
_TOTP_SETUP_KEY = "relais_totp_setup"


def _too_many() -> str:
    return _("Too many attempts from your connection in a short time. Wait a minute, then "
             "try again.")


def _limit(value: str):
    return limiter.limit(value, methods=["POST"], error_message=_too_many)


def _add_errors(form, error: Invalid) -> None:
    """Show a domain refusal next to the fields it names."""
    for name, messages in error.field_errors.items():
        if name in form:
            form[name].errors = [*form[name].errors, *(m for m in messages
                                                       if m not in form[name].errors)]


def _page(template: str, form, **context):
    """A form page: 400 when it comes back with errors, so scripts and tests see it."""
    return render_template(template, form=form, **context), (400 if form.errors else 200)


def _landing(user, next_path: str | None) -> str:
    return next_path or (SPACE if user.is_verified else url_for("accounts.account"))


# --- sign-up and confirmation ------------------------------------------------------------------


@bp.route("/inscription", methods=["GET", "POST"])
@_limit("5/minute;50/day")
def sign_up():
    form = SignUpForm()
    if form.validate_on_submit():
        try:
            auth.sign_up(form.name.data, form.email.data, form.password.data, now=utcnow())
        except Invalid as error:
            _add_errors(form, error)
        else:
            db.session.commit()
            session["relais_sign_up_email"] = auth.normalise_email(form.email.data)
            return redirect(url_for("accounts.sign_up_sent"))
    return _page("accounts/sign_up.html", form)


@bp.get("/inscription/envoye")
def sign_up_sent():
    # The same page whether or not the address already had an account.
    return render_template("accounts/sign_up_sent.html",
                           email=session.get("relais_sign_up_email"))


@bp.get("/verification/<token>")
def verify_email(token: str):
    user, confirmed_now = auth.verify_email(token, now=utcnow())
    db.session.commit()
    return render_template("accounts/verified.html", confirmed_now=confirmed_now,
                           signed_in=current_user.is_authenticated and current_user.id == user.id)


@bp.post("/verification/nouveau-lien")
@_limit("5/minute")
@access.login_required
def resend_verification():
    if not current_user.is_verified:
        auth.send_verification_email(current_user)
        db.session.commit()
        flash(_("A new confirmation link was sent to %(email)s.", email=current_user.email))
    return redirect(url_for("accounts.account"))


# --- signing in and out ------------------------------------------------------------------------


@bp.route("/login", methods=["GET", "POST"])
@_limit("20/minute")
def login():
    form = LoginForm(next=access.local_path(request.args.get("next")))
    next_path = access.local_path(form.next.data)
    if form.validate_on_submit():
        now = utcnow()
        try:
            user = auth.authenticate(form.email.data, form.password.data, now=now)
        except auth.LoginRefused as refusal:
            db.session.commit()  # the failure counts, even though the sign-in did not happen
            _add_errors(form, refusal)
        else:
            auth.start_session(user)
            if not auth.needs_second_factor(user):
                auth.finish_login(user, now=now)
            db.session.commit()
            access.sign_in(user)
            if auth.needs_second_factor(user):
                return access.redirect_to_second_step(user, next_path)
            return redirect(_landing(user, next_path))
    elif request.method == "GET" and current_user.is_authenticated:
        if access.second_factor_due(current_user):
            return access.redirect_to_second_step(current_user, next_path)
        return redirect(_landing(current_user, next_path))
    return _page("accounts/login.html", form, asked_for=next_path)


@bp.route("/login/2fa", methods=["GET", "POST"])
@_limit("20/minute")
def second_factor():
    next_path = access.local_path(request.values.get("next"))
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login", next=next_path))
    user = current_user._get_current_object()
    if not access.second_factor_due(user):
        return redirect(_landing(user, next_path))
    if not user.has_totp:
        return redirect(url_for("accounts.totp_setup", next=next_path))
    form = CodeForm(next=next_path)
    if form.validate_on_submit():
        try:
            auth.check_second_factor(user, form.code.data, now=utcnow())
        except auth.LoginRefused as refusal:
            db.session.commit()  # a wrong code counts as a failure
            _add_errors(form, refusal)
        else:
            db.session.commit()
            access.mark_second_factor_done()
            return redirect(_landing(user, next_path))
    return _page("accounts/second_factor.html", form)


@bp.post("/logout")
def logout():
    # CSRF-protected like every POST, so no other site can sign people out.
    if current_user.is_authenticated:
        auth.end_session(current_user)
        db.session.commit()
    access.sign_out()
    return redirect(url_for("directory.home"))


# --- password reset ----------------------------------------------------------------------------


@bp.route("/mot-de-passe/oubli", methods=["GET", "POST"])
@_limit("5/minute")
def forgotten_password():
    form = ForgottenPasswordForm()
    if form.validate_on_submit():
        auth.request_password_reset(form.email.data, now=utcnow())
        db.session.commit()
        return redirect(url_for("accounts.reset_sent"))
    return _page("accounts/forgotten_password.html", form)


@bp.get("/mot-de-passe/oubli/envoye")
def reset_sent():
    return render_template("accounts/reset_sent.html")


@bp.route("/mot-de-passe/<token>", methods=["GET", "POST"])
@_limit("20/minute")
def reset_password(token: str):
    user = auth.user_for_reset(token, now=utcnow())  # an expired or used link: 400 page
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            auth.reset_password(token, form.password.data, now=utcnow())
        except Invalid as error:
            _add_errors(form, error)
        else:
            db.session.commit()
            access.sign_out()  # this browser signs in again with the new password
            flash(_("Your password has been changed. Sign in with it now."))
            return redirect(url_for("accounts.login"))
    return _page("accounts/new_password.html", form, user=user)


# --- the account and two-factor authentication -------------------------------------------------


@bp.get("/compte")
@access.login_required
def account():
    return render_template("accounts/account.html", resend_form=ConfirmForm())


@bp.route("/compte/2fa", methods=["GET", "POST"])
@_limit("20/minute")
def totp_setup():
    next_path = access.local_path(request.values.get("next"))
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login", next=url_for("accounts.totp_setup")))
    user = current_user._get_current_object()
    if user.has_totp:
        if access.second_factor_due(user):
            return redirect(url_for("accounts.second_factor", next=next_path or request.path))
        return render_template("accounts/totp_enabled.html", form=CodeForm())
    secret = session.get(_TOTP_SETUP_KEY) or auth.new_totp_secret()
    session[_TOTP_SETUP_KEY] = secret
    form = CodeForm(next=next_path)
    if form.validate_on_submit():
        completing_sign_in = access.second_factor_due(user)
        now = utcnow()
        try:
            auth.enable_totp(user, secret, form.code.data, now=now)
        except Invalid as error:
            _add_errors(form, error)
        else:
            if completing_sign_in:
                auth.finish_login(user, now=now)
            db.session.commit()
            session.pop(_TOTP_SETUP_KEY, None)
            access.mark_second_factor_done()
            flash(_("Two-factor authentication is on. You will enter a code each time you "
                    "sign in."))
            return redirect(next_path or url_for("accounts.account"))
    return _page("accounts/totp_setup.html", form, secret=secret,
                 uri=auth.totp_uri(user, secret), required=user.is_platform_admin)


@bp.post("/compte/2fa/desactiver")
@_limit("20/minute")
@access.login_required
def totp_disable():
    form = CodeForm()
    if form.validate_on_submit():
        try:
            auth.disable_totp(current_user, form.code.data, now=utcnow())
        except Invalid as error:
            _add_errors(form, error)
        else:
            db.session.commit()
            flash(_("Two-factor authentication is off."))
            return redirect(url_for("accounts.account"))
    return _page("accounts/totp_enabled.html", form)
