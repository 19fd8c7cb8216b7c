"""Documents under consent: who reads them (only through the ledger, audited), signed links
that die with the consent or their time, refused uploads leaving nothing, key rotation,
erasure, retention and the sweeper, and the malware scan (a real clamd-speaking server)."""

from __future__ import annotations

import logging
import socket
import struct
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from errors import Forbidden, Invalid, NotFound
from referrals import consent as ledger
from referrals import document_storage as storage
from referrals import document_upkeep, documents
from referrals.document_models import Document
from referrals.models import AuditEntry, Consent
from referrals.own_space import audit_lines, describe_audit, erase_person
from referrals.referrals import act, send
from tests import factories as f
from tests.referrals import document_samples as samples
from tests.referrals.world import build, draft


@pytest.fixture(autouse=True)
def _english(app_ctx):
    """Messages are asserted in English; outside a request the default locale is French."""
    with force_locale("en"):
        yield


@pytest.fixture
def docs(app, app_ctx, tmp_path):
    """A documents folder and master key of this test's own, no scanner."""
    settings = app.extensions["relais.settings"]
    saved = {name: getattr(settings, name) for name in (
        "documents_dir", "documents_master_key", "clamav_socket", "documents_max_bytes",
        "document_link_minutes", "instance_path")}
    settings.documents_dir = tmp_path / "documents"
    settings.documents_master_key = storage.new_master_key()
    settings.clamav_socket = ""
    yield settings
    for name, value in saved.items():
        setattr(settings, name, value)


def chunks(data: bytes, size: int = 5000):
    for start in range(0, len(data), size):
        yield data[start:start + size]


def files_on_disk(settings) -> list:
    return sorted(p for p in settings.documents_path.rglob("*") if p.is_file())


@pytest.fixture
def scene(docs, session):
    """A sent referral with a PDF the advisor attached (shared with both organisations)."""
    world = build()
    referral = draft(world)
    assert send(referral, world.advisor, referral.version).done
    document = documents.add_document(world.advisor, world.person, "Attestation CAF.pdf",
                                      chunks(samples.pdf()), organisation=world.sending,
                                      referral=referral)
    session.commit()
    return world, referral, document


def audit_of(document, action: str) -> list[AuditEntry]:
    return list(db_scalars(sa.select(AuditEntry).where(
        AuditEntry.action == action, AuditEntry.subject_id == document.category)))


def db_scalars(query):
    from extensions import db

    return db.session.scalars(query)


def read(actor, document, **kwargs) -> bytes:
    found, content = documents.open_document(actor, document.id, **kwargs)
    return b"".join(content)


# ---------------------------------------------------------------------------------------------
# Adding and storing


def test_an_added_document_is_encrypted_on_disk_and_named_in_a_consent(scene, docs):
    world, referral, document = scene
    assert document.media_type == "application/pdf"
    assert document.scan_status == "not-scanned"
    [path] = files_on_disk(docs)
    assert path == docs.documents_path / "store" / str(document.id)[:2] / f"{document.id}.rdoc"
    assert samples.MARKER not in path.read_bytes()
    assert "Attestation" not in str(path)  # the name is never a path
    consent = db_scalars(sa.select(Consent).where(Consent.id == document.consent_id)).one()
    assert consent.categories == [document.category]
    assert consent.organisation_ids == {world.sending.id, world.receiving.id}
    assert consent.attested_by_id == world.advisor.id
    assert "Attestation CAF.pdf" in consent.text  # the person is told which document


@pytest.mark.parametrize("name, data, words", [
    ("attestation.pdf", samples.executable(), "This file is a program"),
    ("attestation.pdf", samples.pdf_with_zip(), "hides an archive"),
    ("attestation.pdf", b"", "The file is empty"),
    ("../../attestation.pdf", samples.pdf(), "folder path"),
    ("attes\x1btation.pdf", samples.pdf(), "control characters"),
])
def test_a_refused_upload_says_why_and_leaves_nothing(docs, session, name, data, words):
    world = build()
    session.commit()
    with pytest.raises(Invalid) as refused:
        documents.add_document(world.advisor, world.person, name, chunks(data),
                               organisation=world.sending)
    assert words in refused.value.message
    session.rollback()
    assert files_on_disk(docs) == []
    assert db_scalars(sa.select(sa.func.count(Document.id))).one() == 0


def test_an_endless_stream_stops_at_the_limit_and_leaves_nothing(docs, session):
    world = build()
    session.commit()
    docs.documents_max_bytes = 200_000
    sent = []

    def endless():
        head = samples.pdf()
        sent.append(len(head))
        yield head
        while True:
            sent.append(65536)
            yield b" " * 65536

    with pytest.raises(Invalid, match="larger than the 0.2 MB allowed"):
        documents.add_document(world.advisor, world.person, "huge.pdf", endless(),
                               organisation=world.sending)
    assert sum(sent) < 300_000  # it stopped reading, it did not drain the stream
    session.rollback()
    assert files_on_disk(docs) == []


def test_nothing_is_shared_with_a_referral_whose_consent_was_withdrawn(docs, session):
    world = build()
    referral = draft(world)
    ledger.withdraw(referral.consent, by=world.advisor, on_behalf=True)
    session.commit()
    with pytest.raises(Invalid, match="consent to this referral has ended"):
        documents.add_document(world.advisor, world.person, "cv.pdf", chunks(samples.pdf()),
                               organisation=world.sending, referral=referral)
    assert files_on_disk(docs) == []


def test_a_rolled_back_upload_leaves_no_file(docs, session):
    world = build()
    session.commit()
    documents.add_document(world.advisor, world.person, "cv.pdf", chunks(samples.pdf()),
                           organisation=world.sending)
    assert len(files_on_disk(docs)) == 1
    session.rollback()
    assert files_on_disk(docs) == []


def test_an_organisation_without_consent_cannot_add_to_a_person_it_does_not_know(docs, session):
    world = build()
    stranger = f.user()
    other = f.organisation(name="Association ailleurs")
    f.membership(stranger, other)
    session.commit()
    with pytest.raises(NotFound):
        documents.person_for_upload(stranger, world.person.id)
    with pytest.raises(NotFound):  # and the domain function checks again by itself
        documents.add_document(stranger, world.person, "cv.pdf", chunks(samples.pdf()),
                               organisation=other)
    assert files_on_disk(docs) == []
    session.commit()
    refused = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "read-refused",
                                                          AuditEntry.actor_id == stranger.id))
    assert len(refused.all()) == 1


# ---------------------------------------------------------------------------------------------
# Reading: the access matrix


def test_the_receiving_organisation_reads_the_document_and_it_is_audited(scene):
    world, referral, document = scene
    assert read(world.receiver, document) == samples.pdf()
    [line] = audit_of(document, "read")
    assert line.actor_id == world.receiver.id
    assert line.organisation_id == world.receiving.id


def test_the_person_reads_their_document_and_sees_who_read_it(scene, session):
    world, referral, document = scene
    citizen = f.user("camille@example.org")
    world.person.user_id = citizen.id
    session.commit()
    read(world.receiver, document)
    assert read(citizen, document) == samples.pdf()
    session.commit()
    with force_locale("en"):
        lines = describe_audit(world.person, audit_lines(world.person))
    said = [(line["who"], line["what"]) for line in lines]
    assert ("CCAS de Villeurbanne", "read the document “Attestation CAF.pdf”") in said
    assert ("Mission locale de Lyon", "added a document to your file") in said


def test_another_organisation_is_refused_and_the_refusal_is_audited(scene, session):
    world, referral, document = scene
    outsider = f.user()
    f.membership(outsider, f.organisation(name="Autre structure"))
    session.commit()
    with pytest.raises(Forbidden):
        read(outsider, document)
    [line] = [e for e in db_scalars(sa.select(AuditEntry).where(
        AuditEntry.action == "read-refused", AuditEntry.actor_id == outsider.id))]
    assert line.details == {"category": document.category}


def refusals_of(actor) -> list[AuditEntry]:
    return list(db_scalars(sa.select(AuditEntry).where(AuditEntry.action == "read-refused",
                                                       AuditEntry.actor_id == actor.id)))


def test_an_expired_consent_no_longer_lets_anyone_read(scene):
    world, referral, document = scene
    later = datetime.now(UTC) + timedelta(days=400)
    with pytest.raises(Forbidden):
        read(world.receiver, document, now=later)
    assert len(audit_of(document, "read")) == 0
    [refusal] = refusals_of(world.receiver)
    assert refusal.details == {"category": document.category}


def test_a_withdrawn_consent_stops_reads_at_once(scene, session):
    world, referral, document = scene
    read(world.receiver, document)
    consent = session.get(Consent, document.consent_id)
    ledger.withdraw(consent, by=None)
    session.commit()
    with pytest.raises(Forbidden):
        read(world.receiver, document)
    with pytest.raises(Forbidden):
        read(world.advisor, document)
    assert len(refusals_of(world.receiver)) == 1 and len(refusals_of(world.advisor)) == 1


def test_a_signed_link_reads_as_its_maker_and_dies_with_the_consent(scene, session):
    world, referral, document = scene
    token = documents.link_token(world.receiver, document)
    _found, content = documents.open_by_link(token)
    assert b"".join(content) == samples.pdf()
    ledger.withdraw(session.get(Consent, document.consent_id), by=None)
    session.commit()
    with pytest.raises(Forbidden, match="expired or is no longer valid"):
        documents.open_by_link(token)
    refused = [e for e in db_scalars(sa.select(AuditEntry).where(
        AuditEntry.action == "read-refused", AuditEntry.actor_id == world.receiver.id))]
    assert len(refused) == 1


def test_a_signed_link_dies_after_its_time_and_the_attempt_is_audited(scene, docs, session):
    world, referral, document = scene
    docs.document_link_minutes = 0
    token = documents.link_token(world.receiver, document)
    time.sleep(1.1)
    with pytest.raises(Forbidden, match="expired"):
        documents.open_by_link(token)
    [line] = [e for e in db_scalars(sa.select(AuditEntry).where(
        AuditEntry.action == "read-refused", AuditEntry.subject_id == document.category))]
    assert line.details["reason"] == "link expired"
    assert line.actor_kind == "signed-link"


def test_a_forged_link_is_refused(scene):
    with pytest.raises(NotFound):
        documents.open_by_link("forged.token")


def test_only_the_documents_a_reader_may_see_are_listed(scene, session):
    world, referral, document = scene
    private = documents.add_document(world.advisor, world.person, "cv.pdf",
                                     chunks(samples.pdf()), organisation=world.sending)
    session.commit()
    assert {d.name for d in documents.readable_documents(world.advisor, world.person)} == {
        "Attestation CAF.pdf", "cv.pdf"}
    assert documents.readable_documents(world.receiver, world.person) == [document]
    assert private.referral_id is None


# ---------------------------------------------------------------------------------------------
# Keys


def test_key_rotation_keeps_every_document_readable_and_the_old_key_is_dropped(scene, docs,
                                                                              session, tmp_path):
    world, referral, document = scene
    old_key = docs.documents_master_key
    new_key = storage.new_master_key()
    docs.documents_master_key = f"{new_key},{old_key}"  # the operator puts the new key first
    done, ring = document_upkeep.rotate_master_key()
    assert done == 1
    docs.documents_master_key = new_key
    session.expire_all()
    assert read(world.receiver, document) == samples.pdf()
    docs.documents_master_key = old_key  # the wrong master key now
    with pytest.raises(storage.MasterKeyError):
        read(world.receiver, document)


def test_key_rotation_with_the_key_file_writes_the_new_key_first(docs, session, tmp_path):
    docs.documents_master_key = ""
    docs.instance_path = tmp_path / "instance"
    world = build()
    first = documents.keyring()
    second = documents.add_document(world.advisor, world.person, "cv.pdf",
                                    chunks(samples.pdf()), organisation=world.sending)
    session.commit()
    done, ring = document_upkeep.rotate_master_key()
    assert done == 1  # the document wrapped by the key file's first key
    assert ring.current_id != first.current_id
    # The key current when the run began stays, retired, until the next rotation: an upload
    # that read the keyring just before the switch may have wrapped its key with it.
    assert [kid for kid, _k in documents.keyring().keys] == [ring.current_id, first.current_id]
    session.expire_all()
    assert read(world.advisor, second) == samples.pdf()
    # Such a late upload, wrapped by the retired key, is re-wrapped by the next rotation,
    # which only then drops the retired key.
    late = documents.add_document(world.advisor, world.person, "late.pdf",
                                  chunks(samples.pdf()), organisation=world.sending)
    late.master_key_id, late.wrapped_key = storage.wrap_key(
        storage.Keyring(first.keys, first.source), late.id,
        storage.unwrap_key(documents.keyring(), late.id, late.master_key_id,
                           late.wrapped_key))
    session.commit()
    done, third = document_upkeep.rotate_master_key()
    assert done == 2
    assert [kid for kid, _k in documents.keyring().keys] == [third.current_id, ring.current_id]
    session.expire_all()
    assert read(world.advisor, late) == samples.pdf()
    assert read(world.advisor, second) == samples.pdf()


# ---------------------------------------------------------------------------------------------
# Erasure, retention, orphans


def test_erasing_the_person_removes_their_documents(scene, docs, session):
    world, referral, document = scene
    erase_person(world.person, f.user(platform_admin=True))
    session.commit()
    assert db_scalars(sa.select(sa.func.count(Document.id))).one() == 0
    assert files_on_disk(docs) == []


@pytest.mark.parametrize("action, days_kept", [("cancel", 30)])
def test_documents_of_a_cancelled_referral_go_after_the_delay(scene, docs, session, action,
                                                              days_kept):
    world, referral, document = scene
    act(referral, action, world.advisor, referral.version)
    session.commit()
    assert document_upkeep.purge(now=datetime.now(UTC) + timedelta(days=days_kept - 1)) == 0
    assert document_upkeep.purge(now=datetime.now(UTC) + timedelta(days=days_kept + 1)) == 1
    session.commit()
    assert files_on_disk(docs) == []
    assert document_upkeep.purge(now=datetime.now(UTC) + timedelta(days=days_kept + 2)) == 0
    [line] = audit_of_deleted(document)
    assert line.details == {"reason": "retention"}


def audit_of_deleted(document):
    return list(db_scalars(sa.select(AuditEntry).where(
        AuditEntry.action == "document-deleted", AuditEntry.subject_id == str(document.id))))


def test_documents_of_a_closed_referral_stay_six_months_or_while_a_follow_up_names_them(
        scene, docs, session):
    world, referral, document = scene
    kept = documents.add_document(world.advisor, world.person, "cv.pdf",
                                  chunks(samples.pdf()), organisation=world.sending,
                                  referral=referral)
    f.consent(world.person, world.sending, categories=[kept.category], advisor=world.advisor,
              valid_for=timedelta(days=3 * 365))
    for action in ("accept", "close"):
        act(referral, action, world.receiver, referral.version)
    session.commit()
    assert document_upkeep.purge(now=datetime.now(UTC) + timedelta(days=150)) == 0
    assert document_upkeep.purge(now=datetime.now(UTC) + timedelta(days=190)) == 1
    session.commit()
    assert [d.id for d in db_scalars(sa.select(Document))] == [kept.id]
    assert len(files_on_disk(docs)) == 1


def test_the_sweeper_removes_orphans_and_keeps_documents(scene, docs, session):
    world, referral, document = scene
    store = documents.store()

    orphan_part = store.part_path(uuid.uuid4())
    orphan_part.write_bytes(b"half an upload")
    orphan_stored = store.path(uuid.uuid4())
    orphan_stored.parent.mkdir(parents=True, exist_ok=True)
    orphan_stored.write_bytes(b"renamed, never committed")
    assert document_upkeep.sweep(older_than_seconds=3600) == 0  # young: an upload may be finishing
    assert document_upkeep.sweep(older_than_seconds=3600, now=time.time() + 7200) == 2
    assert files_on_disk(docs) == [store.path(document.id)]
    assert read(world.receiver, document) == samples.pdf()


# ---------------------------------------------------------------------------------------------
# Scanning


class FakeClamd:
    """A real TCP server speaking clamd's INSTREAM: EICAR is found, anything else is OK."""

    def __init__(self):
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen()
        self.port = self.server.getsockname()[1]
        self.received: list[bytes] = []
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while True:
            try:
                conn, _addr = self.server.accept()
            except OSError:
                return
            with conn:
                command = b""
                while not command.endswith(b"\0"):
                    command += conn.recv(1)
                assert command == b"zINSTREAM\0"
                data = b""
                while True:
                    (length,) = struct.unpack(">I", self._exact(conn, 4))
                    if length == 0:
                        break
                    data += self._exact(conn, length)
                self.received.append(data)
                found = samples.EICAR in data
                conn.sendall(b"stream: Eicar-Signature FOUND\0" if found else b"stream: OK\0")

    @staticmethod
    def _exact(conn, n: int) -> bytes:
        out = b""
        while len(out) < n:
            out += conn.recv(n - len(out))
        return out

    def close(self):
        self.server.close()


@pytest.fixture
def clamd(docs):
    server = FakeClamd()
    docs.clamav_socket = f"127.0.0.1:{server.port}"
    yield server
    server.close()


def test_with_clamd_a_clean_document_is_marked_scanned(clamd, docs, session):
    world = build()
    session.commit()
    document = documents.add_document(world.advisor, world.person, "cv.pdf",
                                      chunks(samples.pdf()), organisation=world.sending)
    assert document.scan_status == "clean"
    assert clamd.received == [samples.pdf()]


def test_with_clamd_an_infected_document_is_refused_and_nothing_stays(clamd, docs, session):
    world = build()
    session.commit()
    with pytest.raises(Invalid, match="contains malware \\(Eicar-Signature\\)"):
        documents.add_document(world.advisor, world.person, "cv.pdf",
                               chunks(samples.pdf(body=samples.EICAR)),
                               organisation=world.sending)
    session.commit()  # the refusal is audited
    assert files_on_disk(docs) == []
    assert db_scalars(sa.select(sa.func.count(Document.id))).one() == 0
    [line] = db_scalars(sa.select(AuditEntry).where(AuditEntry.action == "document-refused"))
    assert line.details["signature"] == "Eicar-Signature"


def test_a_configured_scanner_that_is_down_refuses_the_upload(docs, session):
    world = build()
    session.commit()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    docs.clamav_socket = f"127.0.0.1:{port}"  # nobody listens there
    with pytest.raises(Invalid, match="The malware check is unavailable right now"):
        documents.add_document(world.advisor, world.person, "cv.pdf", chunks(samples.pdf()),
                               organisation=world.sending)
    session.rollback()
    assert files_on_disk(docs) == []


def test_without_a_scanner_the_document_is_not_scanned_and_it_is_logged(docs, session, caplog):
    world = build()
    session.commit()
    with caplog.at_level(logging.WARNING, logger="referrals.document_scan"):
        document = documents.add_document(world.advisor, world.person, "cv.pdf",
                                          chunks(samples.pdf()), organisation=world.sending)
    assert document.scan_status == "not-scanned"
    assert "NOT SCANNED" in caplog.text


# ---------------------------------------------------------------------------------------------
# Command line


@pytest.fixture
def english_cli(app):
    saved = app.config["BABEL_DEFAULT_LOCALE"]
    app.config["BABEL_DEFAULT_LOCALE"] = "en"
    yield app.test_cli_runner()
    app.config["BABEL_DEFAULT_LOCALE"] = saved


def test_the_documents_commands_rotate_purge_and_sweep(scene, docs, session, english_cli):
    world, referral, document = scene
    old_key = docs.documents_master_key
    docs.documents_master_key = f"{storage.new_master_key()},{old_key}"
    result = english_cli.invoke(args=["documents", "rotate-key"])
    assert result.exit_code == 0, result.output
    assert "1 document key(s) re-wrapped under master key" in result.output
    assert "Remove the old keys from RELAIS_DOCUMENTS_MASTER_KEY now" in result.output
    session.expire_all()
    assert read(world.receiver, document) == samples.pdf()

    act(referral, "cancel", world.advisor, referral.version,
        now=datetime.now(UTC) - timedelta(days=40))
    session.commit()
    result = english_cli.invoke(args=["documents", "purge"])
    assert result.exit_code == 0 and "1 document(s) deleted." in result.output
    assert english_cli.invoke(args=["documents", "purge"]).output.endswith(
        "0 document(s) deleted.\n")
    assert files_on_disk(docs) == []

    documents.store().part_path(uuid.uuid4()).write_bytes(b"left by a crash")
    result = english_cli.invoke(args=["documents", "sweep", "--older-than-minutes", "0"])
    assert result.exit_code == 0 and "1 orphan file(s) removed." in result.output


def test_rotating_without_the_right_key_says_so_and_fails(scene, docs, english_cli):
    docs.documents_master_key = storage.new_master_key()  # not the one that wrapped it
    result = english_cli.invoke(args=["documents", "rotate-key"])
    assert result.exit_code == 1
    assert "not configured" in result.output
