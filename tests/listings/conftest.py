"""Listing tests: the change history is emptied after each test (the root conftest empties
the catalogue and accounts tables, and change records point at both)."""

import pytest
import sqlalchemy as sa

from extensions import db


@pytest.fixture(autouse=True)
def forget_change_records(app_ctx):
    yield
    db.session.rollback()
    db.session.execute(sa.text("DELETE FROM change_record"))
    db.session.commit()


@pytest.fixture
def english(app_ctx):
    """Domain messages in English (outside a request they use the default locale, French)."""
    from flask_babel import force_locale

    with force_locale("en"):
        yield
