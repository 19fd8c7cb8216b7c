"""The malware scan a document passes before it becomes readable.

A scanner takes the plaintext, chunk by chunk, and says CLEAN, INFECTED (with the signature)
or NOT_SCANNED. With RELAIS_CLAMAV_SOCKET set (a Unix socket path, or host:port) Relais
speaks clamd's INSTREAM protocol to the daemon; a configured daemon that cannot be reached
is an error (ScanUnavailable): the upload is refused rather than let through unchecked.
Without it, documents are stored as "not scanned", logged as a warning each time, and shown
as such to their readers.
"""

from __future__ import annotations

import logging
import socket
import struct
from collections.abc import Iterable
from dataclasses import dataclass

logger = logging.getLogger(__name__)

CLEAN, INFECTED, NOT_SCANNED = "clean", "infected", "not-scanned"
CHUNK = 64 * 1024


class ScanUnavailable(RuntimeError):
    """The configured scanner did not answer, or answered something unexpected."""


@dataclass(frozen=True)
class ScanResult:
    status: str
    signature: str | None = None


class NoScanner:
    """Used when no scanner is configured: every document is NOT_SCANNED, loudly."""

    def scan(self, chunks: Iterable[bytes]) -> ScanResult:
        for _chunk in chunks:
            pass
        logger.warning("document stored NOT SCANNED for malware: RELAIS_CLAMAV_SOCKET is "
                       "not set")
        return ScanResult(NOT_SCANNED)


class ClamdScanner:
    """clamd over a Unix socket or TCP, INSTREAM: 'zINSTREAM\\0', then <len:uint32 BE><data>
    records, a zero length to end, and one reply 'stream: OK' or 'stream: <sig> FOUND'."""

    def __init__(self, address: str, timeout: float = 30.0):
        self.address, self.timeout = address, timeout

    def _connect(self) -> socket.socket:
        if self.address.startswith("/") or ":" not in self.address:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            target: object = self.address
        else:
            host, _sep, port = self.address.rpartition(":")
            sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET,
                                 socket.SOCK_STREAM)
            target = (host.strip("[]"), int(port))
        sock.settimeout(self.timeout)
        sock.connect(target)
        return sock

    def scan(self, chunks: Iterable[bytes]) -> ScanResult:
        try:
            with self._connect() as sock:
                sock.sendall(b"zINSTREAM\0")
                for chunk in chunks:
                    for start in range(0, len(chunk), CHUNK):
                        piece = chunk[start:start + CHUNK]
                        sock.sendall(struct.pack(">I", len(piece)) + piece)
                sock.sendall(struct.pack(">I", 0))
                reply = b""
                while not reply.endswith(b"\0"):
                    data = sock.recv(4096)
                    if not data:
                        break
                    reply += data
        except (OSError, ValueError) as error:
            raise ScanUnavailable(f"clamd at {self.address}: {error}") from error
        text = reply.rstrip(b"\0").decode("utf-8", "replace").strip()
        if text.endswith(" OK"):
            return ScanResult(CLEAN)
        if text.endswith(" FOUND"):
            signature = text.removeprefix("stream:").removesuffix("FOUND").strip()
            logger.warning("document refused: clamd found %s", signature)
            return ScanResult(INFECTED, signature)
        raise ScanUnavailable(f"clamd at {self.address} answered {text!r}")


def scanner_for(address: str, timeout: float = 30.0) -> NoScanner | ClamdScanner:
    """The scanner the settings name."""
    return ClamdScanner(address, timeout) if address.strip() else NoScanner()
