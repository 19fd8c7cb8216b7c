"""/api/hsds/: the public catalogue in Open Referral HSDS 3.0, every answer checked against the
official schemas and the Relais profile; filters combined; wrong parameters named."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from directory.models import ARCHIVED, DRAFT, MODERATION_PENDING, Organisation, Service
from exchange.hsds_mapping import taxonomy_id, term_id
from tests import factories as f
from tests.exchange.hsds_check import assert_full_service, assert_page, assert_valid
from tests.factories import PARIS_11E, VILLEFRANCHE, VILLEURBANNE

ENGLISH = {"Accept-Language": "en"}
PERMIS = "mobilite--preparer-un-permis"
CV = "preparer-sa-candidature--realiser-un-cv-et-ou-une-lettre-de-motivation"
RULE = {"version": 1, "all_of": [{"fact": "age", "op": "between", "value": [16, 25]}],
        "any_of": []}


def get(client, path, **params):
    return client.get(f"/api/hsds{path}", query_string=params, headers=ENGLISH)


@pytest.fixture
def catalogue(session):
    """A mission locale in Villeurbanne, a garage near Villefranche, a remote CV workshop, a
    Paris workshop; and what must never be served: a draft, an archived service, and the
    service of an organisation still awaiting moderation."""
    mission = f.organisation(name="Mission locale", siret="12345678901234",
                             description="Accueil des jeunes", phone="04 72 00 00 00")
    permis = f.service(mission, name="Permis solidaire", at=VILLEURBANNE, thematiques=[PERMIS],
                       summary="Un coup de pouce pour le permis.", publics=["jeunes"],
                       fees="payant", type="accompagnement", contact_public=True,
                       contact_email="permis@example.org", languages=["fr", "en"],
                       eligibility=RULE)
    permis.location_links[0].location.address = "1 place Lazare-Goujon"
    permis.location_links[0].location.postcode = "69100"
    permis.location_links[0].location.city = "Villeurbanne"
    permis.location_links[0].location.commune_code = "69266"
    garage = f.service(name="Garage solidaire", at=VILLEFRANCHE)
    cv = f.service(mission, name="CV en ligne", modes=["a-distance"], zones=[("country", None)],
                   thematiques=[CV])
    f.service(name="Atelier parisien", zones=[("commune", "75056")], at=PARIS_11E)
    f.service(mission, name="Brouillon", status=DRAFT)
    f.service(mission, name="Ancien", status=ARCHIVED)
    f.service(f.organisation(name="En attente", moderation_status=MODERATION_PENDING),
              name="Pas encore public")
    session.commit()
    return {"permis": permis, "garage": garage, "cv": cv, "mission": mission}


def names(response) -> list[str]:
    return [item["name"] for item in response.json["contents"]]


def test_the_root_gives_the_version_and_a_profile_that_is_served(client):
    about = get(client, "/")

    assert about.status_code == 200
    assert about.json["version"] == "3.0"
    assert about.json["openapi_url"].startswith("https://")
    profile = client.get(about.json["profile"])
    assert profile.status_code == 200
    assert profile.json["title"] == "Relais profile of HSDS 3.0"
    assert {"service", "service_area", "address"} <= set(profile.json["$defs"])
    assert "eligibility_rule" in profile.json["$defs"]["service"]["properties"]


def test_services_lists_only_published_services_of_approved_organisations(client, catalogue):
    response = get(client, "/services")

    assert response.status_code == 200
    contents = assert_page(response.json, "service")
    assert names(response) == ["Atelier parisien", "CV en ligne", "Garage solidaire",
                               "Permis solidaire"]
    assert response.json["total_items"] == 4
    permis = contents[3]
    assert permis["status"] == "active"
    assert permis["organization"]["name"] == "Mission locale"
    assert permis["summary"] == "Un coup de pouce pour le permis."


def test_full_lists_give_fully_nested_documents(client, catalogue):
    services = get(client, "/services", full="true", organization_id=str(
        catalogue["mission"].id)).json
    organizations = get(client, "/organizations", full="true", search="mission").json

    assert [s["name"] for s in services["contents"]] == ["CV en ligne", "Permis solidaire"]
    for service in services["contents"]:
        assert_full_service(service)
    assert services["contents"][1]["service_at_locations"][0]["location"]["name"]
    assert_page(organizations, "organization")
    assert organizations["contents"][0]["organization_identifiers"][0]["identifier"] == (
        "12345678901234")


def test_a_full_service_carries_codes_areas_places_and_its_rule(client, catalogue):
    permis = catalogue["permis"]

    response = get(client, f"/services/{permis.id}")

    assert response.status_code == 200
    document = response.json
    assert_full_service(document)
    codes = {(a["taxonomy_term"]["taxonomy"], a["taxonomy_term"]["code"])
             for a in document["attributes"]}
    assert {("thematique", PERMIS), ("public", "jeunes"), ("frais", "payant"),
            ("type-service", "accompagnement"), ("mode-accueil", "en-presentiel")} <= codes
    assert [(a["zone_type"], a["insee_code"], a["name"]) for a in document["service_areas"]] == [
        ("departement", "69", "Rhône")]
    place = document["service_at_locations"][0]["location"]
    assert place["addresses"][0]["insee_code"] == "69266"
    assert place["addresses"][0]["postal_code"] == "69100"
    assert document["eligibility_rule"] == permis.eligibility
    assert document["email"] == "permis@example.org"
    assert sorted(lang["code"] for lang in document["languages"]) == ["en", "fr"]
    assert document["organization"]["id"] == str(permis.organisation_id)


def test_services_not_public_are_not_found(client, catalogue, session):
    hidden = session.scalars(sa.select(Service).where(
        Service.name.in_(["Brouillon", "Ancien", "Pas encore public"]))).all()

    for service in hidden:
        response = get(client, f"/services/{service.id}")
        assert response.status_code == 404
        assert response.json["error"] == "notfound"
    assert get(client, "/services/not-a-uuid").status_code == 404


def test_filters_by_term_organisation_and_date_combine(client, catalogue, session):
    mission = catalogue["mission"]
    permis_term = term_id("thematique", PERMIS)

    by_term = get(client, "/services", taxonomy_term_id=permis_term)
    by_org = get(client, "/services", organization_id=str(mission.id))
    both = get(client, "/services", organization_id=str(mission.id), taxonomy_term_id=permis_term)
    by_type = get(client, "/services", taxonomy_term_id=term_id("type-service", "accompagnement"))
    by_taxonomy = get(client, "/services", taxonomy_id=taxonomy_id("frais"))

    assert names(by_term) == ["Permis solidaire"]
    assert names(by_org) == ["CV en ligne", "Permis solidaire"]
    assert names(both) == ["Permis solidaire"]
    assert names(by_type) == ["Permis solidaire"]
    assert names(by_taxonomy) == ["Permis solidaire"]

    catalogue["garage"].updated_at = datetime.now(UTC) + timedelta(days=2)
    session.commit()
    later = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert names(get(client, "/services", modified_after=later)) == ["Garage solidaire"]


def test_search_finds_services_by_their_words(client, catalogue):
    response = get(client, "/services", search="permis")

    assert names(response) == ["Permis solidaire"]
    assert names(get(client, "/services", search="permis", organization_id=str(
        catalogue["garage"].organisation_id))) == []


def test_postcode_keeps_the_services_covering_it_and_proximity_the_near_ones(client, catalogue):
    covering = get(client, "/services", postcode="69100")
    near = get(client, "/services", postcode="69100", proximity="5000")
    farther = get(client, "/services", postcode="69100", proximity="40000")
    paris = get(client, "/services", postcode="75011")

    # Villeurbanne is covered by the Rhône services (the garage is 25 km away, within its
    # reach) and by the remote one; not by the Paris workshop.
    assert names(covering) == ["CV en ligne", "Garage solidaire", "Permis solidaire"]
    assert names(near) == ["Permis solidaire"]
    assert names(farther) == ["Garage solidaire", "Permis solidaire"]
    assert names(paris) == ["Atelier parisien", "CV en ligne"]


def test_pages_follow_the_hsds_page_object(client, catalogue):
    second = get(client, "/services", per_page="1", page="2").json
    beyond = get(client, "/services", per_page="3", page="3").json

    assert (second["total_items"], second["total_pages"], second["page_number"],
            second["size"], second["first_page"], second["last_page"]) == (4, 4, 2, 1, False,
                                                                          False)
    assert [item["name"] for item in second["contents"]] == ["CV en ligne"]
    assert beyond["empty"] is True and beyond["last_page"] is True and beyond["contents"] == []


def test_wrong_parameters_are_each_named(client, catalogue):
    response = get(client, "/services", page="0", per_page="many", organization_id="x",
                   modified_after="yesterday", postcode="ABC", taxonomy_term_id="nope")

    assert response.status_code == 400
    errors = response.json["errors"]
    assert set(errors) == {"page", "per_page", "organization_id", "modified_after", "postcode",
                           "taxonomy_term_id"}
    assert errors["per_page"] == ["per_page is a whole number from 1 to 200."]
    assert errors["postcode"] == ["A postcode has 5 digits."]
    alone = get(client, "/services", proximity="1000")
    assert alone.status_code == 400
    assert alone.json["errors"]["proximity"] == [
        "The proximity is measured from a postcode: give one."]
    unknown = get(client, "/services", postcode="99999")
    assert unknown.status_code == 400 and "postcode" in unknown.json["errors"]


def test_organizations_only_approved_ones_with_their_places(client, catalogue, session):
    mission = catalogue["mission"]

    listing = get(client, "/organizations", search="mission")
    detail = get(client, f"/organizations/{mission.id}")

    assert_page(listing.json, "organization")
    assert names(listing) == ["Mission locale"]
    assert "En attente" not in names(get(client, "/organizations", per_page="200"))
    assert detail.status_code == 200
    assert_valid("organization", detail.json)
    assert detail.json["organization_identifiers"][0]["identifier"] == "12345678901234"
    assert [s["name"] for s in detail.json["services"]] == ["CV en ligne", "Permis solidaire"]
    assert len(detail.json["locations"]) == 1
    waiting = session.scalar(sa.select(Organisation).where(Organisation.name == "En attente"))
    assert get(client, f"/organizations/{waiting.id}").status_code == 404


def test_service_at_locations_list_and_detail(client, catalogue):
    listing = get(client, "/service_at_locations", postcode="69100", proximity="5000")

    contents = assert_page(listing.json, "service_at_location")
    assert [item["service"]["name"] for item in contents] == ["Permis solidaire"]
    link = contents[0]
    detail = get(client, f"/service_at_locations/{link['id']}")
    assert detail.status_code == 200
    assert_valid("service_at_location", detail.json)
    assert detail.json["location"]["addresses"][0]["city"] == "Villeurbanne"
    assert get(client, "/service_at_locations/00000000-0000-0000-0000-000000000000"
               ).status_code == 404


def test_taxonomies_and_terms_with_search(client):
    taxonomies = get(client, "/taxonomies", per_page="200")
    terms = get(client, "/taxonomy_terms", search="permis",
                taxonomy_id=taxonomy_id("thematique"))

    assert "thematique" in names(taxonomies)
    assert_page(taxonomies.json, "taxonomy")
    contents = assert_page(terms.json, "taxonomy_term")
    assert PERMIS in [term["code"] for term in contents]
    assert {term["taxonomy"] for term in contents} == {"thematique"}
    need = next(term for term in contents if term["code"] == PERMIS)
    assert need["parent_id"] == term_id("thematique", "mobilite")
    one = get(client, f"/taxonomy_terms/{need['id']}")
    assert one.json["taxonomy_detail"]["name"] == "thematique"
    assert get(client, f"/taxonomies/{taxonomy_id('public')}").json["name"] == "public"
    assert get(client, "/taxonomy_terms/nope").status_code == 404
