"""The ward's own layer on top of the province content, and the merge of the two.

What a ward keeps when it follows a province hub (all in the kiosk's SQLite, beside the
content, so the nightly backup holds it):

- per procedure and field, an *override*: the ward's value and the province value it was
  based on. When the province later publishes a different value for that field the
  override is *stale*: the ward's value still wins, and the admin flags it until staff
  either go back to the province text or confirm their own;
- for aliases and keywords, the ward's *additions* (and the province phrasings it
  removed): they are merged with the province list, so a province alias added later
  reaches the ward too;
- ward-only procedures (codes the province does not publish), its own notices and
  categories; hiding a province procedure is an override ``retired = true``;
- the province notices the ward took off its screen (deleted in the admin draft), kept
  as the notice itself: while the province publishes that same notice it stays hidden;
  once the province rewrites it (a new date, a correction) the new text shows again, as
  a ward cannot have decided about a text it has not seen.

The office (name, address, hours, counters) is never in a bundle: it is always the
ward's. Everything here works on the plain-dict form of content (knowledge.serialize),
the same form the admin draft uses.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field, fields
from typing import Any

import sqlite_utils
from sqlite_utils.migrations import Migrations

from knowledge.model import Procedure
from knowledge.store import apply_migrations, write_transaction  # noqa: F401 (write_transaction: callers use layers.write_transaction)

migrations = Migrations("kiosk-fleet")

# Fields a ward can override (everything but the code and the level of detail).
OVERRIDABLE = tuple(f.name for f in fields(Procedure) if f.name not in ("code", "detail"))
# Lists merged with the province's rather than replacing it.
ADDITIVE = ("aliases", "keywords")


@migrations()
def m001_fleet(db: sqlite_utils.Database) -> None:
    db.table("fleet_state").create({"key": str, "value": str}, pk="key")
    db.table("fleet_overrides").create(
        {"code": str, "field": str, "value": str, "based_on": str, "updated_at": str, "updated_by": str},
        pk=("code", "field"),
    )
    db.table("fleet_local_procedures").create({"code": str, "data": str, "updated_at": str, "updated_by": str}, pk="code")
    db.table("fleet_local").create({"key": str, "value": str}, pk="key")  # notices, categories, hidden_notices
    # Days whose statistics the hub acknowledged (kiosk.fleet.stats).
    db.table("fleet_stats_sent").create({"day": str, "sent_at": str, "stored": str}, pk="day")


def ensure_schema(db: sqlite_utils.Database) -> sqlite_utils.Database:
    apply_migrations(db, migrations)
    return db


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _norm(value: Any) -> Any:
    """JSON form, so tuples and lists (and 1 and 1.0 as stored) compare as published."""
    return json.loads(json.dumps(value, ensure_ascii=False))


# ---------------------------------------------------------------- state

def get_state(db: sqlite_utils.Database, key: str, default: str | None = None) -> str | None:
    row = next(db.query("SELECT value FROM fleet_state WHERE key = ?", [key]), None)
    return row["value"] if row else default


def set_state(db: sqlite_utils.Database, **values: str | None) -> None:
    db.table("fleet_state").upsert_all([{"key": k, "value": v} for k, v in values.items()], pk="key")


def province_version(db: sqlite_utils.Database) -> int | None:
    v = get_state(db, "province_version")
    return int(v) if v else None


def province_content(db: sqlite_utils.Database) -> dict | None:
    """The last applied province content (plain dict, placeholder office), or None before the first bundle."""
    text = get_state(db, "province_snapshot")
    return json.loads(text) if text else None


# ---------------------------------------------------------------- the layer

@dataclass(frozen=True)
class Override:
    code: str
    field: str
    value: Any  # the ward's value; for ADDITIVE fields {"add": [...], "remove": [...]}
    based_on: Any  # the province value when the ward made the change
    updated_at: str = ""
    updated_by: str = ""


@dataclass
class Layer:
    overrides: dict[str, dict[str, Override]] = field(default_factory=dict)  # code → field → override
    local_procedures: dict[str, dict] = field(default_factory=dict)  # ward-only, code → procedure dict
    notices: list[dict] = field(default_factory=list)
    categories: list[dict] = field(default_factory=list)
    hidden_notices: list[dict] = field(default_factory=list)  # province notices the ward took off its screen

    @property
    def empty(self) -> bool:
        return not (self.overrides or self.local_procedures or self.notices or self.categories or self.hidden_notices)

    def count(self) -> int:
        return sum(len(v) for v in self.overrides.values()) + len(self.local_procedures)


_LOCAL_LISTS = ("notices", "categories", "hidden_notices")  # the layer's lists kept in fleet_local


def load_layer(db: sqlite_utils.Database) -> Layer:
    layer = Layer()
    for r in db.query("SELECT * FROM fleet_overrides ORDER BY code, field"):
        layer.overrides.setdefault(r["code"], {})[r["field"]] = Override(
            r["code"], r["field"], json.loads(r["value"]), json.loads(r["based_on"]), r["updated_at"] or "",
            r["updated_by"] or "")
    for r in db.query("SELECT code, data FROM fleet_local_procedures ORDER BY code"):
        layer.local_procedures[r["code"]] = json.loads(r["data"])
    for r in db.query("SELECT key, value FROM fleet_local"):
        if r["key"] in _LOCAL_LISTS:
            setattr(layer, r["key"], json.loads(r["value"]))
    return layer


def save_layer(db: sqlite_utils.Database, layer: Layer) -> None:
    """Replace the stored layer (callers hold the write transaction)."""
    db.execute("DELETE FROM fleet_overrides")
    db.execute("DELETE FROM fleet_local_procedures")
    db.table("fleet_overrides").insert_all(
        {"code": o.code, "field": o.field, "value": json.dumps(o.value, ensure_ascii=False),
         "based_on": json.dumps(o.based_on, ensure_ascii=False), "updated_at": o.updated_at, "updated_by": o.updated_by}
        for per in layer.overrides.values() for o in per.values()
    )
    db.table("fleet_local_procedures").insert_all(
        {"code": c, "data": json.dumps(p, ensure_ascii=False), "updated_at": _now(), "updated_by": ""}
        for c, p in layer.local_procedures.items()
    )
    db.table("fleet_local").upsert_all(
        [{"key": k, "value": json.dumps(getattr(layer, k), ensure_ascii=False)} for k in _LOCAL_LISTS], pk="key")


# ---------------------------------------------------------------- merge

def _apply_additive(province: list, change: dict) -> list:
    removed = set(change.get("remove") or ())
    out = [a for a in province if a not in removed]
    out += [a for a in change.get("add") or () if a not in out]
    return out


def merge(province: dict, layer: Layer, office: dict) -> dict:
    """The content the kiosk answers with: the province's, the ward's layer on top, the ward's office."""
    province = _norm(province)
    procs: dict[str, dict] = {}
    for p in province["procedures"]:
        p = dict(p)
        for f, o in layer.overrides.get(p["code"], {}).items():
            if f in ADDITIVE:
                p[f] = _apply_additive(p.get(f) or [], o.value)
            elif f in OVERRIDABLE:
                p[f] = o.value
        procs[p["code"]] = p
    for code, p in layer.local_procedures.items():
        procs[code] = _norm(p)  # a ward-only procedure; if the province now has it too, the ward's wins
    ordered = sorted(procs.values(), key=lambda p: (p.get("detail", "full") != "full", p["code"]))
    cat_codes = {c["code"] for c in province["categories"]}
    categories = list(province["categories"]) + [c for c in layer.categories if c["code"] not in cat_codes]
    hidden = _norm(layer.hidden_notices)
    notices = [n for n in province.get("notices") or [] if n not in hidden]
    notices += [n for n in layer.notices if n not in notices]
    return {"procedures": ordered, "categories": categories, "office": _norm(office), "notices": notices,
            "families": list(province.get("families") or [])}


# ---------------------------------------------------------------- recording the ward's edits

def record_edits(layer: Layer, *, base: dict, new: dict, province: dict, user: str = "") -> Layer:
    """The layer after the ward published ``new``, edited from ``base`` (what the draft started from),
    with ``province`` the province content it follows. Only what the ward changed in this edit
    moves; an override set back to the province value is dropped."""
    base, new, province = _norm(base), _norm(new), _norm(province)
    prov = {p["code"]: p for p in province["procedures"]}
    before = {p["code"]: p for p in base["procedures"]}
    after = {p["code"]: p for p in new["procedures"]}
    out = Layer({c: dict(v) for c, v in layer.overrides.items()}, dict(layer.local_procedures))
    now = _now()
    for code, p in after.items():
        pv = prov.get(code)
        if pv is None:
            out.local_procedures[code] = p
            continue
        out.local_procedures.pop(code, None)
        b = before.get(code)
        per = out.overrides.setdefault(code, {})
        for f in OVERRIDABLE:
            if b is not None and p.get(f) == b.get(f):
                continue  # not touched in this edit: keep what the layer says
            if f in ADDITIVE:
                have, theirs = p.get(f) or [], pv.get(f) or []
                change = {"add": [a for a in have if a not in theirs], "remove": [a for a in theirs if a not in have]}
                if change["add"] or change["remove"]:
                    per[f] = Override(code, f, change, theirs, now, user)
                else:
                    per.pop(f, None)
            elif p.get(f) == pv.get(f):
                per.pop(f, None)  # back to the province text
            else:
                old = per.get(f)
                # based on the province value the clerk saw: the draft's base, unless already overridden then
                seen = old.based_on if old is not None else (b.get(f) if b is not None else pv.get(f))
                per[f] = Override(code, f, p.get(f), seen, now, user)
        if not per:
            out.overrides.pop(code, None)
    for code in before:
        if code in after:
            continue
        if code in prov:  # a province procedure deleted at the ward: hidden, as retired
            out.overrides.setdefault(code, {})["retired"] = Override(code, "retired", True, prov[code].get("retired", False),
                                                                      now, user)
        out.local_procedures.pop(code, None)
    prov_notices = province.get("notices") or []
    new_notices = new.get("notices") or []
    out.notices = [n for n in new_notices if n not in prov_notices]
    # A province notice the draft started with and no longer has was deleted by the ward:
    # hidden. One hidden before stays hidden while the province still publishes it, unless
    # this draft put it back; one the province dropped is forgotten.
    was_hidden = _norm(layer.hidden_notices)
    out.hidden_notices = [n for n in prov_notices if n not in new_notices
                          and (n in was_hidden or n in (base.get("notices") or []))]
    prov_cats = {c["code"] for c in province["categories"]}
    out.categories = [c for c in new["categories"] if c["code"] not in prov_cats]
    return out


# ---------------------------------------------------------------- what the admin shows

@dataclass(frozen=True)
class FieldSource:
    field: str
    source: str  # "province" | "local" | "local-only" (a ward-only procedure)
    stale: bool  # a local value whose province text changed since
    local: Any = None
    province: Any = None
    based_on: Any = None


def is_stale(o: Override, province_proc: dict | None) -> bool:
    if o.field in ADDITIVE:
        return False  # additions merge with whatever the province has
    if province_proc is None:
        return True  # the province no longer publishes the procedure
    return _norm(province_proc.get(o.field)) != _norm(o.based_on)


def field_sources(code: str, layer: Layer, province: dict | None) -> list[FieldSource]:
    prov = next((p for p in (province or {}).get("procedures", []) if p["code"] == code), None)
    if code in layer.local_procedures or prov is None:
        p = layer.local_procedures.get(code, {})
        return [FieldSource(f, "local-only", False, p.get(f)) for f in OVERRIDABLE if f in p]
    per = layer.overrides.get(code, {})
    out = []
    for f in OVERRIDABLE:
        o = per.get(f)
        if o is None:
            out.append(FieldSource(f, "province", False, None, prov.get(f)))
        else:
            out.append(FieldSource(f, "local", is_stale(o, prov), o.value, prov.get(f), o.based_on))
    return out


def stale_overrides(layer: Layer, province: dict | None) -> list[Override]:
    prov = {p["code"]: p for p in (province or {}).get("procedures", [])}
    return [o for per in layer.overrides.values() for o in per.values() if is_stale(o, prov.get(o.code))]


def drop_override(layer: Layer, code: str, fld: str) -> bool:
    per = layer.overrides.get(code)
    if not per or fld not in per:
        return False
    del per[fld]
    if not per:
        del layer.overrides[code]
    return True


def notice_key(notice: dict) -> str:
    """A short stable name for a notice (the admin's "show again" button)."""
    return hashlib.sha256(json.dumps(_norm(notice), ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:16]


def show_notice(layer: Layer, key: str) -> dict | None:
    """Put a hidden province notice back on the screen; the notice, or None when none has that key."""
    for n in layer.hidden_notices:
        if notice_key(n) == key:
            layer.hidden_notices = [m for m in layer.hidden_notices if m is not n]
            return n
    return None


def confirm_override(layer: Layer, code: str, fld: str, province: dict | None, user: str = "") -> bool:
    """Staff saw the new province text and keep their own: base the override on it (no longer stale)."""
    o = layer.overrides.get(code, {}).get(fld)
    prov = next((p for p in (province or {}).get("procedures", []) if p["code"] == code), None)
    if o is None or prov is None:
        return False
    layer.overrides[code][fld] = Override(code, fld, o.value, _norm(prov.get(fld)), _now(), user)
    return True
