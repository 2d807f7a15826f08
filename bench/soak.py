"""Soak: 10,000 asks in one process, as a kiosk serves a long day — does memory grow,
does latency drift?

Each ask is what the app does for a citizen: (audio only) transcribe a WAV with the
real Whisper transcriber → match (KnowledgeBase.ask) → write the question log (SQLite,
WAL) in a fresh data dir. Text questions cycle through tests/data/questions/; every
``--audio-every``-th ask is one of a few short espeak-ng questions (made once, reused).

Reports RSS after warm-up (models loaded, each WAV heard twice, 200 text asks) and at the end (target: growth
< 5 %), RSS every 1,000 asks, and latency of the first vs the last 1,000 asks.
Prints numbers; asserts nothing. ~10 min on 2 cores with the defaults.

Usage: .venv/bin/python bench/soak.py [--asks 10000] [--audio-every 100] [--json FILE]
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")  # as kiosk.service runs it

from kiosk.config import Config, PathsConfig  # noqa: E402
from kiosk.services import load_knowledge  # noqa: E402
from knowledge.evaluate import load_questions  # noqa: E402
from knowledge.qlog import Channel, log_question  # noqa: E402

AUDIO_QUESTIONS = ["đăng ký kết hôn cần giấy tờ gì", "làm giấy khai sinh cho con",
                   "sao y bản chính ở đâu", "đăng ký tạm trú cho người thuê trọ"]


def rss_mib() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


def make_wavs(folder: Path) -> list[Path]:
    if shutil.which("espeak-ng") is None:
        return []
    out = []
    for i, text in enumerate(AUDIO_QUESTIONS):
        wav = folder / f"q{i}.wav"
        subprocess.run(["espeak-ng", "-v", "vi", "-s", "140", "-w", str(wav), text], check=True)
        out.append(wav)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--asks", type=int, default=10_000, help="number of asks (default: 10000)")
    ap.add_argument("--audio-every", type=int, default=100, help="every Nth ask is spoken; 0 = none (default: 100)")
    ap.add_argument("--window", type=int, default=1000, help="asks in the first/last latency window (default: 1000)")
    ap.add_argument("--json", metavar="FILE", help="also write the numbers as JSON")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="kiosk-soak-") as tmp_name:
        tmp = Path(tmp_name)
        config = Config(paths=PathsConfig(data_dir=tmp / "data"))
        rss_boot = rss_mib()
        kb, db = load_knowledge(config)
        questions = [q.question for q in load_questions(ROOT / "tests" / "data" / "questions")]
        wavs = make_wavs(tmp) if args.audio_every else []
        transcriber = None
        if wavs:
            from speech import load_transcriber

            transcriber = load_transcriber(config, vocabulary=kb.vocabulary())
            transcriber.warm()

        def ask(i: int) -> tuple[str, float]:
            started = time.perf_counter()
            if transcriber is not None and args.audio_every and i % args.audio_every == args.audio_every - 1:
                kind = "audio"
                text = transcriber.transcribe(wavs[(i // args.audio_every) % len(wavs)]).text
            else:
                kind = "text"
                text = questions[i % len(questions)]
            result = kb.ask(text, transcript=text if kind == "audio" else None)
            channel = Channel.VOICE if kind == "audio" else Channel.SEARCH
            log_question(db, text, result.decision, result.matches, channel=channel, content_version=kb.version)
            return kind, time.perf_counter() - started

        # Warm-up: caches, allocator, every WAV decoded twice, 200 text asks.
        if transcriber is not None:
            for wav in wavs * 2:
                transcriber.transcribe(wav)
        for i in range(200):
            kb.ask(questions[i % len(questions)])
        gc.collect()
        rss_start = rss_mib()
        t0 = time.monotonic()
        lat: list[tuple[str, float]] = []
        trajectory = [(0, round(rss_start, 1))]
        for i in range(args.asks):
            lat.append(ask(i))
            if (i + 1) % 1000 == 0:
                trajectory.append((i + 1, round(rss_mib(), 1)))
                print(f"  {i + 1:>6} asks  RSS {trajectory[-1][1]:7.1f} MiB  {time.monotonic() - t0:6.0f} s",
                      file=sys.stderr, flush=True)
        gc.collect()
        rss_end = rss_mib()
        wall = time.monotonic() - t0
        rows = db.execute("SELECT count(*) FROM question_log").fetchone()[0]
        db_size = sum(p.stat().st_size for p in (tmp / "data").glob("kiosk.db*"))

    w = min(args.window, len(lat) // 2)

    def window(part: list[tuple[str, float]], kind: str) -> dict:
        v = [t * 1000 for k, t in part if k == kind]
        return {"n": len(v), "median_ms": round(statistics.median(v), 2) if v else None,
                "p95_ms": round(pct(v, 0.95), 2) if v else None}

    first, last = lat[:w], lat[-w:]
    audio_all = [t for k, t in lat if k == "audio"]
    fifth = max(1, len(audio_all) // 5)
    report = {
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "asks": len(lat), "audio_asks": len(audio_all), "wall_s": round(wall, 1),
        "rss_mib": {"boot": round(rss_boot, 1), "after_warmup": round(rss_start, 1), "end": round(rss_end, 1),
                    "growth_pct": round(100 * (rss_end - rss_start) / rss_start, 2)},
        "rss_trajectory": trajectory,
        "text_latency": {"first": window(first, "text"), "last": window(last, "text")},
        "audio_latency_ms": {
            "first_fifth_median": round(statistics.median(audio_all[:fifth]) * 1000, 1) if audio_all else None,
            "last_fifth_median": round(statistics.median(audio_all[-fifth:]) * 1000, 1) if audio_all else None,
        },
        "question_log_rows": rows, "db_bytes": db_size,
    }
    ft, lt = report["text_latency"]["first"], report["text_latency"]["last"]
    print(f"soak: {report['asks']} asks ({report['audio_asks']} spoken) in {report['wall_s']} s — {report['machine']}")
    r = report["rss_mib"]
    print(f"RSS: boot {r['boot']} MiB, after warm-up {r['after_warmup']} MiB, end {r['end']} MiB "
          f"→ growth {r['growth_pct']} % (target < 5 %)")
    print("RSS every 1,000 asks:", ", ".join(f"{n}: {m}" for n, m in trajectory))
    print(f"text ask latency, first {w}: median {ft['median_ms']} ms, p95 {ft['p95_ms']} ms; "
          f"last {w}: median {lt['median_ms']} ms, p95 {lt['p95_ms']} ms")
    a = report["audio_latency_ms"]
    if audio_all:
        print(f"spoken ask latency (transcribe + match + log), median of first/last fifth: "
              f"{a['first_fifth_median']} / {a['last_fifth_median']} ms")
    print(f"question log: {rows} rows, database {db_size / 1e6:.1f} MB")
    if args.json:
        Path(args.json).write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
