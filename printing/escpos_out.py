"""Thermal receipt printers (ESC/POS) through python-escpos.

The receipt is sent as one raster picture (``GS v 0``) made by printing.raster, then the
paper is cut. The connection string comes from ``PrinterConfig.escpos_connection``:

- ``usb:VID:PID`` (hex, e.g. ``usb:0x0416:0x5011``; needs pyusb)
- ``serial:/dev/ttyUSB0[:BAUD]`` (needs pyserial)
- ``network:HOST[:PORT]`` (port 9100 by default)
- ``file:/dev/usb/lp0`` (a device node or any file)
"""
from __future__ import annotations

import copy
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

from printing.checklist import Checklist
from printing.errors import PrinterNotConfigured, PrinterUnavailable
from printing.raster import render_receipt

# A python-escpos printer (Usb, Serial, Network, File or Dummy): the library ships no types.
EscposPrinter = Any

log = logging.getLogger(__name__)

NETWORK_TIMEOUT_S = 5.0
STATUS_TIMEOUT_S = 1.5
USB_TIMEOUT_MS = 5000
OFFLINE_MESSAGE = "Máy in phiếu chưa sẵn sàng. Xin mời ông/bà hỏi cán bộ tại quầy hướng dẫn."
PAPER_OUT_MESSAGE = "Máy in phiếu đã hết giấy. Xin mời ông/bà báo cán bộ tại quầy hướng dẫn."


@dataclass(frozen=True, slots=True)
class Connection:
    kind: str  # usb | serial | network | file
    target: str  # what the printer class is opened with (for messages)
    args: dict


def parse_connection(text: str) -> Connection:
    """Parse ``usb:VID:PID``, ``serial:DEV[:BAUD]``, ``network:HOST[:PORT]`` or ``file:PATH``."""
    text = (text or "").strip()
    kind, _, rest = text.partition(":")
    kind = kind.lower()
    bad = PrinterNotConfigured(
        "Máy in phiếu chưa được cài đặt đúng",
        f"printer.escpos_connection={text!r}; dạng đúng: usb:VID:PID | serial:/dev/ttyUSB0 | "
        "network:HOST[:PORT] | file:/dev/usb/lp0",
    )
    if not text or not rest:
        raise bad
    if kind == "usb":
        vid, _, pid = rest.partition(":")
        try:
            return Connection("usb", rest, {"idVendor": int(vid, 16), "idProduct": int(pid, 16)})
        except ValueError:
            raise bad from None
    if kind == "serial":
        dev, sep, baud = rest.rpartition(":")
        if not sep or not baud.isdigit():
            dev, baud = rest, "9600"
        return Connection("serial", dev, {"devfile": dev, "baudrate": int(baud)})
    if kind == "network":
        host, _, port = rest.rpartition(":") if ":" in rest else (rest, "", "")
        try:
            port_no = int(port) if port else 9100
        except ValueError:
            raise bad from None
        if not host or not 0 < port_no < 65536:
            raise bad
        return Connection("network", f"{host}:{port_no}", {"host": host, "port": port_no})
    if kind == "file":
        return Connection("file", rest, {"devfile": rest})
    raise bad


def _with_width(p: EscposPrinter, width: int) -> EscposPrinter:
    """Tell the printer's (generic) profile the paper width, so escpos checks the image fits."""
    data = copy.deepcopy(p.profile.profile_data)
    data["media"]["width"]["pixels"] = width
    p.profile.profile_data = data  # on the instance: the shared profile class stays untouched
    return p


def open_printer(conn: Connection, width: int) -> EscposPrinter:
    """A connected python-escpos printer, or PrinterUnavailable."""
    from escpos import printer as escpos_printer

    extra = {"usb": (escpos_printer.Usb, "pyusb"), "serial": (escpos_printer.Serial, "pyserial")}.get(conn.kind)
    if extra and not extra[0].is_usable():  # optional dependency of python-escpos
        raise PrinterUnavailable(
            OFFLINE_MESSAGE, f"{conn.kind}: thiếu gói Python {extra[1]} / missing {extra[1]} (python-escpos[{conn.kind}])"
        )
    try:
        if conn.kind == "usb":
            p = escpos_printer.Usb(**conn.args, timeout=USB_TIMEOUT_MS)
        elif conn.kind == "serial":
            p = escpos_printer.Serial(**conn.args)
        elif conn.kind == "network":
            p = escpos_printer.Network(**conn.args, timeout=NETWORK_TIMEOUT_S)
        else:
            p = escpos_printer.File(**conn.args)
        _with_width(p, width)
        p.open()
        return p
    except Exception as exc:  # DeviceNotFoundError, OSError, USBError, SerialException…
        raise PrinterUnavailable(OFFLINE_MESSAGE, f"{conn.kind} {conn.target}: {_one_line(exc)}") from exc


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _paper_out(p: EscposPrinter, conn: Connection) -> bool:
    """Ask the printer (DLE EOT 4) whether paper is out; unknown counts as "no"."""
    if conn.kind == "file":
        return False  # a device node or file cannot answer
    try:
        if conn.kind == "network":
            p.device.settimeout(STATUS_TIMEOUT_S)
        try:
            return p.paper_status() == 0
        finally:
            if conn.kind == "network":
                p.device.settimeout(NETWORK_TIMEOUT_S)
    except Exception as exc:  # many printers do not answer status queries
        log.debug("paper status unknown on %s: %s", conn.target, exc)
        return False


def send_image(p: EscposPrinter, image: Image.Image) -> None:
    """Initialise, print the picture as GS v 0 raster, feed and cut."""
    p.hw("INIT")
    p.image(image, impl="bitImageRaster", center=False)
    p.cut()


def print_receipt(checklist: Checklist, connection: str, width: int) -> None:
    """Print the checklist on the thermal printer; PrinterUnavailable when it cannot."""
    conn = parse_connection(connection)
    image = render_receipt(checklist, width)
    p = open_printer(conn, width)
    try:
        if _paper_out(p, conn):
            raise PrinterUnavailable(PAPER_OUT_MESSAGE, f"{conn.kind} {conn.target}: paper status = no paper")
        send_image(p, image)
        log.info("printed checklist %s on %s %s (%dx%d dots)", checklist.code, conn.kind, conn.target, *image.size)
    except PrinterUnavailable:
        raise
    except Exception as exc:  # OSError, socket timeout, USBError, SerialException… while writing
        raise PrinterUnavailable(OFFLINE_MESSAGE, f"{conn.kind} {conn.target}: {_one_line(exc)}") from exc
    finally:
        try:
            p.close()
        except Exception:  # closing a dead connection must not hide the real error
            pass


def render_escpos_bytes(checklist: Checklist, width: int = 576) -> bytes:
    """The exact bytes a printer would receive (python-escpos Dummy printer)."""
    from escpos.printer import Dummy

    p = _with_width(Dummy(), width)
    send_image(p, render_receipt(checklist, width))
    return p.output


def check_escpos(connection: str, width: int) -> None:
    """Open the connection (and ask for paper) without printing; raises like print_receipt."""
    conn = parse_connection(connection)
    if conn.kind == "file":  # opening would truncate a plain file: only check it can be written
        path = Path(conn.target)
        if not (os.access(path, os.W_OK) if path.exists() else os.access(path.parent, os.W_OK)):
            raise PrinterUnavailable(OFFLINE_MESSAGE, f"file {path}: không ghi được / not writable")
        return
    p = open_printer(conn, width)
    try:
        if _paper_out(p, conn):
            raise PrinterUnavailable(PAPER_OUT_MESSAGE, f"{conn.kind} {conn.target}: no paper")
    finally:
        try:
            p.close()
        except Exception:
            pass
