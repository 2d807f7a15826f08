"""What every hub handler shares: the request context, the auth/CSRF wrapper, rendering, flash texts, errors.

``page`` borrows a PostgreSQL connection from the pool and runs the whole handler in a worker
thread, so a seconds-long validation (publish) never stalls the stats endpoint.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Awaitable, Callable
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from kiosk.admin.accounts import csrf_ok
from kiosk.admin.web import redirect
from kiosk.hub.accounts import Editors, Session
from kiosk.hub.db import meta_get
from kiosk.hub.errors import HubError
from kiosk.hub.settings import HubSettings

__all__ = ["FLASH", "Ctx", "api_error", "cookie_name", "days_param", "http_error", "page", "redirect", "render",
           "safe_next", "server_error"]

log = logging.getLogger(__name__)

SESSION_COOKIE = "kiosk_hub"
LOGIN_COOKIE = "kiosk_hub_login"

FLASH = {
    "saved": "Đã lưu vào bản nháp. Các phường chưa nhận cho đến khi bấm «Đăng thay đổi».",
    "created": "Đã thêm thủ tục vào bản nháp. Điền đủ các mục rồi đăng.",
    "retired": "Đã đánh dấu ngừng áp dụng (trong bản nháp).",
    "restored": "Đã áp dụng lại (trong bản nháp).",
    "reverted": "Đã bỏ các sửa đổi chưa đăng của thủ tục này.",
    "published": "Đã đăng: các kiosk của mọi phường nhận phiên bản mới ở lần kiểm tra kế tiếp.",
    "rolledback": "Đã khôi phục: một phiên bản mới giống phiên bản cũ đã được đăng cho mọi phường.",
    "alias": "Đã thêm câu hỏi làm cách hỏi (trong bản nháp). Bấm «Đăng thay đổi» để mọi phường nhận.",
    "aliasdup": "Thủ tục đã có cách hỏi này.",
    "discarded": "Đã bỏ toàn bộ bản nháp.",
    "loggedout": "Đã đăng xuất.",
}


@dataclass
class Ctx:
    """What a handler gets: the request, its pooled connection, the signed-in session, the form."""

    request: Request
    conn: Any
    session: Session  # page() builds a Ctx only for a signed-in editor
    form: Any = None

    @property
    def user(self) -> str:
        return self.session.user.name if self.session else ""


def cookie_name(settings: HubSettings) -> str:
    """The session cookie's name: with the ``__Host-`` prefix when cookies are marked Secure."""
    return ("__Host-" if settings.secure_cookies else "") + SESSION_COOKIE


def safe_next(value: str | None) -> str:
    """Where to go after login: a path on this site only (no ``//host`` or backslash tricks)."""
    v = value or "/"
    return v if v.startswith("/") and not v.startswith("//") and "\\" not in v else "/"


Handler = Callable[[Ctx], Response]  # run in a worker thread: plain functions


def page(admin: bool = False) -> Callable[[Handler], Callable[[Request], Awaitable[Response]]]:
    """Wrap a handler: a pooled connection, the session (else → login), role, CSRF on POST."""

    def deco(fn: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            settings: HubSettings = request.app.state.settings
            form = None
            if request.method == "POST":
                form = await request.form(max_files=0, max_fields=5000, max_part_size=2 * 1024 * 1024)

            def run() -> Response:
                with request.app.state.pool.connection() as conn:
                    session = Editors(conn, request.app.state.hasher).session(request.cookies.get(cookie_name(settings)))
                    if session is None:
                        if request.method == "GET":
                            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                            return RedirectResponse("/login?" + urlencode({"next": target}), status_code=303)
                        raise HTTPException(403, "Cần đăng nhập.")
                    if admin and not session.user.is_admin:
                        raise HTTPException(403, "Chỉ tài khoản quản trị tỉnh được làm việc này.")
                    if form is not None and not csrf_ok(session.csrf, form.get("csrf")):
                        raise HTTPException(403, "Biểu mẫu đã hết hạn hoặc không hợp lệ — tải lại trang rồi thử lại.")
                    return fn(Ctx(request, conn, session, form))

            return await run_in_threadpool(run)

        endpoint.__name__ = fn.__name__
        return endpoint

    return deco


def render(ctx: Ctx, name: str, status: int = 200, **values: Any) -> HTMLResponse:
    draft_info = ctx.conn.execute("SELECT updated_at, updated_by FROM draft WHERE id = 1").fetchone()
    return ctx.request.app.state.templates.TemplateResponse(ctx.request, name, {
        "session": ctx.session, "user": ctx.session.user if ctx.session else None,
        "csrf": ctx.session.csrf if ctx.session else "", "flash": FLASH.get(ctx.request.query_params.get("ok", "")),
        "draft_info": draft_info, "path": ctx.request.url.path,
        "province": meta_get(ctx.conn, "province_name", "") or meta_get(ctx.conn, "province", ""), **values,
    }, status_code=status)



def days_param(request: Request, default: int = 30) -> int:
    """The report period from ``?days=`` (7, 30, 90 or 365 days), else ``default``."""
    try:
        d = int(request.query_params.get("days", default))
    except ValueError:
        return default
    return d if d in (7, 30, 90, 365) else default


def api_error(status: int, message: str) -> JSONResponse:
    """The stats API's error body (kiosks read ``error``)."""
    return JSONResponse({"ok": False, "error": message}, status_code=status)


async def http_error(request: Request, exc: Exception) -> Response:
    status = getattr(exc, "status_code", 500)
    detail = getattr(exc, "detail", "") or {404: "Không tìm thấy trang này.", 405: "Phương thức không được hỗ trợ."}.get(
        status, "Có lỗi.")
    if request.url.path.startswith("/api/"):
        return api_error(status, str(detail))
    html = request.app.state.templates.get_template("hub_error.html").render(
        status=status, message=detail, user=None, path=request.url.path, flash=None, draft_info=None, csrf="",
        province="")
    return HTMLResponse(html, status_code=status)


async def server_error(request: Request, exc: Exception) -> Response:
    log.exception("hub error on %s", request.url.path)
    message = str(exc).split(" / ")[0] if isinstance(exc, HubError) else \
        "Lỗi máy chủ — thử lại sau ít phút; nếu còn lỗi, báo người quản trị (chi tiết trong nhật ký máy chủ)."
    if request.url.path.startswith("/api/"):
        return api_error(503 if isinstance(exc, HubError) else 500, message)
    html = request.app.state.templates.get_template("hub_error.html").render(
        status=500, message=message, user=None, path=request.url.path, flash=None, draft_info=None, csrf="", province="")
    return HTMLResponse(html, status_code=503 if isinstance(exc, HubError) else 500)

