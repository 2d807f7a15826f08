"""The printed page as a list of blocks, shared by the receipt image and the PDF.

Renderers only decide sizes; what is printed, in which order and emphasis, is here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from knowledge.model import PORTAL_HOST
from printing.checklist import CHECK_TEXT, NO_DOCUMENTS_TEXT, OPTIONAL_HEADING, Checklist


class Style(StrEnum):
    TITLE = "title"  # the procedure name
    HEADING = "heading"  # section headings
    BOLD = "bold"  # document names, labels
    BODY = "body"
    SMALL = "small"  # address, footer, hints


@dataclass(frozen=True, slots=True)
class Text:
    text: str
    style: Style = Style.BODY
    center: bool = False
    indent: int = 0  # in "levels"; renderers choose the width of a level


@dataclass(frozen=True, slots=True)
class Item:
    """A document with a tick box: its name, which form and how many, then notes."""

    name: str
    form: str  # "Bản chính"
    copies: str = ""  # "01 bản"
    notes: tuple[Text, ...] = ()

    @property
    def form_line(self) -> str:
        return glue(" – ".join(t for t in (self.form, self.copies) if t))


@dataclass(frozen=True, slots=True)
class Field:
    """A labelled fact: "Lệ phí: …". Wide paper may run the value on after the label."""

    label: str
    value: str
    style: Style = Style.BODY  # of the value


@dataclass(frozen=True, slots=True)
class Rule:
    pass


@dataclass(frozen=True, slots=True)
class Gap:
    lines: float = 0.5  # in body line heights


@dataclass(frozen=True, slots=True)
class QR:
    url: str
    caption: str


@dataclass(frozen=True, slots=True)
class Group:
    """Blocks kept on one page (a label never ends a page without its value)."""

    blocks: tuple["Block", ...]


@dataclass(frozen=True, slots=True)
class Footer:
    """Small centred lines at the end (a page footer on sheets)."""

    lines: tuple[str, ...]


Block = Text | Field | Item | Rule | Gap | QR | Group | Footer

QR_CAPTION_PORTAL = "Quét mã QR để xem thủ tục và nộp hồ sơ trực tuyến trên Cổng Dịch vụ công quốc gia"
QR_CAPTION_OTHER = "Quét mã QR để xem thủ tục trực tuyến"


NBSP = "\u00a0"
_GLUE = (
    (re.compile(r"(?<=\d) (?=\w)"), NBSP),  # "7 giờ", "01 bản", "60 ngày"
    (re.compile(r"\b(số|giờ) (?=\d)", re.IGNORECASE), "\\1" + NBSP),  # "số 1", "giờ 30"
    (re.compile(r" ([–-]) "), " \\1" + NBSP),  # a dash starts the next line, never ends one
    (re.compile(r"\b(Thứ) (?=\w)"), "\\1" + NBSP),  # "Thứ Hai"
)


def glue(text: str) -> str:
    """Join words that must not be split across lines with no-break spaces."""
    for pattern, repl in _GLUE:
        text = pattern.sub(repl, text)
    return text


def blocks(c: Checklist) -> list[Block]:
    out: list[Block] = [
        Text(glue(c.office_name), Style.BOLD, center=True),
        Text(glue(c.office_address), Style.SMALL, center=True),
        Rule(),
        Text("GIẤY TỜ CẦN MANG", Style.HEADING, center=True),
        Text(c.title, Style.TITLE, center=True),
    ]
    if c.code_text:
        out.append(Text(c.code_text, Style.SMALL, center=True))
    out.append(Gap(0.5))
    if c.items:
        items = c.ordered_items
        for i, it in enumerate(items, 1):
            if not it.required and (i == 1 or items[i - 2].required):
                out += [Gap(0.3), Text(OPTIONAL_HEADING, Style.HEADING)]
            notes = []
            if it.when_text:  # when an optional paper is needed matters; a remark on a required one less
                notes.append(Text(glue(it.when_text), Style.BODY if not it.required else Style.SMALL))
            if it.hint:
                notes.append(Text(f"({it.hint})", Style.SMALL))
            out.append(Item(glue(f"{i}. {it.name}"), it.form_text, glue(it.copies_text), tuple(notes)))
    else:
        out.append(Text(NO_DOCUMENTS_TEXT))
    out.append(Rule())
    for label, value in (("Lệ phí", c.fee), ("Thời hạn giải quyết", c.processing_time)):
        if value:
            out += [Field(label, glue(value)), Gap(0.3)]
    where: list[Block] = [Text("Nơi nộp hồ sơ:", Style.BOLD)]
    if c.counter_number:  # the number is what people look for on the signs
        where.append(Text(f"Quầy số {c.counter_number}", Style.TITLE, indent=1))
    out += [Group((*where, Text(glue(c.counter_name), indent=1))), Gap(0.3)]
    if c.hours:
        out += [Field("Giờ làm việc", glue(c.hours)), Gap(0.3)]
    if c.notes:
        out += [Field("Lưu ý", glue(c.notes), Style.SMALL), Gap(0.3)]
    if c.check_at_counter:
        out += [Text(CHECK_TEXT, Style.BOLD), Gap(0.3)]
    if c.qr_url:
        portal = PORTAL_HOST in c.qr_url
        out += [Rule(), QR(c.qr_url, QR_CAPTION_PORTAL if portal else QR_CAPTION_OTHER)]
    footer = [c.printed_text] + ([f"Đường dây nóng: {c.hotline}"] if c.hotline else [])
    return out + [Gap(0.3), Footer(tuple(footer))]
