"""The province hub web app: staff pages (Vietnamese, server-rendered), the stats API, the bundle files.

    /login /logout            province staff sign-in (Argon2id, server-side sessions, CSRF on every POST)
    /procedures…              the shared draft, edited with the ward admin's procedure form and template
    /publish /versions        publish the draft as a signed bundle; roll back (a new version, new bundle)
    /stats /stats/<ward>      roll-up statistics, server-drawn SVG charts (kiosk.admin.charts)
    /unanswered               unanswered questions of all wards, merged; one button adds an alias centrally
    /wards                    the wards that may upload statistics
    POST /api/stats           a kiosk's daily aggregates (bearer token per ward) — FLEET.md
    /bundles/…                the signed bundles as static files (ETag, If-None-Match → 304)

Handlers borrow a PostgreSQL connection from a small pool and run in a worker thread,
so a seconds-long validation (publish) never stalls the stats endpoint.
"""
from __future__ import annotations

import inspect
import json
import logging
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Awaitable, Callable
from urllib.parse import quote, urlencode

import jinja2
from argon2 import PasswordHasher
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kiosk.admin import charts, draft as drafts, forms, limits
from kiosk.admin.accounts import csrf_ok
from kiosk.admin.edits import fingerprint
from kiosk.hub import content as hub_content, stats as hub_stats
from kiosk.hub.accounts import ROLE_LABEL, Editors, Session
from kiosk.hub.db import audit, meta_get
from kiosk.hub.errors import HubError
from kiosk.hub.pool import Pool
from knowledge.qlog import STORED_CHANNEL_LABEL

log = logging.getLogger(__name__)

HERE = Path(__file__).parent
ADMIN_DIR = HERE.parent / "admin"
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
DECISION_LABEL = {"answer": "Trả lời", "clarify": "Hỏi lại", "none": "Không tìm thấy", "redirect": "Chỉ nơi khác"}
CHANNEL_LABEL = STORED_CHANNEL_LABEL  # one vocabulary (knowledge.qlog), older kiosks' values included


@dataclass(frozen=True)
class HubSettings:
    database_url: str
    keys_dir: Path
    bundles_dir: Path
    secure_cookies: bool = False
    pool_size: int = 8

    @property
    def paths(self) -> hub_content.HubPaths:
        return hub_content.HubPaths(self.keys_dir, self.bundles_dir)


@dataclass
class Ctx:
    request: Request
    conn: Any
    session: Session | None
    form: Any = None

    @property
    def user(self) -> str:
        return self.session.user.name if self.session else ""


class Headers:
    """No framing/sniffing/inline script on pages; pages are not cached, bundles are revalidated (ETag)."""

    PAGE = [
        (b"content-security-policy", b"default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
                                     b"frame-ancestors 'none'; base-uri 'none'"),
        (b"x-frame-options", b"DENY"), (b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"),
    ]

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        bundle = path.startswith("/bundles/")

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", []) if h[0].lower() != b"cache-control"]
                if bundle:
                    headers.append((b"x-content-type-options", b"nosniff"))
                    # latest.json changes on every publish: caches must ask (cheap 304); a version dir never changes.
                    immutable = not path.endswith("/latest.json")
                    headers.append((b"cache-control", b"public, max-age=31536000, immutable" if immutable else b"no-cache"))
                else:
                    headers += self.PAGE
                    headers.append((b"cache-control", b"private, max-age=3600" if path.startswith("/static/") else b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, wrapped)


def _rows(text: Any, width: int = 100, minimum: int = 1, maximum: int = 14) -> int:
    lines = str(text or "").split("\n")
    return max(minimum, min(maximum, sum(max(1, -(-len(line) // width)) for line in lines)))


def _localtime(value: Any) -> str:
    import datetime as dt

    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    return value.astimezone().strftime("%d/%m/%Y %H:%M")


def _templates() -> Jinja2Templates:
    # Hub templates first (its own base.html with the province menu), then the ward admin's:
    # procedure_edit.html, procedures.html… extend "base.html" and so get the hub's frame.
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(HERE / "templates"),
                                    jinja2.FileSystemLoader(ADMIN_DIR / "templates")]),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    )
    env.filters["localtime"] = _localtime
    env.filters["number"] = lambda v: f"{v:,}".replace(",", ".") if isinstance(v, int) else v
    env.globals.update(
        field_label=drafts.field_label, FIELD_LABELS=drafts.FIELD_LABELS, DOC_FORMS=forms.DOC_FORM_LABEL,
        LEVELS=forms.LEVELS, ROLE_LABEL=ROLE_LABEL, UNVERIFIABLE=forms.UNVERIFIABLE, rows=_rows,
        DECISION_LABEL=DECISION_LABEL, CHANNEL_LABEL=CHANNEL_LABEL,
    )
    return Jinja2Templates(env=env)


def _cookie(settings: HubSettings) -> str:
    return ("__Host-" if settings.secure_cookies else "") + SESSION_COOKIE


def _safe_next(value: str | None) -> str:
    v = value or "/"
    return v if v.startswith("/") and not v.startswith("//") and "\\" not in v else "/"


Handler = Callable[[Ctx], Awaitable[Response] | Response]


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
                    session = Editors(conn, request.app.state.hasher).session(request.cookies.get(_cookie(settings)))
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


def redirect(url: str, ok: str | None = None) -> RedirectResponse:
    if ok:
        url += ("&" if "?" in url else "?") + f"ok={ok}"
    return RedirectResponse(url, status_code=303)


def _days(request: Request, default: int = 30) -> int:
    try:
        d = int(request.query_params.get("days", default))
    except ValueError:
        return default
    return d if d in (7, 30, 90, 365) else default


# ---- login ------------------------------------------------------------------------------------
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
    return await run_in_threadpool(_login_page, request, None, _safe_next(request.query_params.get("next")))


async def login_submit(request: Request) -> Response:
    settings: HubSettings = request.app.state.settings
    form = await request.form(max_files=0, max_fields=10, max_part_size=8192)
    next_url = _safe_next(str(form.get("next") or "/"))
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
        resp.set_cookie(_cookie(settings), token, httponly=True, samesite="strict", secure=settings.secure_cookies, path="/")
        resp.delete_cookie(LOGIN_COOKIE, path="/login")
        return resp

    return await run_in_threadpool(check)


@page()
def logout(ctx: Ctx) -> Response:
    Editors(ctx.conn).end_session(ctx.session.token_hash)
    resp = redirect("/login", "loggedout")
    resp.delete_cookie(_cookie(ctx.request.app.state.settings), path="/")
    return resp


# ---- home -------------------------------------------------------------------------------------
@page()
def home(ctx: Ctx) -> Response:
    versions = hub_content.versions(ctx.conn)[:5]
    report = hub_stats.report(ctx.conn, 7)
    return render(ctx, "hub_home.html", versions=versions, report=report,
                  wards=len(hub_stats.wards(ctx.conn)), latest=versions[0] if versions else None)


# ---- procedures (the ward admin's form and templates, the hub's draft) ---------------------------
def _find(draft: drafts.Draft, code: str) -> dict:
    p = draft.procedure(code)
    if p is None:
        raise HTTPException(404, f"Không có thủ tục mã {code} trong bản nháp.")
    return p


def _live_procs(ctx: Ctx) -> dict[str, dict]:
    live = hub_content.live(ctx.conn) or {"procedures": []}
    return {p["code"]: p for p in live["procedures"]}


@page()
def procedures(ctx: Ctx) -> Response:
    draft = hub_content.load(ctx.conn)
    q = forms.clean_line(ctx.request.query_params.get("q"))[:100]
    cat = ctx.request.query_params.get("cat", "")
    show = ctx.request.query_params.get("show", "full")
    live = _live_procs(ctx)
    marks = {}
    for p in draft.data["procedures"]:
        if p["code"] not in live:
            marks[p["code"]] = "new"
        elif drafts.as_published(p) != drafts.as_published(live[p["code"]]):
            marks[p["code"]] = "changed"
    from knowledge.normalize import fold

    fq = fold(q).lower()
    rows = []
    for p in draft.data["procedures"]:
        if cat and p["category"] != cat:
            continue
        if show == "full" and p.get("detail") != "full" or show == "brief" and p.get("detail") != "brief":
            continue
        if show == "changed" and p["code"] not in marks or show == "retired" and not p.get("retired"):
            continue
        if fq and fq not in fold(" ".join([p["code"], p["title"], *(p.get("aliases") or ())])).lower():
            continue
        rows.append(p)
    return render(ctx, "procedures.html", q=q, cat=cat, show=show, total=len(rows), rows=rows[:300], marks=marks,
                  cats={c["code"]: c["name"] for c in draft.data["categories"]})


def _edit_page(ctx: Ctx, draft: drafts.Draft, form: forms.ProcedureForm, errors: dict | None = None,
               problems: list | None = None, status: int = 200, note: str | None = None) -> Response:
    live = _live_procs(ctx)
    p = draft.procedure(form.code)
    mine = drafts.as_published(p) if p else None
    old = drafts.as_published(live[form.code]) if form.code in live else None
    changed = [f for f in drafts.PROCEDURE_FIELDS if mine and old and mine.get(f) != old.get(f)]
    return render(ctx, "procedure_edit.html", status=status, f=form, errors=errors or {}, problems=problems,
                  cats=draft.data["categories"], counters=draft.data["office"].get("counters") or [],
                  in_live=form.code in live, changed=changed, note=note, base=fingerprint(mine) if p else "")


@page()
def procedure_edit(ctx: Ctx) -> Response:
    code = ctx.request.path_params["code"]
    draft = hub_content.load(ctx.conn)
    p = _find(draft, code)
    return _edit_page(ctx, draft, forms.ProcedureForm.from_procedure(p),
                      problems=drafts.validate_procedure(draft.data, code))


@page()
def procedure_preview(ctx: Ctx) -> Response:
    from knowledge.answer import compose_answer
    from knowledge.serialize import content_from_dict, procedure_from_dict

    code = ctx.request.path_params["code"]
    draft = hub_content.load(ctx.conn)
    p = _find(draft, code)
    answer = compose_answer(procedure_from_dict(p), content_from_dict(draft.data).office)
    return render(ctx, "procedure_preview.html", p=p, answer=answer, checklist=None, image=False,
                  problems=drafts.validate_procedure(draft.data, code), qr_url=None, url_problem=None)


@page()
def procedure_save(ctx: Ctx) -> Response:
    code = ctx.request.path_params["code"]
    action = str(ctx.form.get("action") or "save")
    url = f"/procedures/{quote(code)}"
    with ctx.conn.transaction():
        draft = hub_content.load_for_update(ctx.conn)
        p = _find(draft, code)
        base = ctx.form.get("base")
        if base is not None and action != "doc-add" and str(base) != fingerprint(drafts.as_published(p)):
            raise HTTPException(409, "Đã có người sửa thủ tục này sau khi bạn mở trang — mở lại trang để xem bản mới nhất, "
                                     "rồi sửa lại.")
        if action in ("retire", "restore"):
            if p.get("detail") != "full":
                raise HTTPException(400, "Thủ tục chỉ có trong danh mục không ngừng áp dụng được.")
            drafts.put_procedure(draft, {**p, "retired": action == "retire"})
            hub_content.save(ctx.conn, draft, ctx.user)
            audit(ctx.conn, ctx.user, action, code)
            return redirect(url, "retired" if action == "retire" else "restored")
        if action == "revert":
            live = _live_procs(ctx).get(code)
            if live is None:
                drafts.remove_procedure(draft, code)
            else:
                drafts.put_procedure(draft, live)
            hub_content.save(ctx.conn, draft, ctx.user)
            audit(ctx.conn, ctx.user, "revert", code)
            return redirect(url if live else "/procedures", "reverted")
        if action == "write-up" and p.get("detail") == "brief":
            drafts.put_procedure(draft, forms.write_up(p))
            hub_content.save(ctx.conn, draft, ctx.user)
            audit(ctx.conn, ctx.user, "write-up", code)
            return redirect(url, "saved")
        form = forms.ProcedureForm.from_post(code, p.get("detail", "full"), ctx.form)
        applied = form.apply(action)
        new, errors = form.to_procedure(p)
        errors.update(limits.procedure_problems(new))
        if action == "doc-add" or errors:
            note = "Đã thêm một dòng giấy tờ trống ở cuối — điền rồi bấm «Lưu»." if action == "doc-add" else None
            return _edit_page(ctx, draft, form, errors=errors, status=400 if errors else 200, note=note)
        before, after = drafts.as_published(p), drafts.as_published(new)
        if before != after:
            drafts.put_procedure(draft, new)
            hub_content.save(ctx.conn, draft, ctx.user)
            audit(ctx.conn, ctx.user, "edit", code,
                  {"fields": [f for f in drafts.PROCEDURE_FIELDS if before.get(f) != after.get(f)]})
    return redirect(url + ("#documents" if applied else ""), "saved")


@page()
def procedure_new_form(ctx: Ctx) -> Response:
    draft = hub_content.load(ctx.conn)
    return render(ctx, "procedure_new.html", cats=draft.data["categories"], values={}, errors={})


@page()
def procedure_new(ctx: Ctx) -> Response:
    values = {k: forms.clean_line(ctx.form.get(k)) for k in ("code", "title", "category")}
    with ctx.conn.transaction():
        draft = hub_content.load_for_update(ctx.conn)
        errors = {}
        if not forms.valid_code(values["code"]):
            errors["code"] = "Mã dạng N.NNNNNN (ví dụ 1.001193), hoặc local.ten-ngan khi chưa tra được mã quốc gia."
        elif draft.procedure(values["code"]):
            errors["code"] = "Đã có thủ tục mã này."
        if not values["title"]:
            errors["title"] = "Cần tên thủ tục."
        if values["category"] not in {c["code"] for c in draft.data["categories"]}:
            errors["category"] = "Chọn một lĩnh vực."
        if errors:
            return render(ctx, "procedure_new.html", status=400, cats=draft.data["categories"], values=values, errors=errors)
        drafts.put_procedure(draft, forms.new_procedure(values["code"], values["title"], values["category"]))
        hub_content.save(ctx.conn, draft, ctx.user)
        audit(ctx.conn, ctx.user, "create", values["code"], {"title": values["title"]})
    return redirect(f"/procedures/{quote(values['code'])}", "created")


# ---- publish, versions, roll back ---------------------------------------------------------------
@page()
def publish_page(ctx: Ctx) -> Response:
    draft = hub_content.load(ctx.conn)
    live = hub_content.live(ctx.conn)
    result = drafts.validate(draft.data)
    changes = drafts.diff(live, draft.data) if live else []
    return render(ctx, "hub_publish.html", changes=changes, problems=result.problems, ok=result.ok,
                  draft_exists=draft.exists, version=hub_content.current_version(ctx.conn))


@page()
def publish_submit(ctx: Ctx) -> Response:
    if ctx.form.get("action") == "discard":
        with ctx.conn.transaction():
            hub_content.discard(ctx.conn)
            audit(ctx.conn, ctx.user, "discard")
        return redirect("/publish", "discarded")
    try:
        hub_content.publish_draft(ctx.conn, ctx.request.app.state.settings.paths, ctx.user,
                                  forms.clean_line(ctx.form.get("note"))[:300])
    except hub_content.DraftInvalid as exc:
        return render(ctx, "hub_publish.html", status=400, changes=[], problems=exc.problems, ok=False,
                      draft_exists=True, version=hub_content.current_version(ctx.conn))
    except HubError as exc:
        raise HTTPException(409, str(exc).split(" / ")[0]) from None
    return redirect("/versions", "published")


@page()
def versions_page(ctx: Ctx) -> Response:
    return render(ctx, "hub_versions.html", versions=hub_content.versions(ctx.conn))


@page()
def version_page(ctx: Ctx) -> Response:
    v = _int(ctx.request.path_params["version"])
    row = next((x for x in hub_content.versions(ctx.conn) if x["version"] == v), None)
    if row is None:
        raise HTTPException(404, "Không có phiên bản này.")
    current = hub_content.current_version(ctx.conn)
    prev = ctx.conn.execute("SELECT max(version) AS v FROM content_versions WHERE version < %s", [v]).fetchone()["v"]
    made = drafts.diff(hub_content.version_content(ctx.conn, prev), hub_content.version_content(ctx.conn, v)) \
        if prev else []
    undo = drafts.diff(hub_content.live(ctx.conn), hub_content.version_content(ctx.conn, v)) if v != current else []
    return render(ctx, "hub_version.html", v=row, made=made, undo=undo, current=current)


@page(admin=True)
def rollback_submit(ctx: Ctx) -> Response:
    v = _int(ctx.request.path_params["version"])
    try:
        hub_content.rollback(ctx.conn, ctx.request.app.state.settings.paths, v, ctx.user)
    except HubError as exc:
        raise HTTPException(409, str(exc).split(" / ")[0]) from None
    return redirect("/versions", "rolledback")


def _int(value: Any) -> int:
    try:
        n = int(str(value))
    except ValueError:
        raise HTTPException(404, "Không có phiên bản này.") from None
    if not 0 < n < 2**31:
        raise HTTPException(404, "Không có phiên bản này.")
    return n


# ---- statistics ---------------------------------------------------------------------------------
def _titles(ctx: Ctx) -> dict[str, str]:
    live = hub_content.live(ctx.conn) or {"procedures": []}
    return {p["code"]: p["title"] for p in live["procedures"]}


def _stats_page(ctx: Ctx, ward: dict | None) -> Response:
    days = _days(ctx.request)
    r = hub_stats.report(ctx.conn, days, ward["code"] if ward else None)
    titles = _titles(ctx)
    top = [(f"{titles.get(c, c)} ({c})", n) for c, n in r.by_procedure[:15]]
    where = f"phường {ward['name']}" if ward else "toàn tỉnh"
    return render(
        ctx, "hub_stats.html", r=r, ward=ward, days=days, titles=titles,
        chart_days=charts.columns(r.by_day, f"Số câu hỏi mỗi ngày — {where}"),
        chart_top=charts.bars(top, f"Thủ tục được hỏi nhiều nhất — {where}"),
        chart_decisions=charts.shares([(DECISION_LABEL.get(k, k), v) for k, v in r.decisions.items()],
                                      f"Kết quả — {where}"),
        chart_ratings=charts.shares([("Hài lòng", r.ratings_up), ("Chưa hài lòng", r.ratings_down)],
                                    f"Đánh giá — {where}", colors=(charts.GOOD, charts.BAD)),
    )


@page()
def stats_page(ctx: Ctx) -> Response:
    return _stats_page(ctx, None)


@page()
def ward_stats_page(ctx: Ctx) -> Response:
    code = ctx.request.path_params["ward"]
    ward = ctx.conn.execute("SELECT code, name FROM wards WHERE code = %s", [code]).fetchone()
    if ward is None:
        raise HTTPException(404, f"Không có phường mã {code}.")
    return _stats_page(ctx, ward)


@page()
def wards_page(ctx: Ctx) -> Response:
    return render(ctx, "hub_wards.html", r=hub_stats.report(ctx.conn, 30))


@page()
def unanswered_page(ctx: Ctx) -> Response:
    days = _days(ctx.request)
    groups = hub_stats.merged_unanswered(ctx.conn, days, limit=100)
    draft = hub_content.load(ctx.conn)
    full = [p for p in draft.data["procedures"] if p.get("detail") == "full" and not p.get("retired")]
    pending = {}
    for p in full:
        for a in p.get("aliases") or ():
            pending[hub_stats.group_key(a)] = p["code"]
    names = {w["code"]: w["name"] for w in hub_stats.wards(ctx.conn)}
    return render(ctx, "hub_unanswered.html", groups=groups, days=days, choices=sorted(full, key=lambda p: p["title"]),
                  pending=pending, names=names)


@page()
def unanswered_alias(ctx: Ctx) -> Response:
    code = forms.clean_line(ctx.form.get("code"))
    text = forms.clean_line(ctx.form.get("text"))[:200]
    if not code:
        raise HTTPException(400, "Chọn thủ tục để thêm cách hỏi.")
    try:
        added = hub_content.add_alias(ctx.conn, code, text, ctx.user)
    except HubError as exc:
        raise HTTPException(400, str(exc).split(" / ")[0]) from None
    return redirect(f"/unanswered?days={_days(ctx.request)}", "alias" if added else "aliasdup")


# ---- the stats API (kiosks) ---------------------------------------------------------------------
def _api_error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"ok": False, "error": message}, status_code=status)


async def api_stats(request: Request) -> Response:
    auth = request.headers.get("authorization", "")
    scheme, _, token = auth.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return _api_error(401, "thiếu mã truy cập (Authorization: Bearer …) / missing bearer token")
    length = request.headers.get("content-length")
    if length and (not length.isdigit() or int(length) > hub_stats.MAX_BODY):
        return _api_error(413, f"nội dung quá {hub_stats.MAX_BODY // 1024} KiB / body too large")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > hub_stats.MAX_BODY:
            return _api_error(413, f"nội dung quá {hub_stats.MAX_BODY // 1024} KiB / body too large")
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return _api_error(422, "nội dung không phải JSON UTF-8 / body is not UTF-8 JSON")

    def store() -> Response:
        with request.app.state.pool.connection() as conn:
            ward = hub_stats.ward_for_token(conn, token.strip())
            if ward is None:
                return _api_error(401, "mã truy cập không đúng — cấp lại bằng `kiosk hub add-ward` / bad token")
            try:
                s = hub_stats.parse(payload)
            except hub_stats.StatsInvalid as exc:
                return _api_error(422, str(exc))
            if s.ward != ward:
                return _api_error(401, f"mã truy cập không thuộc phường {s.ward} / token is for another ward")
            with conn.transaction():
                stored = hub_stats.store(conn, s)
        return JSONResponse({"ok": True, "stored": stored})

    return await run_in_threadpool(store)


# ---- errors and the app -------------------------------------------------------------------------
async def http_error(request: Request, exc: Exception) -> Response:
    status = getattr(exc, "status_code", 500)
    detail = getattr(exc, "detail", "") or {404: "Không tìm thấy trang này.", 405: "Phương thức không được hỗ trợ."}.get(
        status, "Có lỗi.")
    if request.url.path.startswith("/api/"):
        return _api_error(status, str(detail))
    html = request.app.state.templates.get_template("hub_error.html").render(
        status=status, message=detail, user=None, path=request.url.path, flash=None, draft_info=None, csrf="",
        province="")
    return HTMLResponse(html, status_code=status)


async def server_error(request: Request, exc: Exception) -> Response:
    log.exception("hub error on %s", request.url.path)
    message = str(exc).split(" / ")[0] if isinstance(exc, HubError) else \
        "Lỗi máy chủ — thử lại sau ít phút; nếu còn lỗi, báo người quản trị (chi tiết trong nhật ký máy chủ)."
    if request.url.path.startswith("/api/"):
        return _api_error(503 if isinstance(exc, HubError) else 500, message)
    html = request.app.state.templates.get_template("hub_error.html").render(
        status=500, message=message, user=None, path=request.url.path, flash=None, draft_info=None, csrf="", province="")
    return HTMLResponse(html, status_code=503 if isinstance(exc, HubError) else 500)


def create_app(settings: HubSettings) -> Starlette:
    settings.bundles_dir.mkdir(parents=True, exist_ok=True)
    routes = [
        Route("/login", login_page, methods=["GET"]),
        Route("/login", login_submit, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/", home),
        Route("/procedures", procedures),
        Route("/procedures/new", procedure_new_form, methods=["GET"]),
        Route("/procedures/new", procedure_new, methods=["POST"]),
        Route("/procedures/{code}", procedure_edit, methods=["GET"]),
        Route("/procedures/{code}", procedure_save, methods=["POST"]),
        Route("/procedures/{code}/preview", procedure_preview),
        Route("/publish", publish_page, methods=["GET"]),
        Route("/publish", publish_submit, methods=["POST"]),
        Route("/versions", versions_page),
        Route("/versions/{version}", version_page, methods=["GET"]),
        Route("/versions/{version}/rollback", rollback_submit, methods=["POST"]),
        Route("/stats", stats_page),
        Route("/stats/{ward}", ward_stats_page),
        Route("/wards", wards_page),
        Route("/unanswered", unanswered_page),
        Route("/unanswered/alias", unanswered_alias, methods=["POST"]),
        Route("/api/stats", api_stats, methods=["POST"]),
        Mount("/bundles", app=StaticFiles(directory=settings.bundles_dir), name="bundles"),
        Mount("/static", app=StaticFiles(directory=ADMIN_DIR / "static"), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={HTTPException: http_error, 404: http_error,
                                                       HubError: server_error, Exception: server_error})
    app.state.settings = settings
    app.state.pool = Pool(settings.database_url, settings.pool_size)
    app.state.templates = _templates()
    app.state.hasher = PasswordHasher()
    app.add_middleware(Headers)
    return app
