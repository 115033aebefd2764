"""Re-encrypt every stored document with the current key: ``python -m bot.rotate_document_key``.

To rotate: put a new key first in DOCUMENT_KEYS (keep the old one after it), run this, then
remove the old key. See the README.
"""

from __future__ import annotations

import sys

from bot.app import document_cipher
from bot.config import ConfigError, load_settings
from bot.images.storage import DocumentStore
from bot.services.encryption import InvalidToken


def main() -> int:
    """Rotate all files; exit 1 when a file cannot be decrypted with any configured key."""
    try:
        settings = load_settings()
    except ConfigError as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        return 2
    store = DocumentStore(settings.data_dir / "documents", document_cipher(settings))
    try:
        count = store.rotate_all()
    except InvalidToken:
        print("A stored file cannot be decrypted with any configured key.", file=sys.stderr)
        return 1
    print(f"Re-encrypted {count} files with the current key.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
