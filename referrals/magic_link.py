"""Magic links: an organisation with no account answers one referral.

When a referral is sent to an organisation none of whose active members has a confirmed
address, nobody could read it. Relais then emails the organisation's own address on record a
link that lets whoever holds it act as that organisation on that referral only (principal
referrals.principals.LinkHolder): open it, read what the person's consent shares, accept,
decline, start, complete, and write in the thread. Nothing else.

The token is signed (itsdangerous, with SECRET_KEY) and names the link's row plus a random
nonce; the table keeps only its SHA-256, so the table alone opens nothing. A link stops
working:

- after RELAIS_MAGIC_LINK_DAYS (8 by default): its page then offers to email a fresh link,
  always to the organisation's address on record, never to one the visitor types, and only
  while the referral is still open (sent, opened, accepted, in progress);
- when a newer link is issued for the same referral (only one live link per referral);
- as soon as the organisation has an active member with a confirmed address: from then on,
  people sign in (checked at each use, so it takes effect at once);
- when the referral moves to another organisation.

A referral in a final state (declined, completed, closed, expired, cancelled) keeps its last
link readable until that link's own date (at most 8 days), so the provider can still read the
outcome and the thread; it is not renewed.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import DateTime, ForeignKey, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import ACTIVE, Membership, User
from directory.models import Organisation, utcnow
from errors import Forbidden, NotFound
from extensions import db
from referrals import audit
from referrals.models import ACCEPTED, IN_PROGRESS, OPENED, SENT, Referral
from referrals.principals import LinkHolder

SALT = "relais-magic-link"
# What a link holder may do besides reading and writing in the thread ("open" is implicit).
LINK_ACTIONS = ("accept", "decline", "start", "complete")
RENEWABLE_STATUSES = (SENT, OPENED, ACCEPTED, IN_PROGRESS)
# A link is not re-issued for the same referral more often than this, whoever asks.
RENEWAL_PAUSE = timedelta(minutes=10)

# Why a link does not open.
EXPIRED, REVOKED, SIGN_IN = "expired", "revoked", "sign-in"
REPLACED, MOVED = "replaced", "moved"


class MagicLink(db.Model):
    """One link emailed to an organisation with no account, for one referral."""

    __tablename__ = "magic_link"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256, never the token
    referral_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("referral.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE")
    )
    address: Mapped[str] = mapped_column(String(254))  # where it was sent
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_reason: Mapped[str | None] = mapped_column(String(30))

    referral: Mapped[Referral] = relationship()
    organisation: Mapped[Organisation] = relationship()


class LinkClosed(Forbidden):
    """A genuine link that no longer opens: `state` says why (EXPIRED, REVOKED, SIGN_IN)."""

    def __init__(self, message: str, link: MagicLink, state: str):
        super().__init__(message)
        self.link, self.state = link, state

    @property
    def renewable(self) -> bool:
        return self.state == EXPIRED and self.link.referral.status in RENEWABLE_STATUSES


@dataclass(frozen=True)
class Issued:
    link: MagicLink
    token: str


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def validity() -> timedelta:
    return timedelta(days=current_app.config["RELAIS_MAGIC_LINK_DAYS"])


def has_active_member(organisation_id: uuid.UUID) -> bool:
    """Whether someone can sign in for the organisation: an active member whose address is
    confirmed (the same people referrals.notifications emails)."""
    return bool(db.session.scalar(sa.select(sa.exists().where(
        Membership.organisation_id == organisation_id, Membership.status == ACTIVE,
        Membership.user_id == User.id, User.email_verified_at.is_not(None)))))


def needs_link(organisation: Organisation) -> bool:
    """An organisation that nobody could sign in for, with an address to write to."""
    return bool(organisation.email) and not has_active_member(organisation.id)


def issue(referral: Referral, *, now: datetime | None = None) -> Issued | None:
    """A new link for the referral's receiving organisation, to its address on record, valid
    RELAIS_MAGIC_LINK_DAYS; earlier live links of the referral are revoked. None when the
    organisation has someone who can sign in, or no address. The caller emails the token
    (referrals.notifications); only its hash is kept. Audited."""
    now = _now(now)
    organisation = referral.receiving_organisation
    if not needs_link(organisation):
        return None
    db.session.execute(
        sa.update(MagicLink).where(MagicLink.referral_id == referral.id,
                                   MagicLink.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=REPLACED))
    link = MagicLink(id=uuid.uuid4(), referral_id=referral.id,
                     organisation_id=organisation.id, address=organisation.email,
                     created_at=now, expires_at=now + validity())
    token = _serializer().dumps([str(link.id), secrets.token_urlsafe(16)])
    link.token_hash = token_hash(token)
    db.session.add(link)
    db.session.flush()
    audit.record("magic-link-issued", "referral", referral.id, actor_kind="system",
                 organisation_id=organisation.id, person_id=referral.person_id, now=now,
                 details={"magic_link": link.id, "expires_at": link.expires_at})
    return Issued(link, token)


def _invalid() -> NotFound:
    return NotFound(_("This link is not valid. Check that it was copied whole."))


def find(token: str) -> MagicLink:
    """The link a token names, whatever its state; NotFound for a token that was altered,
    forged, or never issued."""
    try:
        link_id = uuid.UUID(str(_serializer().loads(token)[0]))
    except (BadSignature, ValueError, TypeError, IndexError, KeyError):
        raise _invalid() from None
    link = db.session.get(MagicLink, link_id, populate_existing=True)
    if link is None or not hmac.compare_digest(link.token_hash, token_hash(token)):
        raise _invalid()
    return link


def state_of(link: MagicLink, now: datetime | None = None) -> str | None:
    """Why the link no longer opens, or None when it does."""
    if link.revoked_at is not None:
        return REVOKED
    if link.referral.receiving_organisation_id != link.organisation_id:
        return REVOKED
    if has_active_member(link.organisation_id):
        return SIGN_IN
    if _aware(_now(now)) >= _aware(link.expires_at):
        return EXPIRED
    return None


def _closed(link: MagicLink, state: str) -> LinkClosed:
    message = {
        EXPIRED: _("This link has expired: links work for %(days)s days.",
                   days=current_app.config["RELAIS_MAGIC_LINK_DAYS"]),
        REVOKED: _("This link no longer works: a newer link was sent to your organisation, "
                   "or the referral was moved. Use the most recent email."),
        SIGN_IN: _("Your organisation now has an account on Relais: sign in to answer this "
                   "referral."),
    }[state]
    return LinkClosed(message, link, state)


def open_link(token: str, *, now: datetime | None = None) -> tuple[MagicLink, LinkHolder]:
    """The link and the principal it makes of its holder; NotFound for a bad token,
    LinkClosed for a genuine one that no longer opens. Marks the link used (caller commits)."""
    now = _now(now)
    link = find(token)
    state = state_of(link, now)
    if state is not None:
        raise _closed(link, state)
    link.last_used_at = now
    referral = link.referral
    holder = LinkHolder(link_id=link.id, organisation_id=link.organisation_id,
                        referral_id=referral.id, person_id=referral.person_id,
                        consent_id=referral.consent_id)
    return link, holder


def check_action(action: str) -> None:
    """NotFound for anything a link holder may not do (the link gives no other route)."""
    if action not in LINK_ACTIONS:
        raise NotFound(_("This action does not exist."))


def renew(token: str, *, now: datetime | None = None) -> Issued | None:
    """A fresh link in place of an expired one, for the organisation's address on record
    (which may have changed since). None when nothing is sent: the referral is over, the
    link still works or was revoked, the organisation can sign in, it has no address, or a
    link was issued for this referral less than RENEWAL_PAUSE ago."""
    now = _now(now)
    link = find(token)
    if state_of(link, now) != EXPIRED or link.referral.status not in RENEWABLE_STATUSES:
        return None
    latest = db.session.scalar(sa.select(sa.func.max(MagicLink.created_at))
                               .where(MagicLink.referral_id == link.referral_id))
    if latest is not None and _aware(latest) > _aware(now) - RENEWAL_PAUSE:
        return None
    return issue(link.referral, now=now)


def masked(address: str) -> str:
    """The address on record as a page may show it to whoever holds an old link: enough to
    recognise one's own mailbox, not enough to learn it."""
    local, _at, domain = address.partition("@")
    return f"{local[:1]}•••@{domain}" if domain else "•••"
