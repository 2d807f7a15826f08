"""Playback through sounddevice, sentence by sentence, stoppable at once.

``Player.play(synth.synthesize(text))`` starts a background thread that pulls
sentences from the (lazy) synthesiser while earlier ones are already playing;
``stop()`` silences the output within one audio block (~20 ms) and abandons the rest;
it never blocks the caller (the UI thread).
"""
from __future__ import annotations

import collections
import logging
import threading
import time
from typing import Any, Callable, Iterable, Iterator

import numpy as np

from speech.asr import resample
from speech.audio import _sounddevice, find_device
from speech.errors import AudioDeviceError, SpeechError
from speech.settings import AudioConfig

_LOGGER = logging.getLogger(__name__)

Chunks = Iterable[tuple[np.ndarray, int]]


class _Playback:
    """The state of one utterance (so a new play() never shares flags with the old one)."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self.done = threading.Event()
        self.error: BaseException | None = None
        self.thread: threading.Thread | None = None


class Player:
    """Plays synthesised speech on the configured output device.

    One utterance at a time: a new ``play()`` silences the current one first.
    Nothing here blocks the caller unless asked to (``block=True``, ``wait()``).
    """

    def __init__(self, audio_cfg: AudioConfig, *, volume: float = 1.0) -> None:
        self.cfg = audio_cfg
        self.volume = volume
        self._device = find_device(audio_cfg.output_device, "output")
        self._current: _Playback | None = None
        self.first_audio_at: float | None = None
        """``time.monotonic()`` when the first sample of the last utterance was handed
        to the device (for the end-of-speech → first-audio latency benchmark)."""

    @property
    def volume(self) -> float:
        """Playback gain, 0 … 2 (1 = as synthesised)."""
        return self._volume

    @volume.setter
    def volume(self, value: float) -> None:
        """0 … 2 (1 = as synthesised); applies from the next sentence on."""
        self._volume = float(min(2.0, max(0.0, value)))

    @property
    def is_playing(self) -> bool:
        """Something started by ``play()`` is still sounding (or being synthesised)."""
        cur = self._current
        return cur is not None and not cur.done.is_set()

    def play(self, chunks: Chunks, *, block: bool = False, on_done: Callable[[], None] | None = None) -> None:
        """Play ``(int16|float32 samples, sample_rate)`` chunks in order, pulling the next
        chunk (e.g. synthesising the next sentence) while the previous one plays.

        ``block=False`` returns at once (follow it with ``wait()``, ``is_playing`` or
        ``on_done``, which runs on the player thread); ``block=True`` returns when
        playback ended and re-raises its error.
        """
        self.stop()
        pb = _Playback()
        self._current = pb
        self.first_audio_at = None
        pb.thread = threading.Thread(target=self._run, args=(pb, chunks, on_done), name="speech-player", daemon=True)
        pb.thread.start()
        if block:
            self.wait()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the end of playback; re-raises a playback error. False on timeout."""
        pb = self._current
        if pb is None:
            return True
        if not pb.done.wait(timeout):
            return False
        if pb.error is not None:
            err, pb.error = pb.error, None
            raise err
        return True

    def stop(self) -> None:
        """Silence the current utterance at once (within one 20 ms audio block).
        Safe from any thread and when nothing plays; does not wait for the player
        thread, which ends after the sentence it may be synthesising."""
        pb = self._current
        if pb is not None:
            pb.stop.set()

    def _run(self, pb: _Playback, chunks: Chunks, on_done: Callable[[], None] | None) -> None:
        try:
            self._play(pb, chunks)
        except SpeechError as exc:
            pb.error = exc
        except Exception as exc:  # PortAudio errors
            _LOGGER.exception("playback failed")
            pb.error = AudioDeviceError(f"không phát được âm thanh / playback failed: {exc}")
        finally:
            pb.done.set()
            if on_done is not None:
                try:
                    on_done()
                except Exception:
                    _LOGGER.exception("on_done callback failed")

    def _play(self, pb: _Playback, chunks: Chunks) -> None:
        sd = _sounddevice()
        queue: collections.deque[np.ndarray] = collections.deque()
        lock = threading.Lock()
        state = {"offset": 0, "producer_done": False}
        finished = threading.Event()
        iterator = iter(chunks)
        first = _next(pb, iterator)
        if first is None:
            return
        audio, rate = first

        def callback(outdata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
            if pb.stop.is_set():
                outdata.fill(0)
                raise sd.CallbackAbort
            filled = 0
            with lock:
                while filled < frames and queue:
                    head = queue[0]
                    off = state["offset"]
                    n = min(frames - filled, head.size - off)
                    outdata[filled : filled + n, 0] = head[off : off + n]
                    filled += n
                    if off + n >= head.size:
                        queue.popleft()
                        state["offset"] = 0
                    else:
                        state["offset"] = off + n
                done = state["producer_done"] and not queue
            if filled and self.first_audio_at is None and self._current is pb:
                self.first_audio_at = time.monotonic()
            if filled < frames:
                outdata[filled:, 0] = 0  # underrun while the next sentence is synthesised
            if done:
                raise sd.CallbackStop

        def push(samples: np.ndarray, sr: int) -> None:
            a = samples.astype(np.float32) / 32768.0 if samples.dtype.kind == "i" else samples.astype(np.float32)
            if sr != rate:
                a = resample(a, sr, rate)
            if self.volume != 1.0:
                a = np.clip(a * self.volume, -1.0, 1.0)
            with lock:
                queue.append(a.reshape(-1))

        push(audio, rate)
        try:
            stream = sd.OutputStream(
                samplerate=rate,
                channels=1,
                dtype="float32",
                blocksize=max(64, int(rate * 0.02)),
                device=self._device,
                callback=callback,
                finished_callback=finished.set,
            )
        except Exception as exc:
            raise AudioDeviceError(f"không mở được loa / cannot open speaker: {exc}") from None
        with stream:
            while not pb.stop.is_set():
                nxt = _next(pb, iterator)
                if nxt is None:
                    break
                push(*nxt)
            with lock:
                state["producer_done"] = True
            while not finished.wait(0.05):
                if pb.stop.is_set() or not stream.active:
                    break
            if pb.stop.is_set():
                stream.abort()
            else:
                # The callback has handed over the last block: let the device play it.
                time.sleep(min(0.3, stream.latency or 0.0))

    def __enter__(self) -> "Player":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _next(pb: _Playback, iterator: Iterator[tuple[np.ndarray, int]]) -> tuple[np.ndarray, int] | None:
    if pb.stop.is_set():
        return None
    try:
        return next(iterator)
    except StopIteration:
        return None
