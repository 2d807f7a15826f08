"""End of speech → first audio sample of the spoken answer, through the whole pipeline.

Spoken questions (espeak-ng Vietnamese, 16 kHz, with silence before and after) are
fed to the kiosk's own listening code block by block at the speed of speech
(``ReplayRecorder``, realtime): Silero VAD, end-of-speech detection after
``audio.end_silence_s``, early transcription at a pause (``audio.pause_transcribe_s``),
Whisper as configured, matching — with the second, biased hearing the app makes when the
first would not be answered outright (kiosk.hearing) —, the app's reply
(knowledge.replies: the answer, or "Có phải ông/bà hỏi về …?") and synthesis of its first
sentence. The clock starts when the block holding the last
non-silent sample of the question has been "spoken", i.e. when a microphone would
have delivered it; it stops when the first sentence's audio is ready to play.
``--play`` also plays it through the configured output device and stops the clock at
the first sample handed to the device.

    .venv/bin/python bench/pipeline_latency.py [--runs 2] [--pause 0.2] [--window 10] [--beam 5] [--fit-choices] [--play]
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

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from asr_options import add_asr_options, with_asr_options  # noqa: E402

from kiosk.config import load_config  # noqa: E402
from kiosk.hearing import ask_heard, hear  # noqa: E402
from kiosk.services import load_knowledge  # noqa: E402
from knowledge import replies  # noqa: E402
from speech import load_audio, load_synthesizer, load_transcriber  # noqa: E402
from speech.audio import ReplayRecorder  # noqa: E402
from speech.listen import Listener  # noqa: E402
from speech.vad import WINDOW  # noqa: E402

QUESTIONS = [
    "làm giấy khai sinh cho con cần gì",
    "đăng ký kết hôn cần giấy tờ gì",
    "sao y bản chính ở đâu",
    "đăng ký tạm trú cho người thuê trọ",
    "xin giấy xác nhận tình trạng hôn nhân",
    "tôi muốn đăng ký hộ kinh doanh",
    "làm sao để đăng ký khai tử cho bố",
    "chứng thực chữ ký hết bao nhiêu tiền",
]
LEAD_S, TRAIL_S = 0.5, 1.5
SILENT = 1e-3


def spoken_question(text: str, wpm: int, tmp: Path) -> tuple[np.ndarray, int]:
    """The question as 16 kHz audio with silence around it, and the index of its last
    non-silent sample."""
    wav = tmp / "q.wav"
    subprocess.run(["espeak-ng", "-v", "vi", "-s", str(wpm), "-w", str(wav), text], check=True)
    speech = load_audio(wav)
    audio = np.concatenate([np.zeros(int(LEAD_S * 16000), np.float32), speech, np.zeros(int(TRAIL_S * 16000), np.float32)])
    return audio, int(np.nonzero(np.abs(audio) > SILENT)[0][-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=2, help="runs per question (default 2)")
    ap.add_argument("--wpm", type=int, default=120, help="espeak-ng speaking rate (default 120)")
    ap.add_argument("--pause", type=float, help="audio.pause_transcribe_s (default: config); 0 = no early transcription")
    add_asr_options(ap)
    ap.add_argument("--fit-choices", action="store_true", help="asr.fit_choices on: clarify choices ordered by their fit to the audio")
    ap.add_argument("--play", action="store_true", help="play through the output device; time the first sample handed to it")
    args = ap.parse_args()
    config = with_asr_options(load_config(), args)
    asr = config.asr
    pause = config.audio.pause_transcribe_s if args.pause is None else args.pause
    kb, _ = load_knowledge(config)
    t0 = time.perf_counter()
    transcriber = load_transcriber(config)
    transcriber.warm()
    synth = load_synthesizer(config.tts)
    player = None
    if args.play:
        from speech import Player

        player = Player(config.audio)
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs; model load+warm {time.perf_counter() - t0:.1f} s; "
          f"asr beam {asr.beam_size}, window {asr.window_s:g} s; tts {synth.name} ({synth.voice}); "
          f"end silence {config.audio.end_silence_s} s; early transcription at {pause:g} s"
          f"{'; playing on ' + str(config.audio.output_device or 'default device') if player else ''}")
    rows = []
    seconds = 0
    with tempfile.TemporaryDirectory() as tmp:
        for q in QUESTIONS:
            audio, last = spoken_question(q, args.wpm, Path(tmp))
            for _ in range(args.runs):
                recorder = ReplayRecorder(config.audio, audio, realtime=True)
                listener = Listener(recorder, transcriber, pause_s=pause)
                heard = listener.listen(max_wait_s=None)
                listener.close()
                speech_end = recorder.block_delivered_at[last // WINDOW]
                if heard.transcript is not None and heard.transcript.text:
                    hq = hear(kb, transcriber, heard.recording.audio, heard.transcript,
                              sample_rate=heard.recording.sample_rate, fit_choices=args.fit_choices)
                    result = ask_heard(kb, hq)
                    seconds += bool(hq.second)
                else:
                    result = kb.ask("")
                spoken = replies.reply_for(result, kb).spoken
                if player is not None:
                    player.play(synth.synthesize(spoken))
                    while player.first_audio_at is None and player.is_playing:
                        time.sleep(0.001)
                    first = player.first_audio_at or time.monotonic()
                    player.stop()
                else:
                    next(iter(synth.synthesize(spoken)))
                    first = time.monotonic()
                assert heard.text_ready_at is not None, f"nothing recognised in {q!r}"
                rows.append((
                    heard.recording.ended_at - speech_end,
                    heard.text_ready_at - speech_end,
                    first - speech_end,
                    heard.transcript.elapsed if heard.transcript else 0.0,
                    heard.early,
                ))
            code = result.matches[0].code if result.matches else "-"
            print(f"  {q!r:42} → {heard.transcript.text if heard.transcript else ''!r} ({result.decision.value} {code}); "
                  f"first audio {rows[-1][2]:.2f} s")
    endpoint, ready, first_audio, asr_s, early = zip(*rows)
    p90 = sorted(first_audio)[int(0.9 * (len(first_audio) - 1))]
    print(f"over {len(rows)} asks, seconds after the last sound of the question (median): end of speech decided "
          f"{statistics.median(endpoint):.2f}, text ready {statistics.median(ready):.2f} (ASR {statistics.median(asr_s):.2f}), "
          f"FIRST AUDIO {statistics.median(first_audio):.2f} (p90 {p90:.2f}, max {max(first_audio):.2f}); "
          f"early transcript kept {sum(early)}/{len(rows)}; second hearing {seconds}/{len(rows)}; target ≤ 1.2 s median")


if __name__ == "__main__":
    main()
