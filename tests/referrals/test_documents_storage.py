"""Documents at rest and their content checks, without a database: encryption, master keys,
atomic files, and what is refused (by content, never by name)."""

from __future__ import annotations

import base64
import os
import stat
import uuid

import pytest

from errors import Invalid
from referrals import document_storage as storage
from referrals.document_content import ContentInspector, clean_name, name_for
from tests.referrals import document_samples as samples


def encrypt(store, data: bytes, limit: int = 10 * 1024 * 1024, chunk: int = 7000):
    document_id = uuid.uuid4()
    upload = storage.EncryptedUpload(store, document_id, limit)
    for start in range(0, len(data), chunk):
        upload.write(data[start:start + chunk])
    upload.finish()
    path = upload.commit()
    return document_id, upload, path


@pytest.fixture
def store(tmp_path):
    return storage.Store(tmp_path / "documents")


# ---------------------------------------------------------------------------------------------
# Encryption


@pytest.mark.parametrize("size", [1, 65535, 65536, 65537, 300_000])
def test_a_document_reads_back_whole_and_its_bytes_on_disk_never_hold_the_plaintext(store, size):
    data = (samples.MARKER * (size // len(samples.MARKER) + 1))[:size]
    document_id, upload, path = encrypt(store, data)
    on_disk = path.read_bytes()
    assert samples.MARKER[:8] not in on_disk
    assert b"".join(storage.decrypt_file(path, document_id, upload.key)) == data
    assert upload.sha256.hexdigest() == __import__("hashlib").sha256(data).hexdigest()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert list(store.tmp.iterdir()) == []  # the .part file became the stored one


def test_a_file_cut_off_or_changed_on_disk_fails_loudly(store):
    data = samples.MARKER * 10_000  # several records
    document_id, upload, path = encrypt(store, data)
    whole = path.read_bytes()
    record = storage.RECORD + storage.TAG
    path.write_bytes(whole[:len(storage.MAGIC) + 4 + record])  # cut at a record boundary
    with pytest.raises(storage.CorruptDocument):
        b"".join(storage.decrypt_file(path, document_id, upload.key))
    changed = bytearray(whole)
    changed[100] ^= 1
    path.write_bytes(bytes(changed))
    with pytest.raises(storage.CorruptDocument):
        b"".join(storage.decrypt_file(path, document_id, upload.key))
    path.write_bytes(whole)  # another document's id does not open it either
    with pytest.raises(storage.CorruptDocument):
        b"".join(storage.decrypt_file(path, uuid.uuid4(), upload.key))


def test_an_upload_past_the_limit_stops_at_once_and_leaves_nothing(store):
    upload = storage.EncryptedUpload(store, uuid.uuid4(), limit=100_000)
    with pytest.raises(storage.TooLarge):
        for _ in range(1000):  # would be 64 MB; it stops after the second chunk
            upload.write(b"x" * 65536)
    assert list(store.tmp.iterdir()) == []
    assert not any(store.files.rglob("*.rdoc"))


# ---------------------------------------------------------------------------------------------
# Master keys


def test_the_master_key_file_is_created_once_readable_by_its_owner_only(tmp_path):
    ring = storage.load_keyring("", tmp_path)
    path = tmp_path / storage.KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert storage.load_keyring("", tmp_path).current_id == ring.current_id


def test_a_wrong_master_key_fails_loudly(tmp_path):
    right = storage.load_keyring(storage.new_master_key(), tmp_path)
    wrong = storage.load_keyring(storage.new_master_key(), tmp_path)
    document_id, key = uuid.uuid4(), os.urandom(32)
    master_id, wrapped = storage.wrap_key(right, document_id, key)
    assert storage.unwrap_key(right, document_id, master_id, wrapped) == key
    with pytest.raises(storage.MasterKeyError, match="not configured"):
        storage.unwrap_key(wrong, document_id, master_id, wrapped)
    with pytest.raises(storage.MasterKeyError, match="does not unwrap"):
        storage.unwrap_key(right, uuid.uuid4(), master_id, wrapped)  # another row's key
    with pytest.raises(storage.MasterKeyError, match="base64"):
        storage.load_keyring("not a key!", tmp_path)
    with pytest.raises(storage.MasterKeyError, match="32 bytes"):
        storage.load_keyring(base64.b64encode(b"short").decode(), tmp_path)


def test_a_new_master_key_goes_first_and_the_old_one_still_unwraps_until_dropped(tmp_path):
    old = storage.load_keyring("", tmp_path)
    document_id, key = uuid.uuid4(), os.urandom(32)
    wrapped = storage.wrap_key(old, document_id, key)
    rotated = storage.add_current_key(old)
    assert rotated.current_id != old.current_id
    reread = storage.load_keyring("", tmp_path)
    assert reread.current_id == rotated.current_id
    assert storage.unwrap_key(reread, document_id, *wrapped) == key
    storage.drop_keys(reread, {old.current_id})
    with pytest.raises(storage.MasterKeyError):
        storage.unwrap_key(storage.load_keyring("", tmp_path), document_id, *wrapped)


# ---------------------------------------------------------------------------------------------
# Content


def inspect(data: bytes, chunk: int = 1000):
    inspector = ContentInspector()
    for start in range(0, len(data), chunk):
        inspector.feed(data[start:start + chunk])
    return inspector.result()


@pytest.mark.parametrize("data, media_type", [
    (samples.pdf(), "application/pdf"),
    (samples.png(), "image/png"),
    (samples.docx(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (samples.odt(), "application/vnd.oasis.opendocument.text"),
])
def test_allowed_kinds_are_recognised_from_their_bytes(data, media_type):
    assert inspect(data).media_type == media_type


@pytest.mark.parametrize("data, words", [
    (b"", "The file is empty"),
    (samples.executable(), "This file is a program"),
    (samples.elf(), "This file is a program"),
    (b"just some text, named .pdf", "Only PDF files, images"),
    (b"<html><body>phishing</body></html>", "Only PDF files, images"),
    (samples.pdf_with_zip(), "hides an archive"),
    (samples.png_with_zip(), "hides an archive"),
    (samples.pdf_with_html(), "web page, script or program code"),
    (samples.pdf_with_javascript(), "contains scripts, actions or attached files"),
    (samples.pdf_then_garbage(), "added after its end"),
    (samples.docm(), "macros or programs"),
    (samples.docx_with_appended_pdf(), "added after its end"),
    (samples.zip_bomb(), "expands to far more than its size"),
])
def test_refused_content_gets_a_clear_message(data, words):
    with pytest.raises(Invalid) as refused:
        inspect(data)
    assert words in refused.value.message
    assert refused.value.field_errors == {"document": [refused.value.message]}


def test_a_marker_split_across_two_chunks_is_still_seen():
    data = samples.pdf_with_html()
    at = data.index(b"<script") + 3
    inspector = ContentInspector()
    inspector.feed(data[:at])
    inspector.feed(data[at:])
    with pytest.raises(Invalid, match="script"):
        inspector.result()


@pytest.mark.parametrize("name, words", [
    ("../../etc/passwd", "folder path"),
    ("..\\boot.ini", "folder path"),
    ("dossier/attestation.pdf", "folder path"),
    (".htaccess", "folder path"),
    ("attestation\x00.pdf", "control characters"),
    ("attes\ntation.pdf", "control characters"),
    ("caf\u202egpj.exe", "control characters"),  # right-to-left override
    ("   ", "no name"),
    ("a" * 300 + ".pdf", "too long"),
])
def test_unsafe_names_are_refused(name, words):
    with pytest.raises(Invalid, match=words):
        clean_name(name)


def test_a_name_keeps_its_words_and_gets_the_extension_of_its_real_kind():
    assert clean_name("  Attestation CAF — mai.pdf ") == "Attestation CAF — mai.pdf"
    assert name_for("scan.PDF", "application/pdf") == "scan.PDF"
    assert name_for("photo.pdf", "image/png") == "photo.pdf.png"
    assert name_for("cv", "application/pdf") == "cv.pdf"
