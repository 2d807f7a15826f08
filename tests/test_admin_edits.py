"""Issue 15, lost edits: a stale form, a re-imported older export, a preview applied later or
by someone else, an edit saved while a publish runs — each refused or kept, never lost.
"""
from __future__ import annotations

import csv
import io

import pytest
from starlette.testclient import TestClient
from test_admin_support import (
    ADMIN,
    CODE,
    EDITOR,
    db_of,
    import_sheet,
    procedure_form,
    signed_in,
)

# Slow lane: the staff web app end to end: a database copy per test and Argon2 sign-ins.
from kiosk.admin import draft as drafts
from kiosk.admin import sheets
from knowledge.store import current_version

pytestmark = pytest.mark.slow



# ---- 4. lost edits -------------------------------------------------------------------------------
def test_a_stale_edit_form_is_refused_with_a_side_by_side_view(app, data_dir):
    with TestClient(app, follow_redirects=False) as a, TestClient(app, follow_redirects=False) as b:
        signed_in(a)
        signed_in(b, EDITOR)
        form_a = procedure_form(a, CODE)
        form_b = procedure_form(b, CODE)  # both opened the same version
        form_a["fee"] = "Miễn phí (đã sửa bởi Lan)"
        assert a.post(f"/procedures/{CODE}", data=form_a).status_code == 303
        form_b["where"] = "Bộ phận một cửa, tầng 1"  # B changes another field on the old form
        r = b.post(f"/procedures/{CODE}", data=form_b)
        assert r.status_code == 409 and "Đã có người sửa" in r.text and ADMIN[0] in r.text
        assert "Miễn phí (đã sửa bởi Lan)" in r.text  # theirs, side by side with…
        assert "Bộ phận một cửa, tầng 1" in r.text  # …mine
        stored = drafts.load(db_of(data_dir)).procedure(CODE)
        assert stored["fee"] == "Miễn phí (đã sửa bởi Lan)" and stored["where"] != "Bộ phận một cửa, tầng 1"
        # a stale "retire" is refused the same way
        form_old = {"csrf": form_b["csrf"], "base": form_b["base"], "action": "retire"}
        assert b.post(f"/procedures/{CODE}", data=form_old).status_code == 409
        # B chooses to overwrite knowingly: the conflict page re-posts B's values on the newer base
        keep = dict(__import__("re").findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', r.text))
        import html

        again = {k: html.unescape(v) for k, v in keep.items()}
        multi = procedure_form(b, CODE)
        again.update({k: v for k, v in multi.items() if isinstance(v, list)})
        assert b.post(f"/procedures/{CODE}", data=again).status_code == 303
        assert drafts.load(db_of(data_dir)).procedure(CODE)["where"] == "Bộ phận một cửa, tầng 1"


def test_a_stale_office_form_is_refused(app, data_dir):
    with TestClient(app, follow_redirects=False) as a, TestClient(app, follow_redirects=False) as b:
        signed_in(a)
        signed_in(b, EDITOR)
        import re

        def office_form(c):
            html = c.get("/office").text
            html = html[:html.index('id="notices"')]
            return dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html))

        fa, fb = office_form(a), office_form(b)
        fa["hours"] = "Thứ Hai – Thứ Sáu, 7:30–11:30 và 13:30–17:00"
        assert a.post("/office", data=fa).status_code == 303
        fb["hotline"] = "1022"
        r = b.post("/office", data=fb)
        assert r.status_code == 409 and "Đã có người sửa" in r.text
        assert drafts.load(db_of(data_dir)).data["office"]["hours"] == fa["hours"]


def test_reimporting_an_older_export_does_not_revert_newer_edits(client, data_dir):
    token = signed_in(client)
    old_export = client.get("/sheet/procedures.csv").content
    form = procedure_form(client, CODE)
    form["fee"] = "Miễn phí — sửa sau khi xuất bảng tính"
    assert client.post(f"/procedures/{CODE}", data=form).status_code == 303
    r = import_sheet(client, token, "cu.csv", old_export)
    assert r.status_code == 400 and "đã có người sửa thủ tục này sau khi bảng tính được tải về" in r.text
    assert CODE in r.text
    assert drafts.load(db_of(data_dir)).procedure(CODE)["fee"] == "Miễn phí — sửa sau khi xuất bảng tính"
    # a fresh export imports cleanly
    r = import_sheet(client, token, "moi.csv", client.get("/sheet/procedures.csv").content)
    assert r.status_code == 303 and r.headers["location"].endswith("ok=nochange")


def test_an_applied_preview_is_checked_again_and_belongs_to_its_uploader(app, data_dir):
    import re

    with TestClient(app, follow_redirects=False) as a, TestClient(app, follow_redirects=False) as b:
        token_a = signed_in(a)
        token_b = signed_in(b, EDITOR)
        rows = sheets.export_rows(drafts.load(db_of(data_dir)).data)
        col = {h.split("[")[1].rstrip("]"): i for i, h in enumerate(rows[0])}
        row = next(r for r in rows if r[0] == CODE)
        row[col["fee"]] = "Miễn phí (từ bảng tính)"
        out = io.StringIO()
        csv.writer(out).writerows(rows)
        r = import_sheet(a, token_a, "sua.csv", out.getvalue().encode("utf-8"))
        assert r.status_code == 200 and f"Sửa {CODE}" in r.text
        pending = re.search(r'name="token" value="([0-9a-f]{32})"', r.text).group(1)
        # someone else cannot apply it
        assert b.post("/sheet/import/apply", data={"csrf": token_b, "token": pending}).status_code == 400
        # an edit saved between the preview and the apply is not overwritten
        form = procedure_form(b, CODE)
        form["fee"] = "Miễn phí (sửa trên biểu mẫu)"
        assert b.post(f"/procedures/{CODE}", data=form).status_code == 303
        r = a.post("/sheet/import/apply", data={"csrf": token_a, "token": pending})
        assert r.status_code == 400 and "đã có người sửa thủ tục này" in r.text
        assert drafts.load(db_of(data_dir)).procedure(CODE)["fee"] == "Miễn phí (sửa trên biểu mẫu)"


def test_an_edit_saved_during_a_publish_is_not_lost(client, data_dir, monkeypatch):
    token = signed_in(client)
    form = procedure_form(client, CODE)
    form["fee"] = "Miễn phí (bản đăng)"
    assert client.post(f"/procedures/{CODE}", data=form).status_code == 303
    real = drafts.validate

    def validate_while_someone_saves(data):
        out = real(data)
        db = db_of(data_dir)  # another admin process saves an edit meanwhile
        d = drafts.load(db)
        p = d.procedure(CODE)
        drafts.put_procedure(d, {**p, "where": "Sửa trong lúc đăng"})
        drafts.save(db, d, EDITOR[0])
        db.conn.commit()
        return out

    monkeypatch.setattr(drafts, "validate", validate_while_someone_saves)
    version = current_version(db_of(data_dir))
    r = client.post("/publish", data={"csrf": token, "note": ""})
    assert r.status_code == 400 and "vừa được sửa trong lúc kiểm tra" in r.text
    assert current_version(db_of(data_dir)) == version
    assert drafts.load(db_of(data_dir)).procedure(CODE)["where"] == "Sửa trong lúc đăng"
