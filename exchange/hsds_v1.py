"""HSDS 1.1 data packages, rewritten as HSDS 3.0 tables before they are imported.

1.1 names some tables and columns differently (services_at_location.csv, physical_addresses.csv,
url for an organisation's website, vocabulary for a taxonomy…), lets a service point at one
location directly (location_id, from 1.0) and writes statuses in any case. This module renames
and fills in what 3.0 requires (a location's type, an address's type, a term's description);
the 3.0 import then checks and writes the records as usual. Regular schedules and the 1.1
tables 3.0 dropped are not read.
"""

from __future__ import annotations

from exchange.hsds_mapping import derived_id

# 1.1 file -> (3.0 file, {1.1 column: 3.0 column}, {3.0 column: value to set when empty})
TABLES = {
    "organizations.csv": ("organizations.csv", {"url": "website"}, {}),
    "services.csv": ("services.csv", {}, {}),
    "locations.csv": ("locations.csv", {}, {"location_type": "physical"}),
    "services_at_location.csv": ("service_at_location.csv", {}, {}),
    "physical_addresses.csv": ("addresses.csv", {}, {"address_type": "physical"}),
    "postal_addresses.csv": ("addresses.csv", {}, {"address_type": "postal"}),
    "phones.csv": ("phones.csv", {}, {}),
    "contacts.csv": ("contacts.csv", {}, {}),
    "languages.csv": ("languages.csv", {"language": "name"}, {}),
    "service_area.csv": ("service_areas.csv", {"service_area": "name"}, {}),
    "service_areas.csv": ("service_areas.csv", {"service_area": "name"}, {}),
    "taxonomy.csv": ("taxonomy_terms.csv", {"vocabulary": "taxonomy"}, {}),
}
SERVICE_TAXONOMY = ("attributes.csv", {"service_id": "link_id", "taxonomy_id": "taxonomy_term_id",
                                       "taxonomy_detail": "value"}, {"link_entity": "service"})
TABLES["service_taxonomy.csv"] = TABLES["services_taxonomy.csv"] = SERVICE_TAXONOMY
V1_ONLY = {"services_at_location.csv", "physical_addresses.csv", "postal_addresses.csv",
           "service_taxonomy.csv", "services_taxonomy.csv", "taxonomy.csv",
           "regular_schedule.csv", "regular_schedules.csv", "service_area.csv"}


def is_v1(version: str, paths: list[str]) -> bool:
    """An HSDS 1.x package: says so, or has tables only 1.x has."""
    return version.startswith("1.") or bool(V1_ONLY & set(paths))


def to_v3(tables: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """1.1 tables (file name -> rows of text cells) -> 3.0 tables."""
    converted: dict[str, list[dict]] = {}
    for name, rows in tables.items():
        if name not in TABLES:
            continue
        target, renamed, defaults = TABLES[name]
        out = converted.setdefault(target, [])
        for row in rows:
            new = {renamed.get(key, key): value for key, value in row.items() if key}
            for key, value in defaults.items():
                if not new.get(key):
                    new[key] = value
            if name == "services.csv" and new.get("status"):
                new["status"] = new["status"].strip().lower()
            if name == "taxonomy.csv" and not new.get("description"):
                new["description"] = new.get("name", "")
            out.append(new)
    # HSDS 1.0 services named their one location; 3.0 links them through service_at_location.
    links = converted.setdefault("service_at_location.csv", [])
    linked = {(row.get("service_id"), row.get("location_id")) for row in links}
    for row in tables.get("services.csv", []):
        pair = (row.get("id"), row.get("location_id"))
        if all(pair) and pair not in linked:
            links.append({"id": derived_id("v1-link", *pair), "service_id": pair[0],
                          "location_id": pair[1]})
            linked.add(pair)
    return converted
