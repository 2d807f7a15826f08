"""Signing in and out: the login form (its own CSRF cookie, no session yet), the rate limits, logout."""
from __future__ import annotations

import secrets

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from kiosk.admin.accounts import Accounts, audit, csrf_ok
from kiosk.admin.db import connect
from kiosk.admin.errors import AuthError, RateLimited
from kiosk.admin.settings import AdminSettings
from kiosk.admin.web import FLASH, Ctx, client_ip, cookie_name, page, redirect, vi_message

LOGIN_COOKIE = "kiosk_admin_login"


def safe_next(value: str | None) -> str:
    """Where to go after login: a path on this site only (no "//host" or backslash tricks), else "/"."""
    v = value or "/"
    return v if v.startswith("/") and not v.startswith("//") and "\\" not in v else "/"


async def login_page(request: Request) -> Response:
    # The form says when no account exists yet: a SQLite read, so in a worker thread.
    """GET /login: the sign-in form with a fresh login CSRF cookie."""
    return await run_in_threadpool(_login_response, request, None, safe_next(request.query_params.get("next")))


def _no_users(request: Request) -> bool:
    db = connect(request.app.state.settings.db_path)
    try:
        return not Accounts(db, request.app.state.hasher).any_active()
    finally:
        db.close()


def _login_response(request: Request, error: str | None, next_url: str, status: int = 200, name: str = "") -> Response:
    settings: AdminSettings = request.app.state.settings
    token = secrets.token_urlsafe(24)
    flash = FLASH.get(request.query_params.get("ok", ""))
    resp = request.app.state.templates.TemplateResponse(
        request, "login.html", {"login_csrf": token, "error": error, "next": next_url, "flash": flash,
                                "no_users": _no_users(request), "name": name[:64],
                                "session": None, "user": None, "csrf": "", "draft_info": None, "path": "/login"},
        status_code=status,
    )
    resp.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="strict", secure=settings.secure_cookies, path="/login")
    return resp


async def login_submit(request: Request) -> Response:
    """POST /login: check the login CSRF, then sign in (throttled, audited) and set the session cookie."""
    form = await request.form(max_files=0, max_fields=10, max_part_size=8192)
    next_url = safe_next(str(form.get("next") or "/"))
    if not csrf_ok(request.cookies.get(LOGIN_COOKIE, ""), form.get("csrf")):
        raise HTTPException(403, "Biểu mẫu đăng nhập đã hết hạn — tải lại trang rồi thử lại.")
    name, password = str(form.get("name") or ""), str(form.get("password") or "")
    # Password hashing and the SQLite work (limits, audit, session) run in a worker thread.
    return await run_in_threadpool(_sign_in, request, name, password, next_url)


def _sign_in(request: Request, name: str, password: str, next_url: str) -> Response:
    settings: AdminSettings = request.app.state.settings
    ip = client_ip(request)
    db = connect(settings.db_path)
    try:
        accounts = Accounts(db, request.app.state.hasher)
        try:
            user = accounts.authenticate(name, password, ip)
        except RateLimited as exc:
            audit(db, name[:64], "login-throttled", "", None, ip)
            return _login_response(request, vi_message(exc), next_url, status=429, name=name)
        except AuthError as exc:
            audit(db, name[:64], "login-failed", "", None, ip)
            return _login_response(request, vi_message(exc), next_url, status=401, name=name)
        token = accounts.start_session(user, ip)
        audit(db, user.name, "login", "", None, ip)
    finally:
        db.close()
    resp = RedirectResponse(next_url, status_code=303)
    resp.set_cookie(cookie_name(settings), token, httponly=True, samesite="strict", secure=settings.secure_cookies, path="/")
    resp.delete_cookie(LOGIN_COOKIE, path="/login")
    return resp


@page()
def logout(ctx: Ctx) -> Response:
    """POST /logout: end this session and go back to the login form."""
    assert ctx.session is not None  # page() let only a signed-in request through
    ctx.accounts.end_session(ctx.session.token_hash)
    audit(ctx.db, ctx.user, "logout", "", None, ctx.ip)
    resp = redirect("/login", "loggedout")
    resp.delete_cookie(cookie_name(ctx.request.app.state.settings), path="/")
    return resp


ROUTES = [
    Route("/login", login_page, methods=["GET"]),
    Route("/login", login_submit, methods=["POST"]),
    Route("/logout", logout, methods=["POST"]),
]
