"""Text to speech: the :class:`Synthesizer` interface and the engine choice.

Engines: :mod:`speech.tts_piper` (a neural piper voice) and :mod:`speech.tts_espeak`
(espeak-ng ``-v vi``, always available, robotic). ``engine = "auto"`` picks piper
when a Vietnamese piper voice is installed, espeak-ng otherwise.

Vietnamese text is normalised for speech first (:mod:`speech.text_for_speech`), then
synthesised sentence by sentence so playback can start after the first sentence.
"""
from __future__ import annotations

import logging
import re
import wave
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np

from speech.errors import ModelNotFound, SynthesisError
from speech.settings import TtsConfig

_LOGGER = logging.getLogger(__name__)

ENGINES = ("auto", "piper", "espeak")

# Sentence ends: . ! ? … ; and line breaks — but not a dot between digits (1.500).
_SENTENCE_END = re.compile(r"(?<=[.!?…;:])\s+|\n+")


def split_sentences(text: str, *, max_chars: int = 220) -> list[str]:
    """Sentences (and over-long sentences cut at commas) in reading order."""
    out: list[str] = []
    for sentence in _SENTENCE_END.split(text):
        sentence = sentence.strip()
        if not sentence:
            continue
        while len(sentence) > max_chars:
            cut = sentence.rfind(",", 0, max_chars)
            if cut < max_chars // 3:
                cut = sentence.rfind(" ", 0, max_chars)
            if cut <= 0:
                cut = max_chars
            out.append(sentence[: cut + 1].strip(" ,"))
            sentence = sentence[cut + 1 :].strip()
        if sentence and re.search(r"\w", sentence):
            out.append(sentence)
    return out


class Synthesizer(ABC):
    """Speaks text. ``synthesize`` yields ``(int16 mono samples, sample_rate)`` per
    sentence; ``name``/``voice`` say which engine and voice, for logs and help."""

    name: str = "?"
    voice: str = "?"
    sample_rate: int = 22050
    vietnamese: bool = True
    """Apply Vietnamese text-for-speech normalisation (off for e.g. an English voice)."""

    def __init__(self, rate: float = 1.0) -> None:
        if not 0.3 <= rate <= 3.0:
            raise SynthesisError(f"tốc độ đọc phải trong 0.3–3.0 / rate must be within 0.3–3.0, got {rate}")
        self.rate = float(rate)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(voice={self.voice!r}, rate={self.rate})"

    def prepare(self, text: str) -> list[str]:
        """Normalised sentences that will be spoken."""
        if self.vietnamese:
            from speech.text_for_speech import normalize_for_speech

            text = normalize_for_speech(text)
        return split_sentences(text)

    def synthesize(self, text: str) -> Iterator[tuple[np.ndarray, int]]:
        """``(int16 samples, sample_rate)`` per sentence, each made only when asked for,
        so playback (:meth:`speech.Player.play`) starts after the first sentence."""
        for sentence in self.prepare(text):
            audio = self._synthesize_sentence(sentence)
            if audio.size:
                yield audio.astype(np.int16, copy=False), self.sample_rate

    @abstractmethod
    def _synthesize_sentence(self, sentence: str) -> np.ndarray:
        """int16 mono samples at ``self.sample_rate`` for one sentence."""

    def to_wav(self, text: str, path: str | Path, *, pause_s: float = 0.25) -> Path:
        """Write the whole text as one 16-bit mono WAV (with short pauses between
        sentences). Returns the path."""
        pieces: list[np.ndarray] = []
        rate = self.sample_rate
        for audio, rate in self.synthesize(text):
            if pieces:
                pieces.append(np.zeros(int(pause_s * rate), dtype=np.int16))
            pieces.append(audio)
        if not pieces:
            raise SynthesisError("không có gì để đọc / nothing to say (empty text)")
        path = Path(path)
        with wave.open(str(path), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(rate)
            w.writeframes(np.concatenate(pieces).astype("<i2").tobytes())
        return path


@dataclass(frozen=True)
class EngineChoice:
    """The voice :func:`load_synthesizer` would use and why (for `kiosk doctor` and the log)."""

    engine: str
    """"piper" or "espeak"."""
    voice: str
    """Voice name (piper) or espeak-ng voice."""
    detail: str
    """Where it comes from, or why piper was not chosen."""

    def describe(self) -> str:
        """One line for logs: engine (voice) — detail."""
        return f"{self.engine} ({self.voice}) — {self.detail}"


def choose_engine(tts_cfg: TtsConfig) -> EngineChoice:
    """Which engine/voice ``load_synthesizer`` would use, without loading anything."""
    from speech.models import espeak_path, find_piper_voice, piper_voice_candidates

    engine = (tts_cfg.engine or "auto").lower()
    if engine not in ENGINES:
        raise SynthesisError(f"tts.engine phải là / must be one of {', '.join(ENGINES)}, got {tts_cfg.engine!r}")
    if engine in ("auto", "piper"):
        info = find_piper_voice(tts_cfg.piper_voice, tts_cfg.voices_dir)
        if info is not None and (engine == "piper" or info.is_vietnamese):
            return EngineChoice("piper", info.name, str(info.model_path))
        looked = ", ".join(str(p) for p in piper_voice_candidates(tts_cfg.piper_voice, tts_cfg.voices_dir))
        if engine == "piper":
            raise ModelNotFound(
                f"không tìm thấy giọng piper / piper voice {tts_cfg.piper_voice!r} not found "
                f"(looked in: {looked or tts_cfg.voices_dir}); cài bằng / install with: "
                f"python -m piper.download_voices --data-dir {tts_cfg.voices_dir} vi_VN-vais1000-medium"
            )
        why = (
            f"piper voice {info.name} is not Vietnamese ({info.language})"
            if info is not None
            else f"no piper voice {tts_cfg.piper_voice!r} in {tts_cfg.voices_dir}"
        )
    else:
        why = "tts.engine = espeak"
    if espeak_path() is None:
        raise SynthesisError(
            f"không có công cụ đọc / no TTS engine: {why}, and espeak-ng is not installed "
            "(apt-get install espeak-ng)"
        )
    return EngineChoice("espeak", tts_cfg.espeak_voice, why)


def load_synthesizer(tts_cfg: TtsConfig) -> Synthesizer:
    """The configured synthesiser (see :func:`choose_engine`); logs the choice."""
    choice = choose_engine(tts_cfg)
    if choice.engine == "piper":
        from speech.models import find_piper_voice
        from speech.tts_piper import PiperSynthesizer

        info = find_piper_voice(tts_cfg.piper_voice, tts_cfg.voices_dir)
        if info is None:  # choose_engine found it a moment ago: removed since
            raise ModelNotFound(f"giọng piper đã bị gỡ / piper voice {tts_cfg.piper_voice!r} was removed")
        synth: Synthesizer = PiperSynthesizer(info, rate=tts_cfg.rate)
    else:
        from speech.tts_espeak import EspeakSynthesizer

        synth = EspeakSynthesizer(tts_cfg.espeak_voice, rate=tts_cfg.rate)
    _LOGGER.info("TTS engine: %s", choice.describe())
    return synth
