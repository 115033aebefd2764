"""Content-addressed file store for documents: root/<2 hex>/<sha256><suffix>, encrypted at
rest when a cipher is given (the name is the hash of the plain content)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

TEMP_PREFIX = ".tmp-"
SUFFIX = re.compile(r"\.[a-z0-9]{1,8}")
SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class StoredFile:
    """A file in the store."""

    path: Path
    sha256: str
    size: int


class Cipher(Protocol):
    """What the store needs to encrypt at rest."""

    def encrypt(self, data: bytes) -> bytes: ...

    def decrypt(self, token: bytes) -> bytes: ...

    def rotate(self, token: bytes) -> bytes: ...


class DocumentStore:
    """Writes files atomically under their content hash; the same content is stored once."""

    def __init__(self, root: Path, cipher: Cipher | None = None) -> None:
        self.root = root
        self.cipher = cipher

    def path_for(self, sha256: str, suffix: str) -> Path:
        """Where content with this hash and suffix lives (validated: no path tricks)."""
        if not SHA256.fullmatch(sha256):
            raise ValueError(f"not a sha256 hex digest: {sha256!r}")
        if not SUFFIX.fullmatch(suffix):
            raise ValueError(f"bad suffix: {suffix!r}")
        return self.root / sha256[:2] / f"{sha256}{suffix}"

    def save(self, data: bytes, suffix: str) -> StoredFile:
        """Store ``data``: temp file in the target directory, fsync, then ``os.replace``."""
        sha256 = hashlib.sha256(data).hexdigest()
        path = self.path_for(sha256, suffix)
        if path.is_file() and (self.cipher is not None or path.stat().st_size == len(data)):
            return StoredFile(path, sha256, len(data))  # already stored: same content
        self._write(path, self.cipher.encrypt(data) if self.cipher else data)
        return StoredFile(path, sha256, len(data))

    def read(self, sha256: str, suffix: str) -> bytes:
        """The plain content of a stored file."""
        raw = self.path_for(sha256, suffix).read_bytes()
        return self.cipher.decrypt(raw) if self.cipher else raw

    def rotate_all(self) -> int:
        """Re-encrypt every stored file with the cipher's current key; returns how many."""
        if self.cipher is None:
            return 0
        count = 0
        for path in self.orphans(set()):
            if path.name.startswith(TEMP_PREFIX):
                continue
            self._write(path, self.cipher.rotate(path.read_bytes()))
            count += 1
        return count

    def _write(self, path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=path.parent)
        temp = Path(temp_name)
        try:
            with os.fdopen(descriptor, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            temp.replace(path)  # os.replace: atomic within one directory
        except BaseException:
            with contextlib.suppress(OSError):
                temp.unlink()
            raise
        _fsync_directory(path.parent)

    def remove(self, sha256: str, suffix: str) -> None:
        """Delete a stored file; a missing one is not an error."""
        self.path_for(sha256, suffix).unlink(missing_ok=True)

    def orphans(self, known: set[str], older_than_seconds: float = 0) -> list[Path]:
        """Files whose hash is not in ``known``, plus temp files left by an interrupted save;
        only those last written more than ``older_than_seconds`` ago (another process sharing
        the store may be between writing a file and recording it)."""
        written_before = time.time() - older_than_seconds
        found: list[Path] = []
        if not self.root.is_dir():
            return found
        for directory in sorted(self.root.iterdir()):
            if not directory.is_dir() or not re.fullmatch(r"[0-9a-f]{2}", directory.name):
                continue
            for path in sorted(directory.iterdir()):
                if not path.is_file():
                    continue
                sha256 = path.name.split(".", 1)[0]
                unknown = path.name.startswith(TEMP_PREFIX) or sha256 not in known
                if unknown and path.stat().st_mtime < written_before:
                    found.append(path)
        return found


def _fsync_directory(directory: Path) -> None:
    """Make the rename durable (best effort: not every platform can open a directory)."""
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
