"""Document pages: an advisor adds a document to a referral from its page, the receiving
organisation downloads it (as an attachment, sandboxed) or makes a temporary link; refused
uploads say why on the page and leave nothing; the person adds and sees their own."""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa

from extensions import db
from referrals import document_storage as storage
from referrals.document_models import Document
from referrals.referrals import send
from tests import factories as f
from tests.accounts.test_permissions import csrf_token
from tests.pages.html_checks import get_page
from tests.referrals import document_samples as samples
from tests.referrals.world import build, draft


@pytest.fixture
def docs(app, app_ctx, tmp_path):
    settings = app.extensions["relais.settings"]
    saved = {name: getattr(settings, name) for name in (
        "documents_dir", "documents_master_key", "clamav_socket", "documents_max_bytes")}
    settings.documents_dir = tmp_path / "documents"
    settings.documents_master_key = storage.new_master_key()
    settings.clamav_socket = ""
    yield settings
    for name, value in saved.items():
        setattr(settings, name, value)


@pytest.fixture
def sent(docs, session):
    world = build()
    referral = draft(world)
    assert send(referral, world.advisor, referral.version).done
    session.commit()
    return world, referral


def upload(client, url: str, name: str, data: bytes, **fields):
    form = {"csrf_token": csrf_token(client), "method": "in-person", **fields,
            "document": (io.BytesIO(data), name)}
    return client.post(url, data=form, content_type="multipart/form-data",
                       headers={"Accept-Language": "en"})


def upload_form(page):
    [form] = [e for e in page.tree.find_all("form") if e.get("enctype") == "multipart/form-data"]
    return form


def files_on_disk(settings) -> list:
    return [p for p in settings.documents_path.rglob("*") if p.is_file()]


def test_an_advisor_attaches_a_document_that_the_receiver_downloads(client, sent, docs):
    world, referral = sent
    f.login(client, world.advisor)
    page = get_page(client, f"/espace/orientations/{referral.id}?lang=en")
    form = upload_form(page)
    names = [e.get("name") for e in form.find_all("input", "select") if e.get("name")]
    assert names.index("document") == len(names) - 1  # the file comes last: streamed
    response = upload(client, form.get("action"), "Attestation CAF.pdf", samples.pdf(),
                      referral=str(referral.id))
    assert response.status_code == 303
    page = get_page(client, response.location)
    assert "The document “Attestation CAF.pdf” is added. It could not be checked for malware" \
        in page.text
    assert "Attestation CAF.pdf" in page.text
    document = db.session.scalars(sa.select(Document)).one()

    f.login(client, world.receiver)
    page = get_page(client, f"/espace/orientations/{referral.id}?lang=en")
    assert "Attestation CAF.pdf" in page.text and "not checked for malware" in page.text
    response = client.get(f"/documents/{document.id}")
    assert response.status_code == 200
    assert response.data == samples.pdf()
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store, private"


def test_another_organisation_gets_not_found(client, sent, docs, session):
    world, referral = sent
    f.login(client, world.advisor)
    upload(client, f"/espace/personnes/{world.person.id}/documents?org={world.sending.id}",
           "cv.pdf", samples.pdf())
    document = db.session.scalars(sa.select(Document)).one()
    outsider = f.user()
    f.membership(outsider, f.organisation(name="Autre"))
    f.login(client, outsider)
    assert client.get(f"/documents/{document.id}").status_code == 404
    assert client.post(f"/documents/{document.id}/lien",
                       data={"csrf_token": csrf_token(client)}).status_code == 404


@pytest.mark.parametrize("name, data, words", [
    ("attestation.pdf", samples.executable(), "This file is a program"),
    ("photo.pdf", samples.pdf_with_zip(), "This file hides an archive inside it"),
    ("vide.pdf", b"", "The file is empty."),
    ("../../../etc/cron.d/x.pdf", samples.pdf(), "must not contain a folder path"),
    ("cv\x07.pdf", samples.pdf(), "control characters"),
])
def test_a_refused_upload_is_explained_on_the_page_and_leaves_nothing(client, sent, docs, name,
                                                                       data, words):
    world, referral = sent
    f.login(client, world.advisor)
    url = f"/espace/personnes/{world.person.id}/documents?org={world.sending.id}"
    response = upload(client, url, name, data)
    assert response.status_code == 303
    page = get_page(client, response.location)
    assert words in page.text
    assert files_on_disk(docs) == []
    assert db.session.scalar(sa.select(sa.func.count(Document.id))) == 0


def test_an_oversized_upload_is_refused_with_the_limit(client, sent, docs):
    world, referral = sent
    docs.documents_max_bytes = 100_000
    f.login(client, world.advisor)
    url = f"/espace/personnes/{world.person.id}/documents?org={world.sending.id}"
    response = upload(client, url, "gros.pdf", samples.big_pdf(150_000))
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    page = get_page(client, response.location)
    assert "The file is larger than the 0.1 MB allowed." in page.text
    response = upload(client, url, "énorme.pdf", samples.big_pdf(2_000_000))  # by its length
    page = get_page(client, response.location)
    assert "The file is larger than the 0.1 MB allowed." in page.text
    assert files_on_disk(docs) == []


def test_an_upload_without_its_csrf_token_is_refused(client, sent, docs):
    world, referral = sent
    f.login(client, world.advisor)
    response = client.post(
        f"/espace/personnes/{world.person.id}/documents",
        data={"method": "in-person", "document": (io.BytesIO(samples.pdf()), "cv.pdf")},
        content_type="multipart/form-data", headers={"Accept-Language": "en"})
    page = get_page(client, response.location)
    assert "This form has expired" in page.text
    assert files_on_disk(docs) == []


def test_a_temporary_link_downloads_without_signing_in(app, client, sent, docs):
    world, referral = sent
    f.login(client, world.advisor)
    upload(client, f"/espace/personnes/{world.person.id}/documents?org={world.sending.id}",
           "cv.pdf", samples.pdf(), referral=str(referral.id))
    document = db.session.scalars(sa.select(Document)).one()
    f.login(client, world.receiver)
    response = client.post(f"/documents/{document.id}/lien?lang=en",
                           data={"csrf_token": csrf_token(client)})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "This link downloads the document for 15 minutes" in html
    link = re.search(r'href="(http://localhost/documents/lien/[^"]+)"', html).group(1)
    stranger = app.test_client()
    got = stranger.get(link.removeprefix("http://localhost"))
    assert got.status_code == 200 and got.data == samples.pdf()
    assert stranger.get("/documents/lien/forged").status_code == 404


def test_the_person_adds_a_document_that_only_they_see(client, docs, session):
    world = build()
    citizen = f.user("camille@example.org")
    world.person.user_id = citizen.id
    session.commit()
    f.login(client, citizen)
    page = get_page(client, "/mon-espace?lang=en")
    form = upload_form(page)
    assert not form.find_all("select")  # the person consents by adding it
    response = upload(client, form.get("action"), "mon cv", samples.docx())
    page = get_page(client, response.location.replace("#documents", "") + "?lang=en")
    assert "mon cv.docx" in page.text  # the extension of what it really is
    document = db.session.scalars(sa.select(Document)).one()
    assert document.consent_id is None
    f.login(client, world.advisor)
    assert client.get(f"/documents/{document.id}").status_code == 404


def test_a_large_document_streams_through_whole(client, sent, docs):
    world, referral = sent
    data = samples.big_pdf(3 * 1024 * 1024)
    f.login(client, world.advisor)
    response = upload(client, f"/espace/personnes/{world.person.id}/documents"
                              f"?org={world.sending.id}", "Dossier complet.pdf", data)
    page = get_page(client, response.location + "?lang=en")
    assert "Dossier complet.pdf — 3 MB" in " ".join(page.text.split())
    document = db.session.scalars(sa.select(Document)).one()
    assert document.size == len(data)
    assert client.get(f"/documents/{document.id}").data == data


def test_the_person_s_data_export_lists_their_documents(client, sent, docs, session):
    world, referral = sent
    citizen = f.user("camille@example.org")
    world.person.user_id = citizen.id
    session.commit()
    f.login(client, world.advisor)
    upload(client, f"/espace/personnes/{world.person.id}/documents?org={world.sending.id}",
           "Attestation CAF.pdf", samples.pdf(), referral=str(referral.id))
    f.login(client, citizen)
    data = client.get("/mon-espace/mes-donnees.json").get_json()
    [document] = data["documents"]
    assert document["name"] == "Attestation CAF.pdf"
    assert document["referral"] == str(referral.id)
    assert document["size"] == len(samples.pdf())


def test_the_person_shares_a_document_with_the_organisations_of_their_request(client, sent,
                                                                              docs, session):
    world, referral = sent
    citizen = f.user("camille@example.org")
    world.person.user_id = citizen.id
    session.commit()
    f.login(client, citizen)
    page = get_page(client, "/mon-espace?lang=en")
    [select] = upload_form(page).find_all("select")
    assert select.get("name") == "referral"
    response = upload(client, upload_form(page).get("action"), "Attestation CAF.pdf",
                      samples.pdf(), referral=str(referral.id))
    assert response.status_code == 303
    document = db.session.scalars(sa.select(Document)).one()
    consent = document.person.consents[-1]
    assert consent.method == "online" and consent.categories == [document.category]
    f.login(client, world.receiver)
    assert client.get(f"/documents/{document.id}").data == samples.pdf()


def test_an_advisor_cannot_attach_to_a_referral_their_organisation_is_not_party_to(
        client, sent, docs, session):
    world, referral = sent
    other = f.organisation(name="Autre structure")
    colleague = f.user()
    f.membership(colleague, other)
    f.consent(world.person, other, advisor=colleague)  # may see the person, not the referral
    session.commit()
    f.login(client, colleague)
    response = upload(client, f"/espace/personnes/{world.person.id}/documents?org={other.id}",
                      "cv.pdf", samples.pdf(), referral=str(referral.id))
    assert response.status_code == 404
    assert files_on_disk(docs) == []
