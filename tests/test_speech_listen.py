"""Listening: the shortened Whisper window, pauses inside an utterance, and early
transcription that is kept only when the citizen did not speak again.

Real Silero VAD and real Whisper base on espeak-ng questions; the audio comes from
``ReplayRecorder`` (the Recorder's own VAD/endpoint code fed from memory) so the
timing of pauses is exact. The sounddevice path is tested in test_speech_audio_device.
"""
from __future__ import annotations

import copy
import threading

import numpy as np
import pytest
from speech_fixtures import closest, similarity

from kiosk.config import AudioConfig
from speech.asr import load_audio
from speech.asr_whisper import FULL_WINDOW_FRAMES, _window, _windowed, encoder_frames
from speech.audio import ReplayRecorder
from speech.listen import Listener
from speech.vad import Endpoint

SR = 16000
AUDIO = AudioConfig()


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * SR), np.float32)


class CountingTranscriber:
    """The real transcriber, counting what it was asked to transcribe."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.calls: list[int] = []
        self.lock = threading.Lock()

    def transcribe(self, audio, *, sample_rate=SR):
        with self.lock:
            self.calls.append(len(audio))
        return self.inner.transcribe(audio, sample_rate=sample_rate)


def speech_only(clip) -> tuple[str, np.ndarray]:
    """The question's audio without the silence the fixture puts around it."""
    audio = load_audio(clip.path)
    loud = np.nonzero(np.abs(audio) > 1e-3)[0]
    return clip.text, audio[loud[0] : loud[-1] + 1]


@pytest.fixture(scope="module")
def question(espeak_questions):  # noqa: F811
    return speech_only(next(c for c in espeak_questions if "khai sinh" in c.text))


@pytest.fixture(scope="module")
def second_question(espeak_questions):  # noqa: F811
    return speech_only(next(c for c in espeak_questions if "hộ kinh doanh" in c.text))


# ------------------------------------------------------------ the encoder window


@pytest.mark.parametrize(
    "duration, window_s, frames",
    [
        (3.0, 10.0, 1000),  # a short question: the minimum window
        (9.5, 10.0, 1050),  # never less than the audio plus 1 s
        (14.0, 10.0, 1500),
        (3.0, 30.0, FULL_WINDOW_FRAMES),  # standard Whisper
        (29.5, 10.0, FULL_WINDOW_FRAMES),  # capped at Whisper's 30 s
        (60.0, 10.0, FULL_WINDOW_FRAMES),
        (0.5, 0.0, 150),
    ],
)
def test_encoder_frames(duration, window_s, frames):
    assert encoder_frames(duration, window_s) == frames


def test_windowed_encode_trims_only_inside_a_call():
    seen = []
    encode = _windowed(lambda f: seen.append(f.shape) or "encoded")
    features = np.ones((1, 80, 3000), np.float32)
    assert encode(features) == "encoded"
    _window.frames = 1000
    try:
        encode(features)
        encode(np.ones((1, 80, 600), np.float32))  # shorter than the window: untouched
    finally:
        _window.frames = None
    other_thread = threading.Thread(target=encode, args=(features,))
    _window.frames = 500
    try:
        other_thread.start()  # the window is per thread
        other_thread.join()
    finally:
        _window.frames = None
    assert seen == [(1, 80, 3000), (1, 80, 1000), (1, 80, 600), (1, 80, 3000)]


def test_short_window_recognises_like_the_full_one(transcriber, espeak_questions):  # noqa: F811
    """Whisper base with the 10 s window on espeak-ng questions: at least as many land
    closest to their own question as with Whisper's standard 30 s window."""
    full = copy.copy(transcriber)
    full.window_s = 30.0
    right = {10.0: 0, 30.0: 0}
    report = []
    for clip in espeak_questions:
        for tr, w in ((transcriber, 10.0), (full, 30.0)):
            assert tr.window_s == w
            text = tr.transcribe(clip.path).text
            right[w] += closest(text) == clip.text
            report.append(f"{w:>4} {similarity(text, clip.text):.2f} {clip.text!r} → {text!r}")
    assert right[10.0] >= right[30.0] - 1, "\n".join(report)
    assert right[10.0] >= len(espeak_questions) * 2 // 3, "\n".join(report)


# -------------------------------------------------------------------- pauses


def test_pause_hands_over_exactly_what_record_returns(question):
    text, speech = question
    audio = np.concatenate([silence(0.5), speech, silence(1.5)])
    pauses = []
    rec = ReplayRecorder(AUDIO, audio).record(on_pause=pauses.append, pause_s=0.2)
    assert rec.reason is Endpoint.END_OF_SPEECH and rec.heard
    final_pause = [p for p in pauses if p.span == rec.span]
    assert len(final_pause) == 1
    np.testing.assert_array_equal(final_pause[0].audio, rec.audio)


def test_no_pause_callbacks_when_off(question):
    _, speech = question
    audio = np.concatenate([silence(0.5), speech, silence(1.5)])
    pauses = []
    rec = ReplayRecorder(AUDIO, audio).record(on_pause=pauses.append, pause_s=0)
    assert rec.heard and pauses == []


def test_speaking_again_after_a_pause_makes_a_new_span(question, second_question):
    _, first = question
    _, second = second_question
    # 0.4 s: longer than the pause trigger, shorter than end of speech (0.6 s).
    audio = np.concatenate([silence(0.5), first, silence(0.4), second, silence(1.5)])
    pauses = []
    rec = ReplayRecorder(AUDIO, audio).record(on_pause=pauses.append, pause_s=0.2)
    assert rec.heard
    spans = [p.span for p in pauses]
    assert spans[-1] == rec.span
    earlier = [p for p in pauses if p.span != rec.span]
    assert earlier, spans
    assert all(p.audio.size < rec.audio.size for p in earlier)
    assert rec.audio.size > (first.size + second.size) * 0.8  # both questions in it


# ----------------------------------------------------------------- listener


def test_early_transcript_is_kept_when_the_citizen_stays_silent(transcriber, question):  # noqa: F811
    text, speech = question
    counting = CountingTranscriber(transcriber)
    audio = np.concatenate([silence(0.5), speech, silence(1.5)])
    listener = Listener(ReplayRecorder(AUDIO, audio), counting, pause_s=0.2)
    recorded = []
    heard = listener.listen(on_recorded=recorded.append)
    listener.close()
    assert heard.early is True
    assert recorded == [heard.recording]
    assert counting.calls == [heard.recording.audio.size]  # transcribed once, at the pause
    direct = transcriber.transcribe(heard.recording.audio)
    assert heard.transcript.text == direct.text
    assert closest(heard.transcript.text) == text


def test_early_transcript_is_dropped_when_the_citizen_goes_on(transcriber, question, second_question):  # noqa: F811
    _, first = question
    _, second = second_question
    counting = CountingTranscriber(transcriber)
    audio = np.concatenate([silence(0.5), first, silence(0.4), second, silence(1.5)])
    # Realtime, so the early transcription of the first part is running while the
    # second part arrives.
    listener = Listener(ReplayRecorder(AUDIO, audio, realtime=True), counting, pause_s=0.2)
    heard = listener.listen()
    listener.close()
    assert len(counting.calls) >= 2
    assert counting.calls[0] < heard.recording.audio.size  # the first part alone, dropped
    assert counting.calls[-1] == heard.recording.audio.size
    assert heard.transcript.duration == pytest.approx(heard.recording.audio.size / SR)


def test_without_early_transcription_the_result_is_the_same(transcriber, question):  # noqa: F811
    _, speech = question
    audio = np.concatenate([silence(0.5), speech, silence(1.5)])
    counting = CountingTranscriber(transcriber)
    heard = Listener(ReplayRecorder(AUDIO, audio), counting, pause_s=0).listen()
    assert heard.early is False and len(counting.calls) == 1
    early = Listener(ReplayRecorder(AUDIO, audio), transcriber, pause_s=0.2).listen()
    assert early.early is True
    assert early.transcript.text == heard.transcript.text


def test_silence_is_not_transcribed(transcriber):  # noqa: F811
    counting = CountingTranscriber(transcriber)
    heard = Listener(ReplayRecorder(AUDIO, silence(2.0)), counting, pause_s=0.2).listen(max_wait_s=1.0)
    assert heard.transcript is None and not heard.recording.heard
    assert heard.recording.reason is Endpoint.NO_SPEECH
    assert counting.calls == []


def test_cancel_stops_listening_without_a_transcript(transcriber, question):  # noqa: F811
    _, speech = question
    recorder = ReplayRecorder(AUDIO, np.concatenate([speech, silence(5.0)]), realtime=True)
    listener = Listener(recorder, transcriber, pause_s=0.2)
    threading.Timer(0.5, listener.cancel).start()
    heard = listener.listen()
    assert heard.recording.reason is Endpoint.CANCELLED and heard.transcript is None


class Broken:
    def transcribe(self, audio, *, sample_rate=SR):
        raise RuntimeError("model file vanished")


def test_a_failing_early_transcription_is_reported_not_swallowed(question):
    _, speech = question
    audio = np.concatenate([silence(0.5), speech, silence(1.5)])
    with pytest.raises(RuntimeError, match="vanished"):
        Listener(ReplayRecorder(AUDIO, audio), Broken(), pause_s=0.2).listen()
