"""Publish the draft as a signed bundle; the version list; roll back (a new version, a new bundle)."""
from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route

from kiosk.admin import draft as drafts
from kiosk.admin import forms
from kiosk.hub import content as hub_content
from kiosk.hub.db import audit
from kiosk.hub.errors import HubError
from kiosk.hub.web import Ctx, page, redirect, render


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
    live = hub_content.live(ctx.conn)  # there is live content once any version exists
    undo = drafts.diff(live, hub_content.version_content(ctx.conn, v)) if live is not None and v != current else []
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


ROUTES = [
    Route("/publish", publish_page, methods=["GET"]),
    Route("/publish", publish_submit, methods=["POST"]),
    Route("/versions", versions_page),
    Route("/versions/{version}", version_page, methods=["GET"]),
    Route("/versions/{version}/rollback", rollback_submit, methods=["POST"]),
]
