"""Small talk is answered politely and offers nothing (knowledge.social)."""
from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from knowledge import replies
from knowledge.base import KnowledgeBase
from knowledge.model import Decision, NoneReason
from knowledge.social import social_reason
from knowledge.source import load_source

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase(load_source(ROOT / "assets" / "content"))


@pytest.mark.parametrize("text, reason", [
    ("cam on nhe", NoneReason.THANKS),
    ("Cảm ơn em nhiều lắm ạ!", NoneReason.THANKS),
    ("thank you", NoneReason.THANKS),
    ("Xin chào", NoneReason.GREETING),
    ("alo alo", NoneReason.GREETING),
    ("Ăn cơm chưa em?", NoneReason.GREETING),
    ("bác có khỏe không", NoneReason.GREETING),
    ("tạm biệt nhé", NoneReason.GOODBYE),
    ("hả", NoneReason.UNCLEAR),
    ("à ờ ờ", NoneReason.UNCLEAR),
    ("oke oke", NoneReason.UNCLEAR),
])
def test_small_talk_is_recognised(text, reason):
    assert social_reason(text) is reason


@pytest.mark.parametrize("text", [
    "cảm ơn, cho hỏi làm giấy khai sinh cho con cần gì",
    "chào em, chị muốn đăng ký tạm trú",
    "làm giấy khai sinh",
    "em có người yêu chưa",
    "giấy khám sức khỏe không",
    "ăn cơm chưa rồi cho hỏi làm khai sinh",
    "",
    "cam on " * 20,
])
def test_a_question_with_a_greeting_is_still_a_question(text):
    assert social_reason(text) is None


def test_thanks_gets_a_polite_reply_and_no_choices(kb):
    result = kb.ask("cam on nhe")
    assert result.decision is Decision.NONE and result.answer is None and result.choices == []
    assert len(result.matches) >= 3  # the JSON contract still lists matches
    reply = replies.reply_for(result, kb)
    assert reply.heading == "Dạ, không có chi ạ."
    assert "không có chi" in reply.spoken
    assert unicodedata.is_normalized("NFC", reply.text)


def test_greeting_invites_a_question(kb):
    reply = replies.reply_for(kb.ask("xin chào"), kb)
    assert reply.heading == "Xin chào ông/bà." and "muốn hỏi thủ tục gì" in reply.text


def test_fillers_ask_again(kb):
    result = kb.ask("hả")
    assert result.decision is Decision.NONE and result.reason is NoneReason.UNCLEAR
    assert replies.reply_for(result, kb).heading == replies.NOT_THESE_TITLE


def test_thanks_then_question_is_answered(kb):
    result = kb.ask("cảm ơn, cho hỏi làm giấy khai sinh cho con cần gì")
    assert result.reason is None
    assert result.decision is Decision.ANSWER and result.answer.code == "1.001193"


@pytest.mark.parametrize("text", [
    "mấy giờ phường nghỉ trưa vậy", "Thứ Bảy phường có làm việc không ạ?", "cho hỏi giờ làm việc của phường",
    "phuong mo cua may gio vay em", "chủ nhật có làm không", "làm việc tới mấy giờ",
])
def test_a_question_about_opening_hours_is_recognised(text):
    assert social_reason(text) is NoneReason.OFFICE_HOURS


@pytest.mark.parametrize("text", [
    "mấy giờ rồi",  # the time of day, not the office's hours
    "thứ bảy có làm khai sinh không",  # a procedure: ranked as usual
    "mấy giờ làm khai sinh xong",
    "tôi muốn hỏi việc làm",
])
def test_a_question_that_names_more_than_the_hours_is_ranked(text):
    assert social_reason(text) is not NoneReason.OFFICE_HOURS


def test_opening_hours_are_answered_from_the_office(kb):
    result = kb.ask("phường mở cửa mấy giờ vậy em")
    assert result.decision is Decision.NONE and result.reason is NoneReason.OFFICE_HOURS and result.choices == []
    reply = replies.reply_for(result, kb)
    hours = kb.content.office.hours
    assert reply.heading == "Giờ làm việc" and hours in reply.text
    assert "–" not in reply.spoken and "7 giờ 30 đến 11 giờ 30" in reply.spoken  # read aloud as "đến"
    assert unicodedata.is_normalized("NFC", reply.text) and unicodedata.is_normalized("NFC", reply.spoken)
    assert result.to_json()["decision"] == "none"  # the JSON contract is unchanged
    # an office with no hours written sends the citizen to the help counter instead
    blank = replies.none_reply("1", NoneReason.OFFICE_HOURS, "")
    assert "quầy số 1" in blank.text
