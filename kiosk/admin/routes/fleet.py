"""Admin pages "Nội dung của tỉnh": which content comes from the province hub and what the ward changed.

Only meaningful once `kiosk sync` applied a province bundle; before that (a ward on its
own) the page says so and nothing else in the admin changes. Per procedure it shows each
field's origin — the province's, the ward's own (an override), or a ward-only procedure —
and flags an override whose province text changed since the ward made it. Staff can go
back to the province text or confirm their own; either republishes the content at once
(province content + layer + office), like a publish.
"""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route

from kiosk.admin import draft as drafts
from kiosk.admin import forms
from kiosk.admin.accounts import audit
from kiosk.admin.db import connect
from kiosk.admin.edits import immediate
from kiosk.admin.routes.conflict import show as _show
from kiosk.admin.web import Ctx, page, redirect, render
from kiosk.fleet import layer as layers
from kiosk.fleet import ward_edits

CACHE_SECONDS = 3.0  # the procedure page reads the layer at most this often; a bundle changes it minutes apart
SOURCE_LABEL = {"province": "Của tỉnh", "local": "Phường sửa riêng", "local-only": "Thủ tục riêng của phường"}
STATUS_LABEL = {"applied": "đã áp dụng gói mới", "current": "đã là mới nhất", "not-modified": "đã là mới nhất",
                "refused": "TỪ CHỐI gói nội dung", "unreachable": "không kết nối được máy chủ tỉnh"}


def _additive(value: Any) -> str:
    add, remove = value.get("add") or [], value.get("remove") or []
    parts = []
    if add:
        parts.append("Thêm: " + " | ".join(add))
    if remove:
        parts.append("Bỏ: " + " | ".join(remove))
    return "\n".join(parts) or "—"


def _local_text(src: layers.FieldSource) -> str:
    if src.field in layers.ADDITIVE and isinstance(src.local, dict):
        return _additive(src.local)
    return _show(src.local)


@page()
def fleet_page(ctx: Ctx) -> Response:
    # A ward on its own has no fleet tables; a following ward has its province content once
    # the first bundle is applied.
    province = layers.province_content(ctx.db) if ward_edits.following(ctx.db) else None
    if province is None:
        return render(ctx, "fleet.html", following=False, state={}, manifest=None, rows=[], local_only=[],
                      stale=0, sent=[], hidden=[], STATUS_LABEL=STATUS_LABEL)
    state = {r["key"]: r["value"] for r in ctx.db.query("SELECT key, value FROM fleet_state")}
    manifest = json.loads(state.get("province_manifest") or "{}")
    layer = layers.load_layer(ctx.db)
    prov = {p["code"]: p for p in province["procedures"]}
    stale = {(o.code, o.field) for o in layers.stale_overrides(layer, province)}
    rows = []
    for code, per in sorted(layer.overrides.items()):
        title = (prov.get(code) or {}).get("title", "")
        fields = [(drafts.field_label(f), (code, f) in stale) for f in per]
        rows.append({"code": code, "title": title, "fields": fields, "stale": any(s for _, s in fields)})
    rows.sort(key=lambda r: (not r["stale"], r["code"]))
    local_only = [(c, p.get("title", "")) for c, p in sorted(layer.local_procedures.items())]
    sent = list(ctx.db.query("SELECT day, sent_at FROM fleet_stats_sent ORDER BY day DESC LIMIT 7"))
    # only those the province still publishes: a dropped one no longer needs hiding
    hidden = [(layers.notice_key(n), n) for n in layer.hidden_notices if n in (province.get("notices") or [])]
    return render(ctx, "fleet.html", following=True, state=state, manifest=manifest, rows=rows, local_only=local_only,
                  stale=len(stale), sent=sent, hidden=hidden, STATUS_LABEL=STATUS_LABEL)


def _code(ctx: Ctx) -> str:
    code = ctx.request.path_params["code"]
    if not forms.valid_code(code):
        raise HTTPException(404, "Không có thủ tục này.")
    return code


@page()
def fleet_procedure(ctx: Ctx) -> Response:
    code = _code(ctx)
    province = layers.province_content(ctx.db) if ward_edits.following(ctx.db) else None
    if province is None:
        raise HTTPException(404, "Phường chưa nhận nội dung từ máy chủ tỉnh.")
    layer = layers.load_layer(ctx.db)
    proc = next((p for p in province["procedures"] if p["code"] == code), None)
    if proc is None and code not in layer.local_procedures:
        raise HTTPException(404, f"Không có thủ tục mã {code}.")
    title = (layer.local_procedures.get(code) or proc or {}).get("title", "")
    rows = []
    for src in layers.field_sources(code, layer, province):
        if src.source == "province" and src.province in (None, "", [], False):
            continue  # an empty province field nobody changed: nothing to tell
        rows.append({"field": src.field, "label": drafts.field_label(src.field), "source": src.source,
                     "source_label": SOURCE_LABEL[src.source], "stale": src.stale,
                     "province": _show(src.province), "local": _local_text(src) if src.source != "province" else "",
                     "based_on": _show(src.based_on) if src.stale else ""})
    return render(ctx, "fleet_procedure.html", code=code, title=title, rows=rows,
                  local_only=code in layer.local_procedures, in_province=proc is not None)


@page()
def fleet_override(ctx: Ctx) -> Response:
    code = _code(ctx)
    fld = ctx.request.path_params["field"]
    action = str(ctx.form.get("action") or "")
    if fld not in layers.OVERRIDABLE or action not in ("drop", "keep"):
        raise HTTPException(400, "Thao tác không hợp lệ.")
    from kiosk.fleet.sync import republish

    with immediate(ctx.db):
        layer = layers.load_layer(ctx.db)
        province = layers.province_content(ctx.db)
        done = (layers.drop_override(layer, code, fld) if action == "drop"
                else layers.confirm_override(layer, code, fld, province, ctx.user))
        if not done:
            raise HTTPException(404, "Mục này không còn là nội dung sửa riêng của phường.")
        layers.save_layer(ctx.db, layer)
        label = drafts.field_label(fld)
        if action == "drop":
            republish(ctx.db, author=ctx.user, note=f"Dùng lại nội dung của tỉnh: {code} ({label})")
        audit(ctx.db, ctx.user, "fleet-" + action, code, {"field": fld}, ctx.ip)
    return redirect(f"/fleet/procedures/{quote(code)}", "fleet-dropped" if action == "drop" else "fleet-kept")


@page()
def fleet_show_notice(ctx: Ctx) -> Response:
    """A province notice the ward once deleted goes back on the kiosk's screen."""
    key = str(ctx.form.get("notice") or "")
    from kiosk.fleet.sync import republish

    with immediate(ctx.db):
        layer = layers.load_layer(ctx.db)
        notice = layers.show_notice(layer, key)
        if notice is None:
            raise HTTPException(404, "Thông báo này không còn bị ẩn.")
        layers.save_layer(ctx.db, layer)
        title = str(notice.get("title") or "")
        republish(ctx.db, author=ctx.user, note=f"Hiện lại thông báo của tỉnh: {title}"[:200])
        audit(ctx.db, ctx.user, "fleet-show-notice", "notices", {"title": title}, ctx.ip)
    return redirect("/fleet", "fleet-notice-shown")


def origin_lookup(db_path: Path):
    """Template helpers: ``origin(code)``, the fields of ``code`` the ward changed and which are stale,
    and ``following()``. None/False when the ward follows no hub, so a ward on its own sees its pages
    exactly as before. The province snapshot is read at most every few seconds (it changes once per bundle)."""
    cache: dict[str, Any] = {"at": 0.0, "data": None}

    def load():
        if time.monotonic() - cache["at"] < CACHE_SECONDS:
            return cache["data"]
        db = connect(db_path)
        try:
            if not ward_edits.following(db):
                data = None
            else:
                data = (layers.load_layer(db), layers.province_content(db))
        finally:
            db.close()
        cache.update(at=time.monotonic(), data=data)
        return data

    def origin(code: str) -> dict | None:
        data = load()
        if data is None:
            return None
        layer, province = data
        if code in layer.local_procedures:
            return {"local_only": True, "fields": [], "stale": []}
        srcs = [s for s in layers.field_sources(code, layer, province) if s.source == "local"]
        return {"local_only": False, "fields": [drafts.field_label(s.field) for s in srcs],
                "stale": [drafts.field_label(s.field) for s in srcs if s.stale]}

    def stale_count() -> int:
        data = load()
        return len(layers.stale_overrides(*data)) if data else 0

    return origin, lambda: load() is not None, stale_count


def install(app) -> None:
    """Template helpers this module's pages and the procedure page use."""
    origin, following, stale_count = origin_lookup(app.state.settings.db_path)
    app.state.templates.env.globals.update(fleet_origin=origin, fleet_following=following,
                                           fleet_stale_count=stale_count)


ROUTES = [
    Route("/fleet", fleet_page, methods=["GET"]),
    Route("/fleet/procedures/{code}", fleet_procedure, methods=["GET"]),
    Route("/fleet/procedures/{code}/{field}", fleet_override, methods=["POST"]),
    Route("/fleet/notices/show", fleet_show_notice, methods=["POST"]),
]
