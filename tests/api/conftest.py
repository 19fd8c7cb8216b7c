"""API tests: two organisations of the Rhône, A and B, each with an administrator, a member
and a service; tokens are made through accounts.api_tokens as the page does. The change
history is emptied after each test (the root conftest empties the rest, tokens included)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from accounts.api_tokens import SCOPE_READ, SCOPE_WRITE, create_token
from accounts.models import ADMIN
from extensions import db
from tests import factories as f


@pytest.fixture(autouse=True)
def forget_history(app_ctx):
    yield
    db.session.rollback()
    db.session.execute(sa.text("DELETE FROM change_record"))
    db.session.commit()


@dataclass
class Side:
    organisation: object
    admin: object
    member: object
    service: object

    def token(self, *scopes: str, name: str = "Our software") -> str:
        """A new token of this organisation (read and write unless `scopes` say)."""
        _token, secret = create_token(self.admin, self.organisation, name,
                                      list(scopes or (SCOPE_READ, SCOPE_WRITE)))
        db.session.commit()
        return secret


@pytest.fixture
def orgs(app_ctx):
    sides = {}
    for key, commune, postcode in (("a", "69123", "69003"), ("b", "69266", "69100")):
        organisation = f.organisation(name=f"Organisation {key.upper()}", commune_code=commune,
                                      postcode=postcode)
        admin, member = f.user(), f.user()
        f.membership(admin, organisation, role=ADMIN)
        f.membership(member, organisation)
        service = f.service(organisation, name=f"Service {key.upper()}")
        sides[key] = Side(organisation, admin, member, service)
    db.session.commit()
    return sides["a"], sides["b"]


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}", "Accept-Language": "en"}
