"""The hub's front page: the latest versions and the last week's questions."""
from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from kiosk.hub import content as hub_content
from kiosk.hub import stats as hub_stats
from kiosk.hub.web import Ctx, page, render


@page()
def home(ctx: Ctx) -> Response:
    versions = hub_content.versions(ctx.conn)[:5]
    report = hub_stats.report(ctx.conn, 7)
    return render(ctx, "hub_home.html", versions=versions, report=report,
                  wards=len(hub_stats.wards(ctx.conn)), latest=versions[0] if versions else None)


ROUTES = [
    Route("/", home),
]
