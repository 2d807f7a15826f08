"""speech.turn: does the transcript so far sound like an unfinished question?"""
from __future__ import annotations

import unicodedata

import pytest

from speech.turn import sounds_unfinished


@pytest.mark.parametrize(
    "text",
    [
        "Cho tôi hỏi",
        "cho tôi hỏi về",
        "Tôi muốn đăng ký",
        "làm giấy khai sinh cho",
        "tiếng sĩ ngô ăn cùng thân hoa của",  # real base transcript of an unfinished FOSD clip
        "Chị ơi,",
        "thủ tục cấp lại căn cước thì",
        "tôi cần",
    ],
)
def test_unfinished(text):
    assert sounds_unfinished(text)
    assert sounds_unfinished(unicodedata.normalize("NFD", text))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Làm giấy khai sinh cần những gì?",
        "Đăng ký kết hôn ở đâu",
        "Lệ phí bao nhiêu",
        "Có được không",
        "tôi muốn làm căn cước công dân",
        "Cho tôi hỏi thủ tục khai tử ạ",
        "tiếng sĩ ngô ăn cùng thân hoa của mình.",  # base's invented ending: cannot be told apart
    ],
)
def test_finished(text):
    assert not sounds_unfinished(text)
