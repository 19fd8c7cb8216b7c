"""Test harness: every test that uses `app` runs once on SQLite and once on PostgreSQL/PostGIS.

Each store gets a fresh database, migrated with Alembic (so migrations are tested on both), the
national taxonomies and the test geography (real communes of the Rhône, the Ain and Paris,
tests/fixtures/fr-admin). Catalogue rows are wiped after each test; geography and taxonomies
stay, since tests only read them.

RELAIS_TEST_STORES=sqlite restricts the run to one store (for a machine without PostgreSQL);
RELAIS_TEST_POSTGRES_URL points at the server (default: local trust auth, as on CI).
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import flask_babel
import pytest
import sqlalchemy as sa
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import g
from flask.testing import FlaskClient
from sqlalchemy.engine import make_url

from app import create_app
from config import ROOT
from extensions import babel, db, limiter

FIXTURES = Path(__file__).parent / "fixtures"
TEST_GEOGRAPHY = FIXTURES / "fr-admin"
POSTGRES_URL = os.environ.get(
    "RELAIS_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
)
STORES = [s for s in os.environ.get("RELAIS_TEST_STORES", "sqlite,postgis").split(",") if s]

# Tables tests write to; emptied after each test (children first).
CATALOGUE_TABLES = (
    "document",
    "magic_link",
    "referral_message",
    "referral_event",
    "referral",
    "follow_up",
    "consent_grant",
    "consent",
    "person",
    "audit_entry",
    "api_token",
    "change_record",
    "outbox_email",
    "invitation",
    "membership",
    "territory_assignment",
    "user_account",
    "service_at_location",
    "service_term",
    "service_zone",
    "service",
    "location",
    "organisation",
)


def fresh_database_url(store: str, name: str, tmp_dir: Path) -> str:
    """An empty database for `store`: a new SQLite file, or a PostgreSQL database created
    (dropped first if left over) next to the one RELAIS_TEST_POSTGRES_URL names."""
    if store == "sqlite":
        path = tmp_dir / f"{name}.sqlite3"
        path.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    admin_url = make_url(POSTGRES_URL)
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return admin_url.set(database=name).render_as_string(hide_password=False)


def build_app(store: str, name: str, tmp_dir: Path, *, geography: bool = True):
    """A migrated app on a fresh database, with taxonomies and (optionally) test geography."""
    from flask_migrate import upgrade

    url = fresh_database_url(store, name, tmp_dir)
    instance = tmp_dir / f"instance-{name}"
    app = create_app(
        instance_path=instance, database_url=url, secret_key="test-secret", data_dir=instance,
        secure_cookies=False,  # the test client and the live server speak plain http
    )
    app.config.update(TESTING=True)
    app.extensions["relais.store"] = store
    with app.app_context():
        upgrade()
        from directory.taxonomy import load_taxonomies

        load_taxonomies()
        if geography:
            from geo.gazetteer import import_geography

            import_geography(TEST_GEOGRAPHY)
        db.session.commit()
        from directory import search

        search.clear()
    return app


def drop_database(app) -> None:
    """Dispose of a test app's engine and, on PostgreSQL, drop its database."""
    with app.app_context():
        db.session.remove()
        url = db.engine.url
        db.engine.dispose()
    if url.get_backend_name() == "postgresql":
        engine = sa.create_engine(make_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        engine.dispose()


CATALOGUE = ROOT / "translations" / "fr" / "LC_MESSAGES" / "messages.po"


def compile_french_catalogue() -> None:
    """What `scripts/i18n.sh compile` does, through Babel's API (the .mo is git-ignored), so
    tests never depend on a catalogue compiled, or not, by an earlier run."""
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle, locale="fr")
    with CATALOGUE.with_suffix(".mo").open("wb") as handle:
        write_mo(handle, catalogue)
    # Flask-Babel caches translations per locale on the shared Babel object.
    domain = vars(babel).get("domain_instance")
    if domain is not None:
        domain.cache.clear()


@pytest.fixture(scope="session", autouse=True)
def french_catalogue():
    compile_french_catalogue()


@pytest.fixture(scope="session", params=STORES)
def app(request, tmp_path_factory):
    store = request.param
    app = build_app(store, f"relais_test_{os.getpid()}", tmp_path_factory.mktemp(store))
    yield app
    drop_database(app)


@pytest.fixture
def store(app) -> str:
    return app.extensions["relais.store"]


@pytest.fixture
def app_ctx(app):
    with app.app_context():
        limiter.reset()  # rate limits count per test, not across the session
        yield app
        db.session.rollback()
        for table in CATALOGUE_TABLES:
            db.session.execute(sa.text(f"DELETE FROM {table}"))
        db.session.execute(sa.text(
            f"UPDATE audit_head SET last_hash = '{'0' * 64}', count = 0"))
        db.session.commit()
        db.session.remove()
        # The index follows the database; rows deleted in SQL above bypass the ORM events.
        from directory import search

        search.clear()


class PageClient(FlaskClient):
    """A test client whose requests each choose their language afresh.

    `app_ctx` keeps one application context open for the whole test and Flask reuses it for
    every request, so `g` (where Flask-Babel caches the locale) would outlive a request; in
    production each request has its own.
    """

    def open(self, *args, **kwargs):
        # Flask-Babel's locale, Flask-Login's user and Flask-WTF's CSRF token are cached in g.
        g.__dict__.clear()
        flask_babel.refresh()
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app, app_ctx):
    return PageClient(app, app.response_class, use_cookies=True)


@pytest.fixture
def session(app_ctx):
    return db.session


class SmtpSink:
    """A real SMTP server on loopback (aiosmtpd) that keeps what it receives."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.messages: list = []
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                from email import message_from_bytes
                from email.policy import default

                sink.messages.append(message_from_bytes(envelope.content, policy=default))
                return "250 OK"

        self._controller_class, self._handler = Controller, Handler()
        self.port = None

    def start(self):
        """Listen on a free loopback port (a new one after each start)."""
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = self._controller_class(self._handler, hostname="127.0.0.1",
                                                 port=self.port)
        self.controller.start()

    def stop(self):
        self.controller.stop()

    def to(self, address: str) -> list:
        return [m for m in self.messages if m["To"] == address]

    def body(self, message) -> str:
        return message.get_content()


@pytest.fixture
def smtp(app):
    """Point the app's mail at a fresh SMTP sink for this test."""
    sink = SmtpSink()
    sink.start()
    saved = app.config["RELAIS_SMTP"]
    app.config["RELAIS_SMTP"] = {**saved, "host": "127.0.0.1", "port": sink.port}
    yield sink
    app.config["RELAIS_SMTP"] = saved
    sink.stop()
