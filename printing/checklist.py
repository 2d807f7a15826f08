"""The document checklist a citizen takes home: built once, then printed or read aloud.

``build_checklist`` turns a Procedure and the Office into plain Vietnamese strings,
so every renderer (receipt image, PDF, text, speech) says exactly the same thing.
"""
from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from knowledge.answer import go_to, says_when
from knowledge.model import NATIONAL_CODE_RE, Detail, DocForm, Document, Office, Procedure

log = logging.getLogger(__name__)
FORM_HINT = {
    DocForm.COPY: "bản sao có chứng thực, hoặc bản chụp kèm bản chính để đối chiếu",
    DocForm.PRESENT: "chỉ xuất trình, không phải nộp",
}
# A hint is left out when the content's own remark already says it.
FORM_HINT_SAID_BY = {DocForm.COPY: "chứng thực", DocForm.PRESENT: "xuất trình"}
# Fields whose doubt the citizen should know about before relying on the paper.
CHECK_AT_COUNTER = {"documents", "fee", "processing_time", "counter", "where"}

_NUMBER_WORDS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín", "mười")
_ORDINALS = ("Thứ nhất", "Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy", "Thứ tám", "Thứ chín", "Thứ mười")


def _lower_first(text: str) -> str:
    """"Trẻ sinh ra…" → "trẻ sinh ra…", but keep "CCCD…", "UBND…"."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _nfc(text: str | None) -> str:
    return unicodedata.normalize("NFC", text or "").strip()


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    """One document to bring, with a tick box on paper."""

    name: str
    form: DocForm
    form_text: str
    """e.g. "Bản chính", "Bản sao", "Xuất trình bản chính để đối chiếu" (knowledge.model.FORM_LABEL)."""
    copies: int
    copies_text: str
    """e.g. "01 bản"; empty when the original is only shown, not handed in."""
    hint: str = ""
    """Clarifies the form, e.g. what counts as a copy."""
    required: bool = True
    condition: str = ""
    """For an optional document: when it is needed. For a required one: a remark."""

    @property
    def when_text(self) -> str:
        """The line printed under the document: "Chỉ cần khi: …", "Nếu có", a remark, or ""."""
        if self.required:
            return _upper_first(self.condition)
        if not self.condition:
            return "Nếu có"
        if says_when(self.condition):
            return _upper_first(self.condition)
        return f"Chỉ cần khi: {_lower_first(self.condition)}"


@dataclass(frozen=True, slots=True)
class Checklist:
    """Everything printed on the paper, already worded in Vietnamese."""

    office_name: str
    office_address: str
    code: str
    title: str
    items: tuple[ChecklistItem, ...]
    fee: str
    processing_time: str
    counter_number: str
    """The counter to go to, e.g. "1"; empty when only a place is known."""
    counter_name: str
    """The counter's name ("Quầy hướng dẫn – Hộ tịch") or the place in words (procedure `where`)."""
    hours: str
    printed_at: datetime
    qr_url: str | None
    """The procedure on the national public service portal; None for local codes."""
    hotline: str = ""
    notes: str = ""
    check_at_counter: bool = False
    """Some facts are not verified yet (or only a catalogue entry exists): ask staff."""

    @property
    def code_text(self) -> str:
        """"Mã thủ tục: 1.001193"; empty for local codes, which mean nothing to a citizen."""
        return f"Mã thủ tục: {self.code}" if NATIONAL_CODE_RE.match(self.code) else ""

    @property
    def ordered_items(self) -> tuple[ChecklistItem, ...]:
        """Documents always needed first, then those needed only in some cases (each in content order)."""
        return tuple(i for i in self.items if i.required) + tuple(i for i in self.items if not i.required)

    @property
    def counter(self) -> str:
        """Where to hand in the papers, in one phrase: "Quầy số 1 – Quầy hướng dẫn – Hộ tịch"."""
        if self.counter_number:
            return f"Quầy số {self.counter_number} – {self.counter_name}"
        return self.counter_name

    @property
    def printed_text(self) -> str:
        """The slip's "printed at" line, in Vietnamese."""
        return f"In lúc {self.printed_at:%H:%M}, ngày {self.printed_at:%d/%m/%Y}"


def portal_url(procedure: Procedure) -> str | None:
    """The QR target of the slip and the screen: the procedure's own URL when it is an
    official https address, else its national portal page (``Procedure.portal_url``)."""
    if procedure.online_url:
        from printing.urls import safe_url

        url = safe_url(procedure.online_url)
        if url:
            return url
        # Not https on a government domain: never encode it; the national page is a safe fallback.
        log.warning("online_url of %s is not an allowed address; the slip shows the national portal", procedure.code)
    return procedure.portal_url


def copies_text(n: int) -> str:
    return f"{n:02d} bản"


def _item(doc: Document) -> ChecklistItem:
    copies = max(1, int(doc.copies or 1))
    condition = _nfc(doc.condition).rstrip(".")
    hint = FORM_HINT.get(doc.form, "")
    if hint and FORM_HINT_SAID_BY[doc.form] in condition.lower():
        hint = ""
    return ChecklistItem(
        name=_nfc(doc.name),
        form=doc.form,
        form_text=doc.form.label[:1].upper() + doc.form.label[1:],
        copies=copies,
        copies_text="" if doc.form is DocForm.PRESENT else copies_text(copies),
        hint=hint,
        required=doc.required,
        condition=condition,
    )


def _counter(procedure: Procedure, office: Office) -> tuple[str, str]:
    """(counter number or "", where to go in words)."""
    if procedure.is_redirect:
        # Not done at this office: its field's counter ("Quầy số 4") would send the citizen
        # to a desk that cannot take the papers; the slip names the office that can.
        return "", _nfc(go_to(procedure) or procedure.handled_by)
    place = office.place_of(procedure)
    if place:
        return "", _nfc(place)  # free text, e.g. "Công an phường, tầng 1"
    chosen = office.counter_of(procedure)  # the rule the screen and the spoken summary follow
    if chosen is not None:
        return chosen.number, _nfc(chosen.name)
    if procedure.where:
        return "", _nfc(procedure.where)
    if office.help_counter:
        return office.help_counter, "Quầy hướng dẫn"
    return "", "Bộ phận Một cửa"


def build_checklist(procedure: Procedure, office: Office, printed_at: datetime) -> Checklist:
    """The checklist for one procedure at this office, stamped with ``printed_at``."""
    unverified = set(procedure.unverified)
    number, place = _counter(procedure, office)
    return Checklist(
        office_name=_nfc(office.name),
        office_address=_nfc(office.address),
        code=procedure.code,
        title=_nfc(procedure.title),
        items=tuple(_item(d) for d in procedure.documents),
        fee=_nfc(procedure.fee),
        processing_time=_nfc(procedure.processing_time),
        counter_number=number,
        counter_name=place,
        # a redirect's office keeps its own hours (a place in words, "Ban Chỉ huy quân sự
        # phường", is still the ward's: its hours stay)
        hours="" if procedure.is_redirect else _nfc(office.hours),
        hotline=_nfc(office.hotline),
        printed_at=printed_at,
        qr_url=portal_url(procedure),
        notes=_nfc(procedure.notes),
        check_at_counter=procedure.detail is Detail.BRIEF
        or not procedure.documents
        or bool(unverified & CHECK_AT_COUNTER),
    )


OPTIONAL_HEADING = "Chỉ cần trong một số trường hợp:"
NO_DOCUMENTS_TEXT = "Chưa có danh sách giấy tờ chi tiết cho thủ tục này."
CHECK_TEXT = "Một số thông tin đang được cập nhật, xin hỏi lại cán bộ tại quầy."


def checklist_text(checklist: Checklist) -> str:
    """Plain text (UTF-8) of the printed checklist, with "[ ]" tick boxes."""
    c = checklist
    lines = [c.office_name, c.office_address, "", "GIẤY TỜ CẦN MANG", c.title]
    lines += [c.code_text, ""] if c.code_text else [""]
    if c.items:
        for i, item in enumerate(c.ordered_items, 1):
            if not item.required and (i == 1 or c.ordered_items[i - 2].required):
                lines.append(OPTIONAL_HEADING)
            lines.append(f"[ ] {i}. {item.name}")
            lines.append("      " + " – ".join(t for t in (item.form_text, item.copies_text) if t))
            if item.hint:
                lines.append(f"      ({item.hint})")
            if item.when_text:
                lines.append(f"      {item.when_text}")
    else:
        lines.append(NO_DOCUMENTS_TEXT)
    lines.append("")
    for label, value in (
        ("Lệ phí", c.fee),
        ("Thời hạn giải quyết", c.processing_time),
        ("Nơi nộp hồ sơ", c.counter),
        ("Giờ làm việc", c.hours),
        ("Lưu ý", c.notes),
    ):
        if value:
            lines.append(f"{label}: {value}")
    if c.check_at_counter:
        lines.append(CHECK_TEXT)
    if c.qr_url:
        lines.append(f"Xem trực tuyến: {c.qr_url}")
    lines.append(c.printed_text + (f" · Đường dây nóng: {c.hotline}" if c.hotline else ""))
    return "\n".join(lines) + "\n"


def _count_words(n: int) -> str:
    return _NUMBER_WORDS[n] if 0 <= n < len(_NUMBER_WORDS) else str(n)


def _spoken(text: str, dash: str = ", ") -> str:
    """Make printed punctuation sound natural (dashes); numbers are left to the TTS normaliser."""
    text = text.replace(" – ", dash).replace(" - ", dash)
    return re.sub(r"\s+", " ", text).strip().rstrip(".;:")


def checklist_speech_text(checklist: Checklist) -> str:
    """The same checklist as sentences to read aloud (accessibility)."""
    c = checklist
    out = [f"Giấy tờ cần mang cho thủ tục {_spoken(c.title)}."]
    required = [it for it in c.items if it.required]
    optional = [it for it in c.items if not it.required]
    if required:
        out.append(f"Cần mang {_count_words(len(required))} loại giấy tờ.")
        for i, it in enumerate(required):
            lead = _ORDINALS[i] if i < len(_ORDINALS) else f"Số {i + 1}"
            remark = f" {_spoken(_upper_first(it.condition))}." if it.condition else ""
            out.append(f"{lead}: {_spoken(it.name)}, {_item_spoken(it)}.{remark}")
    if optional:
        out.append("Trong một số trường hợp, mang thêm:")
        for it in optional:
            out.append(f"{_spoken(_upper_first(it.name))}, {_when_spoken(it)}, {_item_spoken(it)}.")
    if not c.items:
        out.append(NO_DOCUMENTS_TEXT)
    if c.fee:
        out.append(f"Lệ phí: {_spoken(c.fee)}.")
    if c.processing_time:
        out.append(f"Thời hạn giải quyết: {_spoken(c.processing_time)}.")
    if c.counter:
        out.append(f"Nộp hồ sơ tại {_spoken(c.counter)}.")
    if c.hours:
        out.append(f"Giờ làm việc: {_spoken(c.hours, dash=' đến ')}.")
    if c.notes:
        out.append(f"Lưu ý: {_spoken(c.notes)}.")
    if c.check_at_counter:
        out.append(CHECK_TEXT)
    return " ".join(out)


def _when_spoken(item: ChecklistItem) -> str:
    if not item.condition:
        return "nếu có"
    cond = _spoken(_lower_first(item.condition))
    return cond if says_when(cond) else f"chỉ cần khi {cond}"


def _item_spoken(item: ChecklistItem) -> str:
    form = item.form_text[0].lower() + item.form_text[1:]
    if item.form is DocForm.PRESENT:
        return f"{form}, không phải nộp"
    return f"{form}, {_count_words(item.copies)} bản"
