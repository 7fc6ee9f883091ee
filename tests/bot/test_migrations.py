"""The project's tables through Alembic (migrations/, bot/storage/migrate.py) on SQLite and PostgreSQL:
an empty database upgraded to the newest revision has exactly the schema the models declare (and
that ``metadata.create_all`` makes); upgrading again changes nothing; a database made by
``create_all`` before migrations existed is adopted with its rows; several processes starting at
once migrate once; Rasa's ``events`` table in the same database is left alone."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from contextlib import contextmanager
from typing import Any, Dict

import pytest
import sqlalchemy as sa

from bot.plugins.wechat.store import WeChatStore
from bot.settings import ROOT
from bot.staff.models import StaffDB
from bot.storage import db, migrate, tables
from bot.storage.assessments import Storage
from bot.storage.tables import AssessmentRow, User
from tests.bot.conftest import new_postgres_database


def schema(url: str) -> Dict[str, Any]:
    """Every project table as the database reports it: columns (type, nullability), primary key,
    indexes, foreign keys."""
    inspector = sa.inspect(sa.create_engine(url))
    found = {}
    for name in sorted(set(inspector.get_table_names()) & set(tables.metadata.tables)):
        found[name] = {
            "columns": [(c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(name)],
            "primary_key": inspector.get_pk_constraint(name)["constrained_columns"],
            "indexes": sorted(
                (i["name"], tuple(i["column_names"]), bool(i["unique"])) for i in inspector.get_indexes(name)
            ),
            "foreign_keys": sorted(
                (tuple(f["constrained_columns"]), f["referred_table"], tuple(f["referred_columns"]))
                for f in inspector.get_foreign_keys(name)
            ),
        }
    return found


def version_rows(url: str):
    with sa.create_engine(url).connect() as conn:
        return [r[0] for r in conn.execute(sa.text(f"select version_num from {migrate.VERSION_TABLE}"))]


def differences(url: str):
    with db.engine_for(url).connect() as conn:
        return migrate.schema_differences(conn)


def twin(url: str, tmp_path, name: str) -> str:
    """Another empty database of the same kind."""
    if url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / (name + '.db')}"
    return new_postgres_database(url)


def legacy_tables():
    """The tables as ``create_all`` made them before migrations existed: revision 0001's own
    definitions (the models have grown columns since)."""
    module = migrate.script_directory().get_revision("0001").module
    legacy = sa.MetaData()
    tables = []
    for name, (elements, indexes) in module._tables().items():
        table = sa.Table(name, legacy, *elements)
        for index, columns, unique in indexes:
            sa.Index(index, *[table.c[c] for c in columns], unique=unique)
        tables.append(table)
    return tables


def test_upgrade_from_empty_gives_exactly_the_models_schema(empty_db, tmp_path):
    before, after = migrate.upgrade(empty_db)
    assert before == () and after == migrate.head_revisions()
    assert differences(empty_db) == []  # alembic's autogenerate comparison against the models
    names = set(sa.inspect(sa.create_engine(empty_db)).get_table_names())
    assert names == set(tables.metadata.tables) | {migrate.VERSION_TABLE}
    # … and the same tables, columns, keys and indexes that metadata.create_all makes
    reference = twin(empty_db, tmp_path, "create_all")
    tables.metadata.create_all(sa.create_engine(reference))
    assert schema(empty_db) == schema(reference)


def test_upgrading_twice_is_a_no_op(empty_db):
    migrate.upgrade(empty_db)
    first = schema(empty_db)
    before, after = migrate.upgrade(empty_db)
    assert before == after == migrate.head_revisions()
    assert schema(empty_db) == first and version_rows(empty_db) == list(migrate.head_revisions())


def test_a_database_made_by_create_all_is_adopted_with_its_rows(empty_db):
    engine = sa.create_engine(empty_db)
    legacy_tables()[0].metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(
            sa.insert(AssessmentRow).values(
                case_code="ABCD2345",
                notice_id="changzhi-2022-engineering-mid-junior",
                level="engineer",
                verdict="eligible",
                facts='{"education": "bachelor"}',
                result='{"summary": "符合"}',
                channel="rest",
                sender_id="u1",
                created_at=dt.datetime(2025, 1, 2, 3, 4, 5),
            )
        )
        conn.execute(
            sa.insert(User).values(
                username="admin",
                display_name="管理员",
                password_hash="x",
                role="admin",
                active=True,
                created_at=dt.datetime(2025, 1, 1),
                password_changed_at=dt.datetime(2025, 1, 1),
            )
        )
    engine.dispose()
    before, after = migrate.upgrade(empty_db)
    assert before == () and after == migrate.head_revisions()  # stamped and upgraded, not failed
    assert differences(empty_db) == []
    found = Storage(empty_db).find_assessment("ABCD2345")
    assert found is not None and found.facts == {"education": "bachelor"} and found.sender_id == "u1"
    with StaffDB(empty_db).session() as s:
        assert [u.username for u in s.query(User)] == ["admin"]


def test_a_database_with_only_some_parts_tables_is_completed(tmp_path):
    """Before migrations each part created its own tables: a WeChat-only database is adopted too."""
    url = f"sqlite:///{tmp_path / 'wechat-only.db'}"
    wechat = [t for t in legacy_tables() if t.name.startswith("wechat_")]
    wechat[0].metadata.create_all(sa.create_engine(url), tables=wechat)
    migrate.upgrade(url)
    assert differences(url) == [] and version_rows(url) == list(migrate.head_revisions())


def test_a_table_of_the_same_name_but_other_columns_is_refused(tmp_path):
    url = f"sqlite:///{tmp_path / 'foreign.db'}"
    with sa.create_engine(url).begin() as conn:
        conn.exec_driver_sql("create table unanswered (id integer primary key, body text)")
    with pytest.raises(RuntimeError, match="unanswered"):
        migrate.upgrade(url)
    assert "assessments" not in sa.inspect(sa.create_engine(url)).get_table_names()  # nothing half done


def test_a_service_start_migrates_and_every_part_then_works(empty_db):
    migrate.on_start(empty_db)
    assert version_rows(empty_db) == list(migrate.head_revisions())
    assert differences(empty_db) == []
    assert WeChatStore(empty_db).claim_message("k1")
    assert Storage(empty_db).count_unanswered() == 0


def test_rasas_events_table_in_the_same_database_is_left_alone(empty_db):
    events = sa.Table(
        "events",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sender_id", sa.String(255)),
        sa.Column("timestamp", sa.Float),
    )
    engine = sa.create_engine(empty_db)
    events.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(sa.insert(events).values(sender_id="s", timestamp=1.0))
    migrate.upgrade(empty_db)
    assert differences(empty_db) == []  # not reported as a table to drop
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(events)).scalar_one() == 1


@contextmanager
def migration_lock_held(url: str):
    """Hold the lock bot.storage.migrate takes (PostgreSQL's advisory lock, SQLite's exclusive lock)."""
    engine = sa.create_engine(url, future=True)
    with engine.connect() as conn:
        if url.startswith("postgresql"):
            conn.execute(sa.text("select pg_advisory_lock(:k)"), {"k": migrate.ADVISORY_LOCK_KEY})
        else:
            conn.exec_driver_sql("BEGIN EXCLUSIVE")
        try:
            yield conn
        finally:
            if url.startswith("postgresql"):
                conn.execute(sa.text("select pg_advisory_unlock(:k)"), {"k": migrate.ADVISORY_LOCK_KEY})
            conn.rollback()
    engine.dispose()


def waiting_for_the_lock(conn) -> int:
    return conn.execute(sa.text("select count(*) from pg_locks where locktype = 'advisory' and not granted")).scalar()


def test_several_processes_starting_at_once_migrate_once(empty_db):
    """Four processes start while the lock is held; once it is released, one migrates and the
    three others find the newest revision and do nothing."""
    env = dict(os.environ, PYTHONPATH=ROOT, SQLALCHEMY_SILENCE_UBER_WARNING="1")
    with migration_lock_held(empty_db) as conn:
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "bot.storage.migrate", "upgrade", "--url", empty_db],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(4)
        ]
        deadline = time.monotonic() + 60
        if empty_db.startswith("postgresql"):  # all four queue on the advisory lock
            while waiting_for_the_lock(conn) < 4 and time.monotonic() < deadline:
                time.sleep(0.1)
            assert waiting_for_the_lock(conn) == 4
        else:  # SQLite: they wait on the exclusive lock (busy timeout, then bot.storage.migrate retries)
            time.sleep(3)
        assert all(p.poll() is None for p in procs)
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], outputs
    assert sum("升级到" in out for out, _ in outputs) == 1, outputs  # one migrated, the others found it done
    assert sum("无需迁移" in out for out, _ in outputs) == 3, outputs
    assert version_rows(empty_db) == list(migrate.head_revisions())
    assert differences(empty_db) == []


def test_the_command_line_reports_and_checks(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert migrate.main(["check", "--url", url]) == 1  # empty: behind
    assert migrate.main(["upgrade", "--url", url]) == 0
    assert migrate.main(["upgrade", "--url", url]) == 0
    assert migrate.main(["check", "--url", url]) == 0
    out = capsys.readouterr().out
    assert "升级到" in out and "无需迁移" in out and "当前版本 " + ",".join(migrate.head_revisions()) in out
