"""Publishing the draft as a new content version, or throwing the draft away."""
from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route

from kiosk.admin import draft as drafts
from kiosk.admin import edits, forms
from kiosk.admin.accounts import audit
from kiosk.admin.errors import AdminError
from kiosk.admin.web import Ctx, page, redirect, render, vi_message
from knowledge.store import current_version


@page()
def publish_page(ctx: Ctx) -> Response:
    """GET /publish: what the draft changes and whether it passes validation."""
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
    """POST /publish: validate and publish the draft as a new version (one publish or import at a time)."""
    note = forms.clean_line(ctx.form.get("note"))[:500]
    try:
        with ctx.request.app.state.jobs.hold("publish", ctx.user):
            drafts.publish_draft(ctx.db, ctx.user, note, ctx.ip)
    except edits.Busy as exc:
        raise HTTPException(409, vi_message(exc)) from None
    except drafts.DraftInvalid as exc:
        draft = drafts.load(ctx.db)
        changes = drafts.diff(drafts.content_to_dict(drafts.live(ctx.db)), draft.data)
        return render(ctx, "publish.html", status=400, draft=draft, changes=changes,
                      result=drafts.Validation(None, exc.problems), stale=drafts.is_stale(ctx.db, draft),
                      version=current_version(ctx.db), titles=_titles(draft))
    except AdminError as exc:
        raise HTTPException(400, vi_message(exc)) from None
    return redirect("/versions", "published")


@page()
def draft_discard(ctx: Ctx) -> Response:
    """POST /draft/discard: drop the whole draft."""
    drafts.discard(ctx.db)
    audit(ctx.db, ctx.user, "discard-draft", "", None, ctx.ip)
    return redirect("/", "discarded")



ROUTES = [
    Route("/publish", publish_page, methods=["GET"]),
    Route("/publish", publish_submit, methods=["POST"]),
    Route("/draft/discard", draft_discard, methods=["POST"]),
]
