"""Engine and session factory, SQLite tuning, and applying migrations at start."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from storage.tracking import TrackingSession

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
MIGRATION_LOCK = 7_423_001  # advisory lock id held while migrating (PostgreSQL)
DEFAULT_MAX_CONNECTIONS = 40  # per process, PostgreSQL


class Database:
    """Owns the async engine and hands out sessions."""

    def __init__(self, url: str, max_connections: int = DEFAULT_MAX_CONNECTIONS) -> None:
        self.url = make_url(url)
        self.engine: AsyncEngine = create_async_engine(
            self.url, **_engine_options(url, max_connections)
        )
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _tune_sqlite)
        self.sessions: async_sessionmaker[AsyncSession] = async_sessionmaker(
            self.engine, expire_on_commit=False, sync_session_class=TrackingSession
        )

    @property
    def is_sqlite(self) -> bool:
        """Whether the backend is SQLite."""
        return self.url.get_backend_name() == "sqlite"

    async def migrate(self) -> None:
        """Bring the schema up to the newest Alembic revision."""
        database = self.url.database
        if self.is_sqlite and database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        async with self.engine.begin() as connection:
            if self.is_sqlite:  # all or nothing: Python's sqlite3 opens no transaction for DDL
                await connection.exec_driver_sql("BEGIN IMMEDIATE")
            else:  # several processes may start at once: one migrates
                await connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK}
                )
            await connection.run_sync(_upgrade_to_head)
        log.info("Database schema is up to date")

    @asynccontextmanager
    async def exclusive(self, key: int) -> AsyncIterator[AsyncConnection | None]:
        """Hold a lock on ``key`` shared by every process using this database (PostgreSQL
        advisory lock, on a connection of its own, which it yields so that the work done under
        the lock can use it too); on SQLite, with one process, a no-op that yields None."""
        if self.is_sqlite:
            yield None
            return
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
            await connection.commit()
            try:
                yield connection
            finally:
                await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                await connection.commit()

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()


def alembic_config() -> Config:
    """An Alembic configuration pointing at this package's migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def _upgrade_to_head(connection: Connection) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def _engine_options(url: str, max_connections: int) -> dict[str, Any]:
    if make_url(url).get_backend_name() == "sqlite":
        # One connection, taken in turn: SQLite has a single writer anyway, and waiting in the
        # pool's queue is fair and immediate where SQLite's busy handler sleeps and retries.
        # Sessions release it at every commit, and commit before each Bot API call.
        return {"connect_args": {"timeout": 30}, "pool_size": 1, "max_overflow": 0}
    # A bounded pool: waiting for a free connection here is better than PostgreSQL refusing
    # new ones when several processes share its max_connections (100 by default).
    return {"pool_pre_ping": True, "pool_size": max_connections, "max_overflow": 0}


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    """WAL lets readers work while one writer writes; foreign keys are off by default."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
