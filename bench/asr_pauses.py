"""Paused questions: is a question with a pause in it heard as one, and does a finished
question still end promptly?

Real clips (``../shared/audio``) go through the kiosk's own listening path —
``ReplayRecorder`` (Silero VAD, end of speech), early transcription at the first
pause and the unfinished-question hold (``speech.listen.Listener``,
``audio.unfinished_hold_s``), Whisper as configured:

- **unfinished + pause + rest**: three clips of the set are real unfinished
  utterances ("… thành quả của", "thị trường chứng khoán cần", "… nên đã"); each is
  joined to three other clips with a pause of 0.8, 1.0, 1.2 and 1.5 s of room tone.
  Heard as one = the recording holds the second voice too.
- **finished + pause + rest**: the same with finished sentences first (what happens
  when a citizen who is done is followed by more speech).
- **a pause inside**: the clips of the set that the end of speech cuts as they
  are (the speaker paused mid-sentence), with and without the hold;
- **finished alone**: every 4th clip as it is: how often the hold fires on a finished
  sentence, and the end-of-speech decision (seconds of audio after the voice);
- **transcribing a paused question** (``--pairs N``): N pairs of clips joined by each
  pause, transcribed whole and part by part (``asr.split_pause_s``): how much of each
  part's words come back, and how often the second part is lost (< 20 % of its words).
  ``--transcripts-only`` runs just this part.

    .venv/bin/python bench/asr_pauses.py [--hold 1.0] [--pauses 0.8,1.0,1.2,1.5] [-v]
Prints numbers; asserts nothing.
"""
from __future__ import annotations

import argparse
import dataclasses
import logging
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import lobby  # noqa: E402
from asr_options import add_asr_options, with_asr_options  # noqa: E402
from asr_wer import DEFAULT_DIR, recorded_or_exit, words  # noqa: E402

from kiosk.config import load_config  # noqa: E402
from speech import load_audio, load_transcriber  # noqa: E402
from speech.audio import ReplayRecorder  # noqa: E402
from speech.listen import Listener  # noqa: E402
from speech.vad import WINDOW, SileroVad  # noqa: E402

UNFINISHED = ("_008684", "_008753", "_013633")
"""FOSD clips that stop mid-sentence (their transcripts end in "của", "cần", "đã")."""
FINISHED = ("_004280", "_010617", "_012513")
"""Finished sentences, recognised fairly well by base (similarity ≥ 0.8)."""


@dataclasses.dataclass
class Heard:
    one: bool
    """The recording reaches into the second voice (or, alone: always True)."""
    decided_s: float
    """Audio seconds from the end of the (last) voice in the recording to the decision."""
    held: bool
    text: str


def listen(config, vad, transcriber, audio: np.ndarray, second_start: int | None, hold_s: float) -> Heard:
    rec_er = ReplayRecorder(config.audio, audio, vad=vad)
    listener = Listener(rec_er, transcriber, hold_s=hold_s)
    held: list[logging.LogRecord] = []
    import speech.listen as sl

    handler = _Capture(held)
    level = sl._LOGGER.level
    sl._LOGGER.setLevel(logging.INFO)  # the hold is logged at INFO
    sl._LOGGER.addHandler(handler)
    try:
        heard = listener.listen(max_wait_s=None)
    finally:
        sl._LOGGER.removeHandler(handler)
        sl._LOGGER.setLevel(level)
        listener.close()
    rec = heard.recording
    consumed = len(rec_er.block_delivered_at) * WINDOW
    last_voice = rec.span[1] * WINDOW if rec.span else 0
    one = second_start is None or (rec.span is not None and rec.span[1] * WINDOW > second_start)
    return Heard(one, (consumed - last_voice) / lobby.SR, bool(held), heard.transcript.text if heard.transcript else "")


def found(hyp: str, ref: str) -> float:
    """Share of ``ref``'s syllables found, in order, in ``hyp``."""
    import difflib

    r = words(ref)
    blocks = difflib.SequenceMatcher(None, words(hyp), r).get_matching_blocks()
    return sum(b.size for b in blocks) / max(1, len(r))


def transcribe_paused(config, clips: list[tuple[np.ndarray, str]], pauses: list[float], n: int, verbose: bool) -> None:
    """Two real clips joined by a pause, transcribed whole (one decoding) and part by part
    (``asr.split_pause_s``): words of each part that come back."""
    split_s = config.asr.split_pause_s or 0.8
    whole = load_transcriber(dataclasses.replace(config, asr=dataclasses.replace(config.asr, split_pause_s=0.0)))
    parts = load_transcriber(dataclasses.replace(config, asr=dataclasses.replace(config.asr, split_pause_s=split_s)))
    rng = np.random.default_rng(5)
    order = rng.permutation(len(clips))
    pairs = [(clips[order[2 * i]], clips[order[2 * i + 1]]) for i in range(min(n, len(clips) // 2))]
    print(f"transcribing a paused question: {len(pairs)} pairs of clips; part by part = asr.split_pause_s {split_s:g} s")
    print("| pause | decoding | first part found | second part found | second part lost | CPU s |")
    print("| --- | --- | --- | --- | --- | --- |")
    for pause in pauses:
        for label, tr in (("whole", whole), ("part by part", parts)):
            first, second, cpu = [], [], []
            for k, ((a, ta), (b, tb)) in enumerate(pairs):
                audio, _, _ = lobby.joined(a, b, pause, rng=np.random.default_rng(k))
                t0 = time.process_time()
                out = tr.transcribe(audio).text
                cpu.append(time.process_time() - t0)
                first.append(found(out, ta))
                second.append(found(out, tb))
                if verbose:
                    print(f"    {pause:g} s {label}: {ta!r} + {tb!r} → {out!r}", flush=True)
            lost = sum(x < 0.2 for x in second)
            print(f"| {pause:g} s | {label} | {100 * statistics.mean(first):.0f} % | {100 * statistics.mean(second):.0f} % | "
                  f"{lost}/{len(pairs)} | {statistics.median(cpu):.2f} |", flush=True)


class _Capture(logging.Handler):
    """Counts the Listener's "sounds unfinished" log lines (a hold was granted)."""

    def __init__(self, sink: list) -> None:
        super().__init__(level=0)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        if "sounds unfinished" in record.getMessage():
            self.sink.append(record)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    ap.add_argument("--hold", type=float, help="audio.unfinished_hold_s (default: config)")
    ap.add_argument("--pauses", default="0.8,1.0,1.2,1.5")
    ap.add_argument("--every", type=int, default=4, help="finished-alone set: every Nth clip")
    add_asr_options(ap)
    ap.add_argument("--pairs", type=int, default=30, help="pairs of clips for the transcription part (0 = skip it)")
    ap.add_argument("--transcripts-only", action="store_true", help="only the transcription part")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    clips = recorded_or_exit(args.dir)
    config = with_asr_options(load_config(), args)
    hold = config.audio.unfinished_hold_s if args.hold is None else args.hold
    names = [wav.stem for wav, _ in clips]
    audio = {wav.stem: load_audio(wav) for wav, _ in clips}
    text = {wav.stem: ref for wav, ref in clips}
    pick = lambda suffix: next(n for n in names if n.endswith(suffix))  # noqa: E731
    firsts = {"unfinished": [pick(s) for s in UNFINISHED], "finished": [pick(s) for s in FINISHED]}
    others = [n for n in names if n not in firsts["unfinished"] + firsts["finished"]][::11][:3]
    transcriber = load_transcriber(config)
    transcriber.warm()
    vad = SileroVad()
    pauses = [float(p) for p in args.pauses.split(",")]
    if args.pairs:
        transcribe_paused(config, [(audio[n], text[n]) for n in names], pauses, args.pairs, args.verbose)
    if args.transcripts_only:
        return 0
    print(f"end silence {config.audio.end_silence_s:g} s, early transcription at {config.audio.pause_transcribe_s:g} s, "
          f"hold {hold:g} s; window {config.asr.window_s:g} s, beam {config.asr.beam_size}")
    print("| first part | pause | heard as one | hold granted |")
    print("| --- | --- | --- | --- |")
    for kind, first_names in firsts.items():
        for pause in pauses:
            one = held = n = 0
            for a in first_names:
                for b in others:
                    joined, _, second_start = lobby.joined(audio[a], audio[b], pause, rng=np.random.default_rng(n))
                    scene = np.concatenate([np.zeros(8000, np.float32), joined, np.zeros(48000, np.float32)])
                    h = listen(config, vad, transcriber, scene, second_start + 8000, hold)
                    one += h.one
                    held += h.held
                    n += 1
                    if args.verbose:
                        print(f"    {kind} {pause:g} s one={h.one} held={h.held} {text[a]!r} + {text[b]!r} → {h.text!r}", flush=True)
            print(f"| {kind} | {pause:g} s | {one}/{n} | {held}/{n} |", flush=True)
    # Sentences with a pause inside, as recorded: the clips the shipped end of speech
    # cuts (found with the VAD alone), heard with and without the hold.
    from endpoint import endpoint

    inside = []
    for name in names:
        sc = lobby.in_noise(audio[name], None, None, rng=np.random.default_rng(0))
        _, cover, _ = endpoint(config.audio, vad, sc)
        if cover < 0.9:
            inside.append((name, sc))
    for h_s in (0.0, hold):
        whole = 0
        for name, sc in inside:
            h = listen(config, vad, transcriber, sc.audio, sc.speech_end - 1600, h_s)
            whole += h.one
            if args.verbose:
                print(f"    pause inside, hold {h_s:g} s: whole={h.one} held={h.held} {text[name]!r} → {h.text!r}", flush=True)
        print(f"sentences with a pause inside that end of speech cuts: {len(inside)} of {len(names)}; "
              f"heard whole with hold {h_s:g} s: {whole}/{len(inside)}", flush=True)
    alone = [n for n in names[:: max(1, args.every)] if n not in firsts["unfinished"]]
    decided, held = [], 0
    for name in alone:
        scene = np.concatenate([np.zeros(8000, np.float32), audio[name], np.zeros(48000, np.float32)])
        h = listen(config, vad, transcriber, scene, None, hold)
        decided.append(h.decided_s)
        held += h.held
        if args.verbose and h.held:
            print(f"    held a finished sentence: {text[name]!r} → {h.text!r}")
    decided.sort()
    print(f"finished sentences alone ({len(alone)}): hold granted {held}/{len(alone)}; end decided "
          f"{statistics.median(decided):.2f} s median, {decided[int(0.9 * (len(decided) - 1))]:.2f} s p90 after the last speech window")
    return 0


if __name__ == "__main__":
    sys.exit(main())
