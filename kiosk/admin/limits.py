"""Size limits on everything staff can put into the content, checked before any parser runs.

The admin runs on the kiosk PC (2 cores, a few GB of RAM): a spreadsheet whose 100 kB
zip inflates to 100 MB, or a sheet that claims 16,384 columns, used to freeze it for
minutes. Every entry point (edit form, office/notices form, XLSX, CSV) is checked
against these limits first, and a file over a limit is refused whole with one clear
message, nothing changed.

The field limits are a few times the longest value in the shipped content (measured on
assets/content, 356 procedures, 2026-12-02: title 919 characters, notes 949, one
document line 388, fee 320, at most 10 aliases / 10 documents per procedure), so no
real text is near them.
"""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import Any

from knowledge import fields

# ---- files ------------------------------------------------------------------------------------
MAX_UPLOAD = 5 * 1024 * 1024  # bytes of the file as uploaded
# The whole shipped content exported as XLSX inflates to 0.7 MB (sheet1.xml 682 kB for
# 356 rows), so 5,000 rows stay under ~10 MB: 32 MB per part, 48 MB in all leave room.
MAX_XLSX_PART = 32 * 1024 * 1024
MAX_XLSX_TOTAL = 48 * 1024 * 1024
MAX_XLSX_ENTRIES = 200  # a workbook saved by Excel/LibreOffice has ~10–30 parts
MAX_ROWS = 5000  # procedures per sheet (the national list for a ward is < 2,000)
MAX_COLUMNS = 60  # the export has 23; a few spare columns a clerk added are tolerated
MAX_CELL = 32_767  # Excel's own limit for one cell

# ---- fields (characters) ----------------------------------------------------------------------
LINE = 2000  # any single-line field not listed below
FIELD_MAX = fields.VALUE_LIMITS  # per procedure field, declared with the field (knowledge.fields)
ITEM_MAX = 2000  # one entry of a list field (legal basis, step, alias…) or one document's name/condition
LIST_MAX = fields.LIST_LIMITS
OFFICE_MAX = {"name": 300, "address": 500, "hours": 500, "hotline": 50, "help_counter": 50}
COUNTERS_MAX = 100
LOBBY_MAX = 100  # lobby topics (office.yaml ``lobby``)
LOBBY_ANSWER_MAX = 1000
NOTICES_MAX = 50
NOTICE_TITLE_MAX = 300
NOTICE_BODY_MAX = 4000

TOO_BIG = "Tệp quá lớn hoặc quá nhiều dòng/cột để nhập an toàn"


class TooBig(ValueError):
    """A file over a limit; ``str()`` is the one-line Vietnamese message for the clerk."""


@dataclass(frozen=True)
class SheetLimits:
    """Limits of one sheet (rows, columns, characters in a cell)."""

    rows: int = MAX_ROWS
    columns: int = MAX_COLUMNS
    cell: int = MAX_CELL


def _fmt(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def check_upload(raw: bytes) -> None:
    """TooBig when the uploaded file is over MAX_UPLOAD."""
    if len(raw) > MAX_UPLOAD:
        raise TooBig(f"{TOO_BIG}: tệp {_fmt(len(raw) // 1024)} kB, tối đa {MAX_UPLOAD // 1024 // 1024} MB.")


def check_xlsx_zip(raw: bytes) -> None:
    """Refuse a workbook by its zip directory alone, before openpyxl decompresses anything.

    The sizes in the directory are binding: Python's zipfile never returns more bytes
    than an entry's declared ``file_size`` (and fails the CRC if the data differs), so
    a part that lies about its size cannot inflate past what is checked here.
    """
    try:
        zf = zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise TooBig("Không đọc được tệp XLSX (tệp hỏng hoặc không phải Excel .xlsx).") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_XLSX_ENTRIES:
            raise TooBig(f"{TOO_BIG}: tệp XLSX có {_fmt(len(infos))} phần (tối đa {MAX_XLSX_ENTRIES}).")
        total = 0
        for info in infos:
            if info.file_size > MAX_XLSX_PART:
                raise TooBig(f"{TOO_BIG}: phần '{info.filename[:60]}' khi giải nén là "
                             f"{_fmt(info.file_size // 1024 // 1024)} MB (tối đa {MAX_XLSX_PART // 1024 // 1024} MB).")
            total += info.file_size
        if total > MAX_XLSX_TOTAL:
            raise TooBig(f"{TOO_BIG}: giải nén ra {_fmt(total // 1024 // 1024)} MB "
                         f"(tối đa {MAX_XLSX_TOTAL // 1024 // 1024} MB).")


def check_row(r: int, values: list[Any], limits: SheetLimits = SheetLimits()) -> None:
    """One sheet row (1-based ``r``): not past the last allowed row, column or cell length."""
    if r > limits.rows + 1 and any(v not in (None, "") for v in values):
        raise TooBig(f"{TOO_BIG}: quá {_fmt(limits.rows)} dòng thủ tục.")
    if len(values) > limits.columns and any(v not in (None, "") for v in values[limits.columns:]):
        raise TooBig(f"{TOO_BIG}: dòng {r} có dữ liệu ở cột thứ {limits.columns + 1} trở đi "
                     f"(tối đa {limits.columns} cột).")
    for c, v in enumerate(values, 1):
        if isinstance(v, str) and len(v) > limits.cell:
            raise TooBig(f"{TOO_BIG}: ô ở dòng {r}, cột {c} dài {_fmt(len(v))} ký tự (tối đa {_fmt(limits.cell)}).")


# ---- fields -----------------------------------------------------------------------------------
def _too_long(n: int, limit: int) -> str:
    return f"quá dài: {_fmt(n)} ký tự, tối đa {_fmt(limit)}"


def _url_problem(url: str) -> str | None:
    from printing.urls import url_problem  # the slip's own rule, so the admin and the printer agree

    return url_problem(url)


def procedure_problems(p: dict[str, Any]) -> dict[str, str]:
    """Field → message for every field of a procedure dict over its limit (empty when all fit)."""
    out: dict[str, str] = {}
    for key, value in p.items():
        if isinstance(value, str):
            limit = FIELD_MAX.get(key, LINE)
            if len(value) > limit:
                out[key] = _too_long(len(value), limit)
            elif key == "online_url" and value.strip() and (problem := _url_problem(value)):
                out[key] = problem  # it becomes the QR code on the slip
        elif isinstance(value, (list, tuple)) and key in LIST_MAX:
            if len(value) > LIST_MAX[key]:
                out[key] = f"quá nhiều dòng: {len(value)}, tối đa {LIST_MAX[key]}"
                continue
            for i, item in enumerate(value):
                texts = [item] if isinstance(item, str) else [
                    v for v in (item or {}).values() if isinstance(v, str)] if isinstance(item, dict) else []
                longest = max((len(t) for t in texts), default=0)
                if longest > ITEM_MAX:
                    out[key] = f"dòng {i + 1} {_too_long(longest, ITEM_MAX)}"
                    break
    return out


def office_problems(office: dict[str, Any]) -> list[str]:
    """One line per office field or counter over its length limit (or too many counters)."""
    out = []
    for key, limit in OFFICE_MAX.items():
        v = office.get(key)
        if isinstance(v, str) and len(v) > limit:
            out.append(f"Trụ sở: {key} {_too_long(len(v), limit)}")
    counters = office.get("counters") or []
    if len(counters) > COUNTERS_MAX:
        out.append(f"Trụ sở: quá nhiều quầy ({len(counters)}, tối đa {COUNTERS_MAX})")
    for i, c in enumerate(counters, 1):
        for k in ("number", "name"):
            v = c.get(k) or ""
            if len(v) > OFFICE_MAX["name"]:
                out.append(f"Quầy {i}: {k} {_too_long(len(v), OFFICE_MAX['name'])}")
    lobby = office.get("lobby") or []
    if len(lobby) > LOBBY_MAX:
        out.append(f"Trụ sở: quá nhiều câu hỏi về trụ sở ({len(lobby)}, tối đa {LOBBY_MAX})")
    for i, t in enumerate(lobby, 1):
        if len(t.get("title") or "") > OFFICE_MAX["name"]:
            out.append(f"Câu hỏi về trụ sở {i}: tiêu đề {_too_long(len(t['title']), OFFICE_MAX['name'])}")
        if len(t.get("answer") or "") > LOBBY_ANSWER_MAX:
            out.append(f"Câu hỏi về trụ sở {i}: câu trả lời {_too_long(len(t['answer']), LOBBY_ANSWER_MAX)}")
        phrases = t.get("phrases") or []
        if len(phrases) > LIST_MAX.get("aliases", 200) or any(len(p) > OFFICE_MAX["name"] for p in phrases):
            out.append(f"Câu hỏi về trụ sở {i}: quá nhiều hoặc quá dài cách hỏi")
    return out


def notices_problems(notices: list[dict[str, Any]]) -> list[str]:
    """One line per notice title or body over its length limit (or too many notices)."""
    out = []
    if len(notices) > NOTICES_MAX:
        out.append(f"Quá nhiều thông báo ({len(notices)}, tối đa {NOTICES_MAX})")
    for i, n in enumerate(notices, 1):
        for k, limit in (("title", NOTICE_TITLE_MAX), ("body", NOTICE_BODY_MAX)):
            v = n.get(k) or ""
            if len(v) > limit:
                out.append(f"Thông báo {i}: {'tiêu đề' if k == 'title' else 'nội dung'} {_too_long(len(v), limit)}")
    return out


_CELL_REF = __import__("re").compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,3})[0-9]+"')


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def check_xlsx_columns(raw: bytes, part: str, columns: int = MAX_COLUMNS) -> None:
    """A cell past the last allowed column anywhere in the sheet (openpyxl, told to stop at the
    limit, would silently drop it). Run after check_xlsx_zip, so the part is of bounded size."""
    with zipfile.ZipFile(io.BytesIO(raw)) as zf:
        try:
            xml = zf.read(part.lstrip("/"))
        except KeyError:
            return
    for m in _CELL_REF.finditer(xml):
        if len(m.group(1)) > 1 and _column_number(m.group(1)) > columns:
            raise TooBig(f"{TOO_BIG}: có dữ liệu ở cột {m.group(1).decode()} (tối đa {columns} cột).")
