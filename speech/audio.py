"""Microphone capture with sounddevice: 16 kHz mono, a level callback for the UI
meter, end of speech from the Silero VAD, cancellable from another thread.

Audio stays in memory. It is written to disk only when ``AudioConfig.keep_audio``
is on (staff diagnostics), and such files are deleted after ``keep_audio_days``.
"""
from __future__ import annotations

import logging
import math
import queue
import threading
import time
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

from speech.errors import AudioDeviceError, SpeechError
from speech.settings import AudioConfig
from speech.vad import WINDOW, Endpoint, EndpointConfig, EndpointDetector, SileroVad

_LOGGER = logging.getLogger(__name__)

LevelCallback = Callable[[float], None]
"""Called from the audio thread with the RMS level in dBFS (−100…0) of each block."""
PauseCallback = Callable[["Recording"], None]
"""Called from the capturing thread when the citizen pauses inside an utterance, with
the utterance so far (exactly what ``record()`` returns if they do not speak again)."""
EndCallback = Callable[["Recording"], float]
"""Called from the capturing thread when end of speech is reached (``end_silence_s``
of silence), with what ``record()`` would return; returns how many seconds more to
wait for the citizen to go on (0: the utterance is over). Called once per pause."""

TAIL_S = 0.2
"""Audio kept after the detected end of speech."""


def _sounddevice() -> Any:  # the sounddevice module (untyped)
    try:
        import sounddevice
    except OSError as exc:  # PortAudio library missing
        raise AudioDeviceError(f"không có thư viện âm thanh / PortAudio not available: {exc}") from None
    return sounddevice


def refresh_devices() -> None:
    """Re-scan audio devices (PortAudio lists them once, at start-up): call after a USB
    microphone was plugged in or the sound server (re)started."""
    sd = _sounddevice()
    try:
        sd._terminate()
        sd._initialize()
    except Exception as exc:
        raise AudioDeviceError(f"không khởi tạo lại được âm thanh / cannot re-initialise audio: {exc}") from None


def list_devices(kind: str = "input") -> list[str]:
    """Names of the devices that can record (``"input"``) or play (``"output"``)."""
    sd = _sounddevice()
    key = "max_input_channels" if kind == "input" else "max_output_channels"
    try:
        devices = sd.query_devices()
    except Exception as exc:
        raise AudioDeviceError(f"không liệt kê được thiết bị âm thanh / cannot list audio devices: {exc}") from None
    return [d["name"] for d in devices if d[key] > 0]


def find_device(name: str | None, kind: str = "input") -> int | None:
    """Index of the first ``kind`` device whose name contains ``name`` (case-insensitive);
    None = the system default. Raises AudioDeviceError when there is no such device."""
    sd = _sounddevice()
    key = "max_input_channels" if kind == "input" else "max_output_channels"
    what = "micrô / microphone" if kind == "input" else "loa / speaker"
    try:
        devices = list(sd.query_devices())
    except Exception as exc:
        raise AudioDeviceError(f"không liệt kê được thiết bị âm thanh / cannot list audio devices: {exc}") from None
    usable = [(i, d) for i, d in enumerate(devices) if d[key] > 0]
    if not usable:
        raise AudioDeviceError(f"không tìm thấy {what} nào / no {kind} audio device found")
    if not name:
        default = sd.default.device[0 if kind == "input" else 1]
        if default is None or default < 0 or devices[default][key] <= 0:
            return usable[0][0]
        return None
    for i, d in usable:
        if name.lower() in d["name"].lower():
            return i
    raise AudioDeviceError(
        f"không tìm thấy {what} có tên chứa {name!r} / no {kind} device matching {name!r}; "
        f"có / available: {', '.join(d['name'] for _, d in usable)}"
    )


def level_dbfs(block: np.ndarray) -> float:
    rms = float(np.sqrt(np.mean(np.square(block, dtype=np.float64)))) if block.size else 0.0
    return max(-100.0, 20.0 * np.log10(rms)) if rms > 0 else -100.0


@dataclass(frozen=True)
class Recording:
    """One utterance from :meth:`Recorder.record`: its audio, why recording ended and
    the timing needed to measure latency. Kept in memory only, unless ``audio.keep_audio``."""

    audio: np.ndarray
    """16 kHz mono float32: the utterance with a little audio around it; empty when
    nothing was heard."""
    sample_rate: int
    reason: Endpoint
    speech_duration: float
    """Seconds between detected start and end of speech."""
    ended_at: float
    """``time.monotonic()`` when end of speech was decided (for latency measurements)."""
    span: tuple[int, int] | None = None
    """(first, last) VAD window of the speech: two recordings with the same span hold
    the same utterance (a transcription started at a pause is still valid)."""

    @property
    def heard(self) -> bool:
        """Speech was detected (the audio is not empty)."""
        return self.audio.size > 0


class Utterance:
    """One utterance being heard: blocks in, speech probabilities from the VAD, end of
    speech from :class:`EndpointDetector`, and the audio to transcribe out.

    Independent of where the blocks come from (a sounddevice stream in
    :meth:`Recorder.record`, a file or a test signal in :meth:`Recorder.replay`).
    """

    def __init__(
        self,
        vad: SileroVad,
        endpoint_cfg: EndpointConfig,
        *,
        sample_rate: int = 16000,
        on_pause: PauseCallback | None = None,
        pause_s: float = 0.0,
        on_end: EndCallback | None = None,
        vad_gain_max_db: float = 0.0,
    ) -> None:
        vad.reset()
        self.on_end = on_end
        self.vad_gain_max_db = vad_gain_max_db
        self._mic_levels: list[float] = []
        self.vad = vad
        self.detector = EndpointDetector(endpoint_cfg)
        self.sample_rate = sample_rate
        self.on_pause = on_pause if pause_s > 0 else None
        # Not before the tail after the speech has arrived, so the audio handed to
        # on_pause is the very audio record() returns if nobody speaks again.
        tail_windows = math.ceil(TAIL_S * sample_rate / WINDOW)
        self._pause_windows = max(tail_windows, int(round(pause_s / endpoint_cfg.window_s))) if pause_s > 0 else 0
        self._blocks: list[np.ndarray] = []
        self._size = 0
        self._samples: np.ndarray | None = None

    def feed(self, block: np.ndarray) -> Endpoint | None:
        """Add one block; the reason the utterance ended, or None while it goes on."""
        self._blocks.append(block)
        self._size += block.size
        self._samples = None
        detector = self.detector
        vad = self.vad
        levels = getattr(vad, "levels", None)  # test doubles may have no levels
        first = len(levels) if levels is not None else 0
        gain = self._vad_gain_db()
        heard = block if gain == 0 else block * np.float32(10 ** (gain / 20))
        for k, prob in enumerate(vad.process(heard)):
            # Levels as the microphone gave them (the gain is for the VAD only).
            level = levels[first + k] - gain if levels is not None else None
            if level is not None:
                self._mic_levels.append(level)
            reason = detector.update(prob, level)
            if reason is Endpoint.END_OF_SPEECH and self.on_end is not None and not detector.holding:
                more = self._ask_end()
                if more > 0:
                    detector.hold(more)
                    reason = None
            if reason is not None:
                return reason
            if (
                self.on_pause is not None
                and detector.speech_start is not None
                and detector.silence_windows == self._pause_windows
            ):
                self._notify_pause()
        return None

    VAD_TARGET_DBFS = -25.0
    """Level the VAD gain brings the loud windows to (the shared clips, which Silero
    hears well, have theirs at −35…−4 dBFS)."""
    VAD_ROOM_DBFS = -65.0
    """Loud windows below this are an empty room: no gain (silence stays silence)."""

    def _vad_gain_db(self) -> float:
        """Gain for the VAD's input: Silero misses soft stretches of a voice 30 dB down
        (a real clip at −53 dBFS ended 4.4 s early, bench/endpoint.py ``att:30``).
        From the loud windows heard so far (95th percentile), capped; 0 = off."""
        if self.vad_gain_max_db <= 0 or len(self._mic_levels) < 8:
            return 0.0
        loud = float(np.percentile(self._mic_levels[-250:], 95))  # the last 8 s
        if loud < self.VAD_ROOM_DBFS:
            return 0.0
        return float(min(self.vad_gain_max_db, max(0.0, self.VAD_TARGET_DBFS - loud)))

    def _ask_end(self) -> float:
        on_end = self.on_end
        if on_end is None:
            return 0.0
        try:
            return float(on_end(self.result(Endpoint.END_OF_SPEECH, time.monotonic())) or 0.0)
        except Exception:  # a listener bug must not stop capture: end as usual
            _LOGGER.exception("end-of-speech callback failed")
            return 0.0

    def _notify_pause(self) -> None:
        on_pause = self.on_pause
        if on_pause is None:
            return
        try:
            on_pause(self.result(Endpoint.END_OF_SPEECH, time.monotonic()))
        except Exception:  # a listener bug must not stop capture
            _LOGGER.exception("pause callback failed")

    def _all(self) -> np.ndarray:
        if self._samples is None:
            self._samples = np.concatenate(self._blocks) if self._blocks else np.zeros(0, np.float32)
            self._blocks = [self._samples]
        return self._samples

    def result(self, reason: Endpoint, ended_at: float) -> Recording:
        sr = self.sample_rate
        detector = self.detector
        if reason in (Endpoint.CANCELLED, Endpoint.NO_SPEECH) or detector.speech_start is None:
            return Recording(np.zeros(0, np.float32), sr, reason, 0.0, ended_at)
        samples = self._all()
        start = max(0, detector.speech_start * WINDOW - int(detector.cfg.pre_roll_s * sr))
        end_window = detector.speech_end if detector.speech_end is not None else detector.index
        end = min(samples.size, end_window * WINDOW + int(TAIL_S * sr))
        speech_s = (end_window - detector.speech_start) * WINDOW / sr
        return Recording(
            samples[start:end].copy(), sr, reason, speech_s, ended_at, (detector.speech_start, end_window)
        )


class Recorder:
    """Records one utterance at a time from the configured microphone.

    ``record()`` blocks (run it in a worker thread) and returns a :class:`Recording`;
    ``cancel()`` from any thread makes it return at once with ``Endpoint.CANCELLED``.
    """

    block_s = 0.032

    def __init__(
        self,
        audio_cfg: AudioConfig,
        *,
        on_level: LevelCallback | None = None,
        vad: SileroVad | None = None,
        keep_dir: Path | None = None,
    ) -> None:
        self.cfg = audio_cfg
        self.on_level = on_level
        self.sample_rate = int(audio_cfg.sample_rate)
        if self.sample_rate != 16000:
            raise AudioDeviceError("audio.sample_rate phải là 16000 / must be 16000 (Silero VAD and Whisper)")
        self._vad = vad
        self.keep_dir = keep_dir
        """Where ``keep_audio`` saves recordings (e.g. ``paths.data_dir / "recordings"``)."""
        if audio_cfg.keep_audio and keep_dir is None:
            _LOGGER.warning("audio.keep_audio is on but no keep_dir was given: recordings are not kept")
        self._cancel = threading.Event()
        self._device = find_device(audio_cfg.input_device, "input")

    @property
    def vad(self) -> SileroVad:
        if self._vad is None:
            self._vad = SileroVad()
        return self._vad

    def cancel(self) -> None:
        """From any thread: make a running ``record()`` return at once (``Endpoint.CANCELLED``)."""
        self._cancel.set()

    def endpoint_config(self, max_wait_s: float | None) -> EndpointConfig:
        return EndpointConfig(
            end_silence_s=self.cfg.end_silence_s,
            floor_margin_db=self.cfg.floor_margin_db,
            floor_end_s=self.cfg.floor_end_s,
            max_utterance_s=self.cfg.max_utterance_s,
            min_speech_s=self.cfg.min_speech_s,
            max_wait_s=max_wait_s,
        )

    def record(
        self,
        *,
        max_wait_s: float | None = 10.0,
        on_pause: PauseCallback | None = None,
        pause_s: float | None = None,
        on_end: EndCallback | None = None,
    ) -> Recording:
        """Record one utterance from the microphone. ``on_pause`` (with ``pause_s``,
        default ``audio.pause_transcribe_s``) is told about each pause inside it;
        ``on_end`` may extend a pause that looks like the end (see EndCallback)."""
        sd = _sounddevice()
        self._cancel.clear()
        utterance = self._utterance(max_wait_s, on_pause, pause_s, on_end)
        blocks: queue.Queue[np.ndarray] = queue.Queue()
        overflow = [0]

        def callback(indata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:  # audio thread: keep it short
            if status.input_overflow:
                overflow[0] += 1
            block = indata[:, 0].copy()
            blocks.put(block)
            if self.on_level is not None:
                try:
                    self.on_level(level_dbfs(block))
                except Exception:  # a UI bug must not kill capture
                    _LOGGER.exception("level callback failed")

        try:
            stream = sd.InputStream(
                samplerate=self.sample_rate,
                channels=1,
                dtype="float32",
                blocksize=WINDOW,
                device=self._device,
                callback=callback,
            )
        except Exception as exc:
            raise AudioDeviceError(f"không mở được micrô / cannot open microphone: {exc}") from None

        reason: Endpoint | None = None
        deadline_s = (max_wait_s or 0) + self.cfg.max_utterance_s + 5.0
        started = time.monotonic()
        try:
            with stream:
                while reason is None:
                    if self._cancel.is_set():
                        reason = Endpoint.CANCELLED
                        break
                    try:
                        block = blocks.get(timeout=0.1)
                    except queue.Empty:
                        if time.monotonic() - started > deadline_s:
                            raise AudioDeviceError("micrô không gửi dữ liệu / microphone delivers no audio") from None
                        continue
                    reason = utterance.feed(block)
        except SpeechError:
            raise
        except Exception as exc:  # PortAudio errors while reading or closing a vanished device
            raise AudioDeviceError(f"micrô bị ngắt giữa chừng / microphone failed: {exc}") from None
        ended_at = time.monotonic()
        if overflow[0]:
            _LOGGER.warning("microphone overflowed %d times", overflow[0])
        return self._finish(utterance.result(reason, ended_at))

    def _utterance(self, max_wait_s: float | None, on_pause: PauseCallback | None, pause_s: float | None,
                   on_end: EndCallback | None = None) -> Utterance:
        return Utterance(
            self.vad,
            self.endpoint_config(max_wait_s),
            sample_rate=self.sample_rate,
            on_pause=on_pause,
            pause_s=self.cfg.pause_transcribe_s if pause_s is None else pause_s,
            on_end=on_end,
            vad_gain_max_db=getattr(self.cfg, "vad_gain_max_db", 0.0),
        )

    def _finish(self, rec: Recording) -> Recording:
        if rec.heard and self.cfg.keep_audio and self.keep_dir is not None:
            keep_recording(rec, self.keep_dir, self.cfg.keep_audio_days)
        return rec


class ReplayRecorder(Recorder):
    """A :class:`Recorder` that hears prepared audio instead of a microphone, block by
    block and optionally at the speed of speech — the same VAD, endpoint and pause
    logic, for benchmarks, tests and demos without a sound card."""

    def __init__(self, audio_cfg: AudioConfig, audio: np.ndarray, *, realtime: bool = False, vad: SileroVad | None = None,
                 on_level: LevelCallback | None = None) -> None:
        self.cfg = audio_cfg
        self.on_level = on_level
        self.sample_rate = int(audio_cfg.sample_rate)
        self.audio = np.asarray(audio, dtype=np.float32).reshape(-1)
        self.realtime = realtime
        self._vad = vad
        self.keep_dir = None
        self._cancel = threading.Event()
        self.block_delivered_at: list[float] = []
        """``time.monotonic()`` when each block was handed over (realtime timing)."""

    def record(
        self,
        *,
        max_wait_s: float | None = 10.0,
        on_pause: PauseCallback | None = None,
        pause_s: float | None = None,
        on_end: EndCallback | None = None,
    ) -> Recording:
        """Hear the prepared audio as :meth:`Recorder.record` hears the microphone (same
        arguments and result). Audio that runs out counts as silence after it: end of
        speech if any was heard, else ``Endpoint.NO_SPEECH``."""
        self._cancel.clear()
        utterance = self._utterance(max_wait_s, on_pause, pause_s, on_end)
        self.block_delivered_at = []
        reason: Endpoint | None = None
        started = time.monotonic()
        for i in range(0, self.audio.size, WINDOW):
            if self._cancel.is_set():
                reason = Endpoint.CANCELLED
                break
            block = self.audio[i : i + WINDOW]
            if self.realtime:
                # The block is complete only once its last sample has been "spoken".
                delay = started + (i + block.size) / self.sample_rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
            self.block_delivered_at.append(time.monotonic())
            if self.on_level is not None:
                self.on_level(level_dbfs(block))
            reason = utterance.feed(block)
            if reason is not None:
                break
        if reason is None:  # the audio ran out: as if silence followed
            reason = Endpoint.END_OF_SPEECH if utterance.detector.speech_start is not None else Endpoint.NO_SPEECH
        return utterance.result(reason, time.monotonic())


def write_wav(path: Path, audio: np.ndarray, sample_rate: int) -> Path:
    """16-bit mono WAV from float32 [-1, 1] or int16 samples."""
    a = np.asarray(audio)
    if a.dtype.kind == "f":
        a = (np.clip(a, -1.0, 1.0) * 32767).astype(np.int16)
    path = Path(path)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(int(sample_rate))
        w.writeframes(a.astype("<i2").tobytes())
    return path


def keep_recording(rec: Recording, keep_dir: Path, keep_days: int) -> Path | None:
    """Staff diagnostic mode: save ``rec`` and delete recordings older than ``keep_days``."""
    try:
        keep_dir.mkdir(parents=True, exist_ok=True)
        cutoff = time.time() - max(0, keep_days) * 86400
        for old in keep_dir.glob("utt-*.wav"):
            if old.stat().st_mtime < cutoff:
                old.unlink(missing_ok=True)
        path = keep_dir / time.strftime("utt-%Y%m%d-%H%M%S.wav")
        return write_wav(path, rec.audio, rec.sample_rate)
    except OSError:
        _LOGGER.exception("could not keep recording in %s", keep_dir)
        return None
