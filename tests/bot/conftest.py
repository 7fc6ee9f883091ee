"""Empty databases of both kinds the project runs on, for the schema and retention tests: a SQLite
file, and a fresh database on the session's throwaway PostgreSQL server (``pg_server``,
tests/conftest.py; never mocked)."""

from __future__ import annotations

import uuid
from typing import Iterator

import pytest
import sqlalchemy as sa

from bot.storage import db


def new_postgres_database(server_url: str) -> str:
    """A new, empty database on the server of ``server_url``; its URL."""
    name = f"zhicheng_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    admin.dispose()
    return server_url.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db(request, tmp_path) -> Iterator[str]:
    """The URL of an empty database: a SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'zhicheng.db'}"
    else:
        url = new_postgres_database(request.getfixturevalue("pg_server"))
    yield url
    db.dispose(url)


@pytest.fixture
def project_db(empty_db) -> str:
    """``empty_db`` brought to the newest schema, as a service does on start."""
    from bot.storage import migrate

    migrate.upgrade(empty_db)
    return empty_db
