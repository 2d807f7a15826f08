"""The speech package's settings: recognition (AsrConfig), the microphone (AudioConfig)
and the voice (TtsConfig). kiosk/config.py reads them from kiosk.toml, ``KIOSK_ASR_*``,
``KIOSK_AUDIO_*``, ``KIOSK_TTS_*`` and the command line; speech reads its defaults here
(speech.asr's guard thresholds, speech.vad's endpoint) so each is written once.

Imports nothing heavy: the kiosk reads its configuration before any model is loaded.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def default_voices_dir() -> Path:
    """Where piper voices are looked for by default: the user's data folder of the kiosk."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "ward-kiosk" / "voices"


@dataclass(frozen=True)
class AsrConfig:
    model_dir: Path | None = None
    """A CTranslate2 Whisper directory; None = the packaged Whisper base."""
    compute_type: str = "int8"
    cpu_threads: int = 2
    beam_size: int = 5
    window_s: float = 10.0
    """Shortest encoder window in seconds (Whisper's own is 30). A short question is
    encoded in this window instead of 30 s: ~2× faster on 2 cores for a small loss on
    the espeak-ng set (bench/asr_window.py; 5 s lost clearly). 30 = standard Whisper."""
    language: str = "vi"
    use_hotwords: bool = False
    """Bias decoding toward procedure vocabulary. Off: on the espeak-generated question
    set it recognised more keywords but picked the right question less often
    (bench/asr_hotwords.py); re-measure on real recordings before turning it on."""
    no_speech_threshold: float = 0.6
    log_prob_threshold: float = -1.0
    compression_ratio_threshold: float = 2.4
    split_pause_s: float = 0.8
    """Decode the speech on each side of a silence at least this long separately and join
    the texts; 0 = one decoding. Whisper base given one question with a pause inside
    (a held, unfinished question) often stops after the first part: two real clips
    joined by 0.8 s (bench/asr_pauses.py, 30 pairs) lost the second part in 20 of 30
    decoded whole and in 9 of 30 decoded part by part, with the first part unchanged;
    single clips (a pause that short never ends a question) are rarely split."""
    normalise_gain: bool = True
    """Bring a quiet or far voice up to a normal level before Whisper (speech.level). On
    all 100 real clips through the listening path (bench/asr_noise.py --every 1, 2026-12-05)
    it keeps a voice 20–30 dB down from coming back empty (20 dB: 4 → 0 of 100 empty, WER
    70.1 → 67.7 %; 30 dB: 9 → 2, 73.5 → 72.8 %), changes nothing at the clips' own level
    (64.6 → 64.9 %) and in 10 dB babble costs three more empty recordings (9 → 12, WER
    83.7 % either way). Off until then: on 25 of the clips it had measured no change."""
    fit_choices: bool = False
    """Order a spoken question's clarify choices by how well each fits the audio under
    Whisper's decoder (kiosk.sound_fit): right one among four +0.5 to +1.5 points on spoken
    blind sets (bench/spoken_align.py), for ~0.25 s more end of speech → first audio on
    2 cores (1.35 → 1.58 s median) — off there, where the bound is 1.2 s; on for a kiosk
    with more cores."""


@dataclass(frozen=True)
class AudioConfig:
    input_device: str | None = None
    """Microphone name (substring) as sounddevice lists it; None = system default."""
    output_device: str | None = None
    sample_rate: int = 16000
    end_silence_s: float = 0.6
    max_utterance_s: float = 15.0
    min_speech_s: float = 0.3
    pause_transcribe_s: float = 0.2
    """Start transcribing after this much silence, before end of speech is certain
    (end_silence_s), and keep the result if the citizen does not speak again; 0 = wait
    for end of speech."""
    floor_margin_db: float = 8.0
    """End of speech in a talking crowd: inside an utterance a window is the citizen's
    speech only when it is also this much above the background level (speech.vad.
    EndpointConfig); 0 = the VAD alone. Real clips in 10 dB babble (bench/endpoint.py,
    2026-12-02): with the VAD alone 22 of 25 never ended within 3 s of the voice; at
    8 dB with floor_end_s 1.0 all ended (0.94 s median), 5 lost part of the voice;
    a quiet room is unchanged (0.60 s)."""
    floor_end_s: float = 1.0
    """With the level gate: this long without speech louder than the background ends
    the utterance. 10 dB babble, 25 clips: at 8 dB, 0.8 s cut 6 and 1.0 s cut 5,
    none left open; at 6 dB, 1.0 s left 4 open and 1.4 s 11."""
    vad_gain_max_db: float = 0.0
    """Gain (at most this much) on what the VAD hears, so a voice far from the
    microphone is followed to its end (speech.audio.Utterance); 0 = off."""
    unfinished_hold_s: float = 1.0
    """When the early transcript ends where a question cannot (speech.turn: "cho tôi
    hỏi …", "… của"), wait this much longer than end_silence_s for the citizen to go
    on, so pauses up to 1.6 s stay inside one question; 0 = never. Needs
    pause_transcribe_s > 0. It never fired on a finished real sentence (0 of 23,
    bench/asr_pauses.py); Whisper base often completes a real unfinished one ("…
    thành quả của" → "… của mình"), and then it cannot fire either."""
    keep_audio: bool = False
    """Staff diagnostic mode only: keep recordings (deleted after keep_audio_days)."""
    keep_audio_days: int = 1


@dataclass(frozen=True)
class TtsConfig:
    engine: str = "auto"
    """auto | piper | espeak. auto = piper when a Vietnamese voice is installed."""
    piper_voice: str = "vi_VN-vais1000-medium"
    """A voice name (looked up in voices_dir) or a path to an .onnx file."""
    voices_dir: Path = field(default_factory=default_voices_dir)
    espeak_voice: str = "vi"
    rate: float = 1.0
    """Speaking rate; < 1 is slower (elderly mode uses 0.8)."""
    volume: float = 1.0
