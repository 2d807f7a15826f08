"""Order a spoken question's clarify choices by how well each fits what was said.

Issue 12, item 4: Whisper's own decoder scores the shortlisted procedures against the
audio. For each of the first ``FIT_CANDIDATES`` procedures of the merged ranking, the
first transcript with the words most like one of the procedure's curated texts (short
title, title, aliases) replaced by that text is scored by the decoder (teacher forcing,
``WhisperTranscriber.fit_texts``); a procedure's fit is how much better, per token, its
sentence fits the audio than the transcript itself. The clarify screen then offers the
candidates in the order of text score + ``FIT_WEIGHT`` × fit.

Measured with bench/spoken_align.py (espeak-ng → Whisper base, 2 cores; docs/matching-history.md,
thirteenth session): on the earlier blind sets, each left out of the examples, the first
choice right 0.4 to 6 points more often and the right one among four 0.5 to 1.3 points more;
on the held-out seventh set, first unchanged and among four +1.5 points. It costs ~0.4 s
median (end of speech → first audio 1.35 → 1.58 s on the pipeline benchmark), which the
1.2 s bound does not have on 2 cores — so it is off by default (``asr.fit_choices``).
"""
from __future__ import annotations

import dataclasses
import logging
import math

from rapidfuzz import fuzz

from knowledge.base import AskResult, KnowledgeBase
from knowledge.model import Decision, Match
from knowledge.normalize import fold

log = logging.getLogger(__name__)

FIT_CANDIDATES = 6  # bench/spoken_align.py: 6 candidates x 1 text did as well as 8 x 2 at a third of the time
# Chosen on the fourth blind set left out (w in 0..160: 5 best first-choice rate), read on the
# second and third (docs/matching-history.md, thirteenth session). Fit is in nats per token, scores 0-100.
FIT_WEIGHT = 5.0


def _words(text: str) -> list[str]:
    return [w for w in (x.strip(".,?!;:\"'()…") for x in text.split()) if w]


def _key(words: list[str]) -> str:
    return fold(" ".join(words)).lower()


def with_phrase(transcript: list[str], phrase: list[str]) -> tuple[str, float]:
    """``transcript`` (words) with its stretch most like ``phrase`` (one word fewer to one
    more) replaced by ``phrase``; and how alike that stretch was (0-100, without diacritics)."""
    if not transcript:
        return " ".join(phrase), 0.0
    key = _key(phrase)
    best = (-1.0, 0, len(transcript))
    n = len(phrase)
    for length in range(max(1, n - 1), n + 2):
        for i in range(0, max(1, len(transcript) - length + 1)):
            s = fuzz.ratio(_key(transcript[i:i + length]), key)
            if s > best[0]:
                best = (s, i, min(len(transcript), i + length))
    s, i, j = best
    return " ".join(transcript[:i] + phrase + transcript[j:]), s


def sentence_for(kb: KnowledgeBase, code: str, transcript: str) -> str:
    """The transcript as it would read had the citizen said one of ``code``'s curated texts:
    the one most like some stretch of it."""
    p = kb.procedure(code)
    words = _words(transcript)
    texts = dict.fromkeys(t for t in (p.short_title, p.title, *p.aliases) if t)
    return max((with_phrase(words, _words(t)) for t in texts), key=lambda x: x[1], default=(transcript, 0.0))[0]


def sound_fit(kb: KnowledgeBase, transcriber, audio, transcript: str, candidates: list[Match], *,
              sample_rate: int = 16000) -> tuple[tuple[Match, float], ...]:
    """Each candidate with its fit to the audio (nats per token, relative to the transcript);
    () when the recogniser cannot score texts or the scoring fails (the choices then keep
    the text order)."""
    fit_texts = getattr(transcriber, "fit_texts", None)
    if fit_texts is None or not candidates or not transcript.strip():
        return ()
    try:
        sentences = [transcript] + [sentence_for(kb, m.code, transcript) for m in candidates]
        fits = fit_texts(audio, sentences, sample_rate=sample_rate)
    except Exception as exc:  # the text ranking still stands: never lose the question
        log.warning("scoring the choices against the audio failed: %s", exc)
        return ()
    base = fits[0]
    if not math.isfinite(base):
        return ()
    return tuple((m, f - base) for m, f in zip(candidates, fits[1:]) if math.isfinite(f))


def order_choices(result: AskResult, fitted: tuple[tuple[Match, float], ...], offered: int) -> AskResult:
    """``result`` whose clarify choices are the fitted candidates best by text score +
    ``FIT_WEIGHT`` × fit. Family questions (their choices are the family's members), answers
    and refusals are left as they are."""
    if result.decision is not Decision.CLARIFY or result.family or not fitted:
        return result
    ordered = sorted(fitted, key=lambda mf: -(mf[0].score + FIT_WEIGHT * mf[1]))
    choices = [m for m, _ in ordered[:offered]]
    # The fitted candidates left off the first page lead the second one.
    shown = {m.code for m in choices}
    more: list[Match] = []
    for m in [m for m, _ in ordered[offered:]] + result.more_choices:
        if m.code not in shown:
            shown.add(m.code)
            more.append(m)
    more = more[:offered]
    return dataclasses.replace(result, choices=choices, more_choices=more)
