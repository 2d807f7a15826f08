"""piper-tts backend: a neural voice (``NAME.onnx`` + ``NAME.onnx.json``) on the CPU."""
from __future__ import annotations

import logging
import threading
import time

import numpy as np

from speech.errors import ModelNotFound, SynthesisError
from speech.models import PiperVoiceInfo
from speech.tts import Synthesizer

_LOGGER = logging.getLogger(__name__)


class PiperSynthesizer(Synthesizer):
    name = "piper"

    def __init__(self, voice: PiperVoiceInfo, *, rate: float = 1.0) -> None:
        super().__init__(rate)
        try:
            from piper import PiperVoice
        except ImportError as exc:
            raise SynthesisError(f"piper-tts chưa được cài / is not installed: {exc}") from None
        started = time.monotonic()
        try:
            self._voice = PiperVoice.load(voice.model_path, config_path=voice.config_path)
        except Exception as exc:  # onnxruntime / JSON errors on a broken voice
            raise ModelNotFound(f"không nạp được giọng piper / cannot load piper voice {voice.model_path}: {exc}") from None
        _LOGGER.info("loaded piper voice %s in %.2f s", voice.name, time.monotonic() - started)
        self.info = voice
        self.voice = voice.name
        self.sample_rate = int(self._voice.config.sample_rate)
        self.vietnamese = voice.is_vietnamese
        self._base_length_scale = float(self._voice.config.length_scale or 1.0)
        self._lock = threading.Lock()  # one onnxruntime session; serialise calls

    def _synthesize_sentence(self, sentence: str) -> np.ndarray:
        from piper import SynthesisConfig

        syn = SynthesisConfig(length_scale=self._base_length_scale / self.rate)
        try:
            with self._lock:
                chunks = [c.audio_int16_array for c in self._voice.synthesize(sentence, syn_config=syn)]
        except Exception as exc:
            raise SynthesisError(f"piper không đọc được / piper failed on {sentence[:40]!r}: {exc}") from None
        return np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int16)
