"""HTML form fields ⇄ content dicts, with the clean-up a clerk should never have to think about.

Text is stored as Unicode NFC (Vietnamese keyboards on Windows may type decomposed
letters), control and bidi-override characters are dropped, and single-line fields
have their whitespace collapsed. Type errors (a fee amount that is not a number) are
reported per field; content rules (at least five aliases…) are left to the
content-source validation in kiosk.admin.draft.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from knowledge import fields
from knowledge.model import Detail, DocForm
from knowledge.source import CODE_RE

if TYPE_CHECKING:  # draft imports much of the admin; forms only needs its type
    from kiosk.admin.draft import Draft

_BIDI = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f"))
_SPACES = re.compile(r"\s+")

DOC_FORM_LABEL = {f.value: f.label for f in DocForm}  # the one wording (knowledge.model.FORM_LABEL), by stored value
LEVELS = ("xã", "tỉnh", "trung ương")
# The edit form's inputs and the "not yet confirmed" boxes, from the one declaration (knowledge.fields).
LIST_FIELDS = fields.names(where=lambda f: f.form == "list")
TEXT_FIELDS = fields.names(where=lambda f: f.form == "text")
UNVERIFIABLE = fields.names(where=lambda f: f.verifiable)


def _drop_controls(text: str, keep_newlines: bool) -> str:
    text = unicodedata.normalize("NFC", text).translate(_BIDI)
    keep = {"\n", "\t"} if keep_newlines else set()
    return "".join(ch for ch in text if ch in keep or unicodedata.category(ch) != "Cc")


def clean_line(value: Any) -> str:
    """One line: NFC, no control characters, single spaces."""
    if value is None:
        return ""
    return _SPACES.sub(" ", _drop_controls(str(value).replace("\r", " ").replace("\n", " "), False)).strip()


def clean_block(value: Any) -> str:
    """Several lines (notes, notice text): NFC, CRLF → LF, no other control characters."""
    if value is None:
        return ""
    text = _drop_controls(str(value).replace("\r\n", "\n").replace("\r", "\n"), True).replace("\t", " ")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


def clean_lines(value: Any) -> list[str]:
    """A textarea with one entry per line → the non-empty lines."""
    return [ln for ln in (clean_line(x) for x in clean_block(value).split("\n")) if ln]


def parse_amount(text: str) -> int:
    """'8.000', '8 000', '8,000 đồng', '8000' → 8000 (VND has no decimals)."""
    t = text.lower().replace("đồng", "").replace("đ", "").replace("vnd", "").strip()
    t = re.sub(r"[\s.,]", "", t) if re.fullmatch(r"\d{1,3}([.,\s]\d{3})+|\d+", t) else t
    if not t.isdigit():
        raise ValueError(text)
    return int(t)


def parse_days(text: str) -> float:
    v = float(text.replace(",", "."))
    if v < 0 or v != v:
        raise ValueError(text)
    return v


def fmt_number(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def valid_code(code: str) -> bool:
    return bool(CODE_RE.match(code))


# ---- a procedure's edit form ------------------------------------------------------------------
@dataclass
class ProcedureForm:
    """The raw values of the edit form (strings), so a form with a mistake is shown back as typed."""

    code: str
    detail: str = Detail.FULL.value
    values: dict[str, str] = field(default_factory=dict)
    unverified: list[str] = field(default_factory=list)
    retired: bool = False
    documents: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def from_procedure(cls, p: dict[str, Any]) -> "ProcedureForm":
        values = {k: "" if p.get(k) is None else str(p.get(k)) for k in TEXT_FIELDS}
        values["notes"] = p.get("notes") or ""
        values["processing_days"] = fmt_number(p.get("processing_days"))
        values["fee_amount"] = fmt_number(p.get("fee_amount"))
        for k in LIST_FIELDS:
            values[k] = "\n".join(p.get(k) or ())
        docs = [{"name": d.get("name") or "", "form": d.get("form") or "original", "copies": str(d.get("copies", 1)),
                 "required": bool(d.get("required", True)), "condition": d.get("condition") or ""}
                for d in p.get("documents") or ()]
        return cls(p["code"], p.get("detail", Detail.FULL.value), values, list(p.get("unverified") or ()), bool(p.get("retired")), docs)

    @classmethod
    def from_post(cls, code: str, detail: str, form: Any) -> "ProcedureForm":
        values = {k: str(form.get(k) or "") for k in (*TEXT_FIELDS, "notes", "processing_days", "fee_amount", *LIST_FIELDS)}
        # a place in words (knowledge.model.Office.place_of) is typed beside the counters' list
        if str(form.get("counter_place") or "").strip():
            values["counter"] = str(form.get("counter_place"))
        try:
            n = min(int(form.get("doc_count") or 0), 200)
        except ValueError:
            n = 0
        docs = []
        for i in range(n):
            docs.append({
                "name": str(form.get(f"doc-{i}-name") or ""), "form": str(form.get(f"doc-{i}-form") or "original"),
                "copies": str(form.get(f"doc-{i}-copies") or "1"), "required": form.get(f"doc-{i}-required") == "1",
                "condition": str(form.get(f"doc-{i}-condition") or ""),
            })
        return cls(code, detail, values, [str(x) for x in form.getlist("unverified")], form.get("retired") == "1", docs)

    def apply(self, action: str) -> bool:
        """Document row actions: doc-add, doc-del-N, doc-up-N, doc-down-N. True when one applied."""
        if action == "doc-add":
            self.documents.append({"name": "", "form": "original", "copies": "1", "required": True, "condition": ""})
            return True
        m = re.fullmatch(r"doc-(del|up|down)-(\d+)", action or "")
        if not m:
            return False
        op, i = m.group(1), int(m.group(2))
        docs = self.documents
        if not 0 <= i < len(docs):
            return False
        if op == "del":
            del docs[i]
        elif op == "up" and i > 0:
            docs[i - 1], docs[i] = docs[i], docs[i - 1]
        elif op == "down" and i < len(docs) - 1:
            docs[i + 1], docs[i] = docs[i], docs[i + 1]
        return True

    def to_procedure(self, base: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
        """The procedure dict (starting from ``base``, the draft's copy) and per-field errors."""
        errors: dict[str, str] = {}
        v = self.values
        p = dict(base)
        p["code"] = self.code
        for k in ("title", "category", "handled_by"):
            p[k] = clean_line(v.get(k))
        p["level"] = clean_line(v.get("level")) or "xã"
        if self.detail == Detail.BRIEF:
            src = clean_line(v.get("sources"))
            p["sources"] = [src] if src else []
            for k in ("aliases", "examples"):  # how people ask: the catalogue's optional columns
                p[k] = clean_lines(v.get(k))
            return p, errors
        for k in ("where", "processing_time", "fee", "verified_on"):
            p[k] = clean_line(v.get(k))
        p["verified_on"] = p["verified_on"] or None
        p["counter"] = clean_line(v.get("counter")) or None
        p["online_url"] = clean_line(v.get("online_url")) or None
        p["notes"] = clean_block(v.get("notes"))
        for k in LIST_FIELDS:
            p[k] = clean_lines(v.get(k))
        p["unverified"] = [x for x in dict.fromkeys(clean_line(u) for u in self.unverified) if x]
        p["retired"] = self.retired
        for k, parse in (("processing_days", parse_days), ("fee_amount", parse_amount)):
            raw = clean_line(v.get(k))
            try:
                p[k] = parse(raw) if raw else None
            except ValueError:
                errors[k] = "phải là một số (để trống nếu không quy đổi được)"
                p[k] = None
        docs = []
        for i, d in enumerate(self.documents):
            name, cond = clean_line(d["name"]), clean_line(d["condition"])
            if not name and not cond:
                continue  # an empty row is dropped
            form = d["form"] if d["form"] in DOC_FORM_LABEL else "original"
            try:
                copies = int(clean_line(d["copies"]) or "1")
                if copies < 1:
                    raise ValueError
            except ValueError:
                errors[f"doc-{i}-copies"] = "số bản phải là số nguyên ≥ 1"
                copies = 1
            docs.append({"name": name, "form": form, "copies": copies, "required": bool(d["required"]),
                         "condition": cond or None})
        p["documents"] = docs
        return p, errors


def new_procedure(code: str, title: str, category: str) -> dict[str, Any]:
    """A written-up procedure skeleton; validation lists what is still missing."""
    return {
        "code": code, "title": title, "category": category, "handled_by": "UBND cấp xã", "detail": Detail.FULL.value,
        "level": "xã", "where": "", "counter": None, "processing_time": "", "processing_days": None, "fee": "",
        "fee_amount": None, "legal_basis": [], "online_url": None, "notes": "", "verified_on": None, "sources": [],
        "unverified": ["code"] if code.startswith("local.") else [], "documents": [], "steps": [], "aliases": [],
        "keywords": [], "retired": False,
    }


def new_procedure_errors(values: dict[str, str], draft: Draft) -> dict[str, str]:
    """The new-procedure form's problems (code shape, code taken, title, category), by field; shared by ward and hub."""
    errors = {}
    if not valid_code(values["code"]):
        errors["code"] = "Mã dạng N.NNNNNN (ví dụ 1.001193), hoặc local.ten-ngan khi chưa tra được mã quốc gia."
    elif draft.procedure(values["code"]):
        errors["code"] = "Đã có thủ tục mã này."
    if not values["title"]:
        errors["title"] = "Cần tên thủ tục."
    if values["category"] not in {c["code"] for c in draft.data["categories"]}:
        errors["category"] = "Chọn một lĩnh vực."
    return errors


def write_up(p: dict[str, Any]) -> dict[str, Any]:
    """Turn a catalogue-only entry into a written-up procedure (fields to fill in)."""
    out = new_procedure(p["code"], p["title"], p["category"])
    out.update({k: p[k] for k in ("handled_by", "level", "sources") if p.get(k)})
    # what the catalogue entry already knew of how people ask stays: the title as they may
    # read it, its aliases, short title and examples
    out["aliases"] = list(dict.fromkeys([p["title"], *(p.get("aliases") or ())]))
    out.update({k: p[k] for k in ("short_title", "examples") if p.get(k)})
    return out


# ---- office and notices -------------------------------------------------------------------------
def office_from_post(form: Any, base: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """(office dict, the row action if any: counter-add / counter-del-N)."""
    o = dict(base)
    for k in ("name", "address", "hours", "hotline"):
        o[k] = clean_line(form.get(k))
    o["help_counter"] = clean_line(form.get("help_counter")) or None
    try:
        n = min(int(form.get("counter_count") or 0), 100)
    except ValueError:
        n = 0
    counters = []
    for i in range(n):
        counters.append({"number": clean_line(form.get(f"counter-{i}-number")),
                         "name": clean_line(form.get(f"counter-{i}-name")),
                         "categories": [clean_line(c) for c in form.getlist(f"counter-{i}-cat")]})
    action = str(form.get("action") or "save")
    m = re.fullmatch(r"counter-del-(\d+)", action)
    if m and int(m.group(1)) < len(counters):
        del counters[int(m.group(1))]
    if action == "counter-add":
        counters.append({"number": "", "name": "", "categories": []})
    else:
        counters = [c for c in counters if c["number"] or c["name"] or c["categories"]]
    o["counters"] = counters
    o["lobby"] = _lobby_from_post(form, action)
    return o, action


def _lobby_from_post(form: Any, action: str) -> list[dict[str, Any]]:
    """The lobby topics of the office form (title, phrases one per line or comma-separated, answer)."""
    try:
        n = min(int(form.get("lobby_count") or 0), 100)
    except ValueError:
        n = 0
    topics = [{"title": clean_line(form.get(f"lobby-{i}-title")),
               "phrases": [p for line in clean_lines(form.get(f"lobby-{i}-phrases"))
                           for p in (clean_line(x) for x in line.split(",")) if p],
               "answer": clean_line(form.get(f"lobby-{i}-answer"))} for i in range(n)]
    m = re.fullmatch(r"lobby-del-(\d+)", action)
    if m and int(m.group(1)) < len(topics):
        del topics[int(m.group(1))]
    if action == "lobby-add":
        topics.append({"title": "", "phrases": [], "answer": ""})
    else:
        topics = [t for t in topics if t["title"] or t["phrases"] or t["answer"]]
    return topics


def notices_from_post(form: Any) -> tuple[list[dict[str, Any]], str]:
    try:
        n = min(int(form.get("notice_count") or 0), 100)
    except ValueError:
        n = 0
    notices = [{"title": clean_line(form.get(f"notice-{i}-title")), "body": clean_block(form.get(f"notice-{i}-body")),
                "valid_from": clean_line(form.get(f"notice-{i}-valid_from")) or None,
                "valid_to": clean_line(form.get(f"notice-{i}-valid_to")) or None} for i in range(n)]
    action = str(form.get("action") or "save")
    m = re.fullmatch(r"notice-del-(\d+)", action)
    if m and int(m.group(1)) < len(notices):
        del notices[int(m.group(1))]
    if action == "notice-add":
        notices.append({"title": "", "body": "", "valid_from": None, "valid_to": None})
    else:
        notices = [x for x in notices if x["title"] or x["body"]]
    return notices, action
