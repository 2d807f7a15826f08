"""``kiosk transcribe FILE`` and ``kiosk say TEXT``: the speech engines without a screen."""
from __future__ import annotations

import argparse
import json
import sys


def _config_in_argv() -> str | None:
    """The ``--config FILE`` given before the sub-command (help runs before main() loads it)."""
    argv = sys.argv[1:]
    for i, arg in enumerate(argv):
        if arg == "--config" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--config="):
            return arg.split("=", 1)[1]
    return None


def _default_engine_text() -> str:
    """Which engine/voice ``kiosk say`` uses with the current configuration."""
    try:
        from kiosk.config import load_config
        from speech.tts import choose_engine

        cfg = load_config(_config_in_argv())
        choice = choose_engine(cfg.tts)
        return f"{choice.engine}, giọng/voice {choice.voice} ({choice.detail}); tốc độ/rate {cfg.tts.rate}"
    except Exception as exc:  # help must never fail
        return f"không xác định được / unknown ({exc})"


class _HelpWithEngine(argparse.Action):
    """``kiosk say --help``: looks up the default engine/voice only when asked."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        parser.description = f"{parser.description} Mặc định / default engine: {_default_engine_text()}."
        parser.print_help()
        parser.exit()


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "transcribe",
        help="chuyển một tệp âm thanh thành chữ / transcribe an audio file",
        description="Nhận dạng tiếng Việt trong một tệp âm thanh (WAV, FLAC, MP3…; mọi tần số, mọi số kênh) "
        "bằng faster-whisper. Không nghe thấy gì thì in dòng trống. / Transcribe Vietnamese speech "
        "from an audio file; prints an empty line when nothing was heard.",
    )
    p.add_argument("file", metavar="FILE.wav", help="tệp âm thanh / audio file")
    p.add_argument("--json", action="store_true", help="in JSON: text, language, duration, segments, elapsed (mặc định: chỉ in chữ)")
    p.add_argument(
        "--hotwords",
        metavar="TEXT",
        help="từ gợi ý cho bộ nhận dạng, cách nhau bằng dấu phẩy / domain hint phrases (default: none)",
    )
    p.add_argument(
        "--model-dir",
        metavar="DIR",
        help="thư mục mô hình CTranslate2 Whisper (mặc định: asr.model_dir hoặc Whisper base đóng gói)",
    )
    p.set_defaults(handler=cmd_transcribe, config_overrides=_transcribe_overrides)

    s = subparsers.add_parser(
        "say",
        help="đọc một câu tiếng Việt / speak Vietnamese text",
        description="Đọc TEXT (sau khi chuẩn hóa số, ngày, chữ viết tắt) ra loa hoặc vào tệp WAV. "
        "Speak TEXT (normalised for speech) or write it to a WAV file.",
        add_help=False,
    )
    s.add_argument("-h", "--help", action=_HelpWithEngine, help="in trợ giúp này, kèm bộ đọc sẽ dùng / show this help with the engine that will be used")
    s.add_argument("text", metavar="TEXT", help="câu cần đọc / text to speak")
    s.add_argument("--out", metavar="FILE.wav", help="ghi ra tệp WAV thay vì phát ra loa (mặc định: phát ra loa)")
    s.add_argument(
        "--engine",
        choices=("auto", "piper", "espeak"),
        help="auto = piper nếu có giọng piper tiếng Việt, không thì espeak-ng (mặc định: tts.engine, thường là auto)",
    )
    s.add_argument("--rate", type=float, metavar="R", help="tốc độ đọc; < 1 là chậm hơn (mặc định: tts.rate = 1.0)")
    s.add_argument("--voice", metavar="NAME|PATH", help="giọng piper: tên trong tts.voices_dir hoặc đường dẫn .onnx (mặc định: tts.piper_voice)")
    s.add_argument("--show-text", action="store_true", help="in văn bản đã chuẩn hóa sẽ được đọc (mặc định: không)")
    s.set_defaults(handler=cmd_say, config_overrides=_say_overrides)


def _transcribe_overrides(args: argparse.Namespace) -> dict:
    return {"asr": {"model_dir": args.model_dir}} if args.model_dir else {}


def _say_overrides(args: argparse.Namespace) -> dict:
    tts = {k: v for k, v in (("engine", args.engine), ("rate", args.rate), ("piper_voice", args.voice)) if v is not None}
    return {"tts": tts} if tts else {}


def cmd_transcribe(args: argparse.Namespace, config) -> int:
    from speech.asr import load_transcriber

    transcriber = load_transcriber(config)
    transcript = transcriber.transcribe(args.file, hotwords=args.hotwords or None)
    if args.json:
        print(json.dumps(transcript.to_dict(), ensure_ascii=False))
    else:
        print(transcript.text)
    return 0


def cmd_say(args: argparse.Namespace, config) -> int:
    from speech.tts import load_synthesizer

    synth = load_synthesizer(config.tts)
    if args.show_text:
        for sentence in synth.prepare(args.text):
            print(sentence)
    if args.out:
        synth.to_wav(args.text, args.out)
        print(f"{args.out} ({synth.name}, {synth.voice})", file=sys.stderr)
        return 0
    from speech.player import Player

    player = Player(config.audio, volume=config.tts.volume)
    try:
        player.play(synth.synthesize(args.text), block=True)
    finally:
        player.stop()
    return 0
