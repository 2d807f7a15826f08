"""Parse and check one procedure file: a written-up procedure, or a "not done here: go to …" redirect.

Every problem in the file is collected (with the line of its field) before the file is
given up, so a clerk sees all of a file's mistakes at once.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from knowledge import fields
from knowledge.answer import REDIRECT_WHERE_MAX
from knowledge.model import Detail, DocForm, Document, FactChange, Procedure
from knowledge.source_common import CODE_RE, Collector, dedupe, text, text_list
from knowledge.source_yaml import Located

PROCEDURE_FIELDS = set(fields.FILE_FIELDS)  # the keys a procedure file may hold (knowledge.fields)
DATE_FIELDS = fields.OPTIONAL_DATES
# Facts `kiosk content audit` compares with the national record; a national_differences
# entry "field: reason" names one of them.
NATIONAL_FIELDS = ("title", "documents", "fee", "processing_time")
SHORT_TITLE_MAX_WORDS = 8  # a choice button for an elderly reader: two lines of big type at most
DOCUMENT_FIELDS = {"name", "form", "copies", "required", "condition"}
MIN_ALIASES = 5


def parse_procedure(doc: Located, rel: str, categories: set[str], col: Collector, *,
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
        code = text(raw_code)
        if not code:
            bad("code", "thiếu mã thủ tục / missing code")
        elif not CODE_RE.match(code):
            bad("code", f"mã '{code}' sai định dạng (N.NNNNNN hoặc local.ten) / bad code format")
        elif redirect != code.startswith("redirect."):
            bad("code", "mã chỉ đường phải dạng redirect.ten và nằm trong redirects/ / redirect codes live in redirects/")
        elif Path(rel).stem != code:
            bad("code", f"tên tệp phải là mã thủ tục: {code}.yaml / file name must match the code")

    def req_text(name: str) -> str:
        v = text(d.get(name))
        if not v:
            bad(name, "thiếu hoặc để trống / missing or empty")
        return v or ""

    title = req_text("title")
    short_title = text(d.get("short_title")) or ""
    if len(short_title.split()) > SHORT_TITLE_MAX_WORDS:
        bad("short_title", f"tên ngắn tối đa {SHORT_TITLE_MAX_WORDS} từ / at most {SHORT_TITLE_MAX_WORDS} words")
    if redirect and not text(d.get("category")):
        d = {**d, "category": "khac"}
    category = req_text("category")
    if category and category not in categories:
        bad("category", f"lĩnh vực '{category}' không có trong categories.yaml / unknown category")
    handled_by = req_text("handled_by")

    for name in ("processing_time", "fee"):
        if not redirect and not text(d.get(name)):
            bad(name, "thiếu hoặc để trống / missing or empty")
    where = " ".join((text(d.get("where")) or "").split())
    if redirect and not where:
        bad("where", "chỉ đường phải ghi nơi đến / a redirect must say where to go")
    elif redirect and len(where) > REDIRECT_WHERE_MAX:
        bad("where", f"nơi đến được đọc to: tối đa {REDIRECT_WHERE_MAX} ký tự, phần còn lại ghi vào notes / "
                     f"read aloud: at most {REDIRECT_WHERE_MAX} characters, put the rest in notes")

    days = d.get("processing_days")
    if days is not None and (isinstance(days, bool) or not isinstance(days, (int, float)) or days < 0):
        bad("processing_days", "phải là số ngày làm việc ≥ 0 / must be a number ≥ 0")
    amount = d.get("fee_amount")
    if amount is not None and (isinstance(amount, bool) or not isinstance(amount, int) or amount < 0):
        bad("fee_amount", "phải là số tiền (đồng), số nguyên ≥ 0 / must be an integer ≥ 0")

    lists: dict[str, list[str]] = {}
    for name in fields.LIST_FIELDS:
        v = text_list(d.get(name))
        if v is None:
            bad(name, "phải là danh sách các dòng chữ / must be a list of text")
            v = []
        lists[name] = v
    for name in ("legal_basis", "sources") + (() if redirect else ("steps",)):
        if not lists[name]:
            bad(name, "cần ít nhất một dòng / needs at least one entry")
    if len(dedupe(lists["aliases"])) < MIN_ALIASES:
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
        doc_name = text(rd.get("name"))
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
        condition = text(rd.get("condition"))
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
        level=text(d.get("level")) or ("ngoài phường" if redirect else "xã"),
        where=text(d.get("where")) or "",
        counter=text(d.get("counter")),
        processing_time=text(d.get("processing_time")) or "",
        processing_days=float(days) if days is not None else None,
        fee=text(d.get("fee")) or "",
        fee_amount=amount,
        legal_basis=tuple(lists["legal_basis"]),
        online_url=text(d.get("online_url")),
        notes=text(d.get("notes")) or "",
        verified_on=verified_on,
        sources=tuple(lists["sources"]),
        unverified=dedupe(lists["unverified"]),
        documents=tuple(documents),
        steps=tuple(lists["steps"]),
        aliases=dedupe(lists["aliases"]),
        keywords=dedupe(lists["keywords"]),
        examples=dedupe(lists["examples"]),
        retired=retired,
        short_title=short_title,
        effective_from=dates["effective_from"],
        effective_until=dates["effective_until"],
        review_by=dates["review_by"],
        national_differences=dedupe(lists["national_differences"]),
        fact_changes=dedupe(lists["fact_changes"]),
    )
