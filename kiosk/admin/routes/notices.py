"""Saving the notices shown on the kiosk's start screen (the form is on the office page)."""
from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from kiosk.admin import draft as drafts
from kiosk.admin import edits, forms, limits
from kiosk.admin.accounts import audit
from kiosk.admin.routes.conflict import conflict_page, stale
from kiosk.admin.routes.office import office_render
from kiosk.admin.web import Ctx, page, redirect


@page()
def notices_save(ctx: Ctx) -> Response:
    """POST /notices: save the notices to the draft (or add a blank one), refusing a stale form."""
    with edits.immediate(ctx.db):
        draft = drafts.load(ctx.db)
        notices, action = forms.notices_from_post(ctx.form)
        base = str(ctx.form.get("base") or "") or None
        if action == "notice-add":
            return office_render(ctx, draft, draft.data["office"], notices, base_notices=base,
                                  note="Đã thêm một thông báo trống — điền rồi bấm «Lưu».")
        too_long = limits.notices_problems(notices)
        if too_long:
            return office_render(ctx, draft, draft.data["office"], notices, status=400, base_notices=base,
                                  problems=[drafts.ProblemView(None, "notices", "", t) for t in too_long])
        current = draft.data.get("notices") or []
        if (conflict := stale(ctx, current, "notices")) is not None:
            return conflict_page(ctx, conflict, notices, "/office#notices")
        if drafts.as_published(notices) != drafts.as_published(current):
            draft.data["notices"] = notices
            drafts.save(ctx.db, draft, ctx.user)
            audit(ctx.db, ctx.user, "notices", "", {"count": len(notices)}, ctx.ip)
    return redirect("/office#notices", "notices")



ROUTES = [Route("/notices", notices_save, methods=["POST"])]
