"""ESC/POS through python-escpos: Dummy bytes decoded back to the picture, File and Network printers,
printer errors (missing directory, closed port, paper out) as PrinterUnavailable."""
from __future__ import annotations

import socket
import threading

import pytest
from PIL import ImageChops
from test_printing_helpers import (
    KHAI_SINH,
    OFFICE,
    PORTAL_KHAI_SINH,
    PRINTED_AT,
    decode_escpos_raster,
    have,
    zbar_decode,
)

from printing import PrinterNotConfigured, PrinterUnavailable, build_checklist, render_escpos_bytes, render_receipt
from printing.escpos_out import PAPER_OUT_MESSAGE, parse_connection, print_receipt


@pytest.fixture(scope="module")
def checklist():
    return build_checklist(KHAI_SINH, OFFICE, PRINTED_AT)


@pytest.mark.slow
@pytest.mark.parametrize("width", [576, 384])
def test_dummy_bytes_decode_to_the_receipt(checklist, width, tmp_path):
    data = render_escpos_bytes(checklist, width)
    assert data.startswith(b"\x1b@")  # initialise
    assert data.endswith(b"\x1dV\x00")  # full cut
    img = decode_escpos_raster(data)
    assert img.width == width
    black = img.convert("L").histogram()[0]
    assert black / (img.width * img.height) > 0.03, "the printed picture is blank"
    expected = render_receipt(checklist, width)
    assert img.size == expected.size
    assert ImageChops.difference(img.convert("L"), expected.convert("L")).getbbox() is None
    if have("zbarimg"):
        png = tmp_path / "decoded.png"
        img.save(png)
        assert zbar_decode(png) == [PORTAL_KHAI_SINH]


@pytest.mark.slow
def test_file_printer_writes_the_same_bytes(checklist, tmp_path):
    out = tmp_path / "lp0"
    print_receipt(checklist, f"file:{out}", 576)
    assert out.read_bytes() == render_escpos_bytes(checklist, 576)


def test_file_in_a_missing_directory_is_unavailable(checklist, tmp_path):
    with pytest.raises(PrinterUnavailable) as err:
        print_receipt(checklist, f"file:{tmp_path}/no/such/dir/lp0", 576)
    assert "chưa sẵn sàng" in err.value.message
    assert "no/such/dir" in err.value.detail


def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_network_printer_on_a_closed_port_is_unavailable(checklist):
    with pytest.raises(PrinterUnavailable) as err:
        print_receipt(checklist, f"network:127.0.0.1:{_closed_port()}", 576)
    assert "127.0.0.1" in err.value.detail


class FakeNetworkPrinter:
    """A TCP "printer" on localhost: records what it receives, answers DLE EOT 4 with a paper status."""

    def __init__(self, paper_status: int):
        self.paper_status = paper_status
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.received = bytearray()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        conn, _ = self.server.accept()
        with conn:
            conn.settimeout(10)
            while True:
                try:
                    chunk = conn.recv(65536)
                except OSError:
                    break
                if not chunk:
                    break
                self.received += chunk
                if b"\x10\x04\x04" in chunk:  # real-time paper status request
                    conn.sendall(bytes([self.paper_status]))

    def close(self) -> None:
        self.server.close()
        self.thread.join(5)


@pytest.mark.slow
def test_network_printer_receives_the_receipt(checklist):
    printer = FakeNetworkPrinter(paper_status=0x12)  # paper adequate
    try:
        print_receipt(checklist, f"network:127.0.0.1:{printer.port}", 576)
        printer.thread.join(10)
    finally:
        printer.close()
    data = bytes(printer.received)
    assert data.startswith(b"\x10\x04\x04")  # asked for paper first
    assert data[3:] == render_escpos_bytes(checklist, 576)


def test_paper_out_is_reported_and_nothing_is_printed(checklist):
    printer = FakeNetworkPrinter(paper_status=0x72)  # paper end sensor: no paper
    try:
        with pytest.raises(PrinterUnavailable) as err:
            print_receipt(checklist, f"network:127.0.0.1:{printer.port}", 576)
        printer.thread.join(10)
    finally:
        printer.close()
    assert err.value.message == PAPER_OUT_MESSAGE
    assert b"\x1dv0" not in printer.received


def test_usb_printer_absent_is_unavailable(checklist):
    # without pyusb: "missing pyusb"; with it: no device 0x0001:0x0001 on this machine
    with pytest.raises(PrinterUnavailable):
        print_receipt(checklist, "usb:0x0001:0x0001", 576)


@pytest.mark.parametrize(
    "text, kind, args",
    [
        ("usb:0x0416:0x5011", "usb", {"idVendor": 0x0416, "idProduct": 0x5011}),
        ("usb:04b8:0202", "usb", {"idVendor": 0x04B8, "idProduct": 0x0202}),
        ("serial:/dev/ttyUSB0", "serial", {"devfile": "/dev/ttyUSB0", "baudrate": 9600}),
        ("serial:/dev/ttyS1:19200", "serial", {"devfile": "/dev/ttyS1", "baudrate": 19200}),
        ("network:192.168.1.50", "network", {"host": "192.168.1.50", "port": 9100}),
        ("network:printer.local:9101", "network", {"host": "printer.local", "port": 9101}),
        ("file:/dev/usb/lp0", "file", {"devfile": "/dev/usb/lp0"}),
    ],
)
def test_connection_strings(text, kind, args):
    conn = parse_connection(text)
    assert (conn.kind, conn.args) == (kind, args)


@pytest.mark.parametrize("text", ["", "usb", "usb:xyz:1", "network:", "network:host:port", "lpt:1", "bluetooth:aa"])
def test_bad_connection_strings_are_configuration_errors(text):
    with pytest.raises(PrinterNotConfigured) as err:
        parse_connection(text)
    assert "escpos_connection" in err.value.detail
