"""Is a listing still fresh? Each service says how often its information should be checked
(the DORA update frequencies); once that time has passed since the last check, its page says
it may be out of date and its editors are reminded (directory.reminders).
"""

from __future__ import annotations

import calendar
from datetime import date

from directory.models import Service

# Months between two checks, per DORA update frequency; None: never needs checking.
FREQUENCY_MONTHS: dict[str, int | None] = {
    "tous-les-mois": 1,
    "tous-les-3-mois": 3,
    "tous-les-6-mois": 6,
    "tous-les-12-mois": 12,
    "tous-les-16-mois": 16,
    "jamais": None,
}
DEFAULT_FREQUENCY = "tous-les-6-mois"


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it has fewer days
    (31 August + 6 months = 28 or 29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def period_months(service: Service) -> int | None:
    """Months between two checks of this service; an unknown frequency (imported from a newer
    list) counts as the default rather than never."""
    frequency = service.update_frequency or DEFAULT_FREQUENCY
    if frequency in FREQUENCY_MONTHS:
        return FREQUENCY_MONTHS[frequency]
    return FREQUENCY_MONTHS[DEFAULT_FREQUENCY]


def check_due_on(service: Service) -> date | None:
    """The day after which the service is overdue; None when it never needs checking or was
    never checked (then it is overdue already)."""
    months = period_months(service)
    if months is None or service.last_verified_on is None:
        return None
    return add_months(service.last_verified_on, months)


def is_overdue(service: Service, today: date) -> bool:
    """True when the information has not been checked for longer than its update frequency
    allows, or was never checked. A service whose information "never changes" is never
    overdue."""
    if period_months(service) is None:
        return False
    due = check_due_on(service)
    return due is None or today > due
