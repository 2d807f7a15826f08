"""Hear one question: record it and transcribe it, starting the transcription at the
first pause instead of after end of speech is certain.

End of speech is only certain after ``audio.end_silence_s`` (0.6 s) of silence; on 2
cores Whisper needs about half a second for a short question. Starting it when a pause
begins (``audio.pause_transcribe_s``, 0.2 s) means the text is ready about when the
silence has lasted long enough. If the citizen speaks again, that early result is
dropped and the whole utterance is transcribed once it really ends.
"""
from __future__ import annotations

import concurrent.futures
import logging
import threading
import time
from dataclasses import dataclass
from typing import Callable

from speech.asr import Transcriber, Transcript
from speech.audio import Recorder, Recording
from speech.turn import sounds_unfinished

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class Heard:
    """The result of :meth:`Listener.listen`: the recording and what was understood."""

    recording: Recording
    transcript: Transcript | None
    """None when nothing was heard (or listening was cancelled)."""
    early: bool = False
    """The transcript is the one started at the pause (for logs and benchmarks)."""
    text_ready_at: float | None = None
    """``time.monotonic()`` when the transcript was available."""


class Listener:
    """Recorder + transcriber with early transcription. One ``listen()`` at a time."""

    JUDGE_WAIT_S = 1.5
    """At end of speech, wait at most this long for the early transcript to judge
    whether the citizen has finished (it is needed right after anyway)."""

    def __init__(
        self, recorder: Recorder, transcriber: Transcriber, *, pause_s: float | None = None, hold_s: float | None = None
    ) -> None:
        self.recorder = recorder
        self.transcriber = transcriber
        self.pause_s = pause_s
        """None = the recorder's ``audio.pause_transcribe_s``; 0 = no early transcription."""
        cfg = getattr(recorder, "cfg", None)
        self.hold_s = float(getattr(cfg, "unfinished_hold_s", 0.0) if hold_s is None else hold_s)
        """Extra wait when the speech so far sounds unfinished (speech.turn); 0 = never.
        Needs early transcription."""
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="early-asr")
        self._lock = threading.Lock()

    def cancel(self) -> None:
        """From any thread: stop the running ``listen()`` (it returns with no transcript)."""
        self.recorder.cancel()

    def listen(self, *, max_wait_s: float | None = 10.0, on_recorded: Callable[[Recording], None] | None = None) -> Heard:
        """Record until end of speech, then return the recording and its transcript.
        ``on_recorded`` runs (on this thread) as soon as recording ended, before the
        transcript is ready — the UI shows "processing" then."""
        early: dict[tuple[int, int] | None, concurrent.futures.Future] = {}

        def on_pause(rec: Recording) -> None:
            with self._lock:
                for span, fut in list(early.items()):
                    if fut.cancel():  # still queued: a newer pause supersedes it
                        del early[span]
                early[rec.span] = self._pool.submit(self._transcribe, rec)

        def on_end(rec: Recording) -> float:
            with self._lock:
                fut = early.get(rec.span)
            if fut is None:
                return 0.0
            try:
                heard = fut.result(timeout=self.JUDGE_WAIT_S)
            except Exception:  # too slow or failed: end as usual (a failure is raised below)
                return 0.0
            if sounds_unfinished(heard.text):
                _LOGGER.info("speech so far sounds unfinished: waiting %.1f s more", self.hold_s)
                return self.hold_s
            return 0.0

        pause_s = self.pause_s
        kwargs = {"on_end": on_end} if self.hold_s > 0 else {}
        rec = self.recorder.record(max_wait_s=max_wait_s, on_pause=on_pause, pause_s=pause_s, **kwargs)
        if on_recorded is not None:
            on_recorded(rec)
        if not rec.heard:
            return Heard(rec, None)
        with self._lock:
            fut = early.pop(rec.span, None)
            for other in early.values():
                other.cancel()
        if fut is not None and not fut.cancelled():
            transcript = fut.result()  # re-raises the transcriber's error, as a direct call would
            ready = time.monotonic()
            _LOGGER.info("early transcription kept (%.2f s of ASR)", transcript.elapsed)
            return Heard(rec, transcript, early=True, text_ready_at=ready)
        transcript = self._transcribe(rec)
        return Heard(rec, transcript, text_ready_at=time.monotonic())

    def _transcribe(self, rec: Recording) -> Transcript:
        return self.transcriber.transcribe(rec.audio, sample_rate=rec.sample_rate)

    def close(self) -> None:
        """Drop pending early transcriptions and stop the worker thread."""
        self._pool.shutdown(wait=False, cancel_futures=True)
