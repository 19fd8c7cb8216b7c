"""Organisations created on Relais, finding one to join, and their moderation.

Anyone with a verified account may declare an organisation; it stays out of the public pages
(moderation_status "pending", see directory.catalogue) until a territory manager of its
département or a platform administrator approves it, since the first thing a false
organisation would do is publish services. Its creator asks, at the same time, to be its
first administrator: approving the organisation grants that too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from accounts import permissions
from accounts.mail import queue_email
from accounts.models import ACTIVE, ADMIN, PENDING, REFUSED, Membership, User
from directory import taxonomy
from directory.models import (
    MODERATION_APPROVED,
    MODERATION_PENDING,
    MODERATION_REFUSED,
    T_RESEAU_PORTEUR,
    Organisation,
)
from errors import Conflict, Invalid, NotFound
from extensions import db
from geo import places
from geo.names import normalise
from geo.place import Place

SIRET = re.compile(r"[0-9]{14}")
POSTCODE = re.compile(r"[0-9]{5}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
LABELLED_COMMUNE = re.compile(r"(.+?)\s*\(([^()]+)\)")
PHONE = re.compile(r"\+?[0-9 .()-]{6,30}")
# La Poste registers all its establishments under one SIREN whose SIRETs do not follow Luhn:
# the digits of each of them add up to a multiple of 5 instead.
LA_POSTE_SIREN = "356000000"
MAX_RESULTS = 20


# ---------------------------------------------------------------------------------------------
# SIRET


def luhn_valid(digits: str) -> bool:
    """The Luhn checksum INSEE uses for SIREN and SIRET numbers."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def normalise_siret(text: str | None) -> str:
    """What people paste: "123 456 789 00012" → "12345678900012"."""
    return re.sub(r"[\s.]", "", text or "")


def siret_problem(siret: str) -> str | None:
    """Why a (normalised) SIRET cannot be right, or None: 14 digits passing the checksum."""
    if not SIRET.fullmatch(siret):
        return _("A SIRET number has 14 digits.")
    if siret.startswith(LA_POSTE_SIREN):
        valid = sum(int(char) for char in siret) % 5 == 0
    else:
        valid = luhn_valid(siret)
    if not valid:
        return _("This SIRET number is not valid: check its digits.")
    return None


# ---------------------------------------------------------------------------------------------
# Finding an organisation to join


def find_organisations(text: str, limit: int = MAX_RESULTS) -> list[Organisation]:
    """Approved organisations matching what was typed: an exact SIRET (14 digits, spaces
    allowed), else every word of the name, whatever the accents and case.

    Names are compared in Python through geo.names.normalise, the same form the place search
    uses, reading only ids and names: a few thousand rows, where a portable accent-insensitive
    SQL comparison would need an extension on each store."""
    text = " ".join((text or "").split())
    approved = Organisation.moderation_status == MODERATION_APPROVED
    siret = normalise_siret(text)
    if SIRET.fullmatch(siret):
        return list(
            db.session.scalars(sa.select(Organisation).where(approved, Organisation.siret == siret))
        )
    words = normalise(text).split()
    if not words:
        return []
    matching = sorted(
        (row.name.lower(), row.id)
        for row in db.session.execute(sa.select(Organisation.id, Organisation.name).where(approved))
        if all(word in normalise(row.name) for word in words)
    )[:limit]
    if not matching:
        return []
    found = db.session.scalars(
        sa.select(Organisation).where(Organisation.id.in_([id_ for _name, id_ in matching]))
    ).all()
    return sorted(found, key=lambda org: org.name.lower())


# ---------------------------------------------------------------------------------------------
# Creating one


@dataclass
class NewOrganisation:
    """What the creation form gives, as typed (trimmed)."""

    name: str = ""
    siret: str = ""
    networks: list[str] = field(default_factory=list)
    description: str = ""
    address: str = ""
    address_complement: str = ""
    postcode: str = ""
    commune: str = ""  # a commune name or code, as typed
    commune_code: str = ""  # the code the autocomplete chose, if any
    email: str = ""
    phone: str = ""
    website: str = ""


def _commune_place(data: NewOrganisation) -> tuple[Place | None, str | None]:
    """The commune the form names — the autocomplete's code, a typed code, or a typed name
    that one commune of the postcode (else of the gazetteer) has — or why none fits."""
    typed = data.commune.strip()
    code = data.commune_code or (typed if places.COMMUNE_CODE.fullmatch(typed.upper()) else "")
    if code:
        try:
            return places.place_for_commune(code), None
        except (Invalid, NotFound):
            return None, _("No commune has the code %(code)s.", code=code)
    if not typed:
        return None, _("Enter the commune.")
    if len(typed) > 200:
        return None, _("Enter the name of a commune.")
    # An autocomplete label as sent back without its code: "Villeurbanne (69)".
    labelled = LABELLED_COMMUNE.fullmatch(typed)
    name, departement = (
        (labelled[1], labelled[2].split(",")[-1].strip()) if labelled else (typed, None)
    )
    wanted = normalise(name)
    if POSTCODE.fullmatch(data.postcode):
        try:
            served = places.places_for_postcode(data.postcode)
        except NotFound:
            served = []
        named = [p for p in served if wanted in (normalise(p.label), normalise(p.commune_name))]
        if len(named) == 1:
            return named[0], None
    matches = [
        m
        for m in places.search_communes(name, limit=places.MAX_MATCHES)
        if normalise(m.name) == wanted and departement in (None, m.departement_code)
    ]
    if len(matches) == 1:
        return places.place_for_commune(matches[0].code), None
    if matches:
        return None, _(
            "Several communes have this name: check the postcode, or choose the "
            "commune from the suggestions."
        )
    return None, _(
        "We do not know this commune. Check its spelling, or choose it from the suggestions."
    )


def validate_new_organisation(data: NewOrganisation) -> tuple[dict, dict[str, list[str]]]:
    """The organisation's fields ready to store, and every problem by field."""
    errors: dict[str, list[str]] = {}

    def problem(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    values: dict = {}
    if not data.name:
        problem("name", _("Enter the organisation's name."))
    elif len(data.name) > 150:
        problem("name", _("Keep the name under %(max)d characters.", max=150))
    values["name"] = data.name

    siret = normalise_siret(data.siret)
    if siret:
        message = siret_problem(siret)
        if message:
            problem("siret", message)
        elif db.session.scalar(sa.select(Organisation.id).where(Organisation.siret == siret)):
            problem(
                "siret",
                _(
                    "An organisation with this SIRET number is already on Relais: "
                    "ask to join it instead."
                ),
            )
    values["siret"] = siret or None

    unknown = taxonomy.validate_codes(T_RESEAU_PORTEUR, data.networks)
    if unknown:
        problem("networks", _("Choose networks from the list."))
    values["networks"] = list(dict.fromkeys(data.networks))

    for name, limit in (("description", 5000), ("address", 300), ("address_complement", 300)):
        value = getattr(data, name)
        if len(value) > limit:
            problem(name, _("Keep this under %(max)d characters.", max=limit))
        values[name] = value or None

    if not data.address:
        problem("address", _("Enter the street address."))
    if not POSTCODE.fullmatch(data.postcode):
        problem("postcode", _("A postcode has 5 digits."))
    values["postcode"] = data.postcode or None
    place, message = _commune_place(data)
    if message:
        problem("commune", message)
    if place is not None:
        values["commune_code"] = place.arrondissement_code or place.commune_code
        values["city"] = place.label

    if data.email and (len(data.email) > 254 or not EMAIL.fullmatch(data.email)):
        problem("email", _("Enter an email address like name@example.org."))
    values["email"] = data.email.lower() or None
    if data.phone and not PHONE.fullmatch(data.phone):
        problem("phone", _("Enter a phone number with digits only, like 04 78 00 00 00."))
    values["phone"] = data.phone or None
    if data.website and (
        len(data.website) > 2083 or not re.fullmatch(r"https?://[^\s/]+\.[^\s]+", data.website)
    ):
        problem("website", _("Enter a web address starting with https://."))
    values["website"] = data.website or None
    return values, errors


def create_organisation(creator: User, data: NewOrganisation) -> Organisation:
    """Declare a new organisation: stored as pending moderation, with the creator's request
    to be its administrator, and its moderators told by email. Invalid (with a message per
    field) when anything is wrong; nothing is stored then."""
    permissions.require(
        creator.is_verified, _("Confirm your email address before declaring an organisation.")
    )
    values, errors = validate_new_organisation(data)
    if errors:
        raise Invalid(_("Some fields need correcting."), errors)
    organisation = Organisation(moderation_status=MODERATION_PENDING, source="relais", **values)
    db.session.add(organisation)
    db.session.add(Membership(user=creator, organisation=organisation, role=ADMIN, status=PENDING))
    db.session.flush()
    for moderator in permissions.moderators_of(organisation):
        queue_email(
            moderator.email,
            _("New organisation to review: %(organisation)s", organisation=organisation.name),
            _(
                "%(name)s (%(email)s) has declared the organisation %(organisation)s and asks to "
                "be its administrator. Its services stay hidden until it is approved.\n\n"
                "Review it here: %(link)s",
                name=creator.name,
                email=creator.email,
                organisation=organisation.name,
                link=url_for("organisations.moderation", _external=True),
            ),
        )
    return organisation


# ---------------------------------------------------------------------------------------------
# Moderation


@dataclass(frozen=True)
class PendingOrganisation:
    organisation: Organisation
    departement: str | None
    requests: list[Membership]  # the creator's request to be administrator


@dataclass(frozen=True)
class ModerationQueue:
    organisations: list[PendingOrganisation]
    first_admin_requests: list[Membership]

    @property
    def count(self) -> int:
        return len(self.organisations) + len(self.first_admin_requests)


def moderation_queue(user: User, *, second_factor: bool | None = None) -> ModerationQueue:
    """What this user may moderate: pending organisations, and requests to become the first
    administrator of an approved organisation that has none, in their départements (all of
    them for platform administrators)."""
    pending_orgs = db.session.scalars(
        sa.select(Organisation)
        .where(Organisation.moderation_status == MODERATION_PENDING)
        .order_by(Organisation.created_at)
    ).all()
    organisations = [
        PendingOrganisation(
            org,
            permissions.departement_of(org),
            [m for m in _pending_requests(org) if m.role == ADMIN],
        )
        for org in pending_orgs
        if permissions.can_moderate(user, org, second_factor=second_factor)
    ]
    with_admin = sa.select(Membership.organisation_id).where(
        Membership.status == ACTIVE, Membership.role == ADMIN
    )
    requests = db.session.scalars(
        sa.select(Membership)
        .join(Organisation, Organisation.id == Membership.organisation_id)
        .where(
            Membership.status == PENDING,
            Membership.role == ADMIN,
            Organisation.moderation_status == MODERATION_APPROVED,
            Membership.organisation_id.not_in(with_admin),
        )
        .options(selectinload(Membership.user), selectinload(Membership.organisation))
        .order_by(Membership.requested_at)
    ).all()
    first_admins = [
        m
        for m in requests
        if permissions.can_decide_membership(user, m, second_factor=second_factor)
    ]
    return ModerationQueue(organisations, first_admins)


def _pending_requests(organisation: Organisation) -> list[Membership]:
    return list(
        db.session.scalars(
            sa.select(Membership)
            .where(Membership.organisation_id == organisation.id, Membership.status == PENDING)
            .options(selectinload(Membership.user))
            .order_by(Membership.requested_at)
        )
    )


def decide_organisation(
    actor: User, organisation: Organisation, approve: bool, *, second_factor: bool | None = None
) -> Organisation:
    """Approve a pending organisation (its services may then be public and its creator's
    request to be administrator is granted) or refuse it (both are refused). The requesters
    are told by email."""
    permissions.require(permissions.can_moderate(actor, organisation, second_factor=second_factor))
    if organisation.moderation_status != MODERATION_PENDING:
        raise Conflict(_("This organisation has already been reviewed."))
    organisation.moderation_status = MODERATION_APPROVED if approve else MODERATION_REFUSED
    for link in _pending_requests(organisation):
        if link.role != ADMIN:
            continue
        link.status = ACTIVE if approve else REFUSED
        link.decided_at = datetime.now(UTC)
        link.decided_by_id = actor.id
        if approve:
            subject = _("%(organisation)s is approved", organisation=organisation.name)
            body = _(
                "%(organisation)s is now on Relais and you are its administrator. Its "
                "published services will appear on the public pages. Your space: %(link)s",
                organisation=organisation.name,
                link=url_for("organisations.dashboard", _external=True),
            )
        else:
            subject = _("%(organisation)s was not approved", organisation=organisation.name)
            body = _(
                "The organisation %(organisation)s you declared was not approved. If you "
                "think this is a mistake, contact the territory manager of your "
                "département.",
                organisation=organisation.name,
            )
        queue_email(link.user.email, subject, body)
    db.session.flush()
    return organisation


def organisation_by_id(organisation_id) -> Organisation:
    """Any organisation by id (whatever its moderation), or NotFound."""
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound(_("This organisation does not exist."))
    return organisation
