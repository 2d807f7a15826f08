"""The admin's event loop only moves bytes: no SQLite statement and no page rendering runs on it.

One slow query or a big template on the loop would stall every other clerk's request (and the
login form). Plain handlers run in worker threads (kiosk.admin.web.page); the few async ones read
an upload and hand the rest to a worker thread. These tests record, for every SQL statement and
every rendered page, whether it ran on the thread of the running event loop.
"""
from __future__ import annotations

import asyncio
import sqlite3

import pytest
from starlette.templating import Jinja2Templates
from test_admin_support import CODE, procedure_form, signed_in
from test_national import CATALOGUE, DETAILS

# Slow lane: the staff web app end to end: a database copy per test and Argon2 sign-ins.
pytestmark = pytest.mark.slow


def _on_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


@pytest.fixture
def on_loop(monkeypatch):
    """What ran on the event loop: ("sql", statement) and ("render", template name)."""
    seen: list[tuple[str, str]] = []
    connect = sqlite3.connect

    def traced(*args, **kw):
        conn = connect(*args, **kw)
        conn.set_trace_callback(lambda stmt: seen.append(("sql", stmt)) if _on_loop() else None)
        return conn

    monkeypatch.setattr(sqlite3, "connect", traced)
    respond = Jinja2Templates.TemplateResponse

    def template_response(self, request, name, *args, **kw):
        # The error page renders on the loop by design: it reads no database and has no loops to speak of.
        if _on_loop() and name != "error.html":
            seen.append(("render", name))
        return respond(self, request, name, *args, **kw)

    monkeypatch.setattr(Jinja2Templates, "TemplateResponse", template_response)
    return seen


def test_the_trace_sees_statements_run_on_the_loop(on_loop):
    async def query() -> None:
        sqlite3.connect(":memory:").execute("SELECT 1")

    asyncio.run(query())
    assert on_loop == [("sql", "SELECT 1")]


def test_no_sql_or_rendering_on_the_event_loop_for_pages_and_forms(client, on_loop):
    assert client.get("/login").status_code == 200
    csrf = signed_in(client)
    pages = ["/", "/procedures", "/procedures?q=khai+sinh", f"/procedures/{CODE}", f"/procedures/{CODE}/preview",
             "/procedures/new", "/office", "/publish", "/versions", "/versions/1", "/sheet", "/sheet/procedures.csv",
             "/unanswered", "/usage", "/users", "/account", "/audit", "/national", "/fleet"]
    for path in pages:
        assert client.get(path).status_code == 200, path
    form = procedure_form(client, CODE)
    form["fee"] = "Miễn lệ phí (đã sửa trong thử nghiệm)"
    assert client.post(f"/procedures/{CODE}", data=form).status_code == 303
    sheet = client.get("/sheet/procedures.csv").content
    r = client.post("/sheet/import", data={"csrf": csrf}, files={"file": ("thu-tuc.csv", sheet, "text/csv")})
    assert r.status_code in (200, 303), r.text[:300]
    assert client.post("/sheet/import", data={"csrf": csrf}).status_code == 400  # no file chosen
    assert client.post("/login", data={"csrf": "sai", "name": "x", "password": "y"}).status_code == 403
    assert on_loop == []


def test_the_national_audit_runs_off_the_event_loop(client, on_loop):
    csrf = signed_in(client)
    parts = [("file", (CATALOGUE.name, CATALOGUE.read_bytes(), "application/octet-stream")),
             ("file", (DETAILS.name, DETAILS.read_bytes(), "application/gzip"))]
    r = client.post("/national", data={"csrf": csrf}, files=parts)
    assert r.status_code == 200 and 'id="coverage"' in r.text
    assert client.post("/national", data={"csrf": csrf}).status_code == 400  # nothing chosen
    assert client.post("/national/draft", data={"csrf": csrf, "code": "2.001023"}).status_code == 303
    assert on_loop == []
