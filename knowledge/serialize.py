"""Content ⇄ plain dicts (for the database snapshot, export and comparisons)."""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, fields
from typing import Any

from knowledge.fields import LIST_FIELDS
from knowledge.model import (
    Category,
    Content,
    Counter,
    Detail,
    DocForm,
    Document,
    Family,
    LobbyTopic,
    Notice,
    Office,
    Procedure,
)


def procedure_to_dict(p: Procedure) -> dict[str, Any]:
    d = asdict(p)
    d["detail"] = p.detail.value
    d["documents"] = [{**asdict(doc), "form": doc.form.value} for doc in p.documents]
    for k, v in d.items():
        if isinstance(v, tuple):
            d[k] = list(v)
    return d


_PROCEDURE_FIELDS = frozenset(f.name for f in fields(Procedure))


def procedure_from_dict(d: dict[str, Any]) -> Procedure:
    # A snapshot written by a newer version may carry fields this one does not know
    # (a rollback of the software keeps the content): they are left out, not fatal.
    d = {k: v for k, v in d.items() if k in _PROCEDURE_FIELDS}
    d["detail"] = Detail(d.get("detail", Detail.FULL))
    d["documents"] = tuple(
        Document(x["name"], DocForm(x.get("form", "original")), x.get("copies", 1), x.get("required", True), x.get("condition"))
        for x in d.get("documents") or ()
    )
    for k in LIST_FIELDS:
        d[k] = tuple(d.get(k) or ())
    return Procedure(**d)


def content_to_dict(c: Content) -> dict[str, Any]:
    return {
        "procedures": [procedure_to_dict(p) for p in c.procedures],
        "categories": [asdict(x) for x in c.categories],
        "office": {**asdict(c.office), "counters": [{**asdict(x), "categories": list(x.categories)} for x in c.office.counters],
                   "lobby": [{**asdict(t), "phrases": list(t.phrases)} for t in c.office.lobby]},
        "notices": [asdict(n) for n in c.notices],
        "families": [{**asdict(f), "terms": list(f.terms), "members": list(f.members),
                      "tells_apart": list(f.tells_apart)} for f in c.families],
    }


def content_from_dict(d: dict[str, Any], version: str | None = None, imported_at: str | None = None) -> Content:
    o = d["office"]
    office = Office(
        name=o["name"], address=o["address"], hours=o["hours"], hotline=o.get("hotline", ""),
        counters=tuple(Counter(x["number"], x["name"], tuple(x.get("categories") or ())) for x in o.get("counters") or ()),
        help_counter=o.get("help_counter"),
        lobby=tuple(LobbyTopic(t["title"], tuple(t.get("phrases") or ()), t.get("answer") or "") for t in o.get("lobby") or ()),
    )
    return Content(
        procedures=tuple(procedure_from_dict(p) for p in d["procedures"]),
        categories=tuple(Category(**x) for x in d["categories"]),
        office=office,
        notices=tuple(Notice(**n) for n in d.get("notices") or ()),
        families=tuple(Family(f["id"], f["name"], tuple(f["terms"]), tuple(f["members"]), tuple(f.get("tells_apart") or ()))
                       for f in d.get("families") or ()),
        version=version,
        imported_at=imported_at,
    )


def canonical_json(c: Content) -> str:
    return json.dumps(content_to_dict(c), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def content_checksum(c: Content) -> str:
    return hashlib.sha256(canonical_json(c).encode()).hexdigest()
