"""The office page: address, hours, counters and lobby topics (the notices form shares the page, see notices.py)."""
from __future__ import annotations

from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from kiosk.admin import draft as drafts
from kiosk.admin import edits, forms, limits
from kiosk.admin.accounts import audit
from kiosk.admin.routes.conflict import conflict_page, stale
from kiosk.admin.web import Ctx, page, redirect, render


@page()
def office_page(ctx: Ctx) -> Response:
    """GET /office: the office details, counters and notices of the draft."""
    draft = drafts.load(ctx.db)
    return office_render(ctx, draft, draft.data["office"], draft.data.get("notices") or [])


def office_render(ctx: Ctx, draft: drafts.Draft, office: dict[str, Any], notices: list[dict[str, Any]],
                  status: int = 200, note: str | None = None, problems: list[drafts.ProblemView] | None = None,
                  base_office: str | None = None, base_notices: str | None = None) -> Response:
    """The office page for these (possibly unsaved) values, with their problems and the forms' fingerprints."""
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
    """POST /office: save the office details to the draft (or add a blank counter), refusing a stale form."""
    with edits.immediate(ctx.db):
        draft = drafts.load(ctx.db)
        office, action = forms.office_from_post(ctx.form, draft.data["office"])
        base = str(ctx.form.get("base") or "") or None
        if action == "counter-add":
            return office_render(ctx, draft, office, draft.data.get("notices") or [], base_office=base,
                                  note="Đã thêm một dòng quầy trống — điền rồi bấm «Lưu».")
        if action == "lobby-add":
            return office_render(ctx, draft, office, draft.data.get("notices") or [], base_office=base,
                                  note="Đã thêm một câu hỏi về trụ sở trống — điền rồi bấm «Lưu».")
        too_long = limits.office_problems(office)
        if too_long:
            return office_render(ctx, draft, office, draft.data.get("notices") or [], status=400, base_office=base,
                                  problems=[drafts.ProblemView(None, "office", "", t) for t in too_long])
        if (conflict := stale(ctx, draft.data["office"], "office")) is not None:
            return conflict_page(ctx, conflict, office, "/office")
        before = drafts.as_published(draft.data["office"])
        draft.data["office"] = office
        if drafts.as_published(office) != before:
            drafts.save(ctx.db, draft, ctx.user)
            audit(ctx.db, ctx.user, "office", "", {"fields": [k for k in office if before.get(k) != drafts.as_published(office).get(k)]}, ctx.ip)
    return redirect("/office", "office")



ROUTES = [
    Route("/office", office_page, methods=["GET"]),
    Route("/office", office_save, methods=["POST"]),
]
