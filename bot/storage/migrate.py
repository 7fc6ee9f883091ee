"""The project's schema through Alembic (``migrations/``): bring a database to the newest revision.

Why here and not ``metadata.create_all``: ``create_all`` only ever adds missing tables, so a changed
column never reaches a database that already exists. Every schema change is a revision in
``migrations/versions/``, and migrating is always explicit: every service runs :func:`on_start`
before it serves (Rasa through ``bot.plugins.rasa_main``, the action server, the staff app), the
purge before it deletes, the production profile and ``make run`` before they start anything, so a
database that is empty or behind is upgraded on start and one already at the newest revision costs
one small query. Opening a database (``bot.storage.db.Database``) never migrates it.

- **Several processes at once** (Rasa servers, action server, staff page starting together): the
  check and the upgrade run in one transaction holding a database-wide lock — PostgreSQL's
  ``pg_advisory_xact_lock``, SQLite's ``BEGIN EXCLUSIVE`` — so one process migrates and the
  others, waiting on the lock, then find the newest revision and do nothing. Other databases rely
  on Alembic's version table and a retry.
- **Databases made before migrations existed** (tables created by ``create_all``, no version
  table): the first revision creates only the tables that are missing, so such a database is
  adopted — stamped at that revision and upgraded from there — never failed or rebuilt.
- **Idempotent**: at the newest revision, nothing is done.

``python -m bot.storage.migrate`` (``make migrate``) upgrades ``ZHICHENG_DATABASE_URL``; ``current`` prints
the database's revision and the newest one; ``check`` exits 1 when the database is behind or its
tables differ from the models. Nothing runs at import.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
import time
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Set, Tuple

import sqlalchemy as sa

from bot.settings import ROOT

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = os.path.join(ROOT, "migrations")
VERSION_TABLE = "alembic_version"
# Any 64-bit number, the same in every process: PostgreSQL's advisory lock for this schema.
ADVISORY_LOCK_KEY = 0x7A686963686E67  # "zhichng"
ATTEMPTS = 5

_done: Set[int] = set()  # engines (by id) already brought to head in this process
_done_lock = threading.Lock()
_script: Optional[ScriptDirectory] = None


def alembic_config(connection: Optional[sa.engine.Connection] = None, url: Optional[str] = None) -> Config:
    """Alembic's configuration without an ini file: the scripts in ``migrations/``; the connection
    (or URL) to work on is passed to ``migrations/env.py`` in ``attributes``."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", MIGRATIONS_DIR)
    if connection is not None:
        config.attributes["connection"] = connection
    if url is not None:
        config.attributes["url"] = url
    return config


def script_directory() -> ScriptDirectory:
    """The revisions, read once per process."""
    global _script
    if _script is None:
        from alembic.script import ScriptDirectory

        _script = ScriptDirectory.from_config(alembic_config())
    return _script


def head_revisions() -> Tuple[str, ...]:
    return tuple(sorted(script_directory().get_heads()))


def current_revisions(connection: sa.engine.Connection) -> Tuple[str, ...]:
    """The revisions recorded in the database (empty: never migrated). Read directly, without an
    Alembic context, so the check every process makes on start stays quiet and cheap."""
    if not sa.inspect(connection).has_table(VERSION_TABLE):
        return ()
    rows = connection.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}"))
    return tuple(sorted(r[0] for r in rows))


def _is_known(revisions: Tuple[str, ...]) -> bool:
    script = script_directory()
    try:
        return all(script.get_revision(r) is not None for r in revisions)
    except Exception:  # alembic raises for an unknown revision id
        return False


def _lock(connection: sa.engine.Connection) -> None:
    """Take the database-wide migration lock inside the connection's (new) transaction; it is
    released when that transaction ends."""
    dialect = connection.dialect.name
    if dialect == "postgresql":
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
    elif dialect == "sqlite":
        # pysqlite never begins a transaction before DDL by itself: begin one, exclusively, so the
        # check and every CREATE are one unit and a second process waits (its busy timeout) here.
        connection.exec_driver_sql("BEGIN EXCLUSIVE")
    # other dialects: the version table's primary key and the retry in ensure_schema


def _upgrade_locked(engine: sa.engine.Engine, target: str = "heads") -> Tuple[Tuple[str, ...], Tuple[str, ...]]:
    """Lock, look again, and upgrade in one transaction. Returns (before, after)."""
    from alembic import command

    with engine.connect() as connection:
        _lock(connection)
        before = current_revisions(connection)
        if before == head_revisions() and target == "heads":
            connection.rollback()
            return before, before
        if before and not _is_known(before):
            connection.rollback()
            return before, before
        command.upgrade(alembic_config(connection=connection), target)
        after = current_revisions(connection)
        connection.commit()
        return before, after


def _migrate(engine: sa.engine.Engine) -> Tuple[Tuple[str, ...], Tuple[str, ...]]:
    """Look (without the lock), and upgrade under the lock when behind: (before, after) as this
    process found and left them. Retried when another process holds the lock too long or a
    database without such a lock reports a table created concurrently."""
    heads = head_revisions()
    error: Optional[BaseException] = None
    for attempt in range(ATTEMPTS):
        # A database that cannot be reached is not retried here: waiting would only delay the
        # caller's own handling (a WeChat answer must still go out in time; first use retries).
        connection = engine.connect()
        try:
            with connection:
                current = current_revisions(connection)
            if current == heads:
                return current, current
            if current and not _is_known(current):
                logger.warning(
                    "database schema is at %s, newer than this code knows (%s); not migrating",
                    ",".join(current),
                    ",".join(heads),
                )
                return current, current
            return _upgrade_locked(engine)
        except (sa.exc.OperationalError, sa.exc.ProgrammingError, sa.exc.IntegrityError) as exc:
            error = exc
            time.sleep(0.2 * (attempt + 1))
    assert error is not None
    raise error


def _remember(engine: sa.engine.Engine) -> None:
    if engine.url.database not in (None, "", ":memory:"):  # in-memory engines are never shared
        with _done_lock:
            _done.add(id(engine))


def ensure_schema(engine: sa.engine.Engine) -> Tuple[str, ...]:
    """Bring the project database behind ``engine`` to the newest revision, once per process
    (the engines of ``bot.storage.db.engine_for`` live as long as the process).

    Safe to call from several processes at once (see the module docstring). Returns the
    revisions the database is at afterwards."""
    with _done_lock:
        if id(engine) in _done:
            return head_revisions()
    before, after = _migrate(engine)
    if before != after:
        logger.info("database schema migrated from %s to %s", ",".join(before) or "nothing", ",".join(after))
    _remember(engine)
    return after


def upgrade(url: str) -> Tuple[Tuple[str, ...], Tuple[str, ...]]:
    """Bring the database at ``url`` to the newest revision now (not memoised). Returns (before,
    after) as this process found and left them: equal when it had nothing to do, also when
    another process migrated meanwhile."""
    from bot.storage.db import engine_for

    engine = engine_for(url)
    before, after = _migrate(engine)
    _remember(engine)
    return before, after


def on_start(url: str) -> None:
    """What a service calls before it serves: migrate now. A database that cannot be reached yet is
    logged, not fatal — the service still answers what needs no database; run ``make migrate`` (or
    restart the service) once the database is back if it was never migrated."""
    from bot.storage.db import engine_for

    try:
        engine = engine_for(url)
        ensure_schema(engine)
        engine.dispose()  # no connection crosses a fork of the server's workers
    except Exception:  # noqa: BLE001 — logged with its traceback
        logger.exception("could not migrate the project database at start (make migrate once it is reachable)")


def schema_differences(connection: sa.engine.Connection) -> List[Any]:
    """What Alembic's autogenerate finds between the database and the models (empty: they agree).
    Tables that are not the project's (Rasa's ``events`` when both share a database) are ignored."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from bot.storage.tables import metadata

    context = MigrationContext.configure(
        connection,
        opts={
            "compare_type": True,
            "compare_server_default": True,
            "version_table": VERSION_TABLE,
            "include_name": include_name(metadata),
        },
    )
    differences: List[Any] = compare_metadata(context, metadata)
    return differences


def include_name(metadata: sa.MetaData) -> Callable[[Optional[str], str, Dict[str, Any]], bool]:
    """Alembic's ``include_name`` hook: only the project's own tables (and what belongs to them)."""
    names = set(metadata.tables)

    def include(name: Optional[str], type_: str, parent_names: Dict[str, Any]) -> bool:
        if type_ == "table":
            return name in names
        return True

    return include


# --- command line ---------------------------------------------------------------------------------
def main(argv: Optional[List[str]] = None) -> int:
    from bot.settings import get_settings
    from bot.storage.db import engine_for

    parser = argparse.ArgumentParser(
        prog="python -m bot.storage.migrate", description="把项目数据库升级到最新的表结构（Alembic 迁移）"
    )
    parser.add_argument(
        "command",
        nargs="?",
        default="upgrade",
        choices=("upgrade", "current", "check"),
        help="upgrade：升级（默认）；current：显示当前版本；check：落后或与模型不一致时返回 1",
    )
    parser.add_argument("--url", help="数据库 URL（默认 ZHICHENG_DATABASE_URL）")
    args = parser.parse_args(argv)
    url = args.url or get_settings().core.database_url
    shown = sa.engine.make_url(url).render_as_string(hide_password=True)
    heads = ",".join(head_revisions())
    if args.command == "upgrade":
        before, after = upgrade(url)
        if before == after:
            print(f"{shown}：已是最新版本 {','.join(after)}，无需迁移。")
        else:
            print(f"{shown}：已从 {','.join(before) or '空库/旧库'} 升级到 {','.join(after)}。")
        return 0
    with engine_for(url).connect() as connection:
        current = ",".join(current_revisions(connection)) or "无（未迁移）"
        differences = schema_differences(connection) if args.command == "check" else []
    print(f"{shown}：当前版本 {current}，最新版本 {heads}。")
    if args.command == "check":
        for diff in differences:
            print(f"  与模型不一致：{diff}")
        return 0 if current == heads and not differences else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
