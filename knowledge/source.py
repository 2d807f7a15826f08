"""Read and validate the human-editable content source (YAML + CSV in assets/content).

Validation collects *every* problem with file, line and field before giving up, so a
clerk fixes a batch of mistakes in one pass. Text is normalised to Unicode NFC on the
way in: Vietnamese keyboards on Windows often type decomposed (NFD) letters, and that
is not the clerk's problem to fix.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from knowledge.errors import ContentInvalid, ContentNotFound, Problem
from knowledge.source_common import CODE_RE, nfc
from knowledge.source_common import Collector as _Collector
from knowledge.source_common import dedupe as _dedupe
from knowledge.source_common import text as _text
from knowledge.source_common import text_list as _text_list
from knowledge.source_yaml import MAX_ALIASES, MAX_DEPTH, MAX_FILE_BYTES, ContentTooBig
from knowledge.source_yaml import Located as _Located
from knowledge.source_yaml import read_yaml as _read_yaml
from knowledge.source_procedure import (
    DATE_FIELDS,
    DOCUMENT_FIELDS,
    MIN_ALIASES,
    NATIONAL_FIELDS,
    PROCEDURE_FIELDS,
    SHORT_TITLE_MAX_WORDS,
)
from knowledge.source_procedure import parse_procedure as _parse_procedure
from knowledge.source_catalogue import (
    CATALOGUE_COLUMNS,
    CATALOGUE_OPTIONAL,
    MAX_CSV_BYTES,
    MAX_CSV_ROWS,
    parse_catalogue,
    read_catalogue,
)
from knowledge.model import (
    Category,
    Content,
    Counter,
    Detail,
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

FAMILY_FIELDS = {"id", "name", "terms", "members"}



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

    for p in read_catalogue(root, cat_codes, col):
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
