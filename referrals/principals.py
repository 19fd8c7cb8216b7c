"""Who may act on a referral without an account: the holder of a magic link.

A signed-in user is an accounts.models.User. Someone who opens a valid magic link
(referrals/magic_link.py) is a LinkHolder: they act as the receiving organisation, on one
referral, for the person of that referral, under that referral's consent only. The ledger
(referrals/consent.py) and roles_of (referrals/referrals.py) know this principal; no other
code gives it anything, so it reaches personal data through the same enforcement point as
everyone else.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

MAGIC_LINK_ACTOR = "magic-link"


@dataclass(frozen=True)
class LinkHolder:
    """The bearer of one valid magic link. It has no `id`: nothing it does is attributed to
    an account; the audit log names the link instead (audit_identity)."""

    link_id: uuid.UUID
    organisation_id: uuid.UUID
    referral_id: uuid.UUID
    person_id: uuid.UUID
    consent_id: uuid.UUID | None

    is_authenticated = False  # never a signed-in user, wherever code asks

    def audit_identity(self) -> tuple[str, uuid.UUID, dict[str, Any]]:
        """How the audit log records this actor: kind, organisation, details."""
        return MAGIC_LINK_ACTOR, self.organisation_id, {
            "magic_link": str(self.link_id), "referral": str(self.referral_id)}


def is_link_holder(actor: Any) -> bool:
    return isinstance(actor, LinkHolder)
