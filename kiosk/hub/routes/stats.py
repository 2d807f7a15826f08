"""Roll-up statistics of all wards or one, with server-drawn SVG charts (kiosk.admin.charts); the ward list."""
from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route

from kiosk.admin import charts
from kiosk.hub import content as hub_content
from kiosk.hub import stats as hub_stats
from kiosk.hub.templating import DECISION_LABEL
from kiosk.hub.web import Ctx, days_param, page, render


def _titles(ctx: Ctx) -> dict[str, str]:
    live = hub_content.live(ctx.conn) or {"procedures": []}
    return {p["code"]: p["title"] for p in live["procedures"]}


def _stats_page(ctx: Ctx, ward: dict | None) -> Response:
    days = days_param(ctx.request)
    r = hub_stats.report(ctx.conn, days, ward["code"] if ward else None)
    titles = _titles(ctx)
    top = [(f"{titles.get(c, c)} ({c})", n) for c, n in r.by_procedure[:15]]
    where = f"phường {ward['name']}" if ward else "toàn tỉnh"
    return render(
        ctx, "hub_stats.html", r=r, ward=ward, days=days, titles=titles,
        chart_days=charts.columns(r.by_day, f"Số câu hỏi mỗi ngày — {where}"),
        chart_top=charts.bars(top, f"Thủ tục được hỏi nhiều nhất — {where}"),
        chart_decisions=charts.shares([(DECISION_LABEL.get(k, k), v) for k, v in r.decisions.items()],
                                      f"Kết quả — {where}"),
        chart_ratings=charts.shares([("Hài lòng", r.ratings_up), ("Chưa hài lòng", r.ratings_down)],
                                    f"Đánh giá — {where}", colors=(charts.GOOD, charts.BAD)),
    )


@page()
def stats_page(ctx: Ctx) -> Response:
    return _stats_page(ctx, None)


@page()
def ward_stats_page(ctx: Ctx) -> Response:
    code = ctx.request.path_params["ward"]
    ward = ctx.conn.execute("SELECT code, name FROM wards WHERE code = %s", [code]).fetchone()
    if ward is None:
        raise HTTPException(404, f"Không có phường mã {code}.")
    return _stats_page(ctx, ward)


@page()
def wards_page(ctx: Ctx) -> Response:
    return render(ctx, "hub_wards.html", r=hub_stats.report(ctx.conn, 30))


ROUTES = [
    Route("/stats", stats_page),
    Route("/stats/{ward}", ward_stats_page),
    Route("/wards", wards_page),
]
