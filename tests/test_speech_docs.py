"""docs/speech.md is tested: every ``kiosk …`` line in its shell blocks parses."""
from __future__ import annotations

import argparse
import re
import shlex
from pathlib import Path

import pytest

from kiosk.cli import build_parser

DOC = Path(__file__).resolve().parents[1] / "docs" / "speech.md"


def doc_commands() -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    lines = []
    for block in re.findall(r"```sh\n(.*?)```", text, flags=re.S):
        for line in block.splitlines():
            line = line.split("  #")[0].strip()
            if line.startswith("kiosk "):
                lines.append(line)
    return lines


def test_doc_has_commands():
    cmds = doc_commands()
    assert any(c.startswith("kiosk transcribe") for c in cmds) and any(c.startswith("kiosk say") for c in cmds)


@pytest.mark.parametrize("line", doc_commands())
def test_doc_command_parses(line, capsys):
    argv = shlex.split(line)[1:]
    parser = build_parser()
    if "--help" in argv:
        with pytest.raises(SystemExit) as exit_:
            parser.parse_args(argv)
        assert exit_.value.code == 0 and "usage: kiosk" in capsys.readouterr().out
        return
    args = parser.parse_args(argv)
    assert callable(args.handler)


def _subparser(parser: argparse.ArgumentParser, path: list[str]) -> argparse.ArgumentParser:
    for name in path:
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        parser = sub.choices[name]
    return parser


@pytest.mark.parametrize("command", [["models", "prepare"], ["models", "status"], ["models", "list"], ["models", "install"], ["models", "use"], ["transcribe"], ["say"]])
def test_every_option_states_its_default(command):
    parser = _subparser(build_parser(), command)
    for action in parser._actions:
        if not action.option_strings or "--help" in action.option_strings:
            continue
        text = (action.help or "").lower()
        assert "mặc định" in text or "default" in text, (command, action.option_strings, action.help)
