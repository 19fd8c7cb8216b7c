"""Erasure carried out after the legal checks, with a record kept that it was: platform
administrators see the pending requests (by reference, never by name) and their checks; an
open referral blocks the erasure unless a reason is written; carrying it out erases the
record, records the checks, the reason and the erasure in the audit log (which still
verifies) and emails the person's account. Nobody but a platform administrator with their
second factor reaches these pages or the domain function."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from errors import Forbidden, Invalid, NotFound
from referrals import audit
from referrals.erasure import (
    CONSENTS,
    DOCUMENTS,
    FOLLOW_UPS,
    OPEN_REFERRALS,
    OTHER_RECORDS,
    carry_out,
    pending_request,
    pending_requests,
)
from referrals.models import AuditEntry, Person, Referral
from referrals.own_space import record_erasure_request
from referrals.referrals import act, send
from tests import factories as f
from tests.accounts.test_permissions import post
from tests.pages.html_checks import get_page
from tests.referrals.world import build, draft, referral_consent

EN = {"Accept-Language": "en"}
REASON = "The CCAS confirmed by phone that the referral is over."


class Scene:
    """The person, with an account, has a referral still open and asked for erasure."""

    def __init__(self):
        self.world = build()
        self.citizen = f.user("camille@example.org", name="Camille Martin")
        self.world.person.user_id = self.citizen.id
        self.referral = draft(self.world, consent=referral_consent(self.world))
        assert send(self.referral, self.world.advisor, self.referral.version).done
        record_erasure_request(self.citizen, self.world.person)
        self.admin = f.user("admin@relais.example", platform_admin=True)


@pytest.fixture
def scene(session) -> Scene:
    scene = Scene()
    session.commit()
    return scene


def erased(session, scene) -> bool:
    session.expire_all()
    return session.get(Person, scene.world.person.id).erased_at is not None


# ---------------------------------------------------------------------------------------------
# The domain


def test_a_pending_request_comes_with_its_checks(scene):
    (request,) = pending_requests()
    assert request.person_id == scene.world.person.id
    checks = {c.name: c for c in request.checks}
    assert list(checks) == [OPEN_REFERRALS, CONSENTS, FOLLOW_UPS, DOCUMENTS, OTHER_RECORDS]
    assert not checks[OPEN_REFERRALS].passed and checks[OPEN_REFERRALS].count == 1
    assert checks[CONSENTS].count == 2 and checks[FOLLOW_UPS].count == 1
    assert checks[DOCUMENTS].count == 0 and checks[OTHER_RECORDS].count == 0
    assert request.blocked


def test_an_open_referral_blocks_the_erasure_unless_a_reason_is_given(scene, session):
    with pytest.raises(Invalid) as refused:
        carry_out(scene.admin, scene.world.person.id, second_factor=True)
    assert "override" in refused.value.field_errors
    with pytest.raises(Invalid):
        carry_out(scene.admin, scene.world.person.id, "too short", second_factor=True)
    session.rollback()
    assert not erased(session, scene)

    carry_out(scene.admin, scene.world.person.id, REASON, second_factor=True)
    session.commit()
    assert erased(session, scene)
    checked = session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "erasure-checked"))
    assert checked.actor_id == scene.admin.id and checked.details["override"] == REASON
    assert checked.details["checks"][OPEN_REFERRALS] == 1
    assert session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "erased")).actor_id \
        == scene.admin.id
    assert audit.verify().ok
    assert pending_requests() == []
    with pytest.raises(NotFound):  # done: nothing pending any more
        pending_request(scene.world.person.id)


def test_once_the_referral_is_closed_the_erasure_needs_no_reason(scene, session, smtp):
    act(scene.referral, "cancel", scene.world.advisor, scene.referral.version)
    session.commit()
    (request,) = pending_requests()
    assert not request.blocked
    carry_out(scene.admin, scene.world.person.id, second_factor=True)
    session.commit()
    assert erased(session, scene)
    referral = session.get(Referral, scene.referral.id)
    assert referral.status == "cancelled" and referral.motive is None
    checked = session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "erasure-checked"))
    assert checked.details["override"] is None


def test_the_persons_documents_are_counted_then_deleted_with_the_record(scene, session):
    from referrals.document_models import Document
    from referrals.documents import add_document
    from tests.referrals import document_samples

    add_document(scene.world.advisor, scene.world.person, "attestation.pdf",
                 [document_samples.pdf()], organisation=scene.world.sending)
    session.commit()
    (request,) = pending_requests()
    documents = next(c for c in request.checks if c.name == DOCUMENTS)
    assert documents.count == 1 and documents.passed and not documents.blocking
    carry_out(scene.admin, scene.world.person.id, REASON, second_factor=True)
    session.commit()
    assert session.scalar(sa.select(sa.func.count(Document.id)).where(
        Document.person_id == scene.world.person.id)) == 0


def test_only_a_platform_administrator_with_the_second_factor_erases(scene, session):
    for who, second_factor in ((scene.world.advisor, True), (scene.citizen, True),
                               (scene.admin, False)):
        with pytest.raises(Forbidden):
            carry_out(who, scene.world.person.id, REASON, second_factor=second_factor)
    with pytest.raises(NotFound):
        carry_out(scene.admin, scene.world.sending.id, REASON, second_factor=True)
    with pytest.raises(NotFound):
        carry_out(scene.admin, "not-an-id", REASON, second_factor=True)
    session.rollback()
    assert not erased(session, scene)


def test_a_record_nobody_asked_to_erase_is_not_pending(session):
    world = build()
    session.commit()
    assert pending_requests() == []
    with pytest.raises(NotFound):
        pending_request(world.person.id)


# ---------------------------------------------------------------------------------------------
# The pages


def test_the_administrator_sees_the_request_by_reference_never_by_name(client, scene):
    f.login(client, scene.admin)
    page = get_page(client, "/admin/effacements?lang=en")
    assert page.h1 == "Requests for erasure"
    reference = str(scene.world.person.id)[:8]
    assert f"Record {reference}" in page.text
    assert "Blocked: a referral is still open" in page.text
    assert "Camille" not in page.html and "Martin" not in page.html
    review = get_page(client, f"/admin/effacements/{scene.world.person.id}?lang=en")
    assert "Blocking: 1 referral is still open" in review.text
    assert "2 consents in force: the erasure withdraws them." in review.text
    assert "Camille" not in review.html and "Martin" not in review.html
    assert page.links()[f"Record {reference}"] == f"/admin/effacements/{scene.world.person.id}"


def test_erasing_from_the_page_asks_for_a_reason_then_records_it(client, scene, session,
                                                                 smtp):
    f.login(client, scene.admin)
    url = f"/admin/effacements/{scene.world.person.id}/effacer"
    response = post(client, url, headers=EN)
    assert response.status_code == 422
    assert "say why the erasure must go ahead anyway" in response.get_data(as_text=True)
    assert not erased(session, scene)

    response = post(client, url, {"override": REASON}, headers=EN)
    assert response.status_code == 302 and response.location == "/admin/effacements"
    assert erased(session, scene)
    page = get_page(client, "/admin/effacements?lang=en")
    assert "No request is waiting." in page.text
    assert f"Record {str(scene.world.person.id)[:8]}, erased on" in page.text
    # The person's account is told; the email names no one.
    from accounts.models import OutboxEmail

    (email,) = session.scalars(sa.select(OutboxEmail).where(
        OutboxEmail.recipient == scene.citizen.email,
        OutboxEmail.subject.contains("erased"))).all()
    assert "Camille" not in email.body and "Martin" not in email.body
    # Their space no longer holds a record.
    f.login(client, scene.citizen)
    assert "No record yet" in get_page(client, "/mon-espace?lang=en").text


def test_the_erasure_pages_are_for_platform_administrators_only(client, scene, session):
    urls = ("/admin/effacements", f"/admin/effacements/{scene.world.person.id}")
    erase_url = f"/admin/effacements/{scene.world.person.id}/effacer"
    for response in [client.get(u) for u in urls] + [post(client, erase_url,
                                                          {"override": REASON})]:
        assert response.status_code == 302 and "/login" in response.location
    for who in (scene.citizen, scene.world.advisor, scene.world.receiver):
        f.login(client, who)
        for url in urls:
            assert client.get(url).status_code == 403
        assert post(client, erase_url, {"override": REASON}).status_code == 403
    with client.session_transaction() as fresh:
        fresh.clear()
    f.login(client, scene.admin, second_factor=False)
    response = client.get(urls[0])
    assert response.status_code == 302 and "2fa" in response.location
    assert post(client, erase_url, {"override": REASON}).status_code == 302
    assert not erased(session, scene)


def test_an_unknown_reference_is_not_found(client, scene):
    f.login(client, scene.admin)
    assert client.get("/admin/effacements/not-an-id").status_code == 404
    assert client.get(f"/admin/effacements/{scene.world.sending.id}").status_code == 404
