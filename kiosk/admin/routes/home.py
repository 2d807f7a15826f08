"""The start page: what the draft changes, the latest version, how many questions went unanswered."""
from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from kiosk.admin import draft as drafts
from kiosk.admin import reports
from kiosk.admin.web import Ctx, page, render
from knowledge.store import versions as list_versions


@page()
def home(ctx: Ctx) -> Response:
    """GET /: unpublished changes, the latest version and this month's unanswered questions."""
    draft = drafts.load(ctx.db)
    changes = drafts.diff(drafts.content_to_dict(drafts.live(ctx.db)), draft.data) if draft.exists else []
    vs = list_versions(ctx.db)[:1]
    groups = reports.unanswered(ctx.db, 30)
    return render(ctx, "home.html", changes=changes, draft=draft, latest=vs[0] if vs else None,
                  unanswered=sum(g.count for g in groups), stale=drafts.is_stale(ctx.db, draft))



ROUTES = [Route("/", home, methods=["GET"])]
