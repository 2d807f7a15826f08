"""Real audio I/O: a private PulseAudio server (null sink + virtual microphone on its
monitor) reached by sounddevice → PortAudio → ALSA's pulse plugin. Nothing mocked."""
from __future__ import annotations

import threading
import time

import numpy as np
import pytest
from speech_fixtures import pulse_server, similarity

from kiosk.config import AudioConfig, TtsConfig
from speech.audio import Recorder, find_device, list_devices, refresh_devices
from speech.errors import AudioDeviceError
from speech.player import Player
from speech.tts import load_synthesizer
from speech.vad import Endpoint

# Slow lane: a private PulseAudio server, Whisper and piper.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pulse(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    with pulse_server(tmp_path_factory.mktemp("pulse")) as server:
        mp.setenv("PULSE_SERVER", server.server)
        refresh_devices()  # PortAudio scanned devices at import, before the server existed
        try:
            yield server
        finally:
            mp.undo()
            refresh_devices()


class Monitor:
    """Records the speaker (the null sink's monitor) in the background."""

    def __init__(self):
        import sounddevice as sd

        self.blocks = []
        self.stream = sd.InputStream(samplerate=16000, channels=1, dtype="float32", blocksize=512,
                                     callback=lambda d, f, t, s: self.blocks.append((time.monotonic(), d[:, 0].copy())))

    def __enter__(self):
        self.stream.start()
        return self

    def __exit__(self, *exc):
        self.stream.stop()
        self.stream.close()

    def loud_times(self, threshold=0.01):
        return [t for t, b in self.blocks if np.abs(b).max() > threshold]


def test_devices_are_listed(pulse):
    assert any("pulse" in name for name in list_devices("input"))
    assert any("pulse" in name for name in list_devices("output"))
    assert find_device("PULSE", "input") is not None  # by name, case-insensitive
    with pytest.raises(AudioDeviceError, match="USB Mic"):
        find_device("USB Mic", "input")


def test_record_a_question_from_the_microphone(pulse, espeak_questions, transcriber, tmp_path):
    clip = espeak_questions[5]
    levels = []
    keep = tmp_path / "recordings"
    rec = Recorder(AudioConfig(input_device="pulse"), on_level=levels.append, keep_dir=keep)
    result = {}
    worker = threading.Thread(target=lambda: result.update(r=rec.record(max_wait_s=8.0)))
    with Monitor() as mon:  # a second listener on the same microphone, for timing
        worker.start()
        time.sleep(0.5)
        pulse.play_file(clip.path).wait(20)
        worker.join(20)
    recording = result["r"]
    assert recording.reason is Endpoint.END_OF_SPEECH
    assert recording.sample_rate == 16000 and recording.audio.dtype == np.float32
    # the clip's voice lasts about as long as what was captured
    voiced = np.flatnonzero(np.abs(recording.audio) > 0.02)
    assert voiced.size and 1.0 < recording.speech_duration < 5.0
    assert max(levels) > -30 and min(levels) < -60  # the UI meter saw speech and silence
    # End of speech is decided ~0.6 s after the voice stops (audio_cfg.end_silence_s).
    delay = recording.ended_at - mon.loud_times(0.02)[-1]
    print(f"end of speech decided {delay:.2f} s after the last loud block")
    assert 0.4 < delay < 1.2
    text = transcriber.transcribe(recording.audio).text
    assert similarity(text, clip.text) >= 0.3, text
    assert not keep.exists()  # audio is never written unless audio.keep_audio


def test_listener_transcribes_at_the_pause_from_the_microphone(pulse, espeak_questions, transcriber):  # noqa: F811
    """The whole hearing path on a real audio server: sounddevice capture, VAD, the
    pause hand-over and Whisper started before end of speech is certain."""
    from speech.listen import Listener

    clip = espeak_questions[1]
    listener = Listener(Recorder(AudioConfig(input_device="pulse")), transcriber, pause_s=0.2)
    result = {}
    worker = threading.Thread(target=lambda: result.update(h=listener.listen(max_wait_s=8.0)))
    with Monitor() as mon:
        worker.start()
        time.sleep(0.5)
        pulse.play_file(clip.path).wait(20)
        worker.join(20)
    listener.close()
    heard = result["h"]
    assert heard.recording.reason is Endpoint.END_OF_SPEECH
    assert heard.early, "the transcript started at the pause was not used"
    assert similarity(heard.transcript.text, clip.text) >= 0.3, heard.transcript.text
    last_sound = mon.loud_times(0.02)[-1]
    print(f"text ready {heard.text_ready_at - last_sound:.2f} s after the last loud block "
          f"(end of speech decided at {heard.recording.ended_at - last_sound:.2f} s)")
    assert heard.text_ready_at >= heard.recording.ended_at


def test_keep_audio_saves_and_expires(tmp_path):
    import os

    from speech_fixtures import read_wav

    from speech.audio import Recording, keep_recording

    keep = tmp_path / "recordings"
    keep.mkdir()
    old = keep / "utt-20200101-000000.wav"
    old.write_bytes(b"old")
    os.utime(old, (time.time() - 3 * 86400,) * 2)
    rec = Recording(np.full(1600, 0.5, np.float32), 16000, Endpoint.END_OF_SPEECH, 0.1, time.monotonic())
    path = keep_recording(rec, keep, keep_days=1)
    audio, rate = read_wav(path)
    assert rate == 16000 and audio.size == 1600 and abs(int(audio[0]) - 16383) <= 1
    assert not old.exists()


def test_no_speech_and_cancel(pulse):
    rec = Recorder(AudioConfig())
    started = time.monotonic()
    r = rec.record(max_wait_s=1.0)
    assert r.reason is Endpoint.NO_SPEECH and not r.heard
    assert 0.9 < time.monotonic() - started < 4
    threading.Timer(0.4, rec.cancel).start()
    started = time.monotonic()
    r = rec.record(max_wait_s=None)
    assert r.reason is Endpoint.CANCELLED and r.audio.size == 0
    assert time.monotonic() - started < 1.5


def test_player_speaks_sentence_by_sentence(pulse, tmp_path):
    synth = load_synthesizer(TtsConfig(engine="espeak"))
    player = Player(AudioConfig(output_device="pulse"))
    text = "Xin chào. Hồ sơ gồm 02 bản sao CCCD. Lệ phí 50.000 đồng."
    expected_s = sum(a.size / r for a, r in synth.synthesize(text))
    with Monitor() as mon:
        started = time.monotonic()
        player.play(synth.synthesize(text), block=True)
        elapsed = time.monotonic() - started
        time.sleep(0.3)
    assert player.first_audio_at is not None and player.first_audio_at - started < 1.0
    assert expected_s * 0.9 < elapsed < expected_s + 3.0
    loud = mon.loud_times()
    assert loud and loud[-1] - loud[0] > expected_s * 0.7  # the speaker really got the speech
    assert not player.is_playing


def test_player_stop_is_immediate(pulse):
    synth = load_synthesizer(TtsConfig(engine="espeak"))
    player = Player(AudioConfig(), volume=0.8)
    long_text = " ".join(["Ông bà vui lòng chờ đến lượt của mình."] * 6)
    with Monitor() as mon:
        player.play(synth.synthesize(long_text))
        time.sleep(1.5)
        assert player.is_playing
        stop_at = time.monotonic()
        player.stop()
        stop_took = time.monotonic() - stop_at
        time.sleep(0.8)
    assert stop_took < 0.3 and not player.is_playing
    late = [t for t in mon.loud_times() if t > stop_at + 0.4]
    assert not late, f"sound {late[-1] - stop_at:.2f} s after stop()"
    player.wait(1)  # no error stored


def test_volume_scales_output(pulse):
    tone = (np.sin(2 * np.pi * 440 * np.arange(22050) / 22050) * 16000).astype(np.int16)
    peaks = []
    for volume in (1.0, 0.25):
        player = Player(AudioConfig(), volume=volume)
        with Monitor() as mon:
            player.play([(tone, 22050)], block=True)
            time.sleep(0.3)
        peaks.append(max(np.abs(b).max() for _, b in mon.blocks))
    assert peaks[1] / peaks[0] == pytest.approx(0.25, rel=0.15)


def test_no_sound_server_means_no_device(tmp_path, monkeypatch):
    """This machine has no sound card: without a server the UI must go touch-only."""
    monkeypatch.setenv("PULSE_SERVER", f"unix:{tmp_path}/nothing-here")
    refresh_devices()
    try:
        if list_devices("input"):
            pytest.skip("this machine has a real sound card")
        with pytest.raises(AudioDeviceError, match="micrô|microphone|input"):
            Recorder(AudioConfig())
        with pytest.raises(AudioDeviceError):
            Player(AudioConfig())
    finally:
        monkeypatch.undo()
        refresh_devices()


def test_cli_say_plays_on_the_speaker(pulse, tmp_path, capsys):
    from speech_fixtures import make_config, write_toml

    from kiosk.cli import main

    toml = write_toml(tmp_path / "kiosk.toml", make_config(tmp_path))
    with Monitor() as mon:
        assert main(["--config", str(toml), "say", "Xin mời ông bà lấy số."]) == 0
        time.sleep(0.3)
    assert mon.loud_times()
