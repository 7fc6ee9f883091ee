"""Opening the project's SQL databases: SQLite files under var/ by default, any SQLAlchemy URL
(PostgreSQL) otherwise. Used by the assessment storage, the staff tables, the WeChat channel's
tables and the transcript reader, so that all of them open a database the same way."""
from __future__ import annotations

import os
import time
from typing import Optional

import sqlalchemy as sa


def open_engine(url: str, metadata: Optional[sa.MetaData] = None) -> sa.engine.Engine:
    """An engine for ``url`` (a SQLite file's folder is created); with ``metadata``, its tables
    are created when missing."""
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///"):]
        if path and path != ":memory:":
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    engine = sa.create_engine(url, future=True, pool_pre_ping=True)
    if metadata is not None:
        create_tables(engine, metadata)
    return engine


def create_tables(engine: sa.engine.Engine, metadata: sa.MetaData, attempts: int = 3) -> None:
    """Create missing tables, tolerating another process (a second worker or server) creating the
    same tables between SQLAlchemy's check and its CREATE."""
    for attempt in range(attempts):
        try:
            metadata.create_all(engine)
            return
        except (sa.exc.OperationalError, sa.exc.ProgrammingError, sa.exc.IntegrityError):
            if attempt == attempts - 1:
                raise
            time.sleep(0.2)
