"""The shared draft's procedures, edited with the ward admin's procedure form and templates."""
from __future__ import annotations

from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route

from kiosk.admin import draft as drafts
from kiosk.admin import forms, limits
from kiosk.admin.edits import Conflict, fingerprint
from kiosk.admin.routes.conflict import conflict_values
from kiosk.hub import content as hub_content
from kiosk.hub.db import audit
from kiosk.hub.web import Ctx, page, redirect, render


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
            return _conflict(ctx, p, action, url)
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


def _conflict(ctx: Ctx, current: dict, action: str, url: str) -> Response:
    """Someone saved this procedure after the form was opened: nothing is saved, and the editor
    sees both versions side by side and may post theirs again knowingly (the ward admin's page)."""
    if action in ("retire", "restore"):
        mine: dict | None = {**current, "retired": action == "retire"}
    elif action in ("revert", "write-up"):
        mine = None
    else:
        mine, _ = forms.ProcedureForm.from_post(current["code"], current.get("detail", "full"), ctx.form).to_procedure(current)
    row = ctx.conn.execute(
        "SELECT editor, at FROM audit WHERE target = %s AND action IN "
        "('edit', 'retire', 'restore', 'revert', 'write-up', 'create', 'alias') ORDER BY id DESC LIMIT 1",
        [current["code"]]).fetchone()
    # Conflict.at is text, as the ward admin's audit log stores it; the template shows it local.
    by, at = (row["editor"], row["at"].isoformat()) if row else ("", "")
    audit(ctx.conn, ctx.user, "edit-conflict", current["code"], {"by": by})
    values = conflict_values(Conflict(current["code"], current, by, at), mine, ctx.form, url)
    return render(ctx, "conflict.html", status=409, **values)


@page()
def procedure_new_form(ctx: Ctx) -> Response:
    draft = hub_content.load(ctx.conn)
    return render(ctx, "procedure_new.html", cats=draft.data["categories"], values={}, errors={})


@page()
def procedure_new(ctx: Ctx) -> Response:
    values = {k: forms.clean_line(ctx.form.get(k)) for k in ("code", "title", "category")}
    with ctx.conn.transaction():
        draft = hub_content.load_for_update(ctx.conn)
        errors = forms.new_procedure_errors(values, draft)
        if errors:
            return render(ctx, "procedure_new.html", status=400, cats=draft.data["categories"], values=values, errors=errors)
        drafts.put_procedure(draft, forms.new_procedure(values["code"], values["title"], values["category"]))
        hub_content.save(ctx.conn, draft, ctx.user)
        audit(ctx.conn, ctx.user, "create", values["code"], {"title": values["title"]})
    return redirect(f"/procedures/{quote(values['code'])}", "created")


ROUTES = [
    Route("/procedures", procedures),
    Route("/procedures/new", procedure_new_form, methods=["GET"]),
    Route("/procedures/new", procedure_new, methods=["POST"]),
    Route("/procedures/{code}", procedure_edit, methods=["GET"]),
    Route("/procedures/{code}", procedure_save, methods=["POST"]),
    Route("/procedures/{code}/preview", procedure_preview),
]
