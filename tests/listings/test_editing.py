"""Creating, editing, publishing, suspending and archiving services, without HTTP."""

from datetime import date

import pytest

from directory import editing
from directory.freshness import add_months, is_overdue
from directory.history import changes_of
from directory.models import (
    ARCHIVED,
    DRAFT,
    MODERATION_PENDING,
    PUBLISHED,
    SUSPENDED,
    Service,
)
from errors import Conflict, Invalid
from tests import factories

pytestmark = pytest.mark.usefixtures("english")

NEED = "mobilite--etre-accompagne-dans-son-parcours-mobilite"
TODAY = date(2026, 3, 10)


def test_a_new_service_is_a_draft_of_its_organisation_checked_today(session):
    org, editor = factories.organisation(), factories.user()
    service = editing.create_service(org, {"name": "  Atelier   CV  "}, editor, today=TODAY)

    assert service.status == DRAFT
    assert service.organisation is org
    assert service.name == "Atelier CV"
    assert service.last_verified_on == TODAY
    [created] = changes_of(service)
    assert (created.field, created.old_value, created.new_value) == ("status", None, DRAFT)
    assert created.changed_by_id == editor.id


def test_a_refused_creation_writes_nothing(session):
    org = factories.organisation()
    with pytest.raises(Invalid):
        editing.create_service(org, {"name": "Atelier", "zones": "commune 00000"}, None)
    assert session.query(Service).count() == 0


def test_update_records_one_change_per_field_with_old_and_new(session):
    org, editor = factories.organisation(), factories.user()
    place = factories.location(org, name="Agence Part-Dieu")
    service = factories.service(org, status=DRAFT, name="Atelier", zones=[("departement", "69")])

    records = editing.update_service(
        service,
        {
            "name": "Atelier mobilité",
            "zones": "departement 69\ncommune 01053",
            "location_ids": [str(place.id)],
            "opening_hours": "Mo 09:00-12:00",
            "summary": service.summary,
        },
        editor,
        today=TODAY,
    )

    changed = {r.field: (r.old_value, r.new_value) for r in records}
    assert changed == {
        "name": ("Atelier", "Atelier mobilité"),
        "zones": (["departement:69"], ["commune:01053", "departement:69"]),
        "locations": (None, ["Agence Part-Dieu"]),
        "opening_hours": (None, "Mo 09:00-12:00"),
    }
    assert all(r.changed_by_id == editor.id and not r.needs_review for r in records)
    assert service.last_verified_on == TODAY
    assert sorted((z.kind, z.code) for z in service.zones) == [
        ("commune", "01053"),
        ("departement", "69"),
    ]


def test_saving_an_unchanged_service_records_nothing(session):
    service = factories.service(status=DRAFT)
    data = {
        "name": service.name,
        "summary": service.summary,
        "thematiques": [NEED],
        "fees_details": "",
        "zones": "departement 69",
    }
    assert editing.update_service(service, data, None) == []


def test_changes_to_a_published_service_await_review(session):
    service = factories.service(status=PUBLISHED)
    [record] = editing.update_service(service, {"description": "Nouveau"}, factories.user())
    assert record.needs_review and record.awaiting_review


def test_a_refused_update_leaves_the_service_as_it_was(session):
    service = factories.service(status=DRAFT, name="Atelier")
    before = editing.snapshot(service)

    with pytest.raises(Invalid) as caught:
        editing.update_service(
            service,
            {
                "name": "Nouveau nom",
                "description": "ok",
                "contact_phone": "abc",
                "zones": "departement 69\ncommune 99999",
            },
            None,
        )

    assert set(caught.value.field_errors) == {"contact_phone", "zones"}
    assert editing.snapshot(service) == before
    assert changes_of(service) == []


def test_a_published_service_must_keep_its_needs_and_modes(session):
    service = factories.service(status=PUBLISHED)
    with pytest.raises(Invalid) as caught:
        editing.update_service(service, {"thematiques": [], "modes_accueil": []}, None)
    assert set(caught.value.field_errors) == {"thematiques", "modes_accueil"}
    assert service.thematiques == [NEED]


def test_publish_needs_a_need_and_a_mode(session):
    service = factories.service(status=DRAFT, thematiques=[], modes=[])
    with pytest.raises(Invalid) as caught:
        editing.publish(service, None)
    assert caught.value.field_errors == {
        "thematiques": ["Choose at least one need to publish this service."],
        "modes_accueil": [
            "Say how the service is delivered (in person, remotely, or both) to publish it."
        ],
    }
    assert service.status == DRAFT


def test_an_organisation_awaiting_moderation_cannot_publish(session):
    org = factories.organisation(moderation_status=MODERATION_PENDING)
    service = factories.service(org, status=DRAFT)
    with pytest.raises(Conflict):
        editing.publish(service, None)
    assert service.status == DRAFT


def test_lifecycle_draft_published_suspended_published_archived(session):
    editor = factories.user()
    service = factories.service(status=DRAFT)

    editing.publish(service, editor)
    assert service.status == PUBLISHED
    with pytest.raises(Conflict):
        editing.publish(service, editor)

    editing.suspend(service, date(2026, 4, 1), editor, TODAY)
    assert (service.status, service.suspended_until) == (SUSPENDED, date(2026, 4, 1))
    assert not service.is_active(TODAY) and service.is_active(date(2026, 4, 2))

    editing.publish(service, editor)
    assert (service.status, service.suspended_until) == (PUBLISHED, None)

    editing.archive(service, editor)
    assert service.status == ARCHIVED and not service.is_public()
    with pytest.raises(Conflict):
        editing.archive(service, editor)
    with pytest.raises(Conflict):
        editing.suspend(service, date(2026, 4, 1), editor, TODAY)

    statuses = [(r.old_value, r.new_value) for r in changes_of(service) if r.field == "status"]
    assert statuses[::-1] == [
        (DRAFT, PUBLISHED),
        (PUBLISHED, SUSPENDED),
        (SUSPENDED, PUBLISHED),
        (PUBLISHED, ARCHIVED),
    ]
    assert not any(r.needs_review for r in changes_of(service))


@pytest.mark.parametrize("until", [TODAY, date(2026, 3, 9), date(2020, 1, 1)])
def test_a_suspension_ends_strictly_after_today(session, until):
    service = factories.service(status=PUBLISHED)
    with pytest.raises(Invalid) as caught:
        editing.suspend(service, until, None, TODAY)
    assert caught.value.field_errors == {"until": ["Choose a date after today."]}
    assert service.status == PUBLISHED


def test_a_draft_cannot_be_suspended(session):
    service = factories.service(status=DRAFT)
    with pytest.raises(Conflict):
        editing.suspend(service, date(2026, 4, 1), None, TODAY)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2026-04-01", date(2026, 4, 1)),
        (" 01/04/2026 ", date(2026, 4, 1)),
        ("2028-02-29", date(2028, 2, 29)),
    ],
)
def test_dates_are_read_in_iso_or_french_order(typed, expected, app_ctx):
    assert editing.read_date(typed) == expected


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter a date."),
        (None, "Enter a date."),
        ("demain", "Enter a date like 31/03/2026."),
        ("2026-02-30", "2026-02-30 is not a date that exists."),
        ("31/04/2026", "31/04/2026 is not a date that exists."),
        ("2026-13-01", "2026-13-01 is not a date that exists."),
    ],
)
def test_impossible_dates_are_refused_on_their_field(typed, message, app_ctx):
    with pytest.raises(Invalid) as caught:
        editing.read_date(typed)
    assert caught.value.field_errors == {"until": [message]}


def test_confirming_counts_as_a_check_today(session):
    service = factories.service(last_verified_on=date(2025, 1, 1))
    editing.confirm_still_correct(service, None, TODAY)
    assert service.last_verified_on == TODAY


@pytest.mark.parametrize(
    ("frequency", "checked", "overdue"),
    [
        ("tous-les-mois", date(2026, 2, 10), False),
        ("tous-les-mois", date(2026, 2, 9), True),
        ("tous-les-6-mois", date(2025, 9, 10), False),
        ("tous-les-6-mois", date(2025, 9, 9), True),
        ("tous-les-16-mois", date(2025, 1, 1), False),
        ("jamais", date(2000, 1, 1), False),
        ("tous-les-3-mois", None, True),
        ("jamais", None, False),
        ("inconnue", date(2025, 9, 9), True),  # an unknown frequency counts as 6 months
    ],
)
def test_a_service_is_overdue_once_its_update_frequency_has_passed(
    session, frequency, checked, overdue
):
    service = Service(update_frequency=frequency, last_verified_on=checked)
    assert is_overdue(service, TODAY) is overdue


def test_adding_months_keeps_the_day_or_the_last_of_the_month():
    assert add_months(date(2025, 8, 31), 6) == date(2026, 2, 28)
    assert add_months(date(2025, 11, 15), 3) == date(2026, 2, 15)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
