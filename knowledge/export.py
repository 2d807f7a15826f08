"""Write content back to the human-editable source format (the inverse of knowledge.source)."""
from __future__ import annotations

import csv
import io
import os
import tempfile
from pathlib import Path
from typing import Any

import yaml

from knowledge import fields
from knowledge.model import Content, Detail, Procedure
from knowledge.serialize import procedure_to_dict
from knowledge.source import CATALOGUE_COLUMNS, CATALOGUE_OPTIONAL

# Field order of a procedure file, as a clerk reads it (see assets/content/README.md).
_ORDER = fields.FILE_FIELDS
_OMIT_WHEN_EMPTY = fields.names(where=lambda f: f.omit_when_empty)


class _Dumper(yaml.SafeDumper):
    pass


def _str_presenter(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _str_presenter)


def _dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


def procedure_yaml(p: Procedure) -> str:
    """One procedure as the text of its ``procedures/<code>.yaml`` file."""
    return _procedure_yaml(p)


def _procedure_yaml(p: Procedure) -> str:
    d = procedure_to_dict(p)
    out: dict[str, Any] = {}
    for key in _ORDER:
        value = d.get(key)
        if key == "processing_days" and value is not None and float(value).is_integer():
            value = int(value)
        if key == "documents":
            value = [{k: v for k, v in doc.items()} for doc in d["documents"]]
        if key in _OMIT_WHEN_EMPTY and not value:
            continue  # most procedures have none: no empty key in every file
        out[key] = value
    return _dump(out)


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    os.replace(tmp, path)


def export_content(content: Content, out_dir: str | Path) -> int:
    """Write the source tree; returns the number of files written."""
    out = Path(out_dir)
    (out / "procedures").mkdir(parents=True, exist_ok=True)
    written = 0
    _atomic_write(out / "categories.yaml", _dump([
        {"code": c.code, "name": c.name, "icon": c.icon, "description": c.description} for c in content.categories
    ]))
    o = content.office
    _atomic_write(out / "office.yaml", _dump({
        "name": o.name, "address": o.address, "hours": o.hours, "hotline": o.hotline,
        "help_counter": o.help_counter,
        "counters": [{"number": c.number, "name": c.name, "categories": list(c.categories)} for c in o.counters],
        **({"lobby": [{"title": t.title, "phrases": list(t.phrases), "answer": t.answer} for t in o.lobby]} if o.lobby else {}),
    }))
    _atomic_write(out / "notices.yaml", _dump([
        {"title": n.title, "body": n.body, "valid_from": n.valid_from, "valid_to": n.valid_to} for n in content.notices
    ]))
    written += 3

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CATALOGUE_COLUMNS + CATALOGUE_OPTIONAL)
    for p in content.procedures:
        if p.detail is Detail.FULL:
            _atomic_write(out / "procedures" / f"{p.code}.yaml", _procedure_yaml(p))
            written += 1
        elif p.detail is Detail.REDIRECT:
            _atomic_write(out / "redirects" / f"{p.code}.yaml", _procedure_yaml(p))
            written += 1
        else:
            w.writerow([p.code, p.title, p.category, p.handled_by, p.level, p.sources[0] if p.sources else "",
                        "|".join(p.aliases), p.short_title, "|".join(p.examples), p.counter or ""])
    _atomic_write(out / "catalogue.csv", buf.getvalue())
    if content.families:
        _atomic_write(out / "families.yaml", _dump([
            {"id": f.id, "name": f.name, "terms": list(f.terms), "members": list(f.members),
             **({"tells_apart": list(f.tells_apart)} if f.tells_apart else {})} for f in content.families
        ]))
        written += 1
    return written + 1
