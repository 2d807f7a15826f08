"""PDF (A4 and 80 mm roll): text with diacritics via pdftotext, embedded font, QR via pdftoppm + zbarimg."""
from __future__ import annotations

import dataclasses
import re
import subprocess

import pytest
from test_printing_helpers import (
    KHAI_SINH,
    OFFICE,
    PORTAL_KHAI_SINH,
    PRINTED_AT,
    have,
    nfc_words,
    pdf_page_png,
    pdftotext,
    zbar_decode,
)

from knowledge.model import Document
from printing import PrinterNotConfigured, PrintingError, build_checklist, render_pdf, write_pdf

pytestmark = pytest.mark.skipif(not have("pdftotext", "pdftoppm", "pdfinfo", "pdffonts"),
                                reason="poppler-utils not installed")


@pytest.fixture(scope="module")
def checklist():
    return build_checklist(KHAI_SINH, OFFICE, PRINTED_AT)


@pytest.fixture(scope="module", params=["A4", "roll80"])
def pdf(request, checklist, tmp_path_factory):
    path = tmp_path_factory.mktemp("pdf") / f"checklist-{request.param}.pdf"
    write_pdf(checklist, path, request.param)
    return request.param, path


def test_text_has_title_and_documents_with_diacritics(pdf):
    _, path = pdf
    text = nfc_words(pdftotext(path))
    for needle in ("GIẤY TỜ CẦN MANG", "Đăng ký khai sinh", "Mã thủ tục: 1.001193",
                   *(d.name for d in KHAI_SINH.documents),
                   "Bản chính", "01 bản", "02 bản", "Xuất trình bản chính để đối chiếu", "Bản chính hoặc bản sao",
                   "Chỉ cần khi: cha, mẹ đã đăng ký kết hôn", "Miễn lệ phí khi đăng ký đúng hạn",
                   "Quầy số 1", "Quầy hướng dẫn – Hộ tịch", "In lúc 14:05, ngày 24/11/2026"):
        assert nfc_words(needle) in text, needle


def test_font_is_embedded(pdf):
    _, path = pdf
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = fonts.splitlines()[2:]
    assert rows, "no fonts in the PDF"
    for row in rows:
        assert " yes yes yes " in row, f"font not embedded+subset+unicode: {row}"


def test_page_size(pdf):
    paper, path = pdf
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    size = next(line for line in info.splitlines() if line.startswith("Page size:")).split()
    width_pt, height_pt = float(size[2]), float(size[4])
    if paper == "A4":
        assert (round(width_pt), round(height_pt)) == (595, 842)
    else:
        assert round(width_pt / 72 * 25.4) == 80
        assert 150 < height_pt / 72 * 25.4 < 1500  # as long as the content, not a fixed sheet


@pytest.mark.skipif(not have("zbarimg"), reason="zbarimg (zbar-tools) not installed")
def test_qr_code_decodes_from_the_rendered_page(pdf, tmp_path):
    paper, path = pdf
    png = pdf_page_png(path, tmp_path / f"page-{paper}", dpi=150)
    assert zbar_decode(png) == [PORTAL_KHAI_SINH]


def test_many_documents_flow_onto_a_second_a4_page_with_a_running_header(tmp_path):
    docs = tuple(Document(f"Giấy tờ số {i} có tên khá dài để xuống dòng trên khổ giấy") for i in range(1, 25))
    c = build_checklist(dataclasses.replace(KHAI_SINH, documents=docs), OFFICE, PRINTED_AT)
    path = write_pdf(c, tmp_path / "long.pdf", "A4")
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert int(re.search(r"Pages:\s+(\d+)", info).group(1)) >= 2
    text = nfc_words(pdftotext(path))
    assert "Giấy tờ số 24" in text and "Đăng ký khai sinh (1.001193) – tiếp theo" in text
    assert "Trang 1/" in text


def test_bad_paper_is_a_configuration_error(checklist):
    with pytest.raises(PrinterNotConfigured):
        render_pdf(checklist, "Letter")


def test_unwritable_path_is_a_printing_error(checklist, tmp_path):
    with pytest.raises(PrintingError) as err:
        write_pdf(checklist, tmp_path / "missing" / "x.pdf")
    assert "missing/x.pdf" in str(err.value)
