"""Published versions: the list, what each changed, and rolling back to one (administrators only)."""
from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route

from kiosk.admin import draft as drafts
from kiosk.admin.accounts import Role
from kiosk.admin.errors import AdminError
from kiosk.admin.web import Ctx, int_or, page, redirect, render, vi_message
from knowledge.store import current_version, version_row
from knowledge.store import versions as list_versions


@page()
def versions_page(ctx: Ctx) -> Response:
    """GET /versions: the published versions, newest first."""
    return render(ctx, "versions.html", versions=list_versions(ctx.db)[:200], current=current_version(ctx.db))


def _version_id(ctx: Ctx) -> int:
    vid = int_or(ctx.request.path_params["vid"])
    if vid is None or not 0 < vid < 2**63:  # SQLite integers are 64-bit: a longer id cannot exist
        raise HTTPException(404, "Không có phiên bản này.")
    return vid


@page()
def version_detail(ctx: Ctx) -> Response:
    """GET /versions/{vid}: what that version changed and what rolling back to it would change."""
    vid = _version_id(ctx)
    row = version_row(ctx.db, vid)
    if row is None:
        raise HTTPException(404, "Không có phiên bản này.")
    made = drafts.changes_of(ctx.db, vid)
    back = drafts.diff(drafts.content_to_dict(drafts.live(ctx.db)), drafts.snapshot(ctx.db, vid))
    return render(ctx, "version.html", v=row, made=made, back=back, current=current_version(ctx.db))


@page(role=Role.ADMIN)
def version_rollback(ctx: Ctx) -> Response:
    """POST /versions/{vid}/rollback (administrators): publish that version's content again."""
    vid = _version_id(ctx)
    try:
        drafts.rollback_to(ctx.db, vid, ctx.user, ctx.ip)
    except Exception as exc:
        from knowledge.errors import KnowledgeError

        if isinstance(exc, (KnowledgeError, AdminError)):
            raise HTTPException(404, vi_message(exc)) from None
        raise
    return redirect("/versions", "rolledback")



ROUTES = [
    Route("/versions", versions_page, methods=["GET"]),
    # {vid} as text: Starlette's int converter raises (HTTP 500) past 4,300 digits; _version_id answers 404
    Route("/versions/{vid}", version_detail, methods=["GET"]),
    Route("/versions/{vid}/rollback", version_rollback, methods=["POST"]),
]
