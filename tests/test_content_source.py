"""Content source: loading, and validation that reports every problem with file/line/field."""
from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from conftest import procedure_yaml

from knowledge.errors import ContentInvalid
from knowledge.model import Detail, DocForm
from knowledge.source import load_source, validate_source


def test_mini_content_loads(mini_content: Path):
    c = load_source(mini_content)
    full = [p for p in c.procedures if p.detail is Detail.FULL]
    assert len(full) == 5
    ks = c.procedure("1.001193")
    assert ks.title == "Đăng ký khai sinh"
    assert ks.documents[1].form is DocForm.PRESENT
    assert ks.documents[2].required is False and ks.documents[2].copies == 2
    brief = c.procedure("1.001022")
    assert brief.detail is Detail.BRIEF and brief.handled_by == "UBND cấp xã"
    assert c.office.counter_for("cu-tru").number == "2"


def _problems(root: Path) -> list:
    return validate_source(root)


def test_every_problem_reported_at_once(mini_content: Path):
    procs = mini_content / "procedures"
    # missing field (title) and unknown category in one file
    text = procedure_yaml("1.000001", "X", "khong-co", ["a", "b", "c", "d", "e"]).replace("title: X\n", "")
    (procs / "1.000001.yaml").write_text(text, encoding="utf-8")
    # bad code format
    (procs / "12345.yaml").write_text(procedure_yaml("12345", "Sai mã", "ho-tich", ["a", "b", "c", "d", "e"]), encoding="utf-8")
    # duplicate code (same code as 1.001193, different file name is also wrong)
    (procs / "zz-dup.yaml").write_text(procedure_yaml("1.001193", "Trùng", "ho-tich", ["a", "b", "c", "d", "e"]), encoding="utf-8")
    # broken YAML
    (procs / "1.000002.yaml").write_text('code: "1.000002"\ntitle: [không đóng\n', encoding="utf-8")
    problems = _problems(mini_content)
    text = "\n".join(map(str, problems))
    assert "procedures/1.000001.yaml" in text and "title: thiếu" in text
    assert "category" in text and "khong-co" in text
    assert "12345" in text and "sai định dạng" in text
    assert "zz-dup.yaml" in text
    assert "procedures/1.000002.yaml:" in text and "YAML sai cú pháp" in text
    by_file = {p.file for p in problems}
    assert {"procedures/1.000001.yaml", "procedures/12345.yaml", "procedures/zz-dup.yaml", "procedures/1.000002.yaml"} <= by_file


def test_problem_carries_the_line_of_the_field(mini_content: Path):
    path = mini_content / "procedures" / "1.001193.yaml"
    text = path.read_text(encoding="utf-8").replace("category: ho-tich", "category: ho-tic")
    path.write_text(text, encoding="utf-8")
    [problem] = _problems(mini_content)
    expected_line = text.splitlines().index("category: ho-tic") + 1
    assert problem.line == expected_line and problem.field == "category"
    assert str(problem).startswith(f"procedures/1.001193.yaml:{expected_line}: category:")


def test_unquoted_code_gets_a_helpful_message(mini_content: Path):
    path = mini_content / "procedures" / "1.001193.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace('code: "1.001193"', "code: 1.001193"), encoding="utf-8")
    [problem] = _problems(mini_content)
    assert "ngoặc kép" in problem.message


@pytest.mark.parametrize(
    "mutation, field",
    [
        (lambda t: t.replace("fee: Miễn lệ phí\n", ""), "fee"),
        (lambda t: t.replace("  - Luật Hộ tịch số 60/2014/QH13\n", "").replace("legal_basis:\n", "legal_basis: []\n"), "legal_basis"),
        (lambda t: t.replace("form: present", "form: photo"), "documents[1].form"),
        (lambda t: t.replace("copies: 2", "copies: 0"), "documents[2].copies"),
        (lambda t: t.replace("    condition: nhờ người khác nộp thay\n", ""), "documents[2].condition"),
        (lambda t: t.replace("verified_on: 2026-11-24", "verified_on: hôm qua"), "verified_on"),
        (lambda t: t + "fe_amount: 5\n", "fe_amount"),
    ],
)
def test_field_level_problems(mini_content: Path, mutation, field):
    path = mini_content / "procedures" / "1.000894.yaml"
    path.write_text(mutation(path.read_text(encoding="utf-8")), encoding="utf-8")
    problems = _problems(mini_content)
    assert [p.field for p in problems] == [field], problems
    assert problems[0].file == "procedures/1.000894.yaml" and problems[0].line


def test_too_few_aliases(mini_content: Path):
    (mini_content / "procedures" / "1.000894.yaml").write_text(
        procedure_yaml("1.000894", "Đăng ký kết hôn", "ho-tich", ["kết hôn", "ket hon", "kết hôn"]), encoding="utf-8")
    [problem] = _problems(mini_content)
    assert problem.field == "aliases" and "ít nhất 5" in problem.message


def test_local_code_must_be_marked_unverified(mini_content: Path):
    path = mini_content / "procedures" / "local.thu-nghiem.yaml"
    path.write_text(procedure_yaml("local.thu-nghiem", "Thủ tục chưa có mã", "ho-tich", list("abcde")), encoding="utf-8")
    assert [p.field for p in _problems(mini_content)] == ["unverified"]
    path.write_text(path.read_text(encoding="utf-8") + "unverified: [code]\n", encoding="utf-8")
    assert _problems(mini_content) == []


def test_catalogue_problems_have_line_numbers(mini_content: Path):
    (mini_content / "catalogue.csv").write_text(
        "code,title,category,handled_by,level,source\n"
        "1.001022,Chứng thực chữ ký,chung-thuc,UBND cấp xã,xã,\n"
        "1.001022,Trùng,chung-thuc,UBND cấp xã,xã,\n"
        "9.99,Sai mã,chung-thuc,UBND cấp xã,xã,\n"
        "1.000123,Lĩnh vực lạ,la,UBND cấp xã,xã,\n",
        encoding="utf-8",
    )
    problems = _problems(mini_content)
    assert [(p.line, p.field) for p in problems] == [(3, "code"), (4, "code"), (5, "category")]


def test_decomposed_unicode_is_normalised_to_nfc(mini_content: Path):
    path = mini_content / "procedures" / "1.000894.yaml"
    path.write_text(unicodedata.normalize("NFD", path.read_text(encoding="utf-8")), encoding="utf-8")
    c = load_source(mini_content)
    p = c.procedure("1.000894")
    assert p.title == "Đăng ký kết hôn" and unicodedata.is_normalized("NFC", p.title)
    assert all(unicodedata.is_normalized("NFC", a) for a in p.aliases)


def test_missing_office_and_unknown_counter_category(mini_content: Path):
    (mini_content / "office.yaml").write_text(
        "name: X\naddress: Y\nhours: Z\ncounters:\n  - number: '1'\n    name: A\n    categories: [khong-co]\n",
        encoding="utf-8")
    with pytest.raises(ContentInvalid) as exc:
        load_source(mini_content)
    assert [p.field for p in exc.value.problems] == ["counters[0].categories"]


def test_catalogue_aliases_column_is_optional(mini_content: Path):
    (mini_content / "catalogue.csv").write_text(
        "code,title,category,handled_by,level,source,aliases\n"
        "1.001022,Chứng thực chữ ký,chung-thuc,UBND cấp xã,xã,QĐ 113,ký chứng thực| chung thuc chu ky |\n",
        encoding="utf-8",
    )
    p = load_source(mini_content).procedure("1.001022")
    assert p.detail is Detail.BRIEF and p.aliases == ("ký chứng thực", "chung thuc chu ky")


def test_catalogue_examples_are_read_and_exported_again(mini_content: Path, tmp_path: Path):
    from knowledge.export import export_content

    (mini_content / "catalogue.csv").write_text(
        "code,title,category,handled_by,level,source,aliases,short_title,examples\n"
        "1.001022,Chứng thực chữ ký,chung-thuc,UBND cấp xã,xã,QĐ 113,ký chứng thực,Ký tên,"
        "\"con tôi đi làm ở Hàn cần ký tên vào giấy ủy quyền|ba tui ky giay to nha dat can chung thuc\"\n",
        encoding="utf-8",
    )
    p = load_source(mini_content).procedure("1.001022")
    assert p.examples == ("con tôi đi làm ở Hàn cần ký tên vào giấy ủy quyền", "ba tui ky giay to nha dat can chung thuc")
    export_content(load_source(mini_content), tmp_path / "out")
    assert load_source(tmp_path / "out").procedure("1.001022").examples == p.examples


def test_catalogue_counter_column_is_read_and_exported_again(mini_content: Path, tmp_path: Path):
    # a catalogue entry received elsewhere names its place, or a counter number, like a file
    from knowledge.export import export_content

    (mini_content / "catalogue.csv").write_text(
        "code,title,category,handled_by,level,source,aliases,short_title,examples,counter\n"
        "1.013135,Thủ tục đăng ký phục vụ trong ngạch dự bị,chung-thuc,Ban chỉ huy quân sự cấp xã,xã,QĐ 1,"
        ",,,Ban Chỉ huy quân sự phường\n"
        "1.001022,Chứng thực chữ ký,chung-thuc,UBND cấp xã,xã,QĐ 113,,,,\n",
        encoding="utf-8",
    )
    content = load_source(mini_content)
    assert content.procedure("1.013135").counter == "Ban Chỉ huy quân sự phường"
    assert content.procedure("1.001022").counter is None
    export_content(content, tmp_path / "out")
    again = load_source(tmp_path / "out")
    assert again.procedure("1.013135").counter == "Ban Chỉ huy quân sự phường"
    assert again.procedure("1.001022").counter is None


@pytest.mark.slow
def test_shipped_redirects_and_families_survive_export_and_reload(tmp_path: Path):
    """The admin publishes by exporting the database to text and validating it: a redirect
    that names no documents is exported as `documents: []` and must still load."""
    from knowledge.export import export_content

    repo = Path(__file__).resolve().parents[1]
    content = load_source(repo / "assets" / "content")
    redirects = {p.code for p in content.procedures if p.detail is Detail.REDIRECT}
    assert "redirect.ly-hon" in redirects and any(not content.procedure(c).documents for c in redirects)
    export_content(content, tmp_path)
    assert validate_source(tmp_path) == []
    again = load_source(tmp_path)
    assert {p.code for p in again.procedures if p.detail is Detail.REDIRECT} == redirects
    assert [f.members for f in again.families] == [f.members for f in content.families]
    assert again.procedure("redirect.ly-hon").where == content.procedure("redirect.ly-hon").where


def test_the_shipped_content_fits_what_the_admin_accepts():
    # `kiosk content validate` reads the files; the admin (forms, spreadsheet import) also holds
    # every field to a length (knowledge.fields). A file over one is valid but cannot be
    # exported and imported again by staff (2026-12-06: a counter in words of 68 characters
    # broke the spreadsheet round trip).
    from kiosk.admin.limits import procedure_problems
    from knowledge.serialize import content_to_dict

    root = Path(__file__).resolve().parents[1] / "assets" / "content"
    over = {p["code"]: problems for p in content_to_dict(load_source(root))["procedures"]
            if (problems := procedure_problems(p))}
    assert over == {}
