"""A person asks a service to contact them from its page (self-referral): the page shows the
consent (what is shared, with whom, until when, how to withdraw) and the choices; identity and
contact are required; a changed choice shows the new text before anything is written; the
person's own record is created once and reused; the duplicate check warns in the person's
words; the referral reaches /mon-espace and the receiving organisation's inbox. On their own
referral page the person reads the timeline and thread, writes, and cancels a self-referral
(never an advisor's). Services that take no request from people themselves have no action."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
import sqlalchemy as sa

from errors import Invalid, NotFound
from referrals import consent as ledger
from referrals.duplicates import FOLLOWED, SAME_NEED
from referrals.models import AuditEntry, Consent, Person, Referral
from referrals.referrals import act, send, thread
from referrals.self_referral import accepts_self_referrals, ask_to_be_contacted, person_warning
from tests import factories as f
from tests.accounts.test_permissions import post
from tests.pages.html_checks import accessibility_problems, get_page, parse
from tests.referrals.world import CAR, MOBILITY, build, draft, referral_consent

EN = {"Accept-Language": "en"}


@pytest.fixture
def world(session):
    world = build()
    world.citizen = f.user("alex.durand@example.org", name="Alex Durand")
    session.commit()
    return world


def ask_url(world) -> str:
    return f"/services/{world.service.id}/etre-contacte"


def shown_text(client, world) -> str:
    page = get_page(client, ask_url(world) + "?lang=en")
    return page.field("consent-text").find_all("blockquote")[0].text()


def form(client, world, **changes) -> dict:
    """What a first-time person fills in, with the consent text the page shows."""
    data = {"first_name": "Alex", "last_name": "Durand", "birth_date": "1990-02-03",
            "email": "alex.durand@example.org", "phone": "06 12 34 56 78",
            "preferred_channel": "phone", "need": CAR,
            "motive": "Je cherche une voiture pour aller travailler.",
            "categories": ["identity", "contact"], "validity": "6", "agree": "y"}
    data.update(changes)
    if "consent_text" not in data:
        data["consent_text"] = shown_text(client, world)
    return data


def referrals_of(session, person_user) -> list[Referral]:
    return list(session.scalars(sa.select(Referral).join(Person).where(
        Person.user_id == person_user.id).order_by(Referral.created_at)))


def counts(session) -> tuple[int, int, int]:
    return tuple(session.scalar(sa.select(sa.func.count()).select_from(model))
                 for model in (Person, Consent, Referral))


# ---------------------------------------------------------------------------------------------
# The action on the service page


def test_a_signed_in_person_sees_ask_to_be_contacted_on_the_service_page(client, world):
    f.login(client, world.citizen)
    page = get_page(client, f"/services/{world.service.id}?lang=en")
    assert page.links()["Ask to be contacted"] == ask_url(world)


def test_a_visitor_is_offered_to_sign_in_and_comes_back_to_the_request(client, world):
    page = get_page(client, f"/services/{world.service.id}?lang=en")
    link = page.links()["Sign in to ask to be contacted"]
    assert link.startswith("/login?next=") and "etre-contacte" in link
    response = client.get(ask_url(world))
    assert response.status_code == 302
    assert "/login?next=" in response.location and "etre-contacte" in response.location


def test_services_only_professionals_mobilise_or_unpublished_have_no_action(client, world,
                                                                             session):
    pros_only = f.service(world.receiving, name="Réservé aux prescripteurs",
                          mobilisable_par=["professionnels"])
    hidden = f.service(world.receiving, name="Brouillon", status="draft")
    session.commit()
    today = datetime.now(UTC).date()
    assert accepts_self_referrals(world.service, today)
    assert not accepts_self_referrals(pros_only, today)
    assert not accepts_self_referrals(hidden, today)
    f.login(client, world.citizen)
    page = get_page(client, f"/services/{pros_only.id}?lang=en")
    assert "Ask to be contacted" not in page.text
    for service in (pros_only, hidden):
        assert client.get(f"/services/{service.id}/etre-contacte").status_code == 404


# ---------------------------------------------------------------------------------------------
# Asking


def test_the_page_shows_the_consent_what_is_shared_with_whom_until_when_and_how_to_withdraw(
        client, world):
    f.login(client, world.citizen)
    page = get_page(client, ask_url(world) + "?lang=en")
    assert page.h1 == "Ask “Garage solidaire” to contact you"
    text = shown_text(client, world)
    until = (datetime.now(UTC).date() + timedelta(days=183)).strftime("%d/%m/%Y")
    assert text.startswith("I agree that CCAS de Villeurbanne may see your identity")
    assert "how to contact you (email, phone)" in text and "situation" not in text
    assert f"until {until}" in text and "I can withdraw this consent at any time" in text
    assert "Withdraw" in page.text and "My record" in page.text
    # Identity and contact ticked by default; situation left to the person.
    checked = {i.get("value") for i in page.tree.find_all("input")
               if i.get("name") == "categories" and "checked" in i.attrs}
    assert checked == {"identity", "contact"}
    assert page.field("email").get("value") == "alex.durand@example.org"


def test_a_first_request_creates_the_record_the_consent_and_a_sent_referral(client, world,
                                                                          session, smtp):
    f.login(client, world.citizen)
    data = form(client, world)
    response = post(client, ask_url(world), data, headers=EN)
    assert response.status_code == 302
    (referral,) = referrals_of(session, world.citizen)
    assert response.location == f"/mon-espace/orientations/{referral.id}"
    assert referral.self_referral and referral.status == "sent"
    assert referral.sending_organisation_id is None and referral.need == CAR
    assert referral.motive == "Je cherche une voiture pour aller travailler."
    assert referral.situation is None
    person = referral.person
    assert (person.first_name, person.last_name, person.phone) == ("Alex", "Durand",
                                                                   "06 12 34 56 78")
    assert person.preferred_channel == "phone" and person.created_by_id == world.citizen.id
    consent = referral.consent
    assert consent.method == "online" and consent.purpose == "referral"
    assert consent.text == data["consent_text"]
    assert consent.categories == ["identity", "contact"]
    assert consent.organisation_ids == {world.receiving.id}
    # The receiving organisation reads the person under this consent, and sees it in its inbox.
    view = ledger.read_person(world.receiver, person.id, ["identity", "contact"],
                              purpose="check")
    assert (view.first_name, view.phone) == ("Alex", "06 12 34 56 78")
    f.login(client, world.receiver)
    inbox = get_page(client, "/espace/orientations?lang=en")
    assert "Garage solidaire" in inbox.text
    assert inbox.links().get("Garage solidaire", "").endswith(str(referral.id)) or \
        f"/espace/orientations/{referral.id}" in inbox.html
    shown = get_page(client, f"/espace/orientations/{referral.id}?lang=en")
    assert "The person themself" in shown.text and "Alex Durand" in shown.text
    # And the person sees it in their space, linked to its page.
    f.login(client, world.citizen)
    own = get_page(client, "/mon-espace?lang=en")
    assert own.links()["Garage solidaire"] == f"/mon-espace/orientations/{referral.id}"


def test_identity_and_contact_are_required_to_be_contacted(client, world, session):
    f.login(client, world.citizen)
    before = counts(session)
    response = post(client, ask_url(world), form(client, world, categories=["identity"]),
                    headers=EN)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "share at least your identity and how to contact you" in html
    new_text = re.search(r'name="consent_text" value="([^"]*)"', html).group(1)
    response = post(client, ask_url(world), form(client, world, categories=["identity"],
                                                 consent_text=unescape(new_text)), headers=EN)
    assert response.status_code == 422
    assert "share at least your identity and how to contact you" in \
        response.get_data(as_text=True)
    assert counts(session) == before


def test_a_changed_choice_shows_the_new_text_before_anything_is_written(client, world,
                                                                        session):
    f.login(client, world.citizen)
    before = counts(session)
    situation = {"categories": ["identity", "contact", "situation"], "age": "34",
                 "employment_situation": "jobseeker"}
    response = post(client, ask_url(world), form(client, world, **situation), headers=EN)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "The consent text changed with your choices" in html
    assert counts(session) == before
    new_text = unescape(re.search(r'name="consent_text" value="([^"]*)"', html).group(1))
    assert "your situation as you described it" in new_text
    response = post(client, ask_url(world), form(client, world, consent_text=new_text,
                                                 **situation), headers=EN)
    assert response.status_code == 302
    (referral,) = referrals_of(session, world.citizen)
    assert referral.situation == {"age": 34, "employment_situation": "jobseeker"}
    assert referral.consent.text == new_text
    own = get_page(client, f"/mon-espace/orientations/{referral.id}?lang=en")
    assert "Your situation, as shared" in own.text and "34" in own.text


def test_without_ticking_i_agree_nothing_is_sent(client, world, session):
    f.login(client, world.citizen)
    before = counts(session)
    data = form(client, world)
    del data["agree"]
    response = post(client, ask_url(world), data, headers=EN)
    assert response.status_code == 422
    assert "Tick the box to agree" in response.get_data(as_text=True)
    assert counts(session) == before


def test_bad_fields_are_named_and_nothing_is_written(client, world, session):
    f.login(client, world.citizen)
    before = counts(session)
    response = post(client, ask_url(world), form(client, world, last_name="", phone="",
                                                 preferred_channel="phone"), headers=EN)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Some fields need your attention" in page
    assert "To be contacted by phone, give a phone number." in page
    assert accessibility_problems(parse(page)) == []  # each error next to its field
    assert counts(session) == before


def test_a_second_request_warns_without_naming_anyone_then_goes_if_confirmed(client, world,
                                                                             session):
    f.login(client, world.citizen)
    assert post(client, ask_url(world), form(client, world)).status_code == 302
    before = counts(session)
    data = form(client, world)
    response = post(client, ask_url(world), data, headers=EN)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "You seem to have an open request to this service already" in html
    assert 'name="confirmed" value="1"' in html
    assert "Send my request anyway" in html
    assert counts(session) == before
    response = post(client, ask_url(world), {**data, "confirmed": "1"}, headers=EN)
    assert response.status_code == 302
    assert len(referrals_of(session, world.citizen)) == 2
    # The record was made once, and reused.
    assert session.scalar(sa.select(sa.func.count()).select_from(Person).where(
        Person.user_id == world.citizen.id)) == 1


def test_a_referral_an_advisor_sent_for_the_same_person_warns_anonymously(session, world):
    """The same human recorded by the Mission locale (Camille Martin, born 17/05/1999) asks
    for a service of the same need herself: she is warned, and no organisation is named."""
    referral = draft(world)
    send(referral, world.advisor, referral.version, confirmed=True)
    camille = f.user("camille@example.org")
    other = f.service(world.receiving, name="Atelier vélo", thematiques=[MOBILITY])
    session.commit()
    until = datetime.now(UTC).date() + timedelta(days=183)
    asked = ask_to_be_contacted(
        camille, other, {"first_name": "Camille", "last_name": "Martin",
                         "birth_date": "1999-05-17", "email": "camille@example.org"},
        categories=["identity", "contact"], text=f"Texte jusqu'au {until}",
        valid_for=timedelta(days=183), need=MOBILITY, motive=None)
    assert not asked.done
    # Her open referral for the need, and the Mission locale accompanying her for it.
    assert asked.warnings == [person_warning(SAME_NEED), person_warning(FOLLOWED)]
    assert all("Mission locale" not in w and "CCAS" not in w for w in asked.warnings)
    assert session.scalar(sa.select(sa.func.count()).select_from(Person).where(
        Person.user_id == camille.id)) == 0


def test_with_a_record_already_only_the_contact_is_asked_and_brought_up_to_date(
        client, world, session):
    f.login(client, world.citizen)
    assert post(client, ask_url(world), form(client, world)).status_code == 302
    other = f.service(world.receiving, name="Atelier vélo", thematiques=[MOBILITY])
    session.commit()
    url = f"/services/{other.id}/etre-contacte"
    page = get_page(client, url + "?lang=en")
    assert "Alex Durand" in page.text
    assert not [i for i in page.tree.find_all("input") if i.get("name") == "first_name"]
    assert page.field("phone").get("value") == "06 12 34 56 78"
    text = page.field("consent-text").find_all("blockquote")[0].text()
    response = post(client, url, {"email": "alex@example.net", "phone": "",
                                  "preferred_channel": "email", "need": MOBILITY,
                                  "categories": ["identity", "contact"], "validity": "6",
                                  "agree": "y", "consent_text": text}, headers=EN)
    assert response.status_code == 302
    person = session.scalar(sa.select(Person).where(Person.user_id == world.citizen.id))
    session.refresh(person)
    assert (person.first_name, person.email, person.phone, person.preferred_channel) == (
        "Alex", "alex@example.net", None, "email")
    updates = session.scalars(sa.select(AuditEntry).where(
        AuditEntry.action == "update", AuditEntry.person_id == person.id)).all()
    assert [u.details["fields"] for u in updates] == [["email", "phone",
                                                       "preferred_channel"]]


def test_the_domain_refuses_a_request_without_identity(world):
    with pytest.raises(Invalid) as refused:
        ask_to_be_contacted(world.citizen, world.service, {"email": "a@example.org"},
                            categories=["contact"], text="x", valid_for=timedelta(days=30),
                            need=None, motive=None)
    assert {"first_name", "last_name", "categories"} <= set(refused.value.field_errors)
    pros_only = f.service(world.receiving, mobilisable_par=["professionnels"])
    with pytest.raises(NotFound):
        ask_to_be_contacted(world.citizen, pros_only, {}, categories=[], text="x",
                            valid_for=timedelta(days=30), need=None, motive=None)


# ---------------------------------------------------------------------------------------------
# The person's own referral page


@pytest.fixture
def asked(client, world, session) -> Referral:
    f.login(client, world.citizen)
    assert post(client, ask_url(world), form(client, world)).status_code == 302
    (referral,) = referrals_of(session, world.citizen)
    return referral


def test_the_person_follows_the_timeline_and_the_thread_and_writes(client, world, asked,
                                                                   session):
    act(asked, "accept", world.receiver, asked.version, note="Nous vous appelons demain.")
    from referrals.referrals import post_message

    post_message(asked, world.receiver, "Quel créneau vous arrange ?")
    session.commit()
    page = get_page(client, f"/mon-espace/orientations/{asked.id}?lang=en")
    assert page.h1 == "Your referral to “Garage solidaire”"
    assert "Status: accepted" in page.text
    assert "Accepted: “Nous vous appelons demain.”" in page.text
    assert "CCAS de Villeurbanne — " in page.text and "Quel créneau vous arrange ?" in page.text
    assert "Cancel my request" not in page.text  # too late once accepted
    response = post(client, f"/mon-espace/orientations/{asked.id}/messages",
                    {"body": "Le matin, merci."}, headers=EN)
    assert response.status_code == 302
    assert [m.body for m in thread(asked, world.receiver)][-1] == "Le matin, merci."
    page = get_page(client, f"/mon-espace/orientations/{asked.id}?lang=en")
    assert "You — " in page.text and "Le matin, merci." in page.text


def test_an_empty_message_is_refused_with_its_reason(client, asked):
    response = post(client, f"/mon-espace/orientations/{asked.id}/messages", {"body": "  "},
                    headers=EN)
    assert response.status_code == 422
    assert "Some fields need your attention" in response.get_data(as_text=True)


def test_the_person_cancels_their_own_request_and_the_service_is_told(client, world, asked,
                                                                      session, smtp):
    page = get_page(client, f"/mon-espace/orientations/{asked.id}?lang=en")
    assert "Cancel my request" in page.text
    stale = asked.version
    response = post(client, f"/mon-espace/orientations/{asked.id}/annuler",
                    {"version": str(stale), "note": "J'ai trouvé une solution."}, headers=EN)
    assert response.status_code == 302
    session.refresh(asked)
    assert asked.status == "cancelled"
    assert asked.events[-1].actor_kind == "person"
    from accounts.models import OutboxEmail

    assert session.scalar(sa.select(sa.func.count()).select_from(OutboxEmail).where(
        OutboxEmail.recipient == world.receiver.email)) >= 2  # sent, then cancelled
    # Again, from the page seen before: 409, nothing changes.
    response = post(client, f"/mon-espace/orientations/{asked.id}/annuler",
                    {"version": str(stale)})
    assert response.status_code == 409


def test_a_referral_sent_by_an_advisor_is_not_cancelled_by_the_person(client, world,
                                                                      session):
    world.person.user_id = world.citizen.id
    referral = draft(world, consent=referral_consent(world))
    send(referral, world.advisor, referral.version, confirmed=True)
    session.commit()
    f.login(client, world.citizen)
    page = get_page(client, f"/mon-espace/orientations/{referral.id}?lang=en")
    assert "Mission locale de Lyon" in page.text and "Cancel my request" not in page.text
    response = post(client, f"/mon-espace/orientations/{referral.id}/annuler",
                    {"version": str(referral.version)})
    assert response.status_code == 403
    session.refresh(referral)
    assert referral.status == "sent"


def test_nobody_else_opens_writes_to_or_cancels_the_persons_referral(client, world, asked,
                                                                     session):
    for intruder in (f.user("someone@example.org"), world.advisor, world.receiver):
        f.login(client, intruder)
        base = f"/mon-espace/orientations/{asked.id}"
        assert client.get(base).status_code == 404
        assert post(client, base + "/messages", {"body": "Intrus"}).status_code == 404
        assert post(client, base + "/annuler",
                    {"version": str(asked.version)}).status_code == 404
    assert client.get("/mon-espace/orientations/not-an-id").status_code == 404
    session.refresh(asked)
    assert asked.status == "sent" and asked.messages == []
    refused = session.scalars(sa.select(AuditEntry).where(
        AuditEntry.action == "read-refused", AuditEntry.subject_id == str(asked.id))).all()
    assert len(refused) >= 3


def test_one_account_cannot_flood_an_organisation_with_requests(client, world, session):
    f.login(client, world.citizen)
    statuses = [post(client, ask_url(world), {"agree": "y"}).status_code for _ in range(11)]
    assert statuses[:10] == [422] * 10 and statuses[10] == 429
    assert counts(session)[2] == 0
