"""What every content-file parser shares: the problem collector, text coercion, the code pattern.

Text is normalised to Unicode NFC on the way in: Vietnamese keyboards on Windows often
type decomposed (NFD) letters, and that is not the clerk's problem to fix.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Iterable

from knowledge.errors import Problem

CODE_RE = re.compile(r"^(\d\.\d{6}|local\.[a-z0-9][a-z0-9-]*|redirect\.[a-z0-9][a-z0-9-]*)$")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


@dataclass
class Collector:
    """Every problem found so far, in the order found: the clerk fixes them in one pass."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, file: str, line: int | None, fld: str, message: str) -> None:
        self.problems.append(Problem(file, line, fld, message))


def text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return nfc(str(value))
    return None


def text_list(value: Any) -> list[str] | None:
    if value is None:
        return []
    if isinstance(value, str):
        return [nfc(value)] if value.strip() else []
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return [nfc(str(v)) for v in value if str(v).strip()]
    return None


def dedupe(items: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for it in items:
        seen.setdefault(it, None)
    return tuple(seen)
