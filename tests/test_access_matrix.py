"""Authorisation matrix: every route against every kind of user, with organisation B's ids.

Organisations A and B are in the Rhône. The roles: anonymous, a citizen (signed in, no
organisation), a member and an administrator of A, a member of B, a territory manager of
another département (the Ain), a platform administrator (second factor done). Each route
names B's organisation, service, membership or invitation. A role that is not allowed must be
sent to sign in (anonymous) or refused (403/404), and nothing of B may change. A new route
that this table does not classify fails the test, so none escapes it.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from accounts.api_tokens import ApiToken, create_token
from accounts.models import ADMIN, PENDING, Invitation, Membership
from directory.models import Location, Organisation, Service
from exchange.hsds_mapping import taxonomy_id, term_id
from extensions import db
from referrals import audit
from referrals.documents import add_document
from referrals.models import Consent, ConsentGrant, Referral
from referrals.referrals import draft_referral, send
from tests import factories as f
from tests.referrals import document_samples

ROLES = ("anonymous", "citizen", "member_a", "admin_a", "member_b", "territory_other",
         "platform_admin")
SIGNED_IN = set(ROLES) - {"anonymous"}

PUBLIC = "public"  # anyone, 200
TOKEN = "token"  # a forged token: refused with a page, never a success
SPECIAL = "special"  # mid-flow pages: only "never a server error"
ANONYMOUS_FORM = "anonymous-form"  # sign-in/up forms: 200 for anonymous, others may be sent on
MEMBERS = {"member_a", "admin_a", "member_b"}  # active members of an organisation
# Only an organisation API token opens it: a session cookie never does (401 for every role;
# tokens against other organisations' services: tests/api/test_service_api.py).
BEARER = "bearer"

# endpoint: (method, path template, who may use it)
MATRIX = {
    "static": ("GET", "/static/css/relais.css", PUBLIC),
    "directory.home": ("GET", "/", PUBLIC),
    "directory.find_place": ("GET", "/lieu?q=01400", PUBLIC),  # several communes: a choice
    "directory.area": ("GET", "/communes/69383", PUBLIC),
    "directory.organisation_page": ("GET", "/organisations/{org_b}", PUBLIC),
    "directory.service_page": ("GET", "/services/{service_b}", PUBLIC),
    "directory.search_page": ("GET", "/recherche?where=69100&need=mobilite", PUBLIC),
    "api.search": ("GET", "/api/v1/search?postcode=69100", PUBLIC),
    "geo.communes": ("GET", "/api/v1/communes?q=lyon", PUBLIC),
    "geo.resolve_place": ("GET", "/api/v1/places?postcode=69100", PUBLIC),
    "listings.zones": ("GET", "/api/v1/zones?q=lyon", PUBLIC),
    # A JSON body is needed (the form post here gets a 400): tests/directory/test_matching.py.
    "matching.match": ("POST", "/api/v1/match", SPECIAL),
    "api_docs.openapi_document": ("GET", "/api/openapi.json", PUBLIC),
    "api_docs.docs": ("GET", "/api/docs", PUBLIC),
    "service_api.list_services": ("GET", "/api/v1/services", BEARER),
    "service_api.create_service": ("POST", "/api/v1/services", BEARER),
    "service_api.read_service": ("GET", "/api/v1/services/{service_b}", BEARER),
    "service_api.update_service": ("PUT", "/api/v1/services/{service_b}", BEARER),
    "service_api.delete_service": ("DELETE", "/api/v1/services/{service_b}", BEARER),
    # The HSDS 3.0 read API: the public catalogue, B's published service and organisation
    # included; taxonomy ids are derived from the codes (exchange.hsds_mapping).
    "hsds.about": ("GET", "/api/hsds/", PUBLIC),
    "hsds.profile": ("GET", "/api/hsds/profile/", PUBLIC),
    "hsds.services": ("GET", "/api/hsds/services?organization_id={org_b}&postcode=69100", PUBLIC),
    "hsds.service": ("GET", "/api/hsds/services/{service_b}", PUBLIC),
    "hsds.organizations": ("GET", "/api/hsds/organizations?full=true", PUBLIC),
    "hsds.organization": ("GET", "/api/hsds/organizations/{org_b}", PUBLIC),
    "hsds.service_at_locations": ("GET", "/api/hsds/service_at_locations?organization_id={org_b}",
                                  PUBLIC),
    # B's service has no place in this world: an unknown link must be a 404, never a 5xx.
    "hsds.service_at_location": (
        "GET", "/api/hsds/service_at_locations/00000000-0000-0000-0000-000000000000", SPECIAL),
    "hsds.taxonomies": ("GET", "/api/hsds/taxonomies", PUBLIC),
    "hsds.taxonomy": ("GET", "/api/hsds/taxonomies/" + taxonomy_id("public"), PUBLIC),
    "hsds.taxonomy_terms": ("GET", "/api/hsds/taxonomy_terms?search=jeunes", PUBLIC),
    "hsds.taxonomy_term": ("GET", "/api/hsds/taxonomy_terms/" + term_id("public", "jeunes"),
                           PUBLIC),
    "listings.report": ("GET", "/services/{service_b}/signaler", PUBLIC),
    # Asking a service to contact oneself: any signed-in person (before B's service is
    # suspended or archived below).
    "self_referral.ask": ("GET", "/services/{service_b}/etre-contacte", SIGNED_IN),
    "questionnaire.questionnaire": ("GET", "/pour-moi?commune=69123", PUBLIC),
    "questionnaire.answer": ("POST", "/pour-moi?commune=69123", PUBLIC),  # answers, no writes
    "accounts.sign_up": ("GET", "/inscription", ANONYMOUS_FORM),
    "accounts.sign_up_sent": ("GET", "/inscription/envoye", PUBLIC),
    "accounts.login": ("GET", "/login", ANONYMOUS_FORM),
    "accounts.forgotten_password": ("GET", "/mot-de-passe/oubli", PUBLIC),
    "accounts.reset_sent": ("GET", "/mot-de-passe/oubli/envoye", PUBLIC),
    "accounts.verify_email": ("GET", "/verification/forged-token", TOKEN),
    "accounts.reset_password": ("GET", "/mot-de-passe/forged-token", TOKEN),
    "organisations.invitation": ("GET", "/invitations/forged-token", TOKEN),
    "organisations.accept_invitation": ("POST", "/invitations/forged-token", TOKEN),
    "accounts.second_factor": ("GET", "/login/2fa", SPECIAL),
    "accounts.resend_verification": ("POST", "/verification/nouveau-lien", SPECIAL),
    "accounts.account": ("GET", "/compte", SIGNED_IN),
    "accounts.totp_setup": ("GET", "/compte/2fa", SIGNED_IN),
    "accounts.totp_disable": ("POST", "/compte/2fa/desactiver", SPECIAL),
    "organisations.dashboard": ("GET", "/espace", SIGNED_IN),
    "organisations.join_search": ("GET", "/organisations/rejoindre?q=B", SIGNED_IN),
    "organisations.new_organisation": ("GET", "/organisations/nouvelle", SIGNED_IN),
    "organisations.join": ("GET", "/organisations/{org_b}/rejoindre", SIGNED_IN),
    # B's own listings: its members (and platform administrators).
    "listings.services": ("GET", "/espace/organisations/{org_b}/services",
                          {"member_b", "platform_admin"}),
    "listings.new_service": ("POST", "/espace/organisations/{org_b}/services/nouveau",
                             {"member_b", "platform_admin"}),
    "listings.edit_service": ("POST", "/espace/services/{service_b}/modifier",
                              {"member_b", "platform_admin"}),
    "listings.edit_eligibility": ("POST", "/espace/services/{service_b}/conditions",
                                  {"member_b", "platform_admin"}),
    "listings.service_history": ("GET", "/espace/services/{service_b}/historique",
                                 {"member_b", "platform_admin"}),
    "listings.publish": ("POST", "/espace/services/{service_b}/publier",
                         {"member_b", "platform_admin"}),
    "listings.suspend": ("POST", "/espace/services/{service_b}/suspendre",
                         {"member_b", "platform_admin"}),
    "listings.archive": ("POST", "/espace/services/{service_b}/archiver",
                         {"member_b", "platform_admin"}),
    "listings.confirm": ("POST", "/espace/services/{service_b}/confirmer",
                         {"member_b", "platform_admin"}),
    "organisation_editing.edit_organisation": ("POST", "/espace/organisations/{org_b}/modifier",
                                               {"member_b", "platform_admin"}),
    "organisation_editing.new_location": ("POST", "/espace/organisations/{org_b}/lieux/nouveau",
                                          {"member_b", "platform_admin"}),
    "organisation_editing.edit_location": ("POST", "/espace/lieux/{location_b}/modifier",
                                           {"member_b", "platform_admin"}),
    "organisation_editing.delete_location": ("POST", "/espace/lieux/{location_b}/supprimer",
                                             {"member_b", "platform_admin"}),
    # B's members: its administrators (none among the roles) and platform administrators.
    "organisations.members": ("GET", "/organisations/{org_b}/membres", {"platform_admin"}),
    "api_tokens.tokens": ("GET", "/organisations/{org_b}/jetons-api", {"platform_admin"}),
    "api_tokens.create": ("POST", "/organisations/{org_b}/jetons-api", {"platform_admin"}),
    "api_tokens.revoke": ("POST", "/organisations/{org_b}/jetons-api/{token_b}/revoquer",
                          {"platform_admin"}),
    "organisations.invite": ("POST", "/organisations/{org_b}/invitations", {"platform_admin"}),
    "organisations.cancel_invitation": (
        "POST", "/organisations/{org_b}/invitations/{invitation_b}/retirer", {"platform_admin"}),
    "organisations.remove": (
        "POST", "/organisations/{org_b}/membres/{membership_b}/retirer", {"platform_admin"}),
    "organisations.change_role": (
        "POST", "/organisations/{org_b}/membres/{membership_b}/role", {"platform_admin"}),
    "organisations.decide": (
        "POST", "/organisations/{org_b}/demandes/{request_b}", {"platform_admin"}),
    # Moderation: territory managers see their own départements; B is not in the Ain.
    "organisations.moderation": ("GET", "/moderation", {"territory_other", "platform_admin"}),
    "listings.review_queue": ("GET", "/moderation/modifications",
                              {"territory_other", "platform_admin"}),
    "organisations.moderate_request": ("POST", "/moderation/demandes/{request_b}",
                                       {"platform_admin"}),
    "organisations.moderate_organisation": ("POST", "/moderation/organisations/{org_b}",
                                            {"platform_admin"}),
    "listings.mark_reviewed": ("POST", "/moderation/modifications/{service_b}",
                               {"platform_admin"}),
    # Referral pages: members of an organisation; a person and a referral only by the
    # organisations the person's consent names (B's, here).
    "referrals.new_person": ("GET", "/espace/personnes/nouvelle", MEMBERS),
    "referrals.inbox": ("GET", "/espace/orientations", MEMBERS),
    "referrals.person": ("GET", "/espace/personnes/{person_b}", {"member_b"}),
    "referrals.new_referral": ("GET", "/espace/personnes/{person_b}/orienter?service={service_b}",
                               {"member_b"}),
    "referrals.show": ("GET", "/espace/orientations/{referral_b}", {"member_b"}),
    "referrals.sheet": ("GET", "/espace/orientations/{referral_b}/fiche", {"member_b"}),
    # Figures of one's own organisation: B's id is ignored for A's members, who get A's
    # figures (what they hold: tests/referrals/test_figures.py).
    "referrals.figures": ("GET", "/espace/orientations/chiffres?org={org_b}", MEMBERS),
    "referrals.figures_export": (
        "GET", "/espace/orientations/chiffres/export.csv?direction=received&org={org_b}",
        MEMBERS),
    "referrals.post_message": ("POST", "/espace/orientations/{referral_b}/messages",
                               {"member_b"}),
    "referrals.act": ("POST", "/espace/orientations/{referral_b}/cancel", {"member_b"}),
    # Documents: B's person's document, shared by B's referral consent with B only.
    "documents.upload": ("POST", "/espace/personnes/{person_b}/documents", {"member_b"}),
    "documents.download": ("GET", "/documents/{document_b}", {"member_b"}),
    "documents.make_link": ("POST", "/documents/{document_b}/lien", {"member_b"}),
    "documents.download_by_link": ("GET", "/documents/lien/forged-token", TOKEN),
    "documents.own_upload": ("POST", "/mon-espace/documents", SIGNED_IN),  # own file only
    # The person's own space: only their own record; B's person's consent is nobody's here.
    "own_space.home": ("GET", "/mon-espace", SIGNED_IN),
    "own_space.export": ("GET", "/mon-espace/mes-donnees.json", SIGNED_IN),
    "own_space.request_erasure": ("POST", "/mon-espace/effacement", SIGNED_IN),
    "own_space.withdraw": ("POST", "/mon-espace/consentements/{consent_b}/retirer", set()),
    "own_space.withdraw_by_link": ("POST", "/consentement/retrait/forged-token", TOKEN),
    # B's referral is nobody's own here (B's person has no account).
    "self_referral.own_referral": ("GET", "/mon-espace/orientations/{referral_b}", set()),
    "self_referral.post_own_message": ("POST", "/mon-espace/orientations/{referral_b}/messages",
                                       set()),
    "self_referral.cancel_own": ("POST", "/mon-espace/orientations/{referral_b}/annuler",
                                 set()),
    # Erasure after the legal checks: platform administrators (B's person asked for it; its
    # open referral blocks the erasure without a reason, so nothing is erased here).
    "erasure.requests": ("GET", "/admin/effacements", {"platform_admin"}),
    "erasure.review": ("GET", "/admin/effacements/{person_b}", {"platform_admin"}),
    "erasure.erase": ("POST", "/admin/effacements/{person_b}/effacer", {"platform_admin"}),
    # A magic link is its own credential, whoever is signed in: a forged one opens nothing
    # (a genuine link against other referrals and routes: tests/referrals/test_magic_link.py).
    "magic_link.show": ("GET", "/orientation/lien/forged-token", TOKEN),
    "magic_link.post_message": ("POST", "/orientation/lien/forged-token/messages", TOKEN),
    "magic_link.act": ("POST", "/orientation/lien/forged-token/accept", TOKEN),
    "magic_link.renew": ("POST", "/orientation/lien/forged-token/renouveler", TOKEN),
    # Near the end: B's member withdraws the consent, after which B reads nothing of B's person.
    "referrals.withdraw_consent": ("POST", "/espace/consentements/{consent_b}/retirer",
                                   {"member_b"}),
    "accounts.logout": ("POST", "/logout", SPECIAL),  # last: it ends the session
}

# What a refused POST would try to do, so a missing check would show as a change.
FORM = {
    "questionnaire.answer": {"age": "30", "rqth": "no", "shown": "benefits"},
    "self_referral.post_own_message": {"body": "Written by an intruder"},
    "self_referral.cancel_own": {"version": "2"},  # B's referral's version once sent
    "erasure.erase": {"override": ""},
    "listings.new_service": {
        "name": "Intrus", "summary": "x",
        "thematiques": "numerique--acceder-a-une-connexion-internet",
    },
    "listings.edit_service": {"name": "Renamed by an intruder"},
    "api_tokens.create": {"name": "Intruder", "scopes": "services:write"},
    "service_api.create_service": {"name": "Intrus"},
    "service_api.update_service": {"name": "Renamed by an intruder"},
    "listings.suspend": {"until": (date.today() + timedelta(days=30)).isoformat()},
    "organisation_editing.edit_organisation": {"description": "Changed by an intruder"},
    "organisation_editing.new_location": {"name": "Intruder's place"},
    "organisation_editing.edit_location": {"name": "Renamed by an intruder"},
    "organisations.invite": {"email": "intruder@example.org", "role": ADMIN},
    "organisations.change_role": {"role": ADMIN},
    "organisations.decide": {"decision": "accept"},
    "organisations.moderate_request": {"decision": "accept"},
    "organisations.moderate_organisation": {"decision": "refuse"},
}


@pytest.fixture
def world(app, app_ctx):
    org_a = f.organisation(name="Organisation A", commune_code="69123", postcode="69003")
    org_b = f.organisation(name="Organisation B", commune_code="69266", postcode="69100")
    f.service(org_a, name="Service A")
    service_b = f.service(org_b, name="Service B")
    location_b = f.location(org_b, name="Lieu B")
    users = {
        "citizen": f.user(),
        "member_a": f.user(),
        "admin_a": f.user(),
        "member_b": f.user(),
        "territory_other": f.territory_manager("01"),
        "platform_admin": f.user(platform_admin=True),
    }
    f.membership(users["member_a"], org_a)
    f.membership(users["admin_a"], org_a, role=ADMIN)
    membership_b = f.membership(users["member_b"], org_b)
    admin_b = f.user()  # B's own administrator, not a tested role
    f.membership(admin_b, org_b, role=ADMIN)
    token_b, _secret = create_token(admin_b, org_b, "B's program", ["services:read",
                                                                   "services:write"])
    request_b = f.membership(f.user(), org_b, status=PENDING)
    invitation_b = Invitation(
        organisation=org_b, email="invited@example.org",
        token_hash=hashlib.sha256(b"b-token").hexdigest(),
        expires_at=datetime.now(UTC) + timedelta(days=7),
    )
    db.session.add(invitation_b)
    person_b = f.person()
    audit.record("erasure-requested", "person", person_b.id, actor_kind="person",
                 person_id=person_b.id)
    consent_b = f.consent(person_b, org_b, advisor=users["member_b"])
    # A referral of B's person to B's service, sent by B (with the person's referral consent).
    referral_b = draft_referral(users["member_b"], org_b, person_b, service_b, None, "Motive",
                                None, f.consent(person_b, org_b, advisor=users["member_b"],
                                                purpose="referral", service=service_b))
    send(referral_b, users["member_b"], referral_b.version, confirmed=True)
    document_b = add_document(users["member_b"], person_b, "b.pdf", [document_samples.pdf()],
                              organisation=org_b, referral=referral_b)
    db.session.commit()
    ids = {"org_b": org_b.id, "service_b": service_b.id, "membership_b": membership_b.id,
           "request_b": request_b.id, "invitation_b": invitation_b.id, "location_b": location_b.id,
           "consent_b": consent_b.id, "person_b": person_b.id, "referral_b": referral_b.id,
           "document_b": document_b.id, "token_b": token_b.id}
    return users, ids


def snapshot_of_b(ids) -> tuple:
    """Everything of B a refused request could have changed."""
    db.session.expire_all()
    org = db.session.get(Organisation, ids["org_b"])
    service = db.session.get(Service, ids["service_b"])
    members = sorted(
        (str(m.user_id), m.role, m.status)
        for m in db.session.scalars(
            sa.select(Membership).where(Membership.organisation_id == ids["org_b"])
        )
    )
    invitations = sorted(
        (i.email, i.role, str(i.accepted_at))
        for i in db.session.scalars(
            sa.select(Invitation).where(Invitation.organisation_id == ids["org_b"])
        )
    )
    services = db.session.scalar(
        sa.select(sa.func.count(Service.id)).where(Service.organisation_id == ids["org_b"])
    )
    locations = sorted(
        location.name
        for location in db.session.scalars(
            sa.select(Location).where(Location.organisation_id == ids["org_b"])
        )
    )
    consents = sorted(
        str(consent.withdrawn_at)
        for consent in db.session.scalars(
            sa.select(Consent).join(ConsentGrant)
            .where(ConsentGrant.organisation_id == ids["org_b"])
        )
    )
    referrals = sorted(
        (referral.status, referral.version, len(referral.messages))
        for referral in db.session.scalars(
            sa.select(Referral).where(Referral.receiving_organisation_id == ids["org_b"]))
    )
    tokens = sorted(
        (token.name, str(token.revoked_at))
        for token in db.session.scalars(
            sa.select(ApiToken).where(ApiToken.organisation_id == ids["org_b"]))
    )
    return (org.name, org.moderation_status, org.description, service.name, service.status,
            service.suspended_until, service.last_verified_on, members, invitations, services,
            locations, consents, referrals, tokens)


def test_every_route_is_in_the_matrix(app):
    routes = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert routes - set(MATRIX) == set(), "classify the new routes in MATRIX"
    assert set(MATRIX) - routes == set(), "routes that no longer exist"


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_only_what_it_may_and_changes_nothing_of_b(app, client, world, role):
    users, ids = world
    app.config["WTF_CSRF_ENABLED"] = False  # this test is about authorisation, not CSRF
    try:
        if role != "anonymous":
            f.login(client, users[role])
        before = snapshot_of_b(ids)
        wrong = []
        for endpoint, (method, template, allowed) in MATRIX.items():
            url = template.format(**ids)
            if method == "GET":
                response = client.get(url)
            else:
                response = client.open(url, method=method, data=FORM.get(endpoint, {}))
            status = response.status_code
            location = response.headers.get("Location", "")
            if status >= 500:
                wrong.append((endpoint, status, "server error"))
            elif allowed == PUBLIC:
                if status != 200:
                    wrong.append((endpoint, status, "public page"))
            elif allowed == TOKEN:
                if status < 300 or (status < 400 and "/login" not in location):
                    wrong.append((endpoint, status, "forged token accepted"))
            elif allowed == SPECIAL:
                pass
            elif allowed == BEARER:
                if status != 401:
                    wrong.append((endpoint, status, "a session opened the token API"))
            elif allowed == ANONYMOUS_FORM:
                if status != 200 and (role == "anonymous" or status not in (302, 303)):
                    wrong.append((endpoint, status, "sign-in form"))
            elif role in allowed:
                if method == "GET" and status != 200:
                    wrong.append((endpoint, status, "should be allowed"))
            elif role == "anonymous":
                if not (status in (302, 303) and "/login" in location) and status not in (401,
                                                                                         403):
                    wrong.append((endpoint, status, "anonymous not sent to sign in"))
            elif status not in (403, 404):
                wrong.append((endpoint, status, "should be refused"))
            if method != "GET":
                after = snapshot_of_b(ids)
                refused = (isinstance(allowed, set) and role not in allowed) or allowed == BEARER
                if refused and after != before:
                    wrong.append((endpoint, status, "changed B"))
                before = after  # an allowed action may change B; the next check starts here
        assert wrong == []
    finally:
        app.config["WTF_CSRF_ENABLED"] = True
