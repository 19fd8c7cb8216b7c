"""What the public sees: the "may be out of date" notice, "report an error", the zone search."""

from datetime import date, timedelta

import pytest

from directory import taxonomy
from directory.models import DRAFT, PUBLISHED
from tests import factories
from tests.listings.helpers import cast, csrf_token, post_form, sign_in
from tests.pages.html_checks import get_page, parse


def test_an_overdue_service_says_in_words_that_it_may_be_out_of_date(client, session):
    service = factories.service(
        last_verified_on=date(2025, 1, 1), update_frequency="tous-les-3-mois"
    )
    page = get_page(client, f"/services/{service.id}?lang=en")
    assert "This information may be out of date." in page.text
    assert "It was last checked on 1 January 2025" in page.text

    french = get_page(client, f"/services/{service.id}?lang=fr")
    assert "1er janvier 2025" in french.text


@pytest.mark.parametrize(
    ("frequency", "checked_days_ago"),
    [("tous-les-3-mois", 10), ("jamais", 4000), ("tous-les-16-mois", 400)],
)
def test_a_fresh_service_has_no_notice(client, session, frequency, checked_days_ago):
    service = factories.service(
        update_frequency=frequency, last_verified_on=date.today() - timedelta(days=checked_days_ago)
    )
    page = get_page(client, f"/services/{service.id}?lang=en")
    assert "may be out of date" not in page.text


def report_url(service):
    return f"/services/{service.id}/signaler"


@pytest.mark.parametrize(
    "person",
    [
        "anonymous",
        "citizen",
        "member_a",
        "admin_a",
        "member_b",
        "manager_elsewhere",
        "platform_admin",
    ],
)
def test_anyone_can_report_an_error_and_the_administrators_are_emailed(
    client, session, smtp, person
):
    people = cast()
    sign_in(client, people.people()[person])
    url = report_url(people.service_a)
    page = get_page(client, url + "?lang=en")
    reason = taxonomy.reference_list("service_feedback_reasons")[1]

    response = post_form(
        client,
        url + "?lang=en",
        url,
        reason=reason,
        details="Les horaires ont changé <script>",
        email="lecteur@example.org",
    )

    assert page.h1 == "Report an error on “Service de A”"
    assert response.status_code == 302
    assert response.location.endswith(f"/services/{people.service_a.id}")
    [message] = smtp.to(people.admin_a.email)
    body = smtp.body(message)
    assert reason in body and "Les horaires ont changé <script>" in body
    assert "lecteur@example.org" in body
    assert f"/espace/services/{people.service_a.id}/modifier" in body
    assert smtp.to(people.member_a.email) == []  # administrators first
    assert smtp.to(people.member_b.email) == []


def test_without_administrators_the_members_are_emailed(client, session, smtp):
    org = factories.organisation()
    service = factories.service(org)
    member = factories.user()
    factories.membership(member, org)
    url = report_url(service)
    reason = taxonomy.reference_list("service_feedback_reasons")[0]

    assert post_form(client, url, url, reason=reason).status_code == 302
    assert len(smtp.to(member.email)) == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({}, "reason", "Choose what is wrong."),
        ({"reason": "Je n'aime pas"}, "reason", "Choose what is wrong."),
        ({"reason": "LAST"}, "details", "Say what is wrong."),
        ({"reason": "FIRST", "details": "x" * 2001}, "details", "Use at most 2000 characters"),
        ({"reason": "FIRST", "email": "pas-une-adresse"}, "email", "Enter an email address"),
    ],
)
def test_a_wrong_report_is_shown_again_and_sends_nothing(
    client, session, smtp, changes, field, message
):
    people = cast()
    reasons = taxonomy.reference_list("service_feedback_reasons")
    if "reason" in changes:
        changes["reason"] = {"LAST": reasons[-1], "FIRST": reasons[0]}.get(
            changes["reason"], changes["reason"]
        )
    url = report_url(people.service_a)

    response = post_form(client, url + "?lang=en", url, **changes)

    assert response.status_code == 422
    tree = parse(response.get_data(as_text=True))
    assert message in next(e for e in tree.iter() if e.get("id") == f"{field}-error").text()
    assert smtp.messages == []


def test_reports_are_rate_limited_per_address_and_service(client, session, smtp):
    people = cast()
    url = report_url(people.service_b)
    token = csrf_token(client, url)
    reason = taxonomy.reference_list("service_feedback_reasons")[0]
    statuses = [
        client.post(url, data={"csrf_token": token, "reason": reason}).status_code for _ in range(6)
    ]
    assert statuses == [302] * 5 + [429]
    # Another service is not blocked.
    other = report_url(people.service_a)
    assert client.post(other, data={"csrf_token": token, "reason": reason}).status_code == 302


def test_unpublished_services_have_no_report_page(client, session):
    draft = factories.service(status=DRAFT)
    assert client.get(report_url(draft)).status_code == 404
    assert client.get("/services/not-an-id/signaler").status_code == 404


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("rhone", {"kind": "departement", "code": "69"}),
        ("69", {"kind": "departement", "code": "69"}),
        ("Lyon", {"kind": "commune", "code": "69123"}),
        ("metropole de lyon", {"kind": "epci", "code": "200046977"}),
        ("bourg en", {"kind": "commune", "code": "01053"}),
        ("auvergne", {"kind": "region", "code": "84"}),
        ("France", {"kind": "country", "code": None}),
    ],
)
def test_the_zone_search_finds_every_kind_of_area(client, typed, expected):
    response = client.get("/api/v1/zones", query_string={"q": typed})
    assert response.status_code == 200 and response.mimetype == "application/json"
    found = [{"kind": r["kind"], "code": r["code"]} for r in response.json["results"]]
    assert expected in found
    assert all(r["label"] for r in response.json["results"])


@pytest.mark.parametrize("typed", ["", "l", "zzzzzz"])
def test_the_zone_search_gives_nothing_for_too_little_or_nothing_known(client, typed):
    assert client.get("/api/v1/zones", query_string={"q": typed}).json == {"results": []}


def test_published_service_pages_still_pass_the_checks_with_the_notices(client, session):
    service = factories.service(status=PUBLISHED, last_verified_on=None)
    page = get_page(client, f"/services/{service.id}?lang=en")
    assert "Nobody has checked it yet" in page.text
