"""Hear a spoken question well enough to decide: the recogniser's transcript, and when the
kiosk would not answer it outright, a second pass over the same audio biased towards the
procedures the first transcript made likely (faster-whisper ``hotwords``).

Whisper base mis-hears Vietnamese often ("làm giấy khai sinh" → "làm dấy khai xinh"); told
which few procedure names to expect, it hears them better. bench/spoken_second_pass.py,
100 spoken development questions (espeak-ng → Whisper base, 2 cores): top-3 58 → 70 %,
top-1 47 → 57 % when both hearings count. It costs one more decoding (about as long as
the first), so it runs only when the first hearing would not be answered outright.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from knowledge.base import AskResult, KnowledgeBase
from knowledge.decide import Hearing
from knowledge.model import Decision

log = logging.getLogger(__name__)

SHORTLIST = 6  # procedure names given to the second pass (bench/spoken_second_pass.py --shortlist)


@dataclass(frozen=True, slots=True)
class HeardQuestion:
    text: str  # the first transcript (shown to the citizen)
    hearing: Hearing | None
    second: str = ""  # the biased second transcript ("" when not run)
    second_hearing: Hearing | None = None

    def hearings(self) -> list[tuple[str, Hearing | None]]:
        out = [(self.text, self.hearing)]
        if self.second:
            out.append((self.second, self.second_hearing))
        return out


def shortlist_words(kb: KnowledgeBase, result: AskResult) -> str:
    """The shortlisted procedures' plain names, as the second pass's vocabulary."""
    return ", ".join(kb.procedure(m.code).label for m in result.matches[:SHORTLIST])


def hear(kb: KnowledgeBase, transcriber, audio, transcript, *, sample_rate: int = 16000) -> HeardQuestion:
    """``transcript``: the first pass (already made while the citizen was speaking)."""
    text = transcript.text
    hearing = Hearing.from_segments(getattr(transcript, "segments", ()))
    if not text:
        return HeardQuestion("", None)
    first = kb.ask(text, transcript=text, hearing=hearing, limit=SHORTLIST)
    if first.decision is Decision.ANSWER or not first.matches:
        return HeardQuestion(text, hearing)
    try:
        again = transcriber.transcribe(audio, sample_rate=sample_rate, hotwords=shortlist_words(kb, first))
    except Exception as exc:  # the first hearing is still good: never lose the question
        log.warning("second hearing failed: %s", exc)
        return HeardQuestion(text, hearing)
    return HeardQuestion(text, hearing, again.text, Hearing.from_segments(getattr(again, "segments", ())))


def ask_heard(kb: KnowledgeBase, heard: HeardQuestion) -> AskResult:
    return kb.ask_heard(heard.hearings())
