"""Per-organisation figures on referrals, and the CSV export of an organisation's referrals.

What is counted (docs/figures.md says the same for the people who read the figures):

- A referral counts in the period when it was **sent** in it (`sent_at`, the first time it
  reached "sent"), in Europe/Paris days, both ends included. Drafts, and referrals held for
  moderation and not yet released, were never sent: they are not counted.
- "Sent" are the referrals the organisation sent; "received" those sent to its services.
- Every counted referral is in exactly one bucket, by its status now: **pending** (sent or
  opened: waiting for an answer), **accepted** (accepted, in progress, completed or closed —
  each of those went through "accept"), **declined**, **expired**, **cancelled**. So
  pending + accepted + declined + expired + cancelled = total.
- The **first answer** is the first transition by the receiving side out of sent/opened,
  that is "accept" or "decline" (opening is not an answer; an expiry or a cancellation is
  no answer at all). transitions.transition() stamps it once in `first_answer_at`. The time
  to first answer is `first_answer_at - sent_at`; its median is computed here in Python
  (portable across SQLite and PostgreSQL), over the referrals that have an answer; with an
  even number of answers it is the mean of the two middle ones; with none there is none.

The CSV export holds one row per referral with its service, organisations, status, outcome,
decline reason and the date each state was first reached, and **no personal data** of the
person (no name, birth date, contact, motive, situation, messages or notes): a file leaves
the consent system, so nothing in it may need the person's consent. Format: UTF-8 with a
byte-order mark and `;` between cells, which is what Excel opens correctly in France (where
`,` is the decimal mark); dates "YYYY-MM-DD HH:MM" in Europe/Paris time. A cell starting
with = + - @ (or a tab or carriage return) would be run as a formula by a spreadsheet: it is
prefixed with an apostrophe, which spreadsheets show as text.
"""

from __future__ import annotations

import csv
import io
import statistics
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy.orm import aliased

from directory.hours import TIMEZONE
from directory.models import Organisation, Service
from errors import Invalid
from extensions import db
from referrals.models import (
    ACCEPTED,
    CANCELLED,
    CLOSED,
    COMPLETED,
    DECLINED,
    EXPIRED,
    HELD,
    IN_PROGRESS,
    OPENED,
    SENT,
    Referral,
    ReferralEvent,
)

SENT_BY, RECEIVED_BY = "sent", "received"
DIRECTIONS = (SENT_BY, RECEIVED_BY)

PENDING, ACCEPTED_BUCKET = "pending", "accepted"
# The bucket of each status a sent referral can have now.
BUCKET_OF = {SENT: PENDING, OPENED: PENDING, ACCEPTED: ACCEPTED_BUCKET,
             IN_PROGRESS: ACCEPTED_BUCKET, COMPLETED: ACCEPTED_BUCKET,
             CLOSED: ACCEPTED_BUCKET, DECLINED: DECLINED, EXPIRED: EXPIRED,
             CANCELLED: CANCELLED}
BUCKETS = (PENDING, ACCEPTED_BUCKET, DECLINED, EXPIRED, CANCELLED)
# States whose first date the export shows, in the order a referral goes through them.
DATED_STATES = (HELD, SENT, OPENED, ACCEPTED, DECLINED, IN_PROGRESS, COMPLETED, CLOSED,
                EXPIRED, CANCELLED)
# Dates a period may name (far beyond any referral; keeps date arithmetic in range).
EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_DELIMITER = ";"


# ---------------------------------------------------------------------------------------------
# The period


@dataclass(frozen=True)
class Period:
    """Days from `start` to `end`, both included, in Europe/Paris."""

    start: date
    end: date

    def bounds(self) -> tuple[datetime, datetime]:
        """[start 00:00, the day after end 00:00) in Paris time, as UTC instants."""
        first = datetime.combine(self.start, time(0), TIMEZONE)
        after = datetime.combine(self.end + timedelta(days=1), time(0), TIMEZONE)
        return first.astimezone(UTC), after.astimezone(UTC)


def default_period(today: date) -> Period:
    """The last twelve months: from the same day a year ago to today."""
    try:
        start = today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        start = today.replace(year=today.year - 1, day=28)
    return Period(start, today)


def read_date(text: str) -> date:
    """"2026-01-31" (what a date field sends) or "31/01/2026" (what people type where the
    browser offers no date field); ValueError otherwise."""
    text = text.strip()
    if "/" in text:
        return datetime.strptime(text, "%d/%m/%Y").date()
    return date.fromisoformat(text)


def parse_period(start_text: str | None, end_text: str | None, today: date) -> Period:
    """The period asked for (either date may be left empty for the default); Invalid with a
    message per field for a date that cannot be read or an end before the start."""
    default = default_period(today)
    errors: dict[str, list[str]] = {}

    def read(name: str, text: str | None, fallback: date) -> date:
        if not (text or "").strip():
            return fallback
        try:
            chosen = read_date(text)
        except ValueError:
            errors[name] = [_("Enter a date as day/month/year, for example 31/01/2026.")]
            return fallback
        if not EARLIEST <= chosen <= LATEST:
            errors[name] = [_("Choose a date between %(first)s and %(last)s.",
                              first=EARLIEST.strftime("%d/%m/%Y"),
                              last=LATEST.strftime("%d/%m/%Y"))]
            return fallback
        return chosen

    start = read("from", start_text, default.start)
    end = read("to", end_text, default.end)
    if not errors and end < start:
        errors["to"] = [_("The end of the period comes before its start.")]
    if errors:
        raise Invalid(_("This period cannot be read."), errors)
    return Period(start, end)


# ---------------------------------------------------------------------------------------------
# The figures


@dataclass
class Tally:
    """Counts of referrals by bucket, and the delays to their first answers."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(BUCKETS, 0))
    delays: list[timedelta] = field(default_factory=list)

    def add(self, status: str, delay: timedelta | None) -> None:
        self.counts[BUCKET_OF[status]] += 1
        if delay is not None:
            self.delays.append(delay)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def answered(self) -> int:
        return len(self.delays)

    @property
    def median_first_answer(self) -> timedelta | None:
        return median_delay(self.delays)


@dataclass(frozen=True)
class ServiceLine:
    service_id: uuid.UUID
    service_name: str
    organisation_name: str  # the service's organisation (the receiving one)
    tally: Tally


@dataclass(frozen=True)
class Figures:
    direction: str
    period: Period
    overall: Tally
    by_service: list[ServiceLine]


def median_delay(delays: Iterable[timedelta]) -> timedelta | None:
    """The median of the delays (the mean of the two middle ones for an even count), or None
    when there is none."""
    seconds = [delay.total_seconds() for delay in delays]
    if not seconds:
        return None
    return timedelta(seconds=statistics.median(seconds))


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite gives naive datetimes back: they are UTC, as written."""
    if moment is None:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _side(direction: str):
    if direction not in DIRECTIONS:
        raise ValueError(f"unknown direction {direction!r}")
    return (Referral.sending_organisation_id if direction == SENT_BY
            else Referral.receiving_organisation_id)


def _in_period(query, organisation_id: uuid.UUID, direction: str, period: Period):
    first, after = period.bounds()
    return query.where(_side(direction) == organisation_id, Referral.sent_at.is_not(None),
                       Referral.sent_at >= first, Referral.sent_at < after)


def figures(organisation_id: uuid.UUID, direction: str, period: Period) -> Figures:
    """The organisation's referrals sent or received (`direction`) in the period: counts by
    bucket and median time to first answer, overall and per service (most referrals
    first). Reads no personal data."""
    rows = db.session.execute(_in_period(
        sa.select(Referral.service_id, Service.name, Organisation.name, Referral.status,
                  Referral.sent_at, Referral.first_answer_at)
        .join(Service, Service.id == Referral.service_id)
        .join(Organisation, Organisation.id == Service.organisation_id),
        organisation_id, direction, period)).all()
    overall = Tally()
    per_service: dict[uuid.UUID, Tally] = defaultdict(Tally)
    names: dict[uuid.UUID, tuple[str, str]] = {}
    for service_id, service_name, organisation_name, status, sent_at, answered_at in rows:
        delay = (_aware(answered_at) - _aware(sent_at)) if answered_at is not None else None
        overall.add(status, delay)
        per_service[service_id].add(status, delay)
        names[service_id] = (service_name, organisation_name)
    lines = [ServiceLine(service_id, *names[service_id], tally)
             for service_id, tally in per_service.items()]
    lines.sort(key=lambda line: (-line.tally.total, line.service_name.casefold()))
    return Figures(direction, period, overall, lines)


# ---------------------------------------------------------------------------------------------
# The export


@dataclass(frozen=True)
class ExportRow:
    """One referral as the export shows it: nothing about the person."""

    referral_id: uuid.UUID
    service_name: str
    sending_organisation: str | None  # None for a self-referral
    receiving_organisation: str
    self_referral: bool
    status: str
    outcome: str | None
    decline_reason: str | None
    created_at: datetime
    reached: dict[str, datetime]  # state -> first time the referral reached it
    first_answer_delay: timedelta | None


def export_rows(organisation_id: uuid.UUID, direction: str, period: Period) -> list[ExportRow]:
    """The organisation's referrals sent or received in the period, oldest first, with the
    date each state was first reached (from the transition records)."""
    sending = aliased(Organisation)
    receiving = aliased(Organisation)
    rows = db.session.execute(_in_period(
        sa.select(Referral.id, Service.name, sending.name, receiving.name,
                  Referral.self_referral, Referral.status, Referral.outcome,
                  Referral.decline_reason, Referral.created_at, Referral.sent_at,
                  Referral.first_answer_at)
        .join(Service, Service.id == Referral.service_id)
        .join(receiving, receiving.id == Referral.receiving_organisation_id)
        .outerjoin(sending, sending.id == Referral.sending_organisation_id),
        organisation_id, direction, period)
        .order_by(Referral.sent_at, Referral.id)).all()
    ids = [row[0] for row in rows]
    reached: dict[uuid.UUID, dict[str, datetime]] = defaultdict(dict)
    for chunk_start in range(0, len(ids), 500):  # bounded IN lists
        chunk = ids[chunk_start:chunk_start + 500]
        for referral_id, state, first_at in db.session.execute(
                sa.select(ReferralEvent.referral_id, ReferralEvent.to_status,
                          sa.func.min(ReferralEvent.at))
                .where(ReferralEvent.referral_id.in_(chunk))
                .group_by(ReferralEvent.referral_id, ReferralEvent.to_status)):
            reached[referral_id][state] = _aware(first_at)
    return [
        ExportRow(referral_id=row[0], service_name=row[1], sending_organisation=row[2],
                  receiving_organisation=row[3], self_referral=bool(row[4]), status=row[5],
                  outcome=row[6], decline_reason=row[7], created_at=_aware(row[8]),
                  reached=reached.get(row[0], {}),
                  first_answer_delay=(_aware(row[10]) - _aware(row[9])
                                      if row[10] is not None else None))
        for row in rows
    ]


def neutralise(cell: str) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def _when(moment: datetime | None) -> str:
    return moment.astimezone(TIMEZONE).strftime("%Y-%m-%d %H:%M") if moment else ""


def _hours(delay: timedelta | None) -> str:
    if delay is None:
        return ""
    return format_decimal(round(delay.total_seconds() / 3600, 1), format="0.#")


def to_csv(rows: Iterable[ExportRow], labels) -> bytes:
    """The CSV file (UTF-8 with BOM, `;`), headers and words in the reader's language.
    `labels` gives the words of codes: labels.status(code), labels.outcome(code),
    labels.reason(code) — codes it does not know are written as they are."""
    dated = {HELD: _("Held for moderation on"), SENT: _("Sent on"), OPENED: _("Opened on"),
             ACCEPTED: _("Accepted on"), DECLINED: _("Declined on"),
             IN_PROGRESS: _("Started on"), COMPLETED: _("Completed on"),
             CLOSED: _("Closed on"), EXPIRED: _("Expired on"), CANCELLED: _("Cancelled on")}
    header = [_("Referral"), _("Service"), _("Sending organisation"),
              _("Receiving organisation"), _("Self-referral"), _("Status"), _("Outcome"),
              _("Decline reason"), _("Prepared on"), *(dated[s] for s in DATED_STATES),
              _("Hours to first answer")]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow([neutralise(str(cell)) for cell in header])
    for row in rows:
        cells = [str(row.referral_id), row.service_name, row.sending_organisation or "",
                 row.receiving_organisation, _("yes") if row.self_referral else _("no"),
                 labels.status(row.status),
                 labels.outcome(row.outcome) if row.outcome else "",
                 labels.reason(row.decline_reason) if row.decline_reason else "",
                 _when(row.created_at), *(_when(row.reached.get(s)) for s in DATED_STATES),
                 _hours(row.first_answer_delay)]
        writer.writerow([neutralise(str(cell)) for cell in cells])
    return buffer.getvalue().encode("utf-8-sig")
