"""The organisation pages through HTTP: every route against every kind of user, requests that
name another organisation's ids, the join → accept journey, invitations and last-admin
protection, with the emails read from a real SMTP sink."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from accounts import memberships
from accounts.models import ACTIVE, ADMIN, MEMBER, PENDING, Invitation, Membership
from directory.models import MODERATION_APPROVED, MODERATION_PENDING, Organisation
from extensions import db
from tests import factories
from tests.accounts.test_permissions import (  # noqa: F401  (fixture)
    World,
    build_world,
    csrf_token,
    hash_each_password_once,
    is_sent_to_sign_in,
    new_client,
    post,
)
from tests.pages.html_checks import get_page, parse


@dataclass
class Scene:
    world: World
    request_a: Membership  # pending_a's request to join A
    request_b: Membership  # a citizen's request to join B
    invitation_a: Invitation
    invitation_b: Invitation
    token_b: str
    pending_org: Organisation  # declared in the Rhône, waiting for moderation
    orphan: Organisation  # approved, no administrator, a first-admin request waiting
    orphan_request: Membership


@pytest.fixture
def scene(app, app_ctx) -> Scene:
    with app.test_request_context("/?lang=en"):
        world = build_world()
        request_b = factories.membership(
            factories.user("wants.b@example.org"), world.org_b, status=PENDING
        )
        sent_a = memberships.invite(
            world.admin_a, world.org_a, "invitee.a@example.org", MEMBER, second_factor=False
        )
        sent_b = memberships.invite(
            world.admin_b, world.org_b, "invitee.b@example.org", MEMBER, second_factor=False
        )
        pending_org = factories.organisation(
            name="Structure déclarée", commune_code="69266", moderation_status=MODERATION_PENDING
        )
        factories.membership(
            factories.user("creator@example.org"), pending_org, role=ADMIN, status=PENDING
        )
        orphan = factories.organisation(name="Structure orpheline", commune_code="69264")
        orphan_request = factories.membership(
            factories.user("first.admin@example.org"), orphan, role=ADMIN, status=PENDING
        )
        request_a = db.session.scalar(
            sa.select(Membership).where(Membership.user_id == world.pending_a.id)
        )
        db.session.commit()
        return Scene(
            world,
            request_a,
            request_b,
            sent_a.invitation,
            sent_b.invitation,
            sent_b.token,
            pending_org,
            orphan,
            orphan_request,
        )


def state() -> set:
    """Everything the organisation pages can change, to check a refused request left it all."""
    db.session.expire_all()
    rows = set()
    for m in db.session.scalars(sa.select(Membership)):
        rows.add(("membership", m.id, m.user_id, m.organisation_id, m.role, m.status))
    for i in db.session.scalars(sa.select(Invitation)):
        rows.add(("invitation", i.id, i.email, i.role, i.accepted_at))
    for o in db.session.scalars(sa.select(Organisation)):
        rows.add(("organisation", o.id, o.name, o.moderation_status))
    return rows


# Who is signing in: world attribute (None: anonymous) and whether the second factor was given.
ACTORS = {
    "anonymous": (None, True),
    "citizen": ("citizen", True),
    "member of A": ("member_a", True),
    "admin of A": ("admin_a", True),
    "member of B": ("member_b", True),
    "territory manager of 01": ("manager_01", True),
    "territory manager of 69": ("manager_69", True),
    "platform admin": ("platform", True),
    "platform admin without 2FA": ("platform", False),
}
SIGNED_IN = set(ACTORS) - {"anonymous"}
SECOND_FACTOR_GIVEN = SIGNED_IN - {"platform admin without 2FA"}
MODERATORS_69 = {"territory manager of 69", "platform admin"}
ORG_A_MANAGERS = {"admin of A", "platform admin"}

NEW_ORGANISATION = {
    "name": "Atelier vélo solidaire",
    "address": "5 rue Paul Bert",
    "postcode": "69003",
    "commune": "Lyon",
    "networks": ["ccas-cias"],
}


def routes(s: Scene) -> dict:
    """name → (method, url, form data, {actor: expected status}); actors not listed get 403,
    anonymous visitors are sent to sign in."""
    a, b = s.world.org_a.id, s.world.org_b.id
    everyone = {name: 200 for name in SIGNED_IN}
    return {
        "my space": ("GET", "/espace", None, everyone),
        "search": ("GET", "/organisations/rejoindre?q=lyon", None, everyone),
        "join form": ("GET", f"/organisations/{a}/rejoindre", None, everyone),
        "join": (
            "POST",
            f"/organisations/{a}/rejoindre",
            {"message": "Bonjour"},
            {**{n: 302 for n in SIGNED_IN}, "member of A": 409, "admin of A": 409},
        ),
        "declare form": ("GET", "/organisations/nouvelle", None, everyone),
        "declare": (
            "POST",
            "/organisations/nouvelle",
            NEW_ORGANISATION,
            {n: 302 for n in SIGNED_IN},
        ),
        "members": ("GET", f"/organisations/{a}/membres", None, {n: 200 for n in ORG_A_MANAGERS}),
        "accept": (
            "POST",
            f"/organisations/{a}/demandes/{s.request_a.id}",
            {"decision": "accept"},
            {n: 302 for n in ORG_A_MANAGERS},
        ),
        "refuse": (
            "POST",
            f"/organisations/{a}/demandes/{s.request_a.id}",
            {"decision": "refuse"},
            {n: 302 for n in ORG_A_MANAGERS},
        ),
        "role": (
            "POST",
            f"/organisations/{a}/membres/{_membership(s.world.member_a).id}/role",
            {"role": "admin"},
            {n: 302 for n in ORG_A_MANAGERS},
        ),
        "remove": (
            "POST",
            f"/organisations/{a}/membres/{_membership(s.world.member_a).id}/retirer",
            {},
            {n: 302 for n in ORG_A_MANAGERS},
        ),
        "invite": (
            "POST",
            f"/organisations/{a}/invitations",
            {"email": "new@example.org", "role": "member"},
            {n: 302 for n in ORG_A_MANAGERS},
        ),
        "withdraw": (
            "POST",
            f"/organisations/{a}/invitations/{s.invitation_a.id}/retirer",
            {},
            {n: 302 for n in ORG_A_MANAGERS},
        ),
        "moderation": (
            "GET",
            "/moderation",
            None,
            {n: 200 for n in MODERATORS_69 | {"territory manager of 01"}},
        ),
        "approve": (
            "POST",
            f"/moderation/organisations/{s.pending_org.id}",
            {"decision": "accept"},
            {n: 302 for n in MODERATORS_69},
        ),
        "first admin": (
            "POST",
            f"/moderation/demandes/{s.orphan_request.id}",
            {"decision": "accept"},
            {n: 302 for n in MODERATORS_69},
        ),
        # B's ids, whoever asks: only B's administrator or a platform administrator.
        "B's members": ("GET", f"/organisations/{b}/membres", None, {"platform admin": 200}),
        "B's request": (
            "POST",
            f"/organisations/{b}/demandes/{s.request_b.id}",
            {"decision": "accept"},
            {"platform admin": 302},
        ),
        "invite to B": (
            "POST",
            f"/organisations/{b}/invitations",
            {"email": "new@example.org", "role": "admin"},
            {"platform admin": 302},
        ),
    }


def _membership(user) -> Membership:
    return db.session.scalar(sa.select(Membership).where(Membership.user_id == user.id))


ROUTE_NAMES = [
    "my space",
    "search",
    "join form",
    "join",
    "declare form",
    "declare",
    "members",
    "accept",
    "refuse",
    "role",
    "remove",
    "invite",
    "withdraw",
    "moderation",
    "approve",
    "first admin",
    "B's members",
    "B's request",
    "invite to B",
]


@pytest.mark.parametrize("route", ROUTE_NAMES)
@pytest.mark.parametrize("who", list(ACTORS))
def test_access_matrix(app, scene, route, who):
    method, url, data, allowed = routes(scene)[route]
    attribute, second_factor = ACTORS[who]
    user = getattr(scene.world, attribute) if attribute else None
    client = new_client(app, user, second_factor=second_factor)
    before = state()
    if method == "GET":
        response = client.get(url)
    else:
        response = post(client, url, data)
    if who == "anonymous":
        assert is_sent_to_sign_in(response), (route, response.status_code)
    elif who == "platform admin without 2FA":
        # Sent to give (or set up) the second factor before anything else.
        assert response.status_code == 302 and "/2fa" in response.location, route
    else:
        expected = allowed.get(who, 403)
        assert response.status_code == expected, (route, who, response.status_code)
    if method == "POST":
        succeeded = who in allowed and who in SECOND_FACTOR_GIVEN and response.status_code == 302
        assert (state() != before) == succeeded, "changed exactly when allowed"


@pytest.mark.parametrize("who", ["admin of A", "member of A", "citizen"])
def test_nothing_of_b_is_reachable_through_a(app, scene, who):
    """A's administrator (or anyone) naming B's ids under A's organisation: not found, and
    nothing changes."""
    s = scene
    user = getattr(s.world, ACTORS[who][0])
    client = new_client(app, user)
    a = s.world.org_a.id
    member_b = _membership(s.world.member_b)
    before = state()
    attempts = [
        (f"/organisations/{a}/demandes/{s.request_b.id}", {"decision": "accept"}),
        (f"/organisations/{a}/membres/{member_b.id}/role", {"role": "admin"}),
        (f"/organisations/{a}/membres/{member_b.id}/retirer", {}),
        (f"/organisations/{a}/invitations/{s.invitation_b.id}/retirer", {}),
    ]
    for url, data in attempts:
        response = post(client, url, data)
        assert response.status_code == (404 if who == "admin of A" else 403), url
    assert state() == before
    # B's invitation link opened by A's administrator: not their invitation.
    page = client.get(f"/invitations/{s.token_b}")
    assert page.status_code == 403
    assert post(client, f"/invitations/{s.token_b}").status_code == 403
    assert state() == before


def test_b_pages_show_nothing_of_b_to_a(app, scene):
    client = new_client(app, scene.world.admin_a)
    response = client.get(f"/organisations/{scene.world.org_b.id}/membres")
    assert response.status_code == 403
    text = response.get_data(as_text=True)
    assert "member.b@example.org" not in text and "Bruno" not in text


def test_unknown_ids_are_not_found(app, scene):
    client = new_client(app, scene.world.platform)
    assert (
        client.get("/organisations/00000000-0000-0000-0000-000000000000/membres").status_code == 404
    )
    assert client.get("/organisations/not-a-uuid/membres").status_code == 404
    assert (
        post(
            client,
            "/moderation/demandes/00000000-0000-0000-0000-000000000000",
            {"decision": "accept"},
        ).status_code
        == 404
    )


@pytest.mark.parametrize("token", [None, "forged"])
def test_posts_without_a_valid_csrf_token_are_refused(app, scene, token):
    client = new_client(app, scene.world.admin_a)
    before = state()
    data = {"decision": "accept"} | ({"csrf_token": token} if token else {})
    url = f"/organisations/{scene.world.org_a.id}/demandes/{scene.request_a.id}"
    assert client.post(url, data=data).status_code == 400
    assert state() == before


def test_unverified_users_cannot_ask_to_join_or_declare(app, scene):
    client = new_client(app, scene.world.unverified_member_a)
    assert client.get(f"/organisations/{scene.world.org_b.id}/rejoindre").status_code == 403
    assert client.get("/organisations/nouvelle").status_code == 403
    assert client.get("/espace").status_code == 200


# ---------------------------------------------------------------------------------------------
# Pages, as people read them


def test_every_page_passes_the_accessibility_checks(app, scene):
    w = scene.world
    admin = new_client(app, w.admin_a)
    for url in (
        "/espace",
        "/organisations/rejoindre",
        "/organisations/rejoindre?q=lyon",
        f"/organisations/{w.org_b.id}/rejoindre",
        "/organisations/nouvelle",
        f"/organisations/{w.org_a.id}/membres",
    ):
        get_page(admin, url)
    get_page(new_client(app, w.manager_69), "/moderation")
    get_page(new_client(app, w.platform), "/espace")
    get_page(new_client(app), f"/invitations/{scene.token_b}")
    get_page(new_client(app, w.member_a), f"/invitations/{scene.token_b}", status=403)
    get_page(new_client(app), "/invitations/forged-token", status=404)


def test_pages_are_translated_into_french(app, scene):
    page = get_page(new_client(app, scene.world.admin_a, lang="fr"), "/espace")
    assert page.lang == "fr"


def test_search_finds_by_name_without_accents_and_by_siret(app, scene):
    org = factories.organisation(name="Maison de l'emploi Éveil", siret="73282932000074")
    db.session.commit()
    client = new_client(app, scene.world.citizen)
    assert "Maison de l'emploi Éveil" in get_page(client, "/organisations/rejoindre?q=eveil").text
    assert (
        "Maison de l'emploi Éveil"
        in get_page(client, "/organisations/rejoindre?q=732+829+320+00074").text
    )
    page = get_page(client, "/organisations/rejoindre?q=introuvable")
    assert "No organisation matches" in page.text
    assert (
        f"/organisations/{org.id}/rejoindre"
        in get_page(client, "/organisations/rejoindre?q=maison").html
    )
    # Organisations waiting for moderation are not offered.
    assert "Structure déclarée" not in get_page(client, "/organisations/rejoindre?q=structure").text


def test_the_dashboard_shows_memberships_requests_and_the_moderation_queue(app, scene):
    w = scene.world
    admin_page = get_page(new_client(app, w.admin_a), "/espace")
    assert "Mission locale de Lyon" in admin_page.text
    assert "1 request waiting" in admin_page.text
    # From here a provider reaches the organisation's listings.
    assert f'href="/espace/organisations/{w.org_a.id}/services"' in admin_page.html
    pending_page = get_page(new_client(app, w.pending_a), "/espace")
    assert "My requests waiting for an answer" in pending_page.text
    manager_page = get_page(new_client(app, w.manager_69), "/espace")
    assert "2 items waiting" in manager_page.text
    assert "Moderation" not in get_page(new_client(app, w.citizen), "/espace").text


def test_the_moderation_page_lists_only_the_managers_departements(app, scene):
    page_69 = get_page(new_client(app, scene.world.manager_69), "/moderation")
    assert "Structure déclarée" in page_69.text and "Structure orpheline" in page_69.text
    page_01 = get_page(new_client(app, scene.world.manager_01), "/moderation")
    assert "Structure déclarée" not in page_01.text
    assert "Structure orpheline" not in page_01.text


# ---------------------------------------------------------------------------------------------
# Joining, end to end


def _link_in(body: str, path: str) -> str:
    match = re.search(r"https?://[^\s]+" + re.escape(path) + r"[^\s]*", body)
    assert match, body
    return match.group(0).split("://", 1)[1].split("/", 1)[1]


def test_join_then_accept_with_the_emails(app, scene, smtp):
    w = scene.world
    citizen = new_client(app, w.citizen)
    page = get_page(citizen, "/organisations/rejoindre?q=mission")
    assert f"/organisations/{w.org_a.id}/rejoindre" in page.html
    response = post(
        citizen,
        f"/organisations/{w.org_a.id}/rejoindre",
        {"message": "Je suis conseillère à Lyon 3e."},
    )
    assert response.status_code == 302 and response.location.endswith("/espace")
    assert "sent to the administrators" in get_page(citizen, "/espace").text

    (notice,) = smtp.to("admin.a@example.org")
    body = smtp.body(notice)
    assert "Camille Citoyenne" in notice["Subject"]
    assert "Je suis conseillère à Lyon 3e." in body
    members_url = "/" + _link_in(body, "/membres")
    assert smtp.to("member.a@example.org") == []

    admin = new_client(app, w.admin_a)
    page = get_page(admin, members_url)
    assert "Camille Citoyenne" in page.text and "Je suis conseillère à Lyon 3e." in page.text
    request = db.session.scalar(sa.select(Membership).where(Membership.user_id == w.citizen.id))
    response = post(
        admin, f"/organisations/{w.org_a.id}/demandes/{request.id}", {"decision": "accept"}
    )
    assert response.status_code == 302
    assert "Camille Citoyenne is now a member" in get_page(admin, members_url).text

    (answer,) = smtp.to("citizen@example.org")
    assert "Mission locale de Lyon" in answer["Subject"]
    page = get_page(citizen, "/espace")
    assert "Mission locale de Lyon" in page.text and "Member" in page.text
    db.session.refresh(request)
    assert request.status == ACTIVE


def test_asking_to_join_an_organisation_without_admin_goes_to_its_moderators(app, scene, smtp):
    w = scene.world
    citizen = new_client(app, w.citizen)
    page = get_page(citizen, f"/organisations/{scene.orphan.id}/rejoindre")
    assert "no administrator yet" in page.text
    post(citizen, f"/organisations/{scene.orphan.id}/rejoindre", {"message": ""})
    assert len(smtp.to("territoire.69@example.org")) == 1
    assert len(smtp.to("platform@example.org")) == 1
    assert smtp.to("territoire.01@example.org") == []


def test_a_second_request_shows_why_on_the_form(app, scene):
    client = new_client(app, scene.world.pending_a)
    response = post(client, f"/organisations/{scene.world.org_a.id}/rejoindre", {"message": ""})
    assert response.status_code == 409
    page = parse(response.get_data(as_text=True))
    field = next(e for e in page.iter() if e.get("id") == "message")
    assert field.get("aria-invalid") == "true"
    assert "already asked" in response.get_data(as_text=True)


def test_a_too_long_message_keeps_what_was_typed(app, scene):
    client = new_client(app, scene.world.citizen)
    text = "Bonjour " * 200
    response = post(client, f"/organisations/{scene.world.org_a.id}/rejoindre", {"message": text})
    assert response.status_code == 400
    assert text.strip() in response.get_data(as_text=True)
    assert "under 1000 characters" in response.get_data(as_text=True)


# ---------------------------------------------------------------------------------------------
# Last administrator


def test_the_last_admin_can_be_neither_demoted_nor_removed(app, scene):
    w = scene.world
    admin = new_client(app, w.admin_a)
    own = _membership(w.admin_a)
    before = state()
    response = post(admin, f"/organisations/{w.org_a.id}/membres/{own.id}/role", {"role": "member"})
    assert response.status_code == 409
    assert "only administrator" in response.get_data(as_text=True)
    response = post(admin, f"/organisations/{w.org_a.id}/membres/{own.id}/retirer")
    assert response.status_code == 409
    assert state() == before
    # Once someone else is administrator, the first one may step down.
    member = _membership(w.member_a)
    post(admin, f"/organisations/{w.org_a.id}/membres/{member.id}/role", {"role": "admin"})
    response = post(admin, f"/organisations/{w.org_a.id}/membres/{own.id}/role", {"role": "member"})
    assert response.status_code == 302
    db.session.refresh(own)
    assert own.role == MEMBER


# ---------------------------------------------------------------------------------------------
# Invitations


def _invite(app, scene, smtp, email="invitee@example.org", role="member") -> str:
    admin = new_client(app, scene.world.admin_a)
    response = post(
        admin, f"/organisations/{scene.world.org_a.id}/invitations", {"email": email, "role": role}
    )
    assert response.status_code == 302
    (message,) = smtp.to(email)
    return "/" + _link_in(smtp.body(message), "/invitations/")


def test_an_invited_person_signs_in_and_accepts(app, scene, smtp):
    url = _invite(app, scene, smtp, role="admin")
    invited = factories.user("invitee@example.org", name="Ines Invitée")
    visitor = new_client(app)
    page = get_page(visitor, url)
    assert "Mission locale de Lyon" in page.text and "invitee@example.org" in page.text
    client = new_client(app, invited)
    page = get_page(client, url)
    assert "Accept the invitation" in page.text
    response = post(client, url)
    assert response.status_code == 302
    link = _membership(invited)
    assert (link.organisation_id, link.role, link.status) == (scene.world.org_a.id, ADMIN, ACTIVE)
    # Used: the link now says so, and nothing more happens.
    page = get_page(client, url, status=410)
    assert "already been used" in page.text
    assert post(client, url).status_code == 410


def test_an_invitation_opened_by_another_account_says_so(app, scene, smtp):
    url = _invite(app, scene, smtp)
    before = state()
    client = new_client(app, scene.world.citizen)
    page = get_page(client, url, status=403)
    assert "sent to another email address" in page.text
    assert post(client, url).status_code == 403
    assert state() == before


def test_an_expired_invitation_says_so(app, scene, smtp):
    url = _invite(app, scene, smtp)
    invitation = db.session.scalar(
        sa.select(Invitation).where(Invitation.email == "invitee@example.org")
    )
    invitation.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    db.session.commit()
    invited = factories.user("invitee@example.org")
    client = new_client(app, invited)
    page = get_page(client, url, status=410)
    assert "expired" in page.text
    assert post(client, url).status_code == 410
    assert _membership(invited) is None


def test_a_forged_or_replaced_invitation_link_is_not_found(app, scene, smtp):
    first = _invite(app, scene, smtp)
    smtp.messages.clear()
    second = _invite(app, scene, smtp)
    client = new_client(app, factories.user("invitee@example.org"))
    assert "not valid" in get_page(client, first, status=404).text
    assert get_page(client, "/invitations/" + "x" * 43, status=404)
    assert get_page(client, second).status == 200


def test_a_bad_invitation_address_is_shown_on_the_field(app, scene):
    admin = new_client(app, scene.world.admin_a)
    before = state()
    url = f"/organisations/{scene.world.org_a.id}/invitations"
    for email, message in [
        ("", "Enter the email address"),
        ("pas une adresse", "like name@example.org"),
        ("member.a@example.org", "already a member"),
    ]:
        response = post(admin, url, {"email": email, "role": "member"})
        assert response.status_code == 400, email
        html = response.get_data(as_text=True)
        assert message in html
        field = next(e for e in parse(html).iter() if e.get("id") == "email")
        assert field.get("aria-invalid") == "true" and field.get("value") == email
    assert post(admin, url, {"email": "x@example.org", "role": "owner"}).status_code == 400
    assert state() == before


# ---------------------------------------------------------------------------------------------
# Declaring an organisation


def test_declaring_an_organisation_emails_the_moderators(app, scene, smtp):
    client = new_client(app, scene.world.citizen)
    response = post(
        client, "/organisations/nouvelle", {**NEW_ORGANISATION, "siret": "732 829 320 00074"}
    )
    assert response.status_code == 302
    org = db.session.scalar(
        sa.select(Organisation).where(Organisation.name == "Atelier vélo solidaire")
    )
    assert (org.moderation_status, org.commune_code, org.siret) == (
        MODERATION_PENDING,
        "69383",
        "73282932000074",
    )
    assert len(smtp.to("territoire.69@example.org")) == 1
    assert len(smtp.to("platform@example.org")) == 1
    assert smtp.to("territoire.01@example.org") == []
    assert "waiting for approval" in get_page(client, "/espace").text


def test_a_bad_declaration_keeps_what_was_typed_with_a_message_per_field(app, scene):
    client = new_client(app, scene.world.citizen)
    before = state()
    typed = {
        **NEW_ORGANISATION,
        "name": "",
        "siret": "12345678901234",
        "commune": "Atlantide",
        "website": "javascript:alert(1)",
        "address": "<script>alert(1)</script>",
    }
    response = post(client, "/organisations/nouvelle", typed)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    page = parse(html)
    fields = {e.get("id"): e for e in page.iter() if e.tag in ("input", "textarea")}
    for name in ("name", "siret", "commune", "website"):
        assert fields[name].get("aria-invalid") == "true", name
        assert f"{name}-error" in fields[name].get("aria-describedby")
    assert fields["siret"].get("value") == "12345678901234"
    assert fields["commune"].get("value") == "Atlantide"
    checked = [
        e.get("value")
        for e in fields.values()
        if e.get("name") == "networks" and "checked" in e.attrs
    ]
    assert checked == ["ccas-cias"]
    assert state() == before


def test_approving_through_the_moderation_page_publishes(app, scene, smtp):
    manager = new_client(app, scene.world.manager_69)
    response = post(
        manager, f"/moderation/organisations/{scene.pending_org.id}", {"decision": "accept"}
    )
    assert response.status_code == 302
    db.session.refresh(scene.pending_org)
    assert scene.pending_org.moderation_status == MODERATION_APPROVED
    assert len(smtp.to("creator@example.org")) == 1
    # A second decision on the same organisation is a conflict, not a change.
    assert (
        post(
            manager, f"/moderation/organisations/{scene.pending_org.id}", {"decision": "refuse"}
        ).status_code
        == 409
    )


def test_a_first_admin_is_named_through_the_moderation_page(app, scene, smtp):
    manager = new_client(app, scene.world.manager_69)
    response = post(
        manager, f"/moderation/demandes/{scene.orphan_request.id}", {"decision": "accept"}
    )
    assert response.status_code == 302
    db.session.refresh(scene.orphan_request)
    assert (scene.orphan_request.status, scene.orphan_request.role) == (ACTIVE, ADMIN)
    assert len(smtp.to("first.admin@example.org")) == 1
