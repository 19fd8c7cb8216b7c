"""Territory managers review the changes made to published services of their département."""

from datetime import UTC, datetime

from directory import editing, history
from directory.history import ChangeRecord
from directory.models import DRAFT
from tests import factories
from tests.listings.helpers import cast, form_values, sign_in
from tests.pages.html_checks import get_page


def pending(session):
    session.expire_all()
    return (
        session.query(ChangeRecord)
        .filter(ChangeRecord.needs_review.is_(True), ChangeRecord.reviewed_at.is_(None))
        .all()
    )


def test_the_manager_of_the_departement_marks_changes_reviewed(client, session):
    people = cast()
    editing.update_service(
        people.service_a,
        {"summary": "Nouveau résumé", "description": "Nouvelle description"},
        people.member_a,
    )
    session.commit()
    sign_in(client, people.manager_here)

    page = get_page(client, "/moderation/modifications?lang=en")
    assert "Service de A" in page.text and "Nouveau résumé" in page.text
    assert people.member_a.name in page.text
    action = f"/moderation/modifications/{people.service_a.id}"
    values = form_values(page.tree, action)
    # A change made while the manager reads is not waved through with the others.
    [late] = editing.update_service(people.service_a, {"conditions": "Plus tard"}, people.admin_a)
    session.commit()

    from werkzeug.datastructures import MultiDict

    response = client.post(action, data=MultiDict(values))

    assert response.status_code == 302
    assert [r.id for r in pending(session)] == [late.id]
    reviewed = session.query(ChangeRecord).filter(ChangeRecord.reviewed_at.isnot(None)).all()
    assert {r.field for r in reviewed} == {"summary", "description"}
    assert all(r.reviewed_by_id == people.manager_here.id for r in reviewed)
    page = get_page(client, "/moderation/modifications?lang=en")
    assert "marked as reviewed" in page.text and "Plus tard" in page.text


def test_changes_to_drafts_do_not_wait_for_review(client, session):
    people = cast()
    draft = factories.service(people.org_a, status=DRAFT, name="Brouillon")
    editing.update_service(draft, {"summary": "Rien à revoir"}, people.member_a)
    session.commit()
    sign_in(client, people.manager_here)

    page = get_page(client, "/moderation/modifications?lang=en")

    assert "Brouillon" not in page.text
    assert "Nothing to review." in page.text


def test_managers_elsewhere_and_members_cannot_mark_changes_reviewed(client, session):
    people = cast()
    [record] = editing.update_service(people.service_a, {"summary": "Changé"}, people.member_a)
    session.commit()
    for person in (people.manager_elsewhere, people.member_a, people.admin_a, people.citizen):
        client.cookie_jar.clear() if hasattr(client, "cookie_jar") else None
        sign_in(client, person)
        token = _token(client)
        response = client.post(
            f"/moderation/modifications/{people.service_a.id}",
            data={"csrf_token": token, "record": str(record.id)},
        )
        assert response.status_code == 403, person.email
    assert [r.id for r in pending(session)] == [record.id]


def _token(client):
    from tests.listings.helpers import csrf_token

    return csrf_token(client, "/espace")


def test_history_lists_each_change_in_words(client, session):
    people = cast()
    editing.update_service(
        people.service_a,
        {"publics": ["jeunes"], "contact_public": True, "zones": "region 84"},
        people.member_a,
    )
    session.commit()
    sign_in(client, people.manager_here)

    page = get_page(client, f"/espace/services/{people.service_a.id}/historique?lang=en")

    assert "Publics Everyone Young people" in page.text
    assert "Auvergne-Rhône-Alpes" in page.text and "Rhône" in page.text
    assert "Everyone" in page.text and "Professionals only" in page.text
    assert "Awaiting review" in page.text


def test_awaiting_review_asks_the_permission_once_per_organisation(session):
    people = cast()
    for text in ("un", "deux"):
        editing.update_service(people.service_a, {"summary": text}, people.member_a)
        editing.update_service(people.service_b, {"summary": text}, people.member_b)
    asked = []

    def only_a(org):
        asked.append(org.id)
        return org.id == people.org_a.id

    queue = history.awaiting_review(only_a)

    assert [service.id for service, _records in queue] == [people.service_a.id]
    assert len(queue[0][1]) == 2
    assert sorted(asked) == sorted([people.org_a.id, people.org_b.id])


def test_mark_reviewed_ignores_other_services_records(session):
    people = cast()
    [of_b] = editing.update_service(people.service_b, {"summary": "B"}, people.member_b)
    count = history.mark_reviewed(
        people.service_a,
        [of_b.id, "nonsense"],
        people.manager_here,
        lambda org: True,
        now=datetime(2026, 1, 1, tzinfo=UTC),
    )
    assert count == 0 and of_b.reviewed_at is None
