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


def test_writing_up_a_catalogue_entry_keeps_how_people_ask_for_it():
    from kiosk.admin.forms import write_up

    brief = {"code": "1.001022", "title": "Chứng thực chữ ký", "category": "chung-thuc", "detail": "brief",
             "handled_by": "UBND cấp xã", "level": "xã", "sources": ["QĐ 113"], "short_title": "Ký tên",
             "aliases": ["ký chứng thực", "Chứng thực chữ ký"], "examples": ["con tôi cần ký giấy ủy quyền"]}
    full = write_up(brief)
    assert full["detail"] == "full" and full["sources"] == ["QĐ 113"]
    assert full["aliases"] == ["Chứng thực chữ ký", "ký chứng thực"]
    assert full["short_title"] == "Ký tên" and full["examples"] == ["con tôi cần ký giấy ủy quyền"]
