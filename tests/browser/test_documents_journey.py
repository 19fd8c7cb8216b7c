"""A document in a real browser: the advisor attaches a PDF to a referral with the form (the
browser sends the small fields before the file, which the server streams), the receiving
organisation downloads it and makes a temporary link; a program renamed .pdf is refused with
its reason on the page. Fields are reached by their labels."""

from __future__ import annotations

import re

import pytest

from extensions import db
from referrals import document_storage as storage
from referrals.referrals import send
from tests.browser.test_home_to_service import browser, live_server  # noqa: F401 (fixtures)
from tests.browser.test_referral_journey import sign_in
from tests.referrals import document_samples as samples
from tests.referrals.world import build, draft

pytestmark = pytest.mark.browser


@pytest.fixture
def docs(app, tmp_path):
    settings = app.extensions["relais.settings"]
    saved = (settings.documents_dir, settings.documents_master_key, settings.clamav_socket)
    settings.documents_dir = tmp_path / "documents"
    settings.documents_master_key = storage.new_master_key()
    settings.clamav_socket = ""
    yield settings
    settings.documents_dir, settings.documents_master_key, settings.clamav_socket = saved


def test_a_document_attached_downloaded_and_linked_in_chromium(live_server, browser,  # noqa: F811
                                                              docs):
    world = build()
    referral = draft(world)
    assert send(referral, world.advisor, referral.version).done
    db.session.commit()  # the server thread reads through its own connection
    url = live_server + f"/espace/orientations/{referral.id}"

    page, advisor_errors = sign_in(browser, live_server, world.advisor.email)
    page.goto(url)
    page.get_by_label("How did the person agree to share it?").select_option("phone")
    page.get_by_label("File").set_input_files(
        {"name": "programme.pdf", "mimeType": "application/pdf",
         "buffer": samples.executable()})
    page.get_by_role("button", name="Add the document").click()
    page.wait_for_url(url)
    assert "This file is a program" in page.inner_text("main")
    page.get_by_label("File").set_input_files(
        {"name": "Attestation CAF.pdf", "mimeType": "application/pdf",
         "buffer": samples.pdf()})
    page.get_by_role("button", name="Add the document").click()
    page.wait_for_url(url)
    assert "The document “Attestation CAF.pdf” is added." in page.inner_text("main")

    receiver, receiver_errors = sign_in(browser, live_server, world.receiver.email)
    receiver.goto(url)
    with receiver.expect_download() as download:
        receiver.get_by_role("link", name="Attestation CAF.pdf").click()
    assert download.value.suggested_filename == "Attestation CAF.pdf"
    with open(download.value.path(), "rb") as handle:
        assert handle.read() == samples.pdf()
    receiver.get_by_role("button", name=re.compile("^Get a temporary link")).click()
    assert receiver.locator("h1").inner_text() == "Temporary link to “Attestation CAF.pdf”"
    assert "/documents/lien/" in receiver.get_by_label("Link").input_value()
    assert advisor_errors == [] and receiver_errors == []
