"""POST /api/stats: a kiosk's daily aggregates, authorised by its ward's bearer token (FLEET.md)."""
from __future__ import annotations

import json

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from kiosk.hub import stats as hub_stats
from kiosk.hub.web import api_error


async def api_stats(request: Request) -> Response:
    auth = request.headers.get("authorization", "")
    scheme, _, token = auth.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return api_error(401, "thiếu mã truy cập (Authorization: Bearer …) / missing bearer token")
    length = request.headers.get("content-length")
    if length and (not length.isdigit() or int(length) > hub_stats.MAX_BODY):
        return api_error(413, f"nội dung quá {hub_stats.MAX_BODY // 1024} KiB / body too large")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > hub_stats.MAX_BODY:
            return api_error(413, f"nội dung quá {hub_stats.MAX_BODY // 1024} KiB / body too large")
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return api_error(422, "nội dung không phải JSON UTF-8 / body is not UTF-8 JSON")

    def store() -> Response:
        with request.app.state.pool.connection() as conn:
            ward = hub_stats.ward_for_token(conn, token.strip())
            if ward is None:
                return api_error(401, "mã truy cập không đúng — cấp lại bằng `kiosk hub add-ward` / bad token")
            try:
                s = hub_stats.parse(payload)
            except hub_stats.StatsInvalid as exc:
                return api_error(422, str(exc))
            if s.ward != ward:
                return api_error(401, f"mã truy cập không thuộc phường {s.ward} / token is for another ward")
            with conn.transaction():
                stored = hub_stats.store(conn, s)
        return JSONResponse({"ok": True, "stored": stored})

    return await run_in_threadpool(store)


ROUTES = [
    Route("/api/stats", api_stats, methods=["POST"]),
]
