"""Issue 15: each attack of the hostile-editor/outsider pass, reproduced, and what happens now.

Bombs are built here, in memory, never stored as files.
"""
from __future__ import annotations

import csv
import io
import json
import logging
import shutil
import sqlite3
import threading
import time
import zipfile
from pathlib import Path

import pytest
import sqlite_utils
from argon2 import PasswordHasher
from starlette.testclient import TestClient
from test_admin_support import (
    ADMIN,
    CODE,
    CONTENT,
    EDITOR,
    csrf_of,
    db_of,
    login,
    procedure_form,
    settings_for,
    signed_in,
)

from kiosk.admin import create_app, sheets
from kiosk.admin import draft as drafts
from kiosk.admin.accounts import (
    ANON_PER_ADDRESS,
    MAX_FAILS_PER_IP,
    MAX_FAILS_PER_USER,
    MAX_HASHING,
    PAIR_FREE,
    Accounts,
    stamp,
)
from kiosk.admin.errors import AuthError, RateLimited
from knowledge.errors import ContentInvalid
from knowledge.source import load_source
from knowledge.store import current_version, read_content

# Slow lane: the staff web app end to end: a database copy per test and Argon2 sign-ins.
pytestmark = pytest.mark.slow

CHEAP = dict(time_cost=1, memory_cost=1024, parallelism=1)


def _cpu_seconds() -> float:
    """CPU time of this process and of its children that have ended (the import's child
    process): what an attack costs, whatever else the machine is doing. Wall time doubled
    under a parallel test run (the import child runs at a lower priority) and failed these
    bounds with the attack long fixed."""
    import resource

    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + kids.ru_utime + kids.ru_stime


def _draft_count(data_dir: Path) -> int:
    return db_of(data_dir)["admin_draft"].count


def _import(client, token: str, name: str, raw: bytes):
    return client.post("/sheet/import", data={"csrf": token}, files={"file": (name, raw)})


def _small_xlsx() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["Mã thủ tục [code]", "Lệ phí [fee]"])
    wb.active.append([CODE, "x"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _with_part(xlsx: bytes, name: str, chunks, *, replace: bool = True) -> bytes:
    """A copy of a workbook with one part replaced by the streamed ``chunks`` (deflated as written)."""
    src = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            if info.filename != name or not replace:
                z.writestr(info, src.read(info.filename))
        with z.open(name, "w", force_zip64=True) as part:
            for chunk in chunks:
                part.write(chunk)
    return out.getvalue()


# ---- 1. spreadsheet bombs -----------------------------------------------------------------------
def test_a_shared_strings_bomb_is_refused_from_the_zip_directory(client, data_dir, monkeypatch):
    """100 kB that inflates to 100 MB: refused before openpyxl opens it, in well under a second."""
    token = signed_in(client)

    def strings():
        yield b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>'
        for _ in range(100):
            yield b"A" * (1024 * 1024)
        yield b"</t></si></sst>"

    bomb = _with_part(_small_xlsx(), "xl/sharedStrings.xml", strings(), replace=False)
    assert len(bomb) < 300 * 1024  # the attack: small on the wire
    import openpyxl

    def never(*a, **k):
        raise AssertionError("openpyxl must not see a bomb")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    t = _cpu_seconds()
    with pytest.raises(sheets.SheetError) as e:
        sheets.read_xlsx(bomb)
    assert _cpu_seconds() - t < 0.5 and "sharedStrings" in e.value.problems[0]
    monkeypatch.undo()
    r = _import(client, token, "bom.xlsx", bomb)  # the same through the page (the import's child process)
    assert _cpu_seconds() - t < 10
    assert r.status_code == 400 and "quá lớn" in r.text and "sharedStrings" in r.text, r.text[-2000:]
    assert "Traceback" not in r.text and _draft_count(data_dir) == 0


def test_many_parts_that_together_inflate_too_far_are_refused(data_dir):
    def part(n):
        for _ in range(n):
            yield b" " * (1024 * 1024)

    raw = _small_xlsx()
    for i in range(2):
        raw = _with_part(raw, f"xl/media/pad{i}.xml", part(30), replace=False)
    with pytest.raises(sheets.SheetError) as e:
        sheets.read_xlsx(raw)
    assert "giải nén ra" in e.value.problems[0] and "tối đa 48 MB" in e.value.problems[0]


def test_a_sheet_claiming_16384_columns_is_read_only_as_far_as_the_limits(client, data_dir):
    """The attack: <dimension ref="A1:XFD1048576"/> in a 27 kB file froze the admin 30 s, 1.4 GB."""
    token = signed_in(client)
    raw = client.get("/sheet/procedures.xlsx").content
    z = zipfile.ZipFile(io.BytesIO(raw))
    sheet = z.read("xl/worksheets/sheet1.xml").decode()
    import re

    claimed = re.sub(r'<dimension ref="[^"]+"\s*/>', '<dimension ref="A1:XFD1048576"/>', sheet)
    assert claimed != sheet
    bomb = _with_part(raw, "xl/worksheets/sheet1.xml", [claimed.encode()])
    t = _cpu_seconds()
    r = _import(client, token, "rong.xlsx", bomb)
    assert _cpu_seconds() - t < 15
    assert r.status_code == 303 and r.headers["location"].endswith("ok=nochange")


def test_data_past_the_last_allowed_column_or_row_is_refused(data_dir):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["Mã thủ tục [code]"])
    wb.active.cell(row=2, column=1, value=CODE)
    wb.active.cell(row=2, column=16384, value="x")
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(sheets.SheetError) as e:
        sheets.read_xlsx(buf.getvalue())
    assert "tối đa 60 cột" in e.value.problems[0] and "XFD" in e.value.problems[0]
    rows = "\r\n".join([",".join(["Mã thủ tục [code]"])] + [f"local.x-{i}" for i in range(sheets.MAX_ROWS + 1)])
    with pytest.raises(sheets.SheetError) as e:
        sheets.read_csv(rows.encode())
    assert "quá 5.000 dòng" in e.value.problems[0]


def test_a_csv_cell_over_131072_characters_is_a_clear_400(client, data_dir):
    """Was an HTTP 500 (csv's own field limit)."""
    token = signed_in(client)
    text = f"Mã thủ tục [code],Lệ phí [fee]\r\n{CODE},{'x' * 200_000}\r\n".encode()
    r = _import(client, token, "dai.csv", text)
    assert r.status_code == 400 and "ô quá dài" in r.text and _draft_count(data_dir) == 0


def test_a_100_kb_fee_is_refused_by_the_field_limit_on_every_path(client, data_dir):
    token = signed_in(client)
    text = f"Mã thủ tục [code],Lệ phí [fee]\r\n{CODE},{'x' * 30_000}\r\n".encode()
    r = _import(client, token, "phi.csv", text)
    assert r.status_code == 400 and "Lệ phí quá dài: 30.000 ký tự, tối đa 2.000" in r.text
    form = procedure_form(client, CODE)
    form["fee"] = "Miễn phí " + "x" * 100_000
    r = client.post(f"/procedures/{CODE}", data=form)
    assert r.status_code == 400 and "tối đa 2.000" in r.text
    form = procedure_form(client, CODE)
    form["aliases"] = "\n".join(f"cách hỏi {i}" for i in range(500))
    r = client.post(f"/procedures/{CODE}", data=form)
    assert r.status_code == 400 and "quá nhiều dòng: 500, tối đa 200" in r.text
    r = client.post("/notices", data={"csrf": token, "notice_count": "1", "notice-0-title": "Nghỉ lễ",
                                      "notice-0-body": "y" * 10_000})
    assert r.status_code == 400 and "tối đa 4.000" in r.text
    assert _draft_count(data_dir) == 0


def test_two_empty_header_columns_are_not_a_duplicate(client, data_dir):
    """Was refused with "cột 'None' lặp lại"."""
    token = signed_in(client)
    rows = sheets.export_rows(drafts.content_to_dict(read_content(db_of(data_dir))))
    out = io.StringIO()
    w = csv.writer(out)
    for r in rows:
        w.writerow(r + ["", ""])
    r = _import(client, token, "trong.csv", out.getvalue().encode("utf-8-sig"))
    assert r.status_code == 303 and r.headers["location"].endswith("ok=nochange"), r.text[-1500:]


def test_a_yaml_alias_bomb_in_a_content_file_is_refused_in_a_moment(tmp_path):
    """Was 132 s, then a traceback."""
    src = tmp_path / "content"
    shutil.copytree(CONTENT, src)
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    (src / "procedures" / f"{CODE}.yaml").write_text("\n".join(lines) + "\nsteps: *a9\n", encoding="utf-8")
    t = _cpu_seconds()
    with pytest.raises(ContentInvalid) as e:
        load_source(src)
    assert _cpu_seconds() - t < 10
    assert any("quá nhiều tham chiếu YAML" in p.message and p.file.endswith(f"{CODE}.yaml") for p in e.value.problems)
    (src / "procedures" / f"{CODE}.yaml").write_text("x: " + "[" * 60 + "]" * 60 + "\n", encoding="utf-8")
    with pytest.raises(ContentInvalid) as e:
        load_source(src)
    assert any("lồng quá sâu" in p.message for p in e.value.problems)


def test_an_oversized_catalogue_csv_cell_is_a_content_problem_not_a_crash(tmp_path):
    src = tmp_path / "content"
    shutil.copytree(CONTENT, src)
    cat = src / "catalogue.csv"
    cat.write_text(cat.read_text(encoding="utf-8") + '9.999999,"' + "x" * 200_000 + '",a,b,xã,c\n', encoding="utf-8")
    with pytest.raises(ContentInvalid) as e:
        load_source(src)
    assert any(p.file == "catalogue.csv" and "ô quá dài" in p.message for p in e.value.problems)


def test_a_huge_version_id_is_404_not_500(client):
    signed_in(client)
    for vid in ("99999999999999999999999", "9223372036854775808"):
        r = client.get(f"/versions/{vid}")
        assert r.status_code == 404 and "Không có phiên bản này" in r.text


# ---- 2. the login limiter -------------------------------------------------------------------------
class CountingHasher(PasswordHasher):
    """A real Argon2 hasher that counts checks and how many run at once."""

    def __init__(self, **kw):
        super().__init__(**kw)
        self.lock = threading.Lock()
        self.verified = 0
        self.active = 0
        self.peak = 0

    def verify(self, hash, password):  # noqa: A002
        with self.lock:
            self.verified += 1
            self.active += 1
            self.peak = max(self.peak, self.active)
        try:
            return super().verify(hash, password)
        finally:
            with self.lock:
                self.active -= 1


def _connect(data_dir: Path) -> sqlite_utils.Database:
    db = sqlite_utils.Database(sqlite3.connect(str(data_dir / "kiosk.db"), check_same_thread=False))
    db.execute("PRAGMA busy_timeout=10000")
    return db


def _parallel(data_dir: Path, hasher, tries: list[tuple[str, str, str]]) -> list[str]:
    results: list[str] = [""] * len(tries)
    start = threading.Barrier(len(tries))

    def one(i, name, password, ip):
        db = _connect(data_dir)
        try:
            start.wait()
            Accounts(db, hasher).authenticate(name, password, ip)
            results[i] = "ok"
        except RateLimited:
            results[i] = "limited"
        except AuthError:
            results[i] = "wrong"
        finally:
            db.close()

    threads = [threading.Thread(target=one, args=(i, *t)) for i, t in enumerate(tries)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return results


def test_sixty_parallel_wrong_passwords_check_exactly_the_allowed_number(data_dir):
    """Was: 43 of 60 checked (limit 5), 2.35 GB of argon2 in parallel."""
    hasher = CountingHasher()  # the stored hash's own cost (RFC 9106 defaults, 64 MiB each)
    results = _parallel(data_dir, hasher, [(ADMIN[0], "sai-mat-khau", "10.5.0.1")] * 60)
    assert hasher.verified == PAIR_FREE
    assert results.count("wrong") == PAIR_FREE and results.count("limited") == 60 - PAIR_FREE
    assert hasher.peak <= MAX_HASHING
    db = db_of(data_dir)
    assert db.execute("SELECT count(*) FROM admin_login_attempts WHERE ok = 0").fetchone()[0] == PAIR_FREE


def test_concurrent_hashing_is_bounded(data_dir):
    hasher = CountingHasher()
    tries = [(ADMIN[0], f"sai-{i}", f"10.6.0.{i}") for i in range(6)]
    results = _parallel(data_dir, hasher, tries)
    assert results.count("wrong") == 6 and hasher.verified == 6
    assert hasher.peak <= MAX_HASHING


def test_refused_attempts_do_not_count_and_the_wait_backs_off(app, data_dir):
    db = db_of(data_dir)
    with TestClient(app, follow_redirects=False, client=("10.7.0.1", 1)) as c:
        for _ in range(PAIR_FREE):
            assert login(c, ADMIN[0], "sai-mat-khau").status_code == 401
        for _ in range(10):  # hammering while throttled
            assert login(c, ADMIN[0], "sai-mat-khau").status_code == 429
        assert db.execute("SELECT count(*) FROM admin_login_attempts WHERE ok = 0").fetchone()[0] == PAIR_FREE
        # 31 s later one more try is checked, and the next wait doubles to a minute
        _age(db, 31)
        assert login(c, ADMIN[0], "sai-mat-khau").status_code == 401
        r = login(c, *ADMIN)
        assert r.status_code == 429 and "chờ 1 phút" in r.text


def _age(db, seconds: int) -> None:
    import datetime as dt

    for r in list(db.query("SELECT id, at FROM admin_login_attempts")):
        t = dt.datetime.fromisoformat(r["at"]) - dt.timedelta(seconds=seconds)
        db.execute("UPDATE admin_login_attempts SET at = ? WHERE id = ?", [stamp(t), r["id"]])
    db.conn.commit()


def test_a_spread_out_attack_cannot_lock_the_owner_out_and_an_admin_clears_it(data_dir, caplog):
    """Was: 5 failures then one every 2.5 min from anywhere kept the only admin locked for ever."""
    app = create_app(settings_for(data_dir), hasher=PasswordHasher(**CHEAP))
    with TestClient(app, follow_redirects=False, client=("10.8.0.1", 1)) as owner:
        assert login(owner, *ADMIN).status_code == 303  # the admin's own office PC
        owner.post("/logout", data={"csrf": csrf_of(owner.get("/").text)})
    caplog.set_level(logging.WARNING, logger="kiosk.admin.accounts")
    for i in range(MAX_FAILS_PER_USER):
        with TestClient(app, follow_redirects=False, client=(f"10.9.0.{i}", 1)) as attacker:
            assert login(attacker, ADMIN[0], f"doan-{i}").status_code == 401
    assert any("locked" in r.getMessage() for r in caplog.records)
    db = db_of(data_dir)
    assert "account-locked" in [r["action"] for r in db.query("SELECT action FROM admin_audit")]
    with TestClient(app, follow_redirects=False, client=("10.10.0.1", 1)) as stranger:
        r = login(stranger, *ADMIN)
        assert r.status_code == 429 and "nhờ quản trị" in r.text
    with TestClient(app, follow_redirects=False, client=("10.8.0.1", 1)) as owner:
        assert login(owner, *ADMIN).status_code == 303  # the owner still signs in from their PC
        users = owner.get("/users").text
        assert "lần đăng nhập sai gần đây" in users and "đang bị chặn" in users
        r = owner.post(f"/users/{ADMIN[0]}", data={"csrf": csrf_of(users), "action": "unlock"})
        assert r.status_code == 303
    with TestClient(app, follow_redirects=False, client=("10.10.0.1", 1)) as stranger:
        assert login(stranger, *ADMIN).status_code == 303
    assert "user-unlock" in [r["action"] for r in db.query("SELECT action FROM admin_audit")]


def test_many_failures_behind_one_nat_do_not_block_staff_who_signed_in_there_before(data_dir):
    """Was: 20 failures from one address blocked every user behind it."""
    app = create_app(settings_for(data_dir), hasher=PasswordHasher(**CHEAP))
    with TestClient(app, follow_redirects=False, client=("10.11.0.1", 1)) as c:
        assert login(c, *ADMIN).status_code == 303
        c.cookies.clear()
        for i in range(MAX_FAILS_PER_IP):
            assert login(c, f"khong-co-{i}", "sai").status_code == 401
        assert login(c, *EDITOR).status_code == 429  # never signed in from here: waits
        assert login(c, *ADMIN).status_code == 303  # signed in from here before: unaffected


@pytest.mark.parametrize("password,message", [
    (" " * 8, "để trống"), (" " * 14, "để trống"), ("12345678", "ít nhất 12"), ("Mat Khau 123456", "quá phổ biến"),
    ("aaaaaaaaaaaaaa", "ít ký tự khác nhau"),
])
def test_weak_passwords_are_refused(client, data_dir, password, message):
    token = signed_in(client)
    r = client.post("/users", data={"csrf": token, "name": "moi", "role": "editor", "password": password,
                                    "password2": password})
    assert r.status_code == 400 and message in r.text
    assert db_of(data_dir)["admin_users"].count == 2


# ---- 7. audit log growth ----------------------------------------------------------------------
def test_anonymous_failures_are_rate_limited_in_the_audit_log_and_purged(data_dir):
    """Was ~80 rows/s from unauthenticated failed logins, never purged."""
    app = create_app(settings_for(data_dir), hasher=PasswordHasher(**CHEAP))
    db = db_of(data_dir)
    db["admin_audit"].insert_all([
        {"at": "2020-01-01T00:00:00+00:00", "user": "x", "ip": "1.1.1.1", "action": "login-failed", "target": "", "detail": ""},
        {"at": "2020-01-01T00:00:00+00:00", "user": "lan", "ip": "1.1.1.1", "action": "publish", "target": "", "detail": ""},
        {"at": "2026-01-01T00:00:00+00:00", "user": "lan", "ip": "1.1.1.1", "action": "edit", "target": "", "detail": ""},
    ])
    with TestClient(app, follow_redirects=False, client=("10.12.0.1", 1)) as c:
        for i in range(60):
            assert login(c, f"khong-co-{i}", "sai").status_code in (401, 429)
    rows = list(db.query("SELECT action, detail FROM admin_audit WHERE ip = '10.12.0.1'"))
    assert len(rows) == ANON_PER_ADDRESS + 1
    flood = [r for r in rows if r["action"] == "login-flood"]
    assert len(flood) == 1 and json.loads(flood[0]["detail"])["more"] == 60 - ANON_PER_ADDRESS
    old = [r["action"] for r in db.query("SELECT action FROM admin_audit WHERE ip = '1.1.1.1'")]
    assert old == ["edit"]  # an anonymous failure kept 90 days, staff changes three years


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
    r = _import(client, token, "cu.csv", old_export)
    assert r.status_code == 400 and "đã có người sửa thủ tục này sau khi bảng tính được tải về" in r.text
    assert CODE in r.text
    assert drafts.load(db_of(data_dir)).procedure(CODE)["fee"] == "Miễn phí — sửa sau khi xuất bảng tính"
    # a fresh export imports cleanly
    r = _import(client, token, "moi.csv", client.get("/sheet/procedures.csv").content)
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
        r = _import(a, token_a, "sua.csv", out.getvalue().encode("utf-8"))
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


# ---- 3. heavy work off the event loop ------------------------------------------------------------
def _brief_sheet(n: int, category: str) -> bytes:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["Mã thủ tục [code]", "Mức chi tiết [detail]", "Tên thủ tục [title]", "Lĩnh vực [category]",
                "Cơ quan giải quyết [handled_by]"])
    for i in range(n):
        w.writerow([f"local.thu-{i}", "danh mục", f"Thủ tục thử số {i}", category, "UBND cấp xã"])
    return out.getvalue().encode("utf-8-sig")


@pytest.mark.slow
def test_other_staff_keep_working_during_a_4999_row_import(admin_template, tmp_path):
    """Was: one 4,999-row CSV froze every user for 27 s. Now: pages answer in < 1 s meanwhile,
    and a second import is told to wait."""
    import socket

    import requests
    import uvicorn

    class Http(requests.Session):
        """requests with a base URL and no redirects, like the test client."""

        def __init__(self, base: str, timeout: float):
            super().__init__()
            self.base, self.timeout = base, timeout

        def request(self, method, url, *args, **kw):
            kw.setdefault("allow_redirects", False)
            kw.setdefault("timeout", self.timeout)
            return super().request(method, self.base + url, *args, **kw)

    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(admin_template / "kiosk.db", data / "kiosk.db")
    app = create_app(settings_for(data))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    category = read_content(db_of(data)).categories[0].code
    sheet = _brief_sheet(4999, category)
    try:
        with Http(base, 120) as a, Http(base, 30) as b:
            token_a = signed_in(a)
            token_b = signed_in(b, EDITOR)
            done: dict[str, object] = {}
            baseline = []
            for _ in range(8):  # the same page with nothing else running, on this machine now
                t = time.monotonic()
                assert b.get("/procedures", params={"q": "khai sinh"}).status_code == 200
                baseline.append(time.monotonic() - t)

            def big_import():
                t = time.monotonic()
                done["r"] = a.post("/sheet/import", data={"csrf": token_a},
                                   files={"file": ("lon.csv", sheet, "text/csv")})
                done["s"] = time.monotonic() - t

            worker = threading.Thread(target=big_import)
            worker.start()
            while app.state.jobs.running is None and worker.is_alive():
                time.sleep(0.01)
            assert app.state.jobs.running == ("import", ADMIN[0])
            second = b.post("/sheet/import", data={"csrf": token_b},
                            files={"file": ("khac.csv", _brief_sheet(3, category), "text/csv")})
            assert second.status_code == 409 and "đang nhập bảng tính" in second.text and ADMIN[0] in second.text
            latencies = []
            while worker.is_alive():
                t = time.monotonic()
                r = b.get("/procedures", params={"q": "khai sinh"})
                latencies.append(time.monotonic() - t)
                assert r.status_code == 200
                time.sleep(0.05)
            worker.join()
            assert done["r"].status_code == 200 and "Chưa thay đổi gì" in done["r"].text, done["r"].text[-1500:]
            import re as _re

            applied = a.post("/sheet/import/apply", data={
                "csrf": token_a, "token": _re.search(r'name="token" value="([0-9a-f]{32})"', done["r"].text).group(1)})
            assert applied.status_code == 303 and applied.headers["location"].endswith("ok=imported")
            import statistics

            during, idle = statistics.median(latencies), statistics.median(baseline)
            print(f"\nimport {done['s']:.1f} s; other user's /procedures during it: median {during * 1000:.0f} ms, "
                  f"max {max(latencies) * 1000:.0f} ms (n={len(latencies)}); idle median {idle * 1000:.0f} ms")
            # < 1 s on an otherwise idle 2-core PC; on a shared, loaded test machine the page may be
            # slow already, so it must at least not be held up by the import (was: frozen for 27 s).
            assert len(latencies) >= 3 and (during < 1.0 or during < 2.5 * idle), (done["s"], idle, latencies)
            assert len(drafts.load(db_of(data)).data["procedures"]) >= 4999
    finally:
        server.should_exit = True
        thread.join(10)


def test_behind_a_trusted_proxy_the_limiter_sees_the_real_address(data_dir):
    from kiosk.admin.app import AdminSettings

    settings = AdminSettings(db_path=data_dir / "kiosk.db", content_dir=CONTENT, trusted_proxies=("10.20.0.1",))
    app = create_app(settings, hasher=PasswordHasher(**CHEAP))
    with TestClient(app, follow_redirects=False, client=("10.20.0.1", 1)) as proxy:
        for _ in range(PAIR_FREE):
            page = proxy.get("/login")
            r = proxy.post("/login", headers={"x-forwarded-for": "192.168.1.50"},
                           data={"csrf": csrf_of(page.text), "name": ADMIN[0], "password": "sai", "next": "/"})
            assert r.status_code == 401
        page = proxy.get("/login")
        r = proxy.post("/login", headers={"x-forwarded-for": "192.168.1.60"},  # a colleague behind the same proxy
                       data={"csrf": csrf_of(page.text), "name": ADMIN[0], "password": ADMIN[1], "next": "/"})
        assert r.status_code == 303
    ips = {r["ip"] for r in db_of(data_dir).query("SELECT ip FROM admin_login_attempts")}
    assert ips == {"192.168.1.50", "192.168.1.60"}
    # an untrusted peer cannot choose its address with the header
    with TestClient(app, follow_redirects=False, client=("10.30.0.1", 1)) as other:
        page = other.get("/login")
        other.post("/login", headers={"x-forwarded-for": "1.2.3.4"},
                   data={"csrf": csrf_of(page.text), "name": "ai-do", "password": "sai", "next": "/"})
    assert "1.2.3.4" not in {r["ip"] for r in db_of(data_dir).query("SELECT ip FROM admin_login_attempts")}


def test_changing_ones_own_password_checks_the_current_one_through_the_limiter(client, data_dir):
    token = signed_in(client, EDITOR)
    r = client.post("/account", data={"csrf": token, "current": EDITOR[1], "password": "12345678",
                                      "password2": "12345678"})
    assert r.status_code == 400 and "ít nhất 12" in r.text
    r = client.post("/account", data={"csrf": token, "current": "sai-roi", "password": "ca phe sua da sang thu hai",
                                      "password2": "ca phe sua da sang thu hai"})
    assert r.status_code == 400 and "Sai tên đăng nhập hoặc mật khẩu" in r.text
    r = client.post("/account", data={"csrf": token, "current": EDITOR[1], "password": "ca phe sua da sang thu hai",
                                      "password2": "ca phe sua da sang thu hai"})
    assert r.status_code == 303
    assert login(client, EDITOR[0], "ca phe sua da sang thu hai").status_code == 303


def test_failed_logins_from_ever_new_addresses_are_capped_in_the_audit_log(data_dir, monkeypatch):
    from kiosk.admin import accounts
    from kiosk.admin.accounts import audit

    monkeypatch.setattr(accounts, "ANON_ALL", 30)
    db = db_of(data_dir)
    for i in range(100):
        audit(db, f"ai-{i}", "login-failed", "", None, f"2001:db8::{i:x}")
    rows = list(db.query("SELECT action, ip, detail FROM admin_audit WHERE action LIKE 'login-%'"))
    assert len([r for r in rows if r["action"] == "login-failed"]) == 30
    flood = [r for r in rows if r["action"] == "login-flood"]
    assert len(flood) == 1 and flood[0]["ip"] == "*" and json.loads(flood[0]["detail"])["more"] == 70
