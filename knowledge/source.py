"""Read and validate the human-editable content source (YAML + CSV in assets/content).

Validation collects *every* problem with file, line and field before giving up, so a
clerk fixes a batch of mistakes in one pass. Text is normalised to Unicode NFC on the
way in: Vietnamese keyboards on Windows often type decomposed (NFD) letters, and that
is not the clerk's problem to fix.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

from knowledge import fields
from knowledge.errors import ContentInvalid, ContentNotFound, Problem
from knowledge.source_common import CODE_RE, nfc
from knowledge.source_common import Collector as _Collector
from knowledge.source_common import dedupe as _dedupe
from knowledge.source_common import text as _text
from knowledge.source_common import text_list as _text_list
from knowledge.source_yaml import MAX_ALIASES, MAX_DEPTH, MAX_FILE_BYTES, ContentTooBig
from knowledge.source_yaml import Located as _Located
from knowledge.source_yaml import read_yaml as _read_yaml
from knowledge.model import (
    Category,
    Content,
    Counter,
    Detail,
    DocForm,
    Document,
    FactChange,
    Family,
    Notice,
    Office,
    Procedure,
)

# The names other modules import from here, wherever they now live.
__all__ = [
    "CATALOGUE_COLUMNS", "CATALOGUE_OPTIONAL", "CODE_RE", "DATE_FIELDS", "DOCUMENT_FIELDS", "FAMILY_FIELDS",
    "MAX_ALIASES", "MAX_CSV_BYTES", "MAX_CSV_ROWS", "MAX_DEPTH", "MAX_FILE_BYTES", "MIN_ALIASES",
    "NATIONAL_FIELDS", "PROCEDURE_FIELDS", "SHORT_TITLE_MAX_WORDS",
    "ContentTooBig", "load_source", "nfc", "parse_catalogue", "validate_source",
]

CATALOGUE_COLUMNS = ("code", "title", "category", "handled_by", "level", "source")
CATALOGUE_OPTIONAL = ("aliases", "short_title")  # aliases: ways people ask, separated by "|"
PROCEDURE_FIELDS = set(fields.FILE_FIELDS)  # the keys a procedure file may hold (knowledge.fields)
DATE_FIELDS = fields.OPTIONAL_DATES
# Facts `kiosk content audit` compares with the national record; a national_differences
# entry "field: reason" names one of them.
NATIONAL_FIELDS = ("title", "documents", "fee", "processing_time")
SHORT_TITLE_MAX_WORDS = 8  # a choice button for an elderly reader: two lines of big type at most
FAMILY_FIELDS = {"id", "name", "terms", "members"}
DOCUMENT_FIELDS = {"name", "form", "copies", "required", "condition"}
MIN_ALIASES = 5
# The catalogue's bounds, for the same reason as the YAML loader's (knowledge.source_yaml).
MAX_CSV_BYTES = 8 * 1024 * 1024
MAX_CSV_ROWS = 20_000


def _parse_procedure(doc: _Located, rel: str, categories: set[str], col: _Collector, *,
                     redirect: bool = False) -> Procedure | None:
    """A written-up procedure file, or (``redirect``) a "not done here: go to …" entry,
    which needs no fee, time limit or steps and may list no documents."""
    data = doc.data
    if not isinstance(data, dict):
        col.add(rel, 1, "", "tệp thủ tục phải là một bảng khóa: giá trị / must be a mapping")
        return None
    d: dict[str, Any] = data  # declared, so the nested checks below see a mapping too
    before = len(col.problems)

    def bad(fld: str, msg: str, *sub: Any) -> None:
        col.add(rel, doc.line(fld, *sub), fld + "".join(f"[{s}]" if isinstance(s, int) else f".{s}" for s in sub), msg)

    for key in d:
        if key not in PROCEDURE_FIELDS:
            import difflib

            hint = difflib.get_close_matches(str(key), PROCEDURE_FIELDS, n=1)
            bad(str(key), "trường không biết / unknown field" + (f" — ý bạn là '{hint[0]}'?" if hint else ""))

    raw_code = d.get("code")
    if isinstance(raw_code, float):
        bad("code", "mã phải đặt trong ngoặc kép, ví dụ \"1.001193\" / quote the code")
        code = None
    else:
        code = _text(raw_code)
        if not code:
            bad("code", "thiếu mã thủ tục / missing code")
        elif not CODE_RE.match(code):
            bad("code", f"mã '{code}' sai định dạng (N.NNNNNN hoặc local.ten) / bad code format")
        elif redirect != code.startswith("redirect."):
            bad("code", "mã chỉ đường phải dạng redirect.ten và nằm trong redirects/ / redirect codes live in redirects/")
        elif Path(rel).stem != code:
            bad("code", f"tên tệp phải là mã thủ tục: {code}.yaml / file name must match the code")

    def req_text(name: str) -> str:
        v = _text(d.get(name))
        if not v:
            bad(name, "thiếu hoặc để trống / missing or empty")
        return v or ""

    title = req_text("title")
    short_title = _text(d.get("short_title")) or ""
    if len(short_title.split()) > SHORT_TITLE_MAX_WORDS:
        bad("short_title", f"tên ngắn tối đa {SHORT_TITLE_MAX_WORDS} từ / at most {SHORT_TITLE_MAX_WORDS} words")
    if redirect and not _text(d.get("category")):
        d = {**d, "category": "khac"}
    category = req_text("category")
    if category and category not in categories:
        bad("category", f"lĩnh vực '{category}' không có trong categories.yaml / unknown category")
    handled_by = req_text("handled_by")

    for name in ("processing_time", "fee"):
        if not redirect and not _text(d.get(name)):
            bad(name, "thiếu hoặc để trống / missing or empty")
    if redirect and not _text(d.get("where")):
        bad("where", "chỉ đường phải ghi nơi đến / a redirect must say where to go")

    days = d.get("processing_days")
    if days is not None and (isinstance(days, bool) or not isinstance(days, (int, float)) or days < 0):
        bad("processing_days", "phải là số ngày làm việc ≥ 0 / must be a number ≥ 0")
    amount = d.get("fee_amount")
    if amount is not None and (isinstance(amount, bool) or not isinstance(amount, int) or amount < 0):
        bad("fee_amount", "phải là số tiền (đồng), số nguyên ≥ 0 / must be an integer ≥ 0")

    lists: dict[str, list[str]] = {}
    for name in fields.LIST_FIELDS:
        v = _text_list(d.get(name))
        if v is None:
            bad(name, "phải là danh sách các dòng chữ / must be a list of text")
            v = []
        lists[name] = v
    for name in ("legal_basis", "sources") + (() if redirect else ("steps",)):
        if not lists[name]:
            bad(name, "cần ít nhất một dòng / needs at least one entry")
    if len(_dedupe(lists["aliases"])) < MIN_ALIASES:
        bad("aliases", f"cần ít nhất {MIN_ALIASES} cách hỏi khác nhau / needs at least {MIN_ALIASES} distinct phrasings")
    for i, name in enumerate(lists["unverified"]):
        if name not in PROCEDURE_FIELDS:
            bad("unverified", f"'{name}' không phải tên trường / not a field name", i)
    for i, line in enumerate(lists["national_differences"]):
        fld, sep, why = line.partition(":")
        if not sep or fld.strip() not in NATIONAL_FIELDS or not why.strip():
            bad("national_differences", f"mỗi dòng dạng 'trường: lý do', trường là {', '.join(NATIONAL_FIELDS)} / "
                "each entry is 'field: reason'", i)
    for i, line in enumerate(lists["fact_changes"]):
        change = FactChange.parse(line)
        if change is None or change.field not in PROCEDURE_FIELDS:
            bad("fact_changes", "mỗi dòng dạng 'YYYY-MM-DD trường: điều thay đổi' / each entry is "
                "'YYYY-MM-DD field: what changes'", i)
            continue
        try:
            dt.date.fromisoformat(change.date)
        except ValueError:
            bad("fact_changes", "ngày phải dạng YYYY-MM-DD / date must be YYYY-MM-DD", i)
    if code and code.startswith("local.") and "code" not in lists["unverified"]:
        bad("unverified", "mã local.* phải ghi 'code' trong unverified / local codes must be marked unverified")

    verified_on = d.get("verified_on")
    if isinstance(verified_on, dt.date):
        verified_on = verified_on.isoformat()
    elif isinstance(verified_on, str):
        try:
            verified_on = dt.date.fromisoformat(verified_on.strip()).isoformat()
        except ValueError:
            bad("verified_on", "ngày phải dạng YYYY-MM-DD / date must be YYYY-MM-DD")
    else:
        bad("verified_on", "thiếu ngày kiểm tra (YYYY-MM-DD) / missing date")
        verified_on = None

    dates: dict[str, str | None] = {}
    for name in DATE_FIELDS:
        v = d.get(name)
        if isinstance(v, dt.date):
            dates[name] = v.isoformat()
        elif v is None or (isinstance(v, str) and not v.strip()):
            dates[name] = None
        else:
            try:
                dates[name] = dt.date.fromisoformat(str(v).strip()).isoformat()
            except ValueError:
                bad(name, "ngày phải dạng YYYY-MM-DD / date must be YYYY-MM-DD")
                dates[name] = None
    if dates["effective_from"] and dates["effective_until"] and dates["effective_from"] > dates["effective_until"]:
        bad("effective_until", "ngày hết hiệu lực trước ngày có hiệu lực / ends before it starts")

    documents: list[Document] = []
    raw_docs = d.get("documents")
    if redirect and (raw_docs is None or raw_docs == []):
        raw_docs = []  # a redirect may name no documents; the export writes that as `documents: []`
    elif not isinstance(raw_docs, list) or not raw_docs:
        bad("documents", "cần ít nhất một giấy tờ / needs at least one document")
        raw_docs = []
    for i, rd in enumerate(raw_docs):
        if not isinstance(rd, dict):
            bad("documents", "mỗi giấy tờ là một bảng có 'name' / each document needs a name", i)
            continue
        for key in rd:
            if key not in DOCUMENT_FIELDS:
                bad("documents", f"trường không biết '{key}' / unknown field", i, key)
        doc_name = _text(rd.get("name"))
        if not doc_name:
            bad("documents", "thiếu tên giấy tờ / missing name", i, "name")
        form = rd.get("form", "original")
        try:
            form = DocForm(form)
        except ValueError:
            bad("documents", f"'{form}' không hợp lệ: original | copy | either | present", i, "form")
            form = DocForm.ORIGINAL
        copies = rd.get("copies", 1)
        if isinstance(copies, bool) or not isinstance(copies, int) or copies < 1:
            bad("documents", "số bản phải là số nguyên ≥ 1 / copies must be an integer ≥ 1", i, "copies")
            copies = 1
        required = rd.get("required", True)
        if not isinstance(required, bool):
            bad("documents", "required phải là true hoặc false", i, "required")
            required = True
        condition = _text(rd.get("condition"))
        if not required and not condition:
            bad("documents", "giấy tờ không bắt buộc phải ghi điều kiện (condition) / optional document needs a condition", i, "condition")
        documents.append(Document(doc_name or "", form, copies, required, condition))

    retired = d.get("retired", False)
    if not isinstance(retired, bool):
        bad("retired", "phải là true hoặc false")
        retired = False

    if len(col.problems) > before:
        return None
    return Procedure(
        code=code or "",
        title=title,
        category=category,
        handled_by=handled_by,
        detail=Detail.REDIRECT if redirect else Detail.FULL,
        level=_text(d.get("level")) or ("ngoài phường" if redirect else "xã"),
        where=_text(d.get("where")) or "",
        counter=_text(d.get("counter")),
        processing_time=_text(d.get("processing_time")) or "",
        processing_days=float(days) if days is not None else None,
        fee=_text(d.get("fee")) or "",
        fee_amount=amount,
        legal_basis=tuple(lists["legal_basis"]),
        online_url=_text(d.get("online_url")),
        notes=_text(d.get("notes")) or "",
        verified_on=verified_on,
        sources=tuple(lists["sources"]),
        unverified=_dedupe(lists["unverified"]),
        documents=tuple(documents),
        steps=tuple(lists["steps"]),
        aliases=_dedupe(lists["aliases"]),
        keywords=_dedupe(lists["keywords"]),
        examples=_dedupe(lists["examples"]),
        retired=retired,
        short_title=short_title,
        effective_from=dates["effective_from"],
        effective_until=dates["effective_until"],
        review_by=dates["review_by"],
        national_differences=_dedupe(lists["national_differences"]),
        fact_changes=_dedupe(lists["fact_changes"]),
    )


def _parse_families(doc: _Located, rel: str, codes: set[str], col: _Collector) -> list[Family]:
    out: list[Family] = []
    data = doc.data or []
    if not isinstance(data, list):
        col.add(rel, 1, "", "phải là danh sách nhóm thủ tục / must be a list")
        return out
    seen: set[str] = set()
    for i, f in enumerate(data):
        if not isinstance(f, dict):
            col.add(rel, doc.line(i), f"[{i}]", "mỗi nhóm là một bảng có id, name, terms, members / must be a mapping")
            continue
        for key in f:
            if key not in FAMILY_FIELDS:
                col.add(rel, doc.line(i, key), f"[{i}].{key}", "trường không biết / unknown field")
        fid, name = _text(f.get("id")), _text(f.get("name"))
        terms, members = _text_list(f.get("terms")), _text_list(f.get("members"))
        ok = bool(fid and name and terms and members and len(members) >= 2)
        if not ok:
            col.add(rel, doc.line(i), f"[{i}]", "nhóm cần id, name, terms và ít nhất 2 members / needs id, name, terms, ≥ 2 members")
            continue
        if fid in seen:
            col.add(rel, doc.line(i, "id"), f"[{i}].id", f"trùng nhóm '{fid}' / duplicate family")
        seen.add(fid or "")
        for j, m in enumerate(members or ()):
            if m not in codes:
                col.add(rel, doc.line(i, "members", j), f"[{i}].members", f"không có thủ tục mã {m} / unknown procedure code")
        out.append(Family(fid or "", name or "", _dedupe(terms or ()), _dedupe(members or ())))
    return out


def _parse_categories(doc: _Located, rel: str, col: _Collector) -> list[Category]:
    out: list[Category] = []
    if not isinstance(doc.data, list):
        col.add(rel, 1, "", "phải là danh sách lĩnh vực / must be a list")
        return out
    seen: set[str] = set()
    for i, c in enumerate(doc.data):
        if not isinstance(c, dict) or not _text(c.get("code")) or not _text(c.get("name")):
            col.add(rel, doc.line(i), f"[{i}]", "mỗi lĩnh vực cần code và name / needs code and name")
            continue
        code = _text(c["code"]) or ""
        if code in seen:
            col.add(rel, doc.line(i, "code"), f"[{i}].code", f"trùng mã lĩnh vực '{code}' / duplicate")
        seen.add(code)
        out.append(Category(code, _text(c["name"]) or "", i, _text(c.get("icon")), _text(c.get("description")) or ""))
    return out


def _parse_office(doc: _Located, rel: str, categories: set[str], col: _Collector) -> Office | None:
    d = doc.data
    if not isinstance(d, dict):
        col.add(rel, 1, "", "phải là một bảng / must be a mapping")
        return None
    ok = True
    for name in ("name", "address", "hours"):
        if not _text(d.get(name)):
            col.add(rel, doc.line(name), name, "thiếu hoặc để trống / missing or empty")
            ok = False
    counters: list[Counter] = []
    for i, c in enumerate(d.get("counters") or []):
        if not isinstance(c, dict) or not _text(c.get("number")) or not _text(c.get("name")):
            col.add(rel, doc.line("counters", i), f"counters[{i}]", "quầy cần number và name / needs number and name")
            ok = False
            continue
        cats = _text_list(c.get("categories")) or []
        for j, cat in enumerate(cats):
            if cat not in categories:
                col.add(rel, doc.line("counters", i, "categories", j), f"counters[{i}].categories", f"lĩnh vực '{cat}' không có / unknown category")
                ok = False
        counters.append(Counter(_text(c["number"]) or "", _text(c["name"]) or "", tuple(cats)))
    if not ok:
        return None
    return Office(
        name=_text(d["name"]) or "",
        address=_text(d["address"]) or "",
        hours=_text(d["hours"]) or "",
        hotline=_text(d.get("hotline")) or "",
        counters=tuple(counters),
        help_counter=_text(d.get("help_counter")),
    )


def _parse_notices(doc: _Located, rel: str, col: _Collector) -> list[Notice]:
    out: list[Notice] = []
    data = doc.data or []
    if not isinstance(data, list):
        col.add(rel, 1, "", "phải là danh sách / must be a list")
        return out
    for i, n in enumerate(data):
        if not isinstance(n, dict) or not _text(n.get("title")) or not _text(n.get("body")):
            col.add(rel, doc.line(i), f"[{i}]", "thông báo cần title và body / needs title and body")
            continue
        dates = []
        for key in ("valid_from", "valid_to"):
            v = n.get(key)
            dates.append(v.isoformat() if isinstance(v, dt.date) else _text(v))
        out.append(Notice(_text(n["title"]) or "", _text(n["body"]) or "", *dates))
    return out


def parse_catalogue(text: str, rel: str, categories: set[str], col: _Collector) -> list[Procedure]:
    out: list[Procedure] = []
    reader = csv.DictReader(io.StringIO(text))
    header = tuple(reader.fieldnames or ())
    if header[: len(CATALOGUE_COLUMNS)] != CATALOGUE_COLUMNS:
        col.add(rel, 1, "", f"dòng tiêu đề phải là {','.join(CATALOGUE_COLUMNS)} / bad header")
        return out
    seen: dict[str, int] = {}
    rows = iter(reader)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            break
        except csv.Error:  # a cell over csv's 131,072-character limit, a NUL byte
            col.add(rel, reader.line_num, "", "ô quá dài hoặc có ký tự lạ / cell too long or has a NUL byte")
            return out
        line = reader.line_num
        if line > MAX_CSV_ROWS:
            col.add(rel, line, "", f"quá {MAX_CSV_ROWS} dòng / too many rows")
            return out
        code = nfc(row.get("code") or "")
        title = nfc(row.get("title") or "")
        category = nfc(row.get("category") or "")
        handled_by = nfc(row.get("handled_by") or "")
        ok = True
        if not CODE_RE.match(code):
            col.add(rel, line, "code", f"mã '{code}' sai định dạng / bad code format")
            ok = False
        elif code in seen:
            col.add(rel, line, "code", f"trùng mã {code} (đã có ở dòng {seen[code]}) / duplicate code")
            ok = False
        if not title:
            col.add(rel, line, "title", "thiếu tên thủ tục / missing title")
            ok = False
        if category not in categories:
            col.add(rel, line, "category", f"lĩnh vực '{category}' không có / unknown category")
            ok = False
        if not handled_by:
            col.add(rel, line, "handled_by", "thiếu cơ quan giải quyết / missing")
            ok = False
        if ok:
            seen[code] = line
            out.append(
                Procedure(
                    code=code,
                    title=title,
                    category=category,
                    handled_by=handled_by,
                    detail=Detail.BRIEF,
                    level=nfc(row.get("level") or "") or "xã",
                    sources=(nfc(row["source"]),) if row.get("source") else (),
                    aliases=_dedupe(a for a in (nfc(x) for x in (row.get("aliases") or "").split("|")) if a),
                    short_title=nfc(row.get("short_title") or ""),
                )
            )
    return out


def load_source(content_dir: str | Path) -> Content:
    """Load and validate the whole content source; raise ContentInvalid listing every problem."""
    root = Path(content_dir)
    if not root.is_dir():
        raise ContentNotFound(f"không thấy thư mục nội dung / content directory not found: {root}")
    col = _Collector()

    categories: list[Category] = []
    cat_path = root / "categories.yaml"
    if not cat_path.is_file():
        col.add("categories.yaml", None, "", "thiếu tệp / file missing")
    elif (doc := _read_yaml(cat_path, root, col)) is not None:
        categories = _parse_categories(doc, "categories.yaml", col)
    cat_codes = {c.code for c in categories}

    office = None
    office_path = root / "office.yaml"
    if not office_path.is_file():
        col.add("office.yaml", None, "", "thiếu tệp / file missing")
    elif (doc := _read_yaml(office_path, root, col)) is not None:
        office = _parse_office(doc, "office.yaml", cat_codes, col)

    notices: list[Notice] = []
    if (root / "notices.yaml").is_file() and (doc := _read_yaml(root / "notices.yaml", root, col)) is not None:
        notices = _parse_notices(doc, "notices.yaml", col)

    procedures: dict[str, Procedure] = {}
    origin: dict[str, str] = {}
    # Written-up procedures, then redirects ("not done here: go to …"): one code space.
    for folder, redirect in (("procedures", False), ("redirects", True)):
        for path in sorted((root / folder).glob("*.y*ml")):
            rel = str(path.relative_to(root))
            doc = _read_yaml(path, root, col)
            if doc is None:
                continue
            p = _parse_procedure(doc, rel, cat_codes, col, redirect=redirect)
            if p is None:
                continue
            if p.code in procedures:
                col.add(rel, doc.line("code"), "code", f"trùng mã {p.code} với {origin[p.code]} / duplicate code")
                continue
            procedures[p.code] = p
            origin[p.code] = rel

    cat_file = root / "catalogue.csv"
    if cat_file.is_file() and cat_file.stat().st_size > MAX_CSV_BYTES:
        col.add("catalogue.csv", None, "", f"tệp quá lớn (tối đa {MAX_CSV_BYTES // 1024 // 1024} MB) / file too large")
    elif cat_file.is_file():
        try:
            text = cat_file.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            col.add("catalogue.csv", None, "", "tệp không phải UTF-8 / not UTF-8")
        else:
            for p in parse_catalogue(text, "catalogue.csv", cat_codes, col):
                procedures.setdefault(p.code, p)  # a written-up file wins over its catalogue row

    families: list[Family] = []
    if (root / "families.yaml").is_file() and (doc := _read_yaml(root / "families.yaml", root, col)) is not None:
        families = _parse_families(doc, "families.yaml", set(procedures), col)

    if not any(p.detail is Detail.FULL for p in procedures.values()) and not col.problems:
        col.add("procedures/", None, "", "chưa có thủ tục nào / no procedures")
    if col.problems or office is None:
        raise ContentInvalid(col.problems)
    ordered = sorted(procedures.values(), key=lambda p: (p.detail is not Detail.FULL, p.code))
    return Content(tuple(ordered), tuple(categories), office, tuple(notices), tuple(families))


def validate_source(content_dir: str | Path) -> list[Problem]:
    try:
        load_source(content_dir)
    except ContentInvalid as exc:
        return exc.problems
    return []
