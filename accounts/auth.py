"""Accounts: sign-up, email verification, password checks with lockout, password reset, TOTP.

Plain functions on the database session: they flush, the caller commits (a refused login
still commits, so its failure counts). Every function that depends on the time takes `now`,
so lockout and link expiry are tested by choosing the clock, not by waiting.

Two rules shape this module:
- **Nothing tells a stranger whether an address has an account.** Sign-up and reset answer
  the same whatever the address; the owner is told by email instead. A wrong password and an
  unknown address get the same message after the same argon2 work, and unknown addresses
  are locked out on the same schedule as real accounts (see `_UnknownAddressFailures`).
- **Guessing is slowed per account** by a progressive lockout, on top of the per-address rate
  limits the views declare: 5 consecutive failures lock the account for 1 minute, each
  further one doubles the pause (2, 4, 8 … at most 60 minutes). A wrong second-factor code
  counts as a failure too, and only a complete sign-in clears the count.

Sessions: the session id carries the user's `session_token` (accounts.session). Signing in
replaces it, so one account has one live session — the latest sign-in ends the others.
Signing out replaces it too: since only this session was live, that ends nothing else, and a
copy of this session's cookie dies with it. Setting a new password through a reset link
replaces it as well, ending every session.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pyotp
import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _

from accounts import tokens
from accounts.mail import queue_email
from accounts.models import User, new_session_token
from accounts.passwords import (
    hash_password,
    needs_rehash,
    password_problems,
    spend_verification_time,
    verify_password,
)
from errors import Forbidden, Invalid
from extensions import db

MAX_NAME_LENGTH = 150
MAX_EMAIL_LENGTH = 254
LOCK_AFTER = 5
MAX_LOCK = timedelta(minutes=60)
TOTP_ISSUER = "Relais"
# One address: something@domain.tld, no spaces, no characters that would need quoting.
_EMAIL = re.compile(r"[^@\s<>()\[\]\\,;:\"']+@[^@\s<>()\[\]\\,;:\"']+\.[^@\s<>()\[\]\\,;:\"'.]{2,}")
_NOT_IN_NAMES = re.compile(r"[<>\x00-\x1f\x7f]")


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite gives back naive datetimes; every stored one is UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


# --- what people type --------------------------------------------------------------------------


def normalise_email(text: str) -> str:
    """Addresses are compared and stored trimmed and lower-cased, so "Ana@X.org" and
    "ana@x.org" are one account."""
    return (text or "").strip().lower()


def email_problems(email: str) -> list[str]:
    """What is wrong with `email` (already normalised) as an address to write to."""
    if not email:
        return [_("Enter your email address.")]
    if len(email) > MAX_EMAIL_LENGTH:
        return [_("An email address has at most %(count)d characters.", count=MAX_EMAIL_LENGTH)]
    if not _EMAIL.fullmatch(email):
        return [_("Enter an email address like name@example.org.")]
    return []


def name_problems(name: str) -> list[str]:
    """What is wrong with `name` (already trimmed) as the name shown to other users."""
    if not name:
        return [_("Enter your name.")]
    if len(name) > MAX_NAME_LENGTH:
        return [_("Use at most %(count)d characters.", count=MAX_NAME_LENGTH)]
    if _NOT_IN_NAMES.search(name):
        return [_("A name cannot contain the characters < and >.")]
    return []


def find_user(email: str) -> User | None:
    """The account of an address, if any (the address is normalised first)."""
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


# --- sign-up and verification ------------------------------------------------------------------


def sign_up(name: str, email: str, password: str, *, now: datetime) -> User | None:
    """Create an unverified account and email it a confirmation link.

    Raises Invalid (fields name, email, password) when the input cannot be accepted. When
    the address already has an account nothing is created and None is returned; its owner
    gets an email instead (a fresh confirmation link if it was never confirmed), so the page
    can answer exactly as for a new account and reveal nothing."""
    name, email = (name or "").strip(), normalise_email(email)
    errors = {"name": name_problems(name), "email": email_problems(email),
              "password": password_problems(password or "", email)}
    errors = {field: messages for field, messages in errors.items() if messages}
    if errors:
        raise Invalid(_("Some answers need correcting."), errors)
    # Hash before looking the address up, so both answers take the same time.
    password_hash = hash_password(password)
    existing = find_user(email)
    if existing is not None:
        if existing.is_verified:
            _send_sign_up_attempt_notice(existing)
        else:
            send_verification_email(existing)
        return None
    user = User(name=name, email=email, password_hash=password_hash, created_at=now,
                failed_logins=0, session_token=new_session_token())
    db.session.add(user)
    db.session.flush()
    send_verification_email(user)
    return user


def send_verification_email(user: User) -> None:
    """Queue the email with the link that confirms `user`'s address (valid 48 hours)."""
    link = url_for("accounts.verify_email", token=tokens.make_verification_token(user),
                   _external=True)
    queue_email(
        user.email,
        _("Confirm your email address for Relais"),
        _("Hello %(name)s,\n\n"
          "To confirm your email address and finish creating your Relais account, open this "
          "link within 48 hours:\n\n%(link)s\n\n"
          "If you did not create an account on Relais, ignore this message: nothing will "
          "happen.", name=user.name, link=link),
    )


def _send_sign_up_attempt_notice(user: User) -> None:
    queue_email(
        user.email,
        _("Someone tried to create a Relais account with your address"),
        _("Hello %(name)s,\n\n"
          "Someone, perhaps you, tried to create a Relais account with this email address. "
          "It already has an account, so no new one was created.\n\n"
          "If it was you, sign in here:\n%(login)s\n\n"
          "If you forgot your password, choose a new one here:\n%(reset)s\n\n"
          "If it was not you, you can ignore this message: your account has not changed.",
          name=user.name, login=url_for("accounts.login", _external=True),
          reset=url_for("accounts.forgotten_password", _external=True)),
    )


def verify_email(token: str, *, now: datetime) -> tuple[User, bool]:
    """Confirm the address a verification link was sent to. Returns the user and whether
    this call confirmed it (False: it already was). Raises tokens.ExpiredLink or
    tokens.BadLink (also when the account or its address changed since)."""
    claim = tokens.read_verification_token(token, now=now)
    user = db.session.get(User, claim.user_id)
    if user is None or user.email != claim.email:
        raise tokens.BadLink(_("This link no longer matches an account. Sign in to receive a "
                               "new one."))
    if user.is_verified:
        return user, False
    user.email_verified_at = now
    db.session.flush()
    return user, True


# --- signing in and the lockout ----------------------------------------------------------------


class LoginRefused(Invalid):
    """A sign-in attempt that did not succeed; `retry_after` is set when the account (or
    address) is paused."""

    def __init__(self, message: str, retry_after: timedelta | None = None,
                 field: str = "password"):
        super().__init__(message, {field: [message]})
        self.retry_after = retry_after


def lock_duration(failures: int) -> timedelta | None:
    """How long sign-in pauses after `failures` consecutive failures: none below 5, then 1
    minute, doubling with each further failure up to 60 minutes."""
    if failures < LOCK_AFTER:
        return None
    return min(timedelta(minutes=2 ** min(failures - LOCK_AFTER, 6)), MAX_LOCK)


def _paused(retry_after: timedelta, field: str = "password") -> LoginRefused:
    minutes = max(1, math.ceil(retry_after.total_seconds() / 60))
    # Two messages rather than ngettext: singular is exactly 1 in English and French alike.
    if minutes == 1:
        message = _("Too many failed attempts: signing in is paused for safety. Try again in "
                    "1 minute.")
    else:
        message = _("Too many failed attempts: signing in is paused for safety. Try again in "
                    "%(num)d minutes.", num=minutes)
    return LoginRefused(message, retry_after, field)


def _wrong_password() -> LoginRefused:
    return LoginRefused(_("The email address or the password is not right. Check them and "
                          "try again."))


class _UnknownAddressFailures:
    """Failure counts for addresses that have no account, so that they are paused exactly
    like real accounts and the lockout message cannot reveal which addresses exist.

    Kept in process memory, bounded (the oldest entries go first) and keyed by a digest of
    the address. With several worker processes each keeps its own count; the per-address
    rate limit still bounds how fast anyone can probe."""

    def __init__(self, capacity: int = 10_000):
        self.capacity = capacity
        self._entries: OrderedDict[str, tuple[int, datetime | None]] = OrderedDict()

    @staticmethod
    def _key(email: str) -> str:
        return hashlib.sha256(email.encode()).hexdigest()

    def locked_until(self, email: str) -> datetime | None:
        return self._entries.get(self._key(email), (0, None))[1]

    def fail(self, email: str, now: datetime) -> datetime | None:
        key = self._key(email)
        failures = self._entries.pop(key, (0, None))[0] + 1
        pause = lock_duration(failures)
        until = now + pause if pause else None
        self._entries[key] = (failures, until)
        while len(self._entries) > self.capacity:
            self._entries.popitem(last=False)
        return until

    def clear(self) -> None:
        self._entries.clear()


unknown_address_failures = _UnknownAddressFailures()


def locked_until(user: User, now: datetime) -> datetime | None:
    """When `user` may try again, if their sign-in is paused at `now`."""
    until = _aware(user.locked_until)
    return until if until is not None and until > now else None


def record_failure(user: User, *, now: datetime) -> datetime | None:
    """Count one more consecutive failure; returns the end of the pause it causes, if any."""
    user.failed_logins = (user.failed_logins or 0) + 1
    pause = lock_duration(user.failed_logins)
    user.locked_until = now + pause if pause else None
    db.session.flush()
    return user.locked_until


def authenticate(email: str, password: str, *, now: datetime) -> User:
    """The account `email` names, if `password` is its password and it is not paused.

    Raises LoginRefused otherwise, with the same message whether the address is unknown or
    the password wrong. A stored hash made with older parameters is re-made. This does not
    complete the sign-in: see `start_session` (and `check_second_factor` when one is due)."""
    email = normalise_email(email)
    user = find_user(email) if email else None
    if user is None:
        spend_verification_time(password or "")
        until = unknown_address_failures.locked_until(email)
        if until is not None and until > now:
            raise _paused(until - now)
        until = unknown_address_failures.fail(email, now)
        raise _paused(until - now) if until else _wrong_password()
    until = locked_until(user, now)
    if until is not None:
        spend_verification_time(password or "")
        raise _paused(until - now)
    if not verify_password(user.password_hash, password or ""):
        until = record_failure(user, now=now)
        raise _paused(until - now) if until else _wrong_password()
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    db.session.flush()
    return user


def needs_second_factor(user: User) -> bool:
    """Platform administrators always give a TOTP code after their password; other people
    do once they have turned it on."""
    return user.is_platform_admin or user.has_totp


def start_session(user: User) -> None:
    """The password was right: replace the session token, so that every session issued
    before (on any device) ends and the new session id cannot have been planted."""
    user.session_token = new_session_token()
    db.session.flush()


def finish_login(user: User, *, now: datetime) -> None:
    """Sign-in is complete (password, and second factor when due): clear the failures."""
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    db.session.flush()


def end_session(user: User) -> None:
    """Sign out: replacing the token kills this session even where its cookie was copied.
    Since each sign-in already replaces the token, no other live session is affected."""
    user.session_token = new_session_token()
    db.session.flush()


# --- two-factor authentication (TOTP) ----------------------------------------------------------


def new_totp_secret() -> str:
    """A random base32 secret for an authenticator app."""
    return pyotp.random_base32()


def totp_uri(user: User, secret: str) -> str:
    """The otpauth:// address authenticator apps read (typed or pasted, no QR code needed)."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=TOTP_ISSUER)


def totp_code_matches(secret: str, code: str, *, now: datetime) -> bool:
    """Whether `code` is the secret's code at `now`, or 30 seconds either side (clocks drift
    and people type slowly)."""
    return totp_step(secret, code, now=now) is not None


def totp_step(secret: str, code: str, *, now: datetime) -> int | None:
    """The 30-second time step whose code `code` is (now, or one step either side), or None."""
    code = re.sub(r"\s", "", code or "")
    if not re.fullmatch(r"\d{6}", code):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in (current, current - 1, current + 1):
        if pyotp.utils.strings_equal(totp.generate_otp(step), code):
            return step
    return None


def _accept_code_once(user: User, code: str, *, now: datetime) -> bool:
    """A right code from a step later than the last one accepted: an observed or reused code
    cannot sign anyone in again within its window."""
    step = totp_step(user.totp_secret, code, now=now) if user.has_totp else None
    if step is None or (user.totp_last_step is not None and step <= user.totp_last_step):
        return False
    user.totp_last_step = step
    return True


def _wrong_code() -> str:
    return _("This code is not right. Enter the 6 digits your app shows now.")


def enable_totp(user: User, secret: str, code: str, *, now: datetime) -> None:
    """Turn two-factor authentication on with `secret`, once a code from it proves the app
    was set up. Raises Invalid (field code) otherwise."""
    if not totp_code_matches(secret, code, now=now):
        raise Invalid(_wrong_code(), {"code": [_wrong_code()]})
    user.totp_secret = secret
    user.totp_confirmed_at = now
    user.totp_last_step = totp_step(secret, code, now=now)
    db.session.flush()


def disable_totp(user: User, code: str, *, now: datetime) -> None:
    """Turn two-factor authentication off, with a current code. Platform administrators
    cannot: they must keep it."""
    if user.is_platform_admin:
        raise Forbidden(_("Platform administrators must keep two-factor authentication."))
    if not user.has_totp or not totp_code_matches(user.totp_secret, code, now=now):
        raise Invalid(_wrong_code(), {"code": [_wrong_code()]})
    user.totp_secret = None
    user.totp_confirmed_at = None
    db.session.flush()


def check_second_factor(user: User, code: str, *, now: datetime) -> None:
    """The second step of signing in. Raises LoginRefused (field code) when the account is
    paused or the code is wrong (a wrong code counts as a failure); completes the sign-in
    otherwise."""
    until = locked_until(user, now)
    if until is not None:
        raise _paused(until - now, "code")
    if not _accept_code_once(user, code, now=now):
        until = record_failure(user, now=now)
        raise _paused(until - now, "code") if until else LoginRefused(_wrong_code(), None, "code")
    finish_login(user, now=now)


# --- password reset ----------------------------------------------------------------------------


def request_password_reset(email: str, *, now: datetime) -> None:
    """Email a link to choose a new password (valid one hour, once) if `email` has an
    account; do nothing visible otherwise, so the page answers the same for any address."""
    user = find_user(email)
    if user is None:
        return
    link = url_for("accounts.reset_password", token=tokens.make_reset_token(user),
                   _external=True)
    queue_email(
        user.email,
        _("Choose a new password for Relais"),
        _("Hello %(name)s,\n\n"
          "To choose a new password for your Relais account, open this link within one hour. "
          "It works only once.\n\n%(link)s\n\n"
          "If you did not ask for it, ignore this message: your password stays the same.",
          name=user.name, link=link),
    )


def user_for_reset(token: str, *, now: datetime) -> User:
    """The account a reset link is for, while the link is valid and unused. Raises
    tokens.ExpiredLink or tokens.BadLink."""
    claim = tokens.read_reset_token(token, now=now)
    user = db.session.get(User, claim.user_id)
    if user is None or tokens.password_fingerprint(user) != claim.fingerprint:
        raise tokens.BadLink(_("This link has already been used, or your password changed "
                               "since it was sent. Ask for a new one if you need to."))
    return user


def reset_password(token: str, password: str, *, now: datetime) -> User:
    """Set a new password through a reset link. Ends every session of the account, clears
    the lockout, and confirms the address (the link reached it). Raises what
    `user_for_reset` raises, and Invalid (field password) for an unacceptable password."""
    user = user_for_reset(token, now=now)
    problems = password_problems(password or "", user.email)
    if problems:
        raise Invalid(problems[0], {"password": problems})
    user.password_hash = hash_password(password)
    user.session_token = new_session_token()
    user.failed_logins = 0
    user.locked_until = None
    user.email_verified_at = user.email_verified_at or now
    db.session.flush()
    return user


# --- platform administrators -------------------------------------------------------------------


@dataclass(frozen=True)
class AdminResult:
    user: User
    created: bool


def create_platform_admin(email: str, name: str | None, password: str | None, *,
                          now: datetime) -> AdminResult:
    """Make `email` a verified platform administrator: promote its account if it has one
    (its password is kept), else create one with `password`. Raises Invalid when the input
    cannot be accepted. They set up two-factor authentication at their first sign-in."""
    email = normalise_email(email)
    errors = email_problems(email)
    if errors:
        raise Invalid(errors[0], {"email": errors})
    user = find_user(email)
    if user is not None:
        user.is_platform_admin = True
        user.email_verified_at = user.email_verified_at or now
        db.session.flush()
        return AdminResult(user, created=False)
    name = (name or "").strip() or email.split("@")[0]
    errors = {"name": name_problems(name), "password": password_problems(password or "", email)}
    errors = {field: messages for field, messages in errors.items() if messages}
    if errors:
        raise Invalid(next(iter(errors.values()))[0], errors)
    user = User(name=name, email=email, password_hash=hash_password(password),
                email_verified_at=now, is_platform_admin=True, created_at=now,
                failed_logins=0, session_token=new_session_token())
    db.session.add(user)
    db.session.flush()
    return AdminResult(user, created=True)
