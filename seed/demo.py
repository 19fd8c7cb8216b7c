"""The demo of the Rhône (69): `flask --app app seed demo`.

Real geography and real town halls, plus generated structures and services typical of the
field (France Travail, missions locales, CCAS, associations, training bodies, regional and
national services) placed in real communes. The run is deterministic and can be repeated: it
updates its own rows in place (source "relais-demo", ids derived from stable source ids) and
never touches anything else. See seed/README.md.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import func, select

from config import ROOT
from directory.models import ZONE_KINDS, Location, Organisation, Service, ServiceZone
from directory.taxonomy import load_taxonomies
from extensions import db
from geo.gazetteer import ImportSummary, import_geography
from seed.demo_accounts import DemoAccount, write_demo_accounts
from seed.demo_api import write_demo_api_token
from seed.demo_catalogue import (
    NOTABLE_COMMUNE,
    NOTABLE_ORGANISATION,
    NOTABLE_SERVICE,
    check_specs,
    generated_structures,
)
from seed.demo_ccas import ccas_communes
from seed.demo_places import DEMO_DEPARTEMENT, demo_communes
from seed.demo_referrals import (
    ReferralsSummary,
    write_demo_referrals,
    write_pending_organisation,
)
from seed.demo_specs import DEMO_SOURCE, demo_id
from seed.demo_town_halls import read_town_halls, town_hall_organisations
from seed.demo_writer import WriteResult, write_catalogue

GEOGRAPHY_DIR = ROOT / "seed" / "reference" / "fr-admin"
TOWN_HALLS_FILE = GEOGRAPHY_DIR / "town_halls.csv.gz"


@dataclass(frozen=True)
class DemoSummary:
    geography: ImportSummary
    written: WriteResult
    town_halls: int
    organisations: int
    locations: int
    services_by_status: dict[str, int]
    zones_by_kind: dict[str, int]
    notable_service: tuple[uuid.UUID, str]
    notable_organisation: tuple[uuid.UUID, str]
    notable_commune: str
    accounts: tuple[DemoAccount, ...] = ()
    referrals: ReferralsSummary | None = None
    api_token: str | None = None  # the secret of the demo's API token (shown once)

    @property
    def services(self) -> int:
        return sum(self.services_by_status.values())


def build_demo(
    *, today: date | None = None, progress: Callable[[int, int], None] | None = None
) -> DemoSummary:
    """Import the shipped geography, load the taxonomies and write the demo catalogue.

    The geography import commits on its own (it is the same whatever the demo holds); the
    taxonomies and the catalogue are written in one transaction, committed at the end or
    rolled back on any error. Review and suspension dates are relative to `today` (default:
    the real today), so the demo always shows some reviews overdue and some suspensions to
    come, and the referrals' history ends on `today`."""
    today = today or date.today()
    geography = import_geography(GEOGRAPHY_DIR, progress=progress)
    try:
        load_taxonomies()
        communes = demo_communes(DEMO_DEPARTEMENT)
        town_halls = town_hall_organisations(
            read_town_halls(TOWN_HALLS_FILE), communes, ccas_communes()
        )
        organisations = town_halls + generated_structures()
        check_specs(organisations, set(communes))
        written = write_catalogue(organisations, communes, today)
        write_pending_organisation()
        accounts = write_demo_accounts()
        referrals = write_demo_referrals(today)
        api_token = write_demo_api_token()
        summary = _summarise(geography, written, len(town_halls), tuple(accounts), referrals)
        summary = replace(summary, api_token=api_token)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return summary


def _summarise(
    geography: ImportSummary, written: WriteResult, town_halls: int,
    accounts: tuple[DemoAccount, ...], referrals: ReferralsSummary,
) -> DemoSummary:
    session = db.session
    demo_services = select(Service.id).where(Service.source == DEMO_SOURCE)
    statuses = dict(
        session.execute(
            select(Service.status, func.count())
            .where(Service.source == DEMO_SOURCE)
            .group_by(Service.status)
        ).all()
    )
    zones = dict(
        session.execute(
            select(ServiceZone.kind, func.count())
            .where(ServiceZone.service_id.in_(demo_services))
            .group_by(ServiceZone.kind)
        ).all()
    )
    service = session.get(Service, demo_id(NOTABLE_SERVICE))
    organisation = session.get(Organisation, demo_id(NOTABLE_ORGANISATION))
    return DemoSummary(
        geography=geography,
        written=written,
        town_halls=town_halls,
        organisations=_count(Organisation),
        locations=_count(Location),
        services_by_status=statuses,
        zones_by_kind={kind: zones.get(kind, 0) for kind in ZONE_KINDS},
        notable_service=(service.id, f"{service.organisation.name} — {service.name}"),
        notable_organisation=(organisation.id, organisation.name),
        notable_commune=NOTABLE_COMMUNE,
        accounts=accounts,
        referrals=referrals,
    )


def _count(model) -> int:
    return db.session.scalar(
        select(func.count()).select_from(model).where(model.source == DEMO_SOURCE)
    )
