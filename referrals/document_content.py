"""What a document is, decided from its bytes, and whether Relais accepts it.

Accepted: PDF, PNG, JPEG and WebP images, and office documents (Word, Excel, PowerPoint in
their XML formats; OpenDocument text, spreadsheet and presentation). The kind comes from the
leading bytes (the `filetype` library), never from the name; the name only gets the right
extension added when it lacks it.

The polyglot rule (a file that is also something else): a document is refused when, besides
its own kind, its bytes carry the marks of a second format that a browser, a reader or a
system could act on:
- outside office documents, any ZIP record signature (PK\\x03\\x04, PK\\x01\\x02, PK\\x05\\x06)
  — a PDF or an image with an archive glued to it;
- HTML or script (<html, <script, <svg, <iframe, <body, <!doctype, <?php, javascript:),
  anywhere, case-insensitive;
- an executable's signature (\\x7fELF, the "This program cannot be run in DOS mode" stub);
- in a PDF, active content (/JavaScript, /JS, /Launch, /EmbeddedFile, /RichMedia), or bytes
  after its last %%EOF other than white space.
Office documents are ZIP containers: they are opened and must hold the parts of their kind,
start at their first record and end at their central directory (no comment, nothing
appended), carry no macros, ActiveX or embedded programs, no encrypted, absolute or `..`
entry, and stay within sane sizes (a ZIP bomb is refused without being expanded). Markers
are searched in the raw bytes of the other kinds: compressed PDF streams could hide them from
this check, which is why a ClamAV scan (referrals/document_scan.py) comes after it.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

import filetype
from flask_babel import gettext as _

from errors import Invalid

HEAD = 8192
WINDOW = 64  # bytes kept from the previous chunk, so a marker across two chunks is seen
PDF_TAIL = 1024
MAX_NAME = 180
MAX_ZIP_ENTRIES = 2000
MAX_ZIP_RATIO = 100  # uncompressed / compressed, beyond which a ZIP is a bomb
MAX_ZIP_EXPANDED = 200 * 1024 * 1024

PDF = "application/pdf"
PNG, JPEG, WEBP = "image/png", "image/jpeg", "image/webp"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
ODP = "application/vnd.oasis.opendocument.presentation"

EXTENSIONS = {
    PDF: ("pdf",), PNG: ("png",), JPEG: ("jpg", "jpeg"), WEBP: ("webp",),
    DOCX: ("docx",), XLSX: ("xlsx",), PPTX: ("pptx",), ODT: ("odt",), ODS: ("ods",),
    ODP: ("odp",),
}
IMAGES = (PNG, JPEG, WEBP)
PROGRAMS = ("application/x-msdownload", "application/x-executable", "application/x-mach-binary",
            "application/wasm", "application/x-shockwave-flash", "application/x-deb",
            "application/x-rpm", "application/vnd.ms-cab-compressed")
OOXML_PARTS = {DOCX: "word/document.xml", XLSX: "xl/workbook.xml",
               PPTX: "ppt/presentation.xml"}
ODF_KINDS = (ODT, ODS, ODP)

ZIP_MARKS = re.compile(rb"pk\x03\x04|pk\x01\x02|pk\x05\x06")
ACTIVE_MARKS = re.compile(
    rb"<html|<script|<svg|<iframe|<body|<!doctype|<\?php|javascript:"
    rb"|\x7felf|this program cannot be run in dos mode")
PDF_MARKS = re.compile(rb"/javascript|/js[^a-z0-9]|/launch|/embeddedfile|/richmedia")
RISKY_ENTRIES = re.compile(
    r"(vbaproject\.bin|vbadata\.xml|/activex/|^basic/|/macros?/|\.(exe|dll|com|scr|bat|cmd|"
    r"ps1|vbs|js|jar|msi|sh|html?|svg|hta|lnk)$)", re.IGNORECASE)


def _refuse(message: str) -> Invalid:
    return Invalid(message, {"document": [message]})


def kinds_sentence() -> str:
    return _("Only PDF files, images (PNG, JPEG, WebP) and office documents (Word, Excel, "
             "PowerPoint, OpenDocument) can be added.")


# ---------------------------------------------------------------------------------------------
# Names


def clean_name(raw: str | None) -> str:
    """The name shown for a document: refused when it holds a path or control characters
    (it is never used as a path anyway: files are named by the document's id)."""
    name = unicodedata.normalize("NFC", (raw or "").strip())
    if not name:
        raise _refuse(_("The file has no name."))
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in name):
        raise _refuse(_("The file name contains control characters: rename the file and "
                        "try again."))
    if "/" in name or "\\" in name or ".." in name or name.startswith("."):
        raise _refuse(_("The file name must not contain a folder path (“/”, “\\”, “..”): "
                        "rename the file and try again."))
    if len(name) > MAX_NAME:
        raise _refuse(_("The file name is too long (at most %(count)d characters).",
                        count=MAX_NAME))
    return name


def name_for(name: str, media_type: str) -> str:
    """The name with an extension matching what the file really is."""
    extensions = EXTENSIONS[media_type]
    stem, dot, ext = name.rpartition(".")
    if dot and ext.lower() in extensions:
        return name
    return f"{name}.{extensions[0]}"


# ---------------------------------------------------------------------------------------------
# Content


@dataclass
class Inspection:
    media_type: str
    size: int


class ContentInspector:
    """Fed the plaintext as it streams in; `result()` says what it is or raises Invalid."""

    def __init__(self):
        self.head = bytearray()
        self._window = b""
        self._tail = b""
        self._zip: bytearray | None = None
        self._marks: set[str] = set()
        self.size = 0

    def feed(self, chunk: bytes) -> None:
        if not chunk:
            return
        if len(self.head) < HEAD:
            self.head += chunk[:HEAD - len(self.head)]
        self.size += len(chunk)
        if self._zip is None and self.head[:4] == b"PK\x03\x04":
            self._zip = bytearray()
        if self._zip is not None:
            self._zip += chunk  # bounded by the upload size limit; parsed at the end
            return
        seen = (self._window + chunk).lower()
        if ZIP_MARKS.search(seen):
            self._marks.add("zip")
        if ACTIVE_MARKS.search(seen):
            self._marks.add("active")
        if PDF_MARKS.search(seen):
            self._marks.add("pdf-active")
        self._window = seen[-WINDOW:]
        self._tail = (self._tail + chunk)[-PDF_TAIL:]

    def result(self) -> Inspection:
        if self.size == 0:
            raise _refuse(_("The file is empty."))
        if self._zip is not None:
            return Inspection(_office_kind(bytes(self._zip)), self.size)
        guess = filetype.guess(bytes(self.head))
        mime = guess.mime if guess else None
        if mime in PROGRAMS or self.head[:2] == b"MZ" or self.head[:4] == b"\x7fELF":
            raise _refuse(_("This file is a program: programs cannot be added, whatever "
                            "their name."))
        if mime not in (PDF, *IMAGES) or (mime == PDF and not self.head.startswith(b"%PDF-")):
            raise _refuse(kinds_sentence())
        if "zip" in self._marks:
            raise _refuse(_("This file hides an archive inside it, so it is refused. Save it "
                            "again as a plain PDF or image."))
        if "active" in self._marks:
            raise _refuse(_("This file also contains web page, script or program code, so it "
                            "is refused. Save it again as a plain PDF or image."))
        if mime == PDF:
            if "pdf-active" in self._marks:
                raise _refuse(_("This PDF contains scripts, actions or attached files, so it "
                                "is refused. Print it to a new PDF and try again."))
            end = self._tail.rfind(b"%%EOF")
            if end < 0 or self._tail[end + 5:].strip(b" \t\r\n\x00"):
                raise _refuse(_("This PDF is incomplete or has something added after its "
                                "end, so it is refused. Save it again and try again."))
        return Inspection(mime, self.size)


def _office_kind(data: bytes) -> str:
    """The kind of an office document (a ZIP container), or Invalid."""
    end = data.rfind(b"PK\x05\x06")
    if end < 0 or end + 22 != len(data):
        raise _refuse(_("This archive has something added after its end, or is incomplete, "
                        "so it is refused."))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _refuse(_("This office document is damaged: save it again and try "
                        "again.")) from None
    if not entries or len(entries) > MAX_ZIP_ENTRIES:
        raise _refuse(kinds_sentence())
    expanded = sum(e.file_size for e in entries)
    if expanded > MAX_ZIP_EXPANDED or expanded > MAX_ZIP_RATIO * max(len(data), 1):
        raise _refuse(_("This archive expands to far more than its size, so it is refused."))
    names = [e.filename for e in entries]
    for entry in entries:
        name = entry.filename
        if (entry.flag_bits & 0x1 or name.startswith(("/", "\\")) or ".." in name.split("/")
                or any(ord(ch) < 32 for ch in name)):
            raise _refuse(_("This office document has encrypted or unsafe parts, so it is "
                            "refused."))
        if RISKY_ENTRIES.search(name):
            raise _refuse(_("This office document contains macros or programs, so it is "
                            "refused. Save it without macros and try again."))
    kind = None
    if "[Content_Types].xml" in names:
        types = archive.read("[Content_Types].xml").lower()
        if b"macroenabled" in types or b"vbaproject" in types:
            raise _refuse(_("This office document contains macros or programs, so it is "
                            "refused. Save it without macros and try again."))
        kind = next((k for k, part in OOXML_PARTS.items() if part in names), None)
    elif names[0] == "mimetype":
        declared = archive.read("mimetype").decode("ascii", "replace").strip()
        kind = declared if declared in ODF_KINDS else None
    if kind is None:
        raise _refuse(kinds_sentence())
    try:
        broken = archive.testzip()
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError):
        broken = "?"
    if broken is not None:
        raise _refuse(_("This office document is damaged: save it again and try again."))
    return kind
