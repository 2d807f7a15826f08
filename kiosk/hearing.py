"""Hear a spoken question well enough to decide: the recogniser's transcript, and when the
kiosk would not answer it outright, a second pass over the same audio biased towards the
procedures the first transcript made likely (faster-whisper ``hotwords``).

Whisper base mis-hears Vietnamese often ("làm giấy khai sinh" → "làm dấy khai xinh"); told
which few procedure names to expect, it hears them better. bench/spoken_second_pass.py,
100 spoken development questions (espeak-ng → Whisper base, 2 cores): top-3 58 → 70 %,
top-1 47 → 57 % when both hearings count. It costs one more decoding (about as long as
the first), so it runs only when the first hearing would not be answered outright.
With ``asr.fit_choices`` on, the clarify choices are then ordered by how well each fits the
audio as well (kiosk.sound_fit).
"""
from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass

from knowledge.base import AskResult, KnowledgeBase
from knowledge.decide import Hearing
from knowledge.model import Decision, Match

log = logging.getLogger(__name__)

SHORTLIST = 6  # procedure names given to the second pass (bench/spoken_second_pass.py --shortlist)


@dataclass(frozen=True, slots=True)
class HeardQuestion:
    text: str  # the first transcript (shown to the citizen)
    hearing: Hearing | None
    second: str = ""  # the biased second transcript ("" when not run)
    second_hearing: Hearing | None = None
    fitted: tuple[tuple[Match, float], ...] = ()  # the first candidates with their fit to the audio (kiosk.sound_fit)

    def hearings(self) -> list[tuple[str, Hearing | None]]:
        out = [(self.text, self.hearing)]
        if self.second:
            out.append((self.second, self.second_hearing))
        return out


def shortlist_words(kb: KnowledgeBase, result: AskResult) -> str:
    """The shortlisted procedures' plain names, as the second pass's vocabulary."""
    return ", ".join(kb.procedure(m.code).label for m in result.matches[:SHORTLIST])


def hear(kb: KnowledgeBase, transcriber, audio, transcript, *, sample_rate: int = 16000,
         fit_choices: bool = False) -> HeardQuestion:
    """``transcript``: the first pass (already made while the citizen was speaking).
    ``fit_choices``: also score the first candidates against the audio (kiosk.sound_fit)."""
    text = transcript.text
    hearing = Hearing.from_segments(getattr(transcript, "segments", ()))
    if not text:
        return HeardQuestion("", None)
    first = kb.ask(text, transcript=text, hearing=hearing, limit=SHORTLIST)
    # Small talk, the hours, a lobby topic (``reason``) are read from the first text alone:
    # a second hearing could not change the reply (KnowledgeBase._decide reads that text).
    if first.decision is Decision.ANSWER or not first.matches or first.reason is not None:
        return HeardQuestion(text, hearing)
    try:
        again = transcriber.transcribe(audio, sample_rate=sample_rate, hotwords=shortlist_words(kb, first))
    except Exception as exc:  # the first hearing is still good: never lose the question
        log.warning("second hearing failed: %s", exc)
        heard = HeardQuestion(text, hearing)
    else:
        heard = HeardQuestion(text, hearing, again.text, Hearing.from_segments(getattr(again, "segments", ())))
    if fit_choices:
        from kiosk.sound_fit import FIT_CANDIDATES, sound_fit

        ranking, _ = kb.rank_heard(heard.hearings(), limit=FIT_CANDIDATES)
        fitted = sound_fit(kb, transcriber, audio, text, ranking.matches[:FIT_CANDIDATES], sample_rate=sample_rate)
        heard = dataclasses.replace(heard, fitted=fitted)
    return heard


def ask_heard(kb: KnowledgeBase, heard: HeardQuestion) -> AskResult:
    return with_fit(kb, kb.ask_heard(heard.hearings()), heard.fitted)


def with_fit(kb: KnowledgeBase, result: AskResult, fitted: tuple[tuple[Match, float], ...]) -> AskResult:
    """``result`` with its clarify choices ordered by their fit to the audio, when scored."""
    if not fitted:
        return result
    from kiosk.sound_fit import order_choices

    return order_choices(result, fitted, kb.params.offered)
