"""The one place the app touches speech and printing: engines are loaded and used in
worker threads, their errors become calm states, and results go back to the flow
through ``post`` (``Clock.schedule_once`` in the app, a plain call in tests).

:class:`Devices` implements :class:`kiosk.app.ports.Ports`. Every call returns at
once; nothing here blocks the UI thread. Engines can be injected (tests, demos):
``audio_file`` replaces the microphone by a WAV file "heard" on every press, and
``speech_out`` replaces the speaker by a WAV file written with each utterance.
"""
from __future__ import annotations

import datetime as dt
import logging
import threading
import time
import wave
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Callable

import numpy as np

from kiosk.app.ports import DeviceState, DeviceStatus

log = logging.getLogger(__name__)

Post = Callable[[Callable[[], None]], None]

NOT_INSTALLED = "chưa cài đặt"


def _direct(fn: Callable[[], None]) -> None:
    fn()


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:300]


def level_fraction(dbfs: float) -> float:
    """−60 dBFS (silence) … 0 dBFS (shouting) → 0…1 for the level meter."""
    return float(min(1.0, max(0.0, (dbfs + 60.0) / 60.0)))


def asr_vocabulary(kb) -> list[str] | None:
    """Domain phrases for Whisper hotwords — the same as `kiosk ask --audio` uses; they
    only take effect when ``asr.use_hotwords`` is on."""
    vocabulary = getattr(kb, "vocabulary", None)
    return list(vocabulary()) if callable(vocabulary) else None


class WavRecorder:
    """A stand-in microphone that "hears" one WAV file per press, in real time
    (so the level meter moves and cancel works), for demos and window tests."""

    block_s = 0.032

    def __init__(self, path: str | Path, *, on_level: Callable[[float], None] | None = None, realtime: bool = True):
        from speech import load_audio

        self.path = Path(path)
        self.audio = load_audio(self.path)  # 16 kHz mono float32; raises InvalidAudio
        self.on_level = on_level
        self.realtime = realtime
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    def record(self, **_):
        from speech import Recording
        from speech.audio import level_dbfs
        from speech.vad import Endpoint

        self._cancel.clear()
        n = int(16000 * self.block_s)
        for i in range(0, self.audio.size, n):
            if self._cancel.is_set():
                return Recording(np.zeros(0, np.float32), 16000, Endpoint.CANCELLED, 0.0, time.monotonic())
            if self.on_level is not None:
                self.on_level(level_dbfs(self.audio[i:i + n]))
            if self.realtime:
                time.sleep(self.block_s)
        return Recording(self.audio.copy(), 16000, Endpoint.END_OF_SPEECH, self.audio.size / 16000, time.monotonic())


class WavSinkPlayer:
    """A stand-in speaker: synthesises like the real one and writes the last
    utterance to a WAV file (machines without a sound card, window tests)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.utterances = 0

    def play(self, chunks, *, block: bool = False, on_done: Callable[[], None] | None = None) -> None:
        self.stop()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, args=(chunks, on_done), daemon=True, name="kiosk-sink")
        self._thread.start()
        if block:
            self._thread.join()

    def _run(self, chunks, on_done) -> None:
        pieces, rate = [], 22050
        try:
            for audio, rate in chunks:
                if self._stop.is_set():
                    break
                pieces.append(np.asarray(audio, dtype=np.int16))
            if pieces:
                with wave.open(str(self.path), "wb") as w:
                    w.setnchannels(1)
                    w.setsampwidth(2)
                    w.setframerate(rate)
                    w.writeframes(np.concatenate(pieces).astype("<i2").tobytes())
                self.utterances += 1
        except Exception:
            log.exception("speech sink failed")
        finally:
            if on_done is not None:
                on_done()

    def stop(self) -> None:
        self._stop.set()
        t = self._thread
        if t is not None and t is not threading.current_thread():
            t.join(timeout=2.0)
        self._thread = None


class Devices:
    """Microphone + recogniser, synthesiser + speaker, printer — for the flow."""

    def __init__(self, config, *, post: Post | None = None, audio_file: str | Path | None = None,
                 speech_out: str | Path | None = None, transcriber=None, synthesizer=None, player=None,
                 recorder=None):
        self.config = config
        self.post: Post = post or _direct
        self.sink = None
        """The flow (gets heard / speech_ended / listen_failed / speaking_done / print_done / devices_changed)."""
        self.audio_file = audio_file
        self.speech_out = speech_out
        self.transcriber = transcriber
        self.synthesizer = synthesizer
        self.player = player
        self.recorder = recorder
        self.level = 0.0
        """Latest microphone level, 0…1 (the UI polls it)."""
        self.status = DeviceStatus()
        self._listen = ThreadPoolExecutor(1, thread_name_prefix="kiosk-listen")
        self._speak = ThreadPoolExecutor(1, thread_name_prefix="kiosk-speak")
        self._print = ThreadPoolExecutor(1, thread_name_prefix="kiosk-print")
        self._lock = threading.Lock()

    # ------------------------------------------------------------ plumbing
    def _to_flow(self, name: str, *args, **kwargs) -> None:
        sink = self.sink
        if sink is None:
            return

        def call() -> None:
            try:
                getattr(sink, name)(*args, **kwargs)
            except Exception:  # never a traceback on screen
                log.exception("flow.%s failed", name)

        self.post(call)

    def _set(self, **parts) -> None:
        with self._lock:
            self.status = replace(self.status, **parts)

    # -------------------------------------------------------------- loading
    def start(self, *, wait: bool = False) -> None:
        """Load the engines in the background; the flow hears ``devices_changed``."""
        t = threading.Thread(target=self.load, name="kiosk-load", daemon=True)
        t.start()
        if wait:
            t.join()

    def load(self) -> DeviceStatus:
        """Load whatever is not loaded yet (blocking). Each part fails on its own."""
        self._set(loading=True)
        self._load_printer()
        self._load_tts()
        self._load_mic()
        self._report()
        self._load_asr()
        self._set(loading=False)
        self._report()
        return self.status

    def refresh(self) -> None:
        """Staff "Kiểm tra lại": re-check what failed, in the background."""
        def run() -> None:
            if not self.status.mic.ok:
                self.recorder = None
            if not self.status.tts.ok:
                self.player = None
            self.load()

        threading.Thread(target=run, name="kiosk-refresh", daemon=True).start()

    def _report(self) -> None:
        self._to_flow("devices_changed", self.status)

    def _load_mic(self) -> None:
        try:
            if self.recorder is None:
                if self.audio_file:
                    self.recorder = WavRecorder(self.audio_file, on_level=self._on_level)
                else:
                    from speech import Recorder

                    rec = Recorder(self.config.audio, on_level=self._on_level)
                    rec.vad  # load the VAD now, not on the first question
                    self.recorder = rec
            what = f"tệp {Path(self.audio_file).name}" if self.audio_file else (self.config.audio.input_device or "mặc định")
            self._set(mic=DeviceState(True, f"sẵn sàng ({what})"))
        except ImportError as exc:
            self._set(mic=DeviceState(False, f"{NOT_INSTALLED}: {_short(exc)}"))
        except Exception as exc:  # AudioDeviceError, InvalidAudio, PortAudio
            log.warning("microphone unavailable: %s", exc)
            self._set(mic=DeviceState(False, _short(exc)))

    def _load_asr(self) -> None:
        try:
            if self.transcriber is None:
                from speech import load_transcriber

                kb = getattr(self.sink, "kb", None)
                tr = load_transcriber(self.config, vocabulary=asr_vocabulary(kb))
                tr.warm()
                self.transcriber = tr
            self._set(asr=DeviceState(True, f"sẵn sàng ({getattr(self.transcriber, 'model', '?')})"))
        except ImportError as exc:
            self._set(asr=DeviceState(False, f"{NOT_INSTALLED}: {_short(exc)}"))
        except Exception as exc:  # ModelNotFound, ctranslate2 errors
            log.warning("speech recognition unavailable: %s", exc)
            self._set(asr=DeviceState(False, _short(exc)))

    def _load_tts(self) -> None:
        try:
            if self.synthesizer is None:
                from speech import load_synthesizer

                self.synthesizer = load_synthesizer(self.config.tts)
            if self.player is None:
                if self.speech_out:
                    self.player = WavSinkPlayer(self.speech_out)
                else:
                    from speech import Player

                    self.player = Player(self.config.audio, volume=self.config.tts.volume)
            s = self.synthesizer
            self._set(tts=DeviceState(True, f"sẵn sàng ({getattr(s, 'name', '?')}: {getattr(s, 'voice', '?')})"))
        except ImportError as exc:
            self._set(tts=DeviceState(False, f"{NOT_INSTALLED}: {_short(exc)}"))
        except Exception as exc:  # SynthesisError, ModelNotFound, AudioDeviceError (no speaker)
            log.warning("speech output unavailable: %s", exc)
            self._set(tts=DeviceState(False, _short(exc)))

    def _load_printer(self) -> None:
        try:
            from printing import printer_status

            st = printer_status(self.config.printer)
            msg = st.message + (f" ({st.detail})" if st.detail else "")
            self._set(printer=DeviceState(bool(st.ready), msg))
        except ImportError as exc:
            self._set(printer=DeviceState(False, f"{NOT_INSTALLED}: {_short(exc)}"))
        except Exception as exc:
            log.warning("printer status failed: %s", exc)
            self._set(printer=DeviceState(False, _short(exc)))

    # ------------------------------------------------------------ listening
    def _on_level(self, dbfs: float) -> None:
        self.level = level_fraction(dbfs)

    def start_listening(self, token: int) -> None:
        self.level = 0.0
        self._listen.submit(self._listen_once, token)

    def _listen_once(self, token: int) -> None:
        try:
            if self.recorder is None or self.transcriber is None:
                raise RuntimeError("voice input not ready")
            from speech import Listener

            def recorded(rec) -> None:
                self.level = 0.0
                if rec.heard:
                    self._to_flow("heard", token)

            # Transcription starts at the citizen's first pause (audio.pause_transcribe_s)
            # so the answer is ready about when end of speech is certain.
            listener = Listener(self.recorder, self.transcriber)
            try:
                heard = listener.listen(on_recorded=recorded)
            finally:
                listener.close()
            rec = heard.recording
            reason = getattr(getattr(rec, "reason", None), "value", "")
            if reason == "cancelled":
                return
            if heard.transcript is None:
                self._to_flow("speech_ended", "", token)
                return
            transcript = heard.transcript
            log.info("heard %r in %.1fs%s", transcript.text, getattr(transcript, "elapsed", 0.0),
                     " (started at a pause)" if heard.early else "")
            hearings = None
            fitted: tuple = ()  # the first candidates with their fit to the audio (kiosk.sound_fit)
            kb = getattr(self.sink, "kb", None)
            if kb is not None and transcript.text:
                from kiosk.hearing import hear

                # not answerable outright → hear the same audio again, told the shortlist
                both = hear(kb, self.transcriber, rec.audio, transcript, sample_rate=rec.sample_rate,
                            fit_choices=self.config.asr.fit_choices)
                hearings = both.hearings()
                fitted = both.fitted
            self._to_flow("speech_ended", transcript.text, token, hearings=hearings, fitted=fitted)
        except Exception as exc:
            mic_lost = type(exc).__name__ == "AudioDeviceError"
            log.warning("listening failed: %s", exc)
            self._to_flow("listen_failed", _short(exc), token, mic_lost=mic_lost)

    def cancel_listening(self) -> None:
        rec = self.recorder
        if rec is not None:
            rec.cancel()

    # -------------------------------------------------------------- speaking
    def speak(self, text: str, token: int) -> None:
        self._speak.submit(self._speak_once, text, token)

    def _speak_once(self, text: str, token: int) -> None:
        try:
            if self.synthesizer is None or self.player is None:
                raise RuntimeError("speech output not ready")
            self.player.play(self.synthesizer.synthesize(text),
                             on_done=lambda: self._to_flow("speaking_done", token))
        except Exception as exc:
            log.warning("speaking failed: %s", exc)
            self._to_flow("speaking_done", token)

    def stop_speaking(self) -> None:
        player = self.player
        if player is not None:
            self._speak.submit(player.stop)

    # -------------------------------------------------------------- printing
    def print_checklist(self, procedure, office, token: int) -> None:
        self._print.submit(self._print_once, procedure, office, token, "print_done")

    def test_print(self, procedure, office, on_done: Callable[[bool, str], None]) -> None:
        """Staff "In thử": the same path, reported to ``on_done(ok, message)`` on the UI thread."""
        def run() -> None:
            ok, message, _ = self._do_print(procedure, office)
            self.post(lambda: on_done(ok, message))

        self._print.submit(run)

    def _do_print(self, procedure, office) -> tuple[bool, str, bool]:
        try:
            from printing import PrintStatus, build_checklist, print_checklist

            checklist = build_checklist(procedure, office, dt.datetime.now())
            result = print_checklist(checklist, self.config.printer)
            configured = result.status is not PrintStatus.NOT_CONFIGURED
            if result.detail:
                log.info("print %s: %s (%s)", procedure.code, result.status, result.detail)
            if result.ok:
                self._set(printer=DeviceState(True, result.message))
            return result.ok, result.message, configured
        except ImportError:
            return False, "Kiosk chưa có chức năng in.", False
        except Exception:
            log.exception("printing failed")
            return False, "Chưa in được phiếu. Xin mời ông/bà hỏi cán bộ tại quầy hướng dẫn.", True

    def _print_once(self, procedure, office, token: int, event: str) -> None:
        ok, message, configured = self._do_print(procedure, office)
        self._to_flow(event, ok, message, token, configured=configured)

    def checklist_speech(self, procedure, office) -> str | None:
        """The checklist as sentences (printing's wording), None when unavailable."""
        try:
            from printing import build_checklist, checklist_speech_text

            return checklist_speech_text(build_checklist(procedure, office, dt.datetime.now()))
        except Exception as exc:
            log.warning("checklist speech unavailable: %s", exc)
            return None

    # ---------------------------------------------------------------- close
    def close(self) -> None:
        self.cancel_listening()
        player = self.player
        if player is not None:
            try:
                player.stop()
            except Exception:
                pass
        for pool in (self._listen, self._speak, self._print):
            pool.shutdown(wait=False, cancel_futures=True)
