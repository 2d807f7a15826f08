"""Procedures in the draft: the filtered list, the edit form with its actions, adding a new one."""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route

from kiosk.admin import draft as drafts
from kiosk.admin import edits, forms, limits
from kiosk.admin.accounts import audit
from kiosk.admin.routes.conflict import conflict_page, stale
from kiosk.admin.web import Ctx, page, redirect, render
from knowledge.normalize import fold


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
    """GET /procedures: the draft's procedures, filtered by text, category and state."""
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


def find_procedure(draft: drafts.Draft, code: str) -> dict[str, Any]:
    """The draft's procedure ``code``, else HTTP 404."""
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


def _changed(ctx: Ctx, draft: drafts.Draft, code: str) -> list[str]:
    live = next((p for p in drafts.content_to_dict(drafts.live(ctx.db))["procedures"] if p["code"] == code), None)
    mine = draft.procedure(code)
    if live is None or mine is None:
        return []
    a, b = drafts.as_published(live), drafts.as_published(mine)
    return [f for f in drafts.PROCEDURE_FIELDS if a.get(f) != b.get(f)]


@page()
def procedure_edit(ctx: Ctx) -> Response:
    """GET /procedures/{code}: the edit form with the procedure's current problems."""
    code = ctx.request.path_params["code"]
    draft = drafts.load(ctx.db)
    p = find_procedure(draft, code)
    problems = drafts.validate_procedure(draft.data, code)
    return _edit_page(ctx, draft, forms.ProcedureForm.from_procedure(p), problems=problems)


@page()
def procedure_save(ctx: Ctx) -> Response:
    """POST /procedures/{code}: save the form, or retire/restore/revert/delete/write up the procedure."""
    code = ctx.request.path_params["code"]
    action = str(ctx.form.get("action") or "save")
    url = f"/procedures/{quote(code)}"
    with edits.immediate(ctx.db):  # read, compare, write: nobody saves in between
        draft = drafts.load(ctx.db)
        p = find_procedure(draft, code)
        if action in ("retire", "restore", "revert", "delete", "write-up"):
            if (conflict := stale(ctx, p, code)) is not None:
                return conflict_page(ctx, conflict, {**p, "retired": action == "retire"} if action in ("retire", "restore")
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
        if (conflict := stale(ctx, p, code)) is not None:
            return conflict_page(ctx, conflict, new, url)
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
    """GET /procedures/new: the form for a new procedure (code, title, category)."""
    draft = drafts.load(ctx.db)
    return render(ctx, "procedure_new.html", cats=draft.data["categories"], values={}, errors={})


@page()
def procedure_new(ctx: Ctx) -> Response:
    """POST /procedures/new: add a written-up procedure skeleton to the draft."""
    draft = drafts.load(ctx.db)
    values = {k: forms.clean_line(ctx.form.get(k)) for k in ("code", "title", "category")}
    errors = forms.new_procedure_errors(values, draft)
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



ROUTES = [
    Route("/procedures", procedure_list, methods=["GET"]),
    Route("/procedures/new", procedure_new_form, methods=["GET"]),
    Route("/procedures/new", procedure_new, methods=["POST"]),
    Route("/procedures/{code}", procedure_edit, methods=["GET"]),
    Route("/procedures/{code}", procedure_save, methods=["POST"]),
]
