"""A provider's first day, through HTTP as a browser would: sign up, confirm the address from
the email, sign in, ask to join the organisation, get accepted by its administrator, edit a
draft service and publish it — then anyone can read it."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from accounts.models import ACTIVE, Membership
from directory.models import DRAFT, PUBLISHED, Service
from extensions import db
from tests import factories
from tests.accounts.test_auth_support import csrf_token, link_in, new_browser, submit
from tests.listings.helpers import form_values, replace
from tests.pages.html_checks import get_page, parse

PASSWORD = "a long enough passphrase 2026"


def test_sign_up_verify_login_join_accept_edit_publish(app, app_ctx, smtp):
    org = factories.organisation(name="Mission locale Rhône Sud", commune_code="69266",
                                 postcode="69100")
    draft = factories.service(org, name="Atelier CV (brouillon)", status=DRAFT,
                              update_frequency="tous-les-6-mois")
    administrator = factories.user(email="direction@mlrs.example.org", name="Direction")
    factories.membership(administrator, org, role="admin")
    db.session.commit()

    newcomer = new_browser(app)
    # 1. Sign up, then confirm the address from the email.
    response = submit(newcomer, "/inscription", {
        "name": "Inès Conseillère", "email": "ines@mlrs.example.org",
        "password": PASSWORD, "password_confirmation": PASSWORD,
    })
    assert response.status_code == 302
    (welcome,) = smtp.to("ines@mlrs.example.org")
    page = get_page(newcomer, link_in(smtp.body(welcome), "/verification/"))
    assert page.h1 == "Your email address is confirmed"

    # 2. Sign in with the form.
    response = submit(newcomer, "/login",
                      {"email": "ines@mlrs.example.org", "password": PASSWORD})
    assert response.status_code == 302

    # 3. Find the organisation and ask to join it.
    page = get_page(newcomer, "/organisations/rejoindre?q=rhone sud")
    join_url = f"/organisations/{org.id}/rejoindre"
    assert join_url in page.html
    response = submit(newcomer, join_url, {"message": "Conseillère à Villeurbanne."})
    assert response.status_code == 302
    (request_email,) = smtp.to("direction@mlrs.example.org")
    assert "Conseillère à Villeurbanne." in smtp.body(request_email)

    # 4. The administrator accepts.
    admin_browser = new_browser(app)
    factories.login(admin_browser, administrator)
    request = db.session.scalar(db.select(Membership).where(
        Membership.organisation_id == org.id, Membership.user.has(email="ines@mlrs.example.org")))
    decide_url = f"/organisations/{org.id}/demandes/{request.id}"
    response = submit(admin_browser, decide_url, {"decision": "accept"},
                      page=f"/organisations/{org.id}/membres")
    assert response.status_code == 302
    db.session.refresh(request)
    assert request.status == ACTIVE
    assert len(smtp.to("ines@mlrs.example.org")) == 2  # the welcome, then the acceptance

    # 5. The new member edits the draft service with the full form, then publishes it.
    edit_url = f"/espace/services/{draft.id}/modifier"
    tree = parse(newcomer.get(edit_url).get_data(as_text=True))
    values = replace(form_values(tree, edit_url), name="Atelier CV et lettre de motivation",
                     summary="Deux séances pour refaire son CV avec une conseillère.")
    response = newcomer.post(edit_url, data=MultiDict(values))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]

    publish_url = f"/espace/services/{draft.id}/publier"
    form_page = newcomer.get(edit_url).get_data(as_text=True)
    response = newcomer.post(publish_url, data={"csrf_token": csrf_token(form_page, publish_url)})
    assert response.status_code == 302

    # 6. Published: the public page shows the new text to anyone.
    service = db.session.get(Service, draft.id)
    db.session.refresh(service)
    assert (service.status, service.name) == (PUBLISHED, "Atelier CV et lettre de motivation")
    page = get_page(new_browser(app), f"/services/{draft.id}")
    assert page.h1 == "Atelier CV et lettre de motivation"
    assert "Deux séances pour refaire son CV" in page.text
