"""Admin content work through the web app: edit → draft → validate → publish → version;
roll back; spreadsheets all or nothing; unanswered questions → alias; usage; the CLI."""
from __future__ import annotations

import html
import io
import json
import os
import re
import subprocess
import sys

import pytest
from test_admin_support import (
    ADMIN,
    CODE,
    CONTENT,
    EDITOR,
    REPO,
    db_of,
    procedure_form,
    signed_in,
)

from kiosk.admin import draft as drafts
from kiosk.admin import reports, sheets
from knowledge.base import KnowledgeBase
from knowledge.model import Decision, Match
from knowledge.qlog import log_question
from knowledge.store import current_version, read_content

# Slow lane: the staff web app end to end: a database copy per test and Argon2 sign-ins.
pytestmark = pytest.mark.slow


def _draft(data_dir):
    row = db_of(data_dir)["admin_draft"].get(1)
    return {p["code"]: p for p in json.loads(row["data"])["procedures"]}


def test_edit_publish_and_the_kiosk_content_follows(client, data_dir):
    token = signed_in(client, EDITOR)
    before = read_content(db_of(data_dir)).procedure(CODE)
    form = procedure_form(client, CODE)
    form.update({"fee": "Lệ phí 12.000 đồng", "fee_amount": "12.000"})
    assert client.post(f"/procedures/{CODE}", data=form).status_code == 303
    assert _draft(data_dir)[CODE]["fee_amount"] == 12000
    assert read_content(db_of(data_dir)).procedure(CODE).fee == before.fee  # not live yet
    page = client.get("/publish").text
    assert "Sửa 1.001193 Đăng ký khai sinh (Lệ phí, Số tiền lệ phí (đồng))" in page
    r = client.post("/publish", data={"csrf": token, "note": "QĐ 123"})
    assert r.status_code == 303 and r.headers["location"] == "/versions?ok=published"
    db = db_of(data_dir)
    live = read_content(db)
    assert live.procedure(CODE).fee == "Lệ phí 12.000 đồng" and live.procedure(CODE).fee_amount == 12000
    v = db["content_versions"].get(2)
    assert v["author"] == EDITOR[0] and v["source"] == "admin" and v["note"].startswith("QĐ 123 — Sửa 1.001193")
    changes = json.loads(next(db.query("SELECT changes FROM admin_publishes"))["changes"])
    assert changes == [{"area": "procedure", "kind": "changed", "target": CODE, "title": before.title,
                        "fields": ["fee", "fee_amount"]}]
    assert db["admin_draft"].count == 0
    audit = [r["action"] for r in db.query("SELECT action FROM admin_audit ORDER BY id")]
    assert audit[-2:] == ["edit", "publish"]
    assert "Lệ phí 12.000 đồng" in KnowledgeBase(live).answer_for(CODE).text
    assert "QĐ 123" in client.get("/versions").text


def test_staff_send_a_procedure_to_a_place_instead_of_a_counter(client, data_dir):
    # military-service registration is received by the commune's military command: staff
    # type the place beside the counters' list, and the form shows it back to edit
    signed_in(client, EDITOR)
    code = "1.013137"
    form = procedure_form(client, code)
    assert form["counter_place"] == "Ban Chỉ huy quân sự phường"  # the shipped content's place
    form.update({"counter": "", "counter_place": "Ban Chỉ huy quân sự phường, nhà B"})
    assert client.post(f"/procedures/{code}", data=form).status_code == 303
    assert _draft(data_dir)[code]["counter"] == "Ban Chỉ huy quân sự phường, nhà B"
    form = procedure_form(client, code)
    assert form["counter_place"] == "Ban Chỉ huy quân sự phường, nhà B"
    form.update({"counter": "1", "counter_place": ""})  # back to a counter of the office
    assert client.post(f"/procedures/{code}", data=form).status_code == 303
    assert _draft(data_dir)[code]["counter"] == "1"
    assert procedure_form(client, code)["counter_place"] == ""


def test_staff_word_how_people_ask_for_a_catalogue_entry(client, data_dir):
    signed_in(client, EDITOR)
    code = next(p.code for p in read_content(db_of(data_dir)).procedures if p.detail.value == "brief" and p.examples)
    form = procedure_form(client, code)
    kept = str(form["examples"]).splitlines()
    form["aliases"] = f"{form['aliases']}\nxin giấy cho ông bà đi lễ chùa xa"
    form["examples"] = "\n".join([*kept, "ba tui hỏi thủ tục này làm ở đâu"])
    assert client.post(f"/procedures/{code}", data=form).status_code == 303
    p = _draft(data_dir)[code]
    assert p["detail"] == "brief" and p["aliases"][-1] == "xin giấy cho ông bà đi lễ chùa xa"
    assert p["examples"] == [*kept, "ba tui hỏi thủ tục này làm ở đâu"]


def test_documents_are_added_reordered_and_removed(client, data_dir):
    signed_in(client)
    form = procedure_form(client, CODE)
    n = int(form["doc_count"])
    first, second = form["doc-0-name"], form["doc-1-name"]
    r = client.post(f"/procedures/{CODE}", data={**form, "action": "doc-add"})
    assert r.status_code == 200 and f'name="doc-{n}-name"' in r.text  # a new empty row, not saved yet
    data = {**form, "doc_count": str(n + 1), f"doc-{n}-name": "Giấy mới", f"doc-{n}-form": "copy",
            f"doc-{n}-copies": "2", f"doc-{n}-condition": "khi nhờ người khác nộp", "action": "save"}
    assert client.post(f"/procedures/{CODE}", data=data).status_code == 303
    docs = _draft(data_dir)[CODE]["documents"]
    assert len(docs) == n + 1 and docs[-1] == {"name": "Giấy mới", "form": "copy", "copies": 2, "required": False,
                                               "condition": "khi nhờ người khác nộp"}
    form = procedure_form(client, CODE)
    assert client.post(f"/procedures/{CODE}", data={**form, "action": "doc-down-0"}).status_code == 303
    assert [d["name"] for d in _draft(data_dir)[CODE]["documents"][:2]] == [second, first]
    form = procedure_form(client, CODE)
    assert client.post(f"/procedures/{CODE}", data={**form, "action": f"doc-del-{n}"}).status_code == 303
    assert len(_draft(data_dir)[CODE]["documents"]) == n
    bad = {**procedure_form(client, CODE), "doc-0-copies": "hai", "fee_amount": "nhiều"}
    r = client.post(f"/procedures/{CODE}", data=bad)
    assert r.status_code == 400 and "số bản phải là số nguyên" in r.text and "phải là một số" in r.text


def test_an_invalid_draft_is_not_published(client, data_dir):
    token = signed_in(client)
    form = procedure_form(client, CODE)
    form.update({"aliases": "chỉ một cách hỏi", "fee": ""})
    assert client.post(f"/procedures/{CODE}", data=form).status_code == 303
    page = client.get(f"/procedures/{CODE}").text
    assert "Cần sửa trước khi đăng được" in page and "Cách hỏi" in page
    version = current_version(db_of(data_dir))
    r = client.post("/publish", data={"csrf": token})
    assert r.status_code == 400 and "Chưa đăng được" in r.text and "cần ít nhất 5 cách hỏi" in r.text
    assert current_version(db_of(data_dir)) == version


def test_new_procedure_retire_and_office(client, data_dir):
    token = signed_in(client)
    r = client.post("/procedures/new", data={"csrf": token, "code": "../x", "title": "", "category": "nope"})
    assert r.status_code == 400 and "Mã dạng N.NNNNNN" in r.text
    r = client.post("/procedures/new", data={"csrf": token, "code": "local.cap-phep-thu", "title": "Cấp phép thử",
                                             "category": "khac"})
    assert r.status_code == 303
    form = procedure_form(client, "local.cap-phep-thu")
    form.update({"processing_time": "3 ngày làm việc", "fee": "Không thu phí", "legal_basis": "Quyết định 1/2026",
                 "verified_on": "2026-11-01", "sources": "https://example.invalid/a", "steps": "Nộp hồ sơ.",
                 "aliases": "cấp phép thử\ncap phep thu\nxin phép thử\nlàm giấy phép thử\nxin giay phep thu",
                 "doc_count": "1", "doc-0-name": "Đơn đề nghị", "doc-0-form": "original", "doc-0-copies": "1",
                 "doc-0-required": "1"})
    assert client.post("/procedures/local.cap-phep-thu", data=form).status_code == 303
    # retire another one and change the office hours
    assert client.post("/procedures/1.000894", data={"csrf": token, "action": "retire"}).status_code == 303
    office = client.get("/office").text
    assert "Giờ làm việc" in office
    import re

    data = {"csrf": token, "counter_count": str(len(re.findall(r'name="counter-\d+-number"', office)))}
    for m in re.finditer(r'<input name="([^"]+)"[^>]*value="([^"]*)"', office):
        data[m.group(1)] = m.group(2)
    cats: dict[str, list[str]] = {}
    for m in re.finditer(r'name="(counter-\d+-cat)" value="([^"]+)" checked', office):
        cats.setdefault(m.group(1), []).append(m.group(2))
    data.update(cats)
    data["hours"] = "Thứ Hai – Thứ Sáu: 7 giờ – 17 giờ"
    assert client.post("/office", data=data).status_code == 303
    r = client.post("/publish", data={"csrf": token})
    assert r.status_code == 303, r.text[:3000]
    live = read_content(db_of(data_dir))
    assert live.procedure("local.cap-phep-thu").fee == "Không thu phí"
    assert live.procedure("1.000894").retired
    assert live.office.hours == "Thứ Hai – Thứ Sáu: 7 giờ – 17 giờ"
    assert len(live.office.counters) == len(read_content(db_of(data_dir)).office.counters) >= 3
    kb = KnowledgeBase(live)
    assert kb.ask("xin phép thử").answer.code == "local.cap-phep-thu"
    assert all(m.code != "1.000894" for m in kb.ask("đăng ký kết hôn").matches)


def test_rollback_restores_an_earlier_version(client, data_dir):
    token = signed_in(client)
    original = read_content(db_of(data_dir)).procedure(CODE).fee
    form = procedure_form(client, CODE)
    form["fee"] = "Phí mới"
    client.post(f"/procedures/{CODE}", data=form)
    assert client.post("/publish", data={"csrf": token}).status_code == 303
    page = client.get("/versions/1").text
    assert "Sửa 1.001193" in page and 'id="rollback"' in page
    assert client.post("/versions/1/rollback", data={"csrf": token}).status_code == 303
    db = db_of(data_dir)
    assert read_content(db).procedure(CODE).fee == original
    last = db["content_versions"].get(3)
    assert last["source"].startswith("rollback:") and last["author"] == ADMIN[0]
    assert client.post("/versions/99/rollback", data={"csrf": token}).status_code == 404


def _sheet_bytes(data, fmt):
    return sheets.to_xlsx(data) if fmt == "xlsx" else sheets.to_csv(data)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_spreadsheet_round_trip_and_bulk_edit(client, data_dir, fmt):
    token = signed_in(client)
    raw = client.get(f"/sheet/procedures.{fmt}").content
    r = client.post("/sheet/import", data={"csrf": token}, files={"file": (f"a.{fmt}", raw)})
    assert r.status_code == 303 and r.headers["location"].endswith("ok=nochange")  # export → import changes nothing
    rows = sheets.read_xlsx(raw) if fmt == "xlsx" else sheets.read_csv(raw)
    head = [str(h) for h in rows[0]]
    i_code, i_fee = head.index("Mã thủ tục [code]"), head.index("Số tiền lệ phí (đồng) [fee_amount]")
    row = next(r for r in rows if r[i_code] == CODE)
    row[i_fee] = "15.000"
    r = client.post("/sheet/import", data={"csrf": token}, files={"file": (f"b.{fmt}", _write(rows, fmt))})
    # first what it would change, nothing saved yet…
    assert r.status_code == 200 and "Chưa thay đổi gì" in r.text and f"Sửa {CODE}" in r.text
    assert db_of(data_dir)["admin_draft"].count == 0
    m = re.search(r'name="token" value="([0-9a-f]{32})"', r.text)
    # …then applied by the clerk
    r = client.post("/sheet/import/apply", data={"csrf": token, "token": m.group(1)})
    assert r.status_code == 303 and r.headers["location"].endswith("ok=imported")
    assert _draft(data_dir)[CODE]["fee_amount"] == 15000
    # a catalogue entry's citizens' phrasings (catalogue.csv "examples", not in the sheet) stay
    told = [p for p in drafts.content_to_dict(drafts.live(db_of(data_dir)))["procedures"]
            if p["detail"] == "brief" and p["examples"]]
    assert told and all(_draft(data_dir)[p["code"]]["examples"] == p["examples"] for p in told)
    r = client.post("/sheet/import/apply", data={"csrf": token, "token": m.group(1)})  # only once
    assert r.status_code == 400 and "hết hạn hoặc đã được áp dụng" in r.text


def _write(rows, fmt) -> bytes:
    if fmt == "csv":
        import csv

        buf = io.StringIO()
        csv.writer(buf).writerows(rows)
        return buf.getvalue().encode("utf-8")
    from openpyxl import Workbook

    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_spreadsheet_with_any_error_changes_nothing(client, data_dir, fmt):
    token = signed_in(client)
    rows = sheets.export_rows(drafts.content_to_dict(read_content(db_of(data_dir))))
    head = rows[0]
    col = {h.split("[")[1].rstrip("]"): i for i, h in enumerate(head)}
    good = next(r for r in rows if r[0] == CODE)
    good[col["fee"]] = "Đổi lệ phí hợp lệ"  # a good change in the same sheet…
    bad1 = next(r for r in rows if r[0] == "1.000894")
    bad1[col["category"]] = "khong-co"  # …an unknown category (content rule)
    bad2 = next(r for r in rows if r[0] == "2.000815")
    bad2[col["fee_amount"]] = "mười nghìn"  # …and a number that is not a number
    version = current_version(db_of(data_dir))
    r = client.post("/sheet/import", data={"csrf": token}, files={"file": (f"x.{fmt}", _write(rows, fmt))})
    assert r.status_code == 400 and "Không nhập gì" in r.text
    assert "2.000815" in r.text and "mười nghìn" in r.text
    assert db_of(data_dir)["admin_draft"].count == 0 and current_version(db_of(data_dir)) == version
    bad2[col["fee_amount"]] = "10000"  # only the content rule left: still all or nothing
    r = client.post("/sheet/import", data={"csrf": token}, files={"file": (f"x.{fmt}", _write(rows, fmt))})
    assert r.status_code == 400 and "1.000894" in r.text and "khong-co" in r.text
    assert db_of(data_dir)["admin_draft"].count == 0


def test_spreadsheet_cells_are_never_formulas(data_dir):
    data = drafts.content_to_dict(read_content(db_of(data_dir)))
    p = next(x for x in data["procedures"] if x["code"] == CODE)
    p["fee"] = '=HYPERLINK("http://evil.example","bấm")'
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(sheets.to_xlsx(data))).active
    cells = [c for row in ws.iter_rows() for c in row if c.value == p["fee"]]
    assert cells and all(c.data_type == "s" for c in cells)
    csv_text = sheets.to_csv(data).decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_text
    rows = sheets.read_csv(sheets.to_csv(data))
    assert any(p["fee"] in r for r in rows)  # the guard is removed again on import
    wb_rows = [[c for c in r] for r in sheets.export_rows(data)]
    wb_rows[1][10] = None
    from openpyxl import Workbook

    wb = Workbook()
    for r in wb_rows:
        wb.active.append(r)
    wb.active["K2"] = "=1+1"
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(sheets.SheetError, match="lỗi") as e:
        sheets.read_xlsx(buf.getvalue())
    assert "công thức" in e.value.problems[0]


def _seed_questions(db):
    for q in ["bé chào đời cần làm giấy gì", "bé chào đời cần làm giấy gì", "be chao doi can lam giay gi",
              "bé chào đời thì cần làm giấy gì", "nuôi chó trong chung cư"]:
        log_question(db, q, Decision.NONE, [Match("2.000528", "x", 47.0), Match(CODE, "y", 40.0)])
    qid = log_question(db, "giấy khai sinh", Decision.ANSWER, [Match(CODE, "y", 90.0)])
    db["question_log"].update(qid, {"rating": -1})


def test_unanswered_questions_are_grouped_and_become_aliases(client, data_dir):
    db = db_of(data_dir)
    _seed_questions(db)
    groups = reports.unanswered(db, 30)
    assert [g.count for g in groups] == [4, 1, 1]
    assert groups[0].example == "bé chào đời cần làm giấy gì" and groups[0].candidates[CODE] == 4
    token = signed_in(client)
    page = client.get("/unanswered").text
    assert "bé chào đời cần làm giấy gì" in page and "Thêm làm cách hỏi" in page
    r = client.post("/unanswered/alias?days=30", data={"csrf": token, "code": CODE, "text": groups[0].alias_text})
    assert r.status_code == 303 and r.headers["location"].endswith("ok=alias")
    assert "bé chào đời cần làm giấy gì" in _draft(data_dir)[CODE]["aliases"]
    assert "chưa đăng" in client.get("/unanswered").text
    assert KnowledgeBase(read_content(db)).ask("bé chào đời cần làm giấy gì").decision is not Decision.ANSWER
    assert client.post("/publish", data={"csrf": token}).status_code == 303
    res = KnowledgeBase(read_content(db_of(data_dir))).ask("bé chào đời cần làm giấy gì")
    assert res.decision is Decision.ANSWER and res.answer.code == CODE
    assert "nay đã trả lời" in client.get("/unanswered").text


def test_usage_report_and_charts(client, data_dir):
    db = db_of(data_dir)
    _seed_questions(db)
    for _ in range(3):
        log_question(db, "đăng ký kết hôn", Decision.ANSWER, [Match("1.000894", "Đăng ký kết hôn", 95.0)])
    u = reports.usage(db, 30)
    assert u.total == 9 and u.decisions == {"answer": 4, "clarify": 0, "none": 5}
    assert u.ratings == {"good": 0, "bad": 1, "none": 8} and u.top_codes[0] == ("1.000894", 3)
    assert len(u.per_day) == 30 and u.per_day[-1][1] == 9
    signed_in(client)
    html = client.get("/usage").text
    assert html.count("<svg") == 5 and "Đăng ký kết hôn (1.000894)" in html and "9</strong> câu hỏi" in html


def test_usage_chart_names_every_channel_in_vietnamese_old_rows_included(client, data_dir):
    # issue 17: the app wrote voice/search/browse, `kiosk ask` text/audio; the chart showed a raw "voice"
    from knowledge.qlog import CHANNEL_LABEL, Channel

    db = db_of(data_dir)
    m = [Match("1.000894", "Đăng ký kết hôn", 95.0)]
    for channel in Channel:
        log_question(db, "đăng ký kết hôn", Decision.ANSWER, m, channel=channel)
    db["question_log"].insert_all([{"asked_at": db["question_log"].get(1)["asked_at"], "channel": old, "query": "cũ",
                                    "decision": "none"} for old in ("text", "audio", "touch")])  # rows of older versions
    u = reports.usage(db, 30)
    assert u.channels == {"voice": 2, "search": 2, "browse": 2}
    assert u.channel_shares == [("Nói", 2), ("Gõ chữ", 2), ("Chạm chọn", 2)]
    assert set(CHANNEL_LABEL) == set(Channel)
    signed_in(client)
    html = client.get("/usage").text
    assert all(label in html for label in CHANNEL_LABEL.values()) and ">voice<" not in html


def _cli(*args, data_dir, stdin=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    env["KIOSK_PATHS_DATA_DIR"] = str(data_dir)
    env["KIOSK_PATHS_CONTENT_DIR"] = str(CONTENT)
    return subprocess.run([sys.executable, "-m", "kiosk", *args], input=stdin, capture_output=True, text=True,
                          env=env, cwd=REPO, timeout=120)


def test_cli_users(tmp_path):
    r = _cli("admin", "create-user", "hoa", "--role", "admin", "--password-stdin", data_dir=tmp_path, stdin="mat-khau-dai-du-manh\n")
    assert r.returncode == 0, r.stderr
    assert _cli("admin", "create-user", "hoa", "--role", "editor", "--password-stdin", data_dir=tmp_path,
                stdin="mat-khau-dai-du-manh\n").returncode == 1
    r = _cli("admin", "create-user", "ngan", "--role", "editor", "--password-stdin", data_dir=tmp_path, stdin="ngan\n")
    assert r.returncode == 1 and r.stderr.startswith("Lỗi: mật khẩu cần ít nhất 12")
    users = json.loads(_cli("admin", "list-users", "--json", data_dir=tmp_path).stdout)
    assert users == [{"name": "hoa", "role": "admin", "active": True, "last_login_at": None}]
    from argon2 import PasswordHasher

    stored = db_of(tmp_path)["admin_users"].get(1)["password_hash"]
    assert stored.startswith("$argon2id$") and PasswordHasher().verify(stored, "mat-khau-dai-du-manh")


def test_cli_serves_the_admin(data_dir):
    db_of(data_dir).execute("UPDATE admin_users SET active = 0")  # no usable account yet: serve and say so
    import socket
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    env.update({"KIOSK_PATHS_DATA_DIR": str(data_dir), "KIOSK_PATHS_CONTENT_DIR": str(CONTENT)})
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "admin", "--host", "127.0.0.1", "--port", str(port)],
                            env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as r:
                    body, headers = r.read().decode(), r.headers
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read() if proc.poll() is not None else "timeout"
                time.sleep(0.2)
        assert "Đăng nhập" in body and 'name="csrf"' in body  # / redirected to the login form
        assert "Chưa có tài khoản nào" in body
        assert "default-src 'none'" in headers["content-security-policy"] and "server" not in headers
    finally:
        proc.terminate()
        proc.wait(10)


def _office_form(page: str) -> dict:
    """Every field the office form sends (inputs, hidden counts, textareas, ticked boxes)."""
    form = page.split('action="/office"')[1].split("</form>")[0]
    data: dict = {}
    for m in re.finditer(r'<input(?=[^>]*\bname="([^"]+)")(?=[^>]*\bvalue="([^"]*)")(?![^>]*type="checkbox")[^>]*>', form):
        data[m.group(1)] = html.unescape(m.group(2))
    for m in re.finditer(r'<textarea name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        data[m.group(1)] = html.unescape(m.group(2))
    for m in re.finditer(r'name="(counter-\d+-cat)" value="([^"]+)" checked', form):
        data.setdefault(m.group(1), []).append(m.group(2))
    return data


def test_staff_write_where_the_toilet_is_and_the_kiosk_says_it(client, data_dir):
    token = signed_in(client)
    page = client.get("/office").text
    assert "Câu hỏi về trụ sở" in page and "Nhà vệ sinh" in page
    data = _office_form(page)
    n = int(data["lobby_count"])
    toilet = next(i for i in range(n) if data[f"lobby-{i}-title"] == "Nhà vệ sinh")
    data[f"lobby-{toilet}-answer"] = "Cuối hành lang tầng 1, bên trái"
    data["action"] = "lobby-add"
    r = client.post("/office", data=data)
    assert r.status_code == 200 and "câu hỏi về trụ sở trống" in r.text
    data = _office_form(r.text)  # the unsaved answer is kept, with one blank row more
    assert int(data["lobby_count"]) == n + 1 and data[f"lobby-{toilet}-answer"] == "Cuối hành lang tầng 1, bên trái"
    data.update({f"lobby-{n}-title": "Thang máy", f"lobby-{n}-phrases": "thang máy\nthang may, cầu thang",
                 f"lobby-{n}-answer": "Thang máy ở sảnh chính", "action": "save"})
    assert client.post("/office", data=data).status_code == 303
    assert "Câu hỏi về trụ sở" in client.get("/publish").text
    assert client.post("/publish", data={"csrf": token}).status_code == 303
    live = read_content(db_of(data_dir))
    topics = {t.title: t for t in live.office.lobby}
    assert topics["Thang máy"].phrases == ("thang máy", "thang may", "cầu thang")
    assert len(topics) == n + 1 and topics["Chỗ gửi xe"].phrases  # the others kept whole
    kb = KnowledgeBase(live)
    from knowledge.replies import reply_for
    assert "Cuối hành lang tầng 1, bên trái" in reply_for(kb.ask("nhà vệ sinh ở đâu ạ"), kb).text
    assert reply_for(kb.ask("thang máy ở đâu"), kb).heading == "Thang máy"
    # a topic without any phrase cannot be published: the problem is shown on the page
    data = _office_form(client.get("/office").text)
    data.update({"lobby-0-phrases": "", "action": "save"})
    client.post("/office", data=data)
    r = client.post("/publish", data={"csrf": token})
    assert r.status_code == 400 and "ít nhất một cách hỏi" in r.text
    assert "ít nhất một cách hỏi" in client.get("/office").text
    assert {t.title for t in read_content(db_of(data_dir)).office.lobby} == set(topics)  # the live content kept
