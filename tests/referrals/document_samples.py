"""Small real files for the document tests: a PDF, a PNG, office documents, and the bad ones
(a program renamed .pdf, polyglots, a macro document, a ZIP bomb)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

MARKER = b"RELAIS-PLAINTEXT-MARKER-7c1f"


def pdf(extra: bytes = b"", body: bytes = b"") -> bytes:
    """A small, well-formed PDF carrying MARKER in a text object."""
    content = b"BT /F1 12 Tf 72 712 Td (" + MARKER + b") Tj ET" + body
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
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
    return bytes(out) + extra


def big_pdf(size: int) -> bytes:
    """A PDF of about `size` bytes (a long content stream of spaces)."""
    return pdf(body=b" " * max(size - len(pdf()), 0))


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels)
            + chunk(b"IEND", b""))


def _zip(entries: dict[str, bytes], first: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if first:
            archive.writestr(zipfile.ZipInfo(first), entries[first],
                             compress_type=zipfile.ZIP_STORED)
        for name, data in entries.items():
            if name != first:
                archive.writestr(name, data)
    return buffer.getvalue()


CONTENT_TYPES = (b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                 b'package/2006/content-types"><Override PartName="/word/document.xml" '
                 b'ContentType="application/vnd.openxmlformats-officedocument.'
                 b'wordprocessingml.document.main+xml"/></Types>')


def docx() -> bytes:
    return _zip({"[Content_Types].xml": CONTENT_TYPES,
                 "_rels/.rels": b"<Relationships/>",
                 "word/document.xml": b"<w:document><w:body>" + MARKER + b"</w:body></w:document>"})


def docm() -> bytes:
    """A Word document with macros, named like a plain one."""
    return _zip({"[Content_Types].xml": CONTENT_TYPES.replace(b"document.main", b"document."
                                                              b"macroEnabled.main"),
                 "word/document.xml": b"<w:document/>",
                 "word/vbaProject.bin": b"Attribute VB_Name = \"Module1\""})


def odt() -> bytes:
    return _zip({"mimetype": b"application/vnd.oasis.opendocument.text",
                 "content.xml": b"<office:document-content>" + MARKER
                 + b"</office:document-content>",
                 "META-INF/manifest.xml": b"<manifest/>"}, first="mimetype")


def zip_bomb() -> bytes:
    return _zip({"[Content_Types].xml": CONTENT_TYPES,
                 "word/document.xml": b"<w:document>" + b"A" * (30 * 1024 * 1024)
                 + b"</w:document>"})


def executable() -> bytes:
    """The start of a Windows program (MZ header, DOS stub), renamed .pdf by the tests."""
    stub = b"This program cannot be run in DOS mode.\r\r\n$"
    return b"MZ\x90\x00" + b"\x00" * 56 + stub + b"\x00" * 200 + b"PE\x00\x00"


def elf() -> bytes:
    return b"\x7fELF\x02\x01\x01" + b"\x00" * 200


def pdf_with_zip() -> bytes:
    """A PDF with a ZIP archive glued after it (readers see a PDF, unzip sees files)."""
    return pdf() + _zip({"evil.exe": b"MZ...."})


def pdf_with_html() -> bytes:
    return pdf(body=b"<html><script>alert(1)</script></html>")


def pdf_with_javascript() -> bytes:
    return pdf(body=b"\n<< /S /JavaScript /JS (app.alert(1)) >>")


def pdf_then_garbage() -> bytes:
    return pdf() + b"trailing bytes after the end"


def png_with_zip() -> bytes:
    return png() + _zip({"a.txt": b"hidden"})


def docx_with_appended_pdf() -> bytes:
    return docx() + pdf()


EICAR = (b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*")
