"""The official records of the national procedure database, and reading a snapshot of it.

The National Public Service Portal's catalogue API gives one JSON object a line, in two
shapes (both read here, gzip or plain, and merged by code):

* the **catalogue** (``code``, ``name``, ``categories``, ``departments``, ``type``…), and
* the **details** (``executionCases[].profileComponents[]`` with ``originalQty``/``copyQty``,
  ``executionMethods`` with time limits and fees per channel, ``executionSteps``,
  ``legalBasisesDetails``, ``departmentsExecuting``, ``isWard``…).

Turning a record into a draft written-up procedure is :mod:`knowledge.national_draft`'s job.
"""
from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Iterable, Iterator

from knowledge.errors import KnowledgeError
from knowledge.national_text import _clean, _unbullet, days_in_text, first_sentence
from knowledge.normalize import fold

PORTAL = "https://dichvucong.gov.vn/thu-tuc-hanh-chinh/"
# A catalogue row names who handles a procedure in free text; "cấp xã" is the commune level
# ("Ủy ban nhân dân cấp xã", "Công an cấp Xã", "Ban chỉ huy quân sự cấp Xã", "Chủ tịch UBND cấp xã"…).
# A bare "xã" is not enough: "Bảo hiểm xã hội tỉnh" and "trật tự xã hội" contain it too.
_COMMUNE = re.compile(r"cấp\s+xã", re.IGNORECASE)
# Hours a working day: the portal gives a few limits in hours; 8 h is one office day.
HOURS_PER_DAY = 8
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
