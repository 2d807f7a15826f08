"""A ward-office lobby made from real clips: babble, steady noise, quiet voices, pauses.

Numpy (and Silero VAD to find where a clean clip's voice is), deterministic for a given seed; used by bench/asr_noise.py,
bench/asr_pauses.py and the real-audio tests. All audio is 16 kHz mono float32.

SNR is measured on *active* speech: the mean power of the 20 ms frames within 20 dB
of the clip's loud frames (90th percentile), so the silence around a clip does not
count, against the mean power of the noise over the same length.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SR = 16000
FRAME = 320


def _frames_power(x: np.ndarray) -> np.ndarray:
    n = max(1, x.size // FRAME)
    f = np.resize(x.astype(np.float64), n * FRAME).reshape(n, FRAME)
    return np.mean(f * f, axis=1) + 1e-12


def active_power(x: np.ndarray) -> float:
    """Mean power of the voiced frames (within 20 dB of the 90th percentile)."""
    p = _frames_power(x)
    loud = np.percentile(p, 90)
    return float(np.mean(p[p >= loud / 100.0]))


def voiced_span(x: np.ndarray) -> tuple[int, int]:
    """(first, last+1) sample of the voice in a clean clip: Silero VAD (offline, no
    padding) on the clip alone. Many clips carry a hiss only 20–30 dB below the
    voice, so a level rule would count breaths and hiss as voice."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    stamps = get_speech_timestamps(x, VadOptions(min_silence_duration_ms=100, speech_pad_ms=0))
    if not stamps:
        return 0, x.size
    return int(stamps[0]["start"]), int(stamps[-1]["end"])


def pink_noise(n: int, rng: np.random.Generator) -> np.ndarray:
    """1/f noise (a fan, air conditioning, traffic through a window), unit power."""
    spec = np.fft.rfft(rng.standard_normal(n))
    f = np.arange(spec.size, dtype=np.float64)
    f[0] = 1.0
    x = np.fft.irfft(spec / np.sqrt(f), n)
    return (x / np.sqrt(np.mean(x * x))).astype(np.float32)


def babble(others: list[np.ndarray], n: int, rng: np.random.Generator, talkers: int = 4) -> np.ndarray:
    """Several other people talking at once: ``talkers`` clips at equal level, each
    looped from a random offset to ``n`` samples, summed; unit active power."""
    out = np.zeros(n, np.float64)
    picks = rng.choice(len(others), size=min(talkers, len(others)), replace=False)
    for i in picks:
        c = others[int(i)].astype(np.float64)
        c = c / np.sqrt(active_power(c))
        start = int(rng.integers(0, c.size))
        out += np.resize(np.roll(c, -start), n)
    return (out / np.sqrt(active_power(out))).astype(np.float32)


@dataclass(frozen=True)
class Scene:
    audio: np.ndarray
    speech_start: int
    """Sample where the voice starts (the clean clip's voiced span, placed in the scene)."""
    speech_end: int


def in_noise(clip: np.ndarray, noise: np.ndarray | None, snr_db: float | None, *,
             lead_s: float = 1.0, trail_s: float = 3.0, floor: float = 3e-4,
             rng: np.random.Generator | None = None) -> Scene:
    """``clip`` with ``lead_s`` before and ``trail_s`` after, over ``noise`` (unit
    power, at least as long as the scene) at ``snr_db``; ``noise=None`` = a quiet
    room (white noise at ``floor`` RMS, about −70 dBFS)."""
    rng = rng or np.random.default_rng(0)
    lead, trail = int(lead_s * SR), int(trail_s * SR)
    n = lead + clip.size + trail
    speech = np.zeros(n, np.float64)
    speech[lead : lead + clip.size] = clip
    room = rng.standard_normal(n) * floor
    mix = speech + room
    if noise is not None and snr_db is not None:
        gain = np.sqrt(active_power(clip) / 10 ** (snr_db / 10.0))
        mix = mix + np.resize(noise, n).astype(np.float64) * gain
    peak = np.max(np.abs(mix))
    if peak > 0.99:  # keep it a valid recording: scale down the whole scene
        mix *= 0.99 / peak
    s, e = voiced_span(clip)
    return Scene(mix.astype(np.float32), lead + s, lead + e)


def attenuate(x: np.ndarray, db: float) -> np.ndarray:
    """The same clip ``db`` quieter (a voice further away / a soft speaker)."""
    return (x * np.float32(10 ** (-abs(db) / 20.0))).astype(np.float32)


def joined(first: np.ndarray, second: np.ndarray, pause_s: float, *, floor: float = 3e-4,
           rng: np.random.Generator | None = None) -> tuple[np.ndarray, int, int]:
    """Two clips as one question with a pause between their voices (the clips' own
    leading/trailing silence is trimmed to their voiced span first). Returns the
    audio, the sample where the pause starts and where the second voice starts."""
    rng = rng or np.random.default_rng(0)
    a0, a1 = voiced_span(first)
    b0, b1 = voiced_span(second)
    a, b = first[a0:a1], second[b0:b1]
    gap = (rng.standard_normal(int(pause_s * SR)) * floor).astype(np.float32)
    return np.concatenate([a, gap, b]).astype(np.float32), a.size, a.size + gap.size
