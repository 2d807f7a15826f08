"""Input level normalisation (speech.level): quiet voices up, silence left alone."""
from __future__ import annotations

import numpy as np
import pytest

from speech.level import GainSettings, gain_db, normalise_level, speech_level_dbfs

SR = 16000


def tone(db: float, seconds: float = 2.0, silence_s: float = 1.0) -> np.ndarray:
    """A voiced-like burst at ``db`` dBFS RMS between stretches of near silence."""
    t = np.arange(int(seconds * SR)) / SR
    burst = np.sin(2 * np.pi * 220 * t) * np.sqrt(2) * 10 ** (db / 20)
    quiet = np.random.default_rng(0).standard_normal(int(silence_s * SR)) * 1e-5
    return np.concatenate([quiet, burst, quiet]).astype(np.float32)


def test_level_is_the_loud_frames_not_the_silence():
    assert speech_level_dbfs(tone(-20, seconds=1.0, silence_s=3.0)) == pytest.approx(-20, abs=0.5)
    assert speech_level_dbfs(np.zeros(0, np.float32)) < -100


@pytest.mark.parametrize("db, expected", [(-50, 30.0), (-40, 20.0), (-25, 5.0), (-20, 0.0), (-6, 0.0)])
def test_gain_brings_quiet_voices_to_the_target_and_never_lowers(db, expected):
    x = tone(db)
    assert gain_db(x) == pytest.approx(expected, abs=0.5)
    y = normalise_level(x)
    assert speech_level_dbfs(y) == pytest.approx(max(db, min(-20, db + 30)), abs=0.5)


def test_gain_stops_short_of_clipping():
    x = tone(-40)
    x[SR + 100] = 0.5  # a click at −6 dBFS
    y = normalise_level(x)
    assert np.max(np.abs(y)) <= 10 ** (-1 / 20) + 1e-6


def test_an_empty_room_is_not_amplified():
    rng = np.random.default_rng(1)
    room = (rng.standard_normal(3 * SR) * 10 ** (-70 / 20)).astype(np.float32)
    assert gain_db(room) == 0.0
    assert normalise_level(room) is room
    assert gain_db(np.zeros(SR, np.float32)) == 0.0


def test_settings_are_respected():
    x = tone(-50)
    assert gain_db(x, GainSettings(max_gain_db=10)) == pytest.approx(10, abs=0.1)
    assert gain_db(x, GainSettings(target_dbfs=-30)) == pytest.approx(20, abs=0.5)
