"""Speech for the kiosk: hear Vietnamese (microphone → VAD → faster-whisper) and speak
answers (piper, espeak-ng fallback). Offline; audio is never kept unless configured.

Heavy libraries (faster-whisper, piper, onnxruntime, sounddevice) are imported only
when an engine is actually loaded.
"""
import os

# onnxruntime (Silero VAD, piper) otherwise writes a telemetry store and a device id under
# ~/.cache and $TMPDIR on every run; the kiosk writes nothing outside its data dir.
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")

from speech.asr import Segment, Transcriber, Transcript, build_hotwords, load_audio, load_transcriber
from speech.audio import Recorder, Recording, ReplayRecorder, list_devices, refresh_devices
from speech.errors import AudioDeviceError, InvalidAudio, ModelNotFound, SpeechError, SynthesisError
from speech.listen import Heard, Listener
from speech.models import find_piper_voice, prepare_whisper_base, resolve_asr_model
from speech.player import Player
from speech.text_for_speech import normalize_for_speech
from speech.tts import Synthesizer, choose_engine, load_synthesizer
from speech.vad import Endpoint

__all__ = [
    # recognition
    "Transcriber",
    "Transcript",
    "Segment",
    "load_transcriber",
    "build_hotwords",
    "load_audio",
    # microphone
    "Recorder",
    "ReplayRecorder",
    "Recording",
    "Listener",
    "Heard",
    "Endpoint",
    "list_devices",
    "refresh_devices",
    # speaking
    "Synthesizer",
    "load_synthesizer",
    "choose_engine",
    "Player",
    "normalize_for_speech",
    # models
    "prepare_whisper_base",
    "resolve_asr_model",
    "find_piper_voice",
    # errors
    "SpeechError",
    "ModelNotFound",
    "AudioDeviceError",
    "InvalidAudio",
    "SynthesisError",
]
