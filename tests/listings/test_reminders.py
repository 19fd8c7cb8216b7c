"""`flask listings remind` emails the editors of overdue listings, once per period."""

from datetime import UTC, date, datetime, timedelta

import pytest

from directory.models import ARCHIVED, DRAFT, Service
from directory.reminders import due_for_reminder
from tests import factories

TODAY = date(2026, 3, 10)


def remind(app):
    result = app.test_cli_runner().invoke(
        args=["listings", "remind", "--base-url", "https://relais.example"]
    )
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def editors(session):
    org = factories.organisation(name="CCAS de Lyon")
    admin, member, pending_member = factories.user(), factories.user(), factories.user()
    factories.membership(admin, org, "admin")
    factories.membership(member, org, "member")
    factories.membership(pending_member, org, "member", status="pending")
    return org, admin, member, pending_member


def test_editors_of_overdue_services_get_one_email_once(app, session, smtp, editors):
    org, admin, member, pending_member = editors
    long_ago = date.today() - timedelta(days=400)
    overdue = factories.service(org, name="Épicerie solidaire", last_verified_on=long_ago)
    also = factories.service(org, name="Aide alimentaire", last_verified_on=None)
    factories.service(org, name="Tout frais")  # checked today
    factories.service(org, name="Jamais", update_frequency="jamais", last_verified_on=long_ago)
    factories.service(org, name="Brouillon", status=DRAFT, last_verified_on=long_ago)
    factories.service(org, name="Archivé", status=ARCHIVED, last_verified_on=long_ago)
    session.commit()

    remind(app)

    for person in (admin, member):
        [email] = smtp.to(person.email)
        body = smtp.body(email)
        assert "Épicerie solidaire" in body and "Aide alimentaire" in body
        assert "Tout frais" not in body and "Jamais" not in body and "Brouillon" not in body
        assert f"https://relais.example/espace/services/{overdue.id}/modifier" in body
    assert smtp.to(pending_member.email) == []
    session.expire_all()
    assert overdue.reminded_at is not None and also.reminded_at is not None

    count = len(smtp.messages)
    remind(app)
    assert len(smtp.messages) == count  # safe to run again


def test_a_reminder_comes_again_after_a_period_without_a_check(app, session, smtp, editors):
    org, admin, _member, _pending = editors
    service = factories.service(
        org,
        update_frequency="tous-les-mois",
        last_verified_on=date.today() - timedelta(days=100),
        reminded_at=datetime.now(UTC) - timedelta(days=40),
    )
    session.commit()

    remind(app)

    assert len(smtp.to(admin.email)) == 1
    session.expire_all()
    assert service.reminded_at.date() >= date.today() - timedelta(days=1)


def test_services_without_editors_wait_until_someone_can_act(app, session, smtp):
    service = factories.service(last_verified_on=date(2020, 1, 1))
    session.commit()
    remind(app)
    session.expire_all()
    assert smtp.messages == [] and service.reminded_at is None


@pytest.mark.parametrize(
    ("checked", "reminded", "due"),
    [
        (date(2025, 1, 1), None, True),
        (date(2025, 1, 1), datetime(2026, 3, 1, tzinfo=UTC), False),  # reminded 9 days ago
        (date(2025, 1, 1), datetime(2025, 9, 10, tzinfo=UTC), True),  # six months ago
        (date(2026, 1, 1), None, False),  # not overdue
    ],
)
def test_due_for_reminder(checked, reminded, due):
    service = Service(
        update_frequency="tous-les-6-mois", last_verified_on=checked, reminded_at=reminded
    )
    assert due_for_reminder(service, TODAY) is due
