"""A draft written-up procedure from an official record of the national database.

:func:`procedure_from_record` turns an official detail record into a *draft* written-up
procedure: the facts are the record's, and ``unverified`` lists what a person must still do
(aliases the way citizens ask, where to go in this office, anything the record left vague).
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any, Iterable

from knowledge.model import Detail, DocForm, Document, Procedure
from knowledge.national_records import (
    _COMMUNE,
    NationalError,
    NationalProcedure,
    OfficialDocument,
    national_from_record,
)
from knowledge.national_text import amounts_in_text
from knowledge.normalize import fold

CHANNEL_LABEL = {"DIRECT": "trực tiếp", "ONLINE": "trực tuyến", "POSTAL": "qua bưu chính"}
CHANNEL_ORDER = ("DIRECT", "ONLINE", "POSTAL")
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
