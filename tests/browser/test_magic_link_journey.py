"""A provider with no account answers a referral from the link in its email, on a phone, in
a real browser: it reads the person's data the consent shares, accepts with a message,
writes in the thread, starts and completes with an outcome. Fields are reached by their labels
and buttons by their names. Drives Debian's Chromium; never downloads a browser."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from accounts.models import OutboxEmail
from extensions import db
from referrals.referrals import send
from tests import factories
from tests.browser.test_home_to_service import browser, live_server  # noqa: F401 (fixtures)
from tests.browser.test_referral_journey import action_form
from tests.referrals.world import MOBILITY, World, draft, record

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}


def test_a_provider_without_an_account_answers_from_its_email_on_a_phone(
        app, live_server, browser):  # noqa: F811
    sending = factories.organisation(name="Mission locale de Lyon", postcode="69003")
    receiving = factories.organisation(name="Association Roue Libre", postcode="69100",
                                       email="contact@roue-libre.example")
    advisor = factories.user("conseillere@mission-locale.example")
    factories.membership(advisor, sending)
    service = factories.service(receiving, name="Atelier vélo solidaire", thematiques=[MOBILITY])
    person = record(advisor, sending, needs=[MOBILITY])
    world = World(sending, receiving, advisor, None, service, person)
    referral = draft(world)
    with app.test_request_context(base_url=live_server):
        assert send(referral, advisor, referral.version, confirmed=True).done
    db.session.commit()  # the server thread reads through its own connection
    [email] = db.session.scalars(sa.select(OutboxEmail).where(
        OutboxEmail.recipient == "contact@roue-libre.example")).all()
    link = re.search(re.escape(live_server) + r"/orientation/lien/\S+", email.body).group(0)

    page = browser.new_context(locale="en-GB", viewport=PHONE).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(link)
    main = page.inner_text("main")
    assert "Status: opened" in main and "Camille Martin" in main
    assert "It opens this referral only" in main
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    accept = action_form(page, "Accept")
    accept.get_by_label("Message (optional)").fill("Come on Tuesday at 10.")
    accept.get_by_role("button", name="Accept").click()
    page.wait_for_load_state()
    assert "Status: accepted" in page.inner_text("main")
    # A member could close it now; a link only answers (start, complete).
    assert page.get_by_role("button", name="Close").count() == 0
    assert page.get_by_role("button", name="Start").count() == 1
    page.get_by_label("Your message").fill("Bring a helmet if you have one.")
    page.get_by_role("button", name="Send the message").click()
    page.wait_for_load_state()
    assert "Bring a helmet if you have one." in page.inner_text("main")
    page.get_by_role("button", name="Start").click()
    page.wait_for_load_state()
    assert "Status: in progress" in page.inner_text("main")
    complete = action_form(page, "Complete")
    complete.get_by_label("How did it end?").select_option(label="Started")
    complete.get_by_role("button", name="Complete").click()
    page.wait_for_load_state()
    main = page.inner_text("main")
    assert "Status: completed" in main and re.search(r"Outcome\s+Started", main)
    assert errors == []
