"""Compare the kiosk's content with a national database snapshot (`kiosk content audit`).

What is reported, per procedure code:

* ``missing``  — a commune-level national standard procedure (or one of the office's
  province's own) the content does not know at all;
* ``title``    — the content's title is not the official name (after normalising case,
  spacing, punctuation and a leading "Thủ tục");
* ``absent``   — a national code of the content is not in the snapshot (repealed, replaced,
  newer than the snapshot, or a local code mistyped) — only when a catalogue file was read;
* ``documents``, ``fee``, ``processing_time`` — a written-up procedure whose facts disagree
  with its official detail record (fuzzy, see the functions below).

A disagreement the content explains — a ``national_differences`` line "field: reason" in the
procedure's file — is reported as *explained*, not as a disagreement: the audit's job is to
make every difference a decision somebody wrote down.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from rapidfuzz import fuzz

from knowledge.model import Content, Detail, DocForm, Document, Procedure
from knowledge.national import (
    NationalProcedure,
    OfficialDocument,
    Snapshot,
    amounts_in_text,
    days_in_text,
)
from knowledge.normalize import fold

KINDS = ("missing", "title", "absent", "documents", "fee", "processing_time")
KIND_LABEL = {
    "missing": "Thủ tục cấp xã chưa có trong nội dung",
    "title": "Tên khác tên chính thức",
    "absent": "Mã không có trong CSDL quốc gia",
    "documents": "Giấy tờ khác CSDL quốc gia",
    "fee": "Lệ phí khác CSDL quốc gia",
    "processing_time": "Thời hạn khác CSDL quốc gia",
}
_NATIONAL_CODE = re.compile(r"^\d\.\d{6}$")
# Two names are the same document when their folded words overlap this much (rapidfuzz
# token_set_ratio, 0–100). Measured on the July 2026 snapshot against the 66 written-up
# procedures: true pairs score 72–100, the best wrong pair of the same procedure ≤ 68.
DOC_MATCH = 72
# Calendar days vs working days: a limit of n calendar days is about 5/7·n working days.
_CAL = 5 / 7


@dataclass(frozen=True, slots=True)
class Finding:
    kind: str
    code: str
    title: str  # the content's title (or the official name for a missing procedure)
    message: str  # one Vietnamese sentence for staff
    official: str = ""
    content: str = ""
    explained: str | None = None  # the content's reason, when it has one
    url: str | None = None  # the procedure's portal page

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class AuditReport:
    snapshot_records: int
    snapshot_detailed: int
    snapshot_sources: list[str]
    commune_total: int
    commune_known: int
    commune_written: int
    province: str | None
    compared: int  # written-up procedures that have an official detail record
    findings: list[Finding] = field(default_factory=list)
    absent_checked: bool = True  # False: no whole catalogue, codes were not looked up nationally

    @property
    def coverage(self) -> float:
        return round(100 * self.commune_known / self.commune_total, 1) if self.commune_total else 0.0

    def of(self, kind: str, explained: bool | None = None) -> list[Finding]:
        return [f for f in self.findings if f.kind == kind and
                (explained is None or (f.explained is not None) == explained)]

    @property
    def disagreements(self) -> list[Finding]:
        """Facts of written-up procedures that differ from the record with no reason written down."""
        return [f for f in self.findings if f.kind in ("documents", "fee", "processing_time") and f.explained is None]

    def counts(self) -> dict[str, int]:
        out = {k: len(self.of(k, explained=False)) for k in KINDS}
        out["explained"] = sum(f.explained is not None for f in self.findings)
        out["disagreements"] = len(self.disagreements)
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "snapshot": {"records": self.snapshot_records, "detailed": self.snapshot_detailed,
                         "files": self.snapshot_sources},
            "coverage": {"commune_level": self.commune_total, "known": self.commune_known,
                         "written_up": self.commune_written, "percent": self.coverage, "province": self.province},
            "compared": self.compared,
            "absent_checked": self.absent_checked,
            "counts": self.counts(),
            "findings": [f.to_json() for f in self.findings],
        }


# ---- normalisation ------------------------------------------------------------------------------
def _words(text: str) -> str:
    t = fold(text or "").lower()
    t = re.sub(r"[^\w\s]", " ", t)
    return re.sub(r"\s+", " ", t).strip()


def norm_title(text: str) -> str:
    return re.sub(r"^thu tuc\s+", "", _words(text))


def explanation(p: Procedure, fld: str) -> str | None:
    for line in p.national_differences:
        name, _, why = line.partition(":")
        if name.strip() == fld:
            return why.strip()
    return None


# ---- documents ----------------------------------------------------------------------------------
def _doc_score(a: str, b: str) -> float:
    return fuzz.token_set_ratio(_words(a), _words(b))


def _expected(d: OfficialDocument) -> str:
    if d.shown:
        return "xuất trình"
    parts = []
    if d.original:
        parts.append(f"{d.original} bản chính")
    if d.copies:
        parts.append(f"{d.copies} bản sao")
    return " hoặc ".join(parts) if d.original and d.copies else ", ".join(parts)


def _mine(d: Document) -> str:
    return d.form.label if d.form is DocForm.PRESENT else f"{d.copies} {d.form.label}"


_COPY_NAMED = re.compile(r"(?i)^bản sao\b|\bbản sao (có chứng thực|hoặc|giấy|trích lục|bản án|quyết định)")


def _count_agrees(mine: Document, off: OfficialDocument) -> bool:
    if _COPY_NAMED.search(off.name) and mine.form in (DocForm.COPY, DocForm.EITHER):
        return True  # "Bản sao bản án…" counted as 1 original row: the paper itself is a copy
    if mine.form is DocForm.PRESENT:
        # Shown, not handed in: right when the record lists it to show, or lists no original to hand in.
        return off.shown or off.original == 0
    if off.shown:
        return True  # the content asks for more than to show it: stricter, not wrong for the citizen
    allowed = {n for n in (off.original, off.copies) if n}
    if mine.form is DocForm.ORIGINAL:
        return off.original > 0 and mine.copies in allowed
    if mine.form is DocForm.COPY:
        return off.copies > 0 and mine.copies in allowed or (off.original > 0 and mine.copies == off.original
                                                             and off.copies > 0)
    return mine.copies in allowed  # either


_CASE_SPECIFIC = re.compile(r"(?i)^(trường hợp|nếu|đối với|khi\b|lưu ý|ngoài giấy tờ|giá trị sử dụng)")
_ONLINE_FORM = re.compile(r"(?i)điện tử tương tác|mẫu điện tử|trên cổng dịch vụ công|thông tin .* được khai thác")
_GENERIC_GROUP = re.compile(r"(?i)^$|giấy tờ phải (nộp|xuất trình)|^hồ sơ\b|thành phần hồ sơ")


def compare_documents(p: Procedure, n: NationalProcedure) -> list[str]:
    """One sentence per document whose count or form disagrees, or that the record lists and the content lacks.

    Each official document is paired with the content's most similar one (several official rows
    may pair with one content line: the portal lists the paper form and the online form, or
    the same form once per case). Rows for a special case, an online-only form, or a note are
    never reported as missing: the content folds them into conditions and notes.
    """
    official = [d for d in n.documents if d.counted]
    if not official or not p.documents:
        return []
    out: list[str] = []
    seen: set[str] = set()
    for off in official:
        score, mine = max(((_doc_score(m.name, off.name), m) for m in p.documents), key=lambda x: x[0])
        if score >= DOC_MATCH:
            line = f"«{mine.name}»: nội dung ghi {_mine(mine)}, CSDL quốc gia ghi {_expected(off)}"
            if not _count_agrees(mine, off) and line not in seen:
                seen.add(line)
                out.append(line)
            continue
        if off.shown or _CASE_SPECIFIC.match(off.name) or _ONLINE_FORM.search(off.name) \
                or not _GENERIC_GROUP.search(off.group):
            continue
        line = f"CSDL quốc gia có «{_short(off.name)}» ({_expected(off)}), nội dung không có giấy tờ tương ứng"
        if line not in seen:
            seen.add(line)
            out.append(line)
    return out


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# ---- fee ----------------------------------------------------------------------------------------
_LOCAL_FEE = re.compile(r"(?i)hội đồng nhân dân|hđnd|nghị quyết")
_FREE = re.compile(r"(?i)miễn|không (?:mất|thu|phải nộp)|0 đồng")


def compare_fee(p: Procedure, n: NationalProcedure) -> str | None:
    fees = [f for f in n.fees if f.channel == "DIRECT"] or list(n.fees)
    if not fees:
        return None
    text = " ".join(dict.fromkeys(f.description for f in fees if f.description))
    official = {f.amount for f in fees if f.amount} | amounts_in_text(text)
    official_free = not official and not text
    if _LOCAL_FEE.search(text) and not official:
        return None  # set by the province's council: the national record has no figure to compare
    mine = amounts_in_text(p.fee) | ({p.fee_amount} if p.fee_amount else set())
    mine_free = (p.fee_amount == 0 or bool(_FREE.search(p.fee))) and not mine
    label = ", ".join(f"{a:,}".replace(",", ".") + " đồng" for a in sorted(official)) or "0 đồng"
    if official and mine and not (mine & official):
        return f"nội dung ghi {', '.join(f'{a:,}'.replace(',', '.') + ' đồng' for a in sorted(mine))}, CSDL quốc gia ghi {label}"
    if official and mine_free:
        return f"nội dung ghi miễn phí, CSDL quốc gia ghi {label}"
    if official_free and mine and min(mine) > 0 and not _FREE.search(p.fee):
        return f"nội dung ghi {', '.join(f'{a:,}'.replace(',', '.') + ' đồng' for a in sorted(mine))}, CSDL quốc gia ghi 0 đồng"
    return None


# ---- time limit ---------------------------------------------------------------------------------
_NEXT_DAY = re.compile(r"(?i)15 giờ|ngày làm việc tiếp theo|hôm sau|ngày tiếp theo")


def _days_in_content(p: Procedure) -> set[float]:
    out = {float(m) for m in re.findall(r"(\d+(?:[.,]\d+)?)\s*(?:\(\s*[^)]*\)\s*)?ngày", p.processing_time.replace(",", "."))}
    first = days_in_text(p.processing_time)
    if first is not None:
        out.add(first)
    if p.processing_days is not None:
        out.add(float(p.processing_days))
    return out


def compare_time(p: Procedure, n: NationalProcedure) -> str | None:
    official = [(t, t.days) for t in n.times if t.days is not None]
    if not official:
        return None
    mine = _days_in_content(p)
    if not mine:
        return None
    primary = p.processing_days if p.processing_days is not None else days_in_text(p.processing_time)
    for t, d in official:
        for m in mine:
            if abs(m - d) < 0.01:
                return None
            if t.unit == "DAY" and d * _CAL - 1 <= m <= d:
                return None  # n calendar days written as working days
            if d <= 1 and m == 0 and _NEXT_DAY.search(p.processing_time):
                return None  # "same day; after 15:00 the next working day" = within one working day
    labels = ", ".join(dict.fromkeys(t.label() for t, _ in official))
    shown = p.processing_time if len(p.processing_time) <= 140 else p.processing_time[:139] + "…"
    return f"nội dung ghi «{shown}» ({_fmt(primary)}), CSDL quốc gia ghi {labels}"


def _fmt(days: float | None) -> str:
    if days is None:
        return "không quy đổi được"
    if days == 0:
        return "trong ngày"
    return f"{int(days) if float(days).is_integer() else days} ngày"


# ---- the audit ----------------------------------------------------------------------------------
def audit(content: Content, snapshot: Snapshot, province: str | None = None,
          check_absent: bool | None = None) -> AuditReport:
    """Compare; ``check_absent`` None = only when the snapshot holds a whole national catalogue."""
    check_absent = snapshot.complete if check_absent is None else check_absent
    procs = {p.code: p for p in content.procedures if not p.retired}
    commune = snapshot.commune_procedures(province)
    known = [n for n in commune if n.code in procs]
    findings: list[Finding] = []

    for listed in commune:
        if listed.code not in procs:
            where = ", ".join(listed.departments or listed.executing) or "không ghi cơ quan"
            findings.append(Finding("missing", listed.code, listed.name, f"chưa có trong nội dung ({where})",
                                    official=listed.name, url=listed.url))

    for p in sorted(procs.values(), key=lambda x: x.code):
        n = snapshot.get(p.code)
        if n is None:
            if check_absent and _NATIONAL_CODE.match(p.code):
                findings.append(Finding(
                    "absent", p.code, p.title,
                    "mã không có trong CSDL quốc gia (đã bãi bỏ/thay thế, mới hơn bản CSDL, hoặc gõ sai mã?)"))
            continue
        if norm_title(p.title) != norm_title(n.name):
            findings.append(Finding("title", p.code, p.title, "tên khác tên chính thức", official=n.name,
                                    content=p.title, explained=explanation(p, "title"), url=n.url))
        if p.detail is not Detail.FULL or not n.detailed:
            continue
        for line in compare_documents(p, n):
            findings.append(Finding("documents", p.code, p.title, line, explained=explanation(p, "documents"), url=n.url))
        if (msg := compare_fee(p, n)) is not None:
            findings.append(Finding("fee", p.code, p.title, msg, official=" ".join(f.description for f in n.fees[:1]),
                                    content=p.fee, explained=explanation(p, "fee"), url=n.url))
        if (msg := compare_time(p, n)) is not None:
            t = n.time_for("DIRECT")
            findings.append(Finding("processing_time", p.code, p.title, msg, official=t.label() if t else "",
                                    content=p.processing_time, explained=explanation(p, "processing_time"), url=n.url))

    compared = sum(1 for p in procs.values()
                   if p.detail is Detail.FULL and (nat := snapshot.get(p.code)) is not None and nat.detailed)
    return AuditReport(
        snapshot_records=len(snapshot.procedures), snapshot_detailed=snapshot.detailed_count,
        snapshot_sources=list(snapshot.sources), commune_total=len(commune), commune_known=len(known),
        commune_written=sum(procs[n.code].detail is Detail.FULL for n in known), province=province,
        compared=compared, findings=findings, absent_checked=check_absent,
    )


def report_text(r: AuditReport, limit: int | None = None) -> str:
    """The audit as plain text for a terminal (Vietnamese)."""
    c = r.counts()
    lines = [
        f"CSDL quốc gia: {r.snapshot_records} thủ tục ({r.snapshot_detailed} có bản ghi chi tiết) — "
        + ", ".join(r.snapshot_sources),
        f"Thủ tục cấp xã (chuẩn quốc gia{', và riêng của ' + r.province if r.province else ''}): "
        f"nội dung biết {r.commune_known}/{r.commune_total} = {r.coverage} % "
        f"(viết đầy đủ: {r.commune_written})",
        f"Đối chiếu chi tiết: {r.compared} thủ tục viết đầy đủ có bản ghi chi tiết; "
        f"khác mà chưa ghi lý do: {c['disagreements']}; khác đã có lý do: {c['explained']}",
    ]
    if not r.absent_checked:
        lines.append("Không tìm mã vắng khỏi CSDL: chưa có tệp danh mục đầy đủ (cần tệp danh mục toàn quốc).")
    for kind in KINDS:
        items = r.of(kind, explained=False)
        if not items:
            continue
        lines.append("")
        lines.append(f"== {KIND_LABEL[kind]}: {len(items)}")
        for f in items[:limit] if limit else items:
            extra = f" — chính thức: «{f.official}»" if kind == "title" else ""
            lines.append(f"  {f.code}  {f.title}: {f.message}{extra}" + (f"  [{f.url}]" if kind == "missing" and f.url else ""))
        if limit and len(items) > limit:
            lines.append(f"  … và {len(items) - limit} mục khác (xem --json)")
    explained = [f for f in r.findings if f.explained is not None]
    if explained:
        lines.append("")
        lines.append(f"== Khác CSDL quốc gia, đã ghi lý do: {len(explained)}")
        for f in explained:
            lines.append(f"  {f.code}  {KIND_LABEL[f.kind]}: {f.message} — lý do: {f.explained}")
    return "\n".join(lines)
