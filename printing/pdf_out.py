"""The checklist as a PDF (A4 sheet or 80 mm roll) with an embedded Vietnamese font.

The TrueType font is embedded (subset) so any viewer or CUPS driver shows every
diacritic; the QR code is a lossless picture with whole-pixel modules.
"""
from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from printing.checklist import Checklist
from printing.errors import PrinterNotConfigured, PrintingError
from printing.fonts import pdf_fonts
from printing.layout import QR, Block, Field, Footer, Gap, Group, Item, Rule, Style, Text, blocks
from printing.qr import qr_modules

log = logging.getLogger(__name__)

PT_MM = 25.4 / 72
FAMILY = "KioskSans"


@dataclass(frozen=True, slots=True)
class Paper:
    width: float  # mm
    height: float | None  # mm; None = as long as the content (roll)
    margin: float  # mm
    sizes: dict[Style, float]  # pt
    indent: float  # mm per level
    qr: float  # mm
    line: float = 1.4  # line height as a multiple of the font size


PAPERS: dict[str, Paper] = {
    "A4": Paper(
        width=210, height=297, margin=15,
        sizes={Style.TITLE: 24, Style.HEADING: 16, Style.BOLD: 14, Style.BODY: 14, Style.SMALL: 11.5},
        indent=7, qr=36,
    ),
    "roll80": Paper(
        width=80, height=None, margin=4,
        sizes={Style.TITLE: 16, Style.HEADING: 12, Style.BOLD: 11.5, Style.BODY: 11.5, Style.SMALL: 9.5},
        indent=4, qr=38,
    ),
}
FORM_COLUMN = 52  # mm: "Bản chính / bản sao" column on wide paper
GUTTER = 5  # mm
SIDE_COLUMN = 52  # mm: QR and its caption beside the facts on wide paper
LINE_WIDTH = 0.35  # mm
ROLL_DRAFT_HEIGHT = 3000  # mm; the first pass measures, the second cuts the page to fit


def paper_spec(paper: str) -> Paper:
    try:
        return PAPERS[paper]
    except KeyError:
        raise PrinterNotConfigured(
            "Khổ giấy in không hợp lệ", f"printer.pdf_paper={paper!r}; chọn một trong: {', '.join(PAPERS)}"
        ) from None


@functools.lru_cache(maxsize=1)
def _pdf_class() -> type[Any]:  # KioskPDF: an fpdf2 FPDF subclass made at run time
    """FPDF with a page footer on sheets: print time, hotline, page x/y (fpdf2 imported lazily)."""
    from fpdf import FPDF

    class KioskPDF(FPDF):
        footer_lines: tuple[str, ...] = ()
        footer_size: float = 10
        continued: str = ""  # printed on top of pages 2, 3… so a loose sheet still says what it is

        def header(self) -> None:
            if self.page_no() > 1 and self.continued:
                self.set_font(FAMILY, "", self.footer_size)
                h = self.footer_size * PT_MM * 1.3
                self.cell(0, h, self.continued, align="C")
                self.set_y(self.t_margin + h * 1.6)

        def footer(self) -> None:
            if not self.footer_lines:
                return
            self.set_y(-self.b_margin + 2)
            self.set_font(FAMILY, "", self.footer_size)
            text = " · ".join(self.footer_lines) + " · Trang " + str(self.page_no()) + "/{nb}"
            self.cell(0, self.footer_size * PT_MM * 1.3, text, align="C")

    return KioskPDF


class _Doc:
    def __init__(self, checklist: Checklist, spec: Paper, height: float):
        self.spec = spec
        pdf = _pdf_class()(orientation="P", unit="mm", format=(spec.width, height))
        fonts = pdf_fonts()
        pdf.add_font(FAMILY, "", str(fonts.regular))
        pdf.add_font(FAMILY, "B", str(fonts.bold))
        pdf.set_margins(spec.margin, spec.margin, spec.margin)
        pdf.set_auto_page_break(spec.height is not None, margin=spec.margin)
        pdf.set_title(f"Giấy tờ cần mang – {checklist.title}")
        pdf.set_author(checklist.office_name)
        pdf.set_subject(f"Mã thủ tục {checklist.code}")
        pdf.set_creator("ward-kiosk")
        pdf.set_lang("vi")
        pdf.set_creation_date(checklist.printed_at.astimezone())
        pdf.set_line_width(LINE_WIDTH)
        pdf.add_page()
        self.pdf = pdf
        self._items_started = False
        self._side_qr: QR | None = None  # wide paper: the QR goes beside the facts, not below
        self._reserve_bottom = 0.0  # until this y, the right SIDE_COLUMN mm belong to the QR
        self._reserved = False

    @property
    def inner(self) -> float:
        return self.spec.width - 2 * self.spec.margin

    def _font(self, style: Style) -> float:
        size = self.spec.sizes[style]
        self.pdf.set_font(FAMILY, "B" if style in (Style.TITLE, Style.HEADING, Style.BOLD) else "", size)
        return size * PT_MM * self.spec.line

    def text(self, text: str, style: Style, x: float, width: float, center: bool = False, dry: bool = False) -> float:
        from fpdf.enums import MethodReturnValue, XPos, YPos

        h = self._font(style)
        self.pdf.set_x(x)
        kwargs = dict(align="C" if center else "L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if dry:
            return self.pdf.multi_cell(width, h, text, dry_run=True, output=MethodReturnValue.HEIGHT, **kwargs)
        self.pdf.multi_cell(width, h, text, **kwargs)
        return 0.0

    def _keep(self, height: float) -> None:
        """Start a new page rather than split a block (A4 only)."""
        pdf = self.pdf
        if self.spec.height is not None and pdf.get_y() + height > pdf.h - pdf.b_margin:
            pdf.add_page()

    @property
    def wide(self) -> bool:
        return self.spec.width >= 150

    def _side(self) -> float:
        """Width taken on the right by the QR column at the current height."""
        return SIDE_COLUMN + GUTTER if self.pdf.get_y() < self._reserve_bottom else 0.0

    def _text_x(self, block: Text) -> tuple[float, float]:
        x = self.spec.margin + block.indent * self.spec.indent
        return x, self.inner - (x - self.spec.margin) - self._side()

    def _place_side_qr(self) -> None:
        """Draw the QR and its caption in a right-hand column starting at the current line."""
        pdf, spec, block = self.pdf, self.spec, self._side_qr
        assert block is not None
        self._reserved = True
        x = spec.margin + self.inner - SIDE_COLUMN
        caption_h = self.text(block.caption, Style.SMALL, x, SIDE_COLUMN, center=True, dry=True)
        self._keep(spec.qr + 1 + caption_h)
        top = pdf.get_y()
        pdf.image(qr_modules(block.url).convert("L"), x=x + (SIDE_COLUMN - spec.qr) / 2, y=top, w=spec.qr, h=spec.qr)
        pdf.set_y(top + spec.qr + 1)
        self.text(block.caption, Style.SMALL, x, SIDE_COLUMN, center=True)
        self._reserve_bottom = pdf.get_y()
        pdf.set_y(top)

    def measure(self, block: Block) -> float:
        """Height in mm the block will take (for keeping blocks together)."""
        spec = self.spec
        if isinstance(block, Text):
            return self.text(block.text, block.style, *self._text_x(block), block.center, dry=True)
        if isinstance(block, Field):
            return self.text(f"{block.label}: {block.value}", Style.BOLD, spec.margin, self.inner - self._side(), dry=True)
        if isinstance(block, Gap):
            return block.lines * spec.sizes[Style.BODY] * PT_MM * spec.line
        if isinstance(block, Rule):
            return spec.sizes[Style.BODY] * PT_MM
        if isinstance(block, Group):
            return sum(self.measure(b) for b in block.blocks)
        if isinstance(block, Item):
            header = self._item_header(dry=True) if self.wide and not self._items_started else 0.0
            return header + max(self._item_heights(block))
        if isinstance(block, QR):
            caption = self.text(block.caption, Style.SMALL, spec.margin, self.inner, center=True, dry=True)
            return spec.qr + 2 + (0 if self.wide else caption)
        return 0.0

    def add(self, block: Block) -> None:
        pdf, spec = self.pdf, self.spec
        left = spec.margin
        if isinstance(block, Footer):
            if spec.height is not None:
                return  # sheets: the page footer prints it on every page (set up in _build)
            for line in block.lines:
                self.add(Text(line, Style.SMALL, center=True))
            return
        if isinstance(block, Field) and self._side_qr and not self._reserved:
            self._place_side_qr()
        if isinstance(block, (Rule, QR)) and self._reserved:
            pdf.set_y(max(pdf.get_y(), self._reserve_bottom))
            if isinstance(block, QR):
                return  # already drawn beside the facts
        if not isinstance(block, (Gap, Rule)):
            self._keep(self.measure(block))
        if isinstance(block, Text):
            self.text(block.text, block.style, *self._text_x(block), block.center)
        elif isinstance(block, Field):  # "Lệ phí: …" on one run, the label in bold
            h = self._font(Style.BOLD)
            pdf.set_right_margin(spec.margin + self._side())
            pdf.set_x(left)
            pdf.write(h, f"{block.label}: ")
            h = self._font(block.style)
            pdf.write(h, block.value)
            pdf.ln(h)
            pdf.set_right_margin(spec.margin)
        elif isinstance(block, Group):
            for child in block.blocks:
                self.add(child)
        elif isinstance(block, Gap):
            pdf.ln(self.measure(block))
        elif isinstance(block, Rule):
            gap = spec.sizes[Style.BODY] * PT_MM * 0.5
            if spec.height is not None and pdf.get_y() + 2 * gap > pdf.h - pdf.b_margin:
                pdf.add_page()  # a rule at a page end would run into the footer; a new page needs none
                return
            pdf.ln(gap)
            pdf.line(left, pdf.get_y(), left + self.inner, pdf.get_y())
            pdf.ln(gap)
        elif isinstance(block, Item):
            self.item(block)
        elif isinstance(block, QR):
            self.qr(block)

    def qr(self, block: QR) -> None:
        pdf, spec = self.pdf, self.spec
        code = qr_modules(block.url).convert("L")
        top = pdf.get_y()
        if self.wide:  # the code on the left, its caption beside it
            pdf.image(code, x=spec.margin, y=top, w=spec.qr, h=spec.qr)
            gap = 6
            x, width = spec.margin + spec.qr + gap, self.inner - spec.qr - gap
            caption_h = self.text(block.caption, Style.BODY, x, width, dry=True)
            pdf.set_y(top + (spec.qr - caption_h) / 2)
            self.text(block.caption, Style.BODY, x, width)
            pdf.set_y(top + spec.qr + 2)
        else:
            pdf.image(code, x=(spec.width - spec.qr) / 2, y=top, w=spec.qr, h=spec.qr)
            pdf.set_y(top + spec.qr + 1)
            self.text(block.caption, Style.SMALL, spec.margin, self.inner, center=True)

    def _item_geometry(self) -> tuple[float, float, float, float]:
        """(name x, name width, form x, form width); on wide paper the form is a right column."""
        spec = self.spec
        size_mm = spec.sizes[Style.BOLD] * PT_MM
        hang = size_mm * 1.35
        x = spec.margin + hang
        if not self.wide:
            return x, self.inner - hang, x, self.inner - hang
        form_x = spec.margin + self.inner - FORM_COLUMN
        return x, form_x - GUTTER - x, form_x, FORM_COLUMN

    def _item_heights(self, block: Item) -> tuple[float, float]:
        x, width, fx, fw = self._item_geometry()
        left = self.text(block.name, Style.BOLD, x, width, dry=True)
        left += sum(self.text(t.text, t.style, x, width, dry=True) for t in block.notes)
        if self.wide:
            right = self.text(block.form, Style.BODY, fx, fw, dry=True)
            right += self.text(block.copies, Style.BOLD, fx, fw, dry=True) if block.copies else 0
            return left, right
        return left + self.text(block.form_line, Style.BODY, x, width, dry=True), 0.0

    def _item_header(self, dry: bool = False) -> float:
        from fpdf.enums import XPos, YPos

        x, _, fx, fw = self._item_geometry()
        h = self._font(Style.SMALL)
        if not dry:
            self.pdf.set_x(x)
            self.pdf.cell(fx - x, h, "Giấy tờ")
            self.pdf.set_x(fx)
            self.pdf.cell(fw, h, "Loại bản – Số bản", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        return h

    def item(self, block: Item) -> None:
        pdf, spec = self.pdf, self.spec
        if self.wide and not self._items_started:
            self._item_header()
        self._items_started = True
        size_mm = spec.sizes[Style.BOLD] * PT_MM
        box = size_mm * 0.85
        x, width, fx, fw = self._item_geometry()
        top = pdf.get_y()
        line_h = size_mm * spec.line
        # the box sits on the first line's baseline, as tall as a capital plus room to tick
        baseline = top + (line_h + size_mm * 0.7) / 2
        pdf.rect(spec.margin + 0.3, baseline - box + size_mm * 0.05, box, box)
        self.text(block.name, Style.BOLD, x, width)
        if not self.wide:
            self.text(block.form_line, Style.BODY, x, width)
        for t in block.notes:
            self.text(t.text, t.style, x, width)
        bottom = pdf.get_y()
        if self.wide:  # the form and number of copies in their own column, level with the name
            pdf.set_y(top)
            self.text(block.form, Style.BODY, fx, fw)
            if block.copies:
                self.text(block.copies, Style.BOLD, fx, fw)
            bottom = max(bottom, pdf.get_y())
            pdf.set_draw_color(170)
            pdf.set_line_width(0.2)
            pdf.line(x, bottom + 1, spec.margin + self.inner, bottom + 1)
            pdf.set_draw_color(0)
            pdf.set_line_width(LINE_WIDTH)
        pdf.set_y(bottom + size_mm * 0.4)


def _build(checklist: Checklist, spec: Paper, height: float) -> _Doc:
    doc = _Doc(checklist, spec, height)
    page = blocks(checklist)
    footer = next((b for b in page if isinstance(b, Footer)), None)
    if footer is not None and spec.height is not None:  # known before page 1 is closed
        doc.pdf.footer_lines = footer.lines
        doc.pdf.footer_size = spec.sizes[Style.SMALL]
        code = f" ({checklist.code})" if checklist.code_text else ""
        doc.pdf.continued = f"{checklist.title}{code} – tiếp theo"
    if doc.wide:
        doc._side_qr = next((b for b in page if isinstance(b, QR)), None)
    for block in page:
        doc.add(block)
    return doc


def render_pdf(checklist: Checklist, paper: str = "A4") -> bytes:
    """The checklist as PDF bytes on ``paper`` ("A4" or "roll80")."""
    spec = paper_spec(paper)
    if spec.height is not None:
        doc = _build(checklist, spec, spec.height)
    else:  # a roll: lay out once on a very long page to learn the height, then again to fit
        draft = _build(checklist, spec, ROLL_DRAFT_HEIGHT)
        doc = _build(checklist, spec, draft.pdf.get_y() + spec.margin)
    return bytes(doc.pdf.output())


def write_pdf(checklist: Checklist, path: str | Path, paper: str = "A4") -> Path:
    """Write the PDF to ``path`` (atomically: a half-written file never appears)."""
    path = Path(path)
    data = render_pdf(checklist, paper)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_bytes(data)
        tmp.replace(path)
    except OSError as exc:
        if tmp.parent.is_dir():
            tmp.unlink(missing_ok=True)
        raise PrintingError(f"không ghi được tệp PDF {path} / cannot write", exc.strerror or str(exc)) from None
    log.info("wrote %s (%s, %d bytes)", path, paper, len(data))
    return path
