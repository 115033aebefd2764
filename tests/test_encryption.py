"""Client documents are encrypted at rest; keys come from the configuration and can rotate."""

from __future__ import annotations

import stat
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot.app import document_cipher
from bot.config import ConfigError, Settings, load_settings
from bot.images.storage import DocumentStore
from bot.services.encryption import DocumentCipher, InvalidToken, key_from_data_dir
from tests.support.harness import Client, running_bot
from tests.support.image_samples import encode, make_document

JPEG = b"\xff\xd8\xff"


async def test_uploaded_documents_are_unreadable_on_disk(
    make_settings: Callable[..., Settings],
) -> None:
    key = Fernet.generate_key().decode()
    settings = make_settings(document_keys=key)
    async with running_bot(settings) as harness:
        client = Client(harness, user_id=6201, language_code="en")
        await client.press("app:start")
        await client.press("app:type:mainland_individual")
        await client.press("app:choose:filing_type:first")
        await client.press("app:choose:province:beijing")
        await client.press("app:choose:hosting_provider:aliyun")
        await client.send_document(encode(make_document((1800, 1150)), quality=92), "id.jpg")
    files = [p for p in (settings.data_dir / "documents").rglob("*") if p.is_file()]
    assert len(files) == 2
    for path in files:
        raw = path.read_bytes()
        assert not raw.startswith(JPEG)
        assert DocumentCipher([key]).decrypt(raw).startswith(JPEG)
        with pytest.raises(InvalidToken):
            DocumentCipher([Fernet.generate_key().decode()]).decrypt(raw)


def test_key_rotation(tmp_path: Path) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    written = DocumentStore(tmp_path, DocumentCipher([old])).save(b"passport scan", ".jpg")
    both = DocumentStore(tmp_path, DocumentCipher([new, old]))
    assert both.read(written.sha256, ".jpg") == b"passport scan"  # old files still readable
    assert both.rotate_all() == 1
    assert DocumentStore(tmp_path, DocumentCipher([new])).read(written.sha256, ".jpg") == (
        b"passport scan"
    )
    with pytest.raises(InvalidToken):
        DocumentStore(tmp_path, DocumentCipher([old])).read(written.sha256, ".jpg")


def test_a_key_is_created_in_the_data_directory_when_none_is_configured(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings()
    cipher = document_cipher(settings)
    key_file = settings.data_dir / "document.key"
    assert key_file.exists() and stat.S_IMODE(key_file.stat().st_mode) == 0o600
    again = document_cipher(settings)  # the same key next time
    assert again.decrypt(cipher.encrypt(b"x")) == b"x"


def test_processes_starting_at_once_agree_on_one_key(tmp_path: Path) -> None:
    with ThreadPoolExecutor(8) as pool:
        keys = set(pool.map(lambda _: key_from_data_dir(tmp_path), range(8)))
    assert len(keys) == 1 and Fernet(keys.pop().encode())
    assert [path.name for path in tmp_path.iterdir()] == ["document.key"]  # no drafts left


def test_bad_keys_are_refused_without_echoing_them() -> None:
    with pytest.raises(ConfigError) as error:
        load_settings(_env_file=None, bot_token="123456:abc", document_keys="not-a-key-SECRET")
    assert "DOCUMENT_KEYS" in str(error.value) and "SECRET" not in str(error.value)
