"""Tell systemd how the kiosk is doing (``sd_notify``): ready, alive, and what it is doing.

``kiosk.service`` is ``Type=notify`` with ``WatchdogSec=``: systemd starts the app,
waits for ``READY=1`` and then expects ``WATCHDOG=1`` at least every ``WatchdogSec``;
a missed beat means the app is hung, and systemd kills and restarts it. The protocol
is a few text lines sent as one datagram to the unix socket named by
``$NOTIFY_SOCKET`` — no library needed. Without ``$NOTIFY_SOCKET`` (a developer's
terminal, tests) every call is a cheap no-op.

Use from the app (the beat must come from the UI thread, so a frozen UI is caught)::

    from kiosk.heartbeat import Heartbeat

    hb = Heartbeat.from_env()
    hb.status("Đang nạp mô hình nhận dạng…")
    ...                                   # load models, build screens
    hb.ready("Sẵn sàng")
    if hb.interval:                       # None when systemd runs no watchdog
        Clock.schedule_interval(lambda dt: hb.beat(), hb.interval)
    ...
    hb.stopping()                         # on a clean exit

No method raises: a broken socket is logged once and then ignored, because the
heartbeat must never be what brings the kiosk down.
"""
from __future__ import annotations

import logging
import os
import socket
from typing import Mapping

log = logging.getLogger(__name__)

__all__ = ["Heartbeat"]


class Heartbeat:
    """A connection to systemd's notification socket (or nothing)."""

    def __init__(self, address: str | None, *, watchdog_usec: int | None = None) -> None:
        """``address``: the ``$NOTIFY_SOCKET`` value (a path, or ``@name`` for an
        abstract socket); None = no-op. ``watchdog_usec``: ``$WATCHDOG_USEC``."""
        self.address = address or None
        self.watchdog_usec = watchdog_usec if watchdog_usec and watchdog_usec > 0 else None
        self._sock: socket.socket | None = None
        self._warned = False

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Heartbeat":
        """From ``$NOTIFY_SOCKET``, ``$WATCHDOG_USEC`` and ``$WATCHDOG_PID`` (as systemd sets them).

        The watchdog is only ours when ``$WATCHDOG_PID`` is unset or our own PID
        (systemd sets it to the main process; a child must not feed it).
        """
        env = os.environ if environ is None else environ
        watchdog = None
        try:
            usec = int(env.get("WATCHDOG_USEC", "") or 0)
            pid = int(env.get("WATCHDOG_PID", "") or 0)
        except ValueError:
            usec, pid = 0, 0
        if usec > 0 and pid in (0, os.getpid()):
            watchdog = usec
        return cls(env.get("NOTIFY_SOCKET") or None, watchdog_usec=watchdog)

    # ------------------------------------------------------------------ state

    @property
    def enabled(self) -> bool:
        """True when running under systemd with a notification socket."""
        return self.address is not None

    @property
    def interval(self) -> float | None:
        """Seconds between :meth:`beat` calls: half of ``WatchdogSec`` (systemd's own
        advice), or None when there is no watchdog to feed."""
        if not self.enabled or self.watchdog_usec is None:
            return None
        return self.watchdog_usec / 2_000_000

    # ------------------------------------------------------------------ messages

    def ready(self, status: str | None = None) -> bool:
        """Start-up finished (models loaded, first screen shown): ``READY=1``."""
        return self.notify(READY="1", STATUS=status)

    def beat(self) -> bool:
        """Still alive: ``WATCHDOG=1``. Call every :attr:`interval` seconds from the UI thread."""
        return self.notify(WATCHDOG="1")

    def status(self, text: str) -> bool:
        """A one-line status shown by ``systemctl status kiosk``: ``STATUS=…``."""
        return self.notify(STATUS=text)

    def stopping(self, status: str | None = None) -> bool:
        """A clean shutdown has begun: ``STOPPING=1``."""
        return self.notify(STOPPING="1", STATUS=status)

    def extend_timeout(self, seconds: float) -> bool:
        """Ask for more start-up (or shutdown) time, e.g. while a large model loads."""
        return self.notify(EXTEND_TIMEOUT_USEC=str(max(1, int(seconds * 1_000_000))))

    def notify(self, **fields: str | None) -> bool:
        """Send ``KEY=value`` lines (None values skipped) in one datagram.

        Returns True when sent, False when disabled or the send failed (never raises).
        """
        if not self.enabled:
            return False
        lines = []
        for key, value in fields.items():
            if value is None:
                continue
            value = " ".join(str(value).split())  # one line per field
            lines.append(f"{key}={value}")
        if not lines:
            return False
        try:
            sock = self._socket()
            sock.sendto("\n".join(lines).encode("utf-8"), self._sockaddr())
        except OSError as exc:
            if not self._warned:
                log.warning("systemd notification to %s failed: %s", self.address, exc)
                self._warned = True
            self.close()
            return False
        return True

    def close(self) -> None:
        if self._sock is not None:
            try:
                self._sock.close()
            finally:
                self._sock = None

    def __repr__(self) -> str:
        return f"Heartbeat(address={self.address!r}, interval={self.interval!r})"

    # ------------------------------------------------------------------ socket

    def _sockaddr(self) -> str | bytes:
        assert self.address is not None
        if self.address.startswith("@"):  # Linux abstract namespace
            return b"\0" + self.address[1:].encode()
        return self.address

    def _socket(self) -> socket.socket:
        if self._sock is None:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
            sock.setblocking(False)  # systemd reads promptly; never stall the UI thread
            self._sock = sock
        return self._sock
