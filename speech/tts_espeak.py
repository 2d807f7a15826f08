"""espeak-ng backend: ``espeak-ng -v vi --stdout`` in a subprocess (robotic but always
available; the fallback when no Vietnamese piper voice is installed)."""
from __future__ import annotations

import io
import logging
import subprocess
import wave

import numpy as np

from speech.errors import SynthesisError
from speech.models import espeak_path
from speech.tts import Synthesizer

_LOGGER = logging.getLogger(__name__)

BASE_WPM = 165
"""espeak-ng words per minute at rate 1.0 (espeak's own default is 175)."""


class EspeakSynthesizer(Synthesizer):
    name = "espeak-ng"
    sample_rate = 22050

    def __init__(self, voice: str = "vi", *, rate: float = 1.0, timeout_s: float = 30.0) -> None:
        super().__init__(rate)
        exe = espeak_path()
        if exe is None:
            raise SynthesisError("espeak-ng chưa được cài / is not installed (apt-get install espeak-ng)")
        self._exe = exe
        self.voice = voice
        self.vietnamese = voice.lower().startswith("vi")
        self.timeout_s = timeout_s

    def _synthesize_sentence(self, sentence: str) -> np.ndarray:
        # Text on stdin: a sentence starting with "-" must not be read as an option.
        cmd = [self._exe, "-v", self.voice, "-s", str(int(round(BASE_WPM * self.rate))), "-b", "1", "--stdout", "--stdin"]
        try:
            proc = subprocess.run(
                cmd, input=sentence.encode("utf-8"), capture_output=True, timeout=self.timeout_s, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise SynthesisError(f"espeak-ng lỗi / failed: {exc}") from None
        if proc.returncode != 0:
            msg = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            raise SynthesisError(f"espeak-ng lỗi / failed ({proc.returncode}): {msg[-1] if msg else ''}")
        try:
            with wave.open(io.BytesIO(proc.stdout)) as w:
                self.sample_rate = w.getframerate()
                # espeak streams: the header's length is a placeholder, read to EOF.
                data = w.readframes(2**31 - 1)
        except (wave.Error, EOFError) as exc:
            raise SynthesisError(f"espeak-ng trả về dữ liệu hỏng / returned bad audio: {exc}") from None
        return np.frombuffer(data[: len(data) // 2 * 2], dtype="<i2").astype(np.int16)
