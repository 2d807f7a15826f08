"""The device adapter (kiosk.app.devices) with the flow, without a window: workers
report back through ``post``, which here queues the calls for the test thread (the
app uses Clock.schedule_once). The recogniser is a stand-in here; the window test
feeds the same WAV through the real one."""
from __future__ import annotations

import queue
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk.app.devices import Devices, WavRecorder, WavSinkPlayer, level_fraction
from kiosk.app.flow import Flow, FlowSettings, State
from kiosk.config import Config, PathsConfig, PrinterConfig
from kiosk.services import load_knowledge

REPO = Path(__file__).resolve().parents[1]
WAV = REPO / "tests" / "data" / "app" / "lam-giay-khai-sinh.wav"
BIRTH = "1.001193"


class FakeTranscript:
    def __init__(self, text):
        self.text = text
        self.elapsed = 0.0


class FakeTranscriber:
    model = "fake"

    def __init__(self, text="làm giấy khai sinh"):
        self.text = text
        self.calls = []

    def transcribe(self, audio, sample_rate=16000):
        self.calls.append((audio.size, sample_rate))
        return FakeTranscript(self.text)

    def warm(self):
        pass


class BrokenRecorder:
    def record(self, **_):
        from speech.errors import AudioDeviceError

        raise AudioDeviceError("không mở được micrô / cannot open microphone")

    def cancel(self):
        pass


@pytest.fixture(scope="module")
def knowledge(tmp_path_factory):
    return load_knowledge(Config(paths=PathsConfig(data_dir=tmp_path_factory.mktemp("data"))))


def rig(knowledge, tmp_path, **devices_kw):
    kb, db = knowledge
    printer = devices_kw.pop("printer", PrinterConfig(kind="none"))
    config = Config(paths=PathsConfig(data_dir=tmp_path / "data"), printer=printer)
    calls: queue.Queue = queue.Queue()
    devices = Devices(config, post=calls.put, **devices_kw)
    flow = Flow(kb, db, devices, FlowSettings(thinking_dwell_s=0))
    devices.sink = flow
    return flow, devices, calls


def pump(calls: queue.Queue, until, timeout=30.0):
    """Run the posted callbacks on this (the "UI") thread until ``until()``."""
    deadline = time.monotonic() + timeout
    while not until():
        try:
            calls.get(timeout=max(0.01, deadline - time.monotonic()))()
        except queue.Empty:
            raise AssertionError("timed out waiting for the workers") from None


def test_level_fraction():
    assert level_fraction(-100) == 0 and level_fraction(0) == 1 and 0.4 < level_fraction(-30) < 0.6


@pytest.mark.slow
def test_load_reports_each_device_on_its_own(knowledge, tmp_path):
    flow, devices, calls = rig(knowledge, tmp_path, transcriber=FakeTranscriber(),
                               recorder=WavRecorder(WAV, realtime=False), speech_out=tmp_path / "said.wav")
    devices.start()
    pump(calls, lambda: not flow.status.loading)
    s = flow.status
    assert s.mic.ok and s.asr.ok and flow.voice_available
    assert s.tts.ok and ("espeak" in s.tts.message or "piper" in s.tts.message)
    assert not s.printer.ok and "máy in" in s.printer.message  # printer.kind = none: a calm sentence
    assert flow.notices == []


@pytest.mark.slow
def test_voice_question_through_the_adapter(knowledge, tmp_path):
    tr = FakeTranscriber("cho tôi hỏi làm giấy khai sinh")
    flow, devices, calls = rig(knowledge, tmp_path, transcriber=tr, recorder=WavRecorder(WAV, realtime=False),
                               speech_out=tmp_path / "said.wav")
    devices.load()
    pump(calls, lambda: flow.voice_available)
    seen = []
    flow.listeners.append(lambda f: seen.append(f.state))
    flow.press_to_ask()
    pump(calls, lambda: flow.state is State.ANSWER)
    assert State.THINKING in seen and flow.answer.code == BIRTH
    assert tr.calls and tr.calls[0][1] == 16000 and tr.calls[0][0] > 16000  # the whole utterance, 16 kHz
    # the answer is spoken by the real synthesiser into the stand-in speaker
    pump(calls, lambda: not flow.speaking)
    assert (tmp_path / "said.wav").stat().st_size > 10000
    devices.close()


def test_microphone_failure_becomes_touch_only(knowledge, tmp_path):
    flow, devices, calls = rig(knowledge, tmp_path, transcriber=FakeTranscriber(), recorder=BrokenRecorder())
    devices.load()
    pump(calls, lambda: flow.voice_available)
    flow.press_to_ask()
    pump(calls, lambda: flow.state is not State.LISTENING)
    assert flow.state is State.HOME and not flow.voice_available and flow.message


@pytest.mark.slow
def test_cancel_stops_a_recording(knowledge, tmp_path):
    tr = FakeTranscriber()
    flow, devices, calls = rig(knowledge, tmp_path, transcriber=tr, recorder=WavRecorder(WAV, realtime=True))
    devices.load()
    pump(calls, lambda: flow.voice_available)
    flow.press_to_ask()
    time.sleep(0.2)
    flow.cancel()
    time.sleep(0.3)
    while not calls.empty():
        calls.get()()
    assert flow.state is State.HOME and tr.calls == []


def test_nothing_heard_without_a_recogniser_call(knowledge, tmp_path):
    silence = tmp_path / "silence.wav"
    subprocess.run(["sox", "-n", "-r", "16000", "-c", "1", "-b", "16", str(silence), "trim", "0", "0.5"], check=True)
    tr = FakeTranscriber("")
    flow, devices, calls = rig(knowledge, tmp_path, transcriber=tr, recorder=WavRecorder(silence, realtime=False))
    devices.load()
    pump(calls, lambda: flow.voice_available)
    flow.press_to_ask()
    pump(calls, lambda: flow.state is State.NONE)
    assert flow.none_reason == "not_heard"


@pytest.mark.slow
def test_print_to_an_escpos_file(knowledge, tmp_path):
    out = tmp_path / "receipt.bin"
    flow, devices, calls = rig(knowledge, tmp_path, transcriber=FakeTranscriber(),
                               printer=PrinterConfig(kind="escpos", escpos_connection=f"file:{out}"))
    devices.load()
    pump(calls, lambda: flow.printer_available)
    flow.tap_category("ho-tich")
    flow.choose(BIRTH)
    flow.print_checklist()
    pump(calls, lambda: flow.print_ok is not None)
    assert flow.print_ok and flow.print_message.startswith("Đã in xong")
    assert out.stat().st_size > 1000 and out.read_bytes().startswith(b"\x1b@")


def test_no_printer_configured_is_a_calm_message(knowledge, tmp_path):
    flow, devices, calls = rig(knowledge, tmp_path)
    kb = flow.kb
    got = []
    devices.test_print(kb.procedure(BIRTH), kb.content.office, lambda ok, msg: got.append((ok, msg)))
    pump(calls, lambda: bool(got))
    assert got[0][0] is False and got[0][1].startswith("Kiosk này chưa có máy in")


def test_checklist_speech_uses_the_printed_wording(knowledge, tmp_path):
    flow, devices, _ = rig(knowledge, tmp_path)
    kb = flow.kb
    text = devices.checklist_speech(kb.procedure(BIRTH), kb.content.office)
    assert text.startswith("Giấy tờ cần mang cho thủ tục")


def test_sink_player_stops(tmp_path):
    import numpy as np

    player = WavSinkPlayer(tmp_path / "x.wav")
    done = []

    def chunks():
        for _ in range(100):
            time.sleep(0.02)
            yield np.zeros(100, np.int16), 16000

    player.play(chunks(), on_done=lambda: done.append(True))
    time.sleep(0.1)
    player.stop()
    assert done == [True]


@pytest.mark.slow
def test_kiosk_run_errors_are_one_line(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "KIOSK_PATHS_DATA_DIR": str(tmp_path)}
    r = subprocess.run([sys.executable, "-m", "kiosk", "run", "--size", "12x"], capture_output=True, text=True,
                       env=env, cwd=REPO, timeout=60)
    assert r.returncode == 1 and r.stderr.startswith("Lỗi: kích thước") and r.stderr.count("\n") == 1
    r = subprocess.run([sys.executable, "-m", "kiosk", "run"], capture_output=True, text=True, env=env,
                       cwd=REPO, timeout=60)
    assert r.returncode == 1 and "DISPLAY" in r.stderr and r.stderr.count("\n") == 1


class RecordingSynthesizer:
    """The real synthesiser, noting each text it is given (what the citizen hears)."""

    def __init__(self, real):
        self.real = real
        self.texts: list[str] = []
        self.name = getattr(real, "name", "?")
        self.voice = getattr(real, "voice", "?")

    def synthesize(self, text):
        self.texts.append(text)
        return self.real.synthesize(text)


def test_spoken_clarification_end_to_end(knowledge, tmp_path):
    """A spoken question that needs a clarification: the recording goes through the listener,
    the flow asks back with the choices' short labels, and that question reaches the real
    synthesiser, whose audio is written to the stand-in speaker."""
    from kiosk.config import TtsConfig
    from knowledge import replies
    from knowledge.answer import lower_first
    from speech import load_synthesizer

    synth = RecordingSynthesizer(load_synthesizer(TtsConfig()))
    said = tmp_path / "said.wav"
    flow, devices, calls = rig(knowledge, tmp_path, transcriber=FakeTranscriber("xin giấy phép xây dựng"),
                               recorder=WavRecorder(WAV, realtime=False), speech_out=said, synthesizer=synth)
    devices.load()
    pump(calls, lambda: flow.voice_available and flow.status.tts.ok)
    flow.press_to_ask()
    pump(calls, lambda: flow.state is State.CLARIFY)
    pump(calls, lambda: not flow.speaking)
    question = replies.clarify_spoken(flow.choices)
    assert synth.texts == [question]
    assert question.startswith("Có phải ông bà hỏi về " + lower_first(flow.choices[0].label))
    assert "xây nhà mới" in question  # the short title of 1.013225, not its 30-word official title
    assert said.stat().st_size > 40000  # a few seconds of real speech, not a click
    devices.close()
