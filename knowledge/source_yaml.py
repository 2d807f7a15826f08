"""Read one content YAML file within bounds, remembering the line of every key.

A content file is typed by a clerk or uploaded through the admin, so the loader refuses
what would make it run for minutes (an alias bomb, megabytes, deep nesting) with one
message, and every failure becomes a problem for the collector rather than an exception.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from knowledge.source_common import Collector

# libyaml when present: validating a few hundred files must stay quick for the admin.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Bounds on what one content file may make the loader do (the largest shipped file is
# 6.7 kB, none uses an alias): an alias bomb ("billion laughs") or a file of megabytes
# is refused with one message instead of running for minutes.
MAX_FILE_BYTES = 1024 * 1024
MAX_ALIASES = 20
MAX_DEPTH = 40


class ContentTooBig(yaml.YAMLError):
    """A file over the loader's bounds; the message is the clerk's."""


class Located:
    """A parsed YAML document plus the line of every key path (1-based)."""

    def __init__(self, text: str):
        self.lines: dict[tuple, int] = {}
        self._seen: set[int] = set()
        self._aliases = 0
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            if node is not None:
                # Walked before construction: each node once, aliases counted, not expanded.
                self._walk(node, (), 0)
            self.data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()

    def _walk(self, node: yaml.Node, path: tuple, depth: int) -> None:
        if id(node) in self._seen:  # an alias: the same node object again
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise ContentTooBig(f"quá nhiều tham chiếu YAML (&/*), tối đa {MAX_ALIASES} / too many YAML aliases")
            return
        if depth > MAX_DEPTH:
            raise ContentTooBig(f"YAML lồng quá sâu (tối đa {MAX_DEPTH} cấp) / YAML nested too deep")
        self._seen.add(id(node))
        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                k = path + (getattr(key, "value", None) if isinstance(key, yaml.ScalarNode) else id(key),)
                self._walk(value, k, depth + 1)
                self.lines[k] = key.start_mark.line + 1  # a field is reported at its key
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                self._walk(item, path + (i,), depth + 1)

    def line(self, *path: Any) -> int | None:
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path)


def read_yaml(path: Path, root: Path, col: Collector) -> Located | None:
    rel = str(path.relative_to(root)) if path.is_relative_to(root) else str(path)
    if path.stat().st_size > MAX_FILE_BYTES:
        col.add(rel, None, "", f"tệp quá lớn (tối đa {MAX_FILE_BYTES // 1024} kB) / file too large")
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        col.add(rel, None, "", "tệp không phải UTF-8 / file is not UTF-8 text")
        return None
    try:
        return Located(text)
    except ContentTooBig as exc:
        col.add(rel, None, "", str(exc))
        return None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        col.add(rel, line, "", f"YAML sai cú pháp / broken YAML: {getattr(exc, 'problem', exc)}")
        return None
    except ValueError as exc:
        # YAML reads an unquoted YYYY-MM-DD as a date and raises on an impossible one
        # ("2024-13-40"): a clerk's typo, not a crash.
        col.add(rel, _impossible_date_line(text), "", f"ngày không có thật / impossible date: {exc}")
        return None


def _impossible_date_line(text: str) -> int | None:
    """The line of the first YYYY-MM-DD in ``text`` that is not a real date."""
    import datetime as dt
    import re

    for n, line in enumerate(text.splitlines(), 1):
        for y, m, d in re.findall(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b", line):
            try:
                dt.date(int(y), int(m), int(d))
            except ValueError:
                return n
    return None
