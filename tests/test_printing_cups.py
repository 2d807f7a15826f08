"""CUPS end to end with the cups-pdf virtual printer: the printed PDF carries the Vietnamese text and
the QR code; missing queue, scheduler down and a stopped queue are calm failures; retry works.

The session fixture starts ``cupsd`` when it is not running (root only, as in the CI container) and
adds a cups-pdf queue; both are removed again afterwards if the fixture created them.
"""
from __future__ import annotations

import getpass
import glob
import os
import pwd
import re
import socket
import subprocess
import time
from pathlib import Path

import pytest
from test_printing_helpers import (
    KHAI_SINH,
    OFFICE,
    PORTAL_KHAI_SINH,
    PRINTED_AT,
    have,
    nfc_words,
    pdf_page_png,
    pdftotext,
    zbar_decode,
)

from kiosk.config import PrinterConfig
from printing import PrintStatus, build_checklist, print_checklist, printer_status, retry_print
from printing.cups_out import DOWN_MESSAGE, NO_QUEUE_MESSAGE, STOPPED_MESSAGE, scheduler_running

QUEUE = "KioskPDF"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not have("cupsd", "lpadmin", "lpinfo", "lp", "lpstat", "pdftotext"),
                       reason="CUPS / cups-pdf / poppler-utils not installed (script/bootstrap installs them)"),
]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, env={**os.environ, "LC_ALL": "C"}, timeout=30)


def _cups_pdf_model() -> str:
    models = _run("lpinfo", "-m").stdout.splitlines()
    pdf = [m.split()[0] for m in models if "cups-pdf" in m.lower()]
    if not pdf:
        pytest.skip("no CUPS-PDF driver (install printer-driver-cups-pdf)")
    return next((m for m in pdf if m.endswith("_opt.ppd")), pdf[0])


@pytest.fixture(scope="session")
def cups_queue():
    started = None
    if not scheduler_running():
        if os.geteuid() != 0:
            pytest.skip("cupsd is not running and only root can start it here")
        started = subprocess.Popen(["cupsd", "-f"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 15
        while not scheduler_running():
            assert started.poll() is None, "cupsd exited at start-up"
            assert time.monotonic() < deadline, "cupsd did not come up in 15 s"
            time.sleep(0.2)
    created = _run("lpstat", "-p", QUEUE).returncode != 0
    if created:
        # pdftocairo keeps the text extractable through cups-pdf (the default gs path turns it into Type 3)
        add = _run("lpadmin", "-p", QUEUE, "-E", "-v", "cups-pdf:/", "-m", _cups_pdf_model(),
                   "-o", "pdftops-renderer-default=pdftocairo")
        if add.returncode != 0:
            pytest.skip(f"cannot add the cups-pdf queue: {add.stderr.strip()}")
    _run("cupsenable", QUEUE)
    try:
        yield QUEUE
    finally:
        if created:
            _run("lpadmin", "-x", QUEUE)
        if started is not None:
            started.terminate()
            started.wait(15)


def _output_dirs() -> list[Path]:
    """Where cups-pdf writes: its "Out" setting (for this user) and the anonymous spool."""
    user = getpass.getuser()
    home = pwd.getpwnam(user).pw_dir
    out, anon = "${HOME}/PDF", "/var/spool/cups-pdf/ANONYMOUS"
    conf = Path("/etc/cups/cups-pdf.conf")
    if conf.is_file():
        for line in conf.read_text(errors="replace").splitlines():
            m = re.match(r"\s*(Out|AnonDirName)\s+(\S+)", line)
            if m:
                out, anon = (m.group(2), anon) if m.group(1) == "Out" else (out, m.group(2))
    out = out.replace("${HOME}", home).replace("${USER}", user)
    return [Path(out), Path(anon), Path("/var/spool/cups-pdf") / user]


def _printed_pdf(job_id: str, timeout_s: float = 20) -> Path:
    number = job_id.rsplit("-", 1)[1]
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for d in _output_dirs():
            found = glob.glob(str(d / f"*job_{number}.pdf"))
            if found and Path(found[0]).stat().st_size > 0:
                return Path(found[0])
        time.sleep(0.3)
    raise AssertionError(f"cups-pdf wrote no file for {job_id} in {[str(d) for d in _output_dirs()]}")


@pytest.fixture(scope="module")
def checklist():
    return build_checklist(KHAI_SINH, OFFICE, PRINTED_AT)


def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@pytest.mark.parametrize("paper", ["A4", "roll80"])
def test_printed_pdf_has_the_vietnamese_checklist(cups_queue, checklist, paper, tmp_path):
    cfg = PrinterConfig(kind="cups", cups_printer=cups_queue, pdf_paper=paper)
    result = print_checklist(checklist, cfg)
    assert result.status is PrintStatus.PRINTED, (result.message, result.detail)
    assert result.job_id and result.job_id.startswith(f"{cups_queue}-")
    out = _printed_pdf(result.job_id)
    try:
        text = nfc_words(pdftotext(out))
        assert "Đăng ký khai sinh" in text
        for doc in KHAI_SINH.documents:
            assert nfc_words(doc.name) in text
        assert "Xuất trình bản chính để đối chiếu" in text and "Quầy số 1" in text
        if have("pdftoppm", "zbarimg"):
            assert zbar_decode(pdf_page_png(out, tmp_path / "printed", dpi=150)) == [PORTAL_KHAI_SINH]
    finally:
        out.unlink(missing_ok=True)


def test_missing_queue_is_a_calm_failure(cups_queue, checklist):
    result = print_checklist(checklist, PrinterConfig(kind="cups", cups_printer="NoSuchQueue"))
    assert result.status is PrintStatus.FAILED and result.can_retry
    assert result.message == NO_QUEUE_MESSAGE
    assert "NoSuchQueue" in result.detail
    state = printer_status(PrinterConfig(kind="cups", cups_printer="NoSuchQueue"))
    assert not state.ready and state.message == NO_QUEUE_MESSAGE


def test_scheduler_down_is_a_calm_failure(cups_queue, checklist, monkeypatch):
    monkeypatch.setenv("CUPS_SERVER", f"127.0.0.1:{_closed_port()}")
    result = print_checklist(checklist, PrinterConfig(kind="cups", cups_printer=cups_queue))
    assert result.status is PrintStatus.FAILED
    assert result.message == DOWN_MESSAGE
    assert not printer_status(PrinterConfig(kind="cups", cups_printer=cups_queue)).ready


def test_stopped_queue_fails_then_retry_prints_once(cups_queue, checklist):
    cfg = PrinterConfig(kind="cups", cups_printer=cups_queue)
    assert printer_status(cfg).ready
    assert _run("cupsdisable", cups_queue).returncode == 0
    try:
        failed = print_checklist(checklist, cfg, wait_s=5)
        assert failed.status is PrintStatus.FAILED, failed
        assert failed.message == STOPPED_MESSAGE and failed.can_retry
        assert not printer_status(cfg).ready
        # the stuck job was cancelled: re-enabling the printer must not print it a second time
        assert failed.job_id not in _run("lpstat", "-o", cups_queue).stdout
    finally:
        _run("cupsenable", cups_queue)
    again = retry_print(failed, cfg)
    assert again.status is PrintStatus.PRINTED, (again.message, again.detail)
    assert again.attempt == 2 and again.job_id != failed.job_id
    _printed_pdf(again.job_id).unlink()
