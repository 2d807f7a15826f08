"""Does biasing Whisper toward the procedure vocabulary help? Compares recognition of
espeak-ng Vietnamese questions with no bias, with faster-whisper ``hotwords``, and with
an ``initial_prompt``.

    python bench/asr_hotwords.py [--vocabulary FILE] [--wpm 115]

``--vocabulary``: one phrase per line (procedure titles/aliases, most common first);
default: a built-in list of common ward procedures. Reports per mode: mean syllable
similarity to the question, how often the transcript is closest to the right question
among all questions, how many of the question's domain keywords were heard, and
latency. Prints numbers; asserts nothing — the lead picks the default.
"""
from __future__ import annotations

import argparse
import difflib
import re
import statistics
import sys
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from kiosk.config import load_config  # noqa: E402
from speech.asr import SAMPLE_RATE, build_hotwords, resample  # noqa: E402

VOCABULARY = [
    "căn cước công dân", "khai sinh", "khai tử", "kết hôn", "tình trạng hôn nhân",
    "thường trú", "tạm trú", "chứng thực bản sao", "chứng thực chữ ký", "hộ kinh doanh",
    "giấy phép xây dựng", "ủy ban nhân dân", "lệ phí", "hồ sơ", "giám hộ", "nhận cha mẹ con",
    "trích lục", "bảo hiểm y tế", "hộ nghèo", "đất đai",
]
# (question, the domain keywords it contains)
QUESTIONS = [
    ("Tôi muốn làm căn cước công dân", ["căn cước công dân"]),
    ("Đăng ký khai sinh cho con cần giấy tờ gì", ["khai sinh"]),
    ("Thủ tục đăng ký kết hôn như thế nào", ["kết hôn"]),
    ("Xin giấy xác nhận tình trạng hôn nhân", ["tình trạng hôn nhân"]),
    ("Đăng ký thường trú ở đâu", ["thường trú"]),
    ("Chứng thực bản sao hết bao nhiêu tiền", ["chứng thực bản sao"]),
    ("Làm sao để đăng ký khai tử", ["khai tử"]),
    ("Tôi muốn đăng ký tạm trú", ["tạm trú"]),
    ("Cấp lại giấy khai sinh", ["khai sinh"]),
    ("Chứng thực chữ ký", ["chứng thực chữ ký"]),
    ("Đăng ký hộ kinh doanh", ["hộ kinh doanh"]),
    ("Xin cấp giấy phép xây dựng", ["giấy phép xây dựng"]),
    ("Lệ phí là bao nhiêu", ["lệ phí"]),
    ("Nộp hồ sơ ở đâu", ["hồ sơ"]),
    ("Trích lục khai tử cho bố", ["trích lục", "khai tử"]),
    ("Đăng ký giám hộ cho cháu", ["giám hộ"]),
]


def fold(text: str) -> list[str]:
    return re.sub(r"[^\w\s]", " ", unicodedata.normalize("NFC", text).lower()).split()


def similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, fold(a), fold(b)).ratio()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vocabulary", type=Path, help="file with one phrase per line (default: built-in list)")
    parser.add_argument("--wpm", type=int, default=115, help="espeak-ng speaking rate (default: 115)")
    parser.add_argument("--temperatures", default="0", help="decoding temperatures, comma-separated (default: 0 = the transcriber's)")
    parser.add_argument("--beam", type=int, help="beam size (default: asr.beam_size from the config)")
    parser.add_argument("--modes", default="none,hotwords,initial_prompt", help="which biasing modes to run (default: all three)")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every transcript")
    args = parser.parse_args()

    from speech.asr_whisper import WhisperTranscriber
    from speech.models import resolve_asr_model
    from speech.tts_espeak import BASE_WPM, EspeakSynthesizer

    vocab = VOCABULARY
    if args.vocabulary:
        vocab = [line.strip() for line in args.vocabulary.read_text(encoding="utf-8").splitlines() if line.strip()]
    hotwords = build_hotwords(vocab)
    config = load_config()
    model_dir = resolve_asr_model(config.asr, config.paths)
    modes = {
        "none": WhisperTranscriber(model_dir, config.asr),
        "hotwords": WhisperTranscriber(model_dir, config.asr, hotwords=hotwords),
        "initial_prompt": WhisperTranscriber(model_dir, config.asr, initial_prompt=hotwords),
    }
    modes = {k: v for k, v in modes.items() if k in args.modes.split(",")}
    temps = tuple(float(x) for x in args.temperatures.split(","))
    for t in modes.values():
        t.temperatures = temps
        t.beam_size = args.beam or t.beam_size
    next(iter(modes.values())).warm()
    synth = EspeakSynthesizer("vi", rate=args.wpm / BASE_WPM)
    pad = np.zeros(SAMPLE_RATE // 2, np.float32)
    clips = []
    for q, _ in QUESTIONS:
        audio = np.concatenate([resample(a.astype(np.float32) / 32768.0, r, SAMPLE_RATE) for a, r in synth.synthesize(q)])
        clips.append(np.concatenate([pad, audio, pad]))

    print(f"model {model_dir.name}, beam {args.beam or config.asr.beam_size}, temperatures {temps}; "
          f"{len(QUESTIONS)} espeak-ng questions at {args.wpm} wpm")
    print(f"hotwords ({len(hotwords or '')} chars): {hotwords}")
    print(f"{'mode':<15} {'similarity':>10} {'closest':>8} {'keywords':>9} {'latency':>8} {'empty':>6}")
    questions = [q for q, _ in QUESTIONS]
    for name, t in modes.items():
        sims, right, hits, total_kw, times, empty = [], 0, 0, 0, [], 0
        for (q, keywords), audio in zip(QUESTIONS, clips):
            out = t.transcribe(audio)
            sims.append(similarity(out.text, q))
            right += max(questions, key=lambda c: similarity(out.text, c)) == q
            folded = " ".join(fold(out.text))
            hits += sum(kw in folded for kw in keywords)
            total_kw += len(keywords)
            times.append(out.elapsed)
            empty += not out.text
            if args.verbose:
                print(f"   {name:<14} {q!r} → {out.text!r}")
        print(f"{name:<15} {statistics.mean(sims):>10.2f} {right:>5}/{len(QUESTIONS)} {hits:>5}/{total_kw:<3} "
              f"{statistics.median(times):>7.2f}s {empty:>6}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
