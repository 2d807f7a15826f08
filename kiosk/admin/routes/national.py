"""Admin page "Đối chiếu CSDL quốc gia": the content audit against a national snapshot, in the browser.

Staff upload the snapshot (JSONL, gzip or plain; the page form takes up to 2 MB a file, the
July 2026 files are 0.4 and 1.1 MB compressed) or name files on the server. The audit runs on
the *draft*, so the page shows what would be published. A procedure the content lacks can be
started from its official record in one click: a written-up draft when the snapshot has its
details record, a catalogue entry otherwise; both go into the normal draft → publish workflow.

The snapshot lives in the admin process's memory only (one per server, replaced by the next
upload): it is reference data, and the kiosk never depends on it.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route

from kiosk.admin import draft as drafts
from kiosk.admin import forms
from kiosk.admin.accounts import audit as audit_log
from kiosk.admin.web import Ctx, page, redirect, render
from knowledge.audit import KIND_LABEL, KINDS, AuditReport, audit
from knowledge.model import Detail, Procedure
from knowledge.national import (
    NationalError,
    Snapshot,
    category_map,
    draft_from_national,
    guess_category,
    read_snapshot,
    read_snapshot_bytes,
    short_agency,
)
from knowledge.serialize import content_from_dict, procedure_to_dict

log = logging.getLogger(__name__)

MAX_FILE = 2 * 1024 * 1024  # the admin's multipart part limit (kiosk.admin.web.page)
MAX_UNCOMPRESSED = 64 * 1024 * 1024  # July 2026: details 12.5 MB, catalogue 4.0 MB once unzipped
SUFFIXES = (".jsonl", ".jsonl.gz", ".json.gz", ".gz", ".json")


@dataclass
class Loaded:
    """The snapshot this admin process holds, with who loaded which files when."""

    snapshot: Snapshot
    label: str
    by: str
    at: str


def _state(ctx: Ctx) -> Loaded | None:
    return getattr(ctx.request.app.state, "national", None)


def _province(address: str) -> str:
    last = address.rsplit(",", 1)[-1].strip()
    return last if last.lower().startswith(("thành phố", "tỉnh", "tp")) else ""


def _run(ctx: Ctx, loaded: Loaded, province: str) -> tuple[AuditReport, dict]:
    draft = drafts.load(ctx.db)
    content = content_from_dict(draft.data)
    report = audit(content, loaded.snapshot, province or None)
    return report, {p["code"]: p for p in draft.data["procedures"]}


def _render(ctx: Ctx, status: int = 200, error: str | None = None, province: str | None = None) -> Response:
    loaded = _state(ctx)
    office = drafts.load(ctx.db).data["office"]
    province = province if province is not None else _province(office.get("address", ""))
    report: AuditReport | None = None
    mine: dict[str, dict] = {}
    if loaded is not None:
        report, mine = _run(ctx, loaded, province)
    groups = [(k, KIND_LABEL[k], report.of(k, explained=False)) for k in KINDS] if report else []
    explained = [f for f in report.findings if f.explained is not None] if report else []
    return render(ctx, "national.html", status=status, loaded=loaded, report=report, groups=groups, explained=explained,
                  error=error, province=province, mine=mine, max_mb=MAX_FILE // (1024 * 1024),
                  counts=report.counts() if report else {})


@page()
def national_page(ctx: Ctx) -> Response:
    """The audit of the draft against the loaded snapshot (or the upload form when none is loaded)."""
    return _render(ctx, province=ctx.request.query_params.get("province"))


@page()
async def national_load(ctx: Ctx) -> Response:
    """Load a snapshot from uploaded files and/or server paths, then show the audit."""
    province = forms.clean_line(ctx.form.get("province"))
    uploads = [u for u in ctx.form.getlist("file") if not isinstance(u, str) and u.filename]
    paths = forms.clean_lines(ctx.form.get("paths"))
    # Only reading the uploads needs the event loop; parsing, the audit and rendering run in a worker thread.
    files = [(u.filename, await u.read(MAX_FILE + 1)) for u in uploads]
    return await run_in_threadpool(_load, ctx, province, files, paths)


def _load(ctx: Ctx, province: str, files: list[tuple[str, bytes]], paths: list[str]) -> Response:
    if not files and not paths:
        return _render(ctx, 400, "Chưa chọn tệp CSDL quốc gia hoặc nhập đường dẫn trên máy chủ.", province)
    try:
        snap = Snapshot()
        names = []
        for filename, data in files:
            if len(data) > MAX_FILE:
                raise NationalError(f"{filename}: tệp lớn hơn {MAX_FILE // (1024 * 1024)} MB — nén gzip hoặc đặt trên máy chủ")
            read_snapshot_bytes(data, filename, MAX_UNCOMPRESSED, snap)
            names.append(filename)
        for raw in paths:
            path = Path(raw)
            if not path.name.endswith(SUFFIXES):
                raise NationalError(f"{raw}: chỉ đọc tệp .jsonl hoặc .jsonl.gz")
            read_snapshot(path, MAX_UNCOMPRESSED, snap)
            names.append(path.name)
    except NationalError as exc:
        audit_log(ctx.db, ctx.user, "national-rejected", ", ".join(f for f, _ in files)[:200], None, ctx.ip)
        return _render(ctx, 400, str(exc).split(" / ")[0], province)
    ctx.request.app.state.national = Loaded(snap, ", ".join(names), ctx.user, dt.datetime.now().strftime("%d/%m/%Y %H:%M"))
    audit_log(ctx.db, ctx.user, "national-load", ", ".join(names)[:200], {"records": len(snap.procedures)}, ctx.ip)
    return _render(ctx, province=province)


@page()
def national_draft(ctx: Ctx) -> Response:
    """Start a draft procedure from its official record: written up when the snapshot has details, else brief."""
    code = forms.clean_line(ctx.form.get("code"))
    loaded = _state(ctx)
    if loaded is None:
        raise HTTPException(400, "Chưa có tệp CSDL quốc gia (máy chủ đã khởi động lại?) — tải tệp lên lại.")
    n = loaded.snapshot.get(code)
    if n is None or not forms.valid_code(code):
        raise HTTPException(404, f"Không có mã {code} trong tệp CSDL quốc gia đã tải.")
    draft = drafts.load(ctx.db)
    if draft.procedure(code) is not None:
        return redirect(f"/procedures/{quote(code)}")
    known = {c["code"] for c in draft.data["categories"]}
    learned = category_map((m.categories, p["category"]) for p in draft.data["procedures"]
                           if (m := loaded.snapshot.get(p["code"])) is not None)
    category = guess_category(n.categories, learned, known)
    if n.detailed:
        proc = procedure_to_dict(draft_from_national(n, category=category))
        ok = "national"
    else:
        proc = procedure_to_dict(Procedure(
            code=code, title=n.name, category=category, detail=Detail.BRIEF, level="xã" if n.commune_level else "tỉnh",
            handled_by=short_agency((n.departments or n.executing or ("UBND cấp xã",))[0]),
            sources=(n.url,) if n.url else ()))
        ok = "national-brief"
    drafts.put_procedure(draft, proc)
    drafts.save(ctx.db, draft, ctx.user)
    audit_log(ctx.db, ctx.user, "national-draft", code, {"detail": proc["detail"]}, ctx.ip)
    return redirect(f"/procedures/{quote(code)}", ok)


ROUTES = [
    Route("/national", national_page, methods=["GET"]),
    Route("/national", national_load, methods=["POST"]),
    Route("/national/draft", national_draft, methods=["POST"]),
]
