"""Fixtures for the staff service: an app on a fresh database with one admin and one staff
account, a logged-in aiohttp test client, and the real Rasa stack (the run's shared one)."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Dict, Optional

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.staff.app import create_app
from bot.staff.auth import create_user, list_users
from bot.staff.models import StaffDB
from bot.staff.settings import StaffSettings, get_staff_settings
from tests.helpers import free_port, from_template, migrated

TODAY = "2024-10-30"
ADMIN = ("admin", "admin-pass-123")
STAFF = ("zhangsan", "staff-pass-456")
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    m = _CSRF.search(html)
    assert m, "no CSRF token on the page"
    return m.group(1)


def staff_settings(workdir: Path, rasa_url: Optional[str] = None, **overrides) -> StaffSettings:
    base = get_staff_settings({"ZHICHENG_TODAY": TODAY})
    values = {
        "database_url": f"sqlite:///{workdir / 'zhicheng.db'}",
        "tracker_store_url": f"sqlite:///{workdir / 'tracker.db'}",
        "rasa_url": rasa_url or f"http://127.0.0.1:{free_port()}",
        "rasa_timeout": 1.0,
    }
    return replace(base, **{**values, **overrides})


def add_accounts(database_url: str) -> None:
    """The test admin and staff accounts (kept if they exist: the Rasa stack's database is shared).
    A new SQLite file is a copy of one database made once per run with both accounts: each account
    costs an argon2id hash (deliberately slow), and most staff tests start from a new database."""
    if not from_template(database_url, "accounts", _create_accounts):
        _create_accounts(database_url)


def _create_accounts(database_url: str) -> None:
    db = StaffDB(migrated(database_url))
    names = {u.username for u in list_users(db)}
    if ADMIN[0] not in names:
        create_user(db, ADMIN[0], ADMIN[1], role="admin", display_name="管理员")
    if STAFF[0] not in names:
        create_user(db, STAFF[0], STAFF[1], role="staff", display_name="张三")
    db.dispose()


_FORM = re.compile(r'<form method="post" action="([^"]+)"[^>]*>(.*?)</form>', re.S)
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')
_FORMACTION = re.compile(r'formaction="([^"]+)"')


def export_forms(html: str) -> Dict[str, Dict[str, str]]:
    """The download forms on a page: each URL they post to (action and formaction) → hidden fields."""
    import html as html_lib

    forms: Dict[str, Dict[str, str]] = {}
    for action, body in _FORM.findall(html):
        fields = {name: html_lib.unescape(value) for name, value in _HIDDEN.findall(body)}
        for url in [action, *_FORMACTION.findall(body)]:
            forms[url] = fields
    return forms


async def download(client: TestClient, page: str, url: str):
    """What a browser does when the export button is pressed: open ``page`` and submit its form to
    ``url`` (a POST with the session's CSRF token and the page's period)."""
    forms = export_forms(await (await client.get(page)).text())
    assert url in forms, (page, url, sorted(forms))
    return await client.post(url, data=forms[url], allow_redirects=False)


async def login(client: TestClient, username: str, password: str, ip: Optional[str] = None):
    headers: Dict[str, str] = {"X-Forwarded-For": ip} if ip else {}
    page = await client.get("/login", headers=headers)
    token = csrf_of(await page.text())
    return await client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        headers=headers,
        allow_redirects=False,
    )


@pytest.fixture
async def app_factory(tmp_path):
    """Build a started test client for given settings overrides; closes them all afterwards."""
    clients = []

    async def make(
        rasa_url: Optional[str] = None, workdir: Optional[Path] = None, accounts: bool = True, **overrides
    ) -> TestClient:
        wd = workdir or tmp_path
        settings = staff_settings(wd, rasa_url, **overrides)
        if accounts and not clients:
            add_accounts(settings.database_url)
        migrated(settings.database_url)  # as the service does on start (bot.staff.app.run)
        client = TestClient(TestServer(create_app(settings)))
        await client.start_server()
        clients.append(client)
        return client

    yield make
    for c in clients:
        await c.close()


@pytest.fixture
async def client(app_factory):
    """Not logged in; Rasa unreachable."""
    return await app_factory()


@pytest.fixture
async def staff_client(app_factory):
    c = await app_factory()
    resp = await login(c, *STAFF)
    assert resp.status == 303
    return c


@pytest.fixture
async def admin_client(app_factory):
    c = await app_factory()
    resp = await login(c, *ADMIN)
    assert resp.status == 303
    return c


@pytest.fixture(scope="session")
def rasa_stack(shared_2024):
    """The real action server and Rasa server: the run's shared ones on 2024-10-30 (TODAY), whose
    HTTP API is protected as in production — the staff search must send the token."""
    return shared_2024.servers
