"""Render the checklist to a 1-bit receipt image at the thermal printer's width.

Printer code pages cannot be trusted with Vietnamese diacritics, so the receipt is
drawn here with a Vietnamese TrueType font and sent to the printer as a picture.
Type is large (elderly readers): about 11 pt body text on 80 mm paper at 203 dpi.
Line heights are measured on stacked-diacritic capitals ("Ễ", "Ữ") and descenders
("ỵ", "g"), so wrapping never clips a mark.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

from printing.checklist import Checklist
from printing.errors import PrinterNotConfigured
from printing.fonts import find_fonts
from printing.layout import QR, Block, Field, Footer, Gap, Group, Item, Rule, Style, Text, blocks
from printing.qr import qr_image

WIDTH_80MM = 576
WIDTH_58MM = 384
MIN_WIDTH = 256
MAX_WIDTH = 1024
INK_THRESHOLD = 170  # antialiased grey darker than this prints black: solid, slightly bold strokes


@dataclass(frozen=True, slots=True)
class ReceiptStyle:
    margin: int
    sizes: dict[Style, int]
    indent: int  # one indent level, in dots
    leading: float  # extra space between lines, as a fraction of the font size
    qr_fraction: float  # QR width as a fraction of the paper width


STYLE_80MM = ReceiptStyle(
    margin=14,
    sizes={Style.TITLE: 44, Style.HEADING: 32, Style.BOLD: 31, Style.BODY: 30, Style.SMALL: 25},
    indent=28,
    leading=0.18,
    qr_fraction=0.55,
)
STYLE_58MM = ReceiptStyle(
    margin=8,
    sizes={Style.TITLE: 34, Style.HEADING: 27, Style.BOLD: 27, Style.BODY: 27, Style.SMALL: 23},
    indent=20,
    leading=0.16,
    qr_fraction=0.7,
)


def style_for(width: int) -> ReceiptStyle:
    return STYLE_80MM if width >= 512 else STYLE_58MM


def _is_bold(style: Style) -> bool:
    return style in (Style.TITLE, Style.HEADING, Style.BOLD)


@functools.lru_cache(maxsize=32)
def _font(bold: bool, size: int) -> ImageFont.FreeTypeFont:
    pair = find_fonts()
    return ImageFont.truetype(str(pair.bold if bold else pair.regular), size)


@functools.lru_cache(maxsize=32)
def _line_box(bold: bool, size: int) -> tuple[int, int]:
    """(ascent, descent) in dots that hold any Vietnamese line without clipping."""
    font = _font(bold, size)
    ascent, descent = font.getmetrics()
    top = min(font.getbbox(s, anchor="ls")[1] for s in ("ỄẪỮỸẤ", "Ẳ", "ặỹ"))
    bottom = max(font.getbbox(s, anchor="ls")[3] for s in ("gjpqyỵỹ", "Ậ", "ợ"))
    return int(max(ascent, -top)) + 1, int(max(descent, bottom)) + 1  # Pillow's boxes are whole dots


def wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Greedy word wrap by measured width; words longer than a line are split."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in filter(None, paragraph.split(" ")):  # only plain spaces: NBSP holds words together
            candidate = f"{line} {word}" if line else word
            if font.getlength(candidate) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            while font.getlength(word) > width:  # e.g. a long URL
                cut = max(1, next(i for i in range(len(word), 0, -1) if font.getlength(word[:i]) <= width))
                lines.append(word[:cut])
                word = word[cut:]
            line = word
        lines.append(line)
    return lines


class _Receipt:
    def __init__(self, width: int):
        self.width = width
        self.st = style_for(width)
        self.pieces: list[tuple[Image.Image, int]] = []  # (greyscale image, x)

    def _body_line(self) -> int:
        a, d = _line_box(False, self.st.sizes[Style.BODY])
        return a + d

    def text(self, text: str, style: Style, width: int, center: bool = False) -> Image.Image:
        bold, size = _is_bold(style), self.st.sizes[style]
        font = _font(bold, size)
        ascent, descent = _line_box(bold, size)
        step = ascent + descent + round(size * self.st.leading)
        lines = wrap(text, font, width)
        img = Image.new("L", (width, step * len(lines)), 255)
        draw = ImageDraw.Draw(img)
        for i, line in enumerate(lines):
            lx = (width - font.getlength(line)) / 2 if center else 0
            draw.text((lx, i * step + ascent), line, font=font, fill=0, anchor="ls")
        return img

    def add(self, block: Block) -> None:
        st, w = self.st, self.width
        inner = w - 2 * st.margin
        if isinstance(block, Text):
            x = st.margin + block.indent * st.indent
            self.pieces.append((self.text(block.text, block.style, inner - (x - st.margin), block.center), x))
        elif isinstance(block, Field):  # narrow paper: label on its own line, value indented
            self.add(Text(block.label + ":", Style.BOLD))
            self.add(Text(block.value, block.style, indent=1))
        elif isinstance(block, Group):
            for child in block.blocks:
                self.add(child)
        elif isinstance(block, Footer):
            for line in block.lines:
                self.add(Text(line, Style.SMALL, center=True))
        elif isinstance(block, Gap):
            self.pieces.append((Image.new("L", (1, max(1, round(block.lines * self._body_line()))), 255), 0))
        elif isinstance(block, Rule):
            gap = self._body_line() // 3
            img = Image.new("L", (inner, 2 * gap + 3), 255)
            ImageDraw.Draw(img).rectangle((0, gap, inner - 1, gap + 2), fill=0)
            self.pieces.append((img, st.margin))
        elif isinstance(block, Item):
            self.pieces.append((self.item(block, inner), st.margin))
        elif isinstance(block, QR):
            code = qr_image(block.url, round(w * st.qr_fraction))
            self.pieces.append((code.convert("L"), (w - code.width) // 2))
            self.pieces.append((self.text(block.caption, Style.SMALL, inner, center=True), st.margin))

    def item(self, block: Item, inner: int) -> Image.Image:
        size = self.st.sizes[Style.BOLD]
        ascent, _ = _line_box(True, size)
        box = round(size * 0.85)
        hang = box + round(size * 0.45)
        parts = [self.text(block.name, Style.BOLD, inner - hang)]
        parts.append(self.text(block.form_line, Style.BODY, inner - hang))
        parts += [self.text(t.text, t.style, inner - hang) for t in block.notes]
        pad = round(size * 0.35)  # air between two documents
        img = Image.new("L", (inner, sum(p.height for p in parts) + pad), 255)
        y = 0
        for p in parts:
            img.paste(p, (hang, y))
            y += p.height
        # tick box: sits on the first line's baseline, as tall as a capital with room to tick
        top = ascent - box + round(size * 0.05)
        ImageDraw.Draw(img).rectangle((2, top, 2 + box, top + box), outline=0, width=3)
        return img

    def image(self) -> Image.Image:
        top = bottom = self.st.margin
        height = top + sum(p.height for p, _ in self.pieces) + bottom
        canvas = Image.new("L", (self.width, height), 255)
        y = top
        for piece, x in self.pieces:
            canvas.paste(piece, (x, y))
            y += piece.height
        return canvas.point([0 if v < INK_THRESHOLD else 255 for v in range(256)], "1")


def render_receipt(checklist: Checklist, width: int = WIDTH_80MM) -> Image.Image:
    """The checklist as a 1-bit image exactly ``width`` dots wide (576 = 80 mm, 384 = 58 mm)."""
    if not MIN_WIDTH <= width <= MAX_WIDTH:
        raise PrinterNotConfigured(
            "Độ rộng giấy in không hợp lệ", f"paper_width_dots={width}, cần 384 (58 mm) hoặc 576 (80 mm)"
        )
    receipt = _Receipt(width)
    for block in blocks(checklist):
        receipt.add(block)
    return receipt.image()
