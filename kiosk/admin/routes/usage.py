"""How the kiosk is used: questions per day, outcomes, ratings, channels, the most asked procedures."""
from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from kiosk.admin import charts, reports
from kiosk.admin import draft as drafts
from kiosk.admin.web import Ctx, days_param, page, render

DECISION_LABEL = {"answer": "Trả lời ngay", "clarify": "Hỏi lại để chọn", "none": "Không tìm thấy"}
RATING_LABEL = {"good": "Hài lòng", "bad": "Chưa hài lòng", "none": "Không đánh giá"}


@page()
def usage_page(ctx: Ctx) -> Response:
    """GET /usage: charts of questions per day, outcomes, ratings, channels and top procedures."""
    days = days_param(ctx)
    u = reports.usage(ctx.db, days)
    titles = {p.code: p.title for p in drafts.live(ctx.db).procedures}
    return render(
        ctx, "usage.html", u=u, days=days,
        per_day=charts.columns(u.per_day, f"Số câu hỏi mỗi ngày, {days} ngày qua"),
        decisions=charts.shares([(DECISION_LABEL[k], v) for k, v in u.decisions.items()], "Kết quả",
                                 colors=(charts.GOOD, charts.MIDDLE, charts.BAD)),
        ratings=charts.shares([(RATING_LABEL[k], v) for k, v in u.ratings.items()], "Đánh giá của người dân",
                                colors=(charts.GOOD, charts.BAD, charts.NEUTRAL)),
        channels=charts.shares(u.channel_shares, "Cách hỏi"),
        top=charts.bars([(f"{titles.get(c, c)} ({c})", n) for c, n in u.top_codes], "Thủ tục được hỏi nhiều nhất"),
    )



ROUTES = [Route("/usage", usage_page, methods=["GET"])]
