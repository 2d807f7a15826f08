"""Province staff sign-in and sign-out: /login, /logout (Argon2id, server-side sessions, CSRF on every POST)."""
from __future__ import annotations

import secrets

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from kiosk.admin.accounts import csrf_ok
from kiosk.hub.accounts import Editors
from kiosk.hub.db import audit
from kiosk.hub.errors import HubError
from kiosk.hub.settings import HubSettings
from kiosk.hub.web import FLASH, LOGIN_COOKIE, Ctx, cookie_name, page, redirect, safe_next


def _login_page(request: Request, error: str | None, next_url: str, status: int = 200, name: str = "") -> Response:
    settings: HubSettings = request.app.state.settings
    token = secrets.token_urlsafe(24)
    with request.app.state.pool.connection() as conn:
        no_users = not Editors(conn).any()
    resp = request.app.state.templates.TemplateResponse(request, "hub_login.html", {
        "login_csrf": token, "error": error, "next": next_url, "name": name[:64], "no_users": no_users,
        "flash": FLASH.get(request.query_params.get("ok", "")), "session": None, "user": None, "csrf": "",
        "draft_info": None, "path": "/login", "province": ""}, status_code=status)
    resp.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="strict", secure=settings.secure_cookies, path="/login")
    return resp


async def login_page(request: Request) -> Response:
    return await run_in_threadpool(_login_page, request, None, safe_next(request.query_params.get("next")))


async def login_submit(request: Request) -> Response:
    settings: HubSettings = request.app.state.settings
    form = await request.form(max_files=0, max_fields=10, max_part_size=8192)
    next_url = safe_next(str(form.get("next") or "/"))
    if not csrf_ok(request.cookies.get(LOGIN_COOKIE, ""), form.get("csrf")):
        raise HTTPException(403, "Biểu mẫu đăng nhập đã hết hạn — tải lại trang rồi thử lại.")
    name, password = str(form.get("name") or ""), str(form.get("password") or "")
    ip = request.client.host if request.client else "?"

    def check() -> Response:
        with request.app.state.pool.connection() as conn:
            editors = Editors(conn, request.app.state.hasher)
            try:
                user = editors.authenticate(name, password, ip)
            except HubError as exc:
                with conn.transaction():
                    audit(conn, name[:64], "login-failed", ip)
                return _login_page(request, str(exc).split(" / ")[0], next_url, status=401, name=name)
            token = editors.start_session(user)
            with conn.transaction():
                audit(conn, user.name, "login", ip)
        resp = RedirectResponse(next_url, status_code=303)
        resp.set_cookie(cookie_name(settings), token, httponly=True, samesite="strict", secure=settings.secure_cookies, path="/")
        resp.delete_cookie(LOGIN_COOKIE, path="/login")
        return resp

    return await run_in_threadpool(check)


@page()
def logout(ctx: Ctx) -> Response:
    Editors(ctx.conn).end_session(ctx.session.token_hash)
    resp = redirect("/login", "loggedout")
    resp.delete_cookie(cookie_name(ctx.request.app.state.settings), path="/")
    return resp


ROUTES = [
    Route("/login", login_page, methods=["GET"]),
    Route("/login", login_submit, methods=["POST"]),
    Route("/logout", logout, methods=["POST"]),
]
