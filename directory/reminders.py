"""Reminding editors to check their listings (`flask listings remind`).

A public service overdue for a check (directory.freshness) earns its editors one email per
period of its update frequency: running the command every day, or twice in a row, sends each
reminder once. Each editor gets one email listing all their overdue services.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from accounts.mail import queue_email
from directory.feedback import editors_of
from directory.freshness import add_months, is_overdue, period_months
from directory.models import PUBLISHED, SUSPENDED, Service, utcnow
from extensions import db


def due_for_reminder(service: Service, today: date) -> bool:
    """Overdue, and not reminded within the last period."""
    if not is_overdue(service, today):
        return False
    if service.reminded_at is None:
        return True
    months = period_months(service) or 0
    return add_months(service.reminded_at.date(), months) <= today


def services_to_remind(today: date) -> list[Service]:
    """Public services whose editors should be reminded today, by organisation and name."""
    candidates = db.session.scalars(
        sa.select(Service)
        .where(Service.status.in_((PUBLISHED, SUSPENDED)), Service.update_frequency != "jamais")
        .options(selectinload(Service.organisation))
        .order_by(Service.organisation_id, Service.name)
    ).all()
    return [service for service in candidates if due_for_reminder(service, today)]


def send_reminders(
    today: date, link_for: Callable[[Service], str], *, now: datetime | None = None
) -> tuple[int, int]:
    """Queue one email per editor of the overdue services and mark those services reminded;
    return (emails queued, services reminded). A service whose organisation has no editor
    is left unmarked, so it is reminded once someone can act on it. Flushes."""
    now = now or utcnow()
    by_editor: dict[str, list[Service]] = {}
    reminded = 0
    for service in services_to_remind(today):
        editors = editors_of(service.organisation_id, admins_first=False)
        if not editors:
            continue
        for editor in editors:
            by_editor.setdefault(editor.email, []).append(service)
        service.reminded_at = now
        reminded += 1
    for email, services in by_editor.items():
        lines = "\n".join(
            _(
                "- %(service)s (%(organisation)s), last checked on %(date)s: %(link)s",
                service=s.name,
                organisation=s.organisation.name,
                date=s.last_verified_on.isoformat() if s.last_verified_on else _("never"),
                link=link_for(s),
            )
            for s in services
        )
        body = "\n\n".join(
            (
                _("These listings have not been checked for a while:"),
                lines,
                _(
                    "Open each one, correct what changed and save, or press “The information is "
                    "still correct”. People rely on these pages to find help."
                ),
            )
        )
        queue_email(email, _("Your listings on Relais need checking"), body)
    db.session.flush()
    return len(by_editor), reminded
