"""The procedure spreadsheet: export (xlsx/csv), upload with a dry run, then apply to the draft."""
from __future__ import annotations

import datetime as dt

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route

from kiosk.admin import draft as drafts
from kiosk.admin import edits, jobs, sheets
from kiosk.admin.accounts import audit
from kiosk.admin.settings import AdminSettings
from kiosk.admin.web import Ctx, page, redirect, render, vi_message


@page()
def sheet_page(ctx: Ctx) -> Response:
    """GET /sheet: the spreadsheet page with the column list."""
    return render(ctx, "sheet.html", problems=None, columns=[sheets.header(k) for k in sheets.COLUMNS])


@page()
def sheet_export(ctx: Ctx) -> Response:
    """GET /sheet/procedures.{xlsx,csv}: the draft's procedures as a spreadsheet download."""
    fmt = ctx.request.path_params["fmt"]
    data = drafts.load(ctx.db).data
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M")
    if fmt == "xlsx":
        body = sheets.to_xlsx(data)
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    elif fmt == "csv":
        body = sheets.to_csv(data)
        media = "text/csv; charset=utf-8"
    else:
        raise HTTPException(404, "Không có định dạng này.")
    audit(ctx.db, ctx.user, "export", fmt, None, ctx.ip)
    return Response(body, media_type=media,
                    headers={"content-disposition": f'attachment; filename="thu-tuc-{stamp}.{fmt}"'})


@page()
async def sheet_import(ctx: Ctx) -> Response:
    """Upload → every check and the list of changes (nothing saved yet) → the clerk applies it."""
    upload = ctx.form.get("file")
    if upload is None or isinstance(upload, str) or not upload.filename:
        return await run_in_threadpool(_no_file, ctx)
    raw = await upload.read(sheets.MAX_BYTES + 1)  # only the upload is read on the event loop
    return await run_in_threadpool(_run_import, ctx, raw, upload.filename, apply=False)


def _no_file(ctx: Ctx) -> Response:
    # more=0: the template needs it whenever problems are shown (without it this answered 500).
    return render(ctx, "sheet.html", status=400, problems=["Chưa chọn tệp."], more=0,
                  columns=[sheets.header(k) for k in sheets.COLUMNS])


@page()
def sheet_import_apply(ctx: Ctx) -> Response:
    """Apply the sheet the clerk checked a moment ago (kept server-side under a one-time token)."""
    settings: AdminSettings = ctx.request.app.state.settings
    pending = jobs.take_pending(settings.db_path, str(ctx.form.get("token") or ""), ctx.user)
    if pending is None:
        raise HTTPException(400, "Bảng tính chờ áp dụng đã hết hạn hoặc đã được áp dụng — tải lên lại.")
    return _run_import(ctx, pending[0], pending[1], apply=True)


def _run_import(ctx: Ctx, raw: bytes, filename: str, *, apply: bool) -> Response:
    """Check (and with ``apply`` write to the draft) a sheet; called in a worker thread."""
    settings: AdminSettings = ctx.request.app.state.settings
    try:
        # Parsing and validating a 5,000-row sheet takes seconds: in a child process (kiosk.admin.jobs),
        # awaited from this worker thread, never on the event loop.
        with ctx.request.app.state.jobs.hold("import", ctx.user):
            result = jobs.import_sheet(settings.db_path, raw, filename, ctx.user, ctx.ip, apply=apply)
    except edits.Busy as exc:
        raise HTTPException(409, vi_message(exc) + ". Chưa nhập gì.") from None
    except sheets.SheetError as exc:
        audit(ctx.db, ctx.user, "import-rejected", filename[:200], {"problems": len(exc.problems)}, ctx.ip)
        return render(ctx, "sheet.html", status=400, problems=exc.problems[:300], more=max(0, len(exc.problems) - 300),
                      columns=[sheets.header(k) for k in sheets.COLUMNS])
    if not result.changes:
        return redirect("/publish", "nochange")
    if apply:
        return redirect("/publish", "imported")
    token = jobs.keep_pending(settings.db_path, raw, filename, ctx.user)
    return render(ctx, "sheet_confirm.html", changes=result.changes, rows=result.rows, filename=filename[:200],
                  token=token)


ROUTES = [
    Route("/sheet", sheet_page, methods=["GET"]),
    Route("/sheet/procedures.{fmt}", sheet_export, methods=["GET"]),
    Route("/sheet/import", sheet_import, methods=["POST"]),
    Route("/sheet/import/apply", sheet_import_apply, methods=["POST"]),
]
