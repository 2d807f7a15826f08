"""TTS latency: time to the first sentence's audio (what the citizen waits for) and the
real-time factor of the whole answer, for espeak-ng and piper.

    python bench/tts_latency.py [--voice NAME|PATH] [--runs 5]

piper uses ``--voice`` (default: tts.piper_voice from the config, else the packaged
English joe voice — same network size as a Vietnamese "medium" voice).
Prints numbers; asserts nothing.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kiosk.config import TtsConfig, load_config  # noqa: E402
from speech.tts import load_synthesizer  # noqa: E402

ANSWER = (
    "Thủ tục đăng ký khai sinh. Hồ sơ gồm 01 tờ khai theo mẫu và giấy chứng sinh. "
    "Nộp tại bộ phận một cửa UBND phường, từ thứ 2 đến thứ 6, 7h30 đến 11h30. "
    "Lệ phí: miễn phí nếu đăng ký đúng hạn."
)

ANSWER_EN = (  # for an English test voice: same shape, so the timing is comparable
    "Birth registration. Bring one filled-in form and the birth certificate from the hospital. "
    "Submit it at the one stop counter of the ward office, Monday to Friday, from seven thirty to eleven thirty. "
    "There is no fee when you register on time."
)


def measure(synth, runs: int) -> tuple[float, float, float]:
    firsts, totals, audio_s = [], [], 0.0
    for _ in range(runs):
        started = time.monotonic()
        first = None
        audio_s = 0.0
        for audio, rate in synth.synthesize(ANSWER if synth.vietnamese else ANSWER_EN):
            if first is None:
                first = time.monotonic() - started
            audio_s += audio.size / rate
        totals.append(time.monotonic() - started)
        assert first is not None, "the synthesiser produced no audio"
        firsts.append(first)
    return statistics.median(firsts), statistics.median(totals), audio_s


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voice", help="piper voice name or .onnx path")
    parser.add_argument("--runs", type=int, default=5, help="runs per engine; medians reported (default: 5)")
    args = parser.parse_args()
    config = load_config()
    voice = args.voice
    if voice is None:
        from speech.models import find_piper_voice

        voice = config.tts.piper_voice if find_piper_voice(config.tts.piper_voice, config.tts.voices_dir) else "en_US-joe-medium"
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    print(f"{'engine':<28} {'first audio':>11} {'total':>7} {'audio':>7} {'RTF':>6}")
    for label, tts in (
        ("espeak-ng vi", TtsConfig(engine="espeak")),
        (f"piper {Path(voice).name}", TtsConfig(engine="piper", piper_voice=voice, voices_dir=config.tts.voices_dir)),
    ):
        started = time.monotonic()
        synth = load_synthesizer(tts)
        load_s = time.monotonic() - started
        first, total, audio_s = measure(synth, args.runs)
        print(f"{label:<28} {first:>10.3f}s {total:>6.2f}s {audio_s:>6.1f}s {total / audio_s:>6.2f}   (load {load_s:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
