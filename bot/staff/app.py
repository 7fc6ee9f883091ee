"""The staff service's aiohttp application: routes, login and CSRF middleware, security headers.

Every route needs a logged-in session except those whose handler is marked ``access.public``
(health, the login form) and the static stylesheet. Admin-only handlers are marked
``access.admin_only``, the dashboard's ``access.roles("admin", "supervisor")``. A read-only
supervisor is refused every POST except ``access.self_service`` ones (logout, own password) and
``access.export`` ones (downloads). Every POST carries the session's CSRF token; every download is
a POST (a GET or HEAD on a download's URL gets 405 and writes no audit entry).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from pathlib import Path
from typing import Any, AsyncIterator, Callable, Dict, Optional
from urllib.parse import quote
from zoneinfo import ZoneInfo

import aiohttp
import aiohttp_jinja2
import jinja2
from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from aiohttp.typedefs import Handler

from bot.staff import accounts, assess, auth, cases, dashboard, inbox, notices, search
from bot.staff.access import public
from bot.staff.csrf import FIELD, same
from bot.staff.models import ROLE_NAMES, StaffDB
from bot.staff.ratelimit import LoginRateLimit
from bot.staff.settings import StaffSettings, get_staff_settings
from bot.staff.transcript import TranscriptReader
from bot.storage.assessments import Storage
from policies import load_notices
from policies.eligibility import load_catalogue

HERE = Path(__file__).resolve().parent
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
log = logging.getLogger("bot.staff")


@public
async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def export_by_post_only(request: web.Request) -> web.Response:
    """A GET or HEAD on a download's URL (a link, perhaps from another site): no download, no audit."""
    raise web.HTTPMethodNotAllowed(
        request.method, ["POST"], text="请在页面上点击“导出”按钮下载（下载只接受页面表单提交）。"
    )


def _is_public(request: web.Request) -> bool:
    route = request.match_info.route
    if isinstance(getattr(route, "resource", None), web.StaticResource):
        return True
    return bool(getattr(request.match_info.handler, "public", False))


@web.middleware
async def require_login(request: web.Request, handler: Handler) -> web.StreamResponse:
    if _is_public(request):
        return await handler(request)
    settings: StaffSettings = request.app["settings"]
    principal = auth.load_session(
        request.app["db"],
        request.cookies.get(accounts.SESSION_COOKIE),
        dt.timedelta(hours=settings.session_hours),
        dt.timedelta(hours=settings.session_max_hours),
    )
    if principal is None:
        if request.method in ("GET", "HEAD"):
            raise web.HTTPSeeOther("/login?next=" + quote(request.path, safe="/"))
        raise web.HTTPUnauthorized(text="请先登录。")
    request["principal"] = principal
    handler_ = request.match_info.handler
    if getattr(handler_, "admin_only", False) and not principal.is_admin:
        raise web.HTTPForbidden(text="只有管理员可以使用此功能。")
    allowed = getattr(handler_, "roles", None)
    if allowed is not None and principal.role not in allowed:
        raise web.HTTPForbidden(text="您的账号没有使用此功能的权限。")
    if (
        principal.read_only
        and request.method not in ("GET", "HEAD", "OPTIONS")
        and not getattr(handler_, "self_service", False)
        and not getattr(handler_, "export", False)
    ):
        raise web.HTTPForbidden(text="只读账号不能修改数据。")
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        form = await request.post()
        token = str(form.get(FIELD) or request.headers.get("X-CSRF-Token") or "")
        if not same(principal.csrf_token, token):
            raise web.HTTPForbidden(text="页面已过期或来源不明，请刷新页面后再提交。")
    return await handler(request)


async def _security_headers(request: web.Request, response: web.StreamResponse) -> None:
    h = response.headers
    h.setdefault("Content-Security-Policy", CSP)
    h["X-Frame-Options"] = "DENY"
    h["X-Content-Type-Options"] = "nosniff"
    h["Referrer-Policy"] = "no-referrer"
    h["Cross-Origin-Opener-Policy"] = "same-origin"
    h["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    h["Server"] = "zhicheng-staff"  # aiohttp would name itself and its version
    if not request.path.startswith("/static/"):
        h["Cache-Control"] = "no-store"
    if accounts.is_https(request):
        h["Strict-Transport-Security"] = "max-age=31536000"


def log_safe(text: str, limit: int = 200) -> str:
    """One log line, whatever a client sent: control characters (a forged newline), quotes and
    backslashes escaped, clipped."""
    out = text.encode("unicode_escape").decode("ascii").replace('"', '\\"')
    return out if len(out) <= limit else out[:limit] + "…"


class PathOnlyAccessLogger(AbstractAccessLogger):
    """Method, path, status and time — never query strings (searches, case codes) or client data;
    the path escaped, so a client cannot write lines of its own into the log."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info(
            "%s %s %s %.0fms", log_safe(request.method, 16), log_safe(request.path), response.status, time * 1000
        )


async def _context(request: web.Request) -> Dict[str, Any]:
    principal: Optional[auth.Principal] = request.get("principal")
    return {
        "me": principal,
        "csrf": principal.csrf_token if principal else "",
        "csrf_field": FIELD,
        "role_names": ROLE_NAMES,
        "path": request.path,
    }


def _local_time(settings: StaffSettings) -> Callable[[Optional[dt.datetime]], str]:
    zone = ZoneInfo(settings.timezone)

    def fmt(value: Optional[dt.datetime]) -> str:
        if value is None:
            return ""
        return value.replace(tzinfo=dt.timezone.utc).astimezone(zone).strftime("%Y-%m-%d %H:%M")

    return fmt


def _warm_inbox_groups(app: web.Application) -> None:
    """Group the inbox in the background when the app starts (figures.INBOX_GROUPS keeps it for
    every period), so the first dashboard view after a restart only adds the rows written since."""
    from bot.staff.figures import Period, read_unanswered

    settings: StaffSettings = app["settings"]
    try:
        read_unanswered(app["storage"].engine, Period.parse({}, settings.today(), settings.timezone))
    except Exception:  # noqa: BLE001 — only a head start: the page reads the inbox itself
        log.warning("could not group the inbox ahead of the first dashboard view", exc_info=True)


async def _resources(app: web.Application) -> AsyncIterator[None]:
    settings: StaffSettings = app["settings"]
    auth.purge_expired(
        app["db"], dt.timedelta(hours=settings.session_hours), dt.timedelta(hours=settings.session_max_hours)
    )
    app["http"] = aiohttp.ClientSession()
    warming = asyncio.get_running_loop().run_in_executor(None, _warm_inbox_groups, app)
    yield
    await warming  # a worker thread: it cannot be cancelled; the inbox of one period, then done
    await app["http"].close()
    app["db"].dispose()
    app["transcripts"].dispose()


def create_app(settings: Optional[StaffSettings] = None) -> web.Application:
    settings = settings or get_staff_settings()
    app = web.Application(middlewares=[require_login], client_max_size=64 * 1024)
    app["settings"] = settings
    app["notices"] = load_notices(settings.notices_dir)
    app["catalogue"] = load_catalogue()
    app["assessors"] = {}
    app["weighed"] = {}  # notice → (hour, its interview weighed by the answers saved before it)
    app["db"] = StaffDB(settings.database_url)
    app["storage"] = Storage(settings.database_url)
    app["transcripts"] = TranscriptReader(settings.tracker_store_url)
    app["ratelimit"] = LoginRateLimit(settings.login_max_failures, settings.login_window_minutes * 60)
    env = aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(str(HERE / "templates")),
        context_processors=[_context],
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["local"] = _local_time(settings)
    # aiohttp 3.9 declares the signal as Signal[Callable[...]], which aiosignal 1.4's Signal[*Ts] misreads
    app.on_response_prepare.append(_security_headers)  # type: ignore[arg-type]
    app.cleanup_ctx.append(_resources)
    r = app.router
    r.add_get("/health", health, name="health")
    r.add_get("/login", accounts.login_page, name="login")
    r.add_post("/login", accounts.login_post)
    r.add_post("/logout", accounts.logout_post, name="logout")
    r.add_get("/", search.search_page, name="search")
    r.add_get("/notices", notices.notices_page, name="notices")
    r.add_get("/notices/{notice_id}", notices.notice_page, name="notice")
    r.add_get("/assess", assess.assess_page, name="assess")
    r.add_post("/assess", assess.assess_post)
    r.add_post("/assess/save", assess.assess_save, name="assess_save")
    r.add_get("/cases", cases.case_page, name="cases")
    r.add_get("/inbox", inbox.inbox_page, name="inbox")
    r.add_get("/dashboard", dashboard.dashboard_page, name="dashboard")
    # downloads: POST with the CSRF token only (access.export); a GET or HEAD gets 405
    r.add_post("/inbox.csv", inbox.inbox_csv, name="inbox_csv")
    r.add_post("/dashboard.csv", dashboard.dashboard_csv, name="dashboard_csv")
    r.add_post("/dashboard.xlsx", dashboard.dashboard_xlsx, name="dashboard_xlsx")
    for path in ("/inbox.csv", "/dashboard.csv", "/dashboard.xlsx"):
        r.add_get(path, export_by_post_only)
    r.add_get("/account/password", accounts.password_page, name="password")
    r.add_post("/account/password", accounts.password_post)
    r.add_get("/admin/users", accounts.users_page, name="users")
    r.add_post("/admin/users", accounts.users_create)
    r.add_post("/admin/users/{user_id}/disable", accounts.users_disable)
    r.add_post("/admin/users/{user_id}/enable", accounts.users_enable)
    r.add_post("/admin/users/{user_id}/reset", accounts.users_reset)
    r.add_post("/admin/unlock", accounts.users_unlock, name="unlock")
    r.add_get("/admin/audit", accounts.audit_page, name="audit")
    r.add_static("/static/", str(HERE / "static"), name="static", append_version=True)
    return app


RUN_OPTIONS: Dict[str, Any] = {"access_log_class": PathOnlyAccessLogger}


def run(settings: Optional[StaffSettings] = None) -> None:
    settings = settings or get_staff_settings()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    from bot.storage.privacy import install_log_masking

    install_log_masking()
    from bot.storage.migrate import on_start

    on_start(settings.database_url)  # bring the schema to the newest revision before serving
    web.run_app(create_app(settings), host=settings.host, port=settings.port, **RUN_OPTIONS)
