"""Login, logout, one's own password, and (admin only) account management and the audit log."""

from __future__ import annotations

from typing import Any, Dict
from urllib.parse import unquote, urlsplit

import aiohttp_jinja2
from aiohttp import web

from bot.staff import audit, auth
from bot.staff.access import admin_only, public, self_service
from bot.staff.csrf import FIELD, LOGIN_COOKIE, new_token, same
from bot.staff.models import ROLE_NAMES
from bot.staff.params import row_id

SESSION_COOKIE = "zc_staff"
BLOCKED = "登录失败次数过多，请稍后再试（最长15分钟）；如忘记密码，请联系管理员重置或解除锁定。"


def client_ip(request: web.Request) -> str:
    if request.app["settings"].trust_proxy:
        forwarded = request.headers.get("X-Forwarded-For", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()[:64]
    return (request.remote or "-")[:64]


def is_https(request: web.Request) -> bool:
    settings = request.app["settings"]
    if settings.cookie_secure == "always":
        return True
    if settings.cookie_secure == "never":
        return False
    if settings.trust_proxy and request.headers.get("X-Forwarded-Proto", "").lower() == "https":
        return True
    return request.secure


def _cookie_args(request: web.Request) -> Dict[str, Any]:
    return {"httponly": True, "samesite": "Lax", "secure": is_https(request), "path": "/"}


def _safe_next(target: str) -> str:
    """Only a same-site path: never an open redirect. Browsers drop tabs and newlines in URLs and
    read ``\\`` as ``/``, so ``/\t/evil.example`` would become ``//evil.example``: any control
    character, whitespace or backslash, a second leading slash, or a scheme or host gives ``/``."""
    if not target or len(target) > 2000:
        return "/"
    for form in (target, unquote(target)):  # also what a server or browser decodes it to
        if (
            not form.startswith("/")
            or form.startswith("//")
            or any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F or ch == "\\" for ch in form)
        ):
            return "/"
        parts = urlsplit(form)
        if parts.scheme or parts.netloc:
            return "/"
    return target


@public
async def login_page(request: web.Request, error: str = "", status: int = 200) -> web.Response:
    # Keep the token of this browser's earlier login page: another tab (or the favicon request
    # redirected here) must not invalidate the form already shown.
    existing = request.cookies.get(LOGIN_COOKIE, "")
    token = existing if 20 <= len(existing) <= 100 else new_token()
    response = aiohttp_jinja2.render_template(
        "login.html",
        request,
        {
            "login_csrf": token,
            "error": error,
            "next": _safe_next(request.query.get("next", "/")),
        },
        status=status,
    )
    response.set_cookie(LOGIN_COOKIE, token, max_age=3600, **_cookie_args(request))
    return response


@public
async def login_post(request: web.Request) -> web.Response:
    form = await request.post()
    if not same(request.cookies.get(LOGIN_COOKIE), str(form.get(FIELD) or "")):
        raise web.HTTPForbidden(text="页面已过期，请刷新后重新登录。")
    username = str(form.get("username") or "").strip()[:64]
    password = str(form.get("password") or "")[:256]
    ip = client_ip(request)
    limiter = request.app["ratelimit"]
    db = request.app["db"]
    if limiter.blocked(username, ip):
        audit.write(db, username or "-", "login_blocked", username or None)
        return await login_page(request, BLOCKED, status=429)
    user = auth.authenticate(db, username, password)
    if user is None:
        if limiter.failed(username, ip):
            audit.write(db, username or "-", "login_locked", username or None, "address locked for this account")
        audit.write(db, username or "-", "login_failed", username or None)
        return await login_page(request, "用户名或密码不正确。", status=401)
    limiter.succeeded(username, ip)
    token = auth.start_session(db, user)
    audit.write(db, user.username, "login", user.username)
    response = web.HTTPSeeOther(_safe_next(str(form.get("next") or "/")))
    response.set_cookie(SESSION_COOKIE, token, **_cookie_args(request))
    response.del_cookie(LOGIN_COOKIE, path="/")
    raise response


@self_service
async def logout_post(request: web.Request) -> web.Response:
    auth.end_session(request.app["db"], request.cookies.get(SESSION_COOKIE))
    audit.write(request.app["db"], request["principal"].username, "logout", request["principal"].username)
    response = web.HTTPSeeOther("/login")
    response.del_cookie(SESSION_COOKIE, path="/")
    raise response


async def password_page(request: web.Request, error: str = "", done: bool = False) -> web.Response:
    return aiohttp_jinja2.render_template("password.html", request, {"error": error, "done": done})


@self_service
async def password_post(request: web.Request) -> web.Response:
    form = await request.post()
    principal = request["principal"]
    db = request.app["db"]
    if auth.authenticate(db, principal.username, str(form.get("current") or "")) is None:
        return await password_page(request, "当前密码不正确。")
    new, again = str(form.get("new") or ""), str(form.get("again") or "")
    if new != again:
        return await password_page(request, "两次输入的新密码不一致。")
    try:
        auth.set_password(db, principal.user_id, new)
    except auth.AccountError as exc:
        return await password_page(request, str(exc))
    audit.write(db, principal.username, "password_change", principal.username)
    response = web.HTTPSeeOther("/login")
    response.del_cookie(SESSION_COOKIE, path="/")
    raise response


@admin_only
async def users_page(request: web.Request, error: str = "", notice: str = "") -> web.Response:
    return aiohttp_jinja2.render_template(
        "users.html",
        request,
        {
            "users": auth.list_users(request.app["db"]),
            "roles": ROLE_NAMES,
            "error": error,
            "notice": notice,
            "locks": request.app["ratelimit"].locked(),
        },
    )


@admin_only
async def users_create(request: web.Request) -> web.Response:
    form = await request.post()
    try:
        user = auth.create_user(
            request.app["db"],
            str(form.get("username") or ""),
            str(form.get("password") or ""),
            str(form.get("role") or "staff"),
            str(form.get("display_name") or "") or None,
        )
    except auth.AccountError as exc:
        return await users_page(request, error=str(exc))
    audit.write(request.app["db"], request["principal"].username, "user_create", user.username, f"role={user.role}")
    return await users_page(request, notice=f"已创建账号 {user.username}。")


def _user_id(request: web.Request) -> int:
    return row_id(request.match_info["user_id"])


async def _set_active(request: web.Request, active: bool) -> web.Response:
    db = request.app["db"]
    uid = _user_id(request)
    if uid == request["principal"].user_id and not active:
        return await users_page(request, error="不能停用自己的账号。")
    try:
        user = auth.set_active(db, uid, active)
    except auth.AccountError as exc:
        return await users_page(request, error=str(exc))
    audit.write(db, request["principal"].username, "user_enable" if active else "user_disable", user.username)
    return await users_page(request, notice=f"已{'启用' if active else '停用'}账号 {user.username}。")


@admin_only
async def users_disable(request: web.Request) -> web.Response:
    return await _set_active(request, False)


@admin_only
async def users_enable(request: web.Request) -> web.Response:
    return await _set_active(request, True)


@admin_only
async def users_reset(request: web.Request) -> web.Response:
    form = await request.post()
    db = request.app["db"]
    try:
        user = auth.set_password(db, _user_id(request), str(form.get("password") or ""))
    except auth.AccountError as exc:
        return await users_page(request, error=str(exc))
    audit.write(db, request["principal"].username, "user_reset_password", user.username)
    return await users_page(request, notice=f"已重置 {user.username} 的密码，该账号需用新密码重新登录。")


@admin_only
async def users_unlock(request: web.Request) -> web.Response:
    """Lift the login locks of one account (every address)."""
    form = await request.post()
    username = str(form.get("username") or "").strip()[:64]
    lifted = request.app["ratelimit"].unlock(username) if username else 0
    audit.write(request.app["db"], request["principal"].username, "login_unlock", username or None, f"locks={lifted}")
    return await users_page(
        request, notice=f"已解除 {username} 的登录锁定。" if lifted else f"{username} 当前没有被锁定。"
    )


@admin_only
async def audit_page(request: web.Request) -> web.Response:
    return aiohttp_jinja2.render_template(
        "audit.html", request, {"rows": audit.recent(request.app["db"], limit=300), "names": audit.ACTION_NAMES}
    )
