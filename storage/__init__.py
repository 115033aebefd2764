"""Persistence: SQLAlchemy models, engine and sessions, repositories and Alembic migrations."""
