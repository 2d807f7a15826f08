"""Receipt image: size, ink, no clipped diacritics, word wrap, QR code readable (real fonts, zbar)."""
from __future__ import annotations

import dataclasses

import pytest
from PIL import Image, ImageChops
from test_printing_helpers import KHAI_SINH, LOCAL, OFFICE, PORTAL_KHAI_SINH, PRINTED_AT, have, zbar_decode

from printing import FontNotFound, PrinterNotConfigured, build_checklist, render_receipt
from printing import fonts as fonts_mod
from printing.layout import Style
from printing.raster import _font, _Receipt, wrap


@pytest.fixture(scope="module")
def checklist():
    return build_checklist(KHAI_SINH, OFFICE, PRINTED_AT)


@pytest.mark.parametrize("width", [576, 384])
def test_receipt_is_one_bit_at_paper_width_with_ink(checklist, width):
    img = render_receipt(checklist, width)
    assert img.mode == "1" and img.width == width
    assert img.height > 1500
    black = img.convert("L").histogram()[0]
    assert 0.03 < black / (img.width * img.height) < 0.5


def test_margins_stay_white(checklist):
    img = render_receipt(checklist, 576).convert("L")
    for box in ((0, 0, 6, img.height), (img.width - 6, 0, img.width, img.height)):
        assert img.crop(box).getextrema() == (255, 255), f"ink in the margin {box}"


@pytest.mark.parametrize("width", [576, 384])
def test_stacked_diacritics_and_descenders_are_not_clipped(width):
    """Every line box holds "Ễ", "Ữ", "Ỹ" above and "ỵ", "g" below: the first and last pixel rows stay white."""
    receipt = _Receipt(width)
    for style in Style:
        img = receipt.text("ỄẪỮỸẤ Ặ gjpqyỵ ỹ Ợ", style, 1000)
        rows = img.point(lambda v: 0 if v < 255 else 255)
        assert rows.crop((0, 0, img.width, 1)).getextrema() == (255, 255), f"{style}: clipped on top"
        assert rows.crop((0, img.height - 1, img.width, img.height)).getextrema() == (255, 255), f"{style}: bottom"


def test_wrap_fits_the_width_and_keeps_every_word():
    font = _font(False, 30)
    text = ("Giấy chứng sinh (không có thì văn bản của người làm chứng xác nhận việc sinh) "
            "https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc=1.001193")
    lines = wrap(text, font, 300)
    assert all(font.getlength(line) <= 300 for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_no_break_space_holds_words_together():
    font = _font(False, 30)
    lines = wrap("aaaa bbbb 01\u00a0bản", font, font.getlength("aaaa bbbb 01"))
    assert lines[-1] == "01\u00a0bản"


@pytest.mark.skipif(not have("zbarimg"), reason="zbarimg (zbar-tools) not installed")
@pytest.mark.parametrize("width", [576, 384])
def test_qr_code_on_the_receipt_decodes_to_the_portal(checklist, width, tmp_path):
    path = tmp_path / f"receipt-{width}.png"
    render_receipt(checklist, width).save(path)
    assert zbar_decode(path) == [PORTAL_KHAI_SINH]


def test_local_procedure_has_no_qr_code():
    with_qr = render_receipt(build_checklist(KHAI_SINH, OFFICE, PRINTED_AT), 576)
    without = render_receipt(build_checklist(LOCAL, OFFICE, PRINTED_AT), 576)
    # the QR block alone is ~300 dots tall; the local receipt is shorter by more than that
    assert without.height < with_qr.height - 300


def test_same_input_same_picture(checklist):
    a, b = render_receipt(checklist, 576), render_receipt(checklist, 576)
    assert ImageChops.difference(a.convert("L"), b.convert("L")).getbbox() is None


def test_bad_width_is_a_configuration_error(checklist):
    with pytest.raises(PrinterNotConfigured):
        render_receipt(checklist, 100)


def test_missing_font_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setattr(fonts_mod, "CANDIDATES", ((tmp_path, "None.ttf", "None-Bold.ttf"),))
    fonts_mod.find_fonts.cache_clear()
    try:
        with pytest.raises(FontNotFound) as err:
            fonts_mod.find_fonts()
        assert "fonts-noto-core" in str(err.value) and str(tmp_path) in str(err.value)
    finally:
        fonts_mod.find_fonts.cache_clear()


def test_font_without_vietnamese_is_refused(monkeypatch):
    import glob

    latin_only = [p for p in glob.glob("/usr/share/fonts/truetype/noto/NotoSansSymbols-Regular.ttf")]
    if not latin_only:
        pytest.skip("no non-Vietnamese font installed to try")
    from pathlib import Path

    assert not fonts_mod._covers(Path(latin_only[0]))
    assert fonts_mod._covers(fonts_mod.find_fonts().regular)


def test_long_document_name_wraps_inside_the_paper():
    doc = dataclasses.replace(KHAI_SINH.documents[0], name="Văn bản ủy quyền " * 12)
    proc = dataclasses.replace(KHAI_SINH, documents=(doc,))
    img = render_receipt(build_checklist(proc, OFFICE, PRINTED_AT), 384).convert("L")
    assert img.crop((img.width - 4, 0, img.width, img.height)).getextrema() == (255, 255)
    assert isinstance(img, Image.Image)
