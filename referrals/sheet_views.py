"""The printable referral sheet's page (referrals.sheet), for the referral's sending and
receiving sides. Registered on the "referrals" blueprint of referrals.views, with its checks
of who holds a role on a referral (`_roles_or_404`: anyone else learns nothing, audited).
"""

from __future__ import annotations

from flask import render_template

from accounts.access import verified_required
from errors import NotFound
from extensions import db
from referrals.sheet import referral_sheet
from referrals.views import _labels, _member, _referral_or_404, _roles_or_404, bp


@bp.get("/espace/orientations/<referral_id>/fiche")
@verified_required
def sheet(referral_id: str):
    user, _organisations = _member()
    referral = _referral_or_404(referral_id)
    roles = _roles_or_404(user, referral)
    try:
        printed = referral_sheet(referral, user, roles)
    except NotFound:
        db.session.commit()  # the refusal is audited
        raise
    db.session.commit()  # the read of the name is audited
    return render_template("referrals/sheet.html", sheet=printed, labels=_labels())
