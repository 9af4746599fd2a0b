"""Job result files at rest: encrypted with the app's key, written to a part file and renamed into place.

The format is a small STREAM construction over AES-GCM: a magic string and a random 7-byte nonce prefix, then
records of (4-byte length, ciphertext) for chunks of at most CHUNK bytes. Each chunk's nonce is the prefix, its
counter and a last-chunk flag, and its associated data is the job id, so chunks cannot be reordered, swapped
between files or cut off at the end without the reader noticing. A large file never sits in memory.
"""

from __future__ import annotations

import os
import secrets
import shutil
import struct
from collections.abc import Iterator
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

MAGIC = b"ADVJOB1\n"
CHUNK = 1024 * 1024
PREFIX = 7
LENGTH = struct.Struct(">I")


class DamagedFile(Exception):  # noqa: N818 - the stored file is not what we wrote
    """A stored job file failed its integrity check (tampered, truncated, or another key)."""


def files_dir() -> Path:
    """Where job files live: outside the web root (instance/exports/ by default, JOB_FILES_DIR to move it)."""
    configured = current_app.config.get("JOB_FILES_DIR")
    path = Path(configured) if configured else Path(current_app.instance_path) / "exports"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def file_key() -> bytes:
    """A 256-bit key derived with HKDF from ADVOCACY_EXPORT_KEY when set, else from the app's secret key."""
    secret = current_app.config.get("EXPORT_KEY") or current_app.config["SECRET_KEY"]
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"advocacy job files v1")
    return hkdf.derive(secret.encode() if isinstance(secret, str) else secret)


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    return prefix + struct.pack(">I", counter) + (b"\x01" if last else b"\x00")


class EncryptedWriter:
    """A binary file-like object that encrypts what is written to `path`, chunk by chunk."""

    def __init__(self, path: Path, key: bytes, associated: str):
        self.aead = AESGCM(key)
        self.associated = associated.encode()
        self.prefix = secrets.token_bytes(PREFIX)
        self.counter = 0
        self.buffer = bytearray()
        self.file = open(path, "xb")  # noqa: SIM115 - closed in close()
        os.chmod(path, 0o600)
        self.file.write(MAGIC + self.prefix)
        self.closed = False

    def write(self, data: bytes) -> int:
        self.buffer += data
        while len(self.buffer) > CHUNK:  # keep at least one byte back: the last chunk is written by close()
            self._emit(bytes(self.buffer[:CHUNK]), last=False)
            del self.buffer[:CHUNK]
        return len(data)

    def _emit(self, plain: bytes, last: bool) -> None:
        sealed = self.aead.encrypt(_nonce(self.prefix, self.counter, last), plain, self.associated)
        self.file.write(LENGTH.pack(len(sealed)) + sealed)
        self.counter += 1

    def close(self) -> None:
        """Write the last chunk and flush the file to disk."""
        if self.closed:
            return
        self._emit(bytes(self.buffer), last=True)
        self.buffer.clear()
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.close()
        self.closed = True

    def abandon(self) -> None:
        if not self.file.closed:
            self.file.close()
        self.closed = True


def copy_into(source, target: EncryptedWriter) -> None:
    source.seek(0)
    shutil.copyfileobj(source, target, CHUNK)


def read_chunks(path: Path, key: bytes, associated: str) -> Iterator[bytes]:
    """The plaintext of a file written by EncryptedWriter, a chunk at a time; DamagedFile if it does not check."""
    aead = AESGCM(key)
    with open(path, "rb") as handle:
        if handle.read(len(MAGIC)) != MAGIC:
            raise DamagedFile("not a job file")
        prefix = handle.read(PREFIX)
        counter = 0
        header = handle.read(LENGTH.size)
        while True:
            if len(header) != LENGTH.size:
                raise DamagedFile("the file ends before its last chunk")
            sealed = handle.read(LENGTH.unpack(header)[0])
            header = handle.read(LENGTH.size)
            last = not header
            try:
                yield aead.decrypt(_nonce(prefix, counter, last), sealed, associated.encode())
            except InvalidTag:
                raise DamagedFile("the file does not check against its key") from None
            if last:
                return
            counter += 1


def remove(path: Path | None) -> None:
    if path is not None:
        path.unlink(missing_ok=True)
