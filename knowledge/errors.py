"""The knowledge package's whole error hierarchy."""
from __future__ import annotations

from dataclasses import dataclass


class KnowledgeError(Exception):
    """Base class: anything the CLI turns into a one-line error."""


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class ContentInvalid(KnowledgeError):
    """Content source failed validation; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"{len(problems)} lỗi trong nội dung / content problems")


class ContentNotFound(KnowledgeError):
    pass


class UnknownProcedure(KnowledgeError):
    pass
