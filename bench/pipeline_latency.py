"""End of speech → first audio sample of the spoken answer, through the whole pipeline.

For spoken questions (espeak-ng Vietnamese, 16 kHz), measures after the last sample of
speech: transcription (Whisper, as configured), matching and answer composition, and
synthesis of the first sentence of the spoken answer (the player starts on it). The
endpoint detector's trailing-silence wait (audio.end_silence_s) is added as configured:
the microphone cannot know the citizen stopped before that silence has passed.

    .venv/bin/python bench/pipeline_latency.py [--runs 3]
Prints numbers; asserts nothing.
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kiosk.config import load_config  # noqa: E402
from kiosk.services import load_knowledge  # noqa: E402
from speech import load_audio, load_synthesizer, load_transcriber  # noqa: E402

QUESTIONS = [
    "làm giấy khai sinh cho con cần gì",
    "đăng ký kết hôn cần giấy tờ gì",
    "sao y bản chính ở đâu",
    "đăng ký tạm trú cho người thuê trọ",
    "xin giấy xác nhận tình trạng hôn nhân",
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    config = load_config()
    kb, _ = load_knowledge(config)
    t0 = time.perf_counter()
    transcriber = load_transcriber(config)
    transcriber.warm()
    synth = load_synthesizer(config.tts)
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs; model load+warm {time.perf_counter() - t0:.1f} s; "
          f"tts {synth.name} ({synth.voice}); endpoint silence {config.audio.end_silence_s} s")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, q in enumerate(QUESTIONS):
            wav = Path(tmp) / f"q{i}.wav"
            subprocess.run(["espeak-ng", "-v", "vi", "-s", "150", "-w", str(wav), q], check=True)
            audio = load_audio(wav)
            for _ in range(args.runs):
                start = time.perf_counter()
                text = transcriber.transcribe(audio).text
                t_asr = time.perf_counter()
                result = kb.ask(text)
                spoken = result.answer.spoken if result.answer else "Có phải ông bà muốn hỏi"
                t_match = time.perf_counter()
                next(iter(synth.synthesize(spoken)))
                t_first = time.perf_counter()
                rows.append((t_asr - start, t_match - t_asr, t_first - t_match, t_first - start))
            print(f"  {q!r:45} → {text!r} ({result.decision.value})")
    asr, match, tts, total = (statistics.median(c) for c in zip(*rows))
    print(f"median over {len(rows)}: ASR {asr:.2f} s, match {1000 * match:.1f} ms, first sentence TTS {tts:.2f} s; "
          f"after audio end {total:.2f} s; + endpoint wait = first spoken sample {total + config.audio.end_silence_s:.2f} s "
          f"after the citizen stops (target 1.2 s)")


if __name__ == "__main__":
    main()
