"""A snapshot of the national procedure database (Cơ sở dữ liệu quốc gia về TTHC), read and drafted from.

The National Public Service Portal's catalogue API gives one JSON object a line, in two
shapes (both read here, gzip or plain, and merged by code):

* the **catalogue** (``code``, ``name``, ``categories``, ``departments``, ``type``…), and
* the **details** (``executionCases[].profileComponents[]`` with ``originalQty``/``copyQty``,
  ``executionMethods`` with time limits and fees per channel, ``executionSteps``,
  ``legalBasisesDetails``, ``departmentsExecuting``, ``isWard``…).

The snapshot is reference data staff hand to the tools (``kiosk content audit``, the admin
page "Đối chiếu CSDL quốc gia"); the kiosk never reads it at run time.
:func:`procedure_from_record` turns an official detail record into a *draft* written-up
procedure: the facts are the record's, and ``unverified`` lists what a person must still do
(aliases the way citizens ask, where to go in this office, anything the record left vague).
"""
from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Iterable, Iterator

from knowledge.errors import KnowledgeError
from knowledge.model import Detail, DocForm, Document, Procedure
from knowledge.normalize import fold

PORTAL = "https://dichvucong.gov.vn/thu-tuc-hanh-chinh/"
# A catalogue row names who handles a procedure in free text; "cấp xã" is the commune level
# ("Ủy ban nhân dân cấp xã", "Công an cấp Xã", "Ban chỉ huy quân sự cấp Xã", "Chủ tịch UBND cấp xã"…).
# A bare "xã" is not enough: "Bảo hiểm xã hội tỉnh" and "trật tự xã hội" contain it too.
_COMMUNE = re.compile(r"cấp\s+xã", re.IGNORECASE)
CHANNEL_LABEL = {"DIRECT": "trực tiếp", "ONLINE": "trực tuyến", "POSTAL": "qua bưu chính"}
CHANNEL_ORDER = ("DIRECT", "ONLINE", "POSTAL")
# Hours a working day: the portal gives a few limits in hours; 8 h is one office day.
HOURS_PER_DAY = 8
# Categories of the official database → content category codes, for a snapshot category no
# existing content procedure tells us about (see category_map). First match wins.
CATEGORY_WORDS = (
    ("hộ tịch", "ho-tich"), ("nuôi con nuôi", "ho-tich"), ("chứng thực", "chung-thuc"),
    ("cư trú", "cu-tru"), ("căn cước", "cu-tru"), ("định danh", "cu-tru"), ("xuất nhập cảnh", "cu-tru"),
    ("đất đai", "dat-dai-xay-dung"), ("xây dựng", "dat-dai-xay-dung"), ("nhà ở", "dat-dai-xay-dung"),
    ("quy hoạch", "dat-dai-xay-dung"), ("hộ kinh doanh", "kinh-doanh"), ("hợp tác xã", "kinh-doanh"),
    ("người có công", "nguoi-co-cong"), ("chính sách bqp", "nguoi-co-cong"), ("bảo trợ xã hội", "chinh-sach-xa-hoi"),
    ("trẻ em", "chinh-sach-xa-hoi"), ("giảm nghèo", "chinh-sach-xa-hoi"), ("bảo hiểm y tế", "bao-hiem-y-te"),
    ("giáo dục", "giao-duc"), ("văn bằng", "giao-duc"), ("hòa giải", "tu-phap-khac"), ("bồi thường nhà nước", "tu-phap-khac"),
    ("nông nghiệp", "nong-nghiep-moi-truong"), ("lâm nghiệp", "nong-nghiep-moi-truong"), ("thủy sản", "nong-nghiep-moi-truong"),
    ("thủy lợi", "nong-nghiep-moi-truong"), ("trồng trọt", "nong-nghiep-moi-truong"), ("chăn nuôi", "nong-nghiep-moi-truong"),
    ("môi trường", "nong-nghiep-moi-truong"), ("tài nguyên nước", "nong-nghiep-moi-truong"),
)
DEFAULT_CATEGORY = "khac"
# A catalogue file this long is the whole national list (July 2026: 5,670 rows); a shorter one
# (one province's export, a test fixture) cannot tell that a code is absent nationally.
COMPLETE_CATALOGUE = 1000


class NationalError(KnowledgeError):
    """A snapshot file that cannot be read (the CLI prints it as one line)."""


# ---- the records ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class OfficialDocument:
    name: str
    original: int  # originalQty: bản chính
    copies: int  # copyQty: bản sao
    required: bool
    group: str = ""  # the execution case / heading it is listed under ("Giấy tờ phải xuất trình", "Trường hợp…")

    @property
    def counted(self) -> bool:
        """A document with a quantity; 0/0 rows of the portal are explanatory notes."""
        return self.original > 0 or self.copies > 0

    @property
    def shown(self) -> bool:
        """Listed under a "giấy tờ phải xuất trình" heading: shown, not handed in."""
        return "xuất trình" in self.group.lower()


@dataclass(frozen=True, slots=True)
class OfficialFee:
    channel: str  # DIRECT | ONLINE | POSTAL
    kind: str  # FEE (phí) | SERVICE_FEE (lệ phí) | PRICE_LEVEL
    amount: int | None
    description: str = ""


@dataclass(frozen=True, slots=True)
class OfficialTime:
    channel: str
    amount: float | None
    unit: str  # WORKING_DAY | DAY | HOUR | MONTH | OTHER
    description: str = ""

    @property
    def days(self) -> float | None:
        """Working days, or None when the record gives no number (unit OTHER and no plain text)."""
        if self.unit == "WORKING_DAY" and self.amount is not None:
            return self.amount
        if self.unit == "DAY" and self.amount is not None:
            return self.amount  # calendar days; the comparison allows for weekends
        if self.unit == "HOUR" and self.amount is not None:
            return 0.0 if self.amount <= HOURS_PER_DAY else self.amount / HOURS_PER_DAY
        if self.unit == "MONTH" and self.amount is not None:
            return self.amount * 30
        return days_in_text(self.description)

    def label(self) -> str:
        if self.amount is not None and self.unit in ("WORKING_DAY", "DAY", "HOUR", "MONTH"):
            word = {"WORKING_DAY": "ngày làm việc", "DAY": "ngày", "HOUR": "giờ", "MONTH": "tháng"}[self.unit]
            n = int(self.amount) if float(self.amount).is_integer() else self.amount
            return f"{n:02d} {word}" if isinstance(n, int) and n < 10 else f"{n} {word}"
        return first_sentence(self.description) or "không ghi số ngày"


@dataclass(frozen=True, slots=True)
class NationalProcedure:
    code: str
    name: str
    id: str = ""
    type: str = ""  # STANDARD | SPECIFIC (one province's own) | STANDARD_INTERNAL
    state: str = ""
    categories: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()  # who handles it (catalogue), often blank
    promulgated_by: str = ""  # issuing ministry, or the province of a SPECIFIC one
    is_ward: bool | None = None  # details: handled at commune level
    detailed: bool = False  # a details record was read
    executing: tuple[str, ...] = ()  # departmentsExecuting
    documents: tuple[OfficialDocument, ...] = ()
    fees: tuple[OfficialFee, ...] = ()
    times: tuple[OfficialTime, ...] = ()
    steps: tuple[str, ...] = ()
    legal_basis: tuple[str, ...] = ()
    requirements: str = ""
    results: tuple[str, ...] = ()
    decision: str = ""  # the decision that published it (procedureProposal.proposalNumber)
    updated_at: str | None = None  # ISO date of the record's last update

    @property
    def url(self) -> str | None:
        return PORTAL + self.id if self.id else None

    @property
    def commune_level(self) -> bool:
        if self.is_ward:
            return True
        return any(_COMMUNE.search(d) for d in (*self.departments, *self.executing))

    def time_for(self, channel: str = "DIRECT") -> OfficialTime | None:
        return next((t for t in self.times if t.channel == channel), self.times[0] if self.times else None)


@dataclass
class Snapshot:
    """Procedures by code; ``catalogue``/``details`` say which shapes were read."""

    procedures: dict[str, NationalProcedure] = field(default_factory=dict)
    catalogue: bool = False  # a catalogue file was read
    details: bool = False
    catalogue_rows: int = 0
    sources: list[str] = field(default_factory=list)

    def get(self, code: str) -> NationalProcedure | None:
        return self.procedures.get(code)

    def commune_procedures(self, province: str | None = None) -> list[NationalProcedure]:
        """National standard procedures handled at commune level, plus the province's own (SPECIFIC) ones."""
        out = []
        for p in self.procedures.values():
            if not p.commune_level:
                continue
            if p.type == "STANDARD" or (province and p.type == "SPECIFIC" and _same_province(p.promulgated_by, province)):
                out.append(p)
        return sorted(out, key=lambda p: p.code)

    @property
    def complete(self) -> bool:
        """A whole national catalogue, so a code missing from it is absent nationally (not just from a subset)."""
        return self.catalogue and self.catalogue_rows >= COMPLETE_CATALOGUE

    @property
    def detailed_count(self) -> int:
        return sum(p.detailed for p in self.procedures.values())


def _same_province(promulgated_by: str, province: str) -> bool:
    a, b = fold(promulgated_by).lower(), fold(province).lower()
    b = re.sub(r"^(thanh pho|tinh|tp\.?)\s+", "", b.strip())
    return bool(b) and b in a


# ---- reading ------------------------------------------------------------------------------------
def _open_text(raw: IO[bytes], name: str) -> IO[str]:
    head = raw.peek(2)[:2] if hasattr(raw, "peek") else b""
    if head == b"\x1f\x8b":
        return gzip.open(raw, "rt", encoding="utf-8-sig", errors="strict")
    return io.TextIOWrapper(raw, encoding="utf-8-sig", errors="strict")


def iter_records(raw: IO[bytes], name: str = "snapshot", max_bytes: int | None = None) -> Iterator[dict[str, Any]]:
    """JSON objects of a JSONL stream (gzip or plain). Bad input → NationalError naming the line."""
    text = _open_text(raw if hasattr(raw, "peek") else io.BufferedReader(raw), name)  # type: ignore[type-var]  # typeshed wants a RawIOBase; any binary stream reads
    total = 0
    try:
        for n, line in enumerate(text, 1):
            total += len(line)
            if max_bytes is not None and total > max_bytes:
                raise NationalError(f"{name}: tệp quá lớn (quá {max_bytes // 1_000_000} MB khi giải nén) / too large")
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except ValueError:
                raise NationalError(f"{name}, dòng {n}: không phải JSON / line {n} is not JSON") from None
            if not isinstance(obj, dict):
                raise NationalError(f"{name}, dòng {n}: mỗi dòng phải là một đối tượng JSON / not an object")
            yield obj
    except (UnicodeDecodeError, gzip.BadGzipFile, EOFError, OSError) as exc:
        if isinstance(exc, NationalError):
            raise
        raise NationalError(f"{name}: không đọc được (không phải JSONL hoặc JSONL nén gzip) / unreadable: {exc}") from None


def read_snapshot(sources: Iterable[str | Path] | str | Path, max_bytes: int | None = None,
                  into: Snapshot | None = None) -> Snapshot:
    """Read one or more snapshot files (catalogue and/or details) into one Snapshot."""
    if isinstance(sources, (str, Path)):
        sources = [sources]
    snap = into or Snapshot()
    for src in sources:
        path = Path(src)
        if not path.is_file():
            raise NationalError(f"không thấy tệp CSDL quốc gia / snapshot not found: {path}")
        with path.open("rb") as f:
            add_records(snap, iter_records(f, path.name, max_bytes), path.name)
    return snap


def read_snapshot_bytes(data: bytes, name: str = "tệp tải lên", max_bytes: int | None = None,
                        into: Snapshot | None = None) -> Snapshot:
    snap = into or Snapshot()
    add_records(snap, iter_records(io.BufferedReader(io.BytesIO(data)), name, max_bytes), name)
    return snap


def add_records(snap: Snapshot, records: Iterable[dict[str, Any]], name: str) -> None:
    n = 0
    for rec in records:
        code = _clean(rec.get("code") or rec.get("codeNotation"))
        if not code or not _clean(rec.get("name")):
            continue  # a record without a code or a name is nothing we can compare
        new = national_from_record(rec)
        old = snap.procedures.get(code)
        snap.procedures[code] = _merge(old, new) if old else new
        snap.details |= new.detailed
        snap.catalogue |= not new.detailed
        snap.catalogue_rows += not new.detailed
        n += 1
    if n == 0:
        raise NationalError(f"{name}: không có bản ghi thủ tục nào (cần các dòng JSON có 'code' và 'name') / no records")
    snap.sources.append(name)


def _merge(a: NationalProcedure, b: NationalProcedure) -> NationalProcedure:
    """A details record and a catalogue row of the same code: details win, the catalogue fills gaps."""
    det, cat = (a, b) if a.detailed else (b, a)
    from dataclasses import replace

    return replace(
        det,
        id=det.id or cat.id, type=det.type or cat.type, state=det.state or cat.state,
        categories=det.categories or cat.categories,
        departments=tuple(dict.fromkeys((*cat.departments, *det.departments))),
        promulgated_by=det.promulgated_by or cat.promulgated_by,
    )


# ---- one record -------------------------------------------------------------------------------
_BULLET = re.compile(r"^\s*(?:[-–+*•·]+|\(?[a-zđ0-9]{1,3}[.)]|bước\s*\d+\s*[:.)-])\s*", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


def _clean(value: Any) -> str:
    if value is None:
        return ""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", str(value))).strip()


def _unbullet(text: str) -> str:
    prev = None
    while prev != text:
        prev, text = text, _BULLET.sub("", text, count=1).strip()
    return text


def _names(items: Any) -> tuple[str, ...]:
    out = []
    for it in items or ():
        name = _clean(it.get("name") if isinstance(it, dict) else it)
        if name:
            out.append(name)
    return tuple(dict.fromkeys(out))


def _int(value: Any) -> int:
    try:
        return max(int(value), 0)
    except (TypeError, ValueError):
        return 0


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    m = re.fullmatch(r"\s*(\d+(?:[.,]\d+)?)\s*", str(value))
    return float(m.group(1).replace(",", ".")) if m else None


def national_from_record(rec: dict[str, Any]) -> NationalProcedure:
    """Either record shape → NationalProcedure (details: ``detailed=True``)."""
    detailed = any(k in rec for k in ("executionCases", "executionMethods", "isWard"))
    code = _clean(rec.get("code") or rec.get("codeNotation"))
    if not detailed:
        return NationalProcedure(
            code=code, name=_clean(rec.get("name")), id=_clean(rec.get("id")), type=_clean(rec.get("type")),
            state=_clean(rec.get("state")), categories=_names(rec.get("categories")),
            departments=tuple(d for d in _names(rec.get("departments")) if d),
            promulgated_by=_clean(rec.get("departmentPromulgate")),
        )
    docs: list[OfficialDocument] = []
    for case in rec.get("executionCases") or ():
        group = _clean(case.get("name")).strip("*: ").strip()
        for pc in case.get("profileComponents") or ():
            name = _unbullet(_clean(pc.get("name")))
            if name:
                docs.append(OfficialDocument(name, _int(pc.get("originalQty")), _int(pc.get("copyQty")),
                                             bool(pc.get("required")), group))
    fees: list[OfficialFee] = []
    times: list[OfficialTime] = []
    # The per-case limit (cases[].processingDay) stands in for a channel whose unit is OTHER
    # with no number in its text (e.g. 1.001193: OTHER/1 per channel, 1 WORKING_DAY per case).
    case_day = next((c.get("processingDay") for c in rec.get("cases") or () if isinstance(c.get("processingDay"), dict)), None)
    for m in rec.get("executionMethods") or ():
        channel = _clean(m.get("submissionMethod")) or "DIRECT"
        amount = _number(m.get("processingTime"))
        desc = _clean(m.get("description"))
        unit = _clean(m.get("processingTimeUnit")) or "OTHER"
        if amount is None and isinstance(m.get("processingTime"), str):
            desc = _clean(f"{m['processingTime']}. {desc}")
        if unit == "OTHER" and days_in_text(desc) is None and case_day and _number(case_day.get("qty")) is not None \
                and case_day.get("type") in ("WORKING_DAY", "DAY", "HOUR", "MONTH"):
            amount, unit = _number(case_day.get("qty")), case_day["type"]
        times.append(OfficialTime(channel, amount, unit, desc))
        for f in m.get("fees") or ():
            value = f.get("value")
            fees.append(OfficialFee(channel, _clean(f.get("type")), int(value) if isinstance(value, (int, float)) else None,
                                    _clean(f.get("description"))))
    steps = []
    for s in rec.get("executionSteps") or ():
        for line in str(s.get("description") or "").splitlines():
            line = _unbullet(_clean(line))
            if line:
                steps.append(line)
    updated = rec.get("updatedAt")
    updated_at = None
    if isinstance(updated, (int, float)) and updated > 0:
        updated_at = dt.datetime.fromtimestamp(updated / 1000, dt.timezone.utc).date().isoformat()
    proposal = rec.get("procedureProposal") or {}
    category = rec.get("categoriesDetails") or ([rec["category"]] if isinstance(rec.get("category"), dict) else [])
    return NationalProcedure(
        code=code, name=_clean(rec.get("name")), id=_clean(rec.get("id")), type=_clean(rec.get("type")),
        state=_clean(rec.get("state")), categories=_names(category),
        promulgated_by=_clean(rec.get("departmentPromulgateName")),
        is_ward=bool(rec.get("isWard")) if "isWard" in rec else None, detailed=True,
        executing=_names(rec.get("departmentsExecuting")) or tuple(
            x for x in (_clean(y) for y in str(rec.get("executingAgencies") or "").split(";")) if x),
        documents=tuple(docs), fees=tuple(fees), times=tuple(times), steps=tuple(steps),
        legal_basis=_names(rec.get("legalBasisesDetails")), requirements=_clean(rec.get("requirementsAndConditions")),
        results=_names(rec.get("resultsDetails")),
        decision=_clean(proposal.get("proposalNumber") if isinstance(proposal, dict) else ""),
        updated_at=updated_at,
    )


# ---- numbers in official text -------------------------------------------------------------------
_AMOUNT = re.compile(r"(\d{1,3}(?:[.,\s]\d{3})+|\d+)\s*(?:đồng|đ\b|vnđ|vnd)", re.IGNORECASE)
_DAYS = re.compile(r"(\d+(?:[.,]\d+)?)\s*(?:\(\s*[^)]*\)\s*)?ngày", re.IGNORECASE)
_SAME_DAY = re.compile(r"(?:ngay\s+)?trong\s+ngày|ngay\s+khi|ngay\s+sau\s+khi|tiếp\s+nhận\s+ngay", re.IGNORECASE)


def amounts_in_text(text: str) -> set[int]:
    out = set()
    for m in _AMOUNT.finditer(text or ""):
        digits = re.sub(r"[.,\s]", "", m.group(1))
        if digits.isdigit():
            out.add(int(digits))
    return out


def days_in_text(text: str) -> float | None:
    """The first number of days in a sentence, or 0 for "trong ngày" / "ngay khi"; else None."""
    t = text or ""
    m = _DAYS.search(t)
    s = _SAME_DAY.search(t)
    if s and (not m or s.start() < m.start()):
        return 0.0
    if m:
        return float(m.group(1).replace(",", "."))
    return None


def first_sentence(text: str, limit: int = 160) -> str:
    t = _clean(text)
    cut = re.split(r"(?<=[.;])\s", t, maxsplit=1)[0]
    return cut if len(cut) <= limit else cut[: limit - 1].rstrip() + "…"


# ---- a draft written-up procedure from an official record ------------------------------------------
def category_map(pairs: Iterable[tuple[Iterable[str], str]]) -> dict[str, str]:
    """Official category name → content category, learned from procedures already filed (majority)."""
    from collections import Counter, defaultdict

    votes: dict[str, Counter] = defaultdict(Counter)
    for official, mine in pairs:
        for name in official:
            votes[name.lower()][mine] += 1
    return {k: v.most_common(1)[0][0] for k, v in votes.items()}


def guess_category(categories: Iterable[str], learned: dict[str, str] | None = None,
                   known: set[str] | None = None) -> str:
    cats = [c.lower() for c in categories]
    for c in cats:
        if learned and c in learned and (known is None or learned[c] in known):
            return learned[c]
    for c in cats:
        for word, code in CATEGORY_WORDS:
            if word in c and (known is None or code in known):
                return code
    return DEFAULT_CATEGORY


def short_agency(name: str) -> str:
    """'Ủy ban nhân dân cấp xã' → 'UBND cấp xã', 'Công an cấp Xã' → 'Công an cấp xã'."""
    n = re.sub(r"(?i)ủy ban nhân dân|uỷ ban nhân dân", "UBND", name)
    return re.sub(r"cấp Xã", "cấp xã", re.sub(r"cấp Tỉnh", "cấp tỉnh", n))


def _title(name: str) -> str:
    t = re.sub(r"^(?:thủ tục)\s+", "", name, flags=re.IGNORECASE).strip()
    return t[:1].upper() + t[1:]


def _document(d: OfficialDocument, several_groups: bool) -> Document:
    if d.shown:
        form, copies = DocForm.PRESENT, max(d.original, 1)
    elif d.original and d.copies:
        form, copies = DocForm.EITHER, max(d.original, d.copies)  # the portal's "1 bản chính, 1 bản sao": either
    elif d.copies:
        form, copies = DocForm.COPY, d.copies
    else:
        form, copies = DocForm.ORIGINAL, d.original
    conditional = bool(re.match(r"(?i)(trường hợp|nếu|đối với|khi\b|người\b.*\bthì)", d.name))
    group = d.group if several_groups and d.group and not re.search(r"(?i)giấy tờ phải (nộp|xuất trình)", d.group) else ""
    required = d.required and not conditional and not group
    condition = None
    if not required:
        if group:
            condition = group.rstrip(":")
        elif conditional:
            condition = "Khi thuộc trường hợp nêu ở tên giấy tờ."
        else:
            condition = "Tùy trường hợp (CSDL quốc gia không ghi bắt buộc) — cán bộ ghi rõ khi nào cần."
    return Document(d.name, form, copies, required, condition)


def draft_from_national(n: NationalProcedure, *, category: str | None = None, today: dt.date | None = None) -> Procedure:
    """A written-up procedure from an official detail record, marked for a person to finish."""
    today = today or dt.date.today()
    groups = {d.group for d in n.documents if d.counted}
    docs = tuple(_document(d, len(groups) > 1) for d in n.documents if d.counted)
    notes = [d.name for d in n.documents if not d.counted]
    unverified = ["aliases", "where"]
    if any(d.condition and d.condition.startswith("Tùy trường hợp") for d in docs) or not docs:
        unverified.append("documents")

    direct = n.time_for("DIRECT")
    # processing_days counts working days: a limit in calendar days or months is kept as text only.
    days = direct.days if direct and (direct.unit not in ("DAY", "MONTH") or (direct.amount or 0) <= 1) else None
    if direct is None:
        processing_time = ""
    else:
        parts = []
        for ch in CHANNEL_ORDER:
            t = next((x for x in n.times if x.channel == ch), None)
            if t is not None:
                parts.append(f"{CHANNEL_LABEL[ch]}: {t.label()}")
        same = len({x.label() for x in n.times}) == 1
        processing_time = direct.label() if same else "; ".join(parts)
    if direct is None or direct.days is None:
        unverified.append("processing_time")
    if not n.legal_basis:
        unverified.append("legal_basis")
    if not n.steps:
        unverified.append("steps")

    fee, amount = _fee_text(n)
    if amount is None:
        unverified.append("fee")

    # The commune-level agency first. Records can be wrong here: 2.001023 (isWard) names only
    # "Công đoàn cơ quan BHXH Việt Nam" as executing agency; then a person checks handled_by.
    agencies = [short_agency(x) for x in dict.fromkeys((*n.executing, *n.departments)) if x]
    commune = [x for x in agencies if _COMMUNE.search(x)]
    if commune:
        handled_by = commune[0]
    elif agencies and not n.is_ward:
        handled_by = agencies[0]
    else:
        handled_by = "UBND cấp xã"
        unverified.append("handled_by")
    note_lines = []
    if n.requirements:
        note_lines.append(f"Điều kiện: {n.requirements}")
    note_lines += [f"Lưu ý: {x}" for x in notes]
    if note_lines:
        unverified.append("notes")  # the portal's wording, for a person to shorten into plain words
    stamp = f" (bản ghi cập nhật {dt.date.fromisoformat(n.updated_at):%d/%m/%Y})" if n.updated_at else ""
    return Procedure(
        code=n.code,
        title=_title(n.name),
        category=category or guess_category(n.categories),
        handled_by=handled_by,
        detail=Detail.FULL,
        level="xã" if n.commune_level else "tỉnh",
        where="",
        processing_time=processing_time,
        processing_days=days,
        fee=fee,
        fee_amount=amount,
        legal_basis=n.legal_basis,
        online_url=n.url if any(t.channel == "ONLINE" for t in n.times) else None,
        notes="\n".join(note_lines),
        verified_on=today.isoformat(),
        sources=((f"{n.url} (Cổng Dịch vụ công quốc gia, CSDL quốc gia về TTHC{stamp})",) if n.url else ()),
        unverified=tuple(dict.fromkeys(unverified)),
        documents=docs,
        steps=n.steps,
        aliases=tuple(dict.fromkeys((_title(n.name), fold(_title(n.name)).lower()))),
    )


def procedure_from_record(record: dict[str, Any], *, category: str | None = None, today: dt.date | None = None) -> Procedure:
    """An official *detail* record (one JSON object of the details file) → a draft written-up Procedure."""
    n = national_from_record(record)
    if not n.detailed:
        raise NationalError(f"{n.code}: bản ghi danh mục không có giấy tờ, lệ phí, thời hạn — cần tệp chi tiết / "
                            "a catalogue row has no documents, fees or time limits")
    return draft_from_national(n, category=category, today=today)


def _fee_text(n: NationalProcedure) -> tuple[str, int | None]:
    """Fee sentence and amount (None when it varies or the record is vague)."""
    direct = [f for f in n.fees if f.channel == "DIRECT"] or list(n.fees)
    if not direct:
        return "CSDL quốc gia không ghi phí, lệ phí — cán bộ kiểm tra.", None
    amounts = {f.amount for f in direct if f.amount} | {a for f in direct for a in amounts_in_text(f.description)}
    descs = list(dict.fromkeys(f.description for f in direct if f.description))
    text = " ".join(descs)
    if not amounts and not text:
        return "Không mất phí, lệ phí (CSDL quốc gia ghi 0 đồng).", 0
    if len(amounts) == 1 and not re.search(r"(?i)hội đồng nhân dân|hđnd", text):
        amount = next(iter(amounts))
        lead = f"{amount:,} đồng".replace(",", ".")
        return (f"{lead}. {text}" if text and lead not in text else (text or lead)), amount
    return text or ", ".join(f"{a:,} đồng".replace(",", ".") for a in sorted(amounts)), None
