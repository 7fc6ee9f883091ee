"""The staff page under attack: open redirect after login, paging, forged access-log lines,
lockout that cannot be turned against others, admin unlock with an audit entry, downloads made
from another site (a link, a HEAD, a form without the token), and personal numbers typed into
the boxes the audit log records."""

from __future__ import annotations

import logging

import pytest
from aiohttp.test_utils import TestClient

from bot.staff import audit
from bot.staff.app import PathOnlyAccessLogger
from tests.staff.conftest import ADMIN, STAFF, csrf_of, download, login


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
    token = csrf_of(await (await admin_client.get("/")).text())
    for path in ("/dashboard", "/dashboard.csv", "/dashboard.xlsx"):
        if path == "/dashboard":
            resp = await admin_client.get(path, params={field: value})
        else:  # a download posts the page's period
            resp = await admin_client.post(path, data={field: value, "csrf_token": token})
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


EXPORTS = ("/dashboard.csv", "/dashboard.xlsx", "/inbox.csv")
ELSEWHERE = {"Origin": "https://evil.example", "Referer": "https://evil.example/page.html"}


def exports_audited(client) -> int:
    return len([r for r in audit.recent(client.server.app["db"]) if r.action.endswith("_export")])


async def test_a_link_or_a_head_request_on_a_download_downloads_nothing_and_writes_no_audit_entry(admin_client):
    """A link on another site (GET, as an <img> or a click would send it) made a logged-in
    supervisor download the export and wrote an audit entry in their name; a HEAD wrote one too."""
    for path in EXPORTS:
        for method in ("GET", "HEAD"):
            resp = await admin_client.request(method, path, headers=ELSEWHERE, allow_redirects=False)
            assert resp.status == 405, (method, path, resp.status)
            assert "attachment" not in resp.headers.get("Content-Disposition", ""), (method, path)
            assert "POST" in resp.headers.get("Allow", ""), (method, path)
        resp = await admin_client.get(path + "?from=2024-10-01&to=2024-10-30", allow_redirects=False)
        assert resp.status == 405 and "导出" in await resp.text()
    assert exports_audited(admin_client) == 0


async def test_a_cross_site_form_without_the_token_is_refused_and_writes_no_audit_entry(admin_client):
    own = csrf_of(await (await admin_client.get("/dashboard")).text())
    for path in EXPORTS:
        for data in ({}, {"csrf_token": "forged-token-value"}, {"csrf_token": own[:-1]}):
            resp = await admin_client.post(path, data=data, headers=ELSEWHERE, allow_redirects=False)
            assert resp.status == 403, (path, data, resp.status)
            assert "attachment" not in resp.headers.get("Content-Disposition", "")
    assert exports_audited(admin_client) == 0
    # the page's own buttons still download, one audit entry each
    for page, path in (("/dashboard", "/dashboard.csv"), ("/dashboard", "/dashboard.xlsx"), ("/inbox", "/inbox.csv")):
        resp = await download(admin_client, page, path)
        assert resp.status == 200 and "attachment" in resp.headers["Content-Disposition"], path
    assert exports_audited(admin_client) == 3


async def test_numbers_typed_into_the_case_code_box_or_the_login_form_are_masked_in_the_audit_log(client):
    """A caller's mobile or ID number typed into the case-code box (or a mobile as a username) is
    audited masked, and the audit page shows it masked."""
    assert (await login(client, "13912345678", "wrong-password")).status == 401
    assert (await login(client, *ADMIN)).status == 303
    for typed in ("138 1234 5678", "110101199003071234", "+86 (137) 1234-5678"):
        assert (await client.get("/cases", params={"code": typed})).status == 200
    rows = audit.recent(client.server.app["db"])
    lookups = [r.target for r in rows if r.action == "case_lookup"]
    assert lookups == ["86137****5678", "**************1234", "138****5678"]  # newest first
    failed = [r for r in rows if r.action == "login_failed"][0]
    assert (failed.actor, failed.target) == ("139****5678", "139****5678")
    with client.server.app["db"].engine.connect() as conn:
        stored = " ".join(str(v) for row in conn.exec_driver_sql("select * from staff_audit_log") for v in row)
    for clear in ("13812345678", "110101199003071234", "13912345678", "8613712345678"):
        assert clear not in stored, clear
    page = await (await client.get("/admin/audit")).text()
    assert "138****5678" in page and "13812345678" not in page and "110101199003071234" not in page
