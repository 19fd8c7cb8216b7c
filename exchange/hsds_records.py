"""HSDS 3.0 documents -> Relais rows: the reverse of exchange.hsds_mapping, for the import.

A Builder creates or updates one organisation, location, service or service_at_location at a
time, reporting on the record's file and row what Relais cannot take (errors: the import
stops) or leaves out (warnings). Data·inclusion terms become Relais codes; other terms are
kept as external terms; INSEE service areas become coverage zones.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from directory.eligibility import parse_rule, rule_to_json
from directory.hours import WeeklyHours
from directory.models import (
    MODERATION_APPROVED,
    T_FRAIS,
    T_RESEAU_PORTEUR,
    T_TYPE_SERVICE,
    ZONE_KINDS,
    Location,
    Organisation,
    Service,
    ServiceAtLocation,
    ServiceTerm,
    ServiceZone,
    TaxonomyTerm,
)
from errors import Invalid
from exchange import hsds_mapping as m
from extensions import db
from geo.spatial import get_backend

POSTCODE = re.compile(r"[0-9]{5}")
INSEE = re.compile(r"[0-9AB]{2,9}")
SIRET = re.compile(r"[0-9]{14}")
LANGUAGE = re.compile(r"[a-z]{2}")


def new_id(model, hsds_id: str) -> uuid.UUID:
    """The HSDS id when it is a UUID no Relais row uses yet, else a new one."""
    try:
        wanted = uuid.UUID(hsds_id)
    except ValueError:
        return uuid.uuid4()
    return uuid.uuid4() if db.session.get(model, wanted) is not None else wanted


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | str
    reason: str

    def __str__(self) -> str:
        return _("%(file)s, row %(row)s: %(reason)s", file=self.file, row=self.row,
                 reason=self.reason)


class Builder:
    def __init__(self, source: str, errors: list[Problem], warnings: list[Problem]):
        self.source, self.errors, self.warnings = source, errors, warnings
        self.known: dict[str, dict] = {}  # entity -> HSDS id -> Relais row
        self.term_pairs: dict[str, tuple[str, str]] = {}  # HSDS term id -> (taxonomy, code)
        self.created: Counter = Counter()
        self.updated: Counter = Counter()
        self._record = None

    # --- reporting ------------------------------------------------------------------------

    def _error(self, reason: str) -> None:
        self.errors.append(Problem(self._record.file, self._record.row, reason))

    def _warn(self, reason: str) -> None:
        self.warnings.append(Problem(self._record.file, self._record.row, reason))

    def _text(self, doc: dict, key: str, limit: int, *, required: bool = False):
        value = doc.get(key)
        if value is None or value == "":
            if required:
                self._error(_("%(field)s is required", field=key))
            return None
        value = str(value).strip()
        if len(value) > limit:
            self._error(_("%(field)s is %(n)d characters long; Relais keeps at most %(limit)d",
                          field=key, n=len(value), limit=limit))
            return None
        return value

    # --- taxonomies -----------------------------------------------------------------------

    def terms(self, taxonomies: dict, terms: dict) -> None:
        """Map every term of the data to a Relais term, creating external ones."""
        self._names = {hsds_id: r.document.get("name") for hsds_id, r in taxonomies.items()}
        self._relais = {(t, c) for t, c in db.session.execute(
            sa.select(TaxonomyTerm.taxonomy, TaxonomyTerm.code))}
        for hsds_id, record in terms.items():
            self._record = record
            self.term_pairs[hsds_id] = self._term(record.document)

    def _term(self, doc: dict) -> tuple[str, str]:
        names, relais = self._names, self._relais
        detail = doc.get("taxonomy_detail") or {}
        taxonomy = (doc.get("taxonomy") or detail.get("name")
                    or names.get(doc.get("taxonomy_id")) or "hsds")
        code = doc.get("code") or doc.get("term") or doc["id"]
        if (taxonomy, code) in relais:
            return taxonomy, code
        name = (taxonomy if taxonomy.startswith(m.EXTERNAL_PREFIX)
                else m.EXTERNAL_PREFIX + taxonomy)[:40]
        code = str(code)[:120]
        if (name, code) not in relais:
            label = str(doc.get("name") or code)[:300]
            db.session.add(TaxonomyTerm(taxonomy=name, code=code, label_fr=label, label_en=label,
                                        description_fr=doc.get("description"), position=0))
            relais.add((name, code))
            self.created["external term"] += 1
        return name, code

    def _codes(self, doc: dict) -> list[tuple[str, str]]:
        pairs = []
        for attribute in doc.get("attributes") or []:
            term = attribute.get("taxonomy_term") or {}
            pair = self.term_pairs.get(term.get("id") or attribute.get("taxonomy_term_id"))
            if pair is None and term.get("id"):  # a term given only inside its attribute
                pair = self.term_pairs[term["id"]] = self._term(term)
            if pair is None:
                self._warn(_("attribute %(id)s: its taxonomy term is not in the data; left "
                             "out", id=attribute.get("id")))
                continue
            pairs.append(pair)
        return pairs

    # --- records --------------------------------------------------------------------------

    def build(self, entity: str, record, kept: dict) -> None:
        self._record = record
        getattr(self, f"_{entity}")(record.document, kept)

    def _row(self, entity: str, model, doc: dict):
        row = self.known[entity].get(doc["id"])
        if row is None:
            row = model(id=new_id(model, doc["id"]), source=self.source, source_id=doc["id"])
            db.session.add(row)
            self.known[entity][doc["id"]] = row
            self.created[entity] += 1
        else:
            self.updated[entity] += 1
        return row

    def _organization(self, doc: dict, kept: dict) -> None:
        name = self._text(doc, "name", 150, required=True)
        email = self._text(doc, "email", 254)
        website = self._text(doc, "website", 2083)
        siret = None
        for identifier in doc.get("organization_identifiers") or []:
            if (identifier.get("identifier_scheme") == m.SIRET_SCHEME
                    or identifier.get("identifier_type") == "SIRET"):
                siret = str(identifier.get("identifier") or "").replace(" ", "")
                if not SIRET.fullmatch(siret):
                    self._error(_("SIRET %(siret)s is not 14 digits", siret=repr(siret)))
                    siret = None
        phone = self._phone(doc)
        networks = [code for taxonomy, code in self._codes(doc) if taxonomy == T_RESEAU_PORTEUR]
        if siret:
            holder = db.session.scalar(sa.select(Organisation).where(Organisation.siret == siret))
            if holder is not None and (holder.source, holder.source_id) != (self.source,
                                                                             doc["id"]):
                self._error(_("SIRET %(siret)s already belongs to the organisation "
                              "“%(name)s” (%(id)s), which this source did not create",
                              siret=siret, name=holder.name, id=holder.id))
        if name is None:
            return
        org = self._row("organization", Organisation, doc)
        org.name, org.description, org.email, org.website = (
            name, doc.get("description") or None, email, website)
        org.siret, org.phone, org.networks = siret, phone, networks
        org.moderation_status = MODERATION_APPROVED

    def _phone(self, doc: dict) -> str | None:
        for phone in doc.get("phones") or []:
            number = str(phone.get("number") or "").strip().strip('"')
            if len(number) <= 30:
                return number or None
            self._warn(_("phone %(number)s is longer than 30 characters; left out",
                         number=repr(number)))
        return None

    def _location(self, doc: dict, kept: dict) -> None:
        org = self.known["organization"].get(doc.get("organization_id"))
        if org is None:
            org = self._organisation_by_links(doc["id"], kept)
            if org is None:
                self._warn(_("location %(id)s: its organization %(org)s is not in the data and "
                             "no service links to it; not imported", id=doc["id"],
                             org=doc.get("organization_id") or _("(none given)")))
                return
            if doc.get("organization_id"):
                self._warn(_("dangling reference: organization_id %(id)s; the location is "
                             "attached to the organisation of its services",
                             id=doc["organization_id"]))
        name = self._text(doc, "name", 150)
        loc = self._row("location", Location, doc)
        loc.organisation = org
        address = next((a for a in doc.get("addresses") or []
                        if a.get("address_type") == "physical"), None) or next(
            iter(doc.get("addresses") or []), {})
        loc.address = self._text(address, "address_1", 300)
        loc.address_complement = self._text(address, "address_2", 300)
        loc.city = self._text(address, "city", 200)
        postcode = str(address.get("postal_code") or "").strip()
        french = str(address.get("country") or "FR").upper() in ("FR", "FRA", "FRANCE")
        loc.postcode = postcode if french and POSTCODE.fullmatch(postcode) else None
        if postcode and loc.postcode is None:
            self._warn(_("postal code %(code)s is not a French postcode; left out",
                         code=repr(postcode)))
        loc.name = name or (loc.address or loc.city or _("Place"))[:150]
        loc.description = doc.get("description")
        latitude, longitude = doc.get("latitude"), doc.get("longitude")
        if latitude is not None and longitude is not None and not (
                -90 <= latitude <= 90 and -180 <= longitude <= 180):
            self._warn(_("coordinates %(lat)s, %(lon)s are not on Earth; left out",
                         lat=latitude, lon=longitude))
            latitude = longitude = None
        loc.latitude, loc.longitude = latitude, longitude
        code = address.get("insee_code")
        if not code and latitude is not None and longitude is not None:
            code = get_backend().commune_at(latitude, longitude)
        loc.commune_code = code if code and len(code) == 5 else None
        access = next(iter(doc.get("accessibility") or []), {})
        loc.accessibility_url = self._text(access, "url", 2083)
        loc.accessibility_details = access.get("details") or access.get("description")
        loc.opening_hours = self._hours(doc)

    def _organisation_by_links(self, location_id: str, kept: dict):
        for link in kept["service_at_location"].values():
            if link.document.get("location_id") == location_id:
                service = kept["service"].get(link.document.get("service_id"))
                if service is not None:
                    return self.known["organization"].get(service.document.get("organization_id"))
        for service in kept["service"].values():
            for link in service.document.get("service_at_locations") or []:
                if link.get("location_id") == location_id or (
                        link.get("location") or {}).get("id") == location_id:
                    return self.known["organization"].get(service.document.get("organization_id"))
        return None

    def _hours(self, doc: dict) -> dict | None:
        if not doc.get("schedules"):
            return None
        try:
            return WeeklyHours.from_hsds_schedules(doc["schedules"]).to_json()
        except Invalid as problem:
            self._warn(_("schedules left out: %(reason)s", reason=problem.message))
            return None

    def _service(self, doc: dict, kept: dict) -> None:
        org = self.known["organization"].get(doc.get("organization_id"))
        if org is None:
            self._error(_("dangling reference: organization_id %(id)s is not in the data; "
                          "Relais keeps a service with its organisation",
                          id=doc.get("organization_id") or _("(none given)")))
            return
        name = self._text(doc, "name", 150, required=True)
        summary = self._text(doc, "summary", 280)
        rule = None
        if doc.get("eligibility_rule"):
            try:
                parsed = parse_rule(doc["eligibility_rule"])
                rule = rule_to_json(parsed) if (parsed.all_of or parsed.any_of) else None
            except Invalid as problem:
                self._error(_("eligibility_rule: %(reason)s %(fields)s", reason=problem.message,
                              fields=problem.field_errors))
        if name is None:
            return
        svc = self._row("service", Service, doc)
        svc.organisation = org
        svc.name, svc.summary, svc.eligibility = name, summary, rule
        svc.description = doc.get("description") or None
        svc.status = m.STATUS_FROM_HSDS[doc["status"]]
        svc.mobilisation_details = doc.get("application_process")
        svc.fees_details = doc.get("fees_description")
        svc.conditions = doc.get("eligibility_description")
        svc.coverage_radius_km = doc.get("coverage_radius_km")
        contact = next(iter(doc.get("contacts") or []), {})
        svc.contact_email = self._text(doc, "email", 254) or self._text(contact, "email", 254)
        svc.contact_name = self._text(contact, "name", 150)
        svc.contact_phone = self._phone(doc)
        svc.contact_public = bool(svc.contact_email or svc.contact_phone or svc.contact_name)
        svc.languages = self._languages(doc)
        svc.required_documents = [d["document"] for d in doc.get("required_documents") or []
                                  if d.get("document")]
        svc.opening_hours = self._hours(doc)
        svc.last_verified_on = self._date(doc.get("assured_date"))
        svc.updated_at = self._moment(doc.get("last_modified"))
        self._classify(svc, doc)
        svc.zones = self._zones(svc, doc)
        self._links(svc, doc.get("service_at_locations") or [])

    def _languages(self, doc: dict) -> list[str]:
        codes = []
        for language in doc.get("languages") or []:
            code = str(language.get("code") or "").lower()
            if LANGUAGE.fullmatch(code):
                codes.append(code)
            else:
                self._warn(_("language %(name)s has no ISO 639-1 code; left out",
                             name=repr(language.get("code") or language.get("name"))))
        return codes

    def _date(self, text) -> date | None:
        try:
            return date.fromisoformat(str(text)) if text else None
        except ValueError:
            self._warn(_("date %(text)s is not a date; left out", text=repr(text)))
            return None

    def _moment(self, text) -> datetime:
        try:
            moment = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
        except ValueError:
            return datetime.now(UTC)
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).replace(microsecond=0)

    def _classify(self, svc: Service, doc: dict) -> None:
        svc.type = svc.fees = None
        links = []
        for taxonomy, code in dict.fromkeys(self._codes(doc)):
            if taxonomy == T_TYPE_SERVICE:
                svc.type = code
            elif taxonomy == T_FRAIS:
                svc.fees = code
            elif taxonomy != T_RESEAU_PORTEUR:
                links.append((taxonomy, code))
        keep = [link for link in svc.term_links if (link.taxonomy, link.code) in links]
        present = {(link.taxonomy, link.code) for link in keep}
        svc.term_links = keep + [ServiceTerm(taxonomy=t, code=c) for t, c in links
                                 if (t, c) not in present]

    def _zones(self, svc: Service, doc: dict) -> list[ServiceZone]:
        zones, seen = [], set()
        current = {(zone.kind, zone.code): zone for zone in svc.zones}
        for area in doc.get("service_areas") or []:
            kind, code = area.get("zone_type"), area.get("insee_code")
            if kind == "country":
                code = None
            if kind not in ZONE_KINDS or (code is None) != (kind == "country") or (
                    code is not None and not INSEE.fullmatch(code)):
                self._warn(_("service area %(id)s: no INSEE zone (zone_type and insee_code, "
                             "Relais profile); not part of the coverage", id=area.get("id")))
                continue
            if (kind, code) not in seen:
                seen.add((kind, code))
                zone = current.get((kind, code))
                if zone is None:
                    zone = ServiceZone(kind=kind, code=code)
                    if area.get("id"):
                        zone.id = new_id(ServiceZone, area["id"])
                zones.append(zone)
        return zones

    def _links(self, svc: Service, links: list[dict]) -> None:
        for link in links:
            self._link(svc, link)

    def _service_at_location(self, doc: dict, kept: dict) -> None:
        svc = self.known["service"].get(doc.get("service_id"))
        if svc is None:
            self._error(_("dangling reference: service_id %(id)s is not in the data",
                          id=doc.get("service_id")))
            return
        self._link(svc, doc)

    def _link(self, svc: Service, link: dict) -> None:
        location_id = link.get("location_id") or (link.get("location") or {}).get("id")
        loc = self.known["location"].get(location_id)
        if loc is None:
            self._error(_("dangling reference: location_id %(id)s is not in the data",
                          id=location_id))
            return
        for existing in svc.location_links:
            if existing.location is loc:
                return
        made = ServiceAtLocation(location=loc)
        if link.get("id"):
            made.id = new_id(ServiceAtLocation, link["id"])
        svc.location_links.append(made)
