"""Document routes: upload (advisors for a person or a referral; the person for themself),
download (signed in, or by a short-lived signed link), and making such a link.

Uploads do not go through Werkzeug's form parser, which would spool the file to a plaintext
temporary file before any check: the multipart body is decoded here as it arrives, the small
fields first (the form puts them before the file), and the file's bytes are handed straight
to documents.add_document, which encrypts them as they come and stops at the size limit.
The CSRF token is checked by hand for the same reason (the route is exempt from the global
check, which would read the whole form first).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from urllib.parse import quote

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_wtf.csrf import ValidationError, validate_csrf
from werkzeug.http import parse_options_header
from werkzeug.sansio.multipart import NEED_DATA, Data, Epilogue, Field, File, MultipartDecoder

from accounts.access import verified_required
from accounts.permissions import current_user_or_none
from errors import Forbidden, Invalid, NotFound
from extensions import csrf, db
from referrals import documents
from referrals.document_models import Document
from referrals.models import OPEN_STATUSES, Referral
from referrals.own_space import own_person, referrals_of

bp = Blueprint("documents", __name__)

READ_SIZE = 64 * 1024
MAX_FIELDS_BYTES = 16 * 1024
FILE_FIELD = "document"


class StreamedForm:
    """A multipart body read as it arrives: `fields` (the small ones before the file), then
    `file_chunks()` for the file's bytes. Nothing is written to disk here."""

    def __init__(self, stream, content_type: str):
        mimetype, options = parse_options_header(content_type or "")
        if mimetype != "multipart/form-data" or not options.get("boundary"):
            raise _bad_form()
        self._stream = stream
        self._decoder = MultipartDecoder(options["boundary"].encode(),
                                         max_form_memory_size=4 * READ_SIZE, max_parts=50)
        self.fields: dict[str, str] = {}
        self.filename: str | None = None
        self._read_fields()

    def _events(self) -> Iterator:
        while True:
            event = self._decoder.next_event()
            if event is NEED_DATA:
                data = self._stream.read(READ_SIZE)
                self._decoder.receive_data(data or None)
                continue
            yield event
            if isinstance(event, Epilogue):
                return

    def _read_fields(self) -> None:
        self._iter = self._events()
        current, value, size = None, bytearray(), 0
        for event in self._iter:
            if isinstance(event, Field):
                current, value = event.name, bytearray()
            elif isinstance(event, Data) and current is not None:
                value += event.data
                size += len(event.data)
                if size > MAX_FIELDS_BYTES:
                    raise _bad_form()
                if not event.more_data:
                    self.fields[current] = value.decode("utf-8", "replace")
                    current = None
            elif isinstance(event, File):
                if event.name == FILE_FIELD:
                    self.filename = event.filename or ""
                    return
                current = None
            elif isinstance(event, Epilogue):
                return

    def file_chunks(self) -> Iterator[bytes]:
        if self.filename is None:
            return
        for event in self._iter:
            if isinstance(event, Data):
                if event.data:
                    yield event.data
                if not event.more_data:
                    return


def _bad_form() -> Invalid:
    return Invalid(_("This form could not be read. Reload the page and try again."))


def _check_csrf(form: StreamedForm) -> None:
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return
    try:
        validate_csrf(form.fields.get("csrf_token"))
    except ValidationError:
        raise Invalid(_("This form has expired. Please try again.")) from None


def _uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None


def _too_big_before_reading() -> None:
    """A declared length far past the limit is refused without reading the body."""
    limit = current_app.extensions["relais.settings"].documents_max_bytes
    if request.content_length is not None and request.content_length > limit + 64 * 1024:
        message = documents.limit_words(limit)
        raise Invalid(message, {"document": [message]})


def _upload(user, person_id, *, organisation=None, back: str):
    """Shared by both upload routes: read the form, add the document, go back with a
    message (an error is flashed on the page the form came from)."""
    try:
        person = documents.person_for_upload(user, person_id)
    finally:
        # The audited read is committed before the body is read: appending to the audit log
        # locks its head, which must not stay locked while a slow upload streams in.
        db.session.commit()
    try:
        _too_big_before_reading()
        form = StreamedForm(request.stream, request.headers.get("Content-Type", ""))
        _check_csrf(form)
        referral = None
        if form.fields.get("referral"):
            referral = db.session.get(Referral, _uuid(form.fields["referral"])) \
                if _uuid(form.fields["referral"]) else None
            if referral is None:
                raise NotFound(_("This referral does not exist, or you cannot see it."))
        document = documents.add_document(
            user, person, form.filename, form.file_chunks(), organisation=organisation,
            referral=referral, method=form.fields.get("method", ""))
    except Invalid as error:
        db.session.rollback()
        for message in error.field_errors.get("document", []) or [error.message]:
            flash(message, "error")
        return redirect(back, code=303)
    except (NotFound, Forbidden):
        db.session.commit()  # the refused read is audited
        raise
    db.session.commit()
    if document.scan_status == "not-scanned":
        flash(_("The document “%(name)s” is added. It could not be checked for malware: no "
                "scanner is configured.", name=document.name), "success")
    else:
        flash(_("The document “%(name)s” is added.", name=document.name), "success")
    if referral is not None:
        return redirect(url_for("referrals.show", referral_id=referral.id), code=303)
    return redirect(back, code=303)


@bp.post("/espace/personnes/<person_id>/documents")
@csrf.exempt
@verified_required
def upload(person_id: str):
    from referrals.views import _member

    user, organisations = _member()
    wanted = _uuid(request.args.get("org"))
    organisation = next((o for o in organisations if o.id == wanted), organisations[0])
    back = url_for("referrals.person", person_id=person_id)
    referral_id = _uuid(request.args.get("referral"))
    if referral_id is not None:
        back = url_for("referrals.show", referral_id=referral_id)
    return _upload(user, person_id, organisation=organisation, back=back)


@bp.post("/mon-espace/documents")
@csrf.exempt
@verified_required
def own_upload():
    user = current_user_or_none()
    person = own_person(user)
    if person is None:
        raise NotFound(_("Relais holds no record about you."))
    return _upload(user, person.id, back=url_for("own_space.home", _anchor="documents"))


def _attachment(name: str) -> str:
    fallback = name.encode("ascii", "ignore").decode().replace('"', "").replace("\\", "") \
        or "document"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"


def _send(document: Document, chunks: Iterator[bytes]) -> Response:
    return Response(chunks, mimetype=document.media_type, headers={
        "Content-Disposition": _attachment(document.name),
        "Content-Length": str(document.size),
        "Cache-Control": "no-store, private",
        "Content-Security-Policy": "sandbox; default-src 'none'",
    })


@bp.get("/documents/<document_id>")
@verified_required
def download(document_id: str):
    user = current_user_or_none()
    try:
        document, chunks = documents.open_document(user, document_id)
    except Forbidden:
        db.session.commit()  # the refusal is audited; the reader learns nothing more
        raise NotFound(_("This document does not exist, or you cannot see it.")) from None
    db.session.commit()
    return _send(document, chunks)


@bp.post("/documents/<document_id>/lien")
@verified_required
def make_link(document_id: str):
    user = current_user_or_none()
    document = documents.document_or_404(document_id)
    try:
        token = documents.link_token(user, document)
    except Forbidden:
        db.session.commit()
        raise NotFound(_("This document does not exist, or you cannot see it.")) from None
    db.session.commit()
    return render_template("referrals/documents/link.html", document=document,
                           link=url_for(".download_by_link", token=token, _external=True),
                           minutes=documents.link_minutes())


@bp.get("/documents/lien/<token>")
def download_by_link(token: str):
    try:
        document, chunks = documents.open_by_link(token)
    except (Forbidden, NotFound):
        db.session.commit()  # the refusal is audited
        raise
    db.session.commit()
    return _send(document, chunks)




def section(user, person, *, referral: Referral | None = None, organisation=None,
            can_add: bool = True, advisor: bool = True) -> dict:
    """What templates/referrals/documents/_section.html needs, for the pages that show it."""
    upload_url = None
    if can_add and advisor:
        upload_url = url_for("documents.upload", person_id=person.id,
                             org=organisation.id if organisation else None,
                             referral=referral.id if referral else None)
    elif can_add:
        upload_url = url_for("documents.own_upload")
    limit = current_app.extensions["relais.settings"].documents_max_bytes
    share_with = []
    if can_add and not advisor:  # the person may share with one of their open referrals
        share_with = [r for r in referrals_of(person) if r.status in OPEN_STATUSES]
    return {"documents": documents.readable_documents(user, person, referral),
            "upload_url": upload_url, "advisor": advisor, "referral": referral,
            "max_mb": documents.megabytes(limit), "share_with": share_with}
