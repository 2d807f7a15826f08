"""Speech recognition: the :class:`Transcriber` interface and what it returns.

One backend today (:mod:`speech.asr_whisper`, faster-whisper). Nothing heard is an
empty :class:`Transcript` (``text == ""``), never an exception; audio that cannot be
decoded raises :class:`~speech.errors.InvalidAudio`.
"""
from __future__ import annotations

import difflib
import logging
import re
import unicodedata
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence, Union

import numpy as np

from speech.errors import InvalidAudio
from speech.settings import AsrConfig

__all__ = [
    "AudioInput",
    "GuardThresholds",
    "JUNK_PHRASES",
    "SAMPLE_RATE",
    "Segment",
    "Transcriber",
    "Transcript",
    "build_hotwords",
    "collapse_repeats",
    "filter_segments",
    "is_junk",
    "load_audio",
    "load_transcriber",
    "normalize_transcript",
    "resample",
    "strip_junk",
    "to_mono_16k",
]

_LOGGER = logging.getLogger(__name__)

SAMPLE_RATE = 16000
"""What every transcriber consumes: 16 kHz mono float32 in [-1, 1]."""

AudioInput = Union[str, Path, np.ndarray]


@dataclass(frozen=True)
class Segment:
    start: float
    end: float
    text: str
    no_speech_prob: float = 0.0
    avg_logprob: float = 0.0
    compression_ratio: float = 0.0


@dataclass(frozen=True)
class Transcript:
    text: str
    """NFC text; "" when nothing was heard."""
    language: str
    duration: float
    """Length of the audio in seconds."""
    segments: tuple[Segment, ...] = ()
    elapsed: float = 0.0
    """Wall-clock seconds spent transcribing."""
    dropped: tuple[str, ...] = field(default=(), compare=False)
    """Segment texts discarded as hallucinations (for logs, never shown)."""

    def __bool__(self) -> bool:
        return bool(self.text)

    def to_dict(self) -> dict:
        """The ``kiosk transcribe --json`` shape."""
        return {
            "text": self.text,
            "language": self.language,
            "duration": round(self.duration, 3),
            "segments": [
                {"start": round(s.start, 2), "end": round(s.end, 2), "text": s.text} for s in self.segments
            ],
            "elapsed": round(self.elapsed, 3),
        }


class Transcriber(ABC):
    """Turns an utterance into text. Implementations are thread-safe."""

    name: str = "?"
    model: str = "?"
    """Model directory or name, for logs."""

    @abstractmethod
    def transcribe(self, audio: AudioInput, *, sample_rate: int = SAMPLE_RATE, hotwords: str | None = None) -> Transcript:
        """Transcribe a file path (any format/rate/channels) or a numpy array.

        ``sample_rate`` applies to arrays only. ``hotwords`` overrides the default
        domain vocabulary given at load time ("" disables it for this call).
        """

    @abstractmethod
    def warm(self) -> None:
        """Run a tiny inference so that the first real question is not slow."""


# ---------------------------------------------------------------- audio in


def to_mono_16k(audio: np.ndarray, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Mono float32 at 16 kHz from an int16/int32/float array shaped (n,) or (n, channels)."""
    a = np.asarray(audio)
    if a.size == 0:
        return np.zeros(0, dtype=np.float32)
    if a.ndim not in (1, 2):
        raise InvalidAudio(f"mảng âm thanh phải 1 hoặc 2 chiều / audio array must be 1-D or 2-D, got {a.shape}")
    if a.dtype.kind == "i":
        a = a.astype(np.float32) / float(np.iinfo(a.dtype).max + 1)
    elif a.dtype.kind == "u":
        a = (a.astype(np.float32) - 128.0) / 128.0
    elif a.dtype.kind == "f":
        a = a.astype(np.float32, copy=False)
    else:
        raise InvalidAudio(f"kiểu mảng không hỗ trợ / unsupported audio dtype {a.dtype}")
    if a.ndim == 2:
        # (frames, channels) as sounddevice/soundfile give it; tolerate (channels, frames).
        if a.shape[0] < a.shape[1] and a.shape[0] <= 8:
            a = a.T
        a = a.mean(axis=1, dtype=np.float32)
    if not np.all(np.isfinite(a)):
        a = np.nan_to_num(a, nan=0.0, posinf=0.0, neginf=0.0)
    if sample_rate != SAMPLE_RATE:
        if sample_rate <= 0:
            raise InvalidAudio(f"tần số lấy mẫu sai / bad sample rate {sample_rate}")
        a = resample(a, sample_rate, SAMPLE_RATE)
    return a


def resample(audio: np.ndarray, src_rate: int, dst_rate: int) -> np.ndarray:
    """Linear-interpolation resampling with a short moving-average anti-alias filter
    when downsampling. Good enough for speech recognition; files are decoded by
    PyAV's resampler instead."""
    if src_rate == dst_rate or audio.size == 0:
        return audio.astype(np.float32, copy=False)
    if dst_rate < src_rate:
        width = int(round(src_rate / dst_rate))
        if width > 1:
            audio = np.convolve(audio, np.ones(width, dtype=np.float32) / width, mode="same")
    n_out = max(1, int(round(audio.size * dst_rate / src_rate)))
    x_out = np.arange(n_out, dtype=np.float64) * (src_rate / dst_rate)
    return np.interp(x_out, np.arange(audio.size), audio).astype(np.float32)


def load_audio(audio: AudioInput, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Decode a file (WAV/FLAC/MP3/… via PyAV, any rate and channels) or convert an
    array to 16 kHz mono float32. Raises InvalidAudio for anything undecodable."""
    if isinstance(audio, np.ndarray):
        return to_mono_16k(audio, sample_rate)
    path = Path(audio)
    if not path.is_file():
        raise InvalidAudio(f"không có tệp âm thanh / no such audio file: {path}")
    if path.stat().st_size == 0:
        raise InvalidAudio(f"tệp âm thanh rỗng / empty audio file: {path}")
    from faster_whisper.audio import decode_audio  # PyAV; heavy

    try:
        return decode_audio(str(path), sampling_rate=SAMPLE_RATE)
    except Exception as exc:  # av.error.* (InvalidDataError, …) and friends
        detail = getattr(exc, "strerror", None) or type(exc).__name__
        raise InvalidAudio(f"không đọc được tệp âm thanh / cannot decode audio {path}: {detail}") from None


# ---------------------------------------------------------------- text out


def normalize_transcript(text: str) -> str:
    """NFC, single spaces, no leading/trailing punctuation noise."""
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"\s+", " ", text).strip()
    return text.strip(" -–—\"'“”")


def _fold(text: str) -> str:
    """Lower-case, no punctuation, single spaces (tone marks kept) for comparisons."""
    text = unicodedata.normalize("NFC", text).lower()
    text = re.sub(r"[^\w\s]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


# Phrases Whisper invents on silence/noise, learnt from Vietnamese YouTube subtitles.
JUNK_PHRASES: tuple[str, ...] = (
    "hãy subscribe cho kênh ghiền mì gõ để không bỏ lỡ những video hấp dẫn",
    "hãy subscribe cho kênh ghiền mì gõ",
    "hãy subscribe cho kênh",
    "hãy đăng ký kênh để ủng hộ",
    "đăng ký kênh để ủng hộ",
    "nhớ like và đăng ký kênh",
    "ghiền mì gõ",
    "để không bỏ lỡ những video hấp dẫn",
    "cảm ơn các bạn đã theo dõi và hẹn gặp lại",
    "cảm ơn các bạn đã theo dõi",
    "cảm ơn các bạn đã xem",
    "hẹn gặp lại các bạn trong những video tiếp theo",
    "hẹn gặp lại các bạn trong video tiếp theo",
    "chúc các bạn xem video vui vẻ",
    "subtitles by the amara org community",
    "vietsub by",
    "thanks for watching",
)
_JUNK_FOLDED = tuple(sorted({_fold(p) for p in JUNK_PHRASES}, key=len, reverse=True))


_ASR = AsrConfig()


@dataclass(frozen=True)
class GuardThresholds:
    """Hallucination guards applied to every decoded segment."""

    no_speech_prob: float = _ASR.no_speech_threshold  # the defaults of speech.settings.AsrConfig
    """Drop a segment whose no-speech probability is above this…"""
    log_prob: float = _ASR.log_prob_threshold
    """…when its average log-probability is also below this (Whisper's own rule),
    and drop any segment whose average log-probability is below ``hard_log_prob``."""
    hard_log_prob: float = -1.5
    compression_ratio: float = _ASR.compression_ratio_threshold
    """Repetition loops compress well: drop segments above this gzip ratio."""
    spoken_s: float = 0.8
    """Seconds of speech (Silero VAD) from which a clip counts as spoken. When the
    rules above drop everything from a spoken clip, the relaxed rules are applied
    instead (``filter_segments(..., spoken=True)``): Whisper's no-speech probability
    is not trusted against the VAD, loops are cut instead of dropped, and only
    segments below ``spoken_log_prob`` are discarded — a citizen who spoke clearly
    gets a doubtful transcript (with its ``avg_logprob`` for the matcher to weigh)
    rather than "không nghe rõ". 0 turns this off."""
    spoken_log_prob: float = -2.5


def strip_junk(text: str) -> str:
    """Remove known hallucinated phrases; returns the folded remainder."""
    folded = f" {_fold(text)} "
    for phrase in _JUNK_FOLDED:
        folded = folded.replace(f" {phrase} ", " ")
    return re.sub(r"\s+", " ", folded).strip()


def collapse_repeats(text: str, max_run: int = 2, max_ngram: int = 4) -> str:
    """Cut runs of the same word or word group longer than ``max_run`` ("mơ mơ mơ mơ"
    → "mơ mơ", "dụng khi dụng khi dụng khi" → "dụng khi dụng khi"). Vietnamese
    reduplication repeats a syllable or a pair at most twice; more is a decoder loop."""
    words = text.split()
    keys = [w.lower().strip(",.?!") for w in words]
    for n in range(1, max_ngram + 1):
        out: list[int] = []  # indices of the words kept
        i = 0
        while i < len(words):
            # Is words[i:i+n] the (max_run+1)-th consecutive copy of the same n-gram?
            if len(out) >= n * max_run and i + n <= len(words):
                gram = keys[i : i + n]
                tail = [keys[j] for j in out[-n * max_run :]]
                if all(tail[k * n : (k + 1) * n] == gram for k in range(max_run)):
                    i += n
                    continue
            out.append(i)
            i += 1
        words = [words[j] for j in out]
        keys = [keys[j] for j in out]
    return " ".join(words)


def is_junk(text: str, *, similarity: float = 0.8) -> bool:
    """True when ``text`` is (nearly) one of the known hallucinated phrases."""
    folded = _fold(text)
    if not folded:
        return False
    if "subscribe" in folded.split():
        return True
    for phrase in _JUNK_FOLDED:
        if len(phrase) >= 15 and difflib.SequenceMatcher(None, folded, phrase).ratio() >= similarity:
            return True
    return folded in _JUNK_FOLDED


def filter_segments(
    segments: Iterable[Segment], guards: GuardThresholds, *, spoken: bool = False
) -> tuple[list[Segment], list[str]]:
    """Keep plausible segments, drop hallucinations. Returns (kept, dropped texts).

    ``spoken``: the VAD heard speech (see ``GuardThresholds.spoken_s``): relaxed rules.
    """
    kept: list[Segment] = []
    dropped: list[str] = []
    for seg in segments:
        text = normalize_transcript(seg.text)
        reason = None
        if not text:
            reason = "empty"
        elif not spoken and seg.no_speech_prob > guards.no_speech_prob and seg.avg_logprob < guards.log_prob:
            reason = "no speech"
        elif seg.avg_logprob < (guards.spoken_log_prob if spoken else guards.hard_log_prob):
            reason = "low confidence"
        elif not spoken and seg.compression_ratio > guards.compression_ratio:
            reason = "repetition"
        elif not re.search(r"[^\W\d_]", text) and len(text) > 6:
            reason = "no words"  # "4.3.3.4.4.5…": digit/punctuation loops
        elif is_junk(text, similarity=1.01 if spoken else 0.8):
            # Spoken: only the exact phrases (a near miss like "cảm ơn các bạn ạ" is
            # more likely misheard speech than a subtitle credit).
            reason = "junk phrase"
        else:
            rest = strip_junk(text)
            if len(rest.split()) < (1 if rest == _fold(text) else 2):
                reason = "junk phrase"
            elif rest != _fold(text):
                # Keep the real words the junk phrase was glued to (rare).
                text = rest
        if not reason:
            text = collapse_repeats(text)
        if reason:
            if text:
                dropped.append(text)
                _LOGGER.info("dropped segment (%s%s): %r", reason, ", spoken" if spoken else "", text)
            continue
        kept.append(Segment(seg.start, seg.end, text, seg.no_speech_prob, seg.avg_logprob, seg.compression_ratio))
    return kept, dropped


def build_hotwords(phrases: Iterable[str], *, max_chars: int = 240) -> str | None:
    """A hotwords string from domain vocabulary (procedure titles, aliases…).

    NFC, de-duplicated (case-insensitive), in the given order (put the most common
    procedures first), joined with ", " and cut at ``max_chars`` on a phrase
    boundary — Whisper's prompt holds ~220 tokens and Vietnamese takes 2–3 tokens
    per syllable. None when nothing is left.
    """
    seen: set[str] = set()
    out: list[str] = []
    length = 0
    for phrase in phrases:
        p = normalize_transcript(str(phrase)).strip(" ,.;:")
        key = p.lower()
        if not p or key in seen:
            continue
        add = len(p) + (2 if out else 0)
        if length + add > max_chars:
            continue
        seen.add(key)
        out.append(p)
        length += add
    return ", ".join(out) or None


def load_transcriber(config, vocabulary: Sequence[str] | None = None) -> Transcriber:
    """The configured transcriber (model loaded once per process and cached).

    ``vocabulary``: domain phrases used as faster-whisper ``hotwords`` when
    ``config.asr.use_hotwords`` is on.
    """
    from speech.asr_whisper import WhisperTranscriber
    from speech.models import resolve_asr_model

    model_dir = resolve_asr_model(config.asr, config.paths)
    hotwords = build_hotwords(vocabulary) if (vocabulary and config.asr.use_hotwords) else None
    return WhisperTranscriber(model_dir, config.asr, hotwords=hotwords)
