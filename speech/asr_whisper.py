"""faster-whisper backend: CTranslate2 Whisper, int8 on the CPU, Vietnamese only."""
from __future__ import annotations

import functools
import logging
import math
import threading
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

from speech.asr import (
    SAMPLE_RATE,
    AudioInput,
    GuardThresholds,
    Segment,
    Transcriber,
    Transcript,
    filter_segments,
    load_audio,
)
from speech.errors import ModelNotFound
from speech.level import GainSettings, normalise_level
from speech.settings import AsrConfig

_LOGGER = logging.getLogger(__name__)

TEMPERATURES = (0.0,)
"""Decoding temperatures. faster-whisper's default retries at 0.2…1.0 when a result
looks wrong; each retry samples 5 candidates and can cost seconds on 2 cores. On the
benchmark (bench/asr_hotwords.py) a retry at 0.4 changed no transcript, so there is
none: a failed decode is dropped by the guards and the kiosk asks again."""

VAD_PARAMETERS = {"threshold": 0.5, "min_silence_duration_ms": 500, "speech_pad_ms": 300}
"""Silero VAD as a pre-filter: cut long silences, drop noise-only audio."""

FRAMES_PER_S = 100
"""Whisper's log-mel frames per second (10 ms hop)."""
FULL_WINDOW_FRAMES = 3000
"""Whisper's standard 30 s encoder window."""
TAIL_FRAMES = 100
"""Padding kept after the audio (1 s) so the decoder sees where speech ends."""

MIN_DURATION_S = 0.1
SILENCE_PEAK = 1e-3
"""Below this peak amplitude (−60 dBFS) audio is treated as silence without decoding."""

_load_lock = threading.Lock()
_window = threading.local()
"""Per-thread encoder window (frames) for the call in progress; unset = 30 s."""


def encoder_frames(duration_s: float, window_s: float) -> int:
    """Mel frames to encode for ``duration_s`` of audio with a minimum window of ``window_s``.

    Whisper pads every input to 30 s, and on 2 cores that 30 s encoder pass (~0.8 s)
    dominates a short question. CTranslate2 encodes shorter inputs, at a cost that
    grows with their length, so a question of a few seconds is encoded in a window of
    ``window_s`` (and never shorter than the audio plus 1 s). bench/asr_window.py
    measures the trade on espeak-ng questions: 10 s took half the time of 30 s for a
    small loss (syllable similarity 0.362 vs 0.379, same answer 21 vs 22 of 48); 5 s
    lost clearly (0.268). ``asr.window_s = 30`` restores standard Whisper.
    """
    wanted = max(float(window_s) * FRAMES_PER_S, math.ceil(duration_s * FRAMES_PER_S) + TAIL_FRAMES)
    return int(min(FULL_WINDOW_FRAMES, wanted))


def _windowed(encode: Callable[[np.ndarray], Any]) -> Callable[[np.ndarray], Any]:
    """Wrap ``WhisperModel.encode`` so it encodes only the window set for this thread."""

    def encode_window(features: np.ndarray) -> Any:
        frames = getattr(_window, "frames", None)
        if frames is not None and features.shape[-1] > frames:
            features = np.ascontiguousarray(features[..., :frames])
        return encode(features)

    return encode_window


@functools.lru_cache(maxsize=2)
def _load_model(model_dir: str, compute_type: str, cpu_threads: int) -> Any:  # a WhisperModel (untyped)
    from faster_whisper import WhisperModel

    started = time.monotonic()
    try:
        model = WhisperModel(
            model_dir,
            device="cpu",
            compute_type=compute_type,
            cpu_threads=cpu_threads,
            local_files_only=True,
        )
        model.encode = _windowed(model.encode)
    except (RuntimeError, ValueError, OSError) as exc:
        raise ModelNotFound(
            f"không nạp được mô hình Whisper / cannot load Whisper model {model_dir}: {exc}. "
            "Thử / try: kiosk models prepare --verify"
        ) from None
    _LOGGER.info("loaded Whisper %s (%s, %d threads) in %.1f s", model_dir, compute_type, cpu_threads, time.monotonic() - started)
    return model


def load_whisper_model(model_dir: Path, compute_type: str = "int8", cpu_threads: int = 2) -> Any:
    """The faster-whisper model for ``model_dir``, loaded once per process."""
    with _load_lock:
        return _load_model(str(model_dir), compute_type, int(cpu_threads))


def vad_speech_seconds(samples: np.ndarray) -> float:
    """Seconds of speech Silero VAD finds in 16 kHz ``samples`` (same settings as the
    VAD pre-filter). ~10 ms per second of audio on one core."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    stamps = get_speech_timestamps(samples, VadOptions(**VAD_PARAMETERS))
    return sum(t["end"] - t["start"] for t in stamps) / SAMPLE_RATE


def split_at_pauses(samples: np.ndarray, min_pause_s: float) -> list[tuple[int, int]]:
    """(start, end) sample ranges of ``samples`` cut in the middle of every silence of at
    least ``min_pause_s`` between stretches of speech (Silero VAD, no padding); the whole
    when there is none or ``min_pause_s`` is 0."""
    whole = [(0, int(samples.size))]
    if min_pause_s <= 0:
        return whole
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    opts = dict(VAD_PARAMETERS, speech_pad_ms=0, min_silence_duration_ms=int(1000 * min_pause_s))
    stamps = get_speech_timestamps(samples, VadOptions(**opts))
    cuts = [(a["end"] + b["start"]) // 2 for a, b in zip(stamps, stamps[1:])
            if b["start"] - a["end"] >= min_pause_s * SAMPLE_RATE]
    bounds = [0, *cuts, int(samples.size)]
    return list(zip(bounds, bounds[1:]))


class WhisperTranscriber(Transcriber):
    name = "faster-whisper"

    def __init__(
        self, model_dir: Path, asr_cfg: AsrConfig, *, hotwords: str | None = None, initial_prompt: str | None = None
    ) -> None:
        self.model = str(model_dir)
        self.hotwords = hotwords
        """Default domain vocabulary (faster-whisper ``hotwords``); None = off."""
        self.initial_prompt = initial_prompt
        """Alternative biasing: text the decoder sees as "previous" words (see bench/asr_hotwords.py)."""
        self.language = asr_cfg.language or "vi"
        self.beam_size = max(1, int(asr_cfg.beam_size))
        self.window_s = float(asr_cfg.window_s)
        self.guards = GuardThresholds(
            no_speech_prob=asr_cfg.no_speech_threshold,
            log_prob=asr_cfg.log_prob_threshold,
            compression_ratio=asr_cfg.compression_ratio_threshold,
        )
        self.temperatures: tuple[float, ...] = TEMPERATURES
        self.split_pause_s = float(getattr(asr_cfg, "split_pause_s", 0.0))
        """Decode each side of a pause this long separately (split_at_pauses); 0 = off."""
        self.gain = GainSettings() if getattr(asr_cfg, "normalise_gain", False) else None
        """Input level normalisation before VAD and Whisper (speech.level); None = off."""
        self._cfg = asr_cfg
        self._whisper = load_whisper_model(model_dir, asr_cfg.compute_type, asr_cfg.cpu_threads)
        self._lock = threading.Lock()

    def _decode(self, samples: np.ndarray, words: str | None, *, offset: float, total: float) -> list[Segment]:
        """Whisper's segments for one stretch of audio, times on the whole recording's clock."""
        duration = samples.size / SAMPLE_RATE
        max_new_tokens = int(min(200, 32 + 16 * min(duration, 30.0)))
        with self._lock:
            # An upper bound: faster-whisper's VAD filter only shortens the audio.
            _window.frames = encoder_frames(duration, self.window_s)
            try:
                segments, _info = self._whisper.transcribe(
                    samples,
                    language=self.language,
                    task="transcribe",
                    beam_size=self.beam_size,
                    temperature=list(self.temperatures),
                    compression_ratio_threshold=self.guards.compression_ratio,
                    log_prob_threshold=self.guards.log_prob,
                    # None: Whisper would skip a no-speech segment itself; the same rule is
                    # applied by filter_segments, which can take it back when the VAD
                    # heard speech (GuardThresholds.spoken_s).
                    no_speech_threshold=None,
                    condition_on_previous_text=False,
                    # One window (every question): segment times are not needed, and
                    # not predicting them saves ~10 % of the decoding.
                    without_timestamps=duration <= 30.0,
                    vad_filter=True,
                    vad_parameters=dict(VAD_PARAMETERS),
                    hotwords=words,
                    initial_prompt=self.initial_prompt,
                    max_new_tokens=max_new_tokens,
                )
                return [
                    Segment(
                        # Whisper's timestamps can overshoot the end of short clips.
                        start=min(max(0.0, float(s.start) + offset), total),
                        end=min(max(float(s.start), float(s.end)) + offset, total),
                        text=s.text,
                        no_speech_prob=float(s.no_speech_prob),
                        avg_logprob=float(s.avg_logprob),
                        compression_ratio=float(s.compression_ratio),
                    )
                    for s in segments
                ]
            finally:
                _window.frames = None

    def warm(self) -> None:
        started = time.monotonic()
        from faster_whisper.vad import get_vad_model

        get_vad_model()
        rng = np.random.default_rng(0)
        noise = (rng.standard_normal(SAMPLE_RATE) * 0.01).astype(np.float32)
        with self._lock:
            segments, _ = self._whisper.transcribe(
                noise, language=self.language, beam_size=1, temperature=0.0, without_timestamps=True, max_new_tokens=4
            )
            for _ in segments:
                pass
        _LOGGER.info("warmed %s in %.2f s", self.name, time.monotonic() - started)

    def transcribe(self, audio: AudioInput, *, sample_rate: int = SAMPLE_RATE, hotwords: str | None = None) -> Transcript:
        started = time.monotonic()
        samples = load_audio(audio, sample_rate)
        duration = samples.size / SAMPLE_RATE
        if duration < MIN_DURATION_S or float(np.max(np.abs(samples))) < SILENCE_PEAK:
            return Transcript("", self.language, duration, (), time.monotonic() - started)
        if self.gain is not None:
            samples = normalise_level(samples, self.gain)
        words = self.hotwords if hotwords is None else (hotwords or None)
        raw: list[Segment] = []
        for start, end in split_at_pauses(samples, self.split_pause_s):
            raw += self._decode(samples[start:end], words, offset=start / SAMPLE_RATE, total=duration)
        kept, dropped = filter_segments(raw, self.guards)
        if not kept and dropped and self.guards.spoken_s > 0:
            # Everything was dropped: if the VAD hears a real stretch of speech, the
            # citizen spoke — keep a doubtful transcript rather than none.
            speech_s = vad_speech_seconds(samples)
            if speech_s >= self.guards.spoken_s:
                kept, dropped = filter_segments(raw, self.guards, spoken=True)
                _LOGGER.info("%.1f s of speech, all segments dropped: relaxed guards kept %d", speech_s, len(kept))
        text = " ".join(s.text for s in kept).strip()
        elapsed = time.monotonic() - started
        _LOGGER.info("transcribed %.1f s in %.2f s: %r", duration, elapsed, text)
        return Transcript(text, self.language, duration, tuple(kept), elapsed, tuple(dropped))

    def fit_texts(self, audio: AudioInput, texts: list[str], *, sample_rate: int = SAMPLE_RATE) -> list[float]:
        """How well each of ``texts`` fits ``audio`` as its transcript: the mean log-probability
        per token under Whisper's decoder, teacher-forced (one encoder pass, the texts in one
        batch; CTranslate2 ``Whisper.align``). Higher is a better fit; -inf for an empty text."""
        import ctranslate2
        from faster_whisper.tokenizer import Tokenizer

        samples = load_audio(audio, sample_rate)
        if not texts:
            return []
        if samples.size / SAMPLE_RATE < MIN_DURATION_S:
            return [-math.inf] * len(texts)
        model = self._whisper
        tokenizer = Tokenizer(model.hf_tokenizer, model.model.is_multilingual, task="transcribe", language=self.language)
        tokens = [tokenizer.encode(" " + t.strip()) if t.strip() else [] for t in texts]
        keep = [i for i, t in enumerate(tokens) if t]
        out = [-math.inf] * len(texts)
        if not keep:
            return out
        feats = model.feature_extractor(samples)
        frames = encoder_frames(samples.size / SAMPLE_RATE, self.window_s)
        content = min(feats.shape[-1], frames)
        if feats.shape[-1] < frames:
            feats = np.pad(feats, ((0, 0), (0, frames - feats.shape[-1])))
        feats = np.ascontiguousarray(feats[None, :, :frames], dtype=np.float32)
        start = [*tokenizer.sot_sequence, tokenizer.no_timestamps]
        with self._lock:
            encoded = np.array(model.model.encode(ctranslate2.StorageView.from_array(feats), to_cpu=True))
            batch = ctranslate2.StorageView.from_array(np.ascontiguousarray(np.repeat(encoded, len(keep), axis=0)))
            results = model.model.align(batch, start, [tokens[i] for i in keep], [content] * len(keep))
        for i, r in zip(keep, results):
            p = np.clip(np.asarray(r.text_token_probs, dtype=np.float64), 1e-9, 1.0)
            out[i] = float(np.log(p).mean())
        return out
