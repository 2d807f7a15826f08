"""Fault: the printer is off, out of paper, or not there → exit 1, one calm `Lỗi:` line, never a traceback.

Through the real CLI (`kiosk checklist CODE --print`) with the printer set in the
configuration, as the kiosk would use it. The network receipt printer is a small
fake on 127.0.0.1 that answers the ESC/POS paper-status query (DLE EOT 4).
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

# Slow lane: each case prints through `kiosk` subprocesses and real printer back ends.
pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
CODE = "1.000894"  # in the mini content (conftest)


def checklist_print(tmp_path: Path, content: Path, **printer: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    env.update(KIOSK_PATHS_DATA_DIR=str(tmp_path / "data"), KIOSK_PATHS_CONTENT_DIR=str(content))
    for key, value in printer.items():
        env[f"KIOSK_PRINTER_{key.upper()}"] = value
    return subprocess.run([sys.executable, "-m", "kiosk", "checklist", CODE, "--print"], capture_output=True, text=True,
                          env=env, cwd=REPO, timeout=120)


def assert_clear_failure(r: subprocess.CompletedProcess, *needles: str) -> str:
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
    assert "Traceback" not in r.stderr + r.stdout
    errors = [ln for ln in r.stderr.splitlines() if ln.startswith("Lỗi:")]
    assert len(errors) == 1, r.stderr
    for needle in needles:
        assert needle in errors[0], (needle, errors[0])
    return errors[0]


def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    return port


class FakeReceiptPrinter:
    """An ESC/POS network printer on 127.0.0.1 that reports a paper status and keeps what it got."""

    def __init__(self, paper_status: int):
        self.status = bytes([paper_status])
        self.received = bytearray()
        self.server = socket.socket()
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(4)
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.server.accept()
            except (socket.timeout, OSError):
                continue
            conn.settimeout(0.2)
            with conn:
                pending = b""
                deadline = time.monotonic() + 30
                while not self._stop.is_set() and time.monotonic() < deadline:
                    try:
                        chunk = conn.recv(65536)
                    except socket.timeout:
                        continue
                    except OSError:
                        break
                    if not chunk:
                        break
                    self.received += chunk
                    pending = (pending + chunk)[-8:]
                    if b"\x10\x04\x04" in pending:  # DLE EOT 4: paper sensor status
                        conn.sendall(self.status)
                        pending = b""

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.server.close()


@pytest.fixture
def printer_factory():
    made = []

    def make(paper_status: int) -> FakeReceiptPrinter:
        p = FakeReceiptPrinter(paper_status)
        made.append(p)
        return p

    yield make
    for p in made:
        p.close()


def test_receipt_printer_switched_off(tmp_path, mini_content):
    r = checklist_print(tmp_path, mini_content, kind="escpos", escpos_connection=f"network:127.0.0.1:{closed_port()}")
    assert_clear_failure(r, "Máy in", "hỏi cán bộ", "Connection refused")


def test_receipt_printer_out_of_paper(tmp_path, mini_content, printer_factory):
    printer = printer_factory(0x72)  # paper-end sensor bits set
    r = checklist_print(tmp_path, mini_content, kind="escpos", escpos_connection=f"network:127.0.0.1:{printer.port}")
    line = assert_clear_failure(r, "giấy")
    assert "paper" in line
    assert b"\x1dv0" not in printer.received  # no raster image was sent to an empty printer


def test_receipt_printer_with_paper_prints(tmp_path, mini_content, printer_factory):
    """The fake printer itself is sound: with paper, the same command prints."""
    printer = printer_factory(0x12)
    r = checklist_print(tmp_path, mini_content, kind="escpos", escpos_connection=f"network:127.0.0.1:{printer.port}")
    assert r.returncode == 0, r.stderr
    assert "Đã in xong" in r.stdout
    deadline = time.monotonic() + 5
    while b"\x1dv0" not in printer.received and time.monotonic() < deadline:
        time.sleep(0.05)
    assert b"\x1dv0" in printer.received  # GS v 0: the receipt raster arrived


def test_file_printer_in_a_missing_directory(tmp_path, mini_content):
    r = checklist_print(tmp_path, mini_content, kind="escpos",
                        escpos_connection=f"file:{tmp_path}/khong-co/lp0")
    assert_clear_failure(r, "Máy in", "khong-co/lp0")


def test_cups_queue_missing(tmp_path, mini_content):
    r = checklist_print(tmp_path, mini_content, kind="cups", cups_printer="khong-co-may-in-nay")
    assert_clear_failure(r, "hỏi cán bộ")


def test_no_printer_configured(tmp_path, mini_content):
    r = checklist_print(tmp_path, mini_content, kind="none")
    assert_clear_failure(r, "chưa có máy in")


def test_printer_kind_typo(tmp_path, mini_content):
    r = checklist_print(tmp_path, mini_content, kind="escpso")
    assert_clear_failure(r, "escpso")
