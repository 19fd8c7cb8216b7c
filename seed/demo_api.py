"""The demo's API token: the Mission locale's administrator holds one for the services API,
so that a newcomer can try `/api/v1/services` at once. A token's secret is shown once and
only its hash is kept, so each run replaces the demo's token and prints the new secret."""

from __future__ import annotations

import sqlalchemy as sa

from accounts.api_tokens import SCOPES, ApiToken, create_token
from accounts.models import User
from directory.models import Organisation
from extensions import db
from seed.demo_accounts import MISSION_LOCALE
from seed.demo_specs import demo_id

DEMO_TOKEN_NAME = "Démo (flask seed demo)"  # noqa: S105 (a name, not a secret)


def write_demo_api_token() -> str:
    """A fresh token of the Mission locale, created by its demo administrator; returns its
    secret. The previous demo token is removed, other tokens are left alone."""
    organisation = db.session.get(Organisation, demo_id(MISSION_LOCALE))
    administrator = db.session.get(User, demo_id("account/ml-admin"))
    db.session.execute(sa.delete(ApiToken).where(
        ApiToken.organisation_id == organisation.id, ApiToken.name == DEMO_TOKEN_NAME))
    _token, secret = create_token(administrator, organisation, DEMO_TOKEN_NAME, list(SCOPES))
    return secret
