"""The project's one way to a database: ``Database(url)``, with one engine per URL shared by every
part of a process that opens that URL (the repositories, the transcript reader, the purge).

A leaf: it imports nothing of the project. The tables are declared in ``bot.storage.tables``; the
schema is brought to the newest revision explicitly, by ``bot.storage.migrate`` when a service
starts (``on_start``) or by ``make migrate`` — never as a side effect of opening a database.
SQLite files under var/ by default (``bot.settings``: ZHICHENG_DATABASE_URL), any SQLAlchemy URL
(PostgreSQL) otherwise. Nothing connects at import.
"""

from __future__ import annotations

import os
import threading
from typing import Any, Dict, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

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


class Database:
    """One database by URL: its (shared) engine and sessions. Cheap to make; connects on first use."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine: Optional[sa.engine.Engine] = None
        self._sessions: Dict[bool, sessionmaker] = {}

    @property
    def engine(self) -> sa.engine.Engine:
        if self._engine is None:
            self._engine = engine_for(self.url)
        return self._engine

    def session(self, expire_on_commit: bool = True, **options: Any) -> Session:
        """A new ORM session (use it as a context manager)."""
        factory = self._sessions.get(expire_on_commit)
        if factory is None:
            factory = self._sessions[expire_on_commit] = sessionmaker(
                self.engine, future=True, expire_on_commit=expire_on_commit
            )
        return factory(**options)

    def dispose(self) -> None:
        """Close the pooled connections; the engine stays usable."""
        if self._engine is not None:
            self._engine.dispose()


def dispose(url: Optional[str] = None) -> None:
    """Close the pooled connections of one URL's engine (or of all); the engines stay usable."""
    with _lock:
        engines = list(_engines.values()) if url is None else [e for u, e in _engines.items() if u == url]
    for engine in engines:
        engine.dispose()
