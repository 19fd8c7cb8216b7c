"""Place: where a person is, resolved to the official areas that contain it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Place:
    """A resolved location.

    `commune_code` is always a full commune (Lyon 69123, never an arrondissement);
    `arrondissement_code` is set for Paris, Lyon and Marseille districts (Lyon 3e: 69383).
    `latitude`/`longitude` are the given coordinates when `precise`, else the commune centre.
    """

    commune_code: str
    commune_name: str
    departement_code: str
    region_code: str
    epci_code: str | None = None
    arrondissement_code: str | None = None
    arrondissement_name: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    precise: bool = False

    @property
    def label(self) -> str:
        return self.arrondissement_name or self.commune_name

    @property
    def commune_codes(self) -> tuple[str, ...]:
        """The codes a "commune" coverage zone may use for this place."""
        if self.arrondissement_code:
            return (self.commune_code, self.arrondissement_code)
        return (self.commune_code,)

    @property
    def has_point(self) -> bool:
        return self.latitude is not None and self.longitude is not None
