"""A spoken question heard twice (kiosk/hearing.py) with the real Whisper base model and
espeak-ng speech: the second pass runs only when the first would not be answered, is
biased with the shortlist, and both hearings reach the decision."""
from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.hearing import HeardQuestion, ask_heard, hear, shortlist_words
from knowledge.base import KnowledgeBase
from knowledge.model import Decision
from knowledge.source import load_source
from speech import load_audio
from speech_fixtures import espeak_wav

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def shipped() -> KnowledgeBase:
    return KnowledgeBase(load_source(REPO / "assets" / "content"))


class CountingTranscriber:
    """The real transcriber, counting calls and the hotwords it was given."""

    def __init__(self, real):
        self.real, self.calls = real, []

    def transcribe(self, audio, *, sample_rate=16000, hotwords=None):
        self.calls.append(hotwords)
        return self.real.transcribe(audio, sample_rate=sample_rate, hotwords=hotwords)


@pytest.mark.slow
@pytest.mark.parametrize("question", ["đăng ký tạm trú cho người thuê trọ", "xin giấy xác nhận tình trạng hôn nhân"])
def test_a_spoken_question_is_heard_and_decided(tmp_path, transcriber, shipped, question):  # noqa: F811
    audio = load_audio(espeak_wav(question, tmp_path / "q.wav"))
    counting = CountingTranscriber(transcriber)
    first = transcriber.transcribe(audio)
    heard = hear(shipped, counting, audio, first)
    assert heard.text == first.text and heard.hearing is not None
    result = ask_heard(shipped, heard)
    if shipped.ask(first.text, hearing=heard.hearing).decision is Decision.ANSWER:
        assert counting.calls == [] and heard.second == ""
    else:
        # the second pass was told the shortlisted procedures' names
        assert len(counting.calls) == 1 and counting.calls[0]
        assert counting.calls[0] == shortlist_words(shipped, shipped.ask(first.text, hearing=heard.hearing, limit=6))
    assert result.transcript == first.text
    assert result.decision in (Decision.ANSWER, Decision.CLARIFY, Decision.NONE)
    if result.decision is Decision.CLARIFY:
        assert 2 <= len(result.choices) <= 4


def test_nothing_heard_is_not_asked_again(shipped):
    class Empty:
        text, segments = "", ()

    class Never:
        def transcribe(self, *a, **k):
            raise AssertionError("no second pass on silence")

    heard = hear(shipped, Never(), None, Empty())
    assert heard == HeardQuestion("", None)
    assert ask_heard(shipped, heard).decision is Decision.NONE


def test_a_failing_second_pass_keeps_the_first_hearing(shipped):
    class Seg:
        start, end, avg_logprob, no_speech_prob = 0.0, 2.0, -1.4, 0.2

    class Garbled:
        text, segments = "tôi muốn hỏi lầm dấy tờ", (Seg(),)

    class Broken:
        def transcribe(self, *a, **k):
            raise RuntimeError("model crashed")

    heard = hear(shipped, Broken(), None, Garbled())
    assert heard.text == Garbled.text and heard.second == ""
