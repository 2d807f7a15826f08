"""Vietnamese text-for-speech normalisation (pure logic)."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from speech.text_for_speech import digits_to_words, normalize_for_speech, number_to_words
from speech.tts import split_sentences

NUMBERS = [
    (0, "không"),
    (1, "một"),
    (5, "năm"),
    (10, "mười"),
    (11, "mười một"),
    (14, "mười bốn"),
    (15, "mười lăm"),
    (20, "hai mươi"),
    (21, "hai mươi mốt"),
    (25, "hai mươi lăm"),
    (55, "năm mươi lăm"),
    (100, "một trăm"),
    (101, "một trăm linh một"),
    (105, "một trăm linh năm"),
    (110, "một trăm mười"),
    (115, "một trăm mười lăm"),
    (121, "một trăm hai mươi mốt"),
    (1000, "một nghìn"),
    (1005, "một nghìn không trăm linh năm"),
    (1010, "một nghìn không trăm mười"),
    (2015, "hai nghìn không trăm mười lăm"),
    (2025, "hai nghìn không trăm hai mươi lăm"),
    (15000, "mười lăm nghìn"),
    (105000, "một trăm linh năm nghìn"),
    (1500000, "một triệu năm trăm nghìn"),
    (1000005, "một triệu không trăm linh năm"),
    (2000500, "hai triệu năm trăm"),
    (1200000000, "một tỷ hai trăm triệu"),
    (1000000000000, "một nghìn tỷ"),
]


@pytest.mark.parametrize("n, words", NUMBERS)
def test_number_to_words(n, words):
    assert number_to_words(n) == words


CASES = [
    # amounts and numbers
    ("Lệ phí 50.000 đồng", "Lệ phí năm mươi nghìn đồng"),
    ("Lệ phí 50.000đ", "Lệ phí năm mươi nghìn đồng"),
    ("1.500.000 VNĐ", "một triệu năm trăm nghìn đồng"),
    ("Phí 100.000 VND.", "Phí một trăm nghìn đồng."),
    ("8.000 đồng/trang", "tám nghìn đồng một trang"),
    ("Lệ phí 50.000đ/bản", "Lệ phí năm mươi nghìn đồng một bản"),
    ("2,5 triệu đồng", "hai phẩy năm triệu đồng"),
    ("1,5", "một phẩy năm"),
    ("3,14", "ba phẩy mười bốn"),
    ("0,05", "không phẩy không năm"),
    ("1,500,000 đồng", "một triệu năm trăm nghìn đồng"),
    ("năm 2025", "năm hai nghìn không trăm hai mươi lăm"),
    ("Bước 1: nộp hồ sơ.", "Bước một: nộp hồ sơ."),
    # counts with leading zeros
    ("02 bản chính", "hai bản chính"),
    ("01 tờ khai", "một tờ khai"),
    ("trong 05 ngày làm việc", "trong năm ngày làm việc"),
    # dates
    ("ngày 01/7/2025", "ngày một tháng bảy năm hai nghìn không trăm hai mươi lăm"),
    ("01/7/2025", "ngày một tháng bảy năm hai nghìn không trăm hai mươi lăm"),
    ("Hạn chót 01/7/2025.", "Hạn chót ngày một tháng bảy năm hai nghìn không trăm hai mươi lăm."),
    ("Ngày 15/04/2024", "ngày mười lăm tháng tư năm hai nghìn không trăm hai mươi bốn"),
    ("từ 20-11-2024", "từ ngày hai mươi tháng mười một năm hai nghìn không trăm hai mươi bốn"),
    ("tháng 7/2025", "tháng bảy năm hai nghìn không trăm hai mươi lăm"),
    ("hạn 15/7", "hạn ngày mười lăm tháng bảy"),
    ("Số 5, đường 3/2", "Số năm, đường ba tháng hai"),
    ("số 5/12 Nguyễn Trãi", "số năm trên mười hai Nguyễn Trãi"),
    # ordinals and ranges
    ("thứ 2", "thứ hai"),
    ("thứ 4", "thứ tư"),
    ("lần thứ 1", "lần thứ nhất"),
    ("Từ thứ 2 - thứ 6", "Từ thứ hai đến thứ sáu"),
    ("từ thứ 2 đến thứ 7", "từ thứ hai đến thứ bảy"),
    ("3-5 ngày", "ba đến năm ngày"),
    # times
    ("7h30", "bảy giờ ba mươi"),
    ("7h", "bảy giờ"),
    ("07:30", "bảy giờ ba mươi"),
    ("từ 7h30 đến 11h30", "từ bảy giờ ba mươi đến mười một giờ ba mươi"),
    ("7h - 11h30", "bảy giờ đến mười một giờ ba mươi"),
    ("13h00", "mười ba giờ"),
    # percent, units
    ("50%", "năm mươi phần trăm"),
    ("2,5%", "hai phẩy năm phần trăm"),
    ("diện tích 100 m2", "diện tích một trăm mét vuông"),
    # abbreviations
    ("UBND phường", "ủy ban nhân dân phường"),
    ("CCCD, BHYT và HĐND", "căn cước công dân, bảo hiểm y tế và hội đồng nhân dân"),
    ("TTHC", "thủ tục hành chính"),
    ("CMND hoặc GCN QSDĐ", "chứng minh nhân dân hoặc giấy chứng nhận quyền sử dụng đất"),
    ("NĐ-CP", "nghị định chính phủ"),
    ("TT-BTP", "thông tư bộ tư pháp"),
    ("BHXH", "bảo hiểm xã hội"),
    ("công an TP.HCM", "công an thành phố hồ chí minh"),
    # legal references
    (
        "Nghị định 123/2015/NĐ-CP",
        "Nghị định số một trăm hai mươi ba năm hai nghìn không trăm mười lăm của chính phủ",
    ),
    (
        "theo 123/2015/NĐ-CP",
        "theo nghị định số một trăm hai mươi ba năm hai nghìn không trăm mười lăm của chính phủ",
    ),
    ("Thông tư 04/2020/TT-BTP", "Thông tư số bốn năm hai nghìn không trăm hai mươi của bộ tư pháp"),
    (
        "Luật Hộ tịch số 60/2014/QH13",
        "Luật Hộ tịch số sáu mươi năm hai nghìn không trăm mười bốn của quốc hội khóa mười ba",
    ),
    ("Quyết định số 12/QĐ-UBND", "Quyết định số mười hai của ủy ban nhân dân"),
    ("15/CT-TTg", "chỉ thị số mười lăm của thủ tướng chính phủ"),
    ("Mẫu số 01/TP-HT", "Mẫu số một, T P, H T"),
    # slashes, phones, codes, brackets
    ("bản sao/bản chính", "bản sao hoặc bản chính"),
    ("123/2015", "một trăm hai mươi ba trên hai nghìn không trăm mười lăm"),
    (
        "Gọi 0243.824.999",
        "Gọi không hai bốn ba, tám hai bốn, chín chín chín",
    ),
    ("0912345678", "không chín một hai, ba bốn năm, sáu bảy tám"),
    ("mã thủ tục 1.001193", "mã thủ tục một chấm không không một một chín ba"),
    ("dichvucong.gov.vn", "dichvucong chấm gov chấm vn"),
    ("(nếu có)", "nếu có"),
    ("hạng A1", "hạng A một"),
    ("CCCD & ảnh", "căn cước công dân và ảnh"),
    # nothing to do
    ("Xin chào, tôi có thể giúp gì?", "Xin chào, tôi có thể giúp gì?"),
    ("", ""),
]


@pytest.mark.parametrize("text, spoken", CASES)
def test_normalize_for_speech(text, spoken):
    assert normalize_for_speech(text) == spoken


def test_whole_answer_reads_naturally():
    text = (
        "Hồ sơ gồm: 01 tờ khai (theo mẫu); 02 bản sao CCCD. Lệ phí: 8.000đ/bản. "
        "Thời hạn: 03 ngày làm việc, từ thứ 2 - thứ 6 (7h30 - 11h30)."
    )
    assert normalize_for_speech(text) == (
        "Hồ sơ gồm: một tờ khai, theo mẫu; hai bản sao căn cước công dân. Lệ phí: tám nghìn đồng một bản. "
        "Thời hạn: ba ngày làm việc, từ thứ hai đến thứ sáu, bảy giờ ba mươi đến mười một giờ ba mươi."
    )


def test_decomposed_input_is_composed():
    nfd = "Ủy ban nhân dân".encode().decode()  # may already be NFC; force NFD below
    import unicodedata

    assert normalize_for_speech(unicodedata.normalize("NFD", nfd)) == unicodedata.normalize("NFC", nfd)


def test_digits_to_words():
    assert digits_to_words("0912") == "không chín một hai"


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=10**13))
def test_every_integer_is_written_out(n):
    words = number_to_words(n)
    assert words and not re.search(r"\d", words)
    assert "  " not in words
    # "mốt"/"lăm" only after a tens word
    assert not words.startswith(("mốt", "lăm"))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789.,/-:%hđ ", max_size=30))
def test_no_digits_survive_in_number_soup(text):
    # Whatever the numeric soup, no crash and no digit left for the engine to guess.
    assert not re.search(r"\d", normalize_for_speech(text))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_never_crashes(text):
    normalize_for_speech(text)


def test_split_sentences_keeps_numbers_whole():
    assert split_sentences("Lệ phí 1.500.000 đồng. Nộp tại bộ phận một cửa! Xong?") == [
        "Lệ phí 1.500.000 đồng.",
        "Nộp tại bộ phận một cửa!",
        "Xong?",
    ]


def test_split_sentences_cuts_long_sentences_at_commas():
    long = ", ".join(["giấy tờ tùy thân của người yêu cầu"] * 12)
    parts = split_sentences(long, max_chars=100)
    assert len(parts) > 1 and all(len(p) <= 100 for p in parts)
    assert " ".join(parts).replace(",", "").split() == long.replace(",", "").split()
