"""The advisor's and the receiving organisation's pages, through HTTP: a person recorded with
consent, referred, seen in the inbox, opened, accepted, started and completed with an outcome;
messages both ways; the duplicate warning and its confirmation; an organisation with no consent
finds nothing by any route or id; a withdrawal cuts access at the next request; a stale action
gets 409."""

from __future__ import annotations

import re
from html import unescape

import pytest
import sqlalchemy as sa

from referrals.models import Consent, Person, Referral, ReferralMessage
from referrals.referrals import post_message, send
from referrals.transitions import TRANSITIONS
from tests import factories as f
from tests.accounts.test_permissions import post
from tests.pages.html_checks import get_page
from tests.referrals.world import MOBILITY, build, draft, referral_consent


def hidden(page, name: str) -> str:
    """The value of a hidden field of the page (the first of that name)."""
    field = next(e for e in page.tree.find_all("input") if e.get("name") == name)
    return unescape(field.get("value") or "")


def person_form(page, **fields) -> dict:
    data = {"first_name": "Inès", "last_name": "Benali", "birth_date": "1998-03-02",
            "email": "ines.benali@example.org", "phone": "", "preferred_channel": "email",
            "france_travail_id": "", "needs": ["mobilite"], "method": "in-person",
            "categories": ["identity", "contact"], "validity": "6",
            "consent_text": hidden(page, "consent_text"), "service": hidden(page, "service")}
    return {**data, **fields}


def referral_form(page, **fields) -> dict:
    data = {"service": hidden(page, "service"), "need": MOBILITY,
            "motive": "Needs a car to reach a job.", "age": "27", "employment_situation": "",
            "registered_france_travail": "", "rqth": "", "method": "in-person",
            "categories": ["identity", "contact"], "validity": "6",
            "consent_text": hidden(page, "consent_text")}
    return {**data, **fields}


def posted_back_text(response) -> str:
    html = response.get_data(as_text=True)
    return unescape(re.search(r'name="consent_text" value="([^"]*)"', html).group(1))


def referral_page_of(location: str) -> str:
    assert re.fullmatch(r".*/espace/orientations/[0-9a-f-]{36}", location), location
    return location


@pytest.fixture
def world(session):
    world = build()
    session.commit()
    return world


def act(client, url: str, action: str, **fields):
    """Take an action from the referral page, with the version the page shows."""
    page = get_page(client, url + "?lang=en")
    return post(client, f"{url}/{action}", {"version": hidden(page, "version"), **fields})


# ---------------------------------------------------------------------------------------------
# The whole referral


def test_a_referral_goes_from_consent_to_outcome_through_the_pages(client, world, session):
    f.login(client, world.advisor)
    page = get_page(client, f"/espace/personnes/nouvelle?lang=en&service={world.service.id}")
    assert page.h1 == "Record a person"
    shown = hidden(page, "consent_text")
    assert "Mission locale de Lyon" in shown and shown in page.text

    response = post(client, "/espace/personnes/nouvelle", person_form(page))
    assert response.status_code == 302
    person = session.scalar(sa.select(Person).where(Person.last_name == "Benali"))
    stored = session.scalars(sa.select(Consent).where(Consent.person_id == person.id)).one()
    assert stored.text == shown and stored.method == "in-person"
    # Created from a service page: straight on to the referral of that service.
    assert f"/espace/personnes/{person.id}/orienter" in response.location
    page = get_page(client, f"/espace/personnes/{person.id}?lang=en")
    assert page.h1 == "Inès Benali" and "ines.benali@example.org" in page.text
    assert "Mission locale de Lyon" in page.text  # the follow-up group

    # Without a service, the advisor finds one by its name.
    page = get_page(client, f"/espace/personnes/{person.id}/orienter?q=garage&lang=en")
    url = page.links()["Garage solidaire"]
    assert url.startswith(f"/espace/personnes/{person.id}/orienter?service={world.service.id}")
    url += "&lang=en"
    page = get_page(client, url)
    assert "CCAS de Villeurbanne" in hidden(page, "consent_text")
    # The situation is shared too: the page first shows the text with that choice.
    form = referral_form(page, categories=["identity", "contact", "situation"])
    response = post(client, url, form)
    assert response.status_code == 422
    assert "your situation as you described it" in posted_back_text(response)
    response = post(client, url, {**form, "consent_text": posted_back_text(response)})
    assert response.status_code == 302
    referral_url = referral_page_of(response.location)
    page = get_page(client, referral_url + "?lang=en")
    assert "Status: sent" in page.text and "Inès Benali" in page.text
    assert post(client, referral_url + "/messages",
                {"body": "She can start on Monday."}).status_code == 302

    f.login(client, world.receiver)
    inbox = get_page(client, "/espace/orientations?lang=en")
    assert "Garage solidaire" in inbox.text and "sent: 1" in inbox.text
    assert "from Mission locale de Lyon" in inbox.text
    page = get_page(client, referral_url + "?lang=en")  # the first reading opens it
    assert "Status: opened" in page.text
    assert "Inès Benali" in page.text and "27" in page.text  # the situation is covered
    assert "She can start on Monday." in page.text
    assert post(client, referral_url + "/messages",
                {"body": "Come on Tuesday at 10."}).status_code == 302

    assert act(client, referral_url, "accept", note="Welcome").status_code == 302
    assert act(client, referral_url, "start").status_code == 302
    assert act(client, referral_url, "complete", outcome="job-found").status_code == 302
    page = get_page(client, referral_url + "?lang=en")
    assert "Status: completed" in page.text and "Job found" in page.text
    timeline = page.tree.find_all("ol")[0].text()
    for step in ("Sent", "Opened", "Accepted", "In progress", "Completed"):
        assert step in timeline
    assert timeline.index("Sent") < timeline.index("Opened") < timeline.index("Accepted") \
        < timeline.index("In progress") < timeline.index("Completed")
    inbox = get_page(client, "/espace/orientations?lang=en&status=completed")
    assert "Garage solidaire" in inbox.text

    f.login(client, world.advisor)
    page = get_page(client, referral_url + "?lang=en")
    assert "Come on Tuesday at 10." in page.text and "Status: completed" in page.text
    sent = get_page(client, "/espace/orientations?lang=en&box=sent")
    assert "to CCAS de Villeurbanne" in sent.text


def test_the_stored_consent_keeps_the_text_shown(client, world, session):
    f.login(client, world.advisor)
    url = f"/espace/personnes/{world.person.id}/orienter?service={world.service.id}&lang=en"
    page = get_page(client, url)
    form = referral_form(page, categories=["identity"])  # changed after the text was shown
    response = post(client, url, form)
    assert response.status_code == 422
    assert session.scalar(sa.select(sa.func.count(Referral.id))) == 0
    assert "read the new text to the person" in unescape(response.get_data(as_text=True))
    # Sent again with the text now shown: stored as shown.
    new_text = posted_back_text(response)
    response = post(client, url, {**form, "consent_text": new_text})
    assert response.status_code == 302
    referral = session.scalar(sa.select(Referral))
    assert referral.consent.text == new_text and referral.consent.categories == ["identity"]


def test_bad_forms_come_back_with_a_message_per_field(client, world):
    f.login(client, world.advisor)
    page = get_page(client, "/espace/personnes/nouvelle?lang=en")
    response = post(client, "/espace/personnes/nouvelle?lang=en",
                    person_form(page, first_name="", birth_date="31/02/1999"))
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Some fields need your attention" in text and 'value="Benali"' in text
    assert 'id="birth_date-error"' in text and 'id="first_name-error"' in text


# ---------------------------------------------------------------------------------------------
# No duplicate work


def test_a_possible_duplicate_record_is_shown_and_needs_confirming(client, world, session):
    f.login(client, world.advisor)
    page = get_page(client, "/espace/personnes/nouvelle?lang=en")
    form = person_form(page, first_name="Camille", last_name="Martin", birth_date="17/05/1999")
    response = post(client, "/espace/personnes/nouvelle?lang=en", form)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "This person may already have a record" in text
    assert f"/espace/personnes/{world.person.id}" in text
    assert session.scalar(sa.select(sa.func.count(Person.id))) == 1
    response = post(client, "/espace/personnes/nouvelle?lang=en", {**form, "confirmed": "1"})
    assert response.status_code == 302
    assert session.scalar(sa.select(sa.func.count(Person.id))) == 2


def test_the_duplicate_warning_is_shown_and_sending_needs_confirming(client, world, session):
    earlier = draft(world)
    assert send(earlier, world.advisor, earlier.version).done
    session.commit()
    f.login(client, world.advisor)
    url = f"/espace/personnes/{world.person.id}/orienter?service={world.service.id}&lang=en"
    page = get_page(client, url)
    response = post(client, url, referral_form(page))
    assert response.status_code == 200
    text = unescape(response.get_data(as_text=True))
    assert "already has an open referral to this service" in text
    second = session.scalars(sa.select(Referral).where(Referral.id != earlier.id)).one()
    assert second.status == "draft"
    version = re.search(r'name="version" value="(\d+)"', text).group(1)
    response = post(client, f"/espace/orientations/{second.id}/send?lang=en",
                    {"version": version, "confirmed": "1"})
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Referral, second.id).status == "sent"


# ---------------------------------------------------------------------------------------------
# Who sees what


@pytest.fixture
def sent(world, session):
    consent = referral_consent(world)
    referral = draft(world, consent=consent, situation={"age": 27})
    assert send(referral, world.advisor, referral.version).done
    post_message(referral, world.advisor, "Elle commence lundi.")
    session.commit()
    return referral, consent


def test_an_organisation_without_consent_finds_nothing_by_any_route_or_id(client, world, sent,
                                                                          session):
    referral, consent = sent
    outsider_org = f.organisation(name="Organisation C", postcode="69007")
    outsider = f.user("c@organisation-c.example")
    f.membership(outsider, outsider_org)
    f.service(outsider_org, name="Service C")
    session.commit()
    f.login(client, outsider)
    person, ref = world.person.id, referral.id
    consent_ids = list(session.scalars(sa.select(Consent.id).where(Consent.person_id == person)))
    assert len(consent_ids) == 2  # the follow-up consent to A, the referral consent to B
    for url in (f"/espace/personnes/{person}", f"/espace/personnes/{person}/orienter",
                f"/espace/personnes/{person}/orienter?service={world.service.id}",
                f"/espace/orientations/{ref}"):
        assert client.get(url).status_code == 404, url
    posts = [f"/espace/orientations/{ref}/messages"]
    posts += [f"/espace/orientations/{ref}/{action}" for action in TRANSITIONS]
    posts += [f"/espace/consentements/{cid}/retirer" for cid in consent_ids]
    posts += [f"/espace/personnes/{person}/orienter?service={world.service.id}"]
    for url in posts:
        response = post(client, url, {"version": str(referral.version), "body": "Hello",
                                      "reason": "other", "outcome": "other"})
        assert response.status_code == 404, url
    session.expire_all()
    assert session.get(Referral, ref).status == "sent"
    assert session.scalar(sa.select(sa.func.count(ReferralMessage.id))) == 1
    assert all(c.withdrawn_at is None for c in session.scalars(sa.select(Consent)))
    # Its own inbox says nothing of it either.
    assert "Garage solidaire" not in get_page(client, "/espace/orientations").text


def test_withdrawing_the_consent_cuts_the_receivers_access_at_the_next_request(client, world,
                                                                               sent):
    referral, consent = sent
    f.login(client, world.receiver)
    url = f"/espace/orientations/{referral.id}?lang=en"
    page = get_page(client, url)
    assert "Camille Martin" in page.text and "Elle commence lundi." in page.text
    person_page = get_page(client, f"/espace/personnes/{world.person.id}?lang=en")
    assert "Withdraw on the person’s behalf" in person_page.text
    response = post(client, f"/espace/consentements/{consent.id}/retirer")
    assert response.status_code == 302
    page = get_page(client, url)
    assert "Camille" not in page.text and "Martin" not in page.text
    assert "Elle commence lundi." not in page.text
    assert "consent does not let your organisation see their data" in page.text
    assert client.get(f"/espace/personnes/{world.person.id}").status_code == 404
    assert post(client, f"/espace/orientations/{referral.id}/messages",
                {"body": "Still there?"}).status_code == 403


def test_a_stale_action_gets_409_and_changes_nothing(client, world, sent, session):
    referral, _consent = sent
    f.login(client, world.receiver)
    url = f"/espace/orientations/{referral.id}"
    page = get_page(client, url)
    stale = hidden(page, "version")
    assert post(client, f"{url}/accept", {"version": stale}).status_code == 302
    response = post(client, f"{url}/decline", {"version": stale, "reason": "other"})
    assert response.status_code == 409
    session.expire_all()
    assert session.get(Referral, referral.id).status == "accepted"


def test_declining_asks_for_a_reason(client, world, sent, session):
    referral, _consent = sent
    f.login(client, world.receiver)
    url = f"/espace/orientations/{referral.id}"
    response = act(client, url, "decline")
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Choose a reason from the list." in text and 'id="decline-reason-error"' in text
    session.expire_all()
    assert session.get(Referral, referral.id).status == "opened"
    assert act(client, url, "decline", reason="already-followed").status_code == 302
    page = get_page(client, url + "?lang=en")
    assert "Status: declined" in page.text and "Already followed elsewhere" in page.text


def test_the_service_page_offers_members_to_refer_someone(client, world):
    page = get_page(client, f"/services/{world.service.id}?lang=en")
    assert "Refer someone to this service" not in page.text
    f.login(client, f.user())  # signed in, but a member of no organisation
    assert "Refer someone to this service" not in get_page(client,
                                                           f"/services/{world.service.id}").text
    f.login(client, world.advisor)
    page = get_page(client, f"/services/{world.service.id}?lang=en")
    link = page.links()["Refer someone to this service"]
    assert link == f"/espace/personnes/nouvelle?service={world.service.id}"
    page = get_page(client, link)
    assert hidden(page, "service") == str(world.service.id)


def test_someone_in_no_organisation_is_refused_the_referral_pages(client, session):
    f.login(client, f.user())
    for url in ("/espace/personnes/nouvelle", "/espace/orientations"):
        assert client.get(url).status_code == 403, url
