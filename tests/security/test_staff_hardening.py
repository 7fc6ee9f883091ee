"""The staff page under attack: open redirect after login, paging, forged access-log lines,
lockout that cannot be turned against others, admin unlock with an audit entry."""

from __future__ import annotations

import logging

import pytest
from aiohttp.test_utils import TestClient

from bot.staff import audit
from bot.staff.app import PathOnlyAccessLogger
from tests.staff.conftest import ADMIN, STAFF, csrf_of, login


@pytest.mark.parametrize(
    "target",
    [
        "/\t/evil.example/",
        "/%09/evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "https://evil.example/",
        "/\n/evil.example",
        " /evil",
        "/\x00x",
        "http:evil.example",
        "javascript:alert(1)",
        "///evil.example",
    ],
)
async def test_next_accepts_only_a_same_site_path(client, target):
    page = await client.get("/login", params={"next": target})
    token = csrf_of(await page.text())
    resp = await client.post(
        "/login",
        data={"username": ADMIN[0], "password": ADMIN[1], "csrf_token": token, "next": target},
        allow_redirects=False,
    )
    assert resp.status == 303
    location = resp.headers["Location"]
    assert location.startswith("/") and not location.startswith("//") and "evil" not in location, location


async def test_next_keeps_a_real_path(client):
    page = await client.get("/login", params={"next": "/cases?code=ABC"})
    token = csrf_of(await page.text())
    resp = await client.post(
        "/login",
        data={"username": ADMIN[0], "password": ADMIN[1], "csrf_token": token, "next": "/cases?code=ABC"},
        allow_redirects=False,
    )
    assert resp.headers["Location"] == "/cases?code=ABC"


@pytest.mark.parametrize(
    "page,status",
    [
        ("9223372036854775807", 400),
        ("99999999999999999999", 400),
        ("-1", 400),
        ("abc", 400),
        ("1e9", 400),
        ("0", 200),
        ("123456789", 200),
        ("²", 400),  # str.isdigit says yes, int() says no: was a 500
        ("①", 400),
        ("٣", 400),
        ("１２", 200),  # full-width digits are digits
    ],
)
async def test_inbox_paging_is_bounded(staff_client, page, status):
    """A huge or malformed page number is refused; a page past the end shows the last page."""
    resp = await staff_client.get("/inbox", params={"page": page})
    assert resp.status == status, (page, resp.status)


def test_access_log_lines_cannot_be_forged(caplog):
    class Req:
        method = "GET"
        path = "/x\n2024-01-01 bot.staff INFO POST /admin/users 200 1ms"

    class Resp:
        status = 303

    logger = logging.getLogger("test.access")
    with caplog.at_level(logging.INFO, logger="test.access"):
        PathOnlyAccessLogger(logger, "").log(Req(), Resp(), 0.001)
    assert len(caplog.records) == 1
    line = caplog.records[0].getMessage()
    assert "\n" not in line and "\\n2024-01-01" in line


async def test_lockout_is_per_account_and_address_and_an_admin_lifts_it(app_factory):
    client = await app_factory(trust_proxy=True)
    for _ in range(5):
        assert (await login(client, STAFF[0], "wrong-password", ip="203.0.113.5")).status == 401
    assert (await login(client, *STAFF, ip="203.0.113.5")).status == 429  # locked from there
    assert (await login(client, *STAFF, ip="198.51.100.2")).status == 303  # the owner elsewhere is not
    assert any(r.action == "login_locked" and r.target == STAFF[0] for r in audit.recent(client.server.app["db"]))
    admin = TestClient(client.server)  # a second browser on the same server
    try:
        assert (await login(admin, *ADMIN, ip="198.51.100.3")).status == 303
        users = await admin.get("/admin/users")
        html = await users.text()
        assert "登录锁定" in html and "203.0.113.5" in html
        resp = await admin.post("/admin/unlock", data={"username": STAFF[0], "csrf_token": csrf_of(html)})
        assert resp.status == 200 and f"已解除 {STAFF[0]} 的登录锁定" in await resp.text()
        rows = audit.recent(client.server.app["db"], action="login_unlock")
        assert rows and rows[0].actor == ADMIN[0] and rows[0].target == STAFF[0]
    finally:
        await admin.session.close()
    assert (await login(client, *STAFF, ip="203.0.113.5")).status == 303


async def test_staff_cannot_unlock(staff_client):
    page = await staff_client.get("/")
    resp = await staff_client.post(
        "/admin/unlock", data={"username": ADMIN[0], "csrf_token": csrf_of(await page.text())}
    )
    assert resp.status == 403


@pytest.mark.parametrize(
    "field,value", [("from", "0001-01-01"), ("to", "0001-01-01"), ("to", "9999-12-31"), ("from", "1999-12-31")]
)
async def test_dashboard_dates_out_of_range_are_refused_not_a_500(admin_client, field, value):
    for path in ("/dashboard", "/dashboard.csv", "/dashboard.xlsx"):
        resp = await admin_client.get(path, params={field: value})
        assert resp.status == 400, (path, field, value, resp.status)
        assert "2000-01-01" in await resp.text()


@pytest.mark.parametrize("user_id", ["99999999999999999999", "2147483648", "0", "١٢"])
async def test_an_admin_page_for_an_impossible_user_id_is_not_found_not_a_500(admin_client, user_id):
    token = csrf_of(await (await admin_client.get("/admin/users")).text())
    resp = await admin_client.post(f"/admin/users/{user_id}/disable", data={"csrf_token": token}, allow_redirects=False)
    assert resp.status == 404, (user_id, resp.status)


async def test_the_server_header_names_no_software_or_version(client):
    for path in ("/login", "/health", "/static/staff.css", "/nowhere"):
        server = (await client.get(path)).headers.get("Server", "")
        assert (
            "aiohttp" not in server.lower() and "python" not in server.lower() and not any(c.isdigit() for c in server)
        )
