"""End-of-speech detection: the pure state machine, and the streaming Silero VAD."""
from __future__ import annotations

import numpy as np
import pytest

from speech.asr import load_audio
from speech.vad import WINDOW, Endpoint, EndpointConfig, EndpointDetector, SileroVad
from speech_fixtures import espeak_questions  # noqa: F401

W = WINDOW / 16000  # 32 ms


def run(probs, **cfg):
    det = EndpointDetector(EndpointConfig(**cfg))
    for p in probs:
        reason = det.update(p)
        if reason is not None:
            return det, reason
    return det, None


def windows(seconds):
    return int(round(seconds / W))


def test_end_of_speech_after_trailing_silence():
    probs = [0.0] * 10 + [0.9] * windows(1.0) + [0.05] * 100
    det, reason = run(probs)
    assert reason is Endpoint.END_OF_SPEECH
    assert det.speech_start == 10
    assert det.speech_end == 10 + windows(1.0)
    # decided 0.6 s after the last speech window
    assert det.index - det.speech_end == windows(0.6)


def test_short_pause_inside_a_question_does_not_end_it():
    probs = [0.9] * windows(0.8) + [0.1] * windows(0.4) + [0.9] * windows(0.8) + [0.0] * 40
    det, reason = run(probs)
    assert reason is Endpoint.END_OF_SPEECH
    assert det.speech_end == windows(0.8) * 2 + windows(0.4)


def test_cough_is_ignored_then_no_speech():
    probs = [0.0] * 5 + [0.95] * windows(0.15) + [0.0] * 200
    det, reason = run(probs, max_wait_s=3.0)
    assert reason is Endpoint.NO_SPEECH and not det.heard_speech
    assert det.index == windows(3.0)


def test_cough_then_question():
    probs = [0.95] * windows(0.15) + [0.0] * windows(0.7) + [0.9] * windows(1.0) + [0.0] * 40
    det, reason = run(probs)
    assert reason is Endpoint.END_OF_SPEECH
    assert det.speech_start == windows(0.15) + windows(0.7)


def test_max_length():
    det, reason = run([0.9] * 1000, max_utterance_s=15.0)
    assert reason is Endpoint.MAX_LENGTH
    assert (det.speech_end - det.speech_start) == windows(15.0)


def test_hysteresis_keeps_weak_speech_inside_an_utterance():
    probs = [0.9] * windows(0.5) + [0.4] * windows(1.0) + [0.0] * 40
    det, reason = run(probs)
    assert det.speech_end == windows(0.5) + windows(1.0)
    # …but the same weak probabilities alone never start one
    det, reason = run([0.4] * 200, max_wait_s=2.0)
    assert reason is Endpoint.NO_SPEECH


def test_wait_for_ever():
    det, reason = run([0.0] * 2000, max_wait_s=None)
    assert reason is None


@pytest.fixture(scope="module")
def vad():
    return SileroVad()


def test_streaming_matches_batch_silero(vad, espeak_questions):
    from faster_whisper.vad import get_vad_model

    audio = load_audio(espeak_questions[0].path)
    audio = audio[: audio.size // WINDOW * WINDOW]
    batch = get_vad_model()(audio).ravel()
    vad.reset()
    streamed = []
    rng = np.random.default_rng(0)
    pos = 0
    while pos < audio.size:  # odd block sizes, as a sound card delivers them
        n = int(rng.integers(100, 2000))
        streamed += vad.process(audio[pos : pos + n])
        pos += n
    assert len(streamed) == batch.size
    assert np.allclose(streamed, batch, atol=1e-4)


def test_detector_on_real_speech(vad, espeak_questions):
    """The detector must find where the voice starts and stops in a padded clip."""
    clip = espeak_questions[1]
    audio = load_audio(clip.path)
    audio = np.concatenate([audio, np.zeros(16000, np.float32)])
    vad.reset()
    det = EndpointDetector(EndpointConfig())
    reason = None
    for p in vad.process(audio):
        reason = det.update(p)
        if reason:
            break
    assert reason is Endpoint.END_OF_SPEECH
    start_s = det.speech_start * W
    end_s = det.speech_end * W
    loud = np.flatnonzero(np.abs(audio) > 0.02) / 16000  # where the voice really is
    assert abs(start_s - loud[0]) < 0.25
    assert abs(end_s - loud[-1]) < 0.35
