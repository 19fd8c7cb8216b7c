"""Organisation API tokens: how a partner system writes its organisation's listings.

An organisation's administrators create a token for one program (a name says which), with the
scopes it needs (`services:read`, `services:write`), and revoke it when it is no longer used.
The secret is shown once, at creation: only its SHA-256 is stored (a random 256-bit token
needs no slow hash, and a leaked table gives nothing to replay), with its first characters
kept so people can tell their tokens apart. A token acts for its organisation only; its
changes are recorded in the listing history under the person who created it.

Requests send `Authorization: Bearer <token>`; `authenticate` is the one place that reads it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy import JSON, DateTime, ForeignKey, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts import permissions
from directory.models import Organisation, utcnow
from errors import DomainError, Forbidden, Invalid, NotFound
from extensions import db

SCOPE_READ, SCOPE_WRITE = "services:read", "services:write"
SCOPES = (SCOPE_READ, SCOPE_WRITE)
# "rls_" tells people (and secret scanners) what the string is; 32 random bytes follow.
TOKEN_MARK = "rls_"  # noqa: S105 (a marker, not a secret)
PREFIX_LENGTH = 12  # what is kept in clear: the mark and 8 random characters
NAME_MAX_LENGTH = 100
BEARER = "Bearer"


class Unauthenticated(DomainError):
    """No credential, or one that is not (or no longer) valid: HTTP 401."""

    status = 401


class ApiToken(db.Model):
    """A credential of one organisation for one program, stored as its SHA-256."""

    __tablename__ = "api_token"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH))
    prefix: Mapped[str] = mapped_column(String(PREFIX_LENGTH))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    organisation = relationship(Organisation)
    created_by = relationship("User", foreign_keys=[created_by_id])
    revoked_by = relationship("User", foreign_keys=[revoked_by_id])

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def allows(self, scope: str) -> bool:
        return scope in (self.scopes or [])


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _clean_name(name: object) -> str:
    text = " ".join(name.split()) if isinstance(name, str) else ""
    if not text:
        raise Invalid(_("Give the token a name."), {"name": [_("Say which program will use it.")]})
    if len(text) > NAME_MAX_LENGTH:
        message = _("Use at most %(max)s characters.", max=NAME_MAX_LENGTH)
        raise Invalid(message, {"name": [message]})
    return text


def _clean_scopes(scopes: object) -> list[str]:
    chosen = [s for s in SCOPES if isinstance(scopes, list | tuple | set) and s in scopes]
    unknown = [s for s in (scopes or []) if s not in SCOPES] if isinstance(
        scopes, list | tuple | set) else []
    if unknown or not chosen:
        message = _("Choose what the token may do.")
        raise Invalid(message, {"scopes": [message]})
    return chosen


def create_token(
    user, organisation: Organisation, name: object, scopes: object
) -> tuple[ApiToken, str]:
    """A new token of `organisation` and its secret (shown once, never stored). Only those who
    manage the organisation's members create tokens: a token writes its listings without
    anyone signed in. Flushes."""
    permissions.require(
        permissions.can_manage_members(user, organisation),
        _("Only the organisation's administrators manage its API tokens."),
    )
    clean_name, clean_scopes = _clean_name(name), _clean_scopes(scopes)
    secret = TOKEN_MARK + secrets.token_urlsafe(32)
    token = ApiToken(
        organisation_id=organisation.id,
        name=clean_name,
        prefix=secret[:PREFIX_LENGTH],
        token_hash=hash_token(secret),
        scopes=clean_scopes,
        created_by_id=user.id if user is not None else None,
    )
    db.session.add(token)
    db.session.flush()
    return token, secret


def tokens_of(organisation: Organisation) -> list[ApiToken]:
    """The organisation's tokens, active first, newest first."""
    return list(
        db.session.scalars(
            sa.select(ApiToken)
            .where(ApiToken.organisation_id == organisation.id)
            .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc())
        )
    )


def revoke_token(user, organisation: Organisation, token_id: uuid.UUID, *,
                 now: datetime | None = None) -> ApiToken:
    """Stop a token of `organisation` from working, at once and for good (revoking it again
    changes nothing). Another organisation's token is not found. Flushes."""
    permissions.require(
        permissions.can_manage_members(user, organisation),
        _("Only the organisation's administrators manage its API tokens."),
    )
    token = db.session.get(ApiToken, token_id)
    if token is None or token.organisation_id != organisation.id:
        raise NotFound(_("This token does not exist."))
    if token.revoked_at is None:
        token.revoked_at = now or utcnow()
        token.revoked_by_id = user.id if user is not None else None
        db.session.flush()
    return token


def bearer_secret(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer …` header, or None."""
    if not authorization:
        return None
    kind, _sep, value = authorization.strip().partition(" ")
    value = value.strip()
    if kind.lower() != BEARER.lower() or not value or " " in value:
        return None
    return value


def find_token(secret: str | None) -> ApiToken | None:
    """The active token whose secret this is, or None (unknown, malformed or revoked)."""
    if not secret or not secret.startswith(TOKEN_MARK) or len(secret) > 200:
        return None
    digest = hash_token(secret)
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == digest))
    # The lookup is by hash already; compare again in constant time for good measure.
    if token is None or not hmac.compare_digest(token.token_hash, digest) or not token.active:
        return None
    return token


def authorise(token: ApiToken | None, scope: str, *, now: datetime | None = None) -> ApiToken:
    """`token` (found by find_token) allowed `scope`, marked as used now. Unauthenticated
    (401) without an active token; Forbidden (403) when it lacks the scope. Flushes."""
    if token is None:
        raise Unauthenticated(_("Send a valid API token: Authorization: Bearer <token>."))
    if not token.allows(scope):
        raise Forbidden(_("This token does not allow %(scope)s.", scope=scope),
                        {"scope": [scope]})
    token.last_used_at = now or utcnow()
    db.session.flush()
    return token


def authenticate(authorization: str | None, scope: str, *, now: datetime | None = None
                 ) -> ApiToken:
    """The token of this `Authorization` header, allowed `scope` (see authorise)."""
    return authorise(find_token(bearer_secret(authorization)), scope, now=now)
