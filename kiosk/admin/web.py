"""What every admin handler shares: the request context, the auth/CSRF wrapper, rendering, flash texts.

Every route but the login form and the stylesheet needs a signed-in staff member;
every POST needs the session's CSRF token; roles decide who may roll back and manage
accounts. ``page`` opens one SQLite connection per request and closes it afterwards.
"""
from __future__ import annotations

import inspect
import os
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Awaitable, Callable, cast
from urllib.parse import urlencode

import sqlite_utils
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.templating import Jinja2Templates

from kiosk.admin.accounts import Accounts, Role, Session, csrf_ok
from kiosk.admin.db import connect
from kiosk.admin.settings import AdminSettings

SESSION_COOKIE = "kiosk_admin"

# The confirmation a page shows after a redirect with ``?ok=<key>``.
FLASH = {
    "saved": "Đã lưu vào bản nháp. Kiosk chưa đổi cho đến khi bấm «Đăng thay đổi».",
    "created": "Đã thêm thủ tục vào bản nháp. Điền đủ các mục rồi đăng.",
    "retired": "Đã đánh dấu ngừng áp dụng (trong bản nháp).",
    "restored": "Đã áp dụng lại (trong bản nháp).",
    "reverted": "Đã bỏ các sửa đổi chưa đăng của thủ tục này.",
    "deleted": "Đã xóa khỏi danh mục (trong bản nháp).",
    "written": "Đã chuyển thành thủ tục viết đầy đủ. Điền giấy tờ, lệ phí, các bước, cách hỏi… rồi lưu.",
    "published": "Đã đăng. Kiosk dùng nội dung mới trong ít giây, không cần khởi động lại.",
    "discarded": "Đã bỏ toàn bộ bản nháp.",
    "rolledback": "Đã khôi phục phiên bản cũ. Kiosk dùng lại nội dung đó trong ít giây.",
    "imported": "Đã áp dụng bảng tính vào bản nháp. Xem lại các thay đổi rồi bấm «Đăng».",
    "nochange": "Bảng tính không khác bản nháp — không có gì thay đổi.",
    "alias": "Đã thêm câu hỏi làm cách hỏi (trong bản nháp). Bấm «Đăng thay đổi» để kiosk dùng.",
    "aliasdup": "Thủ tục đã có cách hỏi này.",
    "office": "Đã lưu thông tin trụ sở vào bản nháp.",
    "notices": "Đã lưu thông báo vào bản nháp.",
    "user": "Đã cập nhật tài khoản.",
    "password": "Đã đổi mật khẩu.",
    "loggedout": "Đã đăng xuất.",
    "national": ("Đã tạo bản nháp từ bản ghi chính thức của CSDL quốc gia. Xem lại, thêm cách hỏi người dân "
                 "hay dùng và nơi nộp, rồi lưu và đăng."),
    "national-brief": ("Đã thêm vào danh mục (bản nháp) theo tên chính thức. Kiosk sẽ nhận ra thủ tục và chỉ nơi nộp "
                       "sau khi đăng; CSDL chưa có bản ghi chi tiết để viết đầy đủ."),
    "fleet-dropped": "Đã dùng lại nội dung của tỉnh cho mục này. Kiosk dùng nội dung mới trong ít giây.",
    "fleet-kept": "Đã giữ nội dung của phường; mục này không còn bị đánh dấu.",
    "fleet-notice-shown": "Đã hiện lại thông báo của tỉnh. Kiosk dùng nội dung mới trong ít giây.",
}


def client_ip(request: Request) -> str:
    """The staff member's address: the proxy's X-Forwarded-For entry when the peer is a trusted proxy."""
    peer = request.client.host if request.client else "?"
    settings: AdminSettings = request.app.state.settings
    trusted = settings.trusted_proxies or tuple(
        x.strip() for x in os.environ.get("KIOSK_ADMIN_TRUSTED_PROXIES", "").split(",") if x.strip())
    if peer in trusted:
        forwarded = [x.strip() for x in request.headers.get("x-forwarded-for", "").split(",") if x.strip()]
        # The right-most address not itself a trusted proxy is the one the proxy saw.
        for addr in reversed(forwarded):
            if addr not in trusted:
                return addr[:64]
    return peer


@dataclass
class Ctx:
    """What a handler gets: the request, its database connection, the signed-in session, the form."""

    request: Request
    db: sqlite_utils.Database
    accounts: Accounts
    session: Session | None
    form: Any = None

    @property
    def user(self) -> str:
        """The signed-in staff member's name ("" before login)."""
        return self.session.user.name if self.session else ""

    @property
    def ip(self) -> str:
        """The staff member's address, as ``client_ip`` sees it."""
        return client_ip(self.request)


Handler = Callable[[Ctx], Awaitable[Response] | Response]


def _open(request: Request, settings: AdminSettings) -> tuple[sqlite_utils.Database, Accounts, Session | None]:
    """The request's connection and its signed-in session (SQLite work: called in a worker thread)."""
    db = connect(settings.db_path)
    try:
        accounts = Accounts(db, request.app.state.hasher)
        return db, accounts, accounts.session(request.cookies.get(cookie_name(settings)))
    except BaseException:
        db.close()
        raise


def page(role: Role | None = None) -> Callable[[Handler], Callable[[Request], Awaitable[Response]]]:
    """Wrap a handler: connection, session (else → login), role, CSRF on POST.

    A plain (``def``) handler runs in a worker thread, so its SQLite, validation, matching and
    rendering work never stalls the event loop; an ``async def`` handler is only for reading an
    upload and must hand its blocking work to ``run_in_threadpool`` itself.
    """

    def deco(fn: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            settings: AdminSettings = request.app.state.settings
            db, accounts, session = await run_in_threadpool(_open, request, settings)
            try:
                if session is None:
                    if request.method == "GET":
                        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                        return RedirectResponse("/login?" + urlencode({"next": target}), status_code=303)
                    raise HTTPException(403, "Cần đăng nhập.")
                if role is Role.ADMIN and not session.user.is_admin:
                    raise HTTPException(403, "Chỉ tài khoản quản trị được làm việc này.")
                form = None
                if request.method == "POST":
                    form = await request.form(max_files=2, max_fields=5000, max_part_size=2 * 1024 * 1024)
                    if not csrf_ok(session.csrf, form.get("csrf")):
                        raise HTTPException(403, "Biểu mẫu đã hết hạn hoặc không hợp lệ — tải lại trang rồi thử lại.")
                ctx = Ctx(request, db, accounts, session, form)
                if inspect.iscoroutinefunction(fn):
                    return await fn(ctx)
                # A seconds-long validation or import in a worker thread never stalls other staff.
                return await run_in_threadpool(cast(Callable[[Ctx], Response], fn), ctx)
            finally:
                db.close()

        endpoint.__name__ = fn.__name__
        endpoint.__doc__ = fn.__doc__
        return endpoint

    return deco


def cookie_name(settings: AdminSettings) -> str:
    """The session cookie's name: with the ``__Host-`` prefix when cookies are marked Secure."""
    return ("__Host-" if settings.secure_cookies else "") + SESSION_COOKIE


def render(ctx: Ctx, name: str, status: int = 200, **values: Any) -> HTMLResponse:
    """The template ``name`` with ``values`` plus what every page shows: the user, CSRF token, flash, draft state.

    It reads the draft's row, so call it from a worker thread (a plain handler), not the event loop.
    """
    templates: Jinja2Templates = ctx.request.app.state.templates
    flash = FLASH.get(ctx.request.query_params.get("ok", ""))
    draft_info = None
    if ctx.session is not None:
        row = next(ctx.db.query("SELECT updated_at, updated_by, base_version FROM admin_draft WHERE id = 1"), None)
        draft_info = row
    return templates.TemplateResponse(ctx.request, name, {
        "session": ctx.session, "user": ctx.session.user if ctx.session else None,
        "csrf": ctx.session.csrf if ctx.session else "", "flash": flash, "draft_info": draft_info,
        "path": ctx.request.url.path, **values,
    }, status_code=status)


def redirect(url: str, ok: str | None = None) -> RedirectResponse:
    """A 303 to ``url``; ``ok`` names the FLASH text the next page shows."""
    if ok:
        url += ("&" if "?" in url else "?") + f"ok={ok}"
    return RedirectResponse(url, status_code=303)


def int_or(value: Any, default: int | None = None) -> int | None:
    """An integer that SQLite can hold (64-bit), else ``default``."""
    try:
        n = int(str(value).strip()) if value is not None and len(str(value)) <= 20 else None
    except (TypeError, ValueError):
        return default
    return n if n is not None and -(2**63) <= n < 2**63 else default


def vi_message(exc: Exception) -> str:
    """The Vietnamese half of a 'vi / en' message, as a sentence."""
    text = str(exc).split(" / ")[0]
    return text[:1].upper() + text[1:]


def days_param(ctx: Ctx, default: int = 30) -> int:
    """The report period from ``?days=`` (7, 30, 90 or 365 days), else ``default``."""
    d = int_or(ctx.request.query_params.get("days"), default)
    return d if d in (7, 30, 90, 365) else default


async def http_error(request: Request, exc: Exception) -> Response:
    """The error page: the handler's own Vietnamese message, else a plain one for the status (never a trace)."""
    status = getattr(exc, "status_code", 500)
    detail = getattr(exc, "detail", "") if status != 500 else ""
    messages = {404: "Không tìm thấy trang này.", 405: "Thao tác không hợp lệ.", 413: "Tệp hoặc biểu mẫu quá lớn.",
                500: "Đã có lỗi. Thử lại; nếu vẫn lỗi, báo cho người phụ trách máy kiosk."}
    try:
        default = HTTPStatus(status).phrase
    except ValueError:
        default = ""
    text = detail if isinstance(detail, str) and detail and detail != default else messages.get(status, messages[500])
    return request.app.state.templates.TemplateResponse(
        request, "error.html", {"status": status, "message": text, "session": None, "user": None,
                                "csrf": "", "flash": None, "draft_info": None, "path": request.url.path},
        status_code=status,
    )

