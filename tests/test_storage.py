"""Storage: migrations at start, SQLite in WAL mode, clients and processed updates."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.operations import Operations
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from bot.services.clients import ClientService, TelegramPerson, language_of
from storage.database import Database, alembic_config
from storage.models import Base
from storage.repositories import ProcessedUpdateRepository
from tests.conftest import POSTGRES_URL


async def test_migrations_build_the_schema_in_wal_mode(tmp_path: Path) -> None:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'nested' / 'bot.sqlite3'}")
    await database.migrate()
    await database.migrate()  # a second start is a no-op
    async with database.engine.connect() as connection:
        tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
        mode = (await connection.execute(text("PRAGMA journal_mode"))).scalar()
        revision = (
            await connection.execute(text("SELECT version_num FROM alembic_version"))
        ).scalar()
    assert {"clients", "questions", "processed_updates", "applications", "bookings"} <= set(tables)
    assert mode == "wal"
    assert revision == ScriptDirectory.from_config(alembic_config()).get_current_head()
    await database.dispose()


async def test_client_is_created_once_and_refreshed(tmp_path: Path) -> None:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}")
    await database.migrate()
    async with database.sessions() as session:
        service = ClientService(session)
        first = await service.touch(TelegramPerson(42, "Anna", language_code="zh-hk"))
        await session.commit()
        again = await service.touch(TelegramPerson(42, "Anna-Maria", username="anna"))
        await session.commit()
    assert first.id == again.id
    assert again.first_name == "Anna-Maria" and again.username == "anna"
    assert again.telegram_language == "zh-hk"  # kept when Telegram omits it
    assert language_of(again, "en") == "zh_Hant"
    ClientService.choose_language(again, "en")
    assert language_of(again, "zh_Hans") == "en"
    await database.dispose()


async def test_processed_updates_are_remembered(tmp_path: Path) -> None:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}")
    await database.migrate()
    async with database.sessions() as session:
        repository = ProcessedUpdateRepository(session)
        assert not await repository.seen(7)
        await repository.mark(7)
        await session.commit()
        assert await repository.seen(7)
    await database.dispose()


async def test_migrations_match_the_models(tmp_path: Path) -> None:
    database = Database(POSTGRES_URL or f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}")
    await database.migrate()

    def differences(connection: Connection) -> list:
        return compare_metadata(MigrationContext.configure(connection), Base.metadata)

    async with database.engine.connect() as connection:
        assert await connection.run_sync(differences) == []
    await database.dispose()


async def test_an_interrupted_migration_leaves_nothing_half_done(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = POSTGRES_URL or f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
    create_table = Operations.create_table
    created = 0

    def crash_on_the_third_table(self: Operations, *args: object, **kwargs: object) -> object:
        nonlocal created
        created += 1
        if created == 3:
            raise RuntimeError("the process died here")
        return create_table(self, *args, **kwargs)

    monkeypatch.setattr(Operations, "create_table", crash_on_the_third_table)
    database = Database(url)
    with pytest.raises(RuntimeError):
        await database.migrate()
    async with database.engine.connect() as connection:
        tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    assert tables == []  # no table of the failed migration remains
    monkeypatch.setattr(Operations, "create_table", create_table)
    await database.migrate()  # the next start migrates from scratch
    async with database.engine.connect() as connection:
        tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    assert {"clients", "processed_updates", "alembic_version"} <= set(tables)
    await database.dispose()
