"""The working draft: edits accumulate here, are validated with the content-source rules, then published.

The draft is the whole Content as a plain dict (knowledge.serialize), kept as JSON in
the ``admin_draft`` table, so edits survive a restart and every staff member sees the
same draft. Validation reuses the source loader itself: the draft is written out with
knowledge.export.export_content and read back with knowledge.source.load_source, so a
published draft obeys exactly the rules of ``kiosk content import``; what is published
is the content as load_source read it back.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import re
import tempfile
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlite_utils

from kiosk.admin.accounts import audit, stamp
from kiosk.admin.errors import AdminError
from knowledge.errors import ContentInvalid, Problem
from knowledge.export import export_content
from knowledge.fields import LABELS as _PROCEDURE_LABELS
from knowledge.fields import names as _field_names
from knowledge.model import Content, Procedure
from knowledge.serialize import content_from_dict, content_to_dict
from knowledge.source import load_source
from knowledge.store import current_version, publish, read_content, rollback

log = logging.getLogger(__name__)

# What an edit of a procedure can change: every field but its code (knowledge.fields).
PROCEDURE_FIELDS = _field_names(where=lambda f: f.name != "code")
FIELD_LABELS = {
    **_PROCEDURE_LABELS,
    "name": "Tên trụ sở", "address": "Địa chỉ", "hours": "Giờ làm việc", "hotline": "Đường dây nóng",
    "help_counter": "Quầy hướng dẫn", "counters": "Các quầy", "lobby": "Câu hỏi về trụ sở",
}


@dataclass
class Draft:
    data: dict[str, Any]
    base_version: str | None
    exists: bool  # False: the draft is the live content (nothing edited yet)
    updated_at: str | None = None
    updated_by: str | None = None

    def procedure(self, code: str) -> dict[str, Any] | None:
        return next((p for p in self.data["procedures"] if p["code"] == code), None)


@dataclass(frozen=True)
class Change:
    area: str  # procedure | office | notices | categories
    kind: str  # added | removed | changed | retired | restored
    target: str = ""  # procedure code
    title: str = ""
    fields: tuple[str, ...] = ()

    def describe(self) -> str:
        f = ", ".join(FIELD_LABELS.get(x, x) for x in self.fields)
        if self.area == "procedure":
            verb = {"added": "Thêm", "removed": "Xóa", "changed": "Sửa", "retired": "Ngừng áp dụng",
                    "restored": "Áp dụng lại"}[self.kind]
            return f"{verb} {self.target} {self.title}" + (f" ({f})" if f and self.kind == "changed" else "")
        if self.area == "office":
            return f"Sửa thông tin trụ sở ({f})"
        if self.area == "notices":
            return "Sửa thông báo"
        return "Sửa lĩnh vực"

    def to_json(self) -> dict:
        return {"area": self.area, "kind": self.kind, "target": self.target, "title": self.title, "fields": list(self.fields)}


@dataclass(frozen=True)
class ProblemView:
    """A validation problem, told by procedure code and field rather than file and line."""

    code: str | None  # procedure code, or None for office/notices/categories
    area: str
    field: str
    message: str

    @property
    def where(self) -> str:
        return self.code or {"office": "Trụ sở", "notices": "Thông báo", "categories": "Lĩnh vực"}.get(self.area, self.area)

    @property
    def text(self) -> str:
        """The Vietnamese half of a 'vi / en' message."""
        return self.message.split(" / ")[0]

    @property
    def field_label(self) -> str:
        return field_label(self.field)

    def __str__(self) -> str:
        return f"{self.where}: {self.field_label}: {self.text}" if self.field else f"{self.where}: {self.text}"


_SUB = {"name": "tên", "form": "hình thức", "copies": "số bản", "required": "bắt buộc", "condition": "điều kiện",
        "number": "số quầy", "categories": "lĩnh vực"}


def field_label(name: str) -> str:
    """'documents[2].copies' → 'Giấy tờ số 3, số bản' (what a clerk sees on the form)."""
    m = re.match(r"^([a-z_]+)(?:\[(\d+)\])?(?:\.([a-z_]+))?", name or "")
    if not m:
        return name
    base, idx, sub = m.groups()
    out = FIELD_LABELS.get(base, base)
    if idx is not None:
        out += f" số {int(idx) + 1}"
    if sub:
        out += f", {_SUB.get(sub, sub)}"
    return out


@dataclass
class Validation:
    content: Content | None
    problems: list[ProblemView] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.content is not None and not self.problems


# ---- reading and writing the draft ----------------------------------------------------------
def live(db: sqlite_utils.Database) -> Content:
    return read_content(db)


def load(db: sqlite_utils.Database) -> Draft:
    row = next(db.query("SELECT * FROM admin_draft WHERE id = 1"), None)
    if row is not None:
        return Draft(json.loads(row["data"]), row["base_version"], True, row["updated_at"], row["updated_by"])
    content = live(db)
    return Draft(content_to_dict(content), content.version, False)


def save(db: sqlite_utils.Database, draft: Draft, user: str) -> None:
    db.table("admin_draft").upsert(
        {"id": 1, "data": json.dumps(draft.data, ensure_ascii=False), "base_version": draft.base_version,
         "updated_at": stamp(), "updated_by": user},
        pk="id",
    )
    draft.exists = True


def discard(db: sqlite_utils.Database) -> None:
    db.execute("DELETE FROM admin_draft WHERE id = 1")


def put_procedure(draft: Draft, proc: dict[str, Any]) -> None:
    procs = draft.data["procedures"]
    for i, p in enumerate(procs):
        if p["code"] == proc["code"]:
            procs[i] = proc
            return
    procs.append(proc)


def remove_procedure(draft: Draft, code: str) -> None:
    draft.data["procedures"] = [p for p in draft.data["procedures"] if p["code"] != code]


# ---- what changed --------------------------------------------------------------------------
def as_published(value: Any) -> Any:
    """``value`` as it reads back from published JSON, so tuples/lists and int/float compare equal."""
    return json.loads(json.dumps(value, ensure_ascii=False))


# Fields newer than some stored versions: a snapshot without the key had the field's default.
_ADDED_LATER: dict[str, Any] = as_published({f.name: f.default for f in dataclasses.fields(Procedure)
                                            if f.default is not dataclasses.MISSING})


def diff(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Per procedure code and field, plus office/notices/categories: a summary, not a text diff."""
    old, new = as_published(old), as_published(new)
    out: list[Change] = []
    before = {p["code"]: p for p in old["procedures"]}
    after = {p["code"]: p for p in new["procedures"]}
    for code, p in after.items():
        q = before.get(code)
        if q is None:
            out.append(Change("procedure", "added", code, p.get("title", "")))
            continue
        fields = tuple(f for f in PROCEDURE_FIELDS if p.get(f, _ADDED_LATER.get(f)) != q.get(f, _ADDED_LATER.get(f)))
        if not fields:
            continue
        if fields == ("retired",):
            out.append(Change("procedure", "retired" if p.get("retired") else "restored", code, p.get("title", "")))
        else:
            out.append(Change("procedure", "changed", code, p.get("title", ""), fields))
    for code, q in before.items():
        if code not in after:
            out.append(Change("procedure", "removed", code, q.get("title", "")))
    office_fields = tuple(k for k in ("name", "address", "hours", "hotline", "help_counter", "counters", "lobby")
                          if old["office"].get(k, []) != new["office"].get(k, []))
    if office_fields:
        out.append(Change("office", "changed", fields=office_fields))
    if old.get("notices") != new.get("notices"):
        out.append(Change("notices", "changed"))
    if [(c["code"], c["name"], c.get("icon"), c.get("description")) for c in old["categories"]] != \
            [(c["code"], c["name"], c.get("icon"), c.get("description")) for c in new["categories"]]:
        out.append(Change("categories", "changed"))
    out.sort(key=lambda c: (c.area != "procedure", c.target))
    return out


def summary(changes: list[Change], limit: int = 12) -> str:
    parts = [c.describe() for c in changes[:limit]]
    if len(changes) > limit:
        parts.append(f"và {len(changes) - limit} thay đổi khác")
    return "; ".join(parts)


# ---- validation (the content-source rules, by round trip) ----------------------------------
def _problem_view(pr: Problem, catalogue_rows: list[str]) -> ProblemView:
    path = Path(pr.file)
    if path.parts and path.parts[0] == "procedures" and path.suffix in (".yaml", ".yml"):
        return ProblemView(path.stem, "procedure", pr.field, pr.message)
    if pr.file == "catalogue.csv":
        code = None
        if pr.line and 2 <= pr.line <= len(catalogue_rows) + 1:
            code = catalogue_rows[pr.line - 2].split(",", 1)[0]
        return ProblemView(code, "procedure", pr.field, pr.message)
    area = {"office.yaml": "office", "notices.yaml": "notices", "categories.yaml": "categories"}.get(pr.file, pr.file)
    return ProblemView(None, area, pr.field, pr.message)


_CACHE: "OrderedDict[str, Validation]" = OrderedDict()
_CACHE_SIZE = 8


def validate(data: dict[str, Any]) -> Validation:
    """Write the draft as a content source in a temporary directory and load it back.

    Loading the whole source takes seconds, and the publish page and the publish itself
    validate the same draft, so results are remembered by the draft's checksum.
    """
    key = hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True).encode()).hexdigest()
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    result = _validate(data)
    _CACHE[key] = result
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return result


def _validate(data: dict[str, Any]) -> Validation:
    try:
        content = content_from_dict(data)
    except (KeyError, TypeError, ValueError) as exc:  # only a bug in a form parser gets here
        log.exception("draft does not convert to content")
        return Validation(None, [ProblemView(None, "draft", "", f"bản nháp hỏng / broken draft: {exc}")])
    with tempfile.TemporaryDirectory(prefix="kiosk-admin-") as tmp:
        export_content(content, tmp)
        catalogue_rows = (Path(tmp) / "catalogue.csv").read_text(encoding="utf-8").splitlines()[1:]
        try:
            loaded = load_source(tmp)
        except ContentInvalid as exc:
            return Validation(None, [_problem_view(p, catalogue_rows) for p in exc.problems])
    return Validation(loaded)


def validate_procedure(data: dict[str, Any], code: str) -> list[ProblemView]:
    """Problems of one procedure alone (fast enough to show after every save)."""
    proc = next((p for p in data["procedures"] if p["code"] == code), None)
    if proc is None:
        return []
    mini = {"procedures": [proc], "categories": data["categories"], "office": data["office"], "notices": []}
    return [p for p in validate(mini).problems if p.code == code]


# ---- publish and roll back ------------------------------------------------------------------
def publish_draft(db: sqlite_utils.Database, user: str, note: str = "", ip: str = "") -> tuple[str, list[Change]]:
    """Validate the whole draft, publish it as a new version with a change summary, clear the draft."""
    draft = load(db)
    result = validate(draft.data)
    if not result.ok or result.content is None:  # ok means content and no problems
        raise DraftInvalid(result.problems)
    live_content = live(db)
    to_publish, layer = result.content, None
    from kiosk.fleet import ward_edits

    province_at = ward_edits.province_version(db)
    if province_at is not None:
        # The ward follows a province hub: its edits go into its layer, and what is published
        # is the province content with that layer on top (docs/fleet.md, "Ward kiosks").
        merged, layer = ward_edits.layered(db, base_version=draft.base_version, live=live_content,
                                           edited=result.content, user=user)
        checked = validate(merged)
        if not checked.ok or checked.content is None:  # ok means content and no problems
            raise DraftInvalid(checked.problems)
        to_publish = checked.content
    changes = diff(content_to_dict(live_content), content_to_dict(to_publish))
    if not changes:
        raise AdminError("bản nháp không khác nội dung đang dùng — không có gì để đăng / nothing to publish")
    text = summary(changes)
    full_note = f"{note.strip()} — {text}" if note.strip() else text
    from kiosk.admin.edits import immediate

    with immediate(db):
        # An edit saved while the draft was being validated (seconds) must not be discarded unseen.
        if load(db).data != draft.data:
            raise AdminError("bản nháp vừa được sửa trong lúc kiểm tra — xem lại thay đổi rồi bấm «Đăng» lần nữa / "
                             "the draft changed during the publish")
        if layer is not None:
            if ward_edits.province_version(db) != province_at:
                raise AdminError("nội dung của tỉnh vừa được cập nhật trong lúc kiểm tra — bấm «Đăng» lần nữa / "
                                 "a province bundle arrived during the publish")
            from kiosk.fleet.layer import save_layer

            save_layer(db, layer)
        version = publish(db, to_publish, source="admin", author=user, note=full_note)
        version_id = db.execute("SELECT max(id) FROM content_versions").fetchone()[0]
        db.table("admin_publishes").insert({
            "version_id": version_id, "version": version, "at": stamp(), "author": user, "summary": full_note,
            "changes": json.dumps([c.to_json() for c in changes], ensure_ascii=False),
        })
        audit(db, user, "publish", version, {"note": note, "changes": [c.to_json() for c in changes]}, ip)
        discard(db)
    return version, changes


def rollback_to(db: sqlite_utils.Database, version_id: int, user: str, ip: str = "") -> str:
    with db.atomic():
        version = rollback(db, version_id, author=user)
        audit(db, user, "rollback", version, {"to_version_id": version_id}, ip)
    return version


def snapshot(db: sqlite_utils.Database, version_id: int) -> dict[str, Any]:
    row = next(db.query("SELECT snapshot FROM content_versions WHERE id = ?", [version_id]), None)
    if row is None:
        raise AdminError(f"không có phiên bản #{version_id} / no such version")
    return json.loads(row["snapshot"])


def changes_of(db: sqlite_utils.Database, version_id: int) -> list[Change] | None:
    """What a version changed compared with the one before it."""
    prev = next(db.query("SELECT id FROM content_versions WHERE id < ? ORDER BY id DESC LIMIT 1", [version_id]), None)
    if prev is None:
        return None
    return diff(snapshot(db, prev["id"]), snapshot(db, version_id))


def is_stale(db: sqlite_utils.Database, draft: Draft) -> bool:
    """The live content changed (another publish, a roll back, a CLI import) since the draft began."""
    return draft.exists and draft.base_version != current_version(db)


class DraftInvalid(AdminError):
    def __init__(self, problems: list[ProblemView]):
        self.problems = problems
        super().__init__(f"{len(problems)} lỗi trong bản nháp — chưa đăng / the draft has problems")
