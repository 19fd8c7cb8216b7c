"""Documents of a person, shared under consent: adding, reading, signed links, deleting.

A document belongs to the person's file. The advisor who adds it records, in the same step,
the person's consent that names it ("document:<id>") for their own organisation and, when
attached to a referral, for the receiving organisation too; the person sees every document
of their own. Reads go through the consent ledger (consent.require_category, the one
enforcement point), so a withdrawal or an expiry stops them at once, and each read or refusal
is in the audit log the person can see.

Uploads are checked from their bytes (document_content), streamed into an encrypted file
(document_storage), scanned (document_scan), and only then renamed into the store and given
a row; files of rows deleted or rolled back are removed after the transaction ends, and
`document_upkeep.sweep()` removes what a crash left behind (retention and key rotation are
there too).
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import event

from accounts.models import User
from directory.models import Organisation
from errors import Forbidden, Invalid, NotFound
from extensions import db
from referrals import audit
from referrals import consent as ledger
from referrals import document_scan as scanning
from referrals import document_storage as storage
from referrals.document_content import ContentInspector, clean_name, name_for
from referrals.document_models import Document
from referrals.models import (
    BY_PHONE,
    IDENTITY,
    IN_PERSON,
    ONLINE,
    PURPOSE_FOLLOW_UP,
    PURPOSE_REFERRAL,
    Person,
    Referral,
)
from referrals.referrals import roles_of
from referrals.transitions import SENDER

logger = logging.getLogger(__name__)

LINK_SALT = "document-link"
_REMOVE_AFTER_COMMIT = "relais.documents.remove_after_commit"
_REMOVE_ON_ROLLBACK = "relais.documents.remove_on_rollback"


def documents_settings():
    return current_app.extensions["relais.settings"]


def store() -> storage.Store:
    return storage.Store(documents_settings().documents_path)


def keyring() -> storage.Keyring:
    settings = documents_settings()
    return storage.load_keyring(settings.documents_master_key, settings.instance_path)


def scanner():
    settings = documents_settings()
    return scanning.scanner_for(settings.clamav_socket, settings.clamav_timeout)


# ---------------------------------------------------------------------------------------------
# Files follow the transaction


@event.listens_for(db.session, "after_commit")
def _after_commit(session) -> None:
    session.info.pop(_REMOVE_ON_ROLLBACK, None)
    for path in session.info.pop(_REMOVE_AFTER_COMMIT, []):
        Path(path).unlink(missing_ok=True)


@event.listens_for(db.session, "after_rollback")
def _after_rollback(session) -> None:
    session.info.pop(_REMOVE_AFTER_COMMIT, None)
    for path in session.info.pop(_REMOVE_ON_ROLLBACK, []):
        Path(path).unlink(missing_ok=True)


# ---------------------------------------------------------------------------------------------
# Adding


def megabytes(size: int) -> str:
    return f"{round(size / (1024 * 1024), 1):g}"


def limit_words(limit: int) -> str:
    return _("The file is larger than the %(size)s MB allowed.",
             size=megabytes(limit))


def person_for_upload(actor: User, person_id: uuid.UUID | str,
                      now: datetime | None = None) -> Person:
    """The person whose file the actor adds to: the audited read of their identity, before
    any byte of the upload is read. NotFound for someone the actor may not see."""
    view = ledger.read_person(actor, person_id, [IDENTITY], purpose="document upload", now=now)
    return db.session.get(Person, view.id)


def add_document(
    actor: User,
    person: Person,
    filename: str | None,
    chunks: Iterable[bytes],
    *,
    organisation: Organisation | None = None,
    referral: Referral | None = None,
    method: str = IN_PERSON,
    now: datetime | None = None,
) -> Document:
    """Store a document in the person's file, shared by a consent the actor attests (or the
    person gives online) with `organisation` and, if given, the referral's receiving
    organisation. `person` comes from person_for_upload (the audited read); this checks
    again, silently. Invalid with a clear message, and nothing left on disk, when the file is
    refused."""
    now = now or datetime.now(UTC)
    if not ledger.can_read(actor, person, IDENTITY, now):
        raise NotFound(_("This person does not exist, or you cannot see them."))
    name = clean_name(filename)
    own = person.user_id is not None and person.user_id == actor.id
    if referral is not None and (referral.person_id != person.id or (
            not own and SENDER not in roles_of(actor, referral))):
        raise NotFound(_("This referral does not exist, or you cannot see it."))
    if referral is not None and (referral.consent is None
                                 or not referral.consent.is_valid_at(now)):
        message = _("The person’s consent to this referral has ended: a document can no "
                    "longer be shared with it.")
        raise Invalid(message, {"document": [message]})
    if not own and organisation is None:
        raise Forbidden(_("Documents are added for an organisation you belong to."))
    if not own and method not in (IN_PERSON, BY_PHONE):
        raise Invalid(_("Say how the person agreed to share this document."),
                      {"method": [_("Say how the person agreed to share this document.")]})
    settings = documents_settings()
    document_id = uuid.uuid4()
    upload = storage.EncryptedUpload(store(), document_id, settings.documents_max_bytes)
    try:
        inspector = ContentInspector()
        for chunk in chunks:
            inspector.feed(chunk)
            upload.write(chunk)
        upload.finish()
        inspection = inspector.result()
        result = _scan_and_verify(upload, document_id)
    except storage.TooLarge:
        message = limit_words(settings.documents_max_bytes)
        raise Invalid(message, {"document": [message]}) from None
    except scanning.ScanUnavailable as error:
        upload.discard()
        logger.error("document refused, the malware scanner failed: %s", error)
        message = _("The malware check is unavailable right now, so the document cannot be "
                    "added. Try again in a few minutes.")
        raise Invalid(message, {"document": [message]}) from None
    except BaseException:
        upload.discard()
        raise
    if result.status == scanning.INFECTED:
        upload.discard()
        audit.record("document-refused", "document", document_id, actor=actor,
                     person_id=person.id, details={"reason": "malware",
                                                   "signature": result.signature}, now=now)
        message = _("This file contains malware (%(name)s), so it is refused.",
                    name=result.signature)
        raise Invalid(message, {"document": [message]})
    try:  # nothing half-written: the sealed file goes if the rows cannot be written
        master_id, wrapped = storage.wrap_key(keyring(), document_id, upload.key)
        document = Document(
            id=document_id, person_id=person.id, referral_id=referral.id if referral else None,
            name=name_for(name, inspection.media_type), media_type=inspection.media_type,
            size=inspection.size, sha256=upload.sha256.hexdigest(), master_key_id=master_id,
            wrapped_key=wrapped, scan_status=result.status, uploaded_by_id=actor.id,
            organisation_id=organisation.id if organisation else None, created_at=now)
        db.session.add(document)
        db.session.flush()
        document.consent_id = _share(document, actor, person, organisation, referral, method,
                                     own, now)
        audit.record("document-added", "document", document.id, actor=actor,
                     actor_kind="person" if own else "user",
                     organisation_id=organisation.id if organisation else None,
                     person_id=person.id, now=now,
                     details={"size": document.size, "type": document.media_type,
                              "scan": document.scan_status,
                              "referral": referral.id if referral else None})
    except BaseException:
        upload.discard()
        raise
    path = upload.commit()
    db.session.info.setdefault(_REMOVE_ON_ROLLBACK, []).append(str(path))
    return document


def _scan_and_verify(upload: storage.EncryptedUpload, document_id: uuid.UUID):
    """Scan the plaintext read back from the sealed file; the read-back also proves the file
    decrypts to exactly what was received (same checksum)."""
    digest = hashlib.sha256()

    def plaintext() -> Iterator[bytes]:
        for piece in storage.decrypt_file(upload.part, document_id, upload.key):
            digest.update(piece)
            yield piece

    result = scanner().scan(plaintext())
    if digest.hexdigest() != upload.sha256.hexdigest():
        raise storage.CorruptDocument("the sealed file does not read back as received")
    return result


def _share(document: Document, actor: User, person: Person, organisation, referral, method,
           own: bool, now: datetime) -> uuid.UUID | None:
    """The consent that names the document for the organisations that should see it."""
    organisations = [o for o in (organisation,
                                 referral.receiving_organisation if referral else None,
                                 referral.sending_organisation if referral else None)
                     if o is not None]
    if not organisations:
        return None  # the person's own document, for them only until they share it
    purpose = PURPOSE_REFERRAL if referral is not None else PURPOSE_FOLLOW_UP
    service = referral.service if referral is not None else None
    valid_for = ledger.DEFAULT_VALIDITY
    if referral is not None and referral.consent is not None:
        left = referral.consent.expires_at
        left = (left if left.tzinfo else left.replace(tzinfo=UTC)) - now
        valid_for = max(timedelta(days=1), min(left, ledger.MAX_VALIDITY))
    text = ledger.consent_text(purpose, organisations, [document.category],
                               (now + valid_for).date(), service=service)
    consent = ledger.give_consent(
        person, purpose=purpose, organisations=organisations, categories=[document.category],
        method=ONLINE if own else method, text=str(text), attested_by=None if own else actor,
        given_by=actor if own else None, service=service, valid_for=valid_for, now=now)
    return consent.id


# ---------------------------------------------------------------------------------------------
# Reading


def document_or_404(document_id) -> Document:
    try:
        wanted = document_id if isinstance(document_id, uuid.UUID) else uuid.UUID(
            str(document_id))
    except ValueError:
        raise NotFound(_("This document does not exist, or you cannot see it.")) from None
    document = db.session.get(Document, wanted)
    if document is None or document.person.erased_at is not None:
        raise NotFound(_("This document does not exist, or you cannot see it."))
    return document


def open_document(actor: User | None, document_id, *,
                  now: datetime | None = None) -> tuple[Document, Iterator[bytes]]:
    """The document and its plaintext, if the ledger lets `actor` read it now (audited
    either way: a refusal raises Forbidden after writing its line)."""
    document = document_or_404(document_id)
    ledger.require_category(actor, document.person, document.category, now)
    key = storage.unwrap_key(keyring(), document.id, document.master_key_id,
                             document.wrapped_key)
    return document, storage.decrypt_file(store().path(document.id), document.id, key)


def readable_documents(actor: User | None, person: Person,
                       referral: Referral | None = None) -> list[Document]:
    """The documents of the person (of the referral, if given) the actor may read now; the
    list itself reads nothing of their content."""
    query = sa.select(Document).where(Document.person_id == person.id)
    if referral is not None:
        query = query.where(Document.referral_id == referral.id)
    documents = db.session.scalars(query.order_by(Document.created_at.desc())).all()
    allowed, _via = ledger.allowed_categories(actor, person)
    if "document:*" in allowed:
        return list(documents)
    return [d for d in documents if d.category in allowed]


def names_by_category(categories: Iterable[str]) -> dict[str, str]:
    """Document names for "document:<id>" categories (for the words of consents)."""
    ids = []
    for category in categories:
        try:
            ids.append(uuid.UUID(category.removeprefix("document:")))
        except ValueError:
            continue
    if not ids:
        return {}
    rows = db.session.execute(sa.select(Document.id, Document.name).where(Document.id.in_(ids)))
    return {f"document:{i}": name for i, name in rows}


# ---------------------------------------------------------------------------------------------
# Signed links


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=LINK_SALT)


def link_token(actor: User, document: Document) -> str:
    """A link to download the document for a short while, as `actor`: it is checked against
    the ledger again when used, so it dies with the consent."""
    ledger.require_category(actor, document.person, document.category)
    return _serializer().dumps({"d": str(document.id), "u": str(actor.id)})


def link_minutes() -> int:
    return documents_settings().document_link_minutes


def open_by_link(token: str, *, now: datetime | None = None):
    """The document a signed link names, read as the user who made the link, if the ledger
    still allows it; refusals (expired link, withdrawn or expired consent) are audited."""
    serializer = _serializer()
    refused = _("This link has expired or is no longer valid. Ask for a new one.")
    try:
        payload = serializer.loads(token, max_age=link_minutes() * 60)
    except SignatureExpired as expired:
        try:
            payload = serializer.load_payload(expired.payload)
        except BadSignature:
            payload = {}
        payload = payload if isinstance(payload, dict) else {}
        document = db.session.get(Document, _uuid(payload.get("d")))
        if document is not None:
            audit.record("read-refused", "document", document.category,
                         actor=db.session.get(User, _uuid(payload.get("u"))),
                         actor_kind="signed-link", person_id=document.person_id,
                         details={"category": document.category, "reason": "link expired"},
                         now=now)
        raise Forbidden(refused) from None
    except BadSignature:
        raise NotFound(_("This link is not valid. Check that it was copied whole.")) from None
    user = db.session.get(User, _uuid(payload.get("u")))
    document = document_or_404(payload.get("d"))
    if user is None:
        raise Forbidden(refused)
    try:
        return open_document(user, document.id, now=now)
    except Forbidden:
        raise Forbidden(refused) from None


def _uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None


# ---------------------------------------------------------------------------------------------
# Deleting: one document, a person's erasure, retention, orphans


def delete_document(document: Document, *, reason: str, by: User | None = None,
                    now: datetime | None = None) -> None:
    """Delete the row now and the file once the transaction commits. Audited."""
    audit.record("document-deleted", "document", document.id, actor=by,
                 person_id=document.person_id, details={"reason": reason}, now=now)
    path = store().path(document.id)
    db.session.delete(document)
    db.session.flush()
    db.session.info.setdefault(_REMOVE_AFTER_COMMIT, []).append(str(path))


def erase_documents(person: Person, by: User | None, now: datetime | None = None) -> int:
    """Every document of the person goes (called by own_space.erase_person)."""
    documents = db.session.scalars(sa.select(Document).where(Document.person_id == person.id))
    count = 0
    for document in documents.all():
        delete_document(document, reason="erasure", by=by, now=now)
        count += 1
    return count
