"""Issue 15: each attack of the hostile-editor/outsider pass, reproduced, and what happens now:
spreadsheet and YAML bombs, and heavy imports kept off the event loop (the login limiter:
tests/test_admin_logins.py; lost edits: tests/test_admin_edits.py).

Bombs are built here, in memory, never stored as files.
"""
from __future__ import annotations

import csv
import io
import shutil
import threading
import time
import zipfile
from pathlib import Path

import pytest
from test_admin_support import (
    ADMIN,
    CODE,
    CONTENT,
    EDITOR,
    db_of,
    import_sheet,
    procedure_form,
    settings_for,
    signed_in,
)

# Slow lane: the staff web app end to end: a database copy per test and Argon2 sign-ins.
from kiosk.admin import create_app, sheets
from kiosk.admin import draft as drafts
from knowledge.errors import ContentInvalid
from knowledge.source import load_source
from knowledge.store import read_content

pytestmark = pytest.mark.slow




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
    r = import_sheet(client, token, "bom.xlsx", bomb)  # the same through the page (the import's child process)
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
    r = import_sheet(client, token, "rong.xlsx", bomb)
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
    r = import_sheet(client, token, "dai.csv", text)
    assert r.status_code == 400 and "ô quá dài" in r.text and _draft_count(data_dir) == 0


def test_a_100_kb_fee_is_refused_by_the_field_limit_on_every_path(client, data_dir):
    token = signed_in(client)
    text = f"Mã thủ tục [code],Lệ phí [fee]\r\n{CODE},{'x' * 30_000}\r\n".encode()
    r = import_sheet(client, token, "phi.csv", text)
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
    r = import_sheet(client, token, "trong.csv", out.getvalue().encode("utf-8-sig"))
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
