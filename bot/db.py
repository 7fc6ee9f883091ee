"""The project's one database handle: one declarative ``Base`` (one ``MetaData``) for every table
the project owns — assessments and unanswered messages (``bot.storage``), the staff tables
(``bot.staff.models``) and the WeChat channel's tables (``bot.wechat.store``) — and one engine per
URL, shared by every part of a process that opens that URL (the transcript reader too).

SQLite files under var/ by default (``bot.settings``: ZHICHENG_DATABASE_URL), any SQLAlchemy URL
(PostgreSQL) otherwise. Nothing connects at import. The schema is owned by the Alembic migrations in
``migrations/`` (``bot.migrate``): the first part of a process that opens a URL brings that database
to the newest revision (creating it when empty, adopting one made by ``create_all`` before migrations
existed), so every process and every part sees one schema with one version.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Dict, Iterable, Optional

import sqlalchemy as sa
from sqlalchemy.orm import declarative_base, sessionmaker

Base = declarative_base()
metadata = Base.metadata

_engines: Dict[str, sa.engine.Engine] = {}
_lock = threading.Lock()


def _shared(url: str) -> bool:
    """An in-memory SQLite database is private to the engine that made it: never shared."""
    return not (url.startswith("sqlite") and (url in ("sqlite://", "sqlite:///:memory:") or "mode=memory" in url))


def engine_for(url: str) -> sa.engine.Engine:
    """The process's engine for ``url``, made on first use (a SQLite file's folder is created)."""
    if not _shared(url):
        return _new_engine(url)
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _engines[url] = _new_engine(url)
        return engine


def _new_engine(url: str) -> sa.engine.Engine:
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///") :]
        if path and path != ":memory:":
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    return sa.create_engine(url, future=True, pool_pre_ping=True)


def project_metadata() -> sa.MetaData:
    """The metadata with every project table declared: the modules that declare them are imported
    here, on demand, so migrations and comparisons never miss a table a process happened not to
    import."""
    import bot.feedback  # noqa: F401
    import bot.staff.models  # noqa: F401
    import bot.storage  # noqa: F401
    import bot.wechat.store  # noqa: F401

    return metadata


def open_engine(
    url: str, metadata: Optional[sa.MetaData] = None, tables: Optional[Iterable[sa.Table]] = None
) -> sa.engine.Engine:
    """The engine for ``url``. With the project's ``metadata`` the database is migrated to the
    newest revision first (once per URL and process: ``bot.migrate.ensure_schema``), whichever of
    its ``tables`` the caller uses; another metadata (a test's own) gets its missing tables
    created."""
    engine = engine_for(url)
    if metadata is Base.metadata:
        from bot.migrate import ensure_schema

        ensure_schema(engine)
    elif metadata is not None:
        create_tables(engine, metadata, tables=tables)
    return engine


def session_factory(engine: sa.engine.Engine, **options) -> sessionmaker:
    return sessionmaker(engine, future=True, **options)


def create_tables(
    engine: sa.engine.Engine, metadata: sa.MetaData, attempts: int = 3, tables: Optional[Iterable[sa.Table]] = None
) -> None:
    """Create missing tables, tolerating another process (a second worker or server) creating the
    same tables between SQLAlchemy's check and its CREATE."""
    tables = None if tables is None else list(tables)
    for attempt in range(attempts):
        try:
            metadata.create_all(engine, tables=tables)
            return
        except (sa.exc.OperationalError, sa.exc.ProgrammingError, sa.exc.IntegrityError):
            if attempt == attempts - 1:
                raise
            time.sleep(0.2)


def dispose(url: Optional[str] = None) -> None:
    """Close the pooled connections of one URL's engine (or of all); the engine stays usable."""
    with _lock:
        engines = list(_engines.values()) if url is None else [e for u, e in _engines.items() if u == url]
    for engine in engines:
        engine.dispose()
