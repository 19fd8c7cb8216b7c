"""Opening hours: one representation, `WeeklyHours`, and its conversions.

A week of opening intervals per weekday, whether public holidays are closed, and a free-text
note. It is stored as JSON in the `opening_hours` columns and converted both ways to OSM
`opening_hours` text (what people and OpenStreetMap write), to HSDS 3.0 schedules (the
exchange format) and from the town-hall format of the Annuaire de l'administration. Whatever a
format says that this model cannot hold (seasons, dates, hours specific to public holidays) is
refused with a message rather than silently dropped. See docs/opening-hours.md.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo

import opening_hours
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from errors import Invalid

DAYS = ("mo", "tu", "we", "th", "fr", "sa", "su")
# 24:00, the end of a day: a `time` cannot say 24:00, so the last instant of the day stands for
# it; it is written "24:00" in every format and only allowed as a closing time.
END_OF_DAY = time.max
MIDNIGHT = time(0, 0)
FIELD = "opening_hours"
TIMEZONE = ZoneInfo("Europe/Paris")

Interval = tuple[time, time]
Intervals = tuple[Interval, ...]

_DAY_NAMES = {
    "mo": _l("Monday"),
    "tu": _l("Tuesday"),
    "we": _l("Wednesday"),
    "th": _l("Thursday"),
    "fr": _l("Friday"),
    "sa": _l("Saturday"),
    "su": _l("Sunday"),
}
_OSM_DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
_FRENCH_DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_HSDS_PH_CLOSED = "Closed on public holidays."
_HSDS_PH_OPEN = "Open on public holidays."
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")


def _invalid(messages: str | list[str]) -> Invalid:
    messages = [messages] if isinstance(messages, str) else messages
    return Invalid(" ".join(messages), {FIELD: messages})


def parse_time(text: str, *, closing: bool = False, drop_seconds: bool = False) -> time:
    """A time from "09:00" or "09:00:00"; "24:00" only as a closing time (END_OF_DAY).
    Seconds are refused (hours are kept to the minute) unless `drop_seconds`, for sources that
    carry stray ones ("13:30:30" in a few town halls)."""
    match = _TIME.fullmatch(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise _invalid(_("%(value)s is not a time of day (HH:MM).", value=repr(text)))
    hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
    if second and not drop_seconds:
        raise _invalid(_("%(value)s: opening hours are given to the minute.", value=text))
    if closing and (hour, minute) == (24, 0):
        return END_OF_DAY
    if hour > 23 or minute > 59:
        raise _invalid(_("%(value)s is not a time of day (HH:MM).", value=repr(text)))
    return time(hour, minute)


def format_time(moment: time) -> str:
    """HH:MM, with END_OF_DAY written 24:00."""
    return "24:00" if moment == END_OF_DAY else f"{moment.hour:02d}:{moment.minute:02d}"


def merge_intervals(intervals: Iterable[Interval]) -> Intervals:
    """Sorted intervals with overlapping or touching ones joined: how the external formats
    read a day listed twice (open during any of the listed intervals)."""
    merged: list[list[time]] = []
    for opens, closes in sorted(intervals):
        if merged and opens <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], closes)
        else:
            merged.append([opens, closes])
    return tuple((opens, closes) for opens, closes in merged)


def _runs(days: list[int]) -> list[list[int]]:
    """Consecutive weekdays grouped: [0, 1, 2, 4] -> [[0, 1, 2], [4]]."""
    runs: list[list[int]] = []
    for day in days:
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return runs


@dataclass(frozen=True)
class WeeklyHours:
    """The regular week of a place or service, in local time (Europe/Paris).

    Each weekday holds sorted, non-overlapping (opens, closes) intervals with opens < closes;
    a day without intervals is closed. `public_holidays_closed` is None when not known, and
    `note` says what intervals cannot ("sur rendez-vous le mercredi")."""

    mo: Intervals = ()
    tu: Intervals = ()
    we: Intervals = ()
    th: Intervals = ()
    fr: Intervals = ()
    sa: Intervals = ()
    su: Intervals = ()
    public_holidays_closed: bool | None = None
    note: str = field(default="")

    def __post_init__(self) -> None:
        errors: list[str] = []
        for key in DAYS:
            intervals = tuple(tuple(interval) for interval in getattr(self, key))
            object.__setattr__(self, key, intervals)
            errors += _interval_errors(key, intervals)
        if not (
            self.public_holidays_closed is None or isinstance(self.public_holidays_closed, bool)
        ):
            errors.append(_("Say whether public holidays are closed with true, false or null."))
        if not isinstance(self.note, str):
            errors.append(_("The note must be text."))
        else:
            object.__setattr__(self, "note", self.note.strip())
        if errors:
            raise _invalid(errors)

    @classmethod
    def from_days(
        cls,
        days: Mapping[str, Iterable[Interval]],
        *,
        public_holidays_closed: bool | None = None,
        note: str = "",
    ) -> WeeklyHours:
        unknown = [key for key in days if key not in DAYS]
        if unknown:
            raise _invalid(_("%(day)s is not a day of the week.", day=repr(unknown[0])))
        return cls(
            **{key: tuple(days[key]) for key in days},
            public_holidays_closed=public_holidays_closed,
            note=note,
        )

    def day(self, key: str) -> Intervals:
        return getattr(self, key)

    @property
    def days(self) -> dict[str, Intervals]:
        return {key: self.day(key) for key in DAYS}

    @property
    def is_closed_all_week(self) -> bool:
        return not any(self.day(key) for key in DAYS)

    def _groups(self) -> list[tuple[list[list[int]], Intervals]]:
        """Days sharing the same intervals, as runs of consecutive days, by first day."""
        by_intervals: dict[Intervals, list[int]] = {}
        for index, key in enumerate(DAYS):
            if self.day(key):
                by_intervals.setdefault(self.day(key), []).append(index)
        return [(_runs(days), intervals) for intervals, days in by_intervals.items()]

    # --- JSON (the database columns) ------------------------------------------------------

    def to_json(self) -> dict:
        """{"days": {"mo": [["09:00", "12:00"], …], …}, "public_holidays_closed": …, "note": …};
        closed days are left out."""
        return {
            "days": {
                key: [[format_time(o), format_time(c)] for o, c in self.day(key)]
                for key in DAYS
                if self.day(key)
            },
            "public_holidays_closed": self.public_holidays_closed,
            "note": self.note,
        }

    @classmethod
    def from_json(cls, data: object) -> WeeklyHours:
        """Read and check the stored JSON; every problem is reported under `opening_hours`."""
        if not isinstance(data, Mapping):
            raise _invalid(_("Opening hours must be an object with days, holidays and a note."))
        errors: list[str] = []
        for key in data:
            if key not in ("days", "public_holidays_closed", "note"):
                errors.append(_("%(key)s is not part of opening hours.", key=repr(key)))
        days = data.get("days") or {}
        if not isinstance(days, Mapping):
            raise _invalid(_("The days of the opening hours must be an object."))
        parsed: dict[str, list[Interval]] = {}
        for key, intervals in days.items():
            if key not in DAYS:
                errors.append(_("%(day)s is not a day of the week.", day=repr(key)))
                continue
            if not isinstance(intervals, list):
                errors.append(
                    _(
                        "%(day)s: the hours must be a list of [opens, closes] pairs.",
                        day=_DAY_NAMES[key],
                    )
                )
                continue
            parsed[key] = []
            for interval in intervals:
                if not (isinstance(interval, list | tuple) and len(interval) == 2):
                    errors.append(
                        _(
                            "%(day)s: the hours must be a list of [opens, closes] pairs.",
                            day=_DAY_NAMES[key],
                        )
                    )
                    continue
                try:
                    parsed[key].append(
                        (parse_time(interval[0]), parse_time(interval[1], closing=True))
                    )
                except Invalid as error:
                    errors += error.field_errors[FIELD]
        note = data.get("note") or ""
        if errors:
            raise _invalid(errors)
        return cls.from_days(
            parsed, public_holidays_closed=data.get("public_holidays_closed"), note=note
        )

    # --- OSM opening_hours ------------------------------------------------------------------

    def to_osm(self) -> str:
        """Canonical OSM opening_hours: days with the same intervals grouped
        ("Mo-Fr 09:00-12:00,14:00-17:00; Sa 09:00-12:00; PH off"), the note as a comment."""
        comment = f' "{_osm_comment(self.note)}"' if self.note else ""
        whole_day = ((MIDNIGHT, END_OF_DAY),)
        if all(self.day(key) == whole_day for key in DAYS):
            rules = [f"24/7{comment}"]
        else:
            rules = [
                f"{_osm_days(runs)} {_osm_times(intervals)}{comment}"
                for runs, intervals in self._groups()
            ] or [f"off{comment}"]
        if self.public_holidays_closed:
            rules.append("PH off")
        return "; ".join(rules)

    @classmethod
    def from_osm(cls, text: str) -> WeeklyHours:
        """Read OSM opening_hours: weekday ranges and lists, several time ranges, overnight
        ranges, "off"/"closed", "24/7", "PH off" and one comment (the note). Anything else
        (months, weeks, dates, sun times, hours for public holidays) cannot be held and is
        refused with a message naming it."""
        if not isinstance(text, str) or not text.strip():
            raise _invalid(_("Opening hours are empty."))
        text = text.strip()
        if not opening_hours.validate(text):
            raise _invalid(_("%(text)s is not valid OSM opening_hours.", text=repr(text)))
        week, public_holidays_closed, comments = _apply_osm_rules(text, _OsmReader(text).rules())
        if len(comments) > 1:
            raise _invalid(
                _(
                    "%(text)s has several comments; one note applies to the whole week.",
                    text=repr(text),
                )
            )
        return cls.from_days(
            {key: merge_intervals(week[index]) for index, key in enumerate(DAYS)},
            public_holidays_closed=public_holidays_closed,
            note=comments[0] if comments else "",
        )

    # --- HSDS 3.0 schedules -----------------------------------------------------------------

    def to_hsds_schedules(self) -> list[dict]:
        """One weekly schedule per distinct interval, with the days sharing it; the note in
        `description`, public holidays in `notes`. The caller adds `id` and the owner's id."""
        days_by_interval: dict[Interval, list[int]] = {}
        for index, key in enumerate(DAYS):
            for interval in self.day(key):
                days_by_interval.setdefault(interval, []).append(index)
        extra: dict[str, str] = {}
        if self.note:
            extra["description"] = self.note
        if self.public_holidays_closed is not None:
            extra["notes"] = _HSDS_PH_CLOSED if self.public_holidays_closed else _HSDS_PH_OPEN
        schedules = [
            {
                "freq": "WEEKLY",
                "byday": ",".join(DAYS[d].upper() for d in days),
                "opens_at": format_time(opens),
                "closes_at": format_time(closes),
                **extra,
            }
            for (opens, closes), days in sorted(
                days_by_interval.items(), key=lambda item: (item[1][0], item[0])
            )
        ]
        if not schedules and extra:
            schedules.append(extra)
        return schedules

    @classmethod
    def from_hsds_schedules(cls, schedules: Iterable[Mapping]) -> WeeklyHours:
        """Read weekly HSDS schedules (freq WEEKLY, byday, opens_at, closes_at, local times).
        Monthly rules, week numbers, date limits and times with a UTC offset are refused."""
        week: dict[str, list[Interval]] = {key: [] for key in DAYS}
        texts: list[str] = []
        public_holidays_closed = None
        for number, schedule in enumerate(schedules, start=1):
            if not isinstance(schedule, Mapping):
                raise _invalid(_("Schedule %(n)s is not an object.", n=number))
            _check_hsds_schedule(number, schedule)
            for key in ("description", "notes"):
                text = (schedule.get(key) or "").strip()
                if text == _HSDS_PH_CLOSED:
                    public_holidays_closed = True
                elif text == _HSDS_PH_OPEN:
                    public_holidays_closed = False
                elif text and text not in texts:
                    texts.append(text)
            opens_at, closes_at = schedule.get("opens_at"), schedule.get("closes_at")
            byday = (schedule.get("byday") or "").strip()
            if not (opens_at or closes_at or byday):
                continue
            if not (opens_at and closes_at and byday):
                raise _invalid(
                    _("Schedule %(n)s needs its days (byday), opens_at and closes_at.", n=number)
                )
            opens, closes = parse_time(opens_at), parse_time(closes_at, closing=True)
            if closes <= opens:
                raise _invalid(_("Schedule %(n)s closes before it opens.", n=number))
            for code in byday.split(","):
                key = code.strip().lower()
                if key not in DAYS:
                    raise _invalid(
                        _(
                            "Schedule %(n)s: %(day)s is not a weekday (MO to SU).",
                            n=number,
                            day=repr(code.strip()),
                        )
                    )
                week[key].append((opens, closes))
        return cls.from_days(
            {key: merge_intervals(week[key]) for key in DAYS},
            public_holidays_closed=public_holidays_closed,
            note="\n".join(texts),
        )

    # --- Annuaire de l'administration (town halls) ------------------------------------------

    @classmethod
    def from_town_hall_json(cls, text: str | None) -> WeeklyHours | None:
        """Read `opening_hours_json` of fr-admin town_halls.csv.gz:
        [[first_day, last_day, [["09:00:00", "12:00:00"], …]], …] with French day names.
        None when the source gives no hours (unknown, not "closed all week"). An empty
        last day means the first day alone, and a day listed twice keeps all its intervals,
        as the source publishes them; zero-length intervals say nothing and are skipped."""
        if not text or not text.strip():
            return None
        try:
            entries = json.loads(text)
        except ValueError as error:
            raise _invalid(
                _("The town-hall hours are not JSON (%(error)s).", error=str(error))
            ) from error
        if not isinstance(entries, list):
            raise _invalid(_("The town-hall hours must be a list of day ranges."))
        if not entries:
            return None
        week: dict[str, list[Interval]] = {key: [] for key in DAYS}
        for entry in entries:
            if not (isinstance(entry, list) and len(entry) == 3 and isinstance(entry[2], list)):
                raise _invalid(
                    _(
                        "%(entry)s is not [first_day, last_day, hours].",
                        entry=json.dumps(entry, ensure_ascii=False),
                    )
                )
            first = _french_day(entry[0])
            last = _french_day(entry[1]) if entry[1] else first
            days = [(first + i) % 7 for i in range((last - first) % 7 + 1)]
            for interval in entry[2]:
                if not (isinstance(interval, list) and len(interval) == 2):
                    raise _invalid(
                        _(
                            "%(entry)s is not [first_day, last_day, hours].",
                            entry=json.dumps(entry, ensure_ascii=False),
                        )
                    )
                opens = parse_time(interval[0], drop_seconds=True)
                closes = parse_time(interval[1], closing=True, drop_seconds=True)
                if opens == closes:
                    continue
                if closes < opens:
                    raise _invalid(
                        _(
                            "%(opens)s–%(closes)s closes before it opens.",
                            opens=interval[0],
                            closes=interval[1],
                        )
                    )
                for day in days:
                    week[DAYS[day]].append((opens, closes))
        return cls.from_days({key: merge_intervals(week[key]) for key in DAYS})

    # --- Evaluation and display -------------------------------------------------------------

    def is_open_at(self, moment: datetime) -> bool:
        """Open at this moment? A naive datetime is local time in France; an aware one is
        converted to Europe/Paris. French public holidays apply when they are closed."""
        if moment.tzinfo is not None:
            moment = moment.astimezone(TIMEZONE).replace(tzinfo=None)
        return _evaluator(self.to_osm()).is_open(moment)

    def describe(self, locale: str) -> list[tuple[str, str]]:
        """Lines for a page: ("Monday to Friday", "9:00–12:00, 14:00–17:00"), then public
        holidays when they are closed. The note is shown apart (`note`)."""
        lines: list[tuple[str, str]] = []
        with force_locale(locale):
            for runs, intervals in self._groups():
                names = [_describe_run(run) for run in runs]
                days = ", ".join(names)
                lines.append(
                    (
                        days[:1].upper() + days[1:],
                        ", ".join(_describe_interval(o, c, locale) for o, c in intervals),
                    )
                )
            if self.public_holidays_closed:
                lines.append((_("Public holidays"), _("Closed")))
        return lines


def _interval_errors(key: str, intervals: Intervals) -> list[str]:
    errors = []
    day = _DAY_NAMES[key]
    previous: Interval | None = None
    for interval in intervals:
        if len(interval) != 2 or not all(isinstance(t, time) for t in interval):
            errors.append(_("%(day)s: each interval is an opening and a closing time.", day=day))
            continue
        opens, closes = interval
        if opens == END_OF_DAY or any(
            t != END_OF_DAY and (t.second or t.microsecond or t.tzinfo) for t in interval
        ):
            errors.append(
                _(
                    "%(day)s: %(opens)s–%(closes)s is not a valid interval.",
                    day=day,
                    opens=opens.isoformat(),
                    closes=closes.isoformat(),
                )
            )
            continue
        text = f"{format_time(opens)}–{format_time(closes)}"
        if closes <= opens:
            errors.append(
                _("%(day)s: %(interval)s closes before it opens.", day=day, interval=text)
            )
        elif previous is not None and opens < previous[1]:
            errors.append(
                _(
                    "%(day)s: %(interval)s overlaps %(previous)s or comes before it.",
                    day=day,
                    interval=text,
                    previous=f"{format_time(previous[0])}–{format_time(previous[1])}",
                )
            )
        previous = interval
    return errors


def _osm_comment(note: str) -> str:
    # An OSM comment is one line between double quotes and cannot contain one.
    return " ".join(note.replace('"', "'").split())


def _osm_days(runs: list[list[int]]) -> str:
    return ",".join(
        _OSM_DAYS[run[0]] if len(run) == 1 else f"{_OSM_DAYS[run[0]]}-{_OSM_DAYS[run[-1]]}"
        for run in runs
    )


def _osm_times(intervals: Intervals) -> str:
    return ",".join(f"{format_time(o)}-{format_time(c)}" for o, c in intervals)


@lru_cache(maxsize=2048)
def _evaluator(osm: str) -> opening_hours.OpeningHours:
    return opening_hours.OpeningHours(osm, country="FR")


def _check_hsds_schedule(number: int, schedule: Mapping) -> None:
    freq = (schedule.get("freq") or "WEEKLY").upper()
    if freq != "WEEKLY":
        raise _invalid(
            _(
                "Schedule %(n)s repeats %(freq)s; only weekly hours can be kept.",
                n=number,
                freq=freq,
            )
        )
    if str(schedule.get("interval") or 1) not in ("1", "1.0"):
        raise _invalid(
            _("Schedule %(n)s does not repeat every week; only weekly hours can be kept.", n=number)
        )
    for key in ("until", "count", "byweekno", "bymonthday", "byyearday"):
        if schedule.get(key) not in (None, ""):
            raise _invalid(
                _(
                    "Schedule %(n)s uses %(key)s; only regular weekly hours can be kept.",
                    n=number,
                    key=key,
                )
            )
    for key in ("opens_at", "closes_at"):
        value = schedule.get(key)
        if value and not _TIME.fullmatch(str(value).strip()):
            raise _invalid(
                _(
                    "Schedule %(n)s: %(key)s %(value)s is not a local time (HH:MM); "
                    "times with a UTC offset are not supported.",
                    n=number,
                    key=key,
                    value=repr(value),
                )
            )


def _french_day(name: object) -> int:
    cleaned = name.strip().lower() if isinstance(name, str) else ""
    if cleaned not in _FRENCH_DAYS:
        raise _invalid(_("%(day)s is not a day of the week.", day=repr(name)))
    return _FRENCH_DAYS.index(cleaned)


def _describe_run(run: list[int]) -> str:
    names = [str(_DAY_NAMES[DAYS[d]]) for d in run]
    if len(run) < 3:
        return ", ".join(names)
    return _("%(first)s to %(last)s", first=names[0], last=names[-1])


def _describe_time(moment: time, locale: str) -> str:
    hour = 24 if moment == END_OF_DAY else moment.hour
    if locale.startswith("fr"):
        return f"{hour} h {moment.minute if hour != 24 else 0:02d}"
    return f"{hour}:{moment.minute if hour != 24 else 0:02d}"


def _describe_interval(opens: time, closes: time, locale: str) -> str:
    if (opens, closes) == (MIDNIGHT, END_OF_DAY):
        return _("Open 24 hours")
    return f"{_describe_time(opens, locale)}–{_describe_time(closes, locale)}"


# --- Reading OSM opening_hours ---------------------------------------------------------------
# A small reader for the subset WeeklyHours can hold. Rules separated by ";" replace the hours
# of the days they name; rules after "," add to them (OSM "additional rules").

_OSM_TOKEN = re.compile(
    r'\s*(?:(?P<comment>"[^"]*")|(?P<always>24/7)|(?P<time>\d{1,2}:\d{2})'
    r"|(?P<day>Mo|Tu|We|Th|Fr|Sa|Su)(?![A-Za-z])|(?P<ph>PH)(?![A-Za-z])"
    r"|(?P<state>open|closed|off|unknown)(?![A-Za-z])|(?P<sep>\|\||[;,-]))",
    re.IGNORECASE,
)


@dataclass
class _OsmRule:
    additional: bool
    days: list[int] | None = None  # None: no weekday selector, so every day
    public_holidays: bool = False
    spans: list[Interval] | None = None  # None: the whole day
    state: str = "open"
    comment: str | None = None


def _unsupported(text: str, fragment: str) -> Invalid:
    return _invalid(
        _(
            "%(fragment)s in %(text)s cannot be kept: only weekdays (Mo-Su), times "
            "(09:00-12:00), off, 24/7, PH off and one comment are supported.",
            fragment=repr(fragment),
            text=repr(text),
        )
    )


class _OsmReader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: list[tuple[str, str]] = []
        position = 0
        while position < len(text):
            match = _OSM_TOKEN.match(text, position)
            if match is None:
                raise _unsupported(text, text[position:].split()[0])
            kind = match.lastgroup or ""
            self.tokens.append((kind, match[kind]))
            position = match.end()
        self.index = 0

    def peek(self, ahead: int = 0) -> tuple[str, str]:
        index = self.index + ahead
        return self.tokens[index] if index < len(self.tokens) else ("end", "")

    def take(self, kind: str | None = None, value: str | None = None) -> str:
        found_kind, found = self.peek()
        if (kind and found_kind != kind) or (value and found != value):
            raise _unsupported(self.text, found or _("the end"))
        self.index += 1
        return found

    def at(self, kind: str, value: str | None = None, ahead: int = 0) -> bool:
        found_kind, found = self.peek(ahead)
        return found_kind == kind and (value is None or found == value)

    def rules(self) -> list[_OsmRule]:
        rules = [self.rule(additional=False)]
        while not self.at("end"):
            separator = self.take("sep")
            if separator not in (";", ","):
                raise _unsupported(self.text, separator)
            if separator == ";" and self.at("end"):
                break
            rules.append(self.rule(additional=separator == ","))
        return rules

    def rule(self, additional: bool) -> _OsmRule:
        rule = _OsmRule(additional)
        start = self.index
        if self.at("always"):
            self.take()
            rule.days, rule.spans = list(range(7)), [(MIDNIGHT, END_OF_DAY)]
        else:
            if self.at("day") or self.at("ph"):
                self.days(rule)
            if self.at("time"):
                rule.spans = self.spans()
        if self.at("state"):
            rule.state = self.take().lower()
        if self.at("comment"):
            rule.comment = self.take()[1:-1].strip()
        if self.index == start:
            raise _unsupported(self.text, self.peek()[1] or _("the end"))
        return rule

    def days(self, rule: _OsmRule) -> None:
        rule.days = []
        while True:
            kind, value = self.peek()
            self.take()
            if kind == "ph":
                rule.public_holidays = True
            else:
                first = _OSM_DAYS.index(value.capitalize())
                last = first
                if self.at("sep", "-") and self.at("day", ahead=1):
                    self.take()
                    last = _OSM_DAYS.index(self.take().capitalize())
                rule.days += [(first + i) % 7 for i in range((last - first) % 7 + 1)]
            if self.at("sep", ",") and (self.at("day", ahead=1) or self.at("ph", ahead=1)):
                self.take()
                continue
            return

    def spans(self) -> list[Interval]:
        spans = []
        while True:
            opens = parse_time(self.take("time"))
            self.take("sep", "-")
            spans.append((opens, parse_time(self.take("time"), closing=True)))
            if self.at("sep", ",") and self.at("time", ahead=1):
                self.take()
                continue
            return spans


def _apply_osm_rules(
    text: str, rules: list[_OsmRule]
) -> tuple[list[list[Interval]], bool | None, list[str]]:
    """The week the rules describe, whether public holidays are closed, and the comments."""
    week: list[list[Interval]] = [[] for _day in DAYS]
    public_holidays_closed: bool | None = None
    comments: list[str] = []
    for rule in rules:
        if rule.comment and rule.comment not in comments:
            comments.append(rule.comment)
        if rule.state == "unknown":
            raise _unsupported(text, rule.state)
        closed = rule.state in ("off", "closed")
        if rule.public_holidays:
            if not closed:
                raise _invalid(
                    _(
                        '%(text)s gives hours for public holidays; only "PH off" can be kept.',
                        text=repr(text),
                    )
                )
            public_holidays_closed = True
        days = rule.days if rule.days is not None else list(range(7))
        if closed and rule.spans is not None:
            raise _invalid(
                _(
                    "%(text)s closes for part of a day; give the open hours instead.",
                    text=repr(text),
                )
            )
        if closed or not rule.additional:
            for day in days:
                week[day] = []
        if closed:
            continue
        for day in days:
            for opens, closes in rule.spans or [(MIDNIGHT, END_OF_DAY)]:
                if opens == closes:
                    raise _invalid(
                        _("%(text)s opens and closes at the same time.", text=repr(text))
                    )
                if opens < closes:
                    week[day].append((opens, closes))
                    continue
                # Past midnight: the rest of the night belongs to the next day.
                week[day].append((opens, END_OF_DAY))
                if closes != MIDNIGHT:
                    week[(day + 1) % 7].append((MIDNIGHT, closes))
    return week, public_holidays_closed, comments
