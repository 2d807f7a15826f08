"""Every field the edit form holds (knowledge.fields: ``form`` set) has a control in the
template: a declared field missing from the page would be posted back empty and silently
wipe what staff never touched (it happened to ``examples``)."""
from __future__ import annotations

from pathlib import Path

import pytest

from knowledge import fields

TEMPLATE = Path(__file__).resolve().parents[1] / "kiosk" / "admin" / "templates" / "procedure_edit.html"


@pytest.mark.parametrize("name", fields.names(where=lambda f: f.form is not None))
def test_the_edit_form_has_a_control_for_each_form_field(name):
    assert f'name="{name}"' in TEMPLATE.read_text(encoding="utf-8")
