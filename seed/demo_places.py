"""The communes the demo places its structures in, read from the imported geography."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from extensions import db
from geo.models import ARRONDISSEMENT, DELEGATED, Commune

DEMO_DEPARTEMENT = "69"
DEMO_REGION = "84"


@dataclass(frozen=True)
class CommuneInfo:
    code: str
    kind: str
    name: str
    population: int
    epci_code: str | None
    parent_code: str | None
    parent_name: str | None
    postal_codes: tuple[str, ...]
    centre_lat: float | None
    centre_lon: float | None

    @property
    def main_code(self) -> str:
        """The commune proper for a delegated commune (the one that has a town council);
        an arrondissement keeps its own code, which commune zones and pages accept."""
        return self.parent_code if self.kind == DELEGATED and self.parent_code else self.code

    @property
    def postal_city(self) -> str:
        """The city name a postal address uses: "Lyon" for Lyon 3e Arrondissement."""
        if self.kind == ARRONDISSEMENT and self.parent_name:
            return self.parent_name
        return self.name


def demo_communes(departement: str = DEMO_DEPARTEMENT) -> dict[str, CommuneInfo]:
    """Every commune and commune part of the département, by INSEE code."""
    rows = db.session.scalars(
        select(Commune).where(Commune.departement_code == departement)
    ).all()
    names = {row.code: row.name for row in rows}
    return {
        row.code: CommuneInfo(
            code=row.code,
            kind=row.kind,
            name=row.name,
            population=row.population or 0,
            epci_code=row.epci_code,
            parent_code=row.parent_code,
            parent_name=names.get(row.parent_code) if row.parent_code else None,
            postal_codes=tuple(row.postal_codes.split()) if row.postal_codes else (),
            centre_lat=row.centre_lat,
            centre_lon=row.centre_lon,
        )
        for row in rows
    }
