"""Printed (and spoken) document checklists: thermal receipt (ESC/POS), PDF, CUPS.

    checklist = build_checklist(procedure, office, datetime.now())
    result = print_checklist(checklist, config.printer)   # never raises
    if result.can_retry: result = retry_print(result, config.printer)
    speak(checklist_speech_text(checklist))

The names below are imported on first use (PEP 562): reading printing.settings (kiosk/config.py
does, for every command) must not load the image and PDF libraries.
"""
from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    **dict.fromkeys(("Checklist", "ChecklistItem", "build_checklist", "checklist_speech_text", "checklist_text",
                     "portal_url"), "printing.checklist"),
    **dict.fromkeys(("FontNotFound", "PrinterNotConfigured", "PrinterUnavailable", "PrintingError"), "printing.errors"),
    "render_escpos_bytes": "printing.escpos_out",
    "render_pdf": "printing.pdf_out", "write_pdf": "printing.pdf_out",
    "render_receipt": "printing.raster",
    **dict.fromkeys(("PrinterState", "PrintResult", "PrintStatus", "print_checklist", "printer_status", "retry_print"),
                    "printing.service"),
    "PrinterConfig": "printing.settings",
}
__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        try:  # a submodule, as `import printing` used to load them all
            return importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_WHERE[name]), name)
    globals()[name] = value
    return value
