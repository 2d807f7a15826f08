"""The one declaration of a procedure's fields.

Every place that lists the fields of a Procedure derives its list from ``FIELDS``: the
source parser (which keys a procedure file may hold, which are lists, which are dates),
the serialiser, the database store, the exporter (field order of a procedure file), the
admin draft (what counts as a change, the Vietnamese labels), the spreadsheet (columns)
and the edit form. A new field is added here once (and to ``knowledge.model.Procedure``).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """What a field's value is, as the parser, the store and the forms read it."""

    TEXT = "text"  # one line
    NOTES = "notes"  # several lines
    DAYS = "days"  # working days, a number ≥ 0
    AMOUNT = "amount"  # VND, an integer ≥ 0
    DATE = "date"  # ISO date
    LIST = "list"  # a list of lines
    FLAG = "flag"  # true / false
    DOCUMENTS = "documents"  # the list of Document records
    DETAIL = "detail"  # knowledge.model.Detail


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    label: str  # what staff see in the admin (forms, change lists, spreadsheet headers)
    kind: Kind
    in_file: bool = True  # a key of a procedure file (``detail`` is told by the folder instead)
    in_sheet: bool = True  # a column of the admin spreadsheet
    in_brief_sheet: bool = False  # filled in for a catalogue entry (detail "brief") in the spreadsheet
    form: str | None = None  # how the edit form holds it: "text" (one input), "list" (one line each); None: by hand
    verifiable: bool = False  # staff may mark it "not yet confirmed" (unverified) on the edit form
    column: str | None = None  # its column in the store's ``procedures`` table (None: another table or snapshot only)
    omit_when_empty: bool = False  # the exporter leaves the key out of a file when empty (most have none)
    limit: int | None = None  # what staff may enter in the admin: characters (one value) or entries (a list)


# In the order of a procedure file (assets/content/README.md); the spreadsheet keeps this order too.
FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("code", "Mã thủ tục", Kind.TEXT, in_brief_sheet=True, verifiable=True, column="code", limit=60),
    FieldSpec("detail", "Mức chi tiết", Kind.DETAIL, in_file=False, in_brief_sheet=True, column="detail"),
    FieldSpec("title", "Tên thủ tục", Kind.TEXT, in_brief_sheet=True, form="text", verifiable=True, column="title",
              limit=2000),
    FieldSpec("short_title", "Tên ngắn (nút chọn)", Kind.TEXT, in_brief_sheet=True, omit_when_empty=True),
    FieldSpec("category", "Lĩnh vực", Kind.TEXT, in_brief_sheet=True, form="text", column="category", limit=100),
    FieldSpec("level", "Cấp giải quyết", Kind.TEXT, in_brief_sheet=True, form="text", column="level", limit=50),
    FieldSpec("handled_by", "Cơ quan giải quyết", Kind.TEXT, in_brief_sheet=True, form="text", verifiable=True,
              column="handled_by", limit=1000),
    FieldSpec("where", "Nơi nộp", Kind.TEXT, form="text", verifiable=True, column="where_to_submit", limit=2000),
    FieldSpec("counter", "Quầy", Kind.TEXT, form="text", verifiable=True, column="counter", limit=50),
    FieldSpec("processing_time", "Thời hạn giải quyết", Kind.TEXT, form="text", verifiable=True,
              column="processing_time", limit=2000),
    FieldSpec("processing_days", "Số ngày làm việc", Kind.DAYS, verifiable=True, column="processing_days"),
    FieldSpec("fee", "Lệ phí", Kind.TEXT, form="text", verifiable=True, column="fee", limit=2000),
    FieldSpec("fee_amount", "Số tiền lệ phí (đồng)", Kind.AMOUNT, verifiable=True, column="fee_amount"),
    FieldSpec("legal_basis", "Căn cứ pháp lý", Kind.LIST, form="list", verifiable=True, column="legal_basis",
              limit=100),
    FieldSpec("online_url", "Địa chỉ nộp trực tuyến", Kind.TEXT, form="text", verifiable=True, column="online_url",
              limit=500),
    FieldSpec("notes", "Lưu ý", Kind.NOTES, verifiable=True, column="notes", limit=8000),
    FieldSpec("verified_on", "Ngày kiểm tra", Kind.DATE, form="text", column="verified_on", limit=20),
    FieldSpec("sources", "Nguồn kiểm tra", Kind.LIST, in_brief_sheet=True, form="list", column="sources",
              limit=50),
    FieldSpec("unverified", "Trường chưa xác minh", Kind.LIST, column="unverified", limit=30),
    FieldSpec("national_differences", "Khác CSDL quốc gia (có lý do)", Kind.LIST, in_sheet=False, form="list",
              omit_when_empty=True),
    FieldSpec("effective_from", "Có hiệu lực từ", Kind.DATE, in_sheet=False, omit_when_empty=True),
    FieldSpec("effective_until", "Hết hiệu lực sau", Kind.DATE, in_sheet=False, omit_when_empty=True),
    FieldSpec("review_by", "Cần xem lại trước", Kind.DATE, in_sheet=False, omit_when_empty=True),
    FieldSpec("fact_changes", "Thay đổi theo ngày", Kind.LIST, in_sheet=False, omit_when_empty=True),
    FieldSpec("documents", "Giấy tờ", Kind.DOCUMENTS, verifiable=True, limit=100),
    FieldSpec("steps", "Các bước", Kind.LIST, form="list", verifiable=True, limit=100),
    FieldSpec("aliases", "Cách hỏi", Kind.LIST, in_brief_sheet=True, form="list", limit=200),
    FieldSpec("keywords", "Từ khóa", Kind.LIST, form="list", limit=200),
    FieldSpec("examples", "Câu hỏi thật của người dân", Kind.LIST, in_sheet=False, form="list", omit_when_empty=True,
              limit=1000),
    FieldSpec("retired", "Ngừng áp dụng", Kind.FLAG, column="retired"),
)
BY_NAME: dict[str, FieldSpec] = {f.name: f for f in FIELDS}


def names(*, where: Callable[[FieldSpec], bool] = lambda f: True) -> tuple[str, ...]:
    """The names of the fields ``where`` accepts, in declaration order."""
    return tuple(f.name for f in FIELDS if where(f))


FILE_FIELDS = names(where=lambda f: f.in_file)  # keys of a procedure file, in the exporter's order
LIST_FIELDS = names(where=lambda f: f.kind is Kind.LIST)
OPTIONAL_DATES = names(where=lambda f: f.kind is Kind.DATE and f.omit_when_empty)  # verified_on is required
SHEET_COLUMNS = names(where=lambda f: f.in_sheet)
LABELS: dict[str, str] = {f.name: f.label for f in FIELDS}
# The admin's input limits (kiosk.admin.limits): characters of one value, entries of a list.
VALUE_LIMITS = {f.name: f.limit for f in FIELDS if f.limit and f.kind not in (Kind.LIST, Kind.DOCUMENTS)}
LIST_LIMITS = {f.name: f.limit for f in FIELDS if f.limit and f.kind in (Kind.LIST, Kind.DOCUMENTS)}
