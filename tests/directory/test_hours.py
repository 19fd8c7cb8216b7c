"""Opening hours: one representation, read from and written to JSON, OSM, HSDS and the
town-hall format, evaluated and described. Pure: no database."""

import csv
import gzip
from datetime import UTC, datetime, time
from pathlib import Path

import opening_hours
import pytest

from directory.hours import END_OF_DAY, WeeklyHours
from errors import Invalid

TOWN_HALLS_FILE = Path(__file__).parents[1] / "fixtures" / "fr-admin" / "town_halls.csv.gz"

OFFICE = WeeklyHours.from_osm("Mo-Fr 09:00-12:00,14:00-17:00; Sa 09:00-12:00; PH off")


def town_hall_rows() -> dict[str, dict[str, str]]:
    with gzip.open(TOWN_HALLS_FILE, "rt", encoding="utf-8") as handle:
        return {row["commune_code"]: row for row in csv.DictReader(handle)}


TOWN_HALLS = town_hall_rows()


def refused(call, *args) -> list[str]:
    with pytest.raises(Invalid) as error:
        call(*args)
    assert error.value.field_errors["opening_hours"]
    return error.value.field_errors["opening_hours"]


# --- Town halls (real data) -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("commune_code", "osm"),
    [
        # Ambérieu-en-Bugey: lundi–jeudi two sessions, samedi matin
        ("01004", "Mo-Th 08:00-12:00,13:30-17:30; Sa 09:00-12:00"),
        # L'Abergement-de-Varey: lundi, then mercredi–jeudi, same hours
        ("01002", "Mo,We-Th 16:00-19:00"),
        # Ambérieux-en-Dombes: afternoons Mo-Tu and Th-Fr, mornings We and Sa
        ("01005", "Mo-Tu,Th-Fr 14:00-17:00; We,Sa 09:00-12:00"),
    ],
)
def test_town_hall_hours_read_as_published(commune_code, osm):
    hours = WeeklyHours.from_town_hall_json(TOWN_HALLS[commune_code]["opening_hours_json"])

    assert hours.to_osm() == osm
    assert hours.public_holidays_closed is None  # the source does not say


def test_every_fixture_town_hall_round_trips_through_json_osm_and_hsds():
    read = 0
    for row in TOWN_HALLS.values():
        hours = WeeklyHours.from_town_hall_json(row["opening_hours_json"])
        if hours is None:
            continue
        read += 1
        osm = hours.to_osm()
        assert opening_hours.validate(osm), osm
        # Canonical: what the opening_hours library itself normalises the text to.
        assert str(opening_hours.OpeningHours(osm).normalize()) == osm
        assert WeeklyHours.from_osm(osm) == hours
        assert WeeklyHours.from_json(hours.to_json()) == hours
        assert WeeklyHours.from_hsds_schedules(hours.to_hsds_schedules()) == hours
    assert read > 700


def test_town_hall_quirks_are_read_as_the_source_means_them():
    # An empty last day is the first day alone; a day listed twice keeps all its hours;
    # a zero-length interval says nothing; stray seconds are dropped.
    text = (
        '[["lundi","",[["09:00:00","12:00:00"]]],'
        '["lundi","mardi",[["09:00:00","12:30:00"],["12:30:00","12:30:00"]]],'
        '["samedi","lundi",[["13:30:30","17:00:00"]]]]'
    )
    hours = WeeklyHours.from_town_hall_json(text)

    assert hours.to_osm() == "Mo 09:00-12:30,13:30-17:00; Tu 09:00-12:30; Sa-Su 13:30-17:00"


def test_a_town_hall_without_hours_has_unknown_hours():
    assert WeeklyHours.from_town_hall_json("[]") is None
    assert WeeklyHours.from_town_hall_json("") is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[["lundo","lundi",[["09:00:00","12:00:00"]]]]', "'lundo' is not a day of the week."),
        ('[["lundi","lundi",[["09:00:00","32:00:00"]]]]', "'32:00:00' is not a time of day"),
        ('[["lundi","lundi",[["14:00:00","12:00:00"]]]]', "closes before it opens"),
        ('[["lundi","lundi"]]', "is not [first_day, last_day, hours]."),
        ("lundi 9h-12h", "The town-hall hours are not JSON"),
    ],
)
def test_unreadable_town_hall_hours_are_refused(text, message):
    assert message in " ".join(refused(WeeklyHours.from_town_hall_json, text))


# --- JSON (database columns) ----------------------------------------------------------------


def test_json_shape_for_the_database():
    assert OFFICE.to_json() == {
        "days": {
            day: [["09:00", "12:00"], ["14:00", "17:00"]] for day in ("mo", "tu", "we", "th", "fr")
        }
        | {"sa": [["09:00", "12:00"]]},
        "public_holidays_closed": True,
        "note": "",
    }
    assert WeeklyHours.from_json(OFFICE.to_json()) == OFFICE


def test_closing_at_midnight_is_written_24_00_everywhere():
    hours = WeeklyHours.from_json({"days": {"fr": [["18:00", "24:00"]]}, "note": "Soirée"})

    assert hours.fr == ((time(18, 0), END_OF_DAY),)
    assert hours.to_json()["days"] == {"fr": [["18:00", "24:00"]]}
    assert hours.to_osm() == 'Fr 18:00-24:00 "Soirée"'
    assert hours.to_hsds_schedules()[0]["closes_at"] == "24:00"
    assert WeeklyHours.from_osm(hours.to_osm()) == hours
    assert WeeklyHours.from_hsds_schedules(hours.to_hsds_schedules()) == hours


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"days": {"mo": [["09:00", "12:00"], ["11:00", "14:00"]]}},
            "Monday: 11:00–14:00 overlaps 09:00–12:00 or comes before it.",
        ),
        ({"days": {"tu": [["14:00", "12:00"]]}}, "Tuesday: 14:00–12:00 closes before it opens."),
        ({"days": {"we": [["25:00", "26:00"]]}}, "'25:00' is not a time of day (HH:MM)."),
        ({"days": {"th": [["24:00", "24:00"]]}}, "'24:00' is not a time of day (HH:MM)."),
        ({"days": {"xx": [["09:00", "12:00"]]}}, "'xx' is not a day of the week."),
        ({"days": {"fr": "09:00-12:00"}}, "Friday: the hours must be a list of [opens, closes]"),
        ({"days": {"sa": [["09:00"]]}}, "Saturday: the hours must be a list of [opens, closes]"),
        (
            {"days": {}, "public_holidays_closed": "yes"},
            "Say whether public holidays are closed with true, false or null.",
        ),
        ({"hours": {}}, "'hours' is not part of opening hours."),
        (["mo", "09:00", "12:00"], "Opening hours must be an object"),
    ],
)
def test_bad_stored_hours_are_refused_with_a_message(data, message):
    assert message in " ".join(refused(WeeklyHours.from_json, data))


def test_every_problem_is_reported_at_once():
    messages = refused(
        WeeklyHours.from_json,
        {"days": {"mo": [["9h", "12:00"]], "xx": [], "tu": [["10:00", "09:00"]]}},
    )
    assert len(messages) == 2  # the bad time and the unknown day, before any interval check


# --- OSM opening_hours ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        (
            "Mo-Fr 09:00-12:00,14:00-17:00; Sa 09:00-12:00; PH off",
            "Mo-Fr 09:00-12:00,14:00-17:00; Sa 09:00-12:00; PH off",
        ),
        ("24/7", "24/7"),
        ("Mo-Su 00:00-24:00; PH off", "24/7; PH off"),
        ("Mo-Sa 09:00-18:00; Su,PH off", "Mo-Sa 09:00-18:00; PH off"),
        # a later ";" rule replaces the hours of the days it names
        ("Mo-Fr 09:00-18:00; We 09:00-12:00", "Mo-Tu,Th-Fr 09:00-18:00; We 09:00-12:00"),
        # a "," rule adds to them
        (
            "Mo-Fr 09:00-12:00, We 14:00-16:00",
            "Mo-Tu,Th-Fr 09:00-12:00; We 09:00-12:00,14:00-16:00",
        ),
        ("Mo,We 09:00-12:00", "Mo,We 09:00-12:00"),
        ("Fr-Mo 10:00-12:00", "Mo,Fr-Su 10:00-12:00"),
        ("mo-fr 9:00-12:00", "Mo-Fr 09:00-12:00"),
        ("Mo-Fr 09:00-12:00,11:00-13:00", "Mo-Fr 09:00-13:00"),
        ('Mo-Fr 08:30-12:00 "sur rendez-vous"', 'Mo-Fr 08:30-12:00 "sur rendez-vous"'),
        # an emergency shelter open overnight: the night is split at midnight
        ("Mo-Fr 19:00-08:00", "Mo 19:00-24:00; Tu-Fr 00:00-08:00,19:00-24:00; Sa 00:00-08:00"),
        ("off", "off"),
    ],
)
def test_osm_hours_are_read_and_written_canonically(text, canonical):
    hours = WeeklyHours.from_osm(text)

    assert hours.to_osm() == canonical
    assert opening_hours.validate(canonical)
    assert WeeklyHours.from_osm(canonical) == hours


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Jan-Mar 09:00-12:00", "'Jan-Mar' in 'Jan-Mar 09:00-12:00' cannot be kept"),
        ("Mo-Fr sunrise-sunset", "'sunrise-sunset' in 'Mo-Fr sunrise-sunset' cannot be kept"),
        ("week 1-10 Mo 10:00-12:00", "'week' in"),
        ("Mo[1] 10:00-12:00", "'[1]' in"),
        ("SH off", "'SH' in"),
        ('Mo-Fr 09:00-12:00 || "sur rendez-vous"', "'||' in"),
        ("Mo-Fr 09:00-12:00 unknown", "'unknown' in"),
        ("Mo-Fr 09:00-12:00; PH 10:00-11:00", "gives hours for public holidays"),
        ("Mo 10:00-12:00 off", "closes for part of a day"),
        ('Mo 09:00-12:00 "accueil"; Tu 10:00-11:00 "sur rendez-vous"', "several comments"),
        ("lundi 9h-12h", "'lundi 9h-12h' is not valid OSM opening_hours."),
        ("", "Opening hours are empty."),
    ],
)
def test_osm_hours_that_cannot_be_kept_are_refused_with_what_is_wrong(text, message):
    assert message in " ".join(refused(WeeklyHours.from_osm, text))


def test_the_note_travels_as_an_osm_comment():
    hours = WeeklyHours.from_days(
        {"we": [(time(14), time(17))]}, note='Sur rendez-vous, "prise de RDV" en ligne'
    )

    assert hours.to_osm() == "We 14:00-17:00 \"Sur rendez-vous, 'prise de RDV' en ligne\""
    assert WeeklyHours.from_osm(hours.to_osm()).note == "Sur rendez-vous, 'prise de RDV' en ligne"


def test_closed_all_week_with_a_note():
    hours = WeeklyHours(note="Uniquement sur rendez-vous", public_holidays_closed=True)

    assert hours.is_closed_all_week
    assert hours.to_osm() == 'off "Uniquement sur rendez-vous"; PH off'
    assert WeeklyHours.from_osm(hours.to_osm()) == hours


def test_osm_cannot_tell_open_on_holidays_from_unknown():
    # OSM applies the weekday hours on public holidays unless told "PH off", so "open on
    # public holidays" and "not said" are the same text and read back as not known.
    hours = WeeklyHours.from_days({"mo": [(time(9), time(12))]}, public_holidays_closed=False)

    assert hours.to_osm() == "Mo 09:00-12:00"
    assert WeeklyHours.from_osm(hours.to_osm()).public_holidays_closed is None


# --- HSDS 3.0 schedules ---------------------------------------------------------------------


def test_hsds_has_one_schedule_per_distinct_interval():
    hours = WeeklyHours.from_days(
        {day: [(time(9), time(12)), (time(14), time(17))] for day in ("mo", "tu", "we", "th")}
        | {"sa": [(time(9), time(12))]},
        public_holidays_closed=True,
        note="Fermé en août",
    )

    assert hours.to_hsds_schedules() == [
        {
            "freq": "WEEKLY",
            "byday": "MO,TU,WE,TH,SA",
            "opens_at": "09:00",
            "closes_at": "12:00",
            "description": "Fermé en août",
            "notes": "Closed on public holidays.",
        },
        {
            "freq": "WEEKLY",
            "byday": "MO,TU,WE,TH",
            "opens_at": "14:00",
            "closes_at": "17:00",
            "description": "Fermé en août",
            "notes": "Closed on public holidays.",
        },
    ]
    assert WeeklyHours.from_hsds_schedules(hours.to_hsds_schedules()) == hours


def test_hsds_keeps_open_on_public_holidays_and_a_note_without_hours():
    open_on_holidays = WeeklyHours.from_days(
        {"sa": [(time(10), time(12))]}, public_holidays_closed=False
    )
    note_only = WeeklyHours(note="Permanence téléphonique")

    assert WeeklyHours.from_hsds_schedules(open_on_holidays.to_hsds_schedules()) == (
        open_on_holidays
    )
    assert note_only.to_hsds_schedules() == [{"description": "Permanence téléphonique"}]
    assert WeeklyHours.from_hsds_schedules(note_only.to_hsds_schedules()) == note_only
    assert WeeklyHours().to_hsds_schedules() == []


def test_hsds_schedules_from_elsewhere_are_merged():
    hours = WeeklyHours.from_hsds_schedules(
        [
            {
                "id": "a",
                "freq": "WEEKLY",
                "byday": "MO, TU",
                "opens_at": "09:00:00",
                "closes_at": "12:00:00",
                "description": "Accueil sans rendez-vous",
            },
            {
                "id": "b",
                "freq": "WEEKLY",
                "byday": "TU",
                "opens_at": "11:00",
                "closes_at": "13:00",
                "notes": "Fermé le 1er mai",
            },
        ]
    )

    assert hours.to_osm() == (
        'Mo 09:00-12:00 "Accueil sans rendez-vous Fermé le 1er mai"; '
        'Tu 09:00-13:00 "Accueil sans rendez-vous Fermé le 1er mai"'
    )
    assert hours.note == "Accueil sans rendez-vous\nFermé le 1er mai"


@pytest.mark.parametrize(
    ("schedule", "message"),
    [
        (
            {"freq": "MONTHLY", "byday": "2MO", "opens_at": "09:00", "closes_at": "12:00"},
            "repeats MONTHLY",
        ),
        (
            {
                "freq": "WEEKLY",
                "interval": 2,
                "byday": "MO",
                "opens_at": "09:00",
                "closes_at": "12:00",
            },
            "does not repeat every week",
        ),
        (
            {
                "freq": "WEEKLY",
                "byday": "MO",
                "opens_at": "09:00",
                "closes_at": "12:00",
                "until": "2025-06-30",
            },
            "uses until",
        ),
        (
            {"freq": "WEEKLY", "byday": "MO", "opens_at": "09:00Z", "closes_at": "12:00Z"},
            "times with a UTC offset are not supported",
        ),
        ({"freq": "WEEKLY", "byday": "MO", "opens_at": "09:00"}, "needs its days (byday)"),
        (
            {"freq": "WEEKLY", "byday": "LU", "opens_at": "09:00", "closes_at": "12:00"},
            "'LU' is not a weekday",
        ),
        (
            {"freq": "WEEKLY", "byday": "MO", "opens_at": "12:00", "closes_at": "09:00"},
            "closes before it opens",
        ),
    ],
)
def test_hsds_schedules_that_cannot_be_kept_are_refused(schedule, message):
    assert message in " ".join(refused(WeeklyHours.from_hsds_schedules, [schedule]))


# --- Evaluation -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "is_open"),
    [
        (datetime(2025, 3, 10, 8, 59), False),  # Monday, before opening
        (datetime(2025, 3, 10, 9, 0), True),  # opens at 9:00
        (datetime(2025, 3, 10, 12, 0), False),  # closed at 12:00 sharp
        (datetime(2025, 3, 10, 13, 0), False),  # lunch break
        (datetime(2025, 3, 14, 16, 59), True),  # Friday afternoon
        (datetime(2025, 3, 15, 11, 0), True),  # Saturday morning
        (datetime(2025, 3, 15, 15, 0), False),  # Saturday afternoon
        (datetime(2025, 3, 16, 10, 0), False),  # Sunday
        (datetime(2025, 5, 8, 10, 0), False),  # Thursday 8 May, Victoire 1945: PH off
        (datetime(2025, 7, 14, 10, 0), False),  # Monday 14 July: PH off
        (datetime(2025, 7, 15, 10, 0), True),  # the next day
    ],
)
def test_is_open_at_follows_days_times_and_french_public_holidays(moment, is_open):
    assert OFFICE.is_open_at(moment) is is_open


def test_public_holidays_follow_weekday_hours_unless_closed():
    unknown = WeeklyHours.from_osm("Mo-Fr 09:00-12:00")

    assert unknown.is_open_at(datetime(2025, 7, 14, 10, 0))


def test_an_aware_moment_is_read_in_paris_time():
    # 08:30 UTC in March is 09:30 in Paris (UTC+1); 07:30 UTC is 08:30.
    assert OFFICE.is_open_at(datetime(2025, 3, 10, 8, 30, tzinfo=UTC))
    assert not OFFICE.is_open_at(datetime(2025, 3, 10, 7, 30, tzinfo=UTC))


def test_overnight_hours_are_open_after_midnight():
    shelter = WeeklyHours.from_osm("Mo-Fr 19:00-08:00")

    assert shelter.is_open_at(datetime(2025, 3, 11, 2, 0))  # Tuesday night
    assert shelter.is_open_at(datetime(2025, 3, 15, 7, 0))  # Saturday morning, from Friday
    assert not shelter.is_open_at(datetime(2025, 3, 10, 2, 0))  # Monday night: Sunday closed


# --- Display --------------------------------------------------------------------------------


def test_describe_in_english():
    assert OFFICE.describe("en") == [
        ("Monday to Friday", "9:00–12:00, 14:00–17:00"),
        ("Saturday", "9:00–12:00"),
        ("Public holidays", "Closed"),
    ]


def test_describe_in_french_writes_times_the_french_way(app):
    with app.test_request_context("/?lang=fr"):
        lines = OFFICE.describe("fr")

    assert [times for _days, times in lines[:2]] == [
        "9 h 00–12 h 00, 14 h 00–17 h 00",
        "9 h 00–12 h 00",
    ]


def test_describe_lists_separate_days_and_whole_days():
    hours = WeeklyHours.from_osm("Mo,We 09:30-12:00; Fr-Su 00:00-24:00")

    assert hours.describe("en") == [
        ("Monday, Wednesday", "9:30–12:00"),
        ("Friday to Sunday", "Open 24 hours"),
    ]


def test_a_week_is_built_from_valid_intervals_only():
    with pytest.raises(Invalid):
        WeeklyHours(mo=((time(12), time(9)),))
    with pytest.raises(Invalid):
        WeeklyHours(mo=((time(9, 0, 30), time(12)),))
    with pytest.raises(Invalid):
        WeeklyHours.from_days({"monday": [(time(9), time(12))]})
