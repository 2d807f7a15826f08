"""Input level: how loud the speech in a clip is, and bringing a quiet or far voice up
to a normal level before the VAD and Whisper hear it.

The level of a clip is the 90th percentile of its 20 ms frame levels (dBFS): the
loud frames, i.e. the voice, whatever the share of silence around it. Gain only
ever goes up (a loud clip is left alone), is capped, stops short of clipping, and is
never applied to a clip whose loud frames are at the level of an empty room — so
silence is not turned into something the VAD could take for speech.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FRAME = 320
"""20 ms at 16 kHz."""


@dataclass(frozen=True)
class GainSettings:
    target_dbfs: float = -20.0
    """Level the loud frames are brought to. The 100 real FOSD clips have their
    loud frames at −35…−4 dBFS, median −23 (measured 2026-12-02)."""
    max_gain_db: float = 30.0
    """At most this much gain: enough for a voice 30 dB down (a metre away, speaking
    softly) without lifting an empty room's hiss into the speech range."""
    min_level_dbfs: float = -62.0
    """Loud frames below this are an empty room (a quiet microphone's noise floor
    sits around −70…−60 dBFS): no gain at all."""
    peak_dbfs: float = -1.0
    """The gain stops short of pushing the loudest sample above this."""


def frame_levels_dbfs(samples: np.ndarray) -> np.ndarray:
    """Level of each 20 ms frame in dBFS (−120 for digital silence)."""
    a = np.asarray(samples, dtype=np.float32).reshape(-1)
    n = a.size // FRAME
    if n == 0:
        a = np.pad(a, (0, FRAME - a.size)) if a.size else np.zeros(FRAME, np.float32)
        n = 1
    frames = a[: n * FRAME].reshape(n, FRAME).astype(np.float64)
    return 10.0 * np.log10(np.mean(frames * frames, axis=1) + 1e-12)


def speech_level_dbfs(samples: np.ndarray) -> float:
    """Level of the loud frames (90th percentile), in dBFS."""
    return float(np.percentile(frame_levels_dbfs(samples), 90))


def gain_db(samples: np.ndarray, settings: GainSettings = GainSettings()) -> float:
    """The gain (dB, ≥ 0) that :func:`normalise_level` applies to ``samples``."""
    a = np.asarray(samples, dtype=np.float32).reshape(-1)
    if a.size == 0:
        return 0.0
    level = speech_level_dbfs(a)
    if level < settings.min_level_dbfs:
        return 0.0
    peak = float(np.max(np.abs(a)))
    headroom = settings.peak_dbfs - 20.0 * np.log10(max(peak, 1e-9))
    return float(max(0.0, min(settings.target_dbfs - level, settings.max_gain_db, headroom)))


def normalise_level(samples: np.ndarray, settings: GainSettings = GainSettings()) -> np.ndarray:
    """``samples`` (float32) with :func:`gain_db` applied; the same array when no gain."""
    g = gain_db(samples, settings)
    if g < 0.5:
        return samples
    return (np.asarray(samples, dtype=np.float32) * np.float32(10.0 ** (g / 20.0))).astype(np.float32)
