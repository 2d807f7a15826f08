"""Procedures as a spreadsheet (XLSX or CSV) for bulk edits, and back — all or nothing.

One row per procedure, one column per field (header "Lệ phí [fee]": the label for the
clerk, the field name in brackets for the program). List fields hold one entry per line
inside the cell; each document is one line ``tên | hình thức | số bản | bắt buộc | điều kiện``.
Import parses every row, applies the rows to a copy of the draft and validates the
whole draft with the content-source rules; any problem → nothing changes. Rows are
added or replace the procedure with the same code; procedures missing from the sheet
are left alone (retire them with the "Ngừng áp dụng" column, never by deleting rows).
"""
from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from typing import Any

from kiosk.admin import draft as drafts
from kiosk.admin import edits, limits
from kiosk.admin.forms import (
    DOC_FORM_LABEL,
    clean_block,
    clean_line,
    clean_lines,
    fmt_number,
    parse_amount,
    parse_days,
    valid_code,
)
from knowledge import fields
from knowledge.model import Detail

# Columns, list columns and the columns a catalogue entry fills: from the one declaration (knowledge.fields).
COLUMNS = fields.SHEET_COLUMNS
LIST_COLUMNS = fields.names(where=lambda f: f.in_sheet and f.kind is fields.Kind.LIST)
BRIEF_COLUMNS = set(fields.names(where=lambda f: f.in_brief_sheet))
# A redirect ("không làm tại phường: chỉ nơi đến") has the columns of a written-up procedure.
DETAIL_LABEL = {Detail.FULL: "đầy đủ", Detail.BRIEF: "danh mục", Detail.REDIRECT: "chỉ đường"}
DETAIL_WORDS = {**{v: k for k, v in DETAIL_LABEL.items()}, **{d.value: d for d in Detail}}
FORM_WORDS = {**{v: k for k, v in DOC_FORM_LABEL.items()}, **{k: k for k in DOC_FORM_LABEL},
              "chính": "original", "sao": "copy", "chính hoặc sao": "either", "xuất trình": "present",
              "xuất trình để đối chiếu": "present"}  # the label of earlier exports
YES = {"có", "x", "true", "1", "yes", "bắt buộc"}
NO = {"", "không", "false", "0", "no", "không bắt buộc", "khi cần", "tùy trường hợp"}
MAX_ROWS = limits.MAX_ROWS
MAX_BYTES = limits.MAX_UPLOAD
_HEADER_KEY = re.compile(r"\[([a-z_]+)\]\s*$")
_RISKY_START = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet would read these as a formula
_ILLEGAL_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class SheetError(drafts.AdminError):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(f"{len(problems)} lỗi trong bảng tính — không nhập gì / nothing imported")


@dataclass(frozen=True)
class ImportResult:
    rows: int
    changes: list[drafts.Change]


def header(key: str) -> str:
    return f"{drafts.FIELD_LABELS.get(key, key)} [{key}]"


# ---- export -----------------------------------------------------------------------------------
def _doc_line(d: dict[str, Any]) -> str:
    parts = [d["name"], DOC_FORM_LABEL.get(d.get("form", "original"), "bản chính"), str(d.get("copies", 1)),
             "bắt buộc" if d.get("required", True) else "khi cần", d.get("condition") or ""]
    return " | ".join(parts).rstrip(" |")


def procedure_row(p: dict[str, Any]) -> list[str]:
    full = p.get("detail", Detail.FULL) != Detail.BRIEF
    out = []
    for key in COLUMNS:
        v = p.get(key)
        if key == "detail":
            s = DETAIL_LABEL.get(p.get("detail", Detail.FULL), DETAIL_LABEL[Detail.FULL])
        elif not full and key not in BRIEF_COLUMNS:
            s = ""
        elif key == "documents":
            s = "\n".join(_doc_line(d) for d in v or ())
        elif key in LIST_COLUMNS:
            s = "\n".join(v or ())
        elif key == "retired":
            s = "có" if v else ""
        elif key in ("processing_days", "fee_amount"):
            s = fmt_number(v)
        else:
            s = "" if v is None else str(v)
        out.append(s)
    return out


# The last column carries each row's fingerprint of the draft it was exported from, so a
# re-import of an old sheet cannot silently undo edits made since (kiosk.admin.edits).
REV = "rev"
REV_HEADER = "Dấu phiên bản — đừng sửa [rev]"


def export_rows(data: dict[str, Any]) -> list[list[str]]:
    return [[header(k) for k in COLUMNS] + [REV_HEADER]] + [
        procedure_row(p) + [edits.fingerprint(drafts.as_published(p))] for p in data["procedures"]]


def to_csv(data: dict[str, Any]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    for row in export_rows(data):
        w.writerow(["'" + c if c.startswith(_RISKY_START) else c for c in row])
    return buf.getvalue().encode("utf-8-sig")  # the BOM makes Excel read UTF-8


def to_xlsx(data: dict[str, Any]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.worksheet import Worksheet

    wb = Workbook()
    ws = wb.active
    assert isinstance(ws, Worksheet)  # a new workbook has one worksheet, active
    ws.title = "Thủ tục"
    wrap = Alignment(wrap_text=True, vertical="top")
    for r, row in enumerate(export_rows(data), 1):
        for c, value in enumerate(row, 1):
            cell = ws.cell(row=r, column=c, value=_ILLEGAL_XLSX.sub("", value) or None)
            if cell.value is not None:
                cell.data_type = "s"  # never a formula, whatever the text starts with
            cell.alignment = wrap
            if r == 1:
                cell.font = Font(bold=True)
    widths = {"code": 12, "title": 40, "documents": 60, "aliases": 40, "steps": 50, "fee": 30, "notes": 40}
    from openpyxl.utils import get_column_letter

    for c, key in enumerate(COLUMNS, 1):
        ws.column_dimensions[get_column_letter(c)].width = widths.get(key, 18)
        ws.cell(row=1, column=c).number_format = "@"
    for r in range(2, ws.max_row + 1):
        ws.cell(row=r, column=1).number_format = "@"
    ws.freeze_panes = "C2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# ---- import -----------------------------------------------------------------------------------
def read_csv(raw: bytes) -> list[list[Any]]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SheetError(["tệp CSV phải lưu dạng UTF-8 (Excel: Lưu thành → CSV UTF-8) / CSV must be UTF-8"]) from None
    rows: list[list[Any]] = []
    reader = csv.reader(io.StringIO(text))
    try:
        for r, row in enumerate(reader, 1):
            limits.check_row(r, row)
            rows.append([c[1:] if c.startswith("'") and c[1:2] in ("=", "+", "-", "@") else c for c in row])
    except limits.TooBig as exc:
        raise SheetError([str(exc)]) from None
    except csv.Error:  # a cell over csv's own 131,072-character limit, or a NUL byte
        raise SheetError([f"{limits.TOO_BIG}: dòng {reader.line_num} có ô quá dài hoặc ký tự lạ "
                          f"(tối đa {limits.MAX_CELL} ký tự một ô)."]) from None
    return rows


def read_xlsx(raw: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        limits.check_xlsx_zip(raw)  # the zip directory, before openpyxl inflates anything
    except limits.TooBig as exc:
        raise SheetError([str(exc)]) from None
    try:
        wb = load_workbook(io.BytesIO(raw), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise SheetError([f"không đọc được tệp XLSX / unreadable XLSX: {type(exc).__name__}"]) from None
    rows: list[list[Any]] = []
    problems: list[str] = []
    try:
        ws = wb.worksheets[0]
        limits.check_xlsx_columns(raw, getattr(ws, "_worksheet_path", "xl/worksheets/sheet1.xml"))
        # The <dimension> a file claims (A1:XFD1048576) would make openpyxl pad every row
        # to it; read only as far as the limits, and look one row/column past them.
        ws.reset_dimensions()
        for r, row in enumerate(ws.iter_rows(max_row=MAX_ROWS + 2, max_col=limits.MAX_COLUMNS + 1), 1):
            values = []
            for c, cell in enumerate(row, 1):
                if getattr(cell, "data_type", None) == "f":
                    problems.append(f"dòng {r}, cột {c}: ô chứa công thức — hãy dán dạng giá trị / formula cell")
                values.append(cell.value)
            if r > MAX_ROWS + 1 and all(v in (None, "") for v in values):
                continue
            limits.check_row(r, values)
            rows.append(values)
    except limits.TooBig as exc:
        raise SheetError([str(exc)]) from None
    except Exception as exc:  # a damaged part found while reading
        raise SheetError([f"không đọc được tệp XLSX / unreadable XLSX: {type(exc).__name__}"]) from None
    finally:
        wb.close()
    if problems:
        raise SheetError(problems)
    return rows


def _cell_text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, dt.datetime):
        return v.date().isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _flag(text: str, where: str, problems: list[str]) -> bool:
    t = clean_line(text).lower()
    if t in YES:
        return True
    if t not in NO:
        problems.append(f"{where}: ghi 'có' hoặc để trống")
    return False


def _documents(text: str, where: str, problems: list[str]) -> list[dict[str, Any]]:
    docs = []
    for n, line in enumerate(clean_lines(text), 1):
        parts = [x.strip() for x in line.split("|")]
        parts += [""] * (5 - len(parts))
        name, form, copies, required, condition = parts[0], parts[1].lower(), parts[2], parts[3].lower(), "|".join(parts[4:]).strip(" |")
        w = f"{where}, giấy tờ dòng {n}"
        if form and form not in FORM_WORDS:
            problems.append(f"{w}: hình thức '{form}' không hợp lệ: bản chính | bản sao | bản chính hoặc bản sao | xuất trình")
        try:
            n_copies = int(copies or "1")
            if n_copies < 1:
                raise ValueError
        except ValueError:
            problems.append(f"{w}: số bản '{copies}' phải là số nguyên ≥ 1")
            n_copies = 1
        if required not in YES | NO:
            problems.append(f"{w}: ghi 'bắt buộc' hoặc 'khi cần'")
        docs.append({"name": name, "form": FORM_WORDS.get(form, "original"), "copies": n_copies,
                     "required": required in YES or required == "", "condition": condition or None})
    return docs


def parse_rows(rows: list[list[Any]], base: dict[str, dict[str, Any]],
               revs: dict[str, str] | None = None) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """The procedures of the sheet and the sheet row of each code; SheetError lists every problem."""
    problems: list[str] = []
    rows = [[_cell_text(c) for c in row] for row in rows]
    while rows and not any(c.strip() for c in rows[-1]):
        rows.pop()
    if not rows:
        raise SheetError(["bảng tính trống / empty sheet"])
    if len(rows) > MAX_ROWS + 1:
        raise SheetError([f"quá {MAX_ROWS} dòng / too many rows"])
    keys: list[str | None] = []
    for c, h in enumerate(rows[0], 1):
        h = clean_line(h)
        m = _HEADER_KEY.search(h)
        key = m.group(1) if m else (h if h in COLUMNS else None)
        if key is None and h:
            problems.append(f"dòng 1, cột {c}: tiêu đề '{h[:60]}' không biết — giữ nguyên dòng tiêu đề khi xuất ra")
        elif key is not None and key not in COLUMNS and key != REV:
            problems.append(f"dòng 1, cột {c}: trường '{key}' không biết")
            key = None
        if key is not None and key in keys:
            problems.append(f"dòng 1, cột {c}: cột '{drafts.FIELD_LABELS.get(key, key)} [{key}]' lặp lại")
        keys.append(key)
    if "code" not in keys:
        raise SheetError(problems + ["thiếu cột mã thủ tục [code] / no code column"])

    out: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for r, row in enumerate(rows[1:], 2):
        if not any(c.strip() for c in row):
            continue
        cells = {k: row[i] if i < len(row) else "" for i, k in enumerate(keys) if k}
        code = clean_line(cells.get("code"))
        where = f"dòng {r} ({code or 'không mã'})"
        if not valid_code(code):
            problems.append(f"{where}: mã '{code[:40]}' sai định dạng (N.NNNNNN hoặc local.ten); ô mã phải là dạng chữ (Text)")
            continue
        if code in seen:
            problems.append(f"{where}: trùng mã với dòng {seen[code]}")
            continue
        seen[code] = r
        if revs is not None and clean_line(cells.get(REV)):
            revs[code] = clean_line(cells.get(REV))
        old = base.get(code) or {}
        detail_text = clean_line(cells.get("detail", "")).lower()
        detail = DETAIL_WORDS.get(detail_text) if detail_text else old.get("detail", Detail.FULL)
        if detail is None:
            problems.append(f"{where}: cột Mức chi tiết phải là 'đầy đủ', 'danh mục' hoặc 'chỉ đường'")
            continue
        p: dict[str, Any] = copy.deepcopy(old) if old else {}
        p.update({"code": code, "detail": detail})
        for key in ("title", "short_title", "category", "level", "handled_by"):
            if key in cells:
                p[key] = clean_line(cells[key])
        p["level"] = p.get("level") or "xã"
        if detail == Detail.BRIEF:
            if "sources" in cells:
                p["sources"] = clean_lines(cells["sources"])[:1]
            if "aliases" in cells:
                p["aliases"] = clean_lines(cells["aliases"])
            filled = [k for k in cells if k not in BRIEF_COLUMNS and k not in ("retired", REV) and clean_line(cells[k])]
            if filled:
                problems.append(f"{where}: thủ tục chỉ có trong danh mục không có "
                                f"{', '.join(drafts.FIELD_LABELS.get(k, k) for k in filled)} — đổi Mức chi tiết thành 'đầy đủ'")
            if "retired" in cells and _flag(cells["retired"], where, problems):
                problems.append(f"{where}: không ngừng áp dụng được thủ tục chỉ có trong danh mục; xóa nó trên trang thủ tục")
            brief = {k: p.get(k) for k in ("code", "title", "category", "handled_by", "level", "sources")}
            brief["short_title"] = p.get("short_title") or ""
            # the counter or place a catalogue row names (not a sheet column) is kept like its examples
            brief.update({"detail": Detail.BRIEF.value, "where": "", "counter": p.get("counter") or None,
                          "processing_time": "", "processing_days": None,
                          "fee": "", "fee_amount": None, "legal_basis": [], "online_url": None, "notes": "",
                          "verified_on": None, "unverified": [], "documents": [], "steps": [],
                          "aliases": p.get("aliases") or [], "keywords": [], "retired": False,
                          "examples": p.get("examples") or [],
                          "sources": p.get("sources") or []})
            out.append(brief)
            continue
        for key in ("where", "processing_time", "fee", "verified_on"):
            if key in cells:
                p[key] = clean_line(cells[key])
        for key in ("counter", "online_url", "verified_on"):
            if key in cells:
                p[key] = clean_line(cells[key]) or None
        if "notes" in cells:
            p["notes"] = clean_block(cells["notes"])
        for key in LIST_COLUMNS:
            if key in cells:
                p[key] = clean_lines(cells[key])
        for key, parse in (("processing_days", parse_days), ("fee_amount", parse_amount)):
            if key in cells:
                raw = clean_line(cells[key])
                try:
                    p[key] = parse(raw) if raw else None
                except ValueError:
                    problems.append(f"{where}: {drafts.FIELD_LABELS[key]} '{raw[:40]}' phải là một số")
        if "documents" in cells:
            p["documents"] = _documents(cells["documents"], where, problems)
        if "retired" in cells:
            p["retired"] = _flag(cells["retired"], where, problems)
        default: object
        for key, default in (("short_title", ""), ("where", ""), ("counter", None), ("processing_time", ""), ("processing_days", None),
                             ("fee", ""), ("fee_amount", None), ("online_url", None), ("notes", ""),
                             ("verified_on", None), ("documents", []), ("retired", False),
                             *((k, []) for k in LIST_COLUMNS)):
            p.setdefault(key, default)
        out.append(p)
    if problems:
        raise SheetError(problems)
    return out, seen


def import_sheet(db, raw: bytes, filename: str, user: str, ip: str = "", *, apply: bool = True) -> ImportResult:
    """Apply a sheet to the draft if the whole result validates; otherwise change nothing.

    ``apply=False``: every check, and the changes it would make, without saving (the preview)."""
    try:
        limits.check_upload(raw)
    except limits.TooBig as exc:
        raise SheetError([str(exc)]) from None
    name = filename.lower()
    if name.endswith(".xlsx"):
        rows = read_xlsx(raw)
    elif name.endswith(".csv"):
        rows = read_csv(raw)
    else:
        raise SheetError(["chỉ nhận tệp .xlsx hoặc .csv / only .xlsx or .csv"])
    draft = drafts.load(db)
    before = copy.deepcopy(draft.data)
    base = {p["code"]: p for p in draft.data["procedures"]}
    revs: dict[str, str] = {}
    procedures, row_of = parse_rows(rows, base, revs)
    stale = []
    for p in procedures:
        q = base.get(p["code"])
        if q is None or p["code"] not in revs or revs[p["code"]] == edits.fingerprint(drafts.as_published(q)):
            continue
        if drafts.as_published(p) != drafts.as_published(q):  # the row would overwrite a newer edit
            by, at = edits.last_change(db, p["code"])
            stale.append(f"dòng {row_of[p['code']]} ({p['code']}): đã có người sửa thủ tục này sau khi bảng tính được tải về"
                         + (f" ({by}, {at[:16].replace('T', ' ')} UTC)" if by else "")
                         + " — tải bảng tính mới, chép thay đổi của bạn vào đó rồi nhập lại")
    if stale:
        raise SheetError(stale)
    too_long = [f"dòng {row_of[p['code']]} ({p['code']}): {drafts.FIELD_LABELS.get(k, k)} {msg}"
                for p in procedures for k, msg in limits.procedure_problems(p).items()]
    if too_long:
        raise SheetError(too_long)
    for p in procedures:
        drafts.put_procedure(draft, p)
    result = drafts.validate(draft.data)
    if not result.ok:
        raise SheetError([
            (f"dòng {row_of[pr.code]} ({pr.code}): " if pr.code in row_of else f"{pr.where}: ")
            + (f"{pr.field_label}: " if pr.field else "") + pr.text
            for pr in result.problems
        ])
    changes = drafts.diff(before, draft.data)
    if changes and apply:
        with edits.immediate(db):
            if drafts.load(db).data != before:  # someone saved while the sheet was being validated
                raise SheetError(["bản nháp vừa được người khác sửa trong lúc kiểm tra bảng tính — nhập lại tệp"])
            drafts.save(db, draft, user)
            drafts.audit(db, user, "import", filename[:200], {"rows": len(procedures), "changes": [c.to_json() for c in changes]}, ip)
    return ImportResult(len(procedures), changes)
