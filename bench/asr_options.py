"""Command-line overrides of the ASR settings shared by the speech benchmarks."""
from __future__ import annotations

import argparse
import dataclasses


def add_asr_options(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("--window", type=float, help="asr.window_s (default: config); 30 = standard Whisper")
    ap.add_argument("--beam", type=int, help="asr.beam_size (default: config)")
    ap.add_argument("--gain", choices=("on", "off"), help="asr.normalise_gain (default: config)")
    ap.add_argument("--split-pause", type=float, help="asr.split_pause_s (default: config); 0 = decode in one piece")
    ap.add_argument("--floor-margin", type=float, help="audio.floor_margin_db (default: config)")
    ap.add_argument("--end-silence", type=float, help="audio.end_silence_s (default: config)")


def with_asr_options(config, args: argparse.Namespace):
    """``config`` with the overrides given on the command line applied."""
    asr = config.asr
    if args.window is not None:
        asr = dataclasses.replace(asr, window_s=args.window)
    if args.beam is not None:
        asr = dataclasses.replace(asr, beam_size=args.beam)
    if getattr(args, "gain", None) is not None:
        asr = dataclasses.replace(asr, normalise_gain=args.gain == "on")
    if getattr(args, "split_pause", None) is not None:
        asr = dataclasses.replace(asr, split_pause_s=args.split_pause)
    audio = config.audio
    if getattr(args, "floor_margin", None) is not None:
        audio = dataclasses.replace(audio, floor_margin_db=args.floor_margin)
    if getattr(args, "end_silence", None) is not None:
        audio = dataclasses.replace(audio, end_silence_s=args.end_silence)
    return dataclasses.replace(config, asr=asr, audio=audio)
