"""Questions the kiosk could not answer, grouped, with what it would answer now; add one as an alias."""
from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route

from kiosk.admin import draft as drafts
from kiosk.admin import edits, forms, reports
from kiosk.admin.accounts import audit
from kiosk.admin.routes.procedures import find_procedure
from kiosk.admin.settings import AdminSettings
from kiosk.admin.web import Ctx, days_param, page, redirect, render
from knowledge.base import KnowledgeBase
from knowledge.model import Decision
from knowledge.normalize import fold
from knowledge.store import current_version


def _kb(ctx: Ctx) -> KnowledgeBase:
    state = ctx.request.app.state
    version = current_version(ctx.db)
    cached = getattr(state, "kb", None)
    if cached is None or cached.version != version:
        settings: AdminSettings = state.settings
        state.kb = KnowledgeBase(drafts.live(ctx.db), answer_threshold=settings.answer_threshold,
                                 clarify_threshold=settings.clarify_threshold)
    return state.kb


@page()
def unanswered_page(ctx: Ctx) -> Response:
    """GET /unanswered: grouped unanswered questions, what the kiosk answers now, the likely procedures."""
    days = days_param(ctx)
    groups = reports.unanswered(ctx.db, days)[:100]
    kb = _kb(ctx)
    draft = drafts.load(ctx.db)
    pending = {fold(a): p["code"] for p in draft.data["procedures"] for a in p.get("aliases", [])}
    titles = {p["code"]: p["title"] for p in draft.data["procedures"]}
    choices = sorted((p for p in draft.data["procedures"] if p.get("detail") == "full" and not p.get("retired")),
                     key=lambda p: p["title"])
    rows = []
    for g in groups:
        res = kb.ask(g.example)
        now = res.answer.code if res.decision is Decision.ANSWER and res.answer else None
        guesses = [c for c, _ in g.candidates.most_common(3) if c in titles]
        rows.append({"g": g, "now": now, "pending": pending.get(fold(g.alias_text)), "guesses": guesses})
    return render(ctx, "unanswered.html", rows=rows, days=days, titles=titles, choices=choices)


@page()
def unanswered_alias(ctx: Ctx) -> Response:
    """POST /unanswered/alias: add a question as an alias of a written-up procedure in the draft."""
    code = forms.clean_line(ctx.form.get("code"))
    text = forms.clean_line(ctx.form.get("text"))[:200]
    days = days_param(ctx)
    if not code:
        raise HTTPException(400, "Chưa chọn thủ tục — quay lại và chọn đúng thủ tục cho câu hỏi.")
    with edits.immediate(ctx.db):  # adds to whatever the draft holds now; nobody's edit is overwritten
        draft = drafts.load(ctx.db)
        p = find_procedure(draft, code)
        if not text:
            raise HTTPException(400, "Câu hỏi trống.")
        if p.get("detail") != "full":
            raise HTTPException(400, "Chỉ thêm cách hỏi cho thủ tục viết đầy đủ.")
        if fold(text) in {fold(a) for a in p.get("aliases", [])}:
            return redirect(f"/unanswered?days={days}", "aliasdup")
        drafts.put_procedure(draft, {**p, "aliases": [*p.get("aliases", []), text]})
        drafts.save(ctx.db, draft, ctx.user)
        audit(ctx.db, ctx.user, "alias", code, {"alias": text}, ctx.ip)
    return redirect(f"/unanswered?days={days}", "alias")



ROUTES = [
    Route("/unanswered", unanswered_page, methods=["GET"]),
    Route("/unanswered/alias", unanswered_alias, methods=["POST"]),
]
