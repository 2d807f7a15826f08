"""Shared fixtures for the speech tests (imported by tests/test_speech_*.py).

Everything here is real: the packaged Whisper base joined into a temporary cache,
espeak-ng generating Vietnamese questions, a PulseAudio server with a null sink and a
virtual microphone. Expensive things are cached per process so that a fixture
imported by several test modules still runs once.
"""
from __future__ import annotations

import contextlib
import dataclasses
import difflib
import functools
import os
import re
import shutil
import subprocess
import tempfile
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from kiosk.config import AsrConfig, AudioConfig, Config, PathsConfig, TtsConfig

# Short questions a citizen asks at the ward office; espeak-ng's Vietnamese is crude,
# so these are ones Whisper base recognises at least roughly from it.
QUESTIONS = (
    "Tôi muốn làm căn cước công dân",
    "Đăng ký khai sinh cho con cần giấy tờ gì",
    "Xin giấy xác nhận tình trạng hôn nhân",
    "Chứng thực bản sao hết bao nhiêu tiền",
    "Làm sao để đăng ký khai tử",
    "Tôi muốn đăng ký tạm trú",
    "Đăng ký hộ kinh doanh",
    "Xin cấp giấy phép xây dựng",
    "Mấy giờ ủy ban làm việc",
)
ESPEAK_RATE_WPM = 115


def fold(text: str) -> list[str]:
    text = unicodedata.normalize("NFC", text).lower()
    return re.sub(r"[^\w\s]", " ", text).split()


def similarity(a: str, b: str) -> float:
    """Syllable-level similarity in [0, 1] (tone marks count)."""
    return difflib.SequenceMatcher(None, fold(a), fold(b)).ratio()


def closest(text: str, candidates=QUESTIONS) -> str:
    return max(candidates, key=lambda c: similarity(text, c))


@functools.cache
def _session_dir() -> Path:
    path = Path(tempfile.mkdtemp(prefix="kiosk-speech-tests-"))
    import atexit

    atexit.register(shutil.rmtree, path, True)
    return path


def espeak_wav(text: str, path: Path, *, wpm: int = ESPEAK_RATE_WPM, pad_s: float = 0.5) -> Path:
    """espeak-ng Vietnamese → WAV (22.05 kHz mono) with ``pad_s`` of silence around it."""
    raw = path.with_suffix(".raw.wav")
    subprocess.run(["espeak-ng", "-v", "vi", "-s", str(wpm), "-w", str(raw), text], check=True, capture_output=True)
    subprocess.run(["sox", str(raw), str(path), "pad", str(pad_s), str(pad_s)], check=True, capture_output=True)
    raw.unlink()
    return path


@functools.cache
def _questions_dir() -> Path:
    out = _session_dir() / "questions"
    out.mkdir()
    for i, q in enumerate(QUESTIONS):
        espeak_wav(q, out / f"q{i:02d}.wav")
        (out / f"q{i:02d}.txt").write_text(q, encoding="utf-8")
    return out


@dataclass(frozen=True)
class Clip:
    path: Path
    text: str


@pytest.fixture(scope="session")
def espeak_questions() -> list[Clip]:
    if shutil.which("espeak-ng") is None or shutil.which("sox") is None:
        pytest.skip("espeak-ng and sox are needed (script/bootstrap installs them)")
    d = _questions_dir()
    return [Clip(p, p.with_suffix(".txt").read_text(encoding="utf-8")) for p in sorted(d.glob("q*.wav"))]


@functools.cache
def _cache_dir() -> Path:
    from speech.models import prepare_whisper_base

    cache = _session_dir() / "cache"
    prepare_whisper_base(cache)
    return cache


def make_config(tmp: Path | None = None, **tts) -> Config:
    """A Config whose paths point into temporary directories."""
    tmp = tmp or _session_dir()
    return Config(
        paths=PathsConfig(data_dir=tmp / "data", cache_dir=_cache_dir()),
        asr=AsrConfig(),
        audio=AudioConfig(),
        tts=dataclasses.replace(TtsConfig(voices_dir=tmp / "voices"), **tts),
    )


@functools.cache
def _transcriber():
    from speech import load_transcriber

    t = load_transcriber(make_config())
    t.warm()
    return t


@pytest.fixture(scope="session")
def transcriber():
    """The real Whisper base transcriber, loaded once per process (whichever test
    module asks first)."""
    return _transcriber()


def write_toml(path: Path, config: Config) -> Path:
    """A kiosk.toml with the speech paths of ``config`` (for CLI tests)."""
    path.write_text(
        "[paths]\n"
        f'cache_dir = "{config.paths.cache_dir}"\n'
        f'data_dir = "{config.paths.data_dir}"\n'
        "[tts]\n"
        f'voices_dir = "{config.tts.voices_dir}"\n'
        f'engine = "{config.tts.engine}"\n'
        f'piper_voice = "{config.tts.piper_voice}"\n',
        encoding="utf-8",
    )
    return path


@pytest.fixture
def clean_env(monkeypatch):
    for name in list(os.environ):
        if name.startswith("KIOSK_"):
            monkeypatch.delenv(name)
    return monkeypatch


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    import wave

    with wave.open(str(path)) as w:
        rate, n, ch, width = w.getframerate(), w.getnframes(), w.getnchannels(), w.getsampwidth()
        data = np.frombuffer(w.readframes(n), dtype={2: "<i2", 4: "<i4"}[width])
    return data.reshape(-1, ch)[:, 0], rate


# ------------------------------------------------------------------- PulseAudio


@dataclass
class PulseServer:
    socket: Path
    process: subprocess.Popen
    log: Path
    env: dict

    @property
    def server(self) -> str:
        return f"unix:{self.socket}"

    def play_file(self, wav: Path) -> subprocess.Popen:
        """Play ``wav`` into the null sink (and so into the virtual microphone)."""
        return subprocess.Popen(["paplay", "--device=kiosk_out", str(wav)], env=self.env)

    def pactl(self, *args: str) -> str:
        return subprocess.run(["pactl", *args], env=self.env, capture_output=True, text=True, timeout=10).stdout


@contextlib.contextmanager
def pulse_server(tmp: Path):
    """A private PulseAudio server: sink ``kiosk_out`` (null) and microphone ``kiosk_mic``
    (a virtual source on the sink's monitor: what is played is what the mic hears)."""
    exe = shutil.which("pulseaudio")
    if exe is None:
        pytest.skip("pulseaudio is not installed (script/bootstrap installs it)")
    runtime = tmp / "pulse"
    (runtime / "config").mkdir(parents=True)
    socket = runtime / "native"
    script = runtime / "kiosk.pa"
    script.write_text(
        f"load-module module-native-protocol-unix auth-anonymous=1 socket={socket}\n"
        "load-module module-null-sink sink_name=kiosk_out rate=48000 "
        "sink_properties=device.description=KioskSpeaker\n"
        "load-module module-virtual-source source_name=kiosk_mic master=kiosk_out.monitor "
        "source_properties=device.description=KioskMic\n"
        "set-default-sink kiosk_out\n"
        "set-default-source kiosk_mic\n"
    )
    server_env = {
        **os.environ,
        "HOME": str(runtime),
        "XDG_RUNTIME_DIR": str(runtime),
        "XDG_CONFIG_HOME": str(runtime / "config"),
        "PULSE_RUNTIME_PATH": str(runtime),
    }
    server_env.pop("PULSE_SERVER", None)
    log = runtime / "pulseaudio.log"
    # As root PulseAudio warns that it is meant for --system mode but runs fine
    # per-user with an explicit runtime dir; -n skips the default script.
    cmd = [exe, "--daemonize=no", "--exit-idle-time=-1", "-n", "-F", str(script), "--use-pid-file=no",
           "--disable-shm=yes", "--log-target=stderr", "--log-level=notice"]
    with open(log, "wb") as log_fh:
        proc = subprocess.Popen(cmd, env=server_env, stdout=log_fh, stderr=subprocess.STDOUT)
    client_env = {**server_env, "PULSE_SERVER": f"unix:{socket}"}
    server = PulseServer(socket, proc, log, client_env)
    try:
        deadline = time.monotonic() + 15
        while True:
            if proc.poll() is not None:
                pytest.skip(f"PulseAudio exited at start ({proc.returncode}): {log.read_text(errors='replace')[-800:]}")
            if socket.exists() and "kiosk_mic" in server.pactl("info"):
                break
            if time.monotonic() > deadline:
                pytest.skip(f"PulseAudio did not come up in 15 s: {log.read_text(errors='replace')[-800:]}")
            time.sleep(0.1)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
