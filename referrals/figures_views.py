"""The figures page of an organisation's referrals and its CSV export (referrals.figures).

Registered on the "referrals" blueprint of referrals.views, with its way of finding who acts
for which organisation (`_member`, `_acting`: the `org` parameter among the user's own
organisations, else the first; any other organisation's id is ignored, as in the inbox). The
figures and the export name no person: no consent is involved.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from flask import Response, render_template, request
from flask_babel import format_decimal
from flask_babel import gettext as _

from accounts.access import verified_required
from errors import Invalid
from extensions import db
from referrals import audit
from referrals import figures as numbers
from referrals.forms import DECLINE_LABELS, OUTCOME_LABELS
from referrals.notifications import status_label
from referrals.views import (
    FORM_ERROR_STATUS,
    _acting,
    _labels,
    _member,
    bp,
)


def _today() -> date:
    return datetime.now(UTC).astimezone(numbers.TIMEZONE).date()


def delay_words(delay: timedelta | None) -> str:
    """A delay as people say it: minutes under an hour, hours under two days, else days
    (one decimal at most)."""
    if delay is None:
        return _("no answer yet")
    hours = delay.total_seconds() / 3600
    if hours < 1:
        return _("%(number)s minutes", number=format_decimal(round(hours * 60), "#,##0"))
    if hours < 48:
        return _("%(number)s hours", number=format_decimal(round(hours, 1), "#,##0.#"))
    return _("%(number)s days", number=format_decimal(round(hours / 24, 1), "#,##0.#"))


class _CsvLabels:
    status = staticmethod(status_label)

    @staticmethod
    def outcome(code: str) -> str:
        return str(OUTCOME_LABELS.get(code, code))

    @staticmethod
    def reason(code: str) -> str:
        return str(DECLINE_LABELS.get(code, code))


@bp.get("/espace/orientations/chiffres")
@verified_required
def figures():
    _user, organisations = _member()
    organisation = _acting(organisations)
    start, end = request.args.get("from", ""), request.args.get("to", "")
    try:
        period = numbers.parse_period(start, end, _today())
        errors, status = {}, 200
    except Invalid as error:
        period, errors, status = None, error.field_errors, FORM_ERROR_STATUS
    tables = ([numbers.figures(organisation.id, direction, period)
               for direction in numbers.DIRECTIONS] if period else [])
    return render_template(
        "referrals/figures.html", organisation=organisation, organisations=organisations,
        period=period, tables=tables, errors=errors, start=start, end=end,
        delay_words=delay_words, labels=_labels()), status


@bp.get("/espace/orientations/chiffres/export.csv")
@verified_required
def figures_export():
    user, organisations = _member()
    organisation = _acting(organisations)
    direction = request.args.get("direction", "")
    if direction not in numbers.DIRECTIONS:
        raise Invalid(_("Choose the referrals to export: sent or received."),
                      {"direction": [_("Choose sent or received.")]})
    period = numbers.parse_period(request.args.get("from"), request.args.get("to"), _today())
    rows = numbers.export_rows(organisation.id, direction, period)
    body = numbers.to_csv(rows, _CsvLabels)
    # No personal data leaves, but who took which file is worth keeping.
    audit.record("export", "referral-figures", organisation.id, actor=user,
                 organisation_id=organisation.id,
                 details={"direction": direction, "from": period.start.isoformat(),
                          "to": period.end.isoformat(), "rows": len(rows)})
    db.session.commit()
    name = f"orientations-{direction}-{period.start.isoformat()}-{period.end.isoformat()}.csv"
    return Response(body, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Cache-Control": "no-store"})
