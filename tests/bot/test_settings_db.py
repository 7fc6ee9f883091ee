"""One settings module (sections, each default once) and one database handle (one Base, one
engine per URL) for every part."""

from __future__ import annotations

import dataclasses

import pytest
import sqlalchemy as sa

import bot.settings as settings
from bot.plugins.wechat import settings as wechat_settings
from bot.plugins.wechat.store import WeChatStore
from bot.staff import settings as staff_settings
from bot.staff.models import StaffDB
from bot.storage import db, tables
from bot.storage.assessments import Storage


def test_the_sections_read_from_an_empty_environment_are_the_written_defaults():
    s = settings.get_settings({})
    assert s.core == settings.CoreSettings()
    assert s.rasa == settings.RasaSettings()
    assert s.action == settings.ActionServerSettings()
    assert s.staff == settings.StaffSettings()
    assert s.security == settings.SecuritySettings()
    assert s.retention == settings.RetentionSettings()
    wechat = dataclasses.replace(s.wechat, database_url="")
    assert wechat == settings.WeChatSettings()


def test_the_sections_agree_where_they_share_a_variable():
    env = {
        "ZHICHENG_DATABASE_URL": "sqlite:///x.db",
        "ZHICHENG_TODAY": "2024-10-30",
        "RASA_AUTH_TOKEN": "t",
        "RASA_URL": "http://rasa:5005/",
        "ACTION_SERVER_TOKEN": "a",
        "RASA_PORT": "6000",
    }
    s = settings.get_settings(env)
    assert s.staff.database_url == s.core.database_url == s.database_url == "sqlite:///x.db"
    assert s.staff.today() == s.core.today() == s.today()
    assert s.staff.rasa_token == s.rasa.token == "t" and s.staff.rasa_url == s.rasa.url == "http://rasa:5005"
    assert s.security.action_token == s.action.token == "a" and s.security.rasa_port == s.rasa.port == 6000


def test_a_bad_variable_of_one_section_does_not_stop_the_others():
    s = settings.get_settings({"STAFF_COOKIE_SECURE": "sometimes", "ZHICHENG_CORS_ORIGINS": "*", "WECHAT_MODE": "x"})
    assert s.core.database_url and s.action.port == settings.DEFAULT_ACTION_PORT
    for section in ("staff", "rasa", "wechat"):
        with pytest.raises(settings.SettingsError):
            getattr(s, section)


def test_the_package_settings_modules_only_re_export():
    assert staff_settings.StaffSettings is settings.StaffSettings
    assert staff_settings.get_staff_settings is settings.get_staff_settings
    assert wechat_settings.WeChatSettings is settings.WeChatSettings
    assert issubclass(wechat_settings.WeChatSettingsError, settings.SettingsError)
    assert wechat_settings.from_env({"WECHAT_TOKEN": "x"}).token == "x"


def test_one_base_holds_every_project_table():
    assert set(tables.metadata.tables) >= {
        "assessments",
        "unanswered",
        "staff_users",
        "staff_sessions",
        "staff_audit_log",
        "wechat_access_tokens",
        "wechat_messages",
        "wechat_choices",
    }


def test_one_engine_per_url_and_opening_never_migrates_but_a_start_migrates_everything(tmp_path):
    """One engine per URL for every part; opening a database has no side effect on its schema, and
    what a service runs on start (bot.storage.migrate.on_start) brings all of the project's tables,
    not only that part's, to the newest revision."""
    from bot.storage import migrate

    everything = set(tables.metadata.tables) | {migrate.VERSION_TABLE}
    url = f"sqlite:///{tmp_path / 'one.db'}"
    storage = Storage(url)
    assert storage.engine is StaffDB(url).engine is db.engine_for(url)
    assert sa.inspect(storage.engine).get_table_names() == []
    migrate.on_start(url)
    assert set(sa.inspect(storage.engine).get_table_names()) == everything
    other = f"sqlite:///{tmp_path / 'wechat.db'}"
    store = WeChatStore(other)
    assert store.engine is not storage.engine
    assert sa.inspect(store.engine).get_table_names() == []


def test_in_memory_databases_are_never_shared():
    assert db.engine_for("sqlite://") is not db.engine_for("sqlite://")


def test_today_is_the_beijing_day_on_a_server_whose_clock_is_utc(monkeypatch):
    """A deadline day ends at midnight in Beijing, 16:00 UTC: the applicant's and the staff's today
    follow Beijing, not the server's own date; ZHICHENG_TODAY still wins."""
    import datetime as dt

    import bot.settings

    monkeypatch.setattr(bot.settings, "utc_now", lambda: dt.datetime(2020, 9, 11, 16, 30, tzinfo=dt.timezone.utc))
    assert settings.get_settings({}).today() == dt.date(2020, 9, 12)
    assert settings.get_staff_settings({}).today() == dt.date(2020, 9, 12)
    assert settings.get_staff_settings({"STAFF_TIMEZONE": "UTC"}).today() == dt.date(2020, 9, 11)
    assert settings.get_settings({"ZHICHENG_TODAY": "2020-09-11"}).today() == dt.date(2020, 9, 11)
