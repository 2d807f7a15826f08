"""One call for the UI: print a checklist on whatever printer is configured.

``print_checklist`` never raises: every outcome is a ``PrintResult`` with a calm
Vietnamese ``message`` for the screen and a technical ``detail`` for the staff log.
A failed result carries its checklist, so ``retry_print(result, cfg)`` sends the same
paper again. Run it in a worker thread: a printer can take seconds to answer.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import TYPE_CHECKING

from printing.checklist import Checklist
from printing.errors import PrinterNotConfigured, PrintingError

if TYPE_CHECKING:
    from printing.settings import PrinterConfig

log = logging.getLogger(__name__)

PRINTED_MESSAGE = "Đã in xong phiếu. Xin mời ông/bà nhận phiếu ở khe máy in."
QUEUED_MESSAGE = "Phiếu đang được in, xin ông/bà chờ trong giây lát."
NOT_CONFIGURED_MESSAGE = (
    "Kiosk này chưa có máy in. Xin mời ông/bà chụp ảnh màn hình hoặc nghe đọc danh sách giấy tờ."
)
UNEXPECTED_MESSAGE = "Chưa in được phiếu. Xin mời ông/bà hỏi cán bộ tại quầy hướng dẫn."
CUPS_WAIT_S = 20.0


class PrintStatus(StrEnum):
    PRINTED = "printed"  # the printer has it (ESC/POS sent; CUPS job completed)
    QUEUED = "queued"  # CUPS accepted the job but has not finished it yet
    FAILED = "failed"  # a printer problem; can be retried
    NOT_CONFIGURED = "not_configured"  # no printer set up: retrying will not help


@dataclass(frozen=True)
class PrintResult:
    status: PrintStatus
    message: str
    """Calm Vietnamese sentence for the screen."""
    detail: str = ""
    """Technical cause for the staff log and status page."""
    backend: str = "none"
    """escpos | cups | none."""
    job_id: str | None = None
    """CUPS job id (e.g. "KioskPDF-12")."""
    attempt: int = 1
    checklist: Checklist | None = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return self.status in (PrintStatus.PRINTED, PrintStatus.QUEUED)

    @property
    def can_retry(self) -> bool:
        return self.status is PrintStatus.FAILED and self.checklist is not None


@dataclass(frozen=True)
class PrinterState:
    """For the staff status page: is the printer ready, and if not, why."""

    ready: bool
    message: str
    detail: str = ""
    backend: str = "none"


def _kind(cfg: "PrinterConfig") -> str:
    kind = (cfg.kind or "none").strip().lower()
    if kind not in ("none", "escpos", "cups"):
        raise PrinterNotConfigured(NOT_CONFIGURED_MESSAGE, f"printer.kind={cfg.kind!r}; chọn none | escpos | cups")
    if kind == "none":
        raise PrinterNotConfigured(NOT_CONFIGURED_MESSAGE, "printer.kind = none")
    return kind


def _job_title(checklist: Checklist) -> str:
    return f"phieu-giay-to-{checklist.code}"


def _print_cups(checklist: Checklist, cfg: "PrinterConfig", attempt: int, wait_s: float) -> PrintResult:
    from printing import cups_out
    from printing.pdf_out import render_pdf

    pdf = render_pdf(checklist, cfg.pdf_paper)
    options = {"media": cups_out.media_for(pdf)}
    job_id = cups_out.submit(pdf, cfg.cups_printer, _job_title(checklist), options)
    status = cups_out.wait_for_job(job_id, timeout_s=wait_s)
    base = dict(backend="cups", job_id=job_id, attempt=attempt, checklist=checklist)
    if status.state is cups_out.JobState.COMPLETED:
        return PrintResult(PrintStatus.PRINTED, PRINTED_MESSAGE, **base)
    if status.state is cups_out.JobState.PENDING:
        return PrintResult(PrintStatus.QUEUED, QUEUED_MESSAGE, status.detail, **base)
    # Failed: take the stuck job out, so a retry (or the printer waking up) prints one paper, not two.
    cups_out.cancel(job_id)
    return PrintResult(PrintStatus.FAILED, status.message or cups_out.FAILED_MESSAGE, status.detail, **base)


def _print_escpos(checklist: Checklist, cfg: "PrinterConfig", attempt: int) -> PrintResult:
    from printing.escpos_out import print_receipt

    print_receipt(checklist, cfg.escpos_connection, cfg.paper_width_dots)
    return PrintResult(PrintStatus.PRINTED, PRINTED_MESSAGE, backend="escpos", attempt=attempt, checklist=checklist)


def print_checklist(
    checklist: Checklist, printer_cfg: "PrinterConfig", *, attempt: int = 1, wait_s: float = CUPS_WAIT_S
) -> PrintResult:
    """Print on the configured printer. Never raises; see PrintResult."""
    backend = "none"
    try:
        backend = _kind(printer_cfg)
        if backend == "cups":
            result = _print_cups(checklist, printer_cfg, attempt, wait_s)
        else:
            result = _print_escpos(checklist, printer_cfg, attempt)
    except PrinterNotConfigured as exc:
        result = PrintResult(
            PrintStatus.NOT_CONFIGURED, exc.message, exc.detail, backend, attempt=attempt, checklist=checklist
        )
    except PrintingError as exc:  # PrinterUnavailable, FontNotFound
        result = PrintResult(PrintStatus.FAILED, exc.message, exc.detail, backend, attempt=attempt, checklist=checklist)
    except Exception as exc:  # a bug or an unforeseen driver error must not reach the screen
        log.exception("printing checklist %s failed unexpectedly", checklist.code)
        result = PrintResult(
            PrintStatus.FAILED, UNEXPECTED_MESSAGE, f"{type(exc).__name__}: {exc}", backend,
            attempt=attempt, checklist=checklist,
        )
    level = logging.WARNING if result.status is PrintStatus.FAILED else logging.INFO
    log.log(level, "print %s via %s (attempt %d): %s %s", checklist.code, result.backend, attempt,
            result.status, result.detail)
    return result


def retry_print(result: PrintResult, printer_cfg: "PrinterConfig", *, wait_s: float = CUPS_WAIT_S) -> PrintResult:
    """Send the same checklist again after a failure (the UI's "Thử lại" button)."""
    if result.checklist is None:
        return replace(result, status=PrintStatus.FAILED, message=UNEXPECTED_MESSAGE, detail="không còn phiếu để in lại")
    return print_checklist(result.checklist, printer_cfg, attempt=result.attempt + 1, wait_s=wait_s)


def printer_status(printer_cfg: "PrinterConfig") -> PrinterState:
    """Check the printer without printing (staff status page). Never raises."""
    backend = "none"
    try:
        backend = _kind(printer_cfg)
        if backend == "cups":
            from printing.cups_out import printer_problem

            problem = printer_problem(printer_cfg.cups_printer)
            if problem is not None:
                raise problem
        else:
            from printing.escpos_out import check_escpos

            check_escpos(printer_cfg.escpos_connection, printer_cfg.paper_width_dots)
        return PrinterState(True, "Máy in sẵn sàng.", backend=backend)
    except PrintingError as exc:
        return PrinterState(False, exc.message, exc.detail, backend)
    except Exception as exc:
        log.exception("printer status check failed unexpectedly")
        return PrinterState(False, UNEXPECTED_MESSAGE, f"{type(exc).__name__}: {exc}", backend)
