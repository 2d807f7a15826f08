"""Speech for the kiosk: hear Vietnamese (microphone → VAD → faster-whisper) and speak
answers (piper, espeak-ng fallback). Offline; audio is never kept unless configured.

Heavy libraries (faster-whisper, piper, onnxruntime, sounddevice) are imported only
when an engine is actually loaded; the names below are imported on first use (PEP 562),
so reading speech.settings (kiosk/config.py does, for every command) stays cheap.
"""
from __future__ import annotations

import importlib
import os
from typing import Any

# onnxruntime (Silero VAD, piper) otherwise writes a telemetry store and a device id under
# ~/.cache and $TMPDIR on every run; the kiosk writes nothing outside its data dir.
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")

_WHERE = {
    # recognition
    **dict.fromkeys(("Segment", "Transcriber", "Transcript", "build_hotwords", "load_audio", "load_transcriber"),
                    "speech.asr"),
    # microphone
    **dict.fromkeys(("Recorder", "Recording", "ReplayRecorder", "list_devices", "refresh_devices"), "speech.audio"),
    "Heard": "speech.listen", "Listener": "speech.listen",
    "Endpoint": "speech.vad",
    # speaking
    **dict.fromkeys(("Synthesizer", "choose_engine", "load_synthesizer"), "speech.tts"),
    "Player": "speech.player",
    "normalize_for_speech": "speech.text_for_speech",
    # models
    **dict.fromkeys(("find_piper_voice", "prepare_whisper_base", "resolve_asr_model"), "speech.models"),
    # errors
    **dict.fromkeys(("AudioDeviceError", "InvalidAudio", "ModelNotFound", "SpeechError", "SynthesisError"),
                    "speech.errors"),
    # settings
    **dict.fromkeys(("AsrConfig", "AudioConfig", "TtsConfig"), "speech.settings"),
}
__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        try:  # a submodule, as `import speech` used to load them all
            return importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_WHERE[name]), name)
    globals()[name] = value
    return value
