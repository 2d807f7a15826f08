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
