"""Who may open a page: the decorators views use, and the signed-in session itself.

- `login_required`: anonymous people are sent to /login?next=<this page>; someone whose
  second factor is due (every platform administrator, and whoever turned TOTP on) is sent to
  give it first — or, for an administrator who has none yet, to set it up.
- `verified_required`: as login_required, and the address must be confirmed; otherwise a
  page (403) says so and offers a new confirmation link.
- `platform_admin_required`: as login_required (so the second factor was given in this
  session), and the user is a platform administrator; otherwise 403.

The second factor is marked in the session under permissions.SECOND_FACTOR_DONE
("relais_2fa"), the key accounts.permissions reads too.
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user

from accounts.auth import needs_second_factor
from accounts.models import User
from accounts.permissions import SECOND_FACTOR_DONE, second_factor_done
from errors import Forbidden
from extensions import login_manager

# For code that uses Flask-Login directly (login_manager.unauthorized()).
login_manager.login_view = "accounts.login"
login_manager.login_message = _l("Sign in to see this page.")
login_manager.login_message_category = "info"

# Session keys kept across sign-in and sign-out: the reader's choice of language.
_KEPT_ACROSS_SESSIONS = ("lang",)


def local_path(target: str | None) -> str | None:
    """`target` if it is a path on this site ("/espace?x=1"), else None: a "next" parameter
    must never send someone to another site (//evil.example, https://…, /\\evil…)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in target):
        return None
    return target


def _this_page() -> str | None:
    # Only a GET can be replayed after signing in; a form posted anonymously starts over.
    if request.method != "GET":
        return None
    return local_path(request.full_path.rstrip("?"))


def second_factor_due(user: User) -> bool:
    """Whether `user` still has to give their second factor in this session."""
    return needs_second_factor(user) and not second_factor_done()


def redirect_to_second_step(user: User, next_path: str | None):
    """The code step, or, for an administrator with no TOTP yet, its setup."""
    endpoint = "accounts.second_factor" if user.has_totp else "accounts.totp_setup"
    return redirect(url_for(endpoint, next=next_path))


def login_required(view):
    """Signed in, with the second factor when it is due."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("accounts.login", next=_this_page()))
        if second_factor_due(current_user):
            return redirect_to_second_step(current_user, _this_page())
        return view(*args, **kwargs)

    return wrapper


def verified_required(view):
    """Signed in with a confirmed email address: needed to act for an organisation."""

    @login_required
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_verified:
            return render_template("accounts/verify_first.html"), 403
        return view(*args, **kwargs)

    return wrapper


def platform_admin_required(view):
    """A platform administrator who gave their second factor in this session."""

    @login_required
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_platform_admin:
            raise Forbidden(_("This page is for platform administrators."))
        return view(*args, **kwargs)

    return wrapper


# --- the session ---------------------------------------------------------------------------


def _fresh_session() -> None:
    """Empty the session (so nothing set before carries over), keeping the language."""
    kept = {key: session[key] for key in _KEPT_ACROSS_SESSIONS if key in session}
    session.clear()
    session.update(kept)


def sign_in(user: User) -> None:
    """Open a new session for `user` (their token was just replaced by auth.start_session):
    the cookie changes entirely, and the second factor is not yet given."""
    _fresh_session()
    login_user(user)


def mark_second_factor_done() -> None:
    session[SECOND_FACTOR_DONE] = True


def sign_out() -> None:
    logout_user()
    _fresh_session()
