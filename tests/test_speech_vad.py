"""End-of-speech detection: the pure state machine, and the streaming Silero VAD."""
from __future__ import annotations

import numpy as np
import pytest

from speech.asr import load_audio
from speech.vad import WINDOW, Endpoint, EndpointConfig, EndpointDetector, SileroVad

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


# ------------------------------------------------------- level gate and hold


def run_levels(pairs, **cfg):
    det = EndpointDetector(EndpointConfig(**cfg))
    for p, level in pairs:
        reason = det.update(p, level)
        if reason is not None:
            return det, reason
    return det, None


def test_level_gate_ends_a_question_in_a_talking_crowd():
    """Others talking: the VAD says speech all the time at the crowd's level (−40 dB);
    the citizen is at −25 dB. With the gate the question ends floor_end_s after the
    citizen stops; without it, never."""
    crowd = [(0.8, -40.0)] * windows(1.0)
    citizen = [(0.95, -25.0)] * windows(2.0)
    after = [(0.8, -40.0)] * windows(3.0)
    det, reason = run_levels(crowd + citizen + after, floor_margin_db=8.0, floor_end_s=1.0)
    assert reason is Endpoint.END_OF_SPEECH
    assert det.speech_end == len(crowd) + len(citizen)
    assert det.index - det.speech_end == windows(1.0)
    _, reason = run_levels(crowd + citizen + after, floor_margin_db=0.0)
    assert reason is None


def test_level_gate_is_off_when_the_background_is_not_speech():
    """A quiet room or a fan: the quietest windows are not voiced, so soft speech
    (10 dB above the hiss only, below the 8 dB margin… of the loud parts) keeps the
    question open exactly as with the VAD alone."""
    room = [(0.05, -70.0)] * windows(1.0)
    speech = ([(0.95, -30.0)] * 5 + [(0.9, -64.0)] * 5) * 12  # soft stretches inside
    tail = [(0.05, -70.0)] * windows(1.0)
    gated, r1 = run_levels(room + speech + tail, floor_margin_db=8.0, floor_end_s=0.2)
    plain, r2 = run_levels(room + speech + tail, floor_margin_db=0.0)
    assert r1 is r2 is Endpoint.END_OF_SPEECH
    assert (gated.speech_end, gated.index) == (plain.speech_end, plain.index)


def test_hold_extends_one_pause_and_resets_on_speech():
    det = EndpointDetector(EndpointConfig())
    for _ in range(windows(1.0)):
        assert det.update(0.9) is None
    ended = None
    for i in range(windows(0.6)):
        ended = det.update(0.05)
    assert ended is Endpoint.END_OF_SPEECH
    det.hold(1.0)
    assert det.holding
    for _ in range(windows(0.5)):
        assert det.update(0.05) is None
    assert det.update(0.9) is None and not det.holding  # speech resumed: hold cleared
    reason = None
    n = 0
    while reason is None:
        reason = det.update(0.05)
        n += 1
    assert reason is Endpoint.END_OF_SPEECH and n == windows(0.6)
