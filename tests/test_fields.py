"""One declaration of a procedure's fields (knowledge.fields) and one wording per fact (issue 17)."""
from dataclasses import fields as dataclass_fields
from pathlib import Path

import pytest

from knowledge import fields
from knowledge.base import KnowledgeBase
from knowledge.export import procedure_yaml
from knowledge.model import FORM_LABEL, DocForm, Procedure
from knowledge.source import PROCEDURE_FIELDS, load_source


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase(load_source(Path(__file__).resolve().parents[1] / "assets" / "content"))


def test_every_procedure_attribute_is_declared_once_and_nothing_else():
    assert [f.name for f in dataclass_fields(Procedure)] and len(fields.BY_NAME) == len(fields.FIELDS)
    assert set(fields.BY_NAME) == {f.name for f in dataclass_fields(Procedure)}


def test_the_file_keys_the_parser_accepts_are_the_keys_the_exporter_writes(kb):
    p = kb.procedure("1.001193")
    written = [line.split(":", 1)[0] for line in procedure_yaml(p).splitlines() if line[:1].isalpha()]
    assert set(written) <= PROCEDURE_FIELDS
    assert written == [k for k in fields.FILE_FIELDS if k in written]  # in the declared order


def test_admin_form_sheet_and_draft_derive_from_the_declaration():
    from kiosk.admin import draft, forms, sheets

    assert sheets.COLUMNS == fields.SHEET_COLUMNS and "detail" in sheets.COLUMNS
    assert set(forms.LIST_FIELDS) <= set(fields.LIST_FIELDS)
    assert set(draft.PROCEDURE_FIELDS) == set(fields.BY_NAME) - {"code"}
    assert all(draft.FIELD_LABELS[k] == f.label for k, f in fields.BY_NAME.items())


def test_one_wording_for_each_document_form():
    from kiosk.admin.forms import DOC_FORM_LABEL

    assert {DocForm(k): v for k, v in DOC_FORM_LABEL.items()} == FORM_LABEL
    assert DocForm.COPY.how_many(2) == "02 bản sao"
    assert DocForm.PRESENT.how_many(1) == "xuất trình bản chính để đối chiếu"


def test_portal_url_only_for_national_codes(kb):
    p = kb.procedure("1.001193")
    assert p.portal_url and p.portal_url.endswith("ma_thu_tuc=1.001193")
    local = next(q for q in kb.content.procedures if q.code.startswith(("local.", "redirect.")))
    assert local.portal_url is None
