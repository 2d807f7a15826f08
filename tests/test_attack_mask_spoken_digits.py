"""Attacker pass on issue 15 (item 8, masking): phone and ID numbers said digit by digit.

The kiosk is a voice kiosk: a citizen dictating a phone number slowly is transcribed as
number words ("không chín không tám một hai ba…"), or a mix of words and digits. `mask`
only knows digit characters, so most of the number is stored in the question log
(180 days + backups); e.g. 'không chín không tám một hai ba bốn năm sáu' is stored as
'không chín không tám một hai ba [tên]' (seven of ten digits kept, and "bốn năm sáu"
mistaken for a name). Found by the attacker session; fixed in the same session; these now guard the fix.
"""
from __future__ import annotations

import pytest

from knowledge.masking import mask

DIGITS = {"không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín", "linh", "lẻ"}

SPOKEN = [
    "số điện thoại của tôi là không chín không tám một hai ba bốn năm sáu",
    "điện thoại không chín tám bảy sáu năm bốn ba hai một",
    "căn cước không bảy chín một chín không không một hai ba bốn năm",
    "gọi số 09 một hai ba 45 sáu bảy tám",
]


@pytest.mark.parametrize("question", SPOKEN)
def test_a_number_said_digit_by_digit_is_masked(question):
    kept = [w for w in mask(question).split() if w in DIGITS or w.isdigit()]
    # At most a stray digit word may remain; a run of them is a phone or ID number.
    assert len(kept) <= 2, mask(question)


def test_procedure_words_with_a_number_word_survive():
    # What a fix must not break: "một cửa", "hai bản", "ba tháng" are not numbers to mask.
    for q in ("nộp ở bộ phận một cửa", "cần hai bản sao", "tạm vắng ba tháng"):
        assert mask(q) == q
