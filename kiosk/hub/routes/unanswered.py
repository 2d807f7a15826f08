"""Unanswered questions of all wards, merged; one button adds a question as an alias in the shared draft."""
from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route

from kiosk.admin import forms
from kiosk.hub import content as hub_content
from kiosk.hub import stats as hub_stats
from kiosk.hub.errors import HubError
from kiosk.hub.web import Ctx, days_param, page, redirect, render


@page()
def unanswered_page(ctx: Ctx) -> Response:
    days = days_param(ctx.request)
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
    return redirect(f"/unanswered?days={days_param(ctx.request)}", "alias" if added else "aliasdup")


ROUTES = [
    Route("/unanswered", unanswered_page),
    Route("/unanswered/alias", unanswered_alias, methods=["POST"]),
]
