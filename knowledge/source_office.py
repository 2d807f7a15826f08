"""Parse the ward's own small files: categories, office (counters), notices, procedure families.

Each parser collects its problems and returns what it could read; a cross-reference
(a counter's category, a family's member code) is checked against what was loaded first.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from knowledge.model import Category, Counter, Family, LobbyTopic, Notice, Office
from knowledge.normalize import family_term_tokens, keys
from knowledge.source_common import Collector, dedupe, text, text_list
from knowledge.source_yaml import Located

FAMILY_FIELDS = {"id", "name", "terms", "members", "tells_apart"}
LOBBY_FIELDS = {"title", "phrases", "answer"}


def parse_categories(doc: Located, rel: str, col: Collector) -> list[Category]:
    out: list[Category] = []
    if not isinstance(doc.data, list):
        col.add(rel, 1, "", "phải là danh sách lĩnh vực / must be a list")
        return out
    seen: set[str] = set()
    for i, c in enumerate(doc.data):
        if not isinstance(c, dict) or not text(c.get("code")) or not text(c.get("name")):
            col.add(rel, doc.line(i), f"[{i}]", "mỗi lĩnh vực cần code và name / needs code and name")
            continue
        code = text(c["code"]) or ""
        if code in seen:
            col.add(rel, doc.line(i, "code"), f"[{i}].code", f"trùng mã lĩnh vực '{code}' / duplicate")
        seen.add(code)
        out.append(Category(code, text(c["name"]) or "", i, text(c.get("icon")), text(c.get("description")) or ""))
    return out


def parse_office(doc: Located, rel: str, categories: set[str], col: Collector) -> Office | None:
    d = doc.data
    if not isinstance(d, dict):
        col.add(rel, 1, "", "phải là một bảng / must be a mapping")
        return None
    ok = True
    for name in ("name", "address", "hours"):
        if not text(d.get(name)):
            col.add(rel, doc.line(name), name, "thiếu hoặc để trống / missing or empty")
            ok = False
    counters: list[Counter] = []
    for i, c in enumerate(d.get("counters") or []):
        if not isinstance(c, dict) or not text(c.get("number")) or not text(c.get("name")):
            col.add(rel, doc.line("counters", i), f"counters[{i}]", "quầy cần number và name / needs number and name")
            ok = False
            continue
        cats = text_list(c.get("categories")) or []
        for j, cat in enumerate(cats):
            if cat not in categories:
                col.add(rel, doc.line("counters", i, "categories", j), f"counters[{i}].categories", f"lĩnh vực '{cat}' không có / unknown category")
                ok = False
        counters.append(Counter(text(c["number"]) or "", text(c["name"]) or "", tuple(cats)))
    lobby = parse_lobby(doc, rel, col)
    if not ok or lobby is None:
        return None
    return Office(
        name=text(d["name"]) or "",
        address=text(d["address"]) or "",
        hours=text(d["hours"]) or "",
        hotline=text(d.get("hotline")) or "",
        counters=tuple(counters),
        help_counter=text(d.get("help_counter")),
        lobby=tuple(lobby),
    )


def parse_lobby(doc: Located, rel: str, col: Collector) -> list[LobbyTopic] | None:
    """office.yaml ``lobby``: the building's topics (title, phrases citizens use, answer);
    None when an entry is malformed (the office is then not loaded, like a bad counter)."""
    data = doc.data.get("lobby") if isinstance(doc.data, dict) else None
    if data is None:
        return []
    if not isinstance(data, list):
        col.add(rel, doc.line("lobby"), "lobby", "phải là danh sách / must be a list")
        return None
    out: list[LobbyTopic] = []
    ok = True
    for i, t in enumerate(data):
        if not isinstance(t, dict):
            col.add(rel, doc.line("lobby", i), f"lobby[{i}]", "mỗi mục là một bảng có title, phrases, answer / must be a mapping")
            ok = False
            continue
        for key in t:
            if key not in LOBBY_FIELDS:
                col.add(rel, doc.line("lobby", i, key), f"lobby[{i}].{key}", "trường không biết / unknown field")
                ok = False
        title, phrases, answer = text(t.get("title")), text_list(t.get("phrases")), t.get("answer")
        if not title or not phrases:
            col.add(rel, doc.line("lobby", i), f"lobby[{i}]",
                    "mỗi mục cần title và ít nhất một cách hỏi trong phrases / needs a title and phrases")
            ok = False
            continue
        if answer is not None and not isinstance(answer, (str, int, float)):
            col.add(rel, doc.line("lobby", i, "answer"), f"lobby[{i}].answer", "phải là một đoạn chữ / must be text")
            ok = False
            continue
        out.append(LobbyTopic(title, dedupe(phrases), text(answer) or ""))
    return out if ok else None


def parse_notices(doc: Located, rel: str, col: Collector) -> list[Notice]:
    out: list[Notice] = []
    data = doc.data or []
    if not isinstance(data, list):
        col.add(rel, 1, "", "phải là danh sách / must be a list")
        return out
    for i, n in enumerate(data):
        if not isinstance(n, dict) or not text(n.get("title")) or not text(n.get("body")):
            col.add(rel, doc.line(i), f"[{i}]", "thông báo cần title và body / needs title and body")
            continue
        dates = []
        for key in ("valid_from", "valid_to"):
            v = n.get(key)
            dates.append(v.isoformat() if isinstance(v, dt.date) else text(v))
        out.append(Notice(text(n["title"]) or "", text(n["body"]) or "", *dates))
    return out


def parse_families(doc: Located, rel: str, codes: set[str], col: Collector) -> list[Family]:
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
        fid, name = text(f.get("id")), text(f.get("name"))
        terms, members = text_list(f.get("terms")), text_list(f.get("members"))
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
        out.append(Family(fid or "", name or "", dedupe(terms or ()), dedupe(members or ()),
                          dedupe(text_list(f.get("tells_apart")) or ())))
    return out


def idle_family_terms(families: Sequence[Family]) -> list[str]:
    """Notes on family terms the kiosk never uses: normalising leaves one word of them
    ("giấy tờ xe" → "xe"), which would name the family in too many questions, so the family
    index skips them. A note, not an error: families are not edited in the admin pages, and
    a ward whose content carries such a term must still be able to publish its other edits."""
    notes = []
    for f in families:
        for t in f.terms:
            if not family_term_tokens(t):
                left = keys(t)[1] or "không còn chữ nào"
                notes.append(f"families.yaml, nhóm '{f.id}': cụm '{t}' chỉ còn '{left}' sau khi kiosk bỏ những chữ "
                             "chung chung (hoặc hiểu thành chữ khác), quá ngắn để nhận ra nhóm nên kiosk không dùng: "
                             "xin viết cụm dài hơn hoặc xóa đi / term too short once normalised, not used")
    return notes
