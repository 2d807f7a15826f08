"""The staff web admin: a Starlette app of server-rendered Vietnamese pages.

Every route but the login form and the stylesheet needs a signed-in staff member;
every POST needs the session's CSRF token; roles decide who may roll back and manage
accounts. Handlers open one SQLite connection per request (the kiosk reads the same
database in WAL mode) and never hold it across requests.
"""
from __future__ import annotations

import datetime as dt
import inspect
import io
import json
import logging
import os
import secrets
import sqlite3
from http import HTTPStatus
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Awaitable, Callable
from urllib.parse import quote, urlencode

import jinja2
import sqlite_utils
from argon2 import PasswordHasher
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kiosk.admin import charts, draft as drafts, edits, forms, jobs, limits, reports, sheets
from kiosk.admin.accounts import ROLE_LABEL, Accounts, Role, Session, audit, audit_rows, csrf_ok
from kiosk.admin.errors import AdminError, AuthError, RateLimited
from kiosk.admin.schema import open_admin_db
from knowledge.answer import compose_answer
from knowledge.base import KnowledgeBase
from knowledge.model import Decision
from knowledge.normalize import fold
from knowledge.serialize import content_from_dict, procedure_from_dict
from knowledge.store import current_version, versions as list_versions

log = logging.getLogger(__name__)

HERE = Path(__file__).parent
SESSION_COOKIE = "kiosk_admin"
LOGIN_COOKIE = "kiosk_admin_login"
MAX_BODY = 8 * 1024 * 1024
PUBLIC_PATHS = {"/login"}  # and /static/… (the stylesheet): nothing else answers without a session

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
}


@dataclass(frozen=True)
class AdminSettings:
    db_path: Path
    content_dir: Path
    secure_cookies: bool = False
    """Mark cookies Secure (only when the admin is served over HTTPS, e.g. behind a TLS proxy)."""
    answer_threshold: float | None = None
    clarify_threshold: float | None = None
    trusted_proxies: tuple[str, ...] = ()
    """Addresses of a reverse proxy in front of the admin; only from these is X-Forwarded-For believed
    (else every login would seem to come from the proxy, and the limiter would block everyone at once).
    Also read from KIOSK_ADMIN_TRUSTED_PROXIES (comma-separated)."""


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
        return self.session.user.name if self.session else ""

    @property
    def ip(self) -> str:
        return client_ip(self.request)


# ---- plumbing ---------------------------------------------------------------------------------
class SecurityHeaders:
    """Headers on every response: no framing, no sniffing, no inline script, no caching of pages."""

    HEADERS = [
        (b"content-security-policy", b"default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
                                     b"frame-ancestors 'none'; base-uri 'none'"),
        (b"x-frame-options", b"DENY"),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
        (b"cross-origin-opener-policy", b"same-origin"),
    ]

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope.get("path", "").startswith("/static/")

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", []) if h[0].lower() != b"cache-control"]
                headers += self.HEADERS
                headers.append((b"cache-control", b"private, max-age=3600" if static else b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, wrapped)


def _connect(path: Path) -> sqlite_utils.Database:
    # check_same_thread=False: a request may hash a password in a worker thread; one request
    # uses its connection from one thread at a time.
    db = sqlite_utils.Database(sqlite3.connect(str(path), check_same_thread=False))
    db.execute("PRAGMA busy_timeout=5000")
    db.execute("PRAGMA foreign_keys=ON")
    return db


def _local_time(iso: str | None) -> str:
    if not iso:
        return ""
    try:
        return dt.datetime.fromisoformat(iso).astimezone().strftime("%d/%m/%Y %H:%M")
    except ValueError:
        return iso


def _rows(text: Any, width: int = 100, minimum: int = 1, maximum: int = 14) -> int:
    """Textarea height for its text, so a clerk sees the whole value without scrolling (no JS)."""
    lines = str(text or "").split("\n")
    n = sum(max(1, -(-len(line) // width)) for line in lines)
    return max(minimum, min(maximum, n))


def _templates() -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True,
    )
    env.filters["localtime"] = _local_time
    env.filters["number"] = lambda v: f"{v:,}".replace(",", ".") if isinstance(v, int) else v
    env.globals.update(
        field_label=drafts.field_label, FIELD_LABELS=drafts.FIELD_LABELS, DOC_FORMS=forms.DOC_FORM_LABEL,
        LEVELS=forms.LEVELS, ROLE_LABEL=ROLE_LABEL, UNVERIFIABLE=forms.UNVERIFIABLE, rows=_rows,
    )
    return Jinja2Templates(env=env)


def _safe_next(value: str | None) -> str:
    v = value or "/"
    return v if v.startswith("/") and not v.startswith("//") and "\\" not in v else "/"


Handler = Callable[[Ctx], Awaitable[Response] | Response]


def page(role: Role | None = None) -> Callable[[Handler], Callable[[Request], Awaitable[Response]]]:
    """Wrap a handler: connection, session (else → login), role, CSRF on POST."""

    def deco(fn: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            settings: AdminSettings = request.app.state.settings
            db = _connect(settings.db_path)
            try:
                accounts = Accounts(db, request.app.state.hasher)
                session = accounts.session(request.cookies.get(_cookie_name(settings)))
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
                # A plain handler (all SQLite work, validation, rendering) runs in a worker
                # thread, so a seconds-long validation or import never stalls other staff.
                return await run_in_threadpool(fn, ctx)
            finally:
                db.close()

        endpoint.__name__ = fn.__name__
        endpoint.__doc__ = fn.__doc__
        return endpoint

    return deco


def _cookie_name(settings: AdminSettings) -> str:
    return ("__Host-" if settings.secure_cookies else "") + SESSION_COOKIE


def render(ctx: Ctx, name: str, status: int = 200, **values: Any) -> HTMLResponse:
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
    if ok:
        url += ("&" if "?" in url else "?") + f"ok={ok}"
    return RedirectResponse(url, status_code=303)


def _int(value: Any, default: int | None = None) -> int | None:
    """An integer that SQLite can hold (64-bit), else ``default``."""
    try:
        n = int(str(value).strip()) if value is not None and len(str(value)) <= 20 else None
    except (TypeError, ValueError):
        return default
    return n if n is not None and -(2**63) <= n < 2**63 else default


# ---- login ------------------------------------------------------------------------------------
async def login_page(request: Request) -> Response:
    return _login_response(request, None, _safe_next(request.query_params.get("next")))


def _no_users(settings: AdminSettings) -> bool:
    db = _connect(settings.db_path)
    try:
        return db.execute("SELECT count(*) FROM admin_users WHERE active = 1").fetchone()[0] == 0
    finally:
        db.close()


def _login_response(request: Request, error: str | None, next_url: str, status: int = 200, name: str = "") -> Response:
    settings: AdminSettings = request.app.state.settings
    token = secrets.token_urlsafe(24)
    flash = FLASH.get(request.query_params.get("ok", ""))
    resp = request.app.state.templates.TemplateResponse(
        request, "login.html", {"login_csrf": token, "error": error, "next": next_url, "flash": flash,
                                "no_users": _no_users(settings), "name": name[:64],
                                "session": None, "user": None, "csrf": "", "draft_info": None, "path": "/login"},
        status_code=status,
    )
    resp.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="strict", secure=settings.secure_cookies, path="/login")
    return resp


async def login_submit(request: Request) -> Response:
    settings: AdminSettings = request.app.state.settings
    form = await request.form(max_files=0, max_fields=10, max_part_size=8192)
    next_url = _safe_next(str(form.get("next") or "/"))
    if not csrf_ok(request.cookies.get(LOGIN_COOKIE, ""), form.get("csrf")):
        raise HTTPException(403, "Biểu mẫu đăng nhập đã hết hạn — tải lại trang rồi thử lại.")
    name, password = str(form.get("name") or ""), str(form.get("password") or "")
    ip = client_ip(request)
    db = _connect(settings.db_path)
    try:
        accounts = Accounts(db, request.app.state.hasher)
        try:
            user = await run_in_threadpool(accounts.authenticate, name, password, ip)
        except RateLimited as exc:
            audit(db, name[:64], "login-throttled", "", None, ip)
            return _login_response(request, _first(exc), next_url, status=429, name=name)
        except AuthError as exc:
            audit(db, name[:64], "login-failed", "", None, ip)
            return _login_response(request, _first(exc), next_url, status=401, name=name)
        token = accounts.start_session(user, ip)
        audit(db, user.name, "login", "", None, ip)
    finally:
        db.close()
    resp = RedirectResponse(next_url, status_code=303)
    resp.set_cookie(_cookie_name(settings), token, httponly=True, samesite="strict", secure=settings.secure_cookies, path="/")
    resp.delete_cookie(LOGIN_COOKIE, path="/login")
    return resp


def _first(exc: Exception) -> str:
    """The Vietnamese half of a 'vi / en' message, as a sentence."""
    text = str(exc).split(" / ")[0]
    return text[:1].upper() + text[1:]


@page()
def logout(ctx: Ctx) -> Response:
    ctx.accounts.end_session(ctx.session.token_hash)
    audit(ctx.db, ctx.user, "logout", "", None, ctx.ip)
    resp = redirect("/login", "loggedout")
    resp.delete_cookie(_cookie_name(ctx.request.app.state.settings), path="/")
    return resp


# ---- home and procedures ----------------------------------------------------------------------
@page()
def home(ctx: Ctx) -> Response:
    draft = drafts.load(ctx.db)
    changes = drafts.diff(drafts.content_to_dict(drafts.live(ctx.db)), draft.data) if draft.exists else []
    vs = list_versions(ctx.db)[:1]
    groups = reports.unanswered(ctx.db, 30)
    return render(ctx, "home.html", changes=changes, draft=draft, latest=vs[0] if vs else None,
                  unanswered=sum(g.count for g in groups), stale=drafts.is_stale(ctx.db, draft))


def _draft_state(ctx: Ctx) -> tuple[drafts.Draft, dict[str, dict], dict[str, str]]:
    draft = drafts.load(ctx.db)
    live = {p["code"]: p for p in drafts.content_to_dict(drafts.live(ctx.db))["procedures"]}
    status: dict[str, str] = {}
    mine = {p["code"] for p in draft.data["procedures"]}
    for p in draft.data["procedures"]:
        q = live.get(p["code"])
        if q is None:
            status[p["code"]] = "new"
        elif drafts.as_published(p) != drafts.as_published(q):
            status[p["code"]] = "changed"
    for code in live:
        if code not in mine:
            status[code] = "removed"
    return draft, live, status


@page()
def procedure_list(ctx: Ctx) -> Response:
    q = forms.clean_line(ctx.request.query_params.get("q", ""))[:200]
    cat = ctx.request.query_params.get("cat", "")
    show = ctx.request.query_params.get("show", "full")
    draft, _live, status = _draft_state(ctx)
    key = fold(q) if q else ""
    rows = []
    for p in draft.data["procedures"]:
        if cat and p["category"] != cat:
            continue
        if show == "full" and p.get("detail") != "full":
            continue
        if show == "brief" and p.get("detail") != "brief":
            continue
        if show == "retired" and not p.get("retired"):
            continue
        if show == "changed" and p["code"] not in status:
            continue
        if key:
            hay = fold(" ".join([p["code"], p["title"], *p.get("aliases", []), *p.get("keywords", [])]))
            if key not in hay:
                continue
        rows.append(p)
    rows.sort(key=lambda p: (p.get("detail") != "full", fold(p["title"]), p["title"]))
    cats = {c["code"]: c["name"] for c in draft.data["categories"]}
    return render(ctx, "procedures.html", rows=rows[:400], total=len(rows), q=q, cat=cat, show=show, cats=cats,
                  marks=status)


def _find(draft: drafts.Draft, code: str) -> dict[str, Any]:
    if not forms.valid_code(code):
        raise HTTPException(404, "Không có thủ tục này.")
    p = draft.procedure(code)
    if p is None:
        raise HTTPException(404, f"Không có thủ tục mã {code} trong bản nháp.")
    return p


def _edit_page(ctx: Ctx, draft: drafts.Draft, form: forms.ProcedureForm, errors: dict[str, str] | None = None,
               problems: list | None = None, status: int = 200, note: str | None = None,
               base: str | None = None) -> Response:
    live_codes = {p.code for p in drafts.live(ctx.db).procedures}
    if base is None:
        p = draft.procedure(form.code)
        base = edits.fingerprint(drafts.as_published(p)) if p else ""
    return render(ctx, "procedure_edit.html", status=status, f=form, errors=errors or {}, problems=problems,
                  cats=draft.data["categories"], counters=draft.data["office"]["counters"],
                  in_live=form.code in live_codes, changed=_changed(ctx, draft, form.code), note=note, base=base)


def _stale(ctx: Ctx, current: Any, target: str) -> edits.Conflict | None:
    """The form's ``base`` fingerprint no longer matches the draft: someone saved in between."""
    base = ctx.form.get("base") if ctx.form is not None else None
    if base is None:  # a form from before fingerprints (or a script): nothing to compare with
        return None
    if str(base) == edits.fingerprint(drafts.as_published(current) if current is not None else None):
        return None
    by, at = edits.last_change(ctx.db, target)
    return edits.Conflict(target, current, by, at)


def _conflict_page(ctx: Ctx, conflict: edits.Conflict, mine: Any, back: str) -> Response:
    """Side by side: what is in the draft now (someone else's newer save) and what this clerk sent."""
    theirs = drafts.as_published(conflict.current) if conflict.current is not None else {}
    ours = drafts.as_published(mine) if mine is not None else {}
    if isinstance(theirs, dict) and isinstance(ours, dict):
        keys = [k for k in dict.fromkeys([*theirs, *ours]) if theirs.get(k) != ours.get(k) and k != "code"]
        rows = [(drafts.field_label(k), _show(theirs.get(k)), _show(ours.get(k))) for k in keys]
    else:
        rows = [("Thông báo", _show(theirs), _show(ours))]
    audit(ctx.db, ctx.user, "edit-conflict", conflict.target, {"by": conflict.by}, ctx.ip)
    keep = [(k, v) for k, v in ctx.form.multi_items() if k not in ("csrf", "base") and isinstance(v, str)]
    return render(ctx, "conflict.html", status=409, conflict=conflict, rows=rows, back=back, keep=keep,
                  base=edits.fingerprint(drafts.as_published(conflict.current) if conflict.current is not None else None))


def _show(v: Any) -> str:
    if v is None or v == "" or v == []:
        return "—"
    if isinstance(v, list):
        return "\n".join(" | ".join(str(x) for x in d.values() if x not in (None, "")) if isinstance(d, dict) else str(d)
                         for d in v)
    if isinstance(v, bool):
        return "có" if v else "không"
    return str(v)


def _changed(ctx: Ctx, draft: drafts.Draft, code: str) -> list[str]:
    live = next((p for p in drafts.content_to_dict(drafts.live(ctx.db))["procedures"] if p["code"] == code), None)
    mine = draft.procedure(code)
    if live is None or mine is None:
        return []
    a, b = drafts.as_published(live), drafts.as_published(mine)
    return [f for f in drafts.PROCEDURE_FIELDS if a.get(f) != b.get(f)]


@page()
def procedure_edit(ctx: Ctx) -> Response:
    code = ctx.request.path_params["code"]
    draft = drafts.load(ctx.db)
    p = _find(draft, code)
    problems = drafts.validate_procedure(draft.data, code)
    return _edit_page(ctx, draft, forms.ProcedureForm.from_procedure(p), problems=problems)


@page()
def procedure_save(ctx: Ctx) -> Response:
    code = ctx.request.path_params["code"]
    action = str(ctx.form.get("action") or "save")
    url = f"/procedures/{quote(code)}"
    with edits.immediate(ctx.db):  # read, compare, write: nobody saves in between
        draft = drafts.load(ctx.db)
        p = _find(draft, code)
        if action in ("retire", "restore", "revert", "delete", "write-up"):
            if (conflict := _stale(ctx, p, code)) is not None:
                return _conflict_page(ctx, conflict, {**p, "retired": action == "retire"} if action in ("retire", "restore")
                                      else None, url)
        if action in ("retire", "restore"):
            p = {**p, "retired": action == "retire"}
            if p.get("detail") == "brief":
                raise HTTPException(400, "Thủ tục chỉ có trong danh mục: dùng «Xóa khỏi danh mục».")
            drafts.put_procedure(draft, p)
            drafts.save(ctx.db, draft, ctx.user)
            audit(ctx.db, ctx.user, action, code, None, ctx.ip)
            return redirect(url, "retired" if action == "retire" else "restored")
        if action == "revert":
            live = next((x for x in drafts.content_to_dict(drafts.live(ctx.db))["procedures"] if x["code"] == code), None)
            if live is None:
                drafts.remove_procedure(draft, code)
            else:
                drafts.put_procedure(draft, live)
            drafts.save(ctx.db, draft, ctx.user)
            audit(ctx.db, ctx.user, "revert", code, None, ctx.ip)
            return redirect(url if live else "/procedures", "reverted")
        if action == "delete":
            if p.get("detail") != "brief":
                raise HTTPException(400, "Thủ tục viết đầy đủ không xóa được — hãy «Ngừng áp dụng».")
            drafts.remove_procedure(draft, code)
            drafts.save(ctx.db, draft, ctx.user)
            audit(ctx.db, ctx.user, "delete", code, None, ctx.ip)
            return redirect("/procedures?show=brief", "deleted")
        if action == "write-up":
            if p.get("detail") == "brief":
                drafts.put_procedure(draft, forms.write_up(p))
                drafts.save(ctx.db, draft, ctx.user)
                audit(ctx.db, ctx.user, "write-up", code, None, ctx.ip)
            return redirect(url, "written")

        form = forms.ProcedureForm.from_post(code, p.get("detail", "full"), ctx.form)
        applied = form.apply(action)
        new, errors = form.to_procedure(p)
        errors.update(limits.procedure_problems(new))
        base = str(ctx.form.get("base")) if ctx.form.get("base") is not None else None
        if action == "doc-add" or errors:
            note = "Đã thêm một dòng giấy tờ trống ở cuối — điền rồi bấm «Lưu»." if action == "doc-add" else None
            return _edit_page(ctx, draft, form, errors=errors, status=400 if errors else 200, note=note, base=base)
        if (conflict := _stale(ctx, p, code)) is not None:
            return _conflict_page(ctx, conflict, new, url)
        before = drafts.as_published(p)
        if drafts.as_published(new) != before:
            drafts.put_procedure(draft, new)
            drafts.save(ctx.db, draft, ctx.user)
            after = drafts.as_published(new)
            audit(ctx.db, ctx.user, "edit", code,
                  {"fields": [f for f in drafts.PROCEDURE_FIELDS if before.get(f) != after.get(f)],
                   "action": action if applied else "save"}, ctx.ip)
    return redirect(url + ("#documents" if applied else ""), "saved")


@page()
def procedure_new_form(ctx: Ctx) -> Response:
    draft = drafts.load(ctx.db)
    return render(ctx, "procedure_new.html", cats=draft.data["categories"], values={}, errors={})


@page()
def procedure_new(ctx: Ctx) -> Response:
    draft = drafts.load(ctx.db)
    values = {k: forms.clean_line(ctx.form.get(k)) for k in ("code", "title", "category")}
    errors = {}
    if not forms.valid_code(values["code"]):
        errors["code"] = "Mã dạng N.NNNNNN (ví dụ 1.001193), hoặc local.ten-ngan khi chưa tra được mã quốc gia."
    elif draft.procedure(values["code"]):
        errors["code"] = "Đã có thủ tục mã này."
    if not values["title"]:
        errors["title"] = "Cần tên thủ tục."
    if values["category"] not in {c["code"] for c in draft.data["categories"]}:
        errors["category"] = "Chọn một lĩnh vực."
    errors.update({k: v for k, v in limits.procedure_problems(values).items() if k in values})
    if errors:
        return render(ctx, "procedure_new.html", status=400, cats=draft.data["categories"], values=values, errors=errors)
    with edits.immediate(ctx.db):
        draft = drafts.load(ctx.db)  # re-read inside the write lock
        if draft.procedure(values["code"]):
            raise HTTPException(409, "Vừa có người thêm thủ tục mã này — mở nó từ danh sách thủ tục.")
        drafts.put_procedure(draft, forms.new_procedure(values["code"], values["title"], values["category"]))
        drafts.save(ctx.db, draft, ctx.user)
    audit(ctx.db, ctx.user, "create", values["code"], {"title": values["title"]}, ctx.ip)
    return redirect(f"/procedures/{quote(values['code'])}", "created")


def _checklist(proc, office) -> tuple[str | None, bool]:
    """(checklist text, whether a receipt image can be drawn); None when printing is not installed."""
    try:
        from printing import build_checklist, checklist_text
    except ImportError:
        return None, False
    try:
        return checklist_text(build_checklist(proc, office, dt.datetime.now())), True
    except Exception:  # a half-written draft must not break the preview
        log.exception("checklist preview failed")
        return None, False


@page()
def procedure_preview(ctx: Ctx) -> Response:
    code = ctx.request.path_params["code"]
    draft = drafts.load(ctx.db)
    p = _find(draft, code)
    proc = procedure_from_dict(p)
    office = content_from_dict(draft.data).office
    answer = compose_answer(proc, office)
    checklist, image = _checklist(proc, office)
    try:  # exactly what the slip's QR code will hold
        from printing.checklist import portal_url
        from printing.urls import url_problem

        qr_url, problem = portal_url(proc), (url_problem(p["online_url"]) if p.get("online_url") else None)
    except ImportError:
        qr_url, problem = None, None
    return render(ctx, "procedure_preview.html", p=p, answer=answer, checklist=checklist, image=image,
                  problems=drafts.validate_procedure(draft.data, code), qr_url=qr_url, url_problem=problem)


@page()
def procedure_receipt(ctx: Ctx) -> Response:
    code = ctx.request.path_params["code"]
    draft = drafts.load(ctx.db)
    p = _find(draft, code)
    try:
        from printing import build_checklist, render_receipt

        img = render_receipt(build_checklist(procedure_from_dict(p), content_from_dict(draft.data).office, dt.datetime.now()))
    except Exception:
        log.exception("receipt preview failed")
        raise HTTPException(404, "Không vẽ được phiếu in.") from None
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return Response(buf.getvalue(), media_type="image/png")


# ---- office and notices -----------------------------------------------------------------------
@page()
def office_page(ctx: Ctx) -> Response:
    draft = drafts.load(ctx.db)
    return _office_render(ctx, draft, draft.data["office"], draft.data.get("notices") or [])


def _office_render(ctx, draft, office, notices, status=200, note=None, problems=None, base_office=None,
                   base_notices=None) -> Response:
    if problems is None:
        problems = [p for p in drafts.validate({**draft.data, "procedures": [
            p for p in draft.data["procedures"] if p.get("detail") == "full"][:1], "office": office, "notices": notices}).problems
            if p.area in ("office", "notices")]
    return render(ctx, "office.html", status=status, office=office, notices=notices, cats=draft.data["categories"],
                  note=note, problems=problems,
                  base_office=base_office or edits.fingerprint(drafts.as_published(draft.data["office"])),
                  base_notices=base_notices or edits.fingerprint(drafts.as_published(draft.data.get("notices") or [])))


@page()
def office_save(ctx: Ctx) -> Response:
    with edits.immediate(ctx.db):
        draft = drafts.load(ctx.db)
        office, action = forms.office_from_post(ctx.form, draft.data["office"])
        base = str(ctx.form.get("base") or "") or None
        if action == "counter-add":
            return _office_render(ctx, draft, office, draft.data.get("notices") or [], base_office=base,
                                  note="Đã thêm một dòng quầy trống — điền rồi bấm «Lưu».")
        too_long = limits.office_problems(office)
        if too_long:
            return _office_render(ctx, draft, office, draft.data.get("notices") or [], status=400, base_office=base,
                                  problems=[drafts.ProblemView(None, "office", "", t) for t in too_long])
        if (conflict := _stale(ctx, draft.data["office"], "office")) is not None:
            return _conflict_page(ctx, conflict, office, "/office")
        before = drafts.as_published(draft.data["office"])
        draft.data["office"] = office
        if drafts.as_published(office) != before:
            drafts.save(ctx.db, draft, ctx.user)
            audit(ctx.db, ctx.user, "office", "", {"fields": [k for k in office if before.get(k) != drafts.as_published(office).get(k)]}, ctx.ip)
    return redirect("/office", "office")


@page()
def notices_save(ctx: Ctx) -> Response:
    with edits.immediate(ctx.db):
        draft = drafts.load(ctx.db)
        notices, action = forms.notices_from_post(ctx.form)
        base = str(ctx.form.get("base") or "") or None
        if action == "notice-add":
            return _office_render(ctx, draft, draft.data["office"], notices, base_notices=base,
                                  note="Đã thêm một thông báo trống — điền rồi bấm «Lưu».")
        too_long = limits.notices_problems(notices)
        if too_long:
            return _office_render(ctx, draft, draft.data["office"], notices, status=400, base_notices=base,
                                  problems=[drafts.ProblemView(None, "notices", "", t) for t in too_long])
        current = draft.data.get("notices") or []
        if (conflict := _stale(ctx, current, "notices")) is not None:
            return _conflict_page(ctx, conflict, notices, "/office#notices")
        if drafts.as_published(notices) != drafts.as_published(current):
            draft.data["notices"] = notices
            drafts.save(ctx.db, draft, ctx.user)
            audit(ctx.db, ctx.user, "notices", "", {"count": len(notices)}, ctx.ip)
    return redirect("/office#notices", "notices")


# ---- publish, versions, roll back ---------------------------------------------------------------
@page()
def publish_page(ctx: Ctx) -> Response:
    draft = drafts.load(ctx.db)
    live = drafts.content_to_dict(drafts.live(ctx.db))
    changes = drafts.diff(live, draft.data) if draft.exists else []
    result = drafts.validate(draft.data) if changes else None
    return render(ctx, "publish.html", draft=draft, changes=changes, result=result, stale=drafts.is_stale(ctx.db, draft),
                  version=current_version(ctx.db), titles=_titles(draft))


def _titles(draft: drafts.Draft) -> dict[str, str]:
    return {p["code"]: p["title"] for p in draft.data["procedures"]}


@page()
def publish_submit(ctx: Ctx) -> Response:
    note = forms.clean_line(ctx.form.get("note"))[:500]
    try:
        with ctx.request.app.state.jobs.hold("publish", ctx.user):
            drafts.publish_draft(ctx.db, ctx.user, note, ctx.ip)
    except edits.Busy as exc:
        raise HTTPException(409, _first(exc)) from None
    except drafts.DraftInvalid as exc:
        draft = drafts.load(ctx.db)
        changes = drafts.diff(drafts.content_to_dict(drafts.live(ctx.db)), draft.data)
        return render(ctx, "publish.html", status=400, draft=draft, changes=changes,
                      result=drafts.Validation(None, exc.problems), stale=drafts.is_stale(ctx.db, draft),
                      version=current_version(ctx.db), titles=_titles(draft))
    except AdminError as exc:
        raise HTTPException(400, _first(exc)) from None
    return redirect("/versions", "published")


@page()
def draft_discard(ctx: Ctx) -> Response:
    drafts.discard(ctx.db)
    audit(ctx.db, ctx.user, "discard-draft", "", None, ctx.ip)
    return redirect("/", "discarded")


@page()
def versions_page(ctx: Ctx) -> Response:
    return render(ctx, "versions.html", versions=list_versions(ctx.db)[:200], current=current_version(ctx.db))


def _version_id(ctx: Ctx) -> int:
    vid = _int(ctx.request.path_params["vid"])
    if vid is None or not 0 < vid < 2**63:  # SQLite integers are 64-bit: a longer id cannot exist
        raise HTTPException(404, "Không có phiên bản này.")
    return vid


@page()
def version_detail(ctx: Ctx) -> Response:
    vid = _version_id(ctx)
    row = next(ctx.db.query("SELECT id, version, imported_at, source, author, note, procedures FROM content_versions "
                            "WHERE id = ?", [vid]), None)
    if row is None:
        raise HTTPException(404, "Không có phiên bản này.")
    made = drafts.changes_of(ctx.db, vid)
    back = drafts.diff(drafts.content_to_dict(drafts.live(ctx.db)), drafts.snapshot(ctx.db, vid))
    return render(ctx, "version.html", v=row, made=made, back=back, current=current_version(ctx.db))


@page(role=Role.ADMIN)
def version_rollback(ctx: Ctx) -> Response:
    vid = _version_id(ctx)
    try:
        drafts.rollback_to(ctx.db, vid, ctx.user, ctx.ip)
    except Exception as exc:
        from knowledge.errors import KnowledgeError

        if isinstance(exc, (KnowledgeError, AdminError)):
            raise HTTPException(404, _first(exc)) from None
        raise
    return redirect("/versions", "rolledback")


# ---- spreadsheets -------------------------------------------------------------------------------
@page()
def sheet_page(ctx: Ctx) -> Response:
    return render(ctx, "sheet.html", problems=None, columns=[sheets.header(k) for k in sheets.COLUMNS])


@page()
def sheet_export(ctx: Ctx) -> Response:
    fmt = ctx.request.path_params["fmt"]
    data = drafts.load(ctx.db).data
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M")
    if fmt == "xlsx":
        body = sheets.to_xlsx(data)
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    elif fmt == "csv":
        body = sheets.to_csv(data)
        media = "text/csv; charset=utf-8"
    else:
        raise HTTPException(404, "Không có định dạng này.")
    audit(ctx.db, ctx.user, "export", fmt, None, ctx.ip)
    return Response(body, media_type=media,
                    headers={"content-disposition": f'attachment; filename="thu-tuc-{stamp}.{fmt}"'})


@page()
async def sheet_import(ctx: Ctx) -> Response:
    """Upload → every check and the list of changes (nothing saved yet) → the clerk applies it."""
    upload = ctx.form.get("file")
    if upload is None or isinstance(upload, str) or not upload.filename:
        return render(ctx, "sheet.html", status=400, problems=["Chưa chọn tệp."],
                      columns=[sheets.header(k) for k in sheets.COLUMNS])
    raw = await upload.read(sheets.MAX_BYTES + 1)
    return await _run_import(ctx, raw, upload.filename, apply=False)


@page()
async def sheet_import_apply(ctx: Ctx) -> Response:
    settings: AdminSettings = ctx.request.app.state.settings
    pending = jobs.take_pending(settings.db_path, str(ctx.form.get("token") or ""), ctx.user)
    if pending is None:
        raise HTTPException(400, "Bảng tính chờ áp dụng đã hết hạn hoặc đã được áp dụng — tải lên lại.")
    return await _run_import(ctx, pending[0], pending[1], apply=True)


async def _run_import(ctx: Ctx, raw: bytes, filename: str, *, apply: bool) -> Response:
    settings: AdminSettings = ctx.request.app.state.settings

    def run() -> sheets.ImportResult:
        with ctx.request.app.state.jobs.hold("import", ctx.user):
            return jobs.import_sheet(settings.db_path, raw, filename, ctx.user, ctx.ip, apply=apply)

    try:
        # Parsing and validating a 5,000-row sheet takes seconds: in a child process (kiosk.admin.jobs),
        # awaited from a worker thread, never on the event loop.
        result = await run_in_threadpool(run)
    except edits.Busy as exc:
        raise HTTPException(409, _first(exc) + ". Chưa nhập gì.") from None
    except sheets.SheetError as exc:
        audit(ctx.db, ctx.user, "import-rejected", filename[:200], {"problems": len(exc.problems)}, ctx.ip)
        return render(ctx, "sheet.html", status=400, problems=exc.problems[:300], more=max(0, len(exc.problems) - 300),
                      columns=[sheets.header(k) for k in sheets.COLUMNS])
    if not result.changes:
        return redirect("/publish", "nochange")
    if apply:
        return redirect("/publish", "imported")
    token = await run_in_threadpool(jobs.keep_pending, settings.db_path, raw, filename, ctx.user)
    return render(ctx, "sheet_confirm.html", changes=result.changes, rows=result.rows, filename=filename[:200],
                  token=token)


# ---- reports ------------------------------------------------------------------------------------
def _kb(ctx: Ctx) -> KnowledgeBase:
    state = ctx.request.app.state
    version = current_version(ctx.db)
    cached = getattr(state, "kb", None)
    if cached is None or cached.version != version:
        settings: AdminSettings = state.settings
        state.kb = KnowledgeBase(drafts.live(ctx.db), answer_threshold=settings.answer_threshold,
                                 clarify_threshold=settings.clarify_threshold)
    return state.kb


def _days(ctx: Ctx, default: int = 30) -> int:
    d = _int(ctx.request.query_params.get("days"), default)
    return d if d in (7, 30, 90, 365) else default


@page()
def unanswered_page(ctx: Ctx) -> Response:
    days = _days(ctx)
    groups = reports.unanswered(ctx.db, days)[:100]
    kb = _kb(ctx)
    draft = drafts.load(ctx.db)
    pending = {fold(a): p["code"] for p in draft.data["procedures"] for a in p.get("aliases", [])}
    titles = {p["code"]: p["title"] for p in draft.data["procedures"]}
    choices = sorted((p for p in draft.data["procedures"] if p.get("detail") == "full" and not p.get("retired")),
                     key=lambda p: p["title"])
    rows = []
    for g in groups:
        res = kb.ask(g.example)
        now = res.answer.code if res.decision is Decision.ANSWER and res.answer else None
        guesses = [c for c, _ in g.candidates.most_common(3) if c in titles]
        rows.append({"g": g, "now": now, "pending": pending.get(fold(g.alias_text)), "guesses": guesses})
    return render(ctx, "unanswered.html", rows=rows, days=days, titles=titles, choices=choices)


@page()
def unanswered_alias(ctx: Ctx) -> Response:
    code = forms.clean_line(ctx.form.get("code"))
    text = forms.clean_line(ctx.form.get("text"))[:200]
    days = _days(ctx)
    if not code:
        raise HTTPException(400, "Chưa chọn thủ tục — quay lại và chọn đúng thủ tục cho câu hỏi.")
    with edits.immediate(ctx.db):  # adds to whatever the draft holds now; nobody's edit is overwritten
        draft = drafts.load(ctx.db)
        p = _find(draft, code)
        if not text:
            raise HTTPException(400, "Câu hỏi trống.")
        if p.get("detail") != "full":
            raise HTTPException(400, "Chỉ thêm cách hỏi cho thủ tục viết đầy đủ.")
        if fold(text) in {fold(a) for a in p.get("aliases", [])}:
            return redirect(f"/unanswered?days={days}", "aliasdup")
        drafts.put_procedure(draft, {**p, "aliases": [*p.get("aliases", []), text]})
        drafts.save(ctx.db, draft, ctx.user)
        audit(ctx.db, ctx.user, "alias", code, {"alias": text}, ctx.ip)
    return redirect(f"/unanswered?days={days}", "alias")


DECISION_LABEL = {"answer": "Trả lời ngay", "clarify": "Hỏi lại để chọn", "none": "Không tìm thấy"}
RATING_LABEL = {"good": "Hài lòng", "bad": "Chưa hài lòng", "none": "Không đánh giá"}
CHANNEL_LABEL = {"text": "Gõ chữ", "audio": "Nói", "touch": "Chạm chọn"}


@page()
def usage_page(ctx: Ctx) -> Response:
    days = _days(ctx)
    u = reports.usage(ctx.db, days)
    titles = {p.code: p.title for p in drafts.live(ctx.db).procedures}
    return render(
        ctx, "usage.html", u=u, days=days,
        per_day=charts.columns(u.per_day, f"Số câu hỏi mỗi ngày, {days} ngày qua"),
        decisions=charts.shares([(DECISION_LABEL[k], v) for k, v in u.decisions.items()], "Kết quả",
                                 colors=(charts.GOOD, charts.MIDDLE, charts.BAD)),
        ratings=charts.shares([(RATING_LABEL[k], v) for k, v in u.ratings.items()], "Đánh giá của người dân",
                                colors=(charts.GOOD, charts.BAD, charts.NEUTRAL)),
        channels=charts.shares([(CHANNEL_LABEL.get(k, k), v) for k, v in sorted(u.channels.items())], "Cách hỏi"),
        top=charts.bars([(f"{titles.get(c, c)} ({c})", n) for c, n in u.top_codes], "Thủ tục được hỏi nhiều nhất"),
    )


# ---- accounts and audit -------------------------------------------------------------------------
@page(role=Role.ADMIN)
def users_page(ctx: Ctx) -> Response:
    return _users(ctx)


def _users(ctx: Ctx, error: str | None = None, status: int = 200) -> Response:
    users = ctx.accounts.list()
    failures = {r["name"]: r["n"] for r in ctx.db.query(
        "SELECT name, count(*) AS n FROM admin_login_attempts WHERE ok = 0 GROUP BY name")}
    locked = {u.name for u in users if ctx.accounts.locked(u.name)}
    return render(ctx, "users.html", status=status, users=users, error=error, roles=list(Role), failures=failures,
                  locked=locked)


@page(role=Role.ADMIN)
def users_create(ctx: Ctx) -> Response:
    name = str(ctx.form.get("name") or "")
    password, again = str(ctx.form.get("password") or ""), str(ctx.form.get("password2") or "")
    try:
        if password != again:
            raise AdminError("hai lần nhập mật khẩu không giống nhau")
        role = str(ctx.form.get("role") or "editor")
        if role not in {r.value for r in Role}:
            raise AdminError("vai trò không hợp lệ")
        user = ctx.accounts.create(name, password, role, by=ctx.user)
    except AdminError as exc:
        return _users(ctx, _first(exc), 400)
    audit(ctx.db, ctx.user, "user-create", user.name, {"role": user.role.value}, ctx.ip)
    return redirect("/users", "user")


@page(role=Role.ADMIN)
def users_update(ctx: Ctx) -> Response:
    name = ctx.request.path_params["name"]
    action = str(ctx.form.get("action") or "")
    try:
        if action == "role":
            role = str(ctx.form.get("role") or "")
            if role not in {r.value for r in Role}:
                raise AdminError("vai trò không hợp lệ")
            ctx.accounts.set_role(name, role)
            detail: Any = {"role": role}
        elif action in ("disable", "enable"):
            if action == "disable" and name == ctx.user:
                raise AdminError("không tự khóa tài khoản của mình")
            ctx.accounts.set_active(name, action == "enable")
            detail = None
        elif action == "unlock":
            ctx.accounts._require(name)
            detail = {"cleared": ctx.accounts.clear_failures(name)}
        elif action == "password":
            ctx.accounts.set_password(name, str(ctx.form.get("password") or ""))
            detail = None
        else:
            raise AdminError("thao tác không hợp lệ")
    except AdminError as exc:
        return _users(ctx, _first(exc), 400)
    audit(ctx.db, ctx.user, f"user-{action}", name, detail, ctx.ip)
    return redirect("/users", "user")


@page()
def account_page(ctx: Ctx) -> Response:
    return render(ctx, "account.html", error=None)


@page()
def account_save(ctx: Ctx) -> Response:
    current = str(ctx.form.get("current") or "")
    new, again = str(ctx.form.get("password") or ""), str(ctx.form.get("password2") or "")
    try:
        ctx.accounts.authenticate(ctx.user, current, ctx.ip)
        if new != again:
            raise AdminError("hai lần nhập mật khẩu mới không giống nhau")
        ctx.accounts.set_password(ctx.user, new)
    except AdminError as exc:
        return render(ctx, "account.html", status=400, error=_first(exc))
    audit(ctx.db, ctx.user, "password", ctx.user, None, ctx.ip)
    resp = redirect("/login", "password")  # set_password ended every session of this account
    resp.delete_cookie(_cookie_name(ctx.request.app.state.settings), path="/")
    return resp


@page(role=Role.ADMIN)
def audit_page(ctx: Ctx) -> Response:
    page_no = max(_int(ctx.request.query_params.get("page"), 1) or 1, 1)
    if page_no > 10**6:  # 200 million audit rows: no such page (and the offset stays in 64 bits)
        raise HTTPException(404, "Không có trang này.")
    rows = audit_rows(ctx.db, 200, (page_no - 1) * 200)
    for r in rows:
        try:
            r["detail_obj"] = json.loads(r["detail"]) if r["detail"] else None
        except ValueError:
            r["detail_obj"] = r["detail"]
    return render(ctx, "audit.html", rows=rows, page_no=page_no)


# ---- errors and the app -------------------------------------------------------------------------
async def http_error(request: Request, exc: Exception) -> Response:
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


from kiosk.admin.national_page import ROUTES as NATIONAL_ROUTES  # noqa: E402  (its handlers use page/render above)

ROUTES = [
    *NATIONAL_ROUTES,
    Route("/login", login_page, methods=["GET"]),
    Route("/login", login_submit, methods=["POST"]),
    Route("/logout", logout, methods=["POST"]),
    Route("/", home, methods=["GET"]),
    Route("/procedures", procedure_list, methods=["GET"]),
    Route("/procedures/new", procedure_new_form, methods=["GET"]),
    Route("/procedures/new", procedure_new, methods=["POST"]),
    Route("/procedures/{code}", procedure_edit, methods=["GET"]),
    Route("/procedures/{code}", procedure_save, methods=["POST"]),
    Route("/procedures/{code}/preview", procedure_preview, methods=["GET"]),
    Route("/procedures/{code}/receipt.png", procedure_receipt, methods=["GET"]),
    Route("/office", office_page, methods=["GET"]),
    Route("/office", office_save, methods=["POST"]),
    Route("/notices", notices_save, methods=["POST"]),
    Route("/publish", publish_page, methods=["GET"]),
    Route("/publish", publish_submit, methods=["POST"]),
    Route("/draft/discard", draft_discard, methods=["POST"]),
    Route("/versions", versions_page, methods=["GET"]),
    # {vid} as text: Starlette's int converter raises (HTTP 500) past 4,300 digits; _version_id answers 404
    Route("/versions/{vid}", version_detail, methods=["GET"]),
    Route("/versions/{vid}/rollback", version_rollback, methods=["POST"]),
    Route("/sheet", sheet_page, methods=["GET"]),
    Route("/sheet/procedures.{fmt}", sheet_export, methods=["GET"]),
    Route("/sheet/import", sheet_import, methods=["POST"]),
    Route("/sheet/import/apply", sheet_import_apply, methods=["POST"]),
    Route("/unanswered", unanswered_page, methods=["GET"]),
    Route("/unanswered/alias", unanswered_alias, methods=["POST"]),
    Route("/usage", usage_page, methods=["GET"]),
    Route("/users", users_page, methods=["GET"]),
    Route("/users", users_create, methods=["POST"]),
    Route("/users/{name}", users_update, methods=["POST"]),
    Route("/account", account_page, methods=["GET"]),
    Route("/account", account_save, methods=["POST"]),
    Route("/audit", audit_page, methods=["GET"]),
    Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
]


def create_app(settings: AdminSettings, *, hasher: PasswordHasher | None = None) -> Starlette:
    """The admin ASGI app. Opens (and migrates) the database once, filling it from the content source if empty."""
    db = open_admin_db(settings.db_path)
    try:
        from knowledge.store import open_content

        open_content(db, settings.content_dir)
    finally:
        db.close()
    app = Starlette(
        routes=ROUTES, exception_handlers={HTTPException: http_error, 500: http_error}, max_body_size=MAX_BODY,
    )
    app.add_middleware(SecurityHeaders)
    app.state.settings = settings
    app.state.hasher = hasher or PasswordHasher()
    app.state.templates = _templates()
    app.state.jobs = edits.JobGate()
    return app
