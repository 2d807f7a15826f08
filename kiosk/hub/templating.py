"""The hub's Jinja environment: its own templates first, then the ward admin's (same filters and globals)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import jinja2
from starlette.templating import Jinja2Templates

from kiosk.admin import draft as drafts
from kiosk.admin import forms
from kiosk.admin.templating import textarea_rows
from kiosk.hub.accounts import ROLE_LABEL
from knowledge.qlog import STORED_CHANNEL_LABEL

HERE = Path(__file__).parent
ADMIN_DIR = HERE.parent / "admin"
DECISION_LABEL = {"answer": "Trả lời", "clarify": "Hỏi lại", "none": "Không tìm thấy", "redirect": "Chỉ nơi khác"}
CHANNEL_LABEL = STORED_CHANNEL_LABEL  # one vocabulary (knowledge.qlog), older kiosks' values included


def local_time(value: Any) -> str:
    """A PostgreSQL timestamp (or ISO text) as local "dd/mm/yyyy HH:MM"; unparsable text is shown as is."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    return value.astimezone().strftime("%d/%m/%Y %H:%M")


def make_templates() -> Jinja2Templates:
    # Hub templates first (its own base.html with the province menu), then the ward admin's:
    # procedure_edit.html, procedures.html… extend "base.html" and so get the hub's frame.
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(HERE / "templates"),
                                    jinja2.FileSystemLoader(ADMIN_DIR / "templates")]),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    )
    env.filters["localtime"] = local_time
    env.filters["number"] = lambda v: f"{v:,}".replace(",", ".") if isinstance(v, int) else v
    env.globals.update(
        field_label=drafts.field_label, FIELD_LABELS=drafts.FIELD_LABELS, DOC_FORMS=forms.DOC_FORM_LABEL,
        LEVELS=forms.LEVELS, ROLE_LABEL=ROLE_LABEL, UNVERIFIABLE=forms.UNVERIFIABLE, rows=textarea_rows,
        DECISION_LABEL=DECISION_LABEL, CHANNEL_LABEL=CHANNEL_LABEL,
    )
    return Jinja2Templates(env=env)

