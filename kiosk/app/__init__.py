"""The touchscreen app (Kivy). The conversation itself is :mod:`kiosk.app.flow`
(plain Python, tested without a window); :mod:`kiosk.app.devices` is the only place
that touches speech and printing; :mod:`kiosk.app.main` and ``kv/`` are the screens.

Nothing here imports Kivy at import time: :func:`run_app` sets the ``KIVY_*``
environment and the window size first.
"""
from __future__ import annotations

import os
from pathlib import Path

from kiosk.app.flow import DeviceState, DeviceStatus, Flow, FlowSettings, State

__all__ = ["DeviceState", "DeviceStatus", "Flow", "FlowSettings", "State", "kivy_environment", "parse_size", "run_app"]


def parse_size(text: str) -> tuple[int, int]:
    """"1920x1080" → (1920, 1080); ValueError otherwise."""
    w, sep, h = (text or "").lower().replace("×", "x").partition("x")
    if not sep or not w.strip().isdigit() or not h.strip().isdigit():
        raise ValueError(f"kích thước phải có dạng RỘNGxCAO, ví dụ 1920x1080 / size must be WxH, got {text!r}")
    size = int(w), int(h)
    if not (200 <= size[0] <= 8000 and 200 <= size[1] <= 8000):
        raise ValueError(f"kích thước không hợp lý / implausible size {text!r}")
    return size


def kivy_environment(environ=os.environ) -> None:
    """Before the first ``import kivy``: no command-line parsing, Python logging."""
    environ.setdefault("KIVY_NO_ARGS", "1")
    environ.setdefault("KIVY_LOG_MODE", "PYTHON")
    environ.setdefault("KIVY_NO_FILELOG", "1")


def run_app(config, *, size: tuple[int, int], fullscreen: bool = False, audio_file: str | Path | None = None,
            speech_out: str | Path | None = None, kb=None, db=None, app_hook=None) -> int:
    """Open the window and run until it is closed. ``app_hook(app)`` (tests) is called
    before the app runs."""
    # Kivy keeps its own config.ini under KIVY_HOME: with the kiosk's data, not in $HOME.
    os.environ.setdefault("KIVY_HOME", str(Path(config.paths.data_dir) / "kivy"))
    kivy_environment()
    import logging

    from kivy.config import Config as KivyConfig
    from kivy.logger import Logger as KivyLogger

    if logging.getLogger().getEffectiveLevel() > logging.INFO:  # `kiosk -v run` shows Kivy's own log
        KivyLogger.setLevel(logging.WARNING)

    KivyConfig.set("graphics", "width", str(size[0]))
    KivyConfig.set("graphics", "height", str(size[1]))
    KivyConfig.set("graphics", "fullscreen", "auto" if fullscreen else "0")
    KivyConfig.set("graphics", "show_cursor", "0" if fullscreen else "1")
    KivyConfig.set("input", "mouse", "mouse,disable_multitouch")
    KivyConfig.set("kivy", "exit_on_escape", "0" if fullscreen else "1")

    from kiosk.app.devices import Devices
    from kiosk.app.main import KioskApp

    if kb is None:
        from kiosk.services import load_knowledge

        kb, db = load_knowledge(config)
    devices = Devices(config, audio_file=audio_file, speech_out=speech_out)
    app = KioskApp(config, kb=kb, db=db, devices=devices)
    if app_hook is not None:
        app_hook(app)
    app.run()
    return 0
