"""Encryption of stored client documents (identity papers) at rest, with key rotation.

Keys are Fernet keys (``cryptography``): the first encrypts, every listed key decrypts, so a new
key can be put first and the files re-encrypted with ``python -m bot.rotate_document_key``.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

log = logging.getLogger(__name__)

KEY_FILE = "document.key"


class DocumentCipher:
    """Encrypts and decrypts document bytes."""

    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise ValueError("at least one key is needed")
        self._fernet = MultiFernet([Fernet(key.encode()) for key in keys])

    def encrypt(self, data: bytes) -> bytes:
        """Encrypt with the first key."""
        return self._fernet.encrypt(data)

    def decrypt(self, token: bytes) -> bytes:
        """Decrypt with whichever listed key matches; raises InvalidToken otherwise."""
        return self._fernet.decrypt(token)

    def rotate(self, token: bytes) -> bytes:
        """Re-encrypt with the first key."""
        return self._fernet.rotate(token)


def is_valid_key(key: str) -> bool:
    """Whether a string is a Fernet key."""
    try:
        Fernet(key.encode())
    except (ValueError, TypeError):
        return False
    return True


def key_from_data_dir(data_dir: Path) -> str:
    """The key kept in the data directory, created on first use (when none is configured).

    The key file appears whole or not at all, and when several processes start at once they
    all end up with the one that was linked into place first.
    """
    path = data_dir / KEY_FILE
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    descriptor, draft = tempfile.mkstemp(prefix=".document-key-", dir=data_dir)  # mode 0600
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(Fernet.generate_key().decode() + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.link(draft, path)  # fails if another process got there first: use theirs
        log.warning(
            "No DOCUMENT_KEYS configured: created %s. Keep it safe and preferably move it into "
            "the configuration – without it the stored documents cannot be read.",
            path,
        )
    except FileExistsError:
        pass
    finally:
        Path(draft).unlink(missing_ok=True)
    return path.read_text(encoding="ascii").strip()


__all__ = ["DocumentCipher", "InvalidToken", "is_valid_key", "key_from_data_dir"]
