"""Fault: no microphone, or the microphone vanishes mid-question → AudioDeviceError (the UI
falls back to touch), never a hang or an unexpected exception type.

Through the speech API (``speech.Recorder``): there is no CLI command that records. The
first test uses the real PortAudio; the others replace the ``sounddevice`` module with
a fake whose device list and stream misbehave the way an unplugged USB microphone does.
"""
from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import numpy as np
import pytest

import speech.audio as audio_mod
from kiosk.config import AudioConfig
from speech import AudioDeviceError, Recorder, SpeechError
from speech.vad import WINDOW

# Slow lane: real Silero VAD over seconds of audio with a failing device.
pytestmark = pytest.mark.slow


class SpeechEverywhere:
    """A VAD stub: every 32 ms window is speech (so the recorder is mid-utterance)."""

    def reset(self) -> None:
        self._pending = 0

    def process(self, block) -> list[float]:
        self._pending += len(block)
        n, self._pending = divmod(self._pending, WINDOW)
        return [0.9] * n


class PortAudioError(Exception):
    pass


class FakeStream:
    def __init__(self, callback, blocks: int, fail_on_close: bool):
        self.callback = callback
        self.blocks = blocks
        self.fail_on_close = fail_on_close
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        rng = np.random.default_rng(0)
        status = SimpleNamespace(input_overflow=False)
        for _ in range(self.blocks):  # then the device is gone: no more callbacks
            self.callback((rng.standard_normal((WINDOW, 1)) * 0.2).astype(np.float32), WINDOW, None, status)
            time.sleep(WINDOW / 16000)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._thread.join(timeout=5)
        if self.fail_on_close:  # Pa_StopStream on an unplugged ALSA device
            raise PortAudioError("Error stopping stream: Unanticipated host error [PaErrorCode -9999]")
        return False


def fake_sounddevice(devices: list[dict], *, open_error: bool = False, blocks: int = 0, fail_on_close: bool = False):
    def input_stream(**kw):
        if open_error:
            raise PortAudioError("Error opening InputStream: Device unavailable [PaErrorCode -9985]")
        return FakeStream(kw["callback"], blocks, fail_on_close)

    return SimpleNamespace(query_devices=lambda: devices, default=SimpleNamespace(device=[-1, -1]),
                           InputStream=input_stream, PortAudioError=PortAudioError)


USB_MIC = {"name": "USB PnP Sound Device: Audio (hw:1,0)", "max_input_channels": 1, "max_output_channels": 0}
SPEAKER = {"name": "HDA Intel PCH: ALC887 Analog (hw:0,0)", "max_input_channels": 0, "max_output_channels": 2}
CFG = AudioConfig(max_utterance_s=0.5, end_silence_s=0.3, min_speech_s=0.1)


def use(monkeypatch, sd) -> None:
    monkeypatch.setattr(audio_mod, "_sounddevice", lambda: sd)


@pytest.mark.parametrize("name", [None, "Micro-khong-co-that"])
def test_no_microphone_real_portaudio(name):
    """Real PortAudio: this machine (a container) has no capture device, or not that one."""
    try:
        rec = Recorder(AudioConfig(input_device=name), vad=SpeechEverywhere())
    except AudioDeviceError as exc:
        assert "micrô" in str(exc) or "microphone" in str(exc)
        return
    if name is not None:  # pragma: no cover — only a machine with such a device gets here
        pytest.fail("a microphone that does not exist was accepted")
    rec.cancel()  # a machine with a real default microphone: nothing to prove here


def test_no_audio_device_at_all(monkeypatch):
    use(monkeypatch, fake_sounddevice([]))
    with pytest.raises(AudioDeviceError, match="không tìm thấy micrô"):
        Recorder(CFG, vad=SpeechEverywhere())


def test_only_a_speaker_no_microphone(monkeypatch):
    use(monkeypatch, fake_sounddevice([SPEAKER]))
    with pytest.raises(AudioDeviceError):
        Recorder(CFG, vad=SpeechEverywhere())


def test_microphone_unplugged_before_the_question(monkeypatch):
    use(monkeypatch, fake_sounddevice([USB_MIC], open_error=True))
    rec = Recorder(CFG, vad=SpeechEverywhere())
    with pytest.raises(AudioDeviceError, match="micrô"):
        rec.record(max_wait_s=0.5)


def test_microphone_vanishes_mid_question(monkeypatch):
    """Ten windows of speech, then the USB microphone is pulled: an error within seconds, not a hang."""
    use(monkeypatch, fake_sounddevice([USB_MIC], blocks=10))
    rec = Recorder(CFG, vad=SpeechEverywhere())
    started = time.monotonic()
    with pytest.raises(AudioDeviceError, match="micrô"):
        rec.record(max_wait_s=0.2)
    assert time.monotonic() - started < 15


def test_microphone_vanishes_and_the_stream_fails_to_close(monkeypatch):
    use(monkeypatch, fake_sounddevice([USB_MIC], blocks=10, fail_on_close=True))
    rec = Recorder(CFG, vad=SpeechEverywhere())
    with pytest.raises(SpeechError):
        rec.record(max_wait_s=0.2)


def test_microphone_back_after_a_failure(monkeypatch):
    """After an error the next question works again (a fresh Recorder, as the app makes)."""
    use(monkeypatch, fake_sounddevice([USB_MIC], open_error=True))
    with pytest.raises(AudioDeviceError):
        Recorder(CFG, vad=SpeechEverywhere()).record(max_wait_s=0.2)
    use(monkeypatch, fake_sounddevice([USB_MIC], blocks=40))
    rec = Recorder(CFG, vad=SpeechEverywhere())
    result = rec.record(max_wait_s=0.5)
    assert result.heard and result.reason.value == "max_length"
