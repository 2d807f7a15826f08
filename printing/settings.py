"""The printing package's settings (the ``[printer]`` section of kiosk.toml, ``KIOSK_PRINTER_*``)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PrinterConfig:
    kind: str = "none"
    """none | escpos | cups."""
    escpos_connection: str = ""
    """usb:VID:PID | serial:/dev/ttyUSB0 | network:HOST[:PORT] | file:/dev/usb/lp0."""
    paper_width_dots: int = 576
    """576 for 80 mm, 384 for 58 mm rolls."""
    cups_printer: str = ""
    """CUPS queue name; empty = the CUPS default printer."""
    pdf_paper: str = "A4"
    """A4 | roll80."""
