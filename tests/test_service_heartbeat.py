"""kiosk.heartbeat: the sd_notify protocol against a real unix datagram socket, as systemd reads it."""
from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from kiosk.heartbeat import Heartbeat

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def notify_socket(tmp_path):
    """A stand-in for systemd's /run/systemd/notify: (address, receive())."""
    path = tmp_path / "notify"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    sock.settimeout(5)

    def receive() -> str:
        return sock.recv(4096).decode("utf-8")

    yield str(path), receive
    sock.close()


def test_no_socket_is_a_silent_no_op():
    hb = Heartbeat.from_env({})
    assert not hb.enabled and hb.interval is None
    assert hb.ready() is False and hb.beat() is False and hb.status("x") is False and hb.stopping() is False


def test_messages_reach_systemd(notify_socket):
    address, receive = notify_socket
    hb = Heartbeat.from_env({"NOTIFY_SOCKET": address, "WATCHDOG_USEC": "30000000"})
    assert hb.enabled and hb.interval == 15.0  # half of WatchdogSec=30s
    assert hb.status("Đang nạp mô hình…")
    assert receive() == "STATUS=Đang nạp mô hình…"
    assert hb.ready("Sẵn sàng")
    assert receive() == "READY=1\nSTATUS=Sẵn sàng"
    for _ in range(3):
        assert hb.beat()
        assert receive() == "WATCHDOG=1"
    assert hb.extend_timeout(90)
    assert receive() == "EXTEND_TIMEOUT_USEC=90000000"
    assert hb.stopping()
    assert receive() == "STOPPING=1"
    hb.close()


def test_status_is_one_line(notify_socket):
    address, receive = notify_socket
    Heartbeat(address).status("dòng một\ndòng  hai")
    assert receive() == "STATUS=dòng một dòng hai"


def test_abstract_socket():
    name = f"kiosk-test-{uuid.uuid4().hex}"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(b"\0" + name.encode())
    sock.settimeout(5)
    try:
        assert Heartbeat.from_env({"NOTIFY_SOCKET": "@" + name}).ready()
        assert sock.recv(100) == b"READY=1"
    finally:
        sock.close()


def test_watchdog_belongs_to_the_main_process_only(notify_socket):
    address, _ = notify_socket
    other = Heartbeat.from_env({"NOTIFY_SOCKET": address, "WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"})
    assert other.interval is None  # systemd watches another PID: not ours to feed
    ours = Heartbeat.from_env({"NOTIFY_SOCKET": address, "WATCHDOG_USEC": "30000000", "WATCHDOG_PID": str(os.getpid())})
    assert ours.interval == 15.0
    assert Heartbeat.from_env({"NOTIFY_SOCKET": address, "WATCHDOG_USEC": "junk"}).interval is None


def test_a_vanished_socket_never_raises(tmp_path, caplog):
    hb = Heartbeat(str(tmp_path / "gone"), watchdog_usec=10_000_000)
    with caplog.at_level(logging.WARNING, logger="kiosk.heartbeat"):
        assert hb.beat() is False
        assert hb.beat() is False
        assert hb.ready() is False
    assert len([r for r in caplog.records if "notification" in r.getMessage()]) == 1  # warned once


def test_from_a_child_process_like_systemd_starts_it(notify_socket):
    """The env that systemd gives a Type=notify service is enough: no library, no config."""
    address, receive = notify_socket
    code = ("from kiosk.heartbeat import Heartbeat; hb = Heartbeat.from_env(); "
            "assert hb.interval == 5.0, hb; hb.ready('ok'); hb.beat()")
    env = {**os.environ, "NOTIFY_SOCKET": address, "WATCHDOG_USEC": "10000000"}
    env.pop("WATCHDOG_PID", None)
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=REPO, timeout=60)
    assert r.returncode == 0, r.stderr
    assert receive() == "READY=1\nSTATUS=ok"
    assert receive() == "WATCHDOG=1"
