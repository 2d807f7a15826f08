"""`kiosk run` — the touchscreen app."""
from __future__ import annotations

import argparse
import os
import sys

from kiosk.config import Config


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "run", help="mở ứng dụng màn hình cảm ứng / open the touchscreen app",
        description="Mở ứng dụng kiosk (Kivy): hỏi bằng giọng nói hoặc chạm. Cần màn hình ($DISPLAY). "
        "Cán bộ: nhấn giữ đồng hồ góc trên 3 giây, rồi nhập mã PIN (ui.staff_pin).",
    )
    p.add_argument("--fullscreen", action="store_true", default=None,
                   help="toàn màn hình, ẩn con trỏ (mặc định: ui.fullscreen, tức là không)")
    p.add_argument("--size", metavar="WxH",
                   help="kích thước cửa sổ; 1080x1920 cho màn hình dọc (mặc định: ui.size, tức là 1920x1080)")
    p.add_argument("--audio-file", metavar="FILE.wav",
                   help="thử nghiệm: mỗi lần nhấn nút hỏi, kiosk \"nghe\" tệp này thay cho micrô (mặc định: micrô)")
    p.add_argument("--speech-out", metavar="FILE.wav",
                   help="thử nghiệm: ghi giọng đọc vào tệp này thay cho loa (mặc định: loa)")
    p.set_defaults(handler=run, config_overrides=_overrides)


def _overrides(args) -> dict:
    ui = {}
    if args.fullscreen:
        ui["fullscreen"] = True
    if args.size:
        ui["size"] = args.size
    return {"ui": ui}


def run(args, config: Config) -> int:
    from kiosk.app import parse_size, run_app
    from kiosk.cli import CliError

    try:
        size = parse_size(config.ui.size)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        raise CliError("không có màn hình ($DISPLAY trống); thử `kiosk ask` để dùng không cần màn hình / no display")
    if args.audio_file and not os.path.isfile(args.audio_file):
        raise CliError(f"không có tệp âm thanh / no such file: {args.audio_file}")
    import importlib.util

    if importlib.util.find_spec("kivy") is None:
        raise CliError("chưa cài Kivy / Kivy is not installed; chạy script/bootstrap")
    return run_app(config, size=size, fullscreen=config.ui.fullscreen, audio_file=args.audio_file,
                   speech_out=args.speech_out)
