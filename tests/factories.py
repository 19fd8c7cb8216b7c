"""Factories: build catalogue rows with sensible defaults, override what the test is about."""

from __future__ import annotations

import itertools
from datetime import UTC, date

from directory.models import (
    PUBLISHED,
    Location,
    Organisation,
    Service,
    ServiceAtLocation,
    ServiceZone,
)
from extensions import db

_counter = itertools.count(1)

# Real places used across tests (coordinates of their town halls).
LYON_3E = (45.760292, 4.849019)  # Lyon 3e arrondissement (69383)
VILLEURBANNE = (45.766295, 4.879662)  # 69266, Métropole de Lyon
VILLEFRANCHE = (45.987561, 4.715624)  # Villefranche-sur-Saône 69264, ~28 km north of Lyon
BOURG_EN_BRESSE = (46.205127, 5.225235)  # Ain (01053), ~58 km from Lyon
PARIS_11E = (48.858501, 2.379521)  # Paris 11e (75111)


def organisation(**fields) -> Organisation:
    n = next(_counter)
    values = {"name": f"Structure {n}", "networks": ["ccas-cias"]}
    values.update(fields)
    org = Organisation(**values)
    db.session.add(org)
    return org


def location(org: Organisation, at: tuple[float, float] | None = LYON_3E, **fields) -> Location:
    n = next(_counter)
    values = {"name": f"Lieu {n}", "organisation": org}
    if at is not None:
        values.update(latitude=at[0], longitude=at[1])
    values.update(fields)
    loc = Location(**values)
    db.session.add(loc)
    return loc


def service(
    org: Organisation | None = None,
    *,
    zones: list[tuple[str, str | None]] = (("departement", "69"),),
    modes: list[str] = ("en-presentiel",),
    at: list[tuple[float, float]] | tuple[float, float] | None = None,
    thematiques: list[str] = ("mobilite--etre-accompagne-dans-son-parcours-mobilite",),
    publics: list[str] = ("tous-publics",),
    status: str = PUBLISHED,
    **fields,
) -> Service:
    """A service; `at` places it at one or more new locations of its organisation."""
    org = org or organisation()
    n = next(_counter)
    values = {"name": f"Service {n}", "organisation": org, "status": status,
              "summary": f"Résumé du service {n}", "last_verified_on": date.today()}
    values.update(fields)
    svc = Service(**values)
    svc.thematiques = list(thematiques)
    svc.publics = list(publics)
    svc.modes_accueil = list(modes)
    svc.zones = [ServiceZone(kind=k, code=c) for k, c in zones]
    points = [at] if isinstance(at, tuple) else list(at or [])
    for point in points:
        svc.location_links.append(ServiceAtLocation(location=location(org, point)))
    db.session.add(svc)
    db.session.flush()
    return svc


# --- accounts ---------------------------------------------------------------------------------

PASSWORD = "correct horse battery staple"


def user(email: str | None = None, *, verified: bool = True, platform_admin: bool = False,
         password: str = PASSWORD, **fields):
    """A user with a known password (argon2-hashed as in production)."""
    from datetime import datetime

    from accounts.models import User

    n = next(_counter)
    values = {
        "email": email or f"user{n}@example.org",
        "name": f"Personne {n}",
        "password_hash": _hash(password),
        "email_verified_at": datetime.now(UTC) if verified else None,
        "is_platform_admin": platform_admin,
    }
    values.update(fields)
    account = User(**values)
    db.session.add(account)
    db.session.flush()
    return account


_HASHES: dict[str, str] = {}


def _hash(password: str) -> str:
    """argon2 as in production, once per password per test run (it is slow on purpose)."""
    from argon2 import PasswordHasher

    if password not in _HASHES:
        _HASHES[password] = PasswordHasher().hash(password)
    return _HASHES[password]


def membership(account, org: Organisation, role: str = "member", status: str = "active"):
    from accounts.models import Membership

    link = Membership(user=account, organisation=org, role=role, status=status)
    db.session.add(link)
    db.session.flush()
    return link


def territory_manager(departement_code: str = "69", **fields):
    from accounts.models import TerritoryAssignment

    account = user(**fields)
    db.session.add(TerritoryAssignment(user=account, departement_code=departement_code))
    db.session.flush()
    return account


# Session keys (accounts.auth): Flask-Login's user id, and the mark that the second factor
# was given in this session (required for platform administrators).
SECOND_FACTOR_DONE = "relais_2fa"


def login(client, account, *, second_factor: bool = True) -> None:
    """Sign `account` in on this test client without going through the login form."""
    db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = account.get_id()
        session["_fresh"] = True
        if second_factor:
            session[SECOND_FACTOR_DONE] = True


# --- referrals --------------------------------------------------------------------------------


def person(first_name: str = "Camille", last_name: str = "Martin", birth_date=None, **fields):
    from referrals.identity import identity_key
    from referrals.models import Person

    born = birth_date or date(1999, 5, 17)
    record = Person(first_name=first_name, last_name=last_name, birth_date=born,
                    identity_key=identity_key(last_name, first_name, born),
                    email=fields.pop("email", "camille.martin@example.org"), **fields)
    db.session.add(record)
    db.session.flush()
    return record


def consent(person_record, *organisations, categories=("identity", "contact"),
            advisor=None, purpose="follow-up", service=None, **fields):
    from referrals.consent import give_consent

    return give_consent(
        person_record, purpose=purpose, organisations=list(organisations),
        categories=list(categories), method="in-person", text="Texte lu à la personne.",
        attested_by=advisor or user(), service=service, **fields)
