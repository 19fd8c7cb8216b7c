"""Signed links sent by email: email verification (48 hours) and password reset (1 hour).

Tokens are signed with the app's SECRET_KEY (itsdangerous), each kind with its own salt so a
token of one kind is never accepted as the other. Nothing is stored: a verification token names
the user and the address it was sent to (so it dies if the address changes); a reset token
names the user and a fingerprint of their current password hash, so it works once — setting
the new password changes the hash and every earlier reset link stops matching.

Readers take `now`, so expiry is decided against a clock the caller (and a test) chooses.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer

from accounts.models import User
from errors import Invalid

VERIFICATION_MAX_AGE = timedelta(hours=48)
RESET_MAX_AGE = timedelta(hours=1)
_VERIFICATION_SALT = "relais.email-verification"
_RESET_SALT = "relais.password-reset"


class ExpiredLink(Invalid):
    """A genuine link, too old."""


class BadLink(Invalid):
    """A link that was not made by Relais, was altered, or no longer applies."""


@dataclass(frozen=True)
class VerificationClaim:
    user_id: uuid.UUID
    email: str


@dataclass(frozen=True)
class ResetClaim:
    user_id: uuid.UUID
    fingerprint: str


def _bad_link() -> BadLink:
    return BadLink(_("This link is not valid. Check that you copied all of it, or ask for a "
                     "new one."))


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def password_fingerprint(user: User) -> str:
    """A short digest of the user's password hash: it changes whenever the password does."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:24]


def make_verification_token(user: User) -> str:
    """The token of the link that confirms `user` owns their email address."""
    return _serializer(_VERIFICATION_SALT).dumps({"u": str(user.id), "e": user.email})


def make_reset_token(user: User) -> str:
    """The token of the link that lets `user` choose a new password, once."""
    return _serializer(_RESET_SALT).dumps({"u": str(user.id), "f": password_fingerprint(user)})


def _load(token: str, salt: str, max_age: timedelta, now: datetime, expired_message: str):
    try:
        payload, signed_at = _serializer(salt).loads(token, return_timestamp=True)
    except BadSignature:
        raise _bad_link() from None
    if now - signed_at.astimezone(UTC) > max_age:
        raise ExpiredLink(expired_message)
    if not isinstance(payload, dict):
        raise _bad_link()
    return payload


def read_verification_token(token: str, *, now: datetime) -> VerificationClaim:
    """Who and which address a verification token speaks for. Raises ExpiredLink after 48
    hours and BadLink when the token is forged or altered."""
    payload = _load(token, _VERIFICATION_SALT, VERIFICATION_MAX_AGE, now,
                    _("This confirmation link has expired: links are valid for 48 hours. "
                      "Sign in to receive a new one."))
    try:
        return VerificationClaim(uuid.UUID(payload["u"]), str(payload["e"]))
    except (KeyError, ValueError, TypeError):
        raise _bad_link() from None


def read_reset_token(token: str, *, now: datetime) -> ResetClaim:
    """Who a reset token speaks for. Raises ExpiredLink after 1 hour and BadLink when the
    token is forged or altered (whether it was already used is for the caller to check
    against the current password fingerprint)."""
    payload = _load(token, _RESET_SALT, RESET_MAX_AGE, now,
                    _("This link to choose a new password has expired: links are valid for "
                      "one hour. Ask for a new one."))
    try:
        return ResetClaim(uuid.UUID(payload["u"]), str(payload["f"]))
    except (KeyError, ValueError, TypeError):
        raise _bad_link() from None
