"""The admin's Jinja environment: autoescaped templates, strict undefined, the filters the pages use."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import jinja2
from starlette.templating import Jinja2Templates

from kiosk.admin import draft as drafts
from kiosk.admin import forms
from kiosk.admin.accounts import ROLE_LABEL

HERE = Path(__file__).parent


def local_time(iso: str | None) -> str:
    """A stored ISO timestamp as local "dd/mm/yyyy HH:MM" (unparsable text is shown as is)."""
    if not iso:
        return ""
    try:
        return dt.datetime.fromisoformat(iso).astimezone().strftime("%d/%m/%Y %H:%M")
    except ValueError:
        return iso


def textarea_rows(text: Any, width: int = 100, minimum: int = 1, maximum: int = 14) -> int:
    """Textarea height for its text, so a clerk sees the whole value without scrolling (no JS)."""
    lines = str(text or "").split("\n")
    n = sum(max(1, -(-len(line) // width)) for line in lines)
    return max(minimum, min(maximum, n))


def make_templates() -> Jinja2Templates:
    """The templates under kiosk/admin/templates with the filters and globals the pages use."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True,
    )
    env.filters["localtime"] = local_time
    env.filters["number"] = lambda v: f"{v:,}".replace(",", ".") if isinstance(v, int) else v
    env.globals.update(
        field_label=drafts.field_label, FIELD_LABELS=drafts.FIELD_LABELS, DOC_FORMS=forms.DOC_FORM_LABEL,
        LEVELS=forms.LEVELS, ROLE_LABEL=ROLE_LABEL, UNVERIFIABLE=forms.UNVERIFIABLE, rows=textarea_rows,
    )
    return Jinja2Templates(env=env)

