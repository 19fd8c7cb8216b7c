"""The demo's documents: a driving-school quote Hugo (Mission locale) attached to Léa's
referral to France Travail's licence help, shared by her consent with both organisations,
and a proof of address in her file that only the Mission locale sees.

Written through documents.add_document, so the files are encrypted in the demo's documents
folder like any upload. A run removes the previous run's documents first (rows and, once the
run commits, files)."""

from __future__ import annotations

import sqlalchemy as sa

from accounts.models import User
from directory.models import Organisation
from extensions import db
from referrals import documents
from referrals.document_models import Document
from referrals.models import IN_PERSON, Person, Referral
from seed.demo_accounts import MISSION_LOCALE
from seed.demo_specs import demo_id

LEA = "referrals/lea/person/0"
LEA_LICENCE = "referrals/lea/referral/0"


def demo_pdf(title: str, lines: list[str]) -> bytes:
    """A small one-page PDF with these lines of text (Latin-1, as PDF base fonts)."""
    text = b"BT /F1 14 Tf 72 740 Td (" + _pdf_text(title) + b") Tj /F1 11 Tf"
    for line in lines:
        text += b" 0 -22 Td (" + _pdf_text(line) + b") Tj"
    text += b" ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def _pdf_text(value: str) -> bytes:
    escaped = value.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return escaped.encode("cp1252", "replace")


def remove_demo_documents(people_ids) -> None:
    """The previous run's documents of these people: rows now, files after the commit."""
    for document in db.session.scalars(
            sa.select(Document).where(Document.person_id.in_(list(people_ids)))).all():
        documents.delete_document(document, reason="demo rebuilt")


def write_demo_documents(at) -> int:
    """Léa's two documents; `at(days_ago, hour)` dates them. Returns how many."""
    lea = db.session.get(Person, demo_id(LEA))
    licence = db.session.get(Referral, demo_id(LEA_LICENCE))
    hugo = db.session.get(User, demo_id("account/ml-member"))
    mission_locale = db.session.get(Organisation, demo_id(MISSION_LOCALE))
    if None in (lea, licence, hugo, mission_locale):
        return 0
    quote = demo_pdf("Auto-école de la Guillotière — devis", [
        "Formation au permis B : 20 heures de conduite", "Montant : 1 180,00 EUR TTC",
        "Élève : Léa Dubois"])
    documents.add_document(hugo, lea, "Devis auto-école.pdf", [quote],
                           organisation=mission_locale, referral=licence, method=IN_PERSON,
                           now=at(44, 9))
    address = demo_pdf("Attestation d'hébergement", [
        "Je soussignée atteste héberger Léa Dubois à mon domicile,",
        "12 rue de Marseille, 69007 Lyon."])
    documents.add_document(hugo, lea, "Attestation d'hébergement.pdf", [address],
                           organisation=mission_locale, method=IN_PERSON, now=at(50, 11))
    return 2
