"""The national procedure database snapshot: reading, drafting from an official record, the audit.

Fixture: a few records copied unchanged from the July 2026 snapshot (tests/data/national,
see its README). The last tests run on the whole snapshot in ../shared/data when present.
"""
from __future__ import annotations

import dataclasses
import gzip
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from knowledge.audit import audit, report_text
from knowledge.export import export_content
from knowledge.model import Category, Content, Detail, DocForm, Document, Office, Procedure
from knowledge.national import (
    NationalError,
    draft_from_national,
    procedure_from_record,
    read_snapshot,
    read_snapshot_bytes,
)
from knowledge.source import load_source, validate_source

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "data" / "national"
CATALOGUE = FIXTURE / "catalogue-2026-07.jsonl"
DETAILS = FIXTURE / "details-2026-07.jsonl.gz"
SHARED = Path(os.environ.get("KIOSK_NATIONAL_DATA", REPO.parent / "shared" / "data"))
if not SHARED.is_dir() and Path("/work/shared/data").is_dir():
    SHARED = Path("/work/shared/data")
SHARED_FILES = [SHARED / "national-procedure-catalogue-2026-07.jsonl.gz", SHARED / "national-procedure-details-2026-07.jsonl.gz"]


@pytest.fixture(scope="module")
def snap():
    return read_snapshot([CATALOGUE, DETAILS])


def _record(code: str) -> dict:
    with gzip.open(DETAILS, "rt", encoding="utf-8") as f:
        return next(r for r in map(json.loads, f) if r["code"] == code)


# ---- reading ------------------------------------------------------------------------------------
def test_reads_gzip_details_and_plain_catalogue_and_merges_them(snap):
    assert len(snap.procedures) == 12 and snap.detailed_count == 5
    assert snap.catalogue and snap.details
    p = snap.get("1.004194")
    assert p.detailed and p.departments == ("Công an cấp Xã",) and p.url.endswith(p.id)
    assert p.url == "https://dichvucong.gov.vn/thu-tuc-hanh-chinh/" + _record("1.004194")["id"]
    assert snap.get("2.000913").detailed is False  # a catalogue row only


def test_commune_level_means_cap_xa_or_isward_not_xa_hoi(snap):
    codes = [p.code for p in snap.commune_procedures()]
    # 2.000635 has no commune department in the catalogue but isWard in its details record;
    # 3.000499 is handled by "Bảo hiểm xã hội tỉnh"; 1.000894's catalogue row names nobody.
    assert codes == ["1.001193", "1.001612", "1.004194", "2.000635", "2.000913", "2.000930", "2.001023", "2.001159"]
    # A province's own procedures count for that province only.
    assert "1.115753" in [p.code for p in snap.commune_procedures("tỉnh Lạng Sơn")]
    assert "1.115753" not in [p.code for p in snap.commune_procedures("Thành phố Hồ Chí Minh")]


@pytest.mark.parametrize("data, message", [
    (b"", "không có bản ghi"),
    (b'{"code": "1.001193", "name": "x"}\nday khong phai json\n', "dòng 2: không phải JSON"),
    (b"[1, 2]\n", "dòng 1: mỗi dòng phải là một đối tượng JSON"),
    (b"\x1f\x8b\x08\x00hong", "không đọc được"),
    (b"\xff\xfe\x00rubbish", "không đọc được"),
])
def test_bad_snapshot_is_one_clear_error(data, message):
    with pytest.raises(NationalError, match=message):
        read_snapshot_bytes(data, "tệp.jsonl")


def test_a_snapshot_bigger_than_the_limit_is_refused():
    line = json.dumps({"code": "1.001193", "name": "Đăng ký khai sinh"}, ensure_ascii=False).encode() + b"\n"
    with pytest.raises(NationalError, match="quá lớn"):
        read_snapshot_bytes(gzip.compress(line * 1000), "to.jsonl.gz", max_bytes=10_000)


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(NationalError, match="không thấy tệp"):
        read_snapshot(tmp_path / "khong-co.jsonl.gz")


# ---- a draft from the official record -----------------------------------------------------------
def test_draft_takes_documents_fees_time_and_basis_from_the_record():
    rec = _record("1.004194")
    p = procedure_from_record(rec)
    assert p.code == "1.004194" and p.title == "Đăng ký tạm trú" and p.category == "cu-tru"
    assert p.handled_by == "Công an cấp xã" and p.level == "xã" and p.detail is Detail.FULL
    assert p.processing_days == 3 and p.processing_time == "03 ngày làm việc"
    # Documents with quantities, their counts from originalQty/copyQty; 0/0 rows become notes.
    rows = [c for case in rec["executionCases"] for c in case["profileComponents"] if c["originalQty"] or c["copyQty"]]
    assert len(p.documents) == len(rows)
    listing = next(d for d in p.documents if d.name.startswith("Văn bản đề nghị đăng ký tạm trú"))
    assert listing.form is DocForm.EITHER and listing.copies == 1  # originalQty 1, copyQty 1
    ct01 = next(d for d in p.documents if d.name.startswith("Tờ khai thay đổi thông tin cư trú (Mẫu CT01"))
    assert ct01.form is DocForm.ORIGINAL and ct01.copies == 1
    assert all(d.required or d.condition for d in p.documents)
    assert "Lưu ý:" in p.notes
    # The direct-channel fees are several (cá nhân 15.000, theo danh sách 10.000): no single amount.
    assert p.fee_amount is None and "15.000" in p.fee
    assert "Luật Cư trú 2020" in p.legal_basis
    assert p.sources[0].startswith("https://dichvucong.gov.vn/thu-tuc-hanh-chinh/" + rec["id"])
    assert {"aliases", "where", "fee", "notes"} <= set(p.unverified)


def test_draft_fee_and_same_day_limit():
    p = procedure_from_record(_record("2.000635"))
    assert p.fee_amount == 8000 and p.fee.startswith("8.000 đồng")
    assert p.processing_days == 1
    lt = procedure_from_record(_record("2.001159"))
    assert lt.processing_days == 0 and lt.processing_time == "01 giờ"  # 1 hour = same day


def test_draft_prefers_the_commune_agency_and_keeps_calendar_days_as_text():
    p = procedure_from_record(_record("2.001023"))
    assert p.handled_by == "UBND cấp xã" and "handled_by" in p.unverified  # the record names a trade union
    assert p.processing_time == "15 ngày" and p.processing_days is None  # calendar days are not working days


def test_a_catalogue_row_cannot_make_a_draft():
    row = json.loads(CATALOGUE.read_text(encoding="utf-8").splitlines()[0])
    with pytest.raises(NationalError, match="tệp chi tiết"):
        procedure_from_record(row)


@pytest.mark.slow
def test_a_draft_becomes_valid_content_once_a_person_adds_aliases(tmp_path):
    """Every fixture draft passes the content rules after the human steps unverified names."""
    content = load_source(REPO / "assets" / "content")
    drafts = []
    for code in ("1.001193", "2.001159", "1.004194", "2.000635", "2.001023"):
        p = procedure_from_record(_record(code))
        assert len(p.aliases) < 5  # not publishable as drafted: people must say how citizens ask
        drafts.append(dataclasses.replace(
            p, aliases=p.aliases + ("cách hỏi một", "cách hỏi hai", "cách hỏi ba"), where="Bộ phận Một cửa"))
    mini = Content(tuple(drafts), content.categories, content.office)
    export_content(mini, tmp_path)
    assert validate_source(tmp_path) == []
    raw = yaml.safe_load((tmp_path / "procedures" / "1.004194.yaml").read_text(encoding="utf-8"))
    assert raw["code"] == "1.004194" and "national_differences" not in raw


# ---- the audit ----------------------------------------------------------------------------------
OFFICE = Office("UBND phường Thử", "1 Đường Một, phường Thử, Thành phố Hồ Chí Minh", "7 giờ 30 – 17 giờ")
CATS = (Category("ho-tich", "Hộ tịch"), Category("cu-tru", "Cư trú"), Category("chung-thuc", "Chứng thực"))


def _full(code: str, title: str, **kw) -> Procedure:
    base: dict[str, Any] = dict(code=code, title=title, category="cu-tru", handled_by="Công an cấp xã", processing_time="03 ngày làm việc",
                processing_days=3, fee="15.000 đồng khi nộp trực tiếp", fee_amount=15000, legal_basis=("Luật Cư trú",),
                verified_on="2026-12-01", sources=("https://dichvucong.gov.vn/",), steps=("Nộp hồ sơ.",),
                aliases=tuple(f"hỏi {i}" for i in range(5)),
                documents=(Document("Tờ khai thay đổi thông tin cư trú (mẫu CT01)", DocForm.ORIGINAL, 1),))
    base.update(kw)
    return Procedure(**base)


def _content(*procs: Procedure) -> Content:
    return Content(procs, CATS, OFFICE)


def test_audit_agreeing_procedure_has_no_findings(snap):
    r = audit(_content(_full("1.004194", "Đăng ký tạm trú")), snap)
    assert [f for f in r.findings if f.code == "1.004194"] == []
    assert r.compared == 1 and r.disagreements == []


def test_audit_reports_each_kind(snap):
    content = _content(
        _full("1.004194", "Đăng ký tạm trú", processing_time="07 ngày làm việc", processing_days=7,
              fee="Miễn lệ phí", fee_amount=0,
              documents=(Document("Tờ khai thay đổi thông tin cư trú (mẫu CT01)", DocForm.ORIGINAL, 2),)),
        _full("2.000635", "Cấp bản sao trích lục hộ tịch", category="ho-tich", fee="10.000 đồng/bản", fee_amount=10000,
              processing_time="Trong ngày làm việc; nộp sau 15 giờ thì trả trong ngày làm việc tiếp theo",
              processing_days=0, documents=(Document("Tờ khai theo mẫu", DocForm.ORIGINAL, 1),)),
        _full("1.999999", "Thủ tục không có mã"),
        dataclasses.replace(_full("2.001159", "Khai báo lưu trú ở nhà"), detail=Detail.BRIEF),
    )
    assert not audit(content, snap).absent_checked  # 12 catalogue rows are not the whole national list
    r = audit(content, snap, check_absent=True)
    kinds = {(f.kind, f.code) for f in r.findings}
    assert ("processing_time", "1.004194") in kinds and ("fee", "1.004194") in kinds
    assert ("documents", "1.004194") in kinds and ("fee", "2.000635") in kinds
    assert ("processing_time", "2.000635") not in kinds  # same day / next day after 15:00 = 1 day
    assert ("absent", "1.999999") in kinds and ("title", "2.001159") in kinds
    missing = sorted(f.code for f in r.of("missing"))
    assert missing == ["1.001193", "1.001612", "2.000913", "2.000930", "2.001023"]
    assert (r.commune_total, r.commune_known, r.coverage) == (8, 3, 37.5)
    doc = next(f for f in r.findings if f.kind == "documents")
    assert "nội dung ghi 2 bản chính, CSDL quốc gia ghi 1 bản chính" in doc.message
    fee = next(f for f in r.findings if f.kind == "fee" and f.code == "2.000635")
    assert "10.000 đồng" in fee.message and "8.000 đồng" in fee.message
    text = report_text(r)
    assert "nội dung biết 3/8 = 37.5 %" in text and "Lệ phí khác CSDL quốc gia: 2" in text
    js = r.to_json()
    # 2.000635's record lists a power of attorney (văn bản ủy quyền) the content lacks.
    assert any(f.code == "2.000635" and "«Văn bản ủy quyền" in f.message for f in r.of("documents"))
    assert js["coverage"]["percent"] == 37.5 and js["counts"]["disagreements"] == len(r.disagreements) == 5
    json.dumps(js, ensure_ascii=False)


def test_a_written_reason_turns_a_disagreement_into_explained(snap):
    p = _full("1.004194", "Đăng ký tạm trú", processing_time="07 ngày làm việc", processing_days=7,
              national_differences=("processing_time: Quyết định công bố mới của tỉnh (ví dụ) rút/đổi thời hạn",))
    r = audit(_content(p), snap)
    t = next(f for f in r.findings if f.kind == "processing_time")
    assert t.explained.startswith("Quyết định công bố mới") and r.disagreements == []
    assert "đã ghi lý do: 1" in report_text(r)


def test_national_differences_lines_are_validated(tmp_path):
    p = _full("1.004194", "Đăng ký tạm trú", national_differences=("lệ phí khác",))
    export_content(_content(p), tmp_path)
    problems = validate_source(tmp_path)
    assert any(pr.field.startswith("national_differences") and "trường: lý do" in pr.message for pr in problems)


# ---- the CLI ------------------------------------------------------------------------------------
def kiosk(*args: str, data_dir: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_") or k == "KIOSK_CONFIG"}
    env["KIOSK_PATHS_DATA_DIR"] = str(data_dir)
    return subprocess.run([sys.executable, "-m", "kiosk", *args], capture_output=True, text=True, env=env, cwd=REPO,
                          timeout=300)


@pytest.mark.slow
def test_cli_audit_json_and_text(tmp_path, mini_content):
    r = kiosk("content", "audit", str(mini_content), "--national", str(CATALOGUE), "--national", str(DETAILS), "--json",
              data_dir=tmp_path)
    assert r.returncode == 0, r.stderr
    js = json.loads(r.stdout)
    assert js["snapshot"]["records"] == 12 and js["coverage"]["commune_level"] == 8
    assert js["coverage"]["known"] == 2  # 1.001193 and 1.004194 of the mini content
    codes = {(f["kind"], f["code"]) for f in js["findings"]}
    assert ("fee", "1.004194") in codes and ("processing_time", "1.004194") in codes
    t = kiosk("content", "audit", str(mini_content), "--national", str(DETAILS), "--strict", data_dir=tmp_path)
    assert t.returncode == 1 and "Thời hạn khác CSDL quốc gia" in t.stdout


@pytest.mark.slow
def test_cli_draft_writes_a_procedure_file_and_never_overwrites(tmp_path):
    out = tmp_path / "nhap"
    r = kiosk("content", "draft", "2.000635", "--national", str(DETAILS), "--out", str(out), data_dir=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "Còn phải làm: aliases, where" in r.stdout
    data = yaml.safe_load((out / "2.000635.yaml").read_text(encoding="utf-8"))
    assert data["code"] == "2.000635" and data["fee_amount"] == 8000 and data["category"] == "ho-tich"
    again = kiosk("content", "draft", "2.000635", "--national", str(DETAILS), "--out", str(out), data_dir=tmp_path)
    assert again.returncode == 1 and again.stderr.startswith("Lỗi: đã có") and "Traceback" not in again.stderr
    brief = kiosk("content", "draft", "2.000913", "--national", str(CATALOGUE), "--out", str(out), data_dir=tmp_path)
    assert brief.returncode == 1 and "chỉ có trong danh mục" in brief.stderr
    bad = kiosk("content", "audit", "--national", str(REPO / "README.md"), data_dir=tmp_path)
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1 and "không phải JSON" in bad.stderr


# ---- the whole July 2026 snapshot (../shared/data) ---------------------------------------------------
needs_shared = pytest.mark.skipif(not all(f.is_file() for f in SHARED_FILES),
                                  reason=f"national snapshot not found in {SHARED} (set KIOSK_NATIONAL_DATA)")


@pytest.mark.slow
@needs_shared
def test_whole_snapshot_audit_of_the_shipped_content():
    snap = read_snapshot(SHARED_FILES)
    assert len(snap.procedures) == 5669 and snap.detailed_count == 502
    assert len(snap.commune_procedures()) == 394
    content = load_source(REPO / "assets" / "content")
    r = audit(content, snap, "Thành phố Hồ Chí Minh")
    assert r.commune_total == 394 and r.commune_known >= 267 and r.compared >= 31
    # The procedures fixed for issue 13 agree with their official records or say why not.
    assert not [f for f in r.disagreements if f.code in ("2.001159",)]
    assert not [f for f in r.of("title", explained=False) if f.code == "2.001406"]


@pytest.mark.slow
@needs_shared
def test_every_commune_record_drafts_into_valid_content(tmp_path):
    """Once a person adds aliases and where, a draft is valid content, except for what its
    record lacks (some records list no document or no legal basis) — and that is in unverified."""
    snap = read_snapshot(SHARED_FILES[1])
    content = load_source(REPO / "assets" / "content")
    drafts = {n.code: dataclasses.replace(draft_from_national(n), where="Bộ phận Một cửa",
                                          aliases=("cách hỏi một", "cách hỏi hai", "cách hỏi ba", "cách hỏi bốn", "cách hỏi năm"))
              for n in snap.procedures.values() if n.commune_level}
    assert len(drafts) == 228
    export_content(Content(tuple(drafts.values()), content.categories, content.office), tmp_path)
    problems = validate_source(tmp_path)
    for pr in problems:
        code = Path(pr.file).stem
        assert pr.field.split("[")[0] in drafts[code].unverified, pr
    assert len({Path(pr.file).stem for pr in problems}) < 40
