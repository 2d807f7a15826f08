"""The whole speech error hierarchy. The CLI prints these as one line ``Lỗi: …``.

"Nothing was heard" is *not* an error: transcription returns an empty text.
"""
from __future__ import annotations


class SpeechError(Exception):
    """Base class: anything in ``speech`` that the user or staff must be told about."""


class ModelNotFound(SpeechError):
    """An ASR model or TTS voice is missing or broken; the message says where we looked
    and how to install one."""


class AudioDeviceError(SpeechError):
    """No usable microphone/speaker (the UI falls back to touch-only)."""


class InvalidAudio(SpeechError):
    """An audio file or array that cannot be decoded (corrupt, empty, not audio)."""


class SynthesisError(SpeechError):
    """Text-to-speech failed (engine missing or crashed)."""


class ModelInstallError(SpeechError):
    """Installing a recogniser failed (no Internet, conversion or verification failed);
    the message is one line and nothing was changed."""
