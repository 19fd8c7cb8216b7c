"""Per-organisation figures and the CSV export: counts by bucket, the median time to first
answer (odd and even number of answers, none at all), the period filter in Paris days, and,
through HTTP, the page, the CSV's columns and rows, no personal data in it, formula injection
neutralised, and another organisation seeing none of it."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from errors import Invalid
from referrals.figures import (
    RECEIVED_BY,
    SENT_BY,
    Period,
    default_period,
    export_rows,
    figures,
    median_delay,
    neutralise,
    parse_period,
)
from referrals.models import AuditEntry
from referrals.referrals import act, draft_referral, send
from referrals.transitions import SYSTEM, transition
from tests import factories as f
from tests.pages.html_checks import get_page
from tests.referrals.world import CAR, build, draft, referral_consent

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
MARCH = Period(date(2026, 3, 1), date(2026, 3, 31))


@pytest.fixture
def world(session):
    world = build()
    session.commit()
    return world


def sent(world, at: datetime, *, service=None, answer: str | None = None,
         after: timedelta = timedelta(hours=1), then: tuple[str, ...] = ()):
    """A referral sent at `at`, answered (`accept` or `decline`) `after` later, then moved
    on by the receiver through `then`."""
    service = service or world.service
    referral = draft_referral(world.advisor, world.sending, world.person, service, None,
                              "Needs a car to reach a job in Vaulx-en-Velin.", None,
                              referral_consent(world, service=service), now=at)
    send(referral, world.advisor, referral.version, confirmed=True, now=at)
    moment = at + after
    if answer:
        act(referral, answer, world.receiver, referral.version, now=moment,
            reason="no-capacity" if answer == "decline" else None)
    for step in then:
        moment += timedelta(hours=1)
        act(referral, step, world.receiver, referral.version, now=moment,
            outcome="job-found" if step == "complete" else None)
    return referral


# ---------------------------------------------------------------------------------------------
# The domain, without HTTP


def test_each_sent_referral_counts_once_under_its_status_today(world, session):
    sent(world, T0)  # pending (sent)
    opened = sent(world, T0)
    act(opened, "open", world.receiver, opened.version, now=T0 + timedelta(minutes=5))
    sent(world, T0, answer="accept")
    sent(world, T0, answer="accept", then=("start",))
    sent(world, T0, answer="accept", then=("start", "complete"))
    sent(world, T0, answer="accept", then=("close",))
    sent(world, T0, answer="decline")
    expired = sent(world, T0)
    transition(expired, "expire", role=SYSTEM, now=T0 + timedelta(days=31))
    cancelled = sent(world, T0)
    act(cancelled, "cancel", world.advisor, cancelled.version, now=T0 + timedelta(hours=2))
    draft(world, now=T0)  # never sent: not counted
    session.commit()

    received = figures(world.receiving.id, RECEIVED_BY, MARCH).overall
    assert received.counts == {"pending": 2, "accepted": 4, "declined": 1, "expired": 1,
                               "cancelled": 1}
    assert received.total == 9
    outgoing = figures(world.sending.id, SENT_BY, MARCH).overall
    assert outgoing.counts == received.counts
    # The sending organisation received nothing, the receiving one sent nothing.
    assert figures(world.sending.id, RECEIVED_BY, MARCH).overall.total == 0
    assert figures(world.receiving.id, SENT_BY, MARCH).overall.total == 0


def test_median_time_to_first_answer_with_an_odd_then_an_even_number_of_answers(world,
                                                                                  session):
    for hours in (2, 10, 4):
        sent(world, T0, answer="accept", after=timedelta(hours=hours))
    sent(world, T0)  # no answer: not in the median
    opened = sent(world, T0)  # opening is not an answer
    act(opened, "open", world.receiver, opened.version, now=T0 + timedelta(minutes=1))
    session.commit()
    tally = figures(world.receiving.id, RECEIVED_BY, MARCH).overall
    assert tally.answered == 3
    assert tally.median_first_answer == timedelta(hours=4)

    # A decline is an answer too; with four answers the median is between the middle two.
    sent(world, T0, answer="decline", after=timedelta(hours=20))
    session.commit()
    tally = figures(world.receiving.id, RECEIVED_BY, MARCH).overall
    assert tally.answered == 4
    assert tally.median_first_answer == timedelta(hours=7)


def test_the_first_answer_is_not_moved_by_later_steps(world, session):
    sent(world, T0, answer="accept", after=timedelta(hours=3), then=("start", "complete"))
    session.commit()
    assert figures(world.receiving.id, RECEIVED_BY,
                   MARCH).overall.median_first_answer == timedelta(hours=3)


def test_no_answer_at_all_gives_no_median(world, session):
    sent(world, T0)
    expired = sent(world, T0)
    transition(expired, "expire", role=SYSTEM, now=T0 + timedelta(days=31))
    session.commit()
    tally = figures(world.receiving.id, RECEIVED_BY, MARCH).overall
    assert tally.total == 2 and tally.answered == 0
    assert tally.median_first_answer is None
    assert median_delay([]) is None


def test_the_period_counts_referrals_sent_in_it_in_paris_days(world, session):
    sent(world, datetime(2026, 2, 28, 22, 30, tzinfo=UTC))  # 23:30 in Paris: February
    sent(world, datetime(2026, 2, 28, 23, 30, tzinfo=UTC))  # 00:30 on 1 March in Paris
    sent(world, datetime(2026, 3, 31, 21, 30, tzinfo=UTC))  # 23:30 on 31 March (summer time)
    sent(world, datetime(2026, 3, 31, 22, 30, tzinfo=UTC))  # 00:30 on 1 April in Paris
    sent(world, datetime(2026, 6, 1, 10, 0, tzinfo=UTC))
    session.commit()
    assert figures(world.receiving.id, RECEIVED_BY, MARCH).overall.total == 2
    assert figures(world.receiving.id, RECEIVED_BY,
                   Period(date(2026, 1, 1), date(2026, 12, 31))).overall.total == 5
    assert figures(world.receiving.id, RECEIVED_BY,
                   Period(date(2026, 6, 1), date(2026, 6, 1))).overall.total == 1


def test_the_default_period_is_the_last_twelve_months_and_bad_dates_are_named(app_ctx):
    assert default_period(date(2026, 11, 25)) == Period(date(2025, 11, 25), date(2026, 11, 25))
    assert default_period(date(2028, 2, 29)) == Period(date(2027, 2, 28), date(2028, 2, 29))
    assert parse_period("", "", date(2026, 11, 25)) == default_period(date(2026, 11, 25))
    assert parse_period("2026-01-01", "31/03/2026", date(2026, 11, 25)) == Period(
        date(2026, 1, 1), date(2026, 3, 31))
    with pytest.raises(Invalid) as wrong:
        parse_period("yesterday", "2026-13-01", date(2026, 11, 25))
    assert set(wrong.value.field_errors) == {"from", "to"}
    with pytest.raises(Invalid) as far:
        parse_period("0001-01-01", "9999-12-31", date(2026, 11, 25))
    assert set(far.value.field_errors) == {"from", "to"}
    with pytest.raises(Invalid) as backwards:
        parse_period("2026-03-01", "2026-02-01", date(2026, 11, 25))
    assert set(backwards.value.field_errors) == {"to"}


def test_figures_break_down_by_service(world, session):
    second = f.service(world.receiving, name="Location de scooters", thematiques=[CAR])
    session.commit()
    sent(world, T0, answer="accept", after=timedelta(hours=6))
    sent(world, T0, answer="decline", after=timedelta(hours=2))
    sent(world, T0, service=second, answer="accept", after=timedelta(hours=1))
    session.commit()
    lines = figures(world.receiving.id, RECEIVED_BY, MARCH).by_service
    assert [(line.service_name, line.tally.total) for line in lines] == [
        ("Garage solidaire", 2), ("Location de scooters", 1)]
    assert lines[0].tally.median_first_answer == timedelta(hours=4)
    assert lines[0].organisation_name == "CCAS de Villeurbanne"


def test_export_rows_date_each_state_and_hold_nothing_of_the_person(world, session):
    referral = sent(world, T0, answer="decline", after=timedelta(hours=5))
    session.commit()
    (row,) = export_rows(world.sending.id, SENT_BY, MARCH)
    assert row.referral_id == referral.id
    assert (row.service_name, row.sending_organisation, row.receiving_organisation) == (
        "Garage solidaire", "Mission locale de Lyon", "CCAS de Villeurbanne")
    assert (row.status, row.decline_reason, row.outcome) == ("declined", "no-capacity", None)
    assert row.reached["sent"] == T0 and row.reached["declined"] == T0 + timedelta(hours=5)
    assert row.first_answer_delay == timedelta(hours=5)
    assert not {"person", "person_id", "first_name", "last_name", "birth_date",
                "motive"} & set(vars(row))


@pytest.mark.parametrize("cell", ["=1+1", "+33 4 78 00 00 00", "-2", "@SUM(A1)", "\tx"])
def test_cells_a_spreadsheet_would_run_are_made_text(cell):
    assert neutralise(cell) == "'" + cell


def test_ordinary_cells_are_left_alone():
    assert neutralise("Garage solidaire") == "Garage solidaire"
    assert neutralise("2026-03-02 10:00") == "2026-03-02 10:00"


# ---------------------------------------------------------------------------------------------
# Through HTTP


def read_csv(response) -> list[list[str]]:
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def test_the_figures_page_shows_the_figures_in_words_and_in_a_table(client, world, session):
    now = datetime.now(UTC) - timedelta(days=3)
    sent(world, now, answer="accept", after=timedelta(hours=2))
    sent(world, now, answer="decline", after=timedelta(hours=4))
    sent(world, now)
    session.commit()
    f.login(client, world.receiver)
    inbox = get_page(client, "/espace/orientations?lang=en")
    url = inbox.links()["Figures and CSV export"]
    page = get_page(client, url + "&lang=en")
    assert page.h1 == "Referral figures"
    assert "CCAS de Villeurbanne received 3 referrals." in page.text
    assert ("Pending: 1; accepted: 1; declined: 1; expired: 0; cancelled: 0." in page.text)
    assert "Median time to first answer: 3 hours (over 2 answers)." in page.text
    captions = [c.text() for c in page.tree.find_all("caption")]
    assert len(captions) == 1 and captions[0].startswith("Referrals received from ")
    rows = [[cell.text() for cell in row.find_all("th", "td")]
            for row in page.tree.find_all("tr")]
    assert ["Garage solidaire", "3", "1", "1", "1", "0", "0", "3 hours"] in rows
    assert ["All services", "3", "1", "1", "1", "0", "0", "3 hours"] in rows
    assert "CCAS de Villeurbanne sent 0 referrals." in page.text
    assert "Download the referrals received (CSV file)" in page.links()


def test_a_period_that_cannot_be_read_is_said_next_to_its_field(client, world):
    f.login(client, world.receiver)
    page = get_page(client, "/espace/orientations/chiffres?from=2026-04-01&to=2026-03-01"
                            "&lang=en", status=422)
    assert "The end of the period comes before its start." in page.text
    assert page.field("to").get("aria-invalid") == "true"


def test_the_csv_has_one_row_per_referral_and_nothing_of_the_person(client, world, session):
    now = datetime.now(UTC) - timedelta(days=2)
    declined = sent(world, now, answer="decline", after=timedelta(hours=5))
    completed = sent(world, now, answer="accept", after=timedelta(hours=1),
                     then=("start", "complete"))
    session.commit()
    f.login(client, world.advisor)
    response = client.get("/espace/orientations/chiffres/export.csv?direction=sent&lang=en")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    header, *rows = read_csv(response)
    assert header[:9] == ["Referral", "Service", "Sending organisation",
                          "Receiving organisation", "Self-referral", "Status", "Outcome",
                          "Decline reason", "Prepared on"]
    assert header[-1] == "Hours to first answer" and "Declined on" in header
    by_id = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert set(by_id) == {str(declined.id), str(completed.id)}
    first = by_id[str(declined.id)]
    assert (first["Status"], first["Decline reason"], first["Hours to first answer"]) == (
        "declined", "No place available", "5")
    assert first["Sending organisation"] == "Mission locale de Lyon"
    assert first["Declined on"] and not first["Accepted on"]
    second = by_id[str(completed.id)]
    assert (second["Status"], second["Outcome"]) == ("completed", "Job found")
    assert second["Accepted on"] and second["Started on"] and second["Completed on"]
    body = response.get_data(as_text=True)
    for personal in ("Camille", "Martin", "1999-05-17", "17/05/1999", "camille.martin@",
                     "Vaulx-en-Velin"):  # name, birth date, email, the motive's words
        assert personal not in body
    audit = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "export")).all()
    assert [(a.actor_id, a.details["direction"], a.details["rows"]) for a in audit] == [
        (world.advisor.id, "sent", 2)]


def test_the_csv_is_in_french_with_a_decimal_comma_by_default(client, world, session):
    sent(world, datetime.now(UTC) - timedelta(days=1), answer="accept",
         after=timedelta(minutes=90))
    session.commit()
    f.login(client, world.receiver)
    response = client.get("/espace/orientations/chiffres/export.csv?direction=received",
                          headers={"Accept-Language": "fr"})
    header, row = read_csv(response)
    assert row[-1] == "1,5"


def test_formulas_in_names_are_neutralised_in_the_csv(client, world, session):
    world.service.name = '=HYPERLINK("http://evil.example","clic")'
    world.sending.name = "@SUM(1+1)"
    session.commit()
    sent(world, datetime.now(UTC) - timedelta(days=1))
    session.commit()
    f.login(client, world.receiver)
    response = client.get("/espace/orientations/chiffres/export.csv?direction=received"
                          "&lang=en")
    header, row = read_csv(response)
    cells = dict(zip(header, row, strict=True))
    assert cells["Service"] == '\'=HYPERLINK("http://evil.example","clic")'
    assert cells["Sending organisation"] == "'@SUM(1+1)"
    assert not [cell for cell in header + row if cell[:1] in ("=", "+", "-", "@")]


def test_another_organisation_sees_neither_the_figures_nor_the_export(client, world,
                                                                      session):
    sent(world, datetime.now(UTC) - timedelta(days=1), answer="accept")
    other = f.organisation(name="Secours populaire")
    outsider = f.user("benevole@secours.example")
    f.membership(outsider, other)
    session.commit()
    f.login(client, outsider)
    page = get_page(client, f"/espace/orientations/chiffres?org={world.receiving.id}"
                            "&lang=en")
    assert "Secours populaire received 0 referrals." in page.text
    assert "CCAS de Villeurbanne" not in page.text and "Garage solidaire" not in page.text
    response = client.get("/espace/orientations/chiffres/export.csv?direction=received"
                          f"&org={world.receiving.id}&lang=en")
    header, *rows = read_csv(response)
    assert rows == []
    response = client.get("/espace/orientations/chiffres/export.csv?direction=sent"
                          f"&org={world.sending.id}&lang=en")
    assert read_csv(response)[1:] == []

    citizen = f.user("citoyen@example.org")
    f.login(client, citizen)
    assert client.get("/espace/orientations/chiffres").status_code == 403
    assert client.get("/espace/orientations/chiffres/export.csv?direction=sent"
                      ).status_code == 403


def test_an_export_without_a_direction_is_refused_with_a_reason(client, world):
    f.login(client, world.receiver)
    response = client.get("/espace/orientations/chiffres/export.csv?lang=en")
    assert response.status_code == 400
    assert "Choose the referrals to export: sent or received." in response.get_data(
        as_text=True)
