"""The person's own space: with an account, a person sees their referrals, their consents and
who read their data; withdraws a consent from the page or from an email link (a forged link
is refused), after which the organisation reads nothing; downloads all their data (audited);
asks for erasure (the platform administrators are emailed), and erase_person() leaves no
identity while the audit chain stays whole. Nobody else sees or withdraws their consents."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from errors import NotFound
from referrals import audit
from referrals import consent as ledger
from referrals.models import AuditEntry, Consent, FollowUp, Referral
from referrals.own_space import erase_person, withdrawal_link
from referrals.people import same_person_ids
from referrals.referrals import post_message, send
from tests import factories as f
from tests.accounts.test_permissions import csrf_token, post
from tests.pages.html_checks import get_page
from tests.referrals.world import build, draft, referral_consent


class Scene:
    """The referral world, the person with their own account, a sent referral that the
    receiving organisation has read."""

    def __init__(self):
        self.world = build()
        self.citizen = f.user("camille@example.org", name="Camille Martin")
        self.world.person.user_id = self.citizen.id
        self.consent = referral_consent(self.world)
        self.referral = draft(self.world, consent=self.consent)
        assert send(self.referral, self.world.advisor, self.referral.version).done
        post_message(self.referral, self.world.advisor, "Elle commence lundi.")
        ledger.read_person(self.world.receiver, self.world.person.id, ["identity"],
                           purpose="referral")


@pytest.fixture
def scene(session) -> Scene:
    scene = Scene()
    session.commit()
    return scene


def receiver_reads(scene: Scene):
    return ledger.read_person(scene.world.receiver, scene.world.person.id, ["identity"],
                              purpose="referral")


def test_the_person_sees_their_referrals_consents_and_who_read_their_data(client, scene):
    f.login(client, scene.citizen)
    page = get_page(client, "/mon-espace?lang=en")
    assert page.h1 == "My record"
    text = page.text
    assert "Garage solidaire Organisation CCAS de Villeurbanne Sent by Mission locale de Lyon " \
        "State sent" in text
    # Both consents, to whom, for what, how and attested by whom (name only).
    assert "CCAS de Villeurbanne" in text and "Mission locale de Lyon" in text
    assert "a referral to a service — Garage solidaire" in text
    assert "in person, to an advisor" in text and scene.world.advisor.name in text
    assert scene.world.advisor.email not in text
    assert "your identity (name, date of birth, France Travail number)" in text
    assert text.count("Withdraw — consent given to") == 2
    # Who read: the receiving organisation, in words; the person's own visit is not listed.
    rows = [[cell.text() for cell in row.find_all("td")] for row in page.tree.find_all("tr")]
    who_what = [tuple(cells[1:]) for cells in rows if cells]
    assert ("CCAS de Villeurbanne", "read your identity (name, date of birth, France Travail "
            "number)") in who_what
    assert ("Mission locale de Lyon", "Garage solidaire: the referral is now sent") in who_what
    assert ("Mission locale de Lyon", "recorded a consent") in who_what
    assert not [what for who, what in who_what if who == "You" and what.startswith("read")]


def test_a_signed_in_user_without_a_record_is_told_there_is_none(client, session):
    f.login(client, f.user())
    page = get_page(client, "/mon-espace?lang=en")
    assert "No record yet" in page.text


def test_the_navigation_links_to_the_own_space_for_signed_in_users(client, scene):
    f.login(client, scene.citizen)
    page = get_page(client, "/?lang=en")
    assert page.links()["My record"] == "/mon-espace"


def test_withdrawing_by_the_button_cuts_the_organisations_access_at_once(client, scene):
    assert receiver_reads(scene).first_name == "Camille"
    f.login(client, scene.citizen)
    client.get("/mon-espace?lang=en")
    response = post(client, f"/mon-espace/consentements/{scene.consent.id}/retirer",
                    follow_redirects=True)
    assert response.status_code == 200
    assert "Your consent is withdrawn" in response.get_data(as_text=True)
    with pytest.raises(NotFound):
        receiver_reads(scene)
    consent = scene.consent
    assert consent.withdrawn_at is not None and consent.withdrawn_by_id == scene.citizen.id
    # The page now shows it withdrawn, with no button for it.
    page = get_page(client, "/mon-espace")
    assert "withdrawn on" in page.text
    assert page.text.count("Withdraw — consent given to") == 1
    assert "You withdrew a consent" in page.text


def test_a_withdrawal_without_the_csrf_token_changes_nothing(client, scene):
    f.login(client, scene.citizen)
    client.post(f"/mon-espace/consentements/{scene.consent.id}/retirer")
    assert receiver_reads(scene).first_name == "Camille"


def test_withdrawing_from_an_email_link_needs_no_sign_in(app, client, scene, session):
    with app.test_request_context():
        link = withdrawal_link(scene.consent)
    assert link.startswith("http://localhost/consentement/retrait/")
    path = urlsplit(link).path
    page = get_page(client, path + "?lang=en")
    assert page.h1 == "Withdraw a consent"
    assert "CCAS de Villeurbanne" in page.text and "Garage solidaire" in page.text
    assert receiver_reads(scene).first_name == "Camille"  # looking changes nothing

    response = post(client, path)
    assert response.status_code == 200
    assert "Your consent is withdrawn" in response.get_data(as_text=True)
    with pytest.raises(NotFound):
        receiver_reads(scene)
    (entry,) = session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "consent-withdrawn")).all()
    assert entry.actor_kind == "person"
    # Opening the link again says it is done.
    assert "This consent was withdrawn on" in get_page(client, path).text


def test_a_forged_or_altered_withdrawal_link_is_not_found(app, client, scene):
    with app.test_request_context():
        path = urlsplit(withdrawal_link(scene.consent)).path
    altered = path[:-3] + ("aaa" if not path.endswith("aaa") else "bbb")
    for url in (altered, "/consentement/retrait/forged-token"):
        assert client.get(url).status_code == 404
        assert client.post(url, data={"csrf_token": csrf_token(client)}).status_code == 404
    assert receiver_reads(scene).first_name == "Camille"


def test_another_user_cannot_see_or_withdraw_someone_elses_consent(client, scene, session):
    other = f.user("someone.else@example.org")
    f.login(client, other)
    page = get_page(client, "/mon-espace?lang=en")
    assert "Garage solidaire" not in page.text and "Camille" not in page.text
    response = post(client, f"/mon-espace/consentements/{scene.consent.id}/retirer")
    assert response.status_code == 404
    # Not even the advisor who recorded the person withdraws it from here.
    f.login(client, scene.world.advisor)
    response = post(client, f"/mon-espace/consentements/{scene.consent.id}/retirer")
    assert response.status_code == 404
    session.expire_all()
    assert session.get(Consent, scene.consent.id).withdrawn_at is None
    exported = json.loads(client.get("/mon-espace/mes-donnees.json").get_data(as_text=True))
    assert exported["person"] is None


def test_the_export_holds_all_the_persons_data_and_is_audited(client, scene, session):
    f.login(client, scene.citizen)
    response = client.get("/mon-espace/mes-donnees.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.get_data(as_text=True))
    assert (data["person"]["first_name"], data["person"]["last_name"]) == ("Camille", "Martin")
    assert data["person"]["birth_date"] == "1999-05-17"
    assert data["person"]["email"] == "camille.martin@example.org"
    assert len(data["consents"]) == 2
    assert {c["purpose"] for c in data["consents"]} == {"referral", "follow-up"}
    assert all(c["text"] for c in data["consents"])
    (referral,) = data["referrals"]
    assert referral["service"] == "Garage solidaire" and referral["status"] == "sent"
    assert [e["to"] for e in referral["events"]] == ["sent"]
    assert [m["body"] for m in referral["messages"]] == ["Elle commence lundi."]
    assert data["follow_ups"][0]["organisation"] == "Mission locale de Lyon"
    actions = [line["action"] for line in data["audit"]]
    assert {"create", "consent-given", "transition", "read"} <= set(actions)
    assert any(line["organisation"] == "CCAS de Villeurbanne" for line in data["audit"])
    exports = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "export")).all()
    assert [(e.person_id, e.actor_id) for e in exports] == [(scene.world.person.id,
                                                             scene.citizen.id)]


def test_asking_for_erasure_emails_the_platform_admins(client, scene, smtp, session):
    admin = f.user("admin@relais.example", platform_admin=True)
    f.login(client, scene.citizen)
    client.get("/mon-espace?lang=en")
    response = post(client, "/mon-espace/effacement", follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "will be erased after the legal checks" in text
    assert "You asked for erasure on" in text
    (email,) = smtp.to(admin.email)
    body = smtp.body(email)
    assert "legal checks" in body and str(scene.world.person.id) in body
    assert "Camille" not in body and "Martin" not in body
    assert smtp.to(scene.world.advisor.email) == []
    requests = session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "erasure-requested")).all()
    assert [r.person_id for r in requests] == [scene.world.person.id]
    # Nothing is erased yet: that waits for the legal checks.
    assert scene.world.person.erased_at is None


def test_erasing_a_person_leaves_no_identity_and_keeps_the_audit_chain(scene, session):
    admin = f.user(platform_admin=True)
    person = scene.world.person
    erase_person(person, admin)
    session.commit()
    session.expire_all()
    assert (person.first_name, person.last_name) == ("—", "—")
    assert (person.birth_date, person.email, person.phone, person.france_travail_id) == (
        None, None, None, None)
    assert person.identity_key == "erased" and person.erased_at is not None
    assert person.user_id is None
    assert all(c.withdrawn_at is not None for c in person.consents)
    referral = session.get(Referral, scene.referral.id)
    assert referral.status == "sent" and referral.sent_at is not None
    assert referral.motive is None and [m.body for m in referral.messages] == ["—"]
    assert all(fu.ended_on is not None for fu in session.scalars(
        sa.select(FollowUp).where(FollowUp.person_id == person.id)))
    # Nobody reads the record any more, and the same identity no longer matches it.
    for reader in (scene.world.advisor, scene.world.receiver):
        with pytest.raises(NotFound):
            ledger.read_person(reader, person.id, ["identity"], purpose="check")
    assert person.id not in same_person_ids("Martin", "Camille", None)
    # The log keeps every line before, records the erasure, and still verifies.
    last = session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (last.action, last.person_id) == ("erased", person.id)
    assert session.scalar(sa.select(sa.func.count(AuditEntry.id)).where(
        AuditEntry.person_id == person.id, AuditEntry.action == "transition")) == 1
    assert audit.verify().ok
