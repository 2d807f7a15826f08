"""Printed (and spoken) document checklists: thermal receipt (ESC/POS), PDF, CUPS.

    checklist = build_checklist(procedure, office, datetime.now())
    result = print_checklist(checklist, config.printer)   # never raises
    if result.can_retry: result = retry_print(result, config.printer)
    speak(checklist_speech_text(checklist))
"""
from printing.checklist import (
    Checklist,
    ChecklistItem,
    build_checklist,
    checklist_speech_text,
    checklist_text,
    portal_url,
)
from printing.errors import FontNotFound, PrinterNotConfigured, PrinterUnavailable, PrintingError
from printing.escpos_out import render_escpos_bytes
from printing.pdf_out import render_pdf, write_pdf
from printing.raster import render_receipt
from printing.service import PrinterState, PrintResult, PrintStatus, print_checklist, printer_status, retry_print

__all__ = [
    "Checklist",
    "ChecklistItem",
    "build_checklist",
    "checklist_speech_text",
    "checklist_text",
    "portal_url",
    "render_receipt",
    "render_escpos_bytes",
    "render_pdf",
    "write_pdf",
    "print_checklist",
    "retry_print",
    "printer_status",
    "PrintResult",
    "PrintStatus",
    "PrinterState",
    "PrintingError",
    "PrinterUnavailable",
    "PrinterNotConfigured",
    "FontNotFound",
]
