"""How a draft procedure will look on the kiosk: the answer screen, the printed checklist, the receipt image."""
from __future__ import annotations

import datetime as dt
import io
import logging

from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route

from kiosk.admin import draft as drafts
from kiosk.admin.routes.procedures import find_procedure
from kiosk.admin.web import Ctx, page, render
from knowledge.answer import compose_answer
from knowledge.serialize import content_from_dict, procedure_from_dict

log = logging.getLogger(__name__)


def _checklist(proc, office) -> tuple[str | None, bool]:
    """(checklist text, whether a receipt image can be drawn); None when printing is not installed."""
    try:
        from printing import build_checklist, checklist_text
    except ImportError:
        return None, False
    try:
        return checklist_text(build_checklist(proc, office, dt.datetime.now())), True
    except Exception:  # a half-written draft must not break the preview
        log.exception("checklist preview failed")
        return None, False


@page()
def procedure_preview(ctx: Ctx) -> Response:
    """GET /procedures/{code}/preview: the kiosk's answer, the checklist text and the QR link for the draft."""
    code = ctx.request.path_params["code"]
    draft = drafts.load(ctx.db)
    p = find_procedure(draft, code)
    proc = procedure_from_dict(p)
    office = content_from_dict(draft.data).office
    answer = compose_answer(proc, office)
    checklist, image = _checklist(proc, office)
    try:  # exactly what the slip's QR code will hold
        from printing.checklist import portal_url
        from printing.urls import url_problem

        qr_url, problem = portal_url(proc), (url_problem(p["online_url"]) if p.get("online_url") else None)
    except ImportError:
        qr_url, problem = None, None
    return render(ctx, "procedure_preview.html", p=p, answer=answer, checklist=checklist, image=image,
                  problems=drafts.validate_procedure(draft.data, code), qr_url=qr_url, url_problem=problem)


@page()
def procedure_receipt(ctx: Ctx) -> Response:
    """GET /procedures/{code}/receipt.png: the printed slip of the draft procedure as an image."""
    code = ctx.request.path_params["code"]
    draft = drafts.load(ctx.db)
    p = find_procedure(draft, code)
    try:
        from printing import build_checklist, render_receipt

        img = render_receipt(build_checklist(procedure_from_dict(p), content_from_dict(draft.data).office, dt.datetime.now()))
    except Exception:
        log.exception("receipt preview failed")
        raise HTTPException(404, "Không vẽ được phiếu in.") from None
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return Response(buf.getvalue(), media_type="image/png")



ROUTES = [
    Route("/procedures/{code}/preview", procedure_preview, methods=["GET"]),
    Route("/procedures/{code}/receipt.png", procedure_receipt, methods=["GET"]),
]
