"""print_checklist / retry_print / printer_status: backend choice, calm results, retry, never raises."""
from __future__ import annotations

import pytest
from test_printing_helpers import KHAI_SINH, OFFICE, PRINTED_AT, decode_escpos_raster

from kiosk.config import PrinterConfig
from printing import PrintStatus, build_checklist, print_checklist, printer_status, render_escpos_bytes, retry_print
from printing.service import NOT_CONFIGURED_MESSAGE, PRINTED_MESSAGE, UNEXPECTED_MESSAGE


@pytest.fixture(scope="module")
def checklist():
    return build_checklist(KHAI_SINH, OFFICE, PRINTED_AT)


def test_no_printer_configured(checklist):
    result = print_checklist(checklist, PrinterConfig())
    assert result.status is PrintStatus.NOT_CONFIGURED
    assert result.message == NOT_CONFIGURED_MESSAGE
    assert not result.ok and not result.can_retry
    assert not printer_status(PrinterConfig()).ready


@pytest.mark.parametrize("cfg", [
    PrinterConfig(kind="thermal"),
    PrinterConfig(kind="escpos", escpos_connection=""),
    PrinterConfig(kind="escpos", escpos_connection="lpt1"),
    PrinterConfig(kind="cups", pdf_paper="Letter"),
])
def test_bad_settings_are_not_configured_not_crashes(checklist, cfg):
    result = print_checklist(checklist, cfg)
    assert result.status is PrintStatus.NOT_CONFIGURED, result
    assert result.detail  # tells the staff which setting


def test_escpos_file_printer(checklist, tmp_path):
    out = tmp_path / "receipt.bin"
    cfg = PrinterConfig(kind="escpos", escpos_connection=f"file:{out}", paper_width_dots=384)
    result = print_checklist(checklist, cfg)
    assert result.status is PrintStatus.PRINTED and result.ok
    assert result.message == PRINTED_MESSAGE and result.backend == "escpos"
    assert decode_escpos_raster(out.read_bytes()).width == 384
    assert printer_status(cfg).ready


@pytest.mark.slow
def test_failed_job_can_be_retried_once_the_printer_is_back(checklist, tmp_path):
    device = tmp_path / "usb" / "lp0"  # the "printer" is unplugged: its directory does not exist
    cfg = PrinterConfig(kind="escpos", escpos_connection=f"file:{device}")
    first = print_checklist(checklist, cfg)
    assert first.status is PrintStatus.FAILED and first.can_retry and first.attempt == 1
    assert "chưa sẵn sàng" in first.message and str(device) in first.detail
    status = printer_status(cfg)
    assert not status.ready and status.message == first.message
    device.parent.mkdir()  # plugged back in
    second = retry_print(first, cfg)
    assert second.status is PrintStatus.PRINTED and second.attempt == 2
    assert device.read_bytes() == render_escpos_bytes(checklist, 576)


def test_unexpected_errors_become_a_calm_result(checklist, tmp_path, monkeypatch):
    import printing.escpos_out

    def broken(*args, **kwargs):
        raise ZeroDivisionError("driver bug")

    monkeypatch.setattr(printing.escpos_out, "print_receipt", broken)
    result = print_checklist(checklist, PrinterConfig(kind="escpos", escpos_connection=f"file:{tmp_path}/x"))
    assert result.status is PrintStatus.FAILED and result.message == UNEXPECTED_MESSAGE
    assert "ZeroDivisionError" in result.detail


def test_cups_without_lp_is_a_calm_failure(checklist, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    result = print_checklist(checklist, PrinterConfig(kind="cups", cups_printer="KioskPDF"))
    assert result.status is PrintStatus.FAILED and result.can_retry
    assert "lp" in result.detail
