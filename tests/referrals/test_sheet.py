"""The printable referral sheet: the sending and receiving sides print it with where to go,
when, whom to call, what to bring, the reference and date and the advisor's contact; the
person's name only while a consent covering identity lets the reader see it (read through
the ledger, audited); anyone else finds nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from directory.models import ServiceAtLocation
from referrals.consent import withdraw
from referrals.models import AuditEntry
from referrals.referrals import send
from referrals.sheet import reference
from tests import factories as f
from tests.browser.test_home_to_service import browser, live_server  # noqa: F401 (fixtures)
from tests.pages.html_checks import get_page
from tests.referrals.world import build, draft, referral_consent

SENT_AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def world(session):
    world = build()
    world.service.required_documents = ["Pièce d'identité", "Permis de conduire"]
    world.service.contact_public = True
    world.service.contact_phone = "04 78 00 11 22"
    world.service.opening_hours = {"days": {"mo": [["09:00", "12:00"]],
                                            "we": [["14:00", "17:00"]]}}
    place = f.location(world.receiving, name="Garage du CCAS", address="12 rue Racine",
                       postcode="69100", city="Villeurbanne")
    world.service.location_links.append(ServiceAtLocation(location=place))
    world.sending.phone = "04 72 00 00 00"
    session.commit()
    return world


def sent(world, **consent):
    referral = draft(world, consent=referral_consent(world, **consent) if consent else None,
                     now=SENT_AT)
    send(referral, world.advisor, referral.version, confirmed=True, now=SENT_AT)
    return referral


def sheet_url(referral) -> str:
    return f"/espace/orientations/{referral.id}/fiche?lang=en"


def test_the_sender_prints_a_sheet_with_all_the_person_needs(client, world, session):
    referral = sent(world)
    session.commit()
    f.login(client, world.advisor)
    page = get_page(client, f"/espace/orientations/{referral.id}?lang=en")
    assert page.links()["Printable sheet for the person"] == (
        f"/espace/orientations/{referral.id}/fiche")
    page = get_page(client, sheet_url(referral))
    assert page.h1 == "Your appointment with “Garage solidaire”"
    text = page.text
    assert "For Camille Martin" in text
    assert f"Reference {reference(referral)}" in text and len(reference(referral)) == 8
    assert "Referred on 02/03/2026" in text
    assert "12 rue Racine" in text and "69100 Villeurbanne" in text
    assert "Monday" in text and "9:00" in text  # the opening hours in words
    assert "Phone: 04 78 00 11 22" in text
    assert "Pièce d'identité" in text and "Permis de conduire" in text
    assert world.advisor.email in text and "Mission locale de Lyon" in text
    assert "Phone: 04 72 00 00 00" in text  # the advisor's organisation
    # The print button (shown by a script file, the CSP forbids inline ones) and its sheet.
    assert page.tree.find_all("button")[-1].text() == "Print"
    assert "/static/js/print-button.js" in page.html and "/static/css/sheet.css" in page.html


def test_a_contact_meant_for_professionals_is_not_printed(client, world, session):
    world.service.contact_public = False
    world.receiving.phone = "04 78 99 99 99"
    referral = sent(world)
    session.commit()
    f.login(client, world.advisor)
    text = get_page(client, sheet_url(referral)).text
    assert "04 78 00 11 22" not in text
    assert "Phone: 04 78 99 99 99" in text  # the organisation's public phone instead


def test_the_receiver_prints_it_too_and_the_read_of_the_name_is_audited(client, world,
                                                                          session):
    referral = sent(world)
    session.commit()
    f.login(client, world.receiver)
    page = get_page(client, sheet_url(referral))
    assert "For Camille Martin" in page.text
    reads = session.scalars(sa.select(AuditEntry).where(
        AuditEntry.action == "read", AuditEntry.person_id == world.person.id,
        AuditEntry.actor_id == world.receiver.id)).all()
    assert [entry.details for entry in reads] == [
        {"categories": ["identity"], "purpose": "referral sheet"}]
    assert reads[0].organisation_id == world.receiving.id


def test_without_identity_in_the_consent_the_name_is_not_printed(client, world, session):
    referral = sent(world, categories=("contact",))
    session.commit()
    f.login(client, world.receiver)
    page = get_page(client, sheet_url(referral))
    assert "Camille" not in page.text and "Martin" not in page.text
    assert "name not shown" in page.text
    assert "Garage solidaire" in page.text  # the rest of the sheet is there
    refused = session.scalars(sa.select(AuditEntry).where(
        AuditEntry.action == "read-refused", AuditEntry.actor_id == world.receiver.id)).all()
    assert refused and refused[-1].details["purpose"] == "referral sheet"
    # The sender's own follow-up consent covers identity.
    f.login(client, world.advisor)
    assert "For Camille Martin" in get_page(client, sheet_url(referral)).text


def test_after_withdrawal_the_name_is_gone_at_the_next_print(client, world, session):
    referral = sent(world)
    session.commit()
    f.login(client, world.receiver)
    assert "Camille Martin" in get_page(client, sheet_url(referral)).text
    withdraw(referral.consent, by=world.advisor, on_behalf=True)
    session.commit()
    page = get_page(client, sheet_url(referral))
    assert "Camille" not in page.text and "Martin" not in page.text


def test_an_outsider_finds_no_sheet_and_the_attempt_is_audited(client, world, session):
    referral = sent(world)
    other = f.organisation(name="Secours populaire")
    outsider = f.user("benevole@secours.example")
    f.membership(outsider, other)
    citizen = f.user("citoyen@example.org")
    session.commit()
    f.login(client, outsider)
    response = client.get(sheet_url(referral))
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert "Camille" not in body and "Garage solidaire" not in body
    refused = session.scalars(sa.select(AuditEntry).where(
        AuditEntry.action == "read-refused", AuditEntry.actor_id == outsider.id)).all()
    assert [entry.subject_id for entry in refused] == [str(referral.id)]
    assert client.get("/espace/orientations/not-an-id/fiche").status_code == 404
    f.login(client, citizen)
    assert client.get(sheet_url(referral)).status_code == 403


# ---------------------------------------------------------------------------------------------
# In Chromium: the button prints, and on paper only the sheet shows, black on white


@pytest.mark.browser
def test_the_sheet_prints_alone_black_on_white_in_chromium(live_server, browser, world,  # noqa: F811
                                                          session):
    referral = sent(world)
    session.commit()  # the server thread reads through its own connection
    page = browser.new_context(locale="en-GB", viewport={"width": 360, "height": 740}).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(live_server + "/login")
    page.get_by_label("Email address").fill(world.advisor.email)
    page.locator("#password").fill(f.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)

    page.goto(live_server + f"/espace/orientations/{referral.id}/fiche")
    button = page.get_by_role("button", name="Print")
    assert button.is_visible()  # the script ran under the CSP
    page.evaluate("window.print = () => { window.printed = true; }")
    button.click()
    assert page.evaluate("window.printed") is True
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # fits a phone
    page.goto(live_server + "/espace/orientations/chiffres")  # the figures fit a phone too
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.goto(live_server + f"/espace/orientations/{referral.id}/fiche")
    page.evaluate("window.print = () => { window.printed = true; }")

    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert not page.locator(".site-footer").is_visible()
    assert not button.is_visible()
    assert page.get_by_text("Camille Martin").is_visible()
    colours = page.evaluate("""() => [...document.querySelectorAll('.referral-sheet *')]
        .map(e => getComputedStyle(e).color)""")
    assert set(colours) == {"rgb(0, 0, 0)"}
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") in (
        "rgb(255, 255, 255)", "rgba(0, 0, 0, 0)")
    assert errors == []
