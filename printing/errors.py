"""The printing package's whole error hierarchy.

Messages are calm Vietnamese sentences a citizen can read on the screen; the
technical cause (device path, CUPS output) is kept in ``detail`` for the staff log.
"""
from __future__ import annotations


class PrintingError(Exception):
    """Base class: anything the CLI turns into a one-line ``Lỗi: …``."""

    def __init__(self, message: str, detail: str = ""):
        super().__init__(message)
        self.message = message
        self.detail = detail

    def __str__(self) -> str:
        return f"{self.message} ({self.detail})" if self.detail else self.message


class PrinterNotConfigured(PrintingError):
    """No printer is set up in the configuration (or the setting is malformed)."""


class PrinterUnavailable(PrintingError):
    """The printer is set up but cannot print now: offline, paper out, CUPS down…"""


class FontNotFound(PrintingError):
    """No installed font covers Vietnamese."""
