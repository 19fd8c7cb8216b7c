"""Passwords: the argon2id hash Relais stores, and the rule a new password must meet.

argon2-cffi's PasswordHasher uses argon2id with the parameters its authors recommend; when
they change (a library upgrade, or different parameters here), a stored hash is re-made with
the new ones the next time its owner signs in, since only then is the password known.
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import gettext as _

MIN_LENGTH = 12
# argon2 accepts any length; a bound keeps one request from hashing megabytes.
MAX_LENGTH = 128

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    """The argon2id hash to store for `password`."""
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """Whether `password` matches `stored_hash`. A malformed stored hash never matches."""
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """Whether `stored_hash` was made with other parameters than today's."""
    try:
        return _hasher.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


@cache
def _dummy_hash() -> str:
    return _hasher.hash("not the password of anybody")


def spend_verification_time(password: str) -> None:
    """Check `password` against a hash nobody owns, so answering for an unknown or locked
    account costs the same time as for a real one and timing does not tell them apart."""
    verify_password(_dummy_hash(), password)


def password_problems(password: str, email: str = "") -> list[str]:
    """What is wrong with `password` as a new password (empty when it is acceptable).

    Length is what makes a password hard to guess, so the rule is a minimum length rather
    than required character classes; the account's own email is the first thing tried."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(
            _("Use at least %(count)d characters. A few words in a row are easy to remember.",
              count=MIN_LENGTH)
        )
    elif len(password) > MAX_LENGTH:
        problems.append(_("Use at most %(count)d characters.", count=MAX_LENGTH))
    if email and password.strip().lower() == email.strip().lower():
        problems.append(_("Your password cannot be your email address."))
    return problems
