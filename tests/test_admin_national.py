"""The admin page "Đối chiếu CSDL quốc gia" over HTTP (Starlette TestClient, real SQLite in tmp)."""
from __future__ import annotations

import json

import pytest
from test_admin_support import EDITOR, db_of, signed_in
from test_national import CATALOGUE, DETAILS

from kiosk.admin.draft import load

# Slow lane: the staff web app end to end: a database copy per test and Argon2 sign-ins.
pytestmark = pytest.mark.slow


def _upload(client, csrf, *files, **extra):
    parts = [("file", (f.name, f.read_bytes(), "application/octet-stream")) for f in files]
    return client.post("/national", data={"csrf": csrf, **extra}, files=parts or None)


def test_upload_both_files_and_see_the_audit(client, data_dir):
    csrf = signed_in(client, EDITOR)
    _forget(data_dir, "2.001023")
    page = client.get("/national")
    assert page.status_code == 200 and "Đối chiếu với Cơ sở dữ liệu quốc gia" in page.text
    assert 'value="Thành phố Hồ Chí Minh"' in page.text  # the office's province, from its address
    r = _upload(client, csrf, CATALOGUE, DETAILS)
    assert r.status_code == 200, r.text
    assert "12 thủ tục" in r.text and "5 có bản ghi chi tiết" in r.text
    assert 'id="coverage"' in r.text and "/8 = " in r.text
    # 2.001023 is commune level, not in the shipped content, and has a details record.
    assert 'id="draft-2.001023"' in r.text and "Viết nháp từ bản ghi chính thức" in r.text
    # The snapshot stays loaded: the page shows the audit again without a new upload.
    assert 'id="coverage"' in client.get("/national").text
    rows = list(db_of(data_dir).query("SELECT action, target FROM admin_audit WHERE action LIKE 'national%'"))
    assert rows == [{"action": "national-load", "target": "catalogue-2026-07.jsonl, details-2026-07.jsonl.gz"}]


def _forget(data_dir, *codes):
    """Take codes out of the draft, so the test holds whatever the shipped content grows to know."""
    from kiosk.admin.draft import remove_procedure, save

    db = db_of(data_dir)
    draft = load(db)
    for code in codes:
        remove_procedure(draft, code)
    save(db, draft, "test")


def test_one_click_draft_from_the_official_record_goes_into_the_draft(client, data_dir):
    csrf = signed_in(client)
    _forget(data_dir, "2.001023", "2.000930")
    _upload(client, csrf, DETAILS, CATALOGUE)
    r = client.post("/national/draft", data={"csrf": csrf, "code": "2.001023"})
    assert r.status_code == 303 and r.headers["location"] == "/procedures/2.001023?ok=national"
    p = load(db_of(data_dir)).procedure("2.001023")
    assert p["detail"] == "full" and p["sources"][0].startswith("https://dichvucong.gov.vn/thu-tuc-hanh-chinh/")
    assert "aliases" in p["unverified"] and p["documents"]
    edit = client.get("/procedures/2.001023?ok=national")
    assert "Đã tạo bản nháp từ bản ghi chính thức" in edit.text
    # Not publishable until a person adds how citizens ask: the edit page says so.
    assert "Cách hỏi" in edit.text
    # A catalogue-only code becomes a catalogue entry.
    r = client.post("/national/draft", data={"csrf": csrf, "code": "2.000930"})
    assert r.headers["location"].endswith("ok=national-brief")
    assert load(db_of(data_dir)).procedure("2.000930")["detail"] == "brief"
    # Now the audit counts both as known.
    page = client.get("/national").text
    assert "đã có trong bản nháp" not in page or 'id="draft-2.001023"' not in page
    assert 'id="draft-2.001023"' not in page


def test_bad_uploads_and_paths_are_one_clear_message(client, tmp_path):
    csrf = signed_in(client)
    bad = tmp_path / "sai.jsonl"
    bad.write_text("không phải JSON\n", encoding="utf-8")
    r = _upload(client, csrf, bad)
    assert r.status_code == 400 and "sai.jsonl, dòng 1: không phải JSON" in r.text
    r = client.post("/national", data={"csrf": csrf})
    assert r.status_code == 400 and "Chưa chọn tệp" in r.text
    big = tmp_path / "to.jsonl"
    big.write_bytes(b" " * (3 * 1024 * 1024))
    r = _upload(client, csrf, big)
    assert r.status_code == 400 and "to.jsonl: tệp lớn hơn 2 MB" in r.text
    r = client.post("/national", data={"csrf": csrf, "paths": "/etc/passwd"})
    assert r.status_code == 400 and "chỉ đọc tệp .jsonl" in r.text
    r = client.post("/national", data={"csrf": csrf, "paths": str(tmp_path / "khong-co.jsonl.gz")})
    assert r.status_code == 400 and "không thấy tệp" in r.text
    r = client.post("/national", data={"csrf": csrf, "paths": f"{CATALOGUE}\n{DETAILS}"})
    assert r.status_code == 200 and "12 thủ tục" in r.text
    r = client.post("/national/draft", data={"csrf": csrf, "code": "9.999999"})
    assert r.status_code == 404


def test_the_page_needs_a_session_and_csrf(client):
    assert client.get("/national").status_code == 303
    signed_in(client)
    assert client.post("/national", data={"csrf": "sai"}).status_code == 403


def test_a_reason_typed_in_the_edit_form_is_kept(client, data_dir):
    from test_admin_support import procedure_form

    signed_in(client)
    form = procedure_form(client, "1.001193")
    form["national_differences"] = "processing_time: Luật Hộ tịch Điều 16: trong ngày; sau 15 giờ thì ngày làm việc tiếp theo"
    r = client.post("/procedures/1.001193", data={**form, "action": "save"})
    assert r.status_code == 303, r.text
    p = load(db_of(data_dir)).procedure("1.001193")
    assert p["national_differences"] == [form["national_differences"]]
    json.dumps(p, ensure_ascii=False)
