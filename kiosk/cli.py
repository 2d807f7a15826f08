"""The `kiosk` command line: the only place that knows about argparse.

Each sub-command lives in ``kiosk/commands/<name>.py`` with ``register(subparsers)``;
its handler receives ``(args, config)`` and returns an exit status. Library errors
become one line ``Lỗi: …`` on stderr and exit status 1 — never a traceback.
"""
from __future__ import annotations

import argparse
import importlib
import logging
import sys

from kiosk.config import ConfigError, load_config

COMMAND_MODULES = ("ask", "content", "speech", "checklist", "models", "run", "admin", "backup", "sync", "stats", "hub")


class CliError(Exception):
    """A user-facing error raised by a command handler."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kiosk",
        description="Kiosk hỏi đáp thủ tục hành chính phường/xã (ngoại tuyến). "
        "Offline voice/touch assistant for ward offices.",
    )
    parser.add_argument("--config", metavar="FILE", help="tệp cấu hình TOML (mặc định: $KIOSK_CONFIG hoặc /etc/kiosk/kiosk.toml)")
    parser.add_argument("-v", "--verbose", action="store_true", help="ghi log chi tiết (mặc định: chỉ cảnh báo)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"kiosk.commands.{name}").register(sub)
    return parser


def _error_types() -> tuple[type[BaseException], ...]:
    types: list[type[BaseException]] = [CliError, ConfigError, OSError]
    for mod, name in (
        ("knowledge.errors", "KnowledgeError"),
        ("speech.errors", "SpeechError"),
        ("printing.errors", "PrintingError"),
    ):
        try:
            types.append(getattr(importlib.import_module(mod), name))
        except (ImportError, AttributeError):
            pass
    return tuple(types)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not getattr(args, "handler", None):
        parser.print_help()
        return 0
    try:
        config = load_config(args.config, overrides=getattr(args, "config_overrides", lambda a: None)(args))
        return int(args.handler(args, config) or 0)
    except _error_types() as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
