"""Property-based: schemathesis sends requests generated from /api/openapi.json to the app
(in-process, WSGI), with a token of an organisation allowed to read and write, and checks
that no answer is a server error and every documented answer matches the document.

Reproducible: derandomised, a bounded number of examples per operation, no deadline (the
first search builds the index)."""

from __future__ import annotations

import pytest
import schemathesis
from flask import g
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from accounts.api_tokens import SCOPE_READ, SCOPE_WRITE, create_token
from accounts.models import ADMIN
from directory.openapi import build_spec
from extensions import db
from tests import factories as f

MAX_EXAMPLES = 25


@pytest.fixture
def token_headers(app, app_ctx):
    organisation = f.organisation(name="Organisation API", commune_code="69123",
                                  postcode="69003")
    admin = f.user()
    f.membership(admin, organisation, role=ADMIN)
    f.service(organisation, name="Service existant")
    f.location(organisation, name="Lieu API")
    _token, secret = create_token(admin, organisation, "schemathesis",
                                  [SCOPE_READ, SCOPE_WRITE])
    db.session.commit()
    saved = app.config.get("RELAIS_API_TOKEN_RATE_LIMIT")
    app.config["RELAIS_API_TOKEN_RATE_LIMIT"] = "100000 per minute"  # not what is tested here
    yield {"Authorization": f"Bearer {secret}"}
    app.config["RELAIS_API_TOKEN_RATE_LIMIT"] = saved


# The document /api/openapi.json serves (tests/api/test_openapi.py checks they are the same);
# built here because the app, one per store, only exists once the tests run.
schema = schemathesis.openapi.from_dict(build_spec())


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_the_api_answers_as_its_document_says(app, case, token_headers):
    g.__dict__.clear()  # each request its own locale and limits, as in production
    case.call_and_validate(app=app, headers=token_headers,
                           checks=[not_a_server_error, response_schema_conformance])
