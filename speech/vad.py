"""Voice activity: the Silero VAD that faster-whisper ships, run frame by frame, and
an end-of-utterance detector that turns speech probabilities into "the citizen has
finished speaking".

:class:`SileroVad` is the streaming model (state carried between 32 ms windows);
:class:`EndpointDetector` is pure logic, fed one probability per window, so it is
tested without audio.
"""
from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from speech.settings import AudioConfig

_LOGGER = logging.getLogger(__name__)

WINDOW = 512
"""Samples per VAD window at 16 kHz (32 ms)."""
_CONTEXT = 64


def window_level_db(window: np.ndarray) -> float:
    ms = float(np.mean(np.square(window, dtype=np.float64)))
    return 10.0 * float(np.log10(ms + 1e-12))


class SileroVad:
    """Streaming Silero VAD v6 (ONNX, via onnxruntime on one thread).

    Feed any number of samples with :meth:`process`; it returns one speech
    probability per complete 512-sample window and keeps the remainder.
    """

    sample_rate = 16000

    def __init__(self, model_path: Path | None = None) -> None:
        import onnxruntime  # heavy; comes with faster-whisper

        from speech.models import vad_model_path

        opts = onnxruntime.SessionOptions()
        opts.inter_op_num_threads = 1
        opts.intra_op_num_threads = 1
        opts.enable_cpu_mem_arena = False
        opts.log_severity_level = 4
        self._session = onnxruntime.InferenceSession(
            str(model_path or vad_model_path()), providers=["CPUExecutionProvider"], sess_options=opts
        )
        self.reset()

    def reset(self) -> None:
        self._h = np.zeros((1, 1, 128), dtype=np.float32)
        self._c = np.zeros((1, 1, 128), dtype=np.float32)
        self._context = np.zeros((1, _CONTEXT), dtype=np.float32)
        self._pending = np.zeros(0, dtype=np.float32)
        self.levels: list[float] = []
        """Level (dBFS) of every window processed since reset(), parallel to the probabilities."""

    def process(self, samples: np.ndarray) -> list[float]:
        samples = np.asarray(samples, dtype=np.float32).reshape(-1)
        buf = np.concatenate([self._pending, samples]) if self._pending.size else samples
        n = buf.size // WINDOW
        probs: list[float] = []
        for i in range(n):
            window = buf[i * WINDOW : (i + 1) * WINDOW][None, :]
            out, self._h, self._c = self._session.run(
                None, {"input": np.concatenate([self._context, window], axis=1), "h": self._h, "c": self._c}
            )
            self._context = window[:, -_CONTEXT:]
            probs.append(float(np.ravel(out)[0]))
            self.levels.append(window_level_db(window))
        self._pending = buf[n * WINDOW :].copy()
        return probs


class Endpoint(str, enum.Enum):
    """Why an utterance ended."""

    END_OF_SPEECH = "end_of_speech"
    MAX_LENGTH = "max_length"
    NO_SPEECH = "no_speech"
    """Nobody spoke before the wait ran out."""
    CANCELLED = "cancelled"


_AUDIO = AudioConfig()


@dataclass(frozen=True)
class EndpointConfig:
    window_s: float = WINDOW / 16000
    threshold: float = 0.5
    """Probability at or above which a window is speech."""
    neg_threshold: float = 0.35
    """Below this a window is silence (hysteresis in between)."""
    end_silence_s: float = _AUDIO.end_silence_s  # the defaults of speech.settings.AudioConfig
    max_utterance_s: float = _AUDIO.max_utterance_s
    min_speech_s: float = _AUDIO.min_speech_s
    """Bursts shorter than this (a cough, a door) are ignored."""
    max_wait_s: float | None = 10.0
    """Give up when nobody starts speaking within this; None = wait for ever."""
    pre_roll_s: float = 0.3
    """Audio kept before the detected start so the first syllable is not clipped."""
    floor_margin_db: float = 0.0
    """Inside an utterance, a window counts as speech only when it is also this much
    louder than the background (the 20th percentile of all window levels so far),
    when that background is itself speech: in a lobby where others talk, the VAD
    hears speech all the time, but the citizen at the kiosk is louder than the
    crowd. 0 = VAD only."""
    floor_end_s: float = _AUDIO.floor_end_s
    """With the level gate: this long without speech louder than the background ends
    the utterance (longer than end_silence_s: a soft stretch of the citizen's own
    speech must not cut the question)."""


class EndpointDetector:
    """State machine over per-window speech probabilities.

    ``update(prob)`` returns None while listening, or an :class:`Endpoint` when the
    utterance is over. ``speech_start``/``speech_end`` are window indices.
    """

    def __init__(self, cfg: EndpointConfig | None = None) -> None:
        self.cfg = cfg or EndpointConfig()
        self.index = 0
        self.speech_start: int | None = None
        self.speech_end: int | None = None
        self._in_speech = False
        self._voiced = 0
        self._silence = 0
        self._burst_start: int | None = None
        self._hold = 0
        self._quiet = 0
        self._gated = False
        """The background was found to be speech (the level gate is in effect)."""
        self._levels: list[float] = []
        self._voiced_flags: list[bool] = []

    def hold(self, seconds: float) -> None:
        """Wait ``seconds`` more before ending on the pause in progress (the speaker
        sounds unfinished); cleared when speech resumes."""
        self._hold = self._windows(seconds) if seconds > 0 else 0

    @property
    def holding(self) -> bool:
        return self._hold > 0

    def _windows(self, seconds: float) -> int:
        return max(1, int(round(seconds / self.cfg.window_s)))

    @property
    def silence_windows(self) -> int:
        """Consecutive non-speech windows at the moment (inside an utterance: the pause so far)."""
        return self._silence

    @property
    def heard_speech(self) -> bool:
        return self.speech_start is not None

    FLOOR_MIN_WINDOWS = 16
    """Windows (0.5 s) of level history needed before the background is estimated."""

    def update(self, prob: float, level_db: float | None = None) -> Endpoint | None:
        cfg = self.cfg
        i = self.index
        self.index += 1
        speech = prob >= cfg.threshold or (self._in_speech and prob >= cfg.neg_threshold)
        loud = True  # louder than the background (always, without the level gate)
        if level_db is not None and cfg.floor_margin_db > 0:
            self._levels.append(level_db)
            self._voiced_flags.append(prob >= cfg.threshold)
            if speech and self.speech_start is not None and len(self._levels) >= self.FLOOR_MIN_WINDOWS:
                levels = np.asarray(self._levels)
                floor = float(np.percentile(levels, 20))
                # Only when the background itself is speech (others talking): its
                # quietest windows are voiced. In a quiet room or steady noise the
                # gate would only cut soft stretches of the citizen's voice.
                background = levels <= floor + 3.0
                self._gated = bool(np.mean(np.asarray(self._voiced_flags)[background]) >= 0.5)
                if self._gated:
                    loud = level_db >= floor + cfg.floor_margin_db
        if self.speech_start is None:
            # Waiting for a burst of speech long enough to count.
            if speech:
                if self._burst_start is None:
                    self._burst_start = i
                    self._voiced = 0
                self._voiced += 1
                self._in_speech = True
                self._silence = 0
                if self._voiced >= self._windows(cfg.min_speech_s):
                    self.speech_start = self._burst_start
            else:
                self._in_speech = False
                if self._burst_start is not None:
                    self._silence += 1
                    if self._silence >= self._windows(cfg.end_silence_s):
                        self._burst_start = None  # a short noise: forget it
                        self._silence = 0
            if self.speech_start is None and self._burst_start is None:
                if cfg.max_wait_s is not None and self.index >= self._windows(cfg.max_wait_s):
                    return Endpoint.NO_SPEECH
            return None
        # Inside an utterance. Silence (for the VAD) ends it after end_silence_s;
        # speech no louder than the background (others talking) after floor_end_s.
        if speech and loud:
            self._in_speech = True
            self._silence = 0
            self._quiet = 0
            self._hold = 0
            self.speech_end = i + 1
        else:
            self._in_speech = speech
            if self.speech_end is None:
                self.speech_end = i
            self._quiet += 1
            self._silence = 0 if speech else self._silence + 1
            if self._silence >= self._windows(cfg.end_silence_s) + self._hold:
                return Endpoint.END_OF_SPEECH
            if self._gated and self._quiet >= self._windows(cfg.floor_end_s) + self._hold:
                return Endpoint.END_OF_SPEECH
        if (self.index - self.speech_start) >= self._windows(cfg.max_utterance_s):
            self.speech_end = self.index
            return Endpoint.MAX_LENGTH
        return None
