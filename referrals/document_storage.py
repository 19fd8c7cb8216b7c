"""Documents at rest: encrypted files outside the web root, written atomically.

Each document has its own random 256-bit key. Its content is encrypted with AES-GCM in
64 KiB records (a chunked AEAD, so a 10 MB file never sits whole in memory): record `n` uses
the nonce `n` (11 bytes) + a final flag (1 byte) and the document id as associated data, so
records cannot be reordered, swapped between documents or cut off without the tag failing.
The document key is wrapped (AES-GCM again) by a master key; the database keeps the wrapped
key, the master key's id and the checksum of the plaintext, never the plaintext or the key.

Master keys come from RELAIS_DOCUMENTS_MASTER_KEY (base64, comma-separated, the first one
wraps new keys, the others only unwrap: that is how a rotation runs without downtime) or,
when unset, from the file `documents_master_keys` in the instance folder (one base64 key a
line, same order), created with permissions 0600 on first use. A document wrapped by a key
not in the keyring fails loudly (MasterKeyError), never silently.

An upload is streamed into `tmp/<id>.part` (created exclusively, 0600) while it is
encrypted; only a complete, verified file is renamed (atomic on one file system) into
`store/<id[:2]>/<id>.rdoc`. A crash leaves either a `.part` file, or a stored file whose
database row was never committed: both are orphans that `sweep()` removes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import secrets
import struct
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"RELAISDOC1"
RECORD = 64 * 1024
TAG = 16
KEY_FILE = "documents_master_keys"
KEY_AAD = b"relais-document-key:"
PART_SUFFIX = ".part"
STORED_SUFFIX = ".rdoc"


class MasterKeyError(RuntimeError):
    """The master key is missing, malformed, or not the one that wrapped a document."""


class TooLarge(Exception):
    """The stream passed the size limit; the partial file is already gone."""


class CorruptDocument(RuntimeError):
    """A stored file fails its authentication: changed, cut off or not this document's."""


# ---------------------------------------------------------------------------------------------
# Master keys


def key_id(key: bytes) -> str:
    """A short public name of a master key (stored with each wrapped document key)."""
    return hashlib.sha256(b"relais-master-key-id:" + key).hexdigest()[:16]


def _decode_key(text: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise MasterKeyError("a documents master key is not valid base64") from None
    if len(key) != 32:
        raise MasterKeyError("a documents master key must be 32 bytes (base64 of 32 bytes)")
    return key


def new_master_key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


@dataclass(frozen=True)
class Keyring:
    """Master keys by id; `current` wraps new document keys."""

    keys: tuple[tuple[str, bytes], ...]
    source: str  # "env" or the key file's path

    @property
    def current_id(self) -> str:
        return self.keys[0][0]

    def key(self, wanted_id: str) -> bytes:
        for kid, key in self.keys:
            if kid == wanted_id:
                return key
        raise MasterKeyError(
            f"document key wrapped by master key {wanted_id}, which is not configured "
            "(wrong RELAIS_DOCUMENTS_MASTER_KEY or key file?)")


def _write_key_file(path: Path, keys: list[str]) -> None:
    """Replace the key file atomically, readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write("\n".join(keys) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, path)


def load_keyring(env_value: str, instance_path: Path, *, create: bool = True) -> Keyring:
    """The keyring from the environment value, or the instance key file (created if asked)."""
    if env_value.strip():
        texts = [t for t in env_value.split(",") if t.strip()]
        keys = [_decode_key(t) for t in texts]
        return Keyring(tuple((key_id(k), k) for k in keys), "env")
    path = instance_path / KEY_FILE
    if not path.exists():
        if not create:
            raise MasterKeyError(f"no documents master key ({path} does not exist)")
        _write_key_file(path, [new_master_key()])
    texts = [line for line in path.read_text().splitlines() if line.strip()]
    if not texts:
        raise MasterKeyError(f"the documents master key file {path} is empty")
    keys = [_decode_key(t) for t in texts]
    return Keyring(tuple((key_id(k), k) for k in keys), str(path))


def add_current_key(keyring: Keyring, new_key: str | None = None) -> Keyring:
    """Put a new master key first in the key file, keeping the others for unwrapping."""
    if keyring.source == "env":
        raise MasterKeyError("the master keys come from RELAIS_DOCUMENTS_MASTER_KEY: put the "
                             "new key first there, then run the rotation again")
    key = _decode_key(new_key) if new_key else _decode_key(new_master_key())
    texts = [base64.b64encode(k).decode() for _kid, k in keyring.keys]
    _write_key_file(Path(keyring.source), [base64.b64encode(key).decode(), *texts])
    return Keyring(((key_id(key), key), *keyring.keys), keyring.source)


def drop_keys(keyring: Keyring, unused: set[str]) -> Keyring:
    """Remove keys no document uses any more from the key file (never the current one)."""
    kept = tuple((kid, k) for kid, k in keyring.keys
                 if kid == keyring.current_id or kid not in unused)
    if keyring.source != "env" and kept != keyring.keys:
        _write_key_file(Path(keyring.source), [base64.b64encode(k).decode() for _i, k in kept])
    return Keyring(kept, keyring.source)


def wrap_key(keyring: Keyring, document_id: uuid.UUID, document_key: bytes) -> tuple[str, bytes]:
    """(master key id, nonce + wrapped key) for the document key."""
    nonce = secrets.token_bytes(12)
    master = keyring.key(keyring.current_id)
    wrapped = AESGCM(master).encrypt(nonce, document_key, KEY_AAD + document_id.bytes)
    return keyring.current_id, nonce + wrapped


def unwrap_key(keyring: Keyring, document_id: uuid.UUID, master_id: str, wrapped: bytes) -> bytes:
    master = keyring.key(master_id)
    try:
        return AESGCM(master).decrypt(bytes(wrapped[:12]), bytes(wrapped[12:]),
                                      KEY_AAD + document_id.bytes)
    except InvalidTag:
        raise MasterKeyError(f"the master key {master_id} does not unwrap this document's "
                             "key: wrong master key, or the row was altered") from None


# ---------------------------------------------------------------------------------------------
# Places


@dataclass(frozen=True)
class Store:
    root: Path

    @property
    def tmp(self) -> Path:
        return self.root / "tmp"

    @property
    def files(self) -> Path:
        return self.root / "store"

    def part_path(self, document_id: uuid.UUID) -> Path:
        return self.tmp / f"{document_id}{PART_SUFFIX}"

    def path(self, document_id: uuid.UUID) -> Path:
        name = str(document_id)
        return self.files / name[:2] / f"{name}{STORED_SUFFIX}"

    def ensure(self) -> None:
        for folder in (self.root, self.tmp, self.files):
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)


def _nonce(counter: int, final: bool) -> bytes:
    return counter.to_bytes(11, "big") + (b"\x01" if final else b"\x00")


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# ---------------------------------------------------------------------------------------------
# Writing


class EncryptedUpload:
    """Encrypts a stream into the `.part` file as it arrives, counting and hashing it.

    `write()` raises TooLarge past `limit` bytes (the partial file is removed at once);
    `finish()` seals the last record and fsyncs; `commit()` renames into the store; `discard()`
    removes whatever is left. The plaintext is never written anywhere.
    """

    def __init__(self, store: Store, document_id: uuid.UUID, limit: int):
        store.ensure()
        self.store, self.document_id, self.limit = store, document_id, limit
        self.key = AESGCM.generate_key(bit_length=256)
        self._aead = AESGCM(self.key)
        self._aad = document_id.bytes
        self._buffer = bytearray()
        self._counter = 0
        self.size = 0
        self.sha256 = hashlib.sha256()
        self.part = store.part_path(document_id)
        fd = os.open(self.part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        self._file = os.fdopen(fd, "wb")
        self._file.write(MAGIC + struct.pack(">I", RECORD))
        self.finished = False

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.limit:
            self.discard()
            raise TooLarge()
        self.sha256.update(chunk)
        self._buffer += chunk
        # Keep at least one byte back: the last record is sealed with the final flag.
        while len(self._buffer) > RECORD:
            self._seal(bytes(self._buffer[:RECORD]), final=False)
            del self._buffer[:RECORD]

    def _seal(self, plain: bytes, *, final: bool) -> None:
        self._file.write(self._aead.encrypt(_nonce(self._counter, final), plain, self._aad))
        self._counter += 1

    def finish(self) -> None:
        self._seal(bytes(self._buffer), final=True)
        self._buffer.clear()
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        self.finished = True

    def commit(self) -> Path:
        """Move the sealed file into the store (atomic rename, directory synced)."""
        target = self.store.path(self.document_id)
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.replace(self.part, target)
        _fsync_dir(target.parent)
        return target

    def discard(self) -> None:
        if not self._file.closed:
            self._file.close()
        self.part.unlink(missing_ok=True)
        self.store.path(self.document_id).unlink(missing_ok=True)


# ---------------------------------------------------------------------------------------------
# Reading


def decrypt_file(path: Path, document_id: uuid.UUID, document_key: bytes) -> Iterator[bytes]:
    """The plaintext of a stored (or sealed .part) file, record by record; CorruptDocument if
    any record fails, including a file cut off at a record boundary."""
    aead = AESGCM(document_key)
    total = path.stat().st_size
    with path.open("rb") as handle:
        head = handle.read(len(MAGIC) + 4)
        if len(head) != len(MAGIC) + 4 or head[:len(MAGIC)] != MAGIC:
            raise CorruptDocument(f"{path.name} is not a Relais document file")
        (record,) = struct.unpack(">I", head[len(MAGIC):])
        counter = 0
        while True:
            sealed = handle.read(record + TAG)
            final = handle.tell() >= total
            if not sealed:
                raise CorruptDocument(f"{path.name} is cut off")
            try:
                yield aead.decrypt(_nonce(counter, final), sealed, document_id.bytes)
            except InvalidTag:
                raise CorruptDocument(f"{path.name} fails authentication") from None
            counter += 1
            if final:
                return


# ---------------------------------------------------------------------------------------------
# Removing


def remove(store: Store, document_id: uuid.UUID) -> None:
    store.path(document_id).unlink(missing_ok=True)
    store.part_path(document_id).unlink(missing_ok=True)


def stored_ids(store: Store) -> Iterator[tuple[uuid.UUID | None, Path]]:
    """Every file under the store and tmp folders, with the document id its name carries."""
    for folder, suffix in ((store.files, STORED_SUFFIX), (store.tmp, PART_SUFFIX)):
        if not folder.exists():
            continue
        for path in folder.rglob("*"):
            if not path.is_file():
                continue
            try:
                found = uuid.UUID(path.name.removesuffix(suffix))
            except ValueError:
                found = None
            yield found, path


def older_than(path: Path, seconds: float, now: float | None = None) -> bool:
    try:
        return (now or time.time()) - path.stat().st_mtime >= seconds
    except FileNotFoundError:
        return False
