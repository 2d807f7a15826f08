"""Fault: the disk is full. The citizen still gets the answer; nothing already stored is lost.

The real thing is a tiny tmpfs (we run as root in the container; skipped where mounting
is not allowed). Where it cannot be mounted, a hook makes the question-log write fail
with SQLite's own "database or disk is full" error instead.
"""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

# Slow lane: real tmpfs mounts and `kiosk` subprocesses on a full disk.
pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
CLI_SHIM = ("import sys, kiosk.cli as c\n"
            "c.COMMAND_MODULES = tuple(c.COMMAND_MODULES) + (() if 'backup' in c.COMMAND_MODULES else ('backup',))\n"
            "sys.exit(c.main(sys.argv[1:]))")
# The fallback hook: the question-log insert fails exactly as SQLite fails on a full disk.
FULL_HOOK = ("import sqlite3, sys, knowledge.qlog as q\n"
             "def full(*a, **k): raise sqlite3.OperationalError('database or disk is full')\n"
             "q.log_question = full\n" + CLI_SHIM)


def kiosk(*args: str, data_dir: Path, content_dir: Path, code: str = CLI_SHIM) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    env.update(KIOSK_PATHS_DATA_DIR=str(data_dir), KIOSK_PATHS_CONTENT_DIR=str(content_dir))
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, cwd=REPO,
                          timeout=300)


def log_count(db: Path) -> int:
    con = sqlite3.connect(f"file:{db}?immutable=1", uri=True)  # readable even on a full disk
    try:
        return con.execute("SELECT count(*) FROM question_log").fetchone()[0]
    finally:
        con.close()


def fill(mount: Path, leave_kb: int) -> Path:
    """Fill the filesystem at ``mount`` until only ``leave_kb`` KiB are free."""
    filler = mount / "filler"
    filler.unlink(missing_ok=True)
    st = os.statvfs(mount)
    free = st.f_bavail * st.f_frsize
    size = max(0, free - leave_kb * 1024)
    with open(filler, "wb") as fh:
        chunk = b"\0" * (1 << 16)
        written = 0
        try:
            while written < size:
                n = min(len(chunk), size - written)
                fh.write(chunk[:n])
                written += n
            fh.flush()
        except OSError:
            pass
    return filler


@pytest.fixture
def tiny_disk(tmp_path):
    mount = tmp_path / f"tmpfs-{uuid.uuid4().hex[:6]}"
    mount.mkdir()
    if shutil.which("mount") is None:
        pytest.skip("no mount command")
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m,mode=0755", "tmpfs", str(mount)], capture_output=True,
                       text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({r.stderr.strip()}); the hook test covers it")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def test_disk_full_when_logging_real_tmpfs(tiny_disk, mini_content):
    data = tiny_disk / "data"
    ok = kiosk("ask", "--json", "đăng ký kết hôn", data_dir=data, content_dir=mini_content)
    assert ok.returncode == 0, ok.stderr
    db = data / "kiosk.db"
    assert log_count(db) == 1
    # Room for SQLite's shared-memory index (32 KiB), none for the question log's pages.
    filler = fill(tiny_disk, leave_kb=36)
    for question in ("cho em hỏi đăng ký kết hôn cần gì", "sao y bản chính"):
        r = kiosk("ask", "--json", question, data_dir=data, content_dir=mini_content)
        assert r.returncode == 0, r.stderr
        out = json.loads(r.stdout)
        assert out["decision"] in ("answer", "clarify") and out["matches"], out
        assert "question log not written" in r.stderr and "disk is full" in r.stderr
        assert "Traceback" not in r.stderr
    assert log_count(db) == 1  # nothing half-written
    # Space comes back: logging resumes, nothing earlier was lost, the file is intact.
    filler.unlink()
    r = kiosk("ask", "--json", "đăng ký tạm trú", data_dir=data, content_dir=mini_content)
    assert r.returncode == 0 and "not written" not in r.stderr
    assert log_count(db) == 2
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()


def test_disk_completely_full_still_answers(tiny_disk, mini_content):
    data = tiny_disk / "data"
    assert kiosk("ask", "đăng ký kết hôn", data_dir=data, content_dir=mini_content).returncode == 0
    fill(tiny_disk, leave_kb=0)
    r = kiosk("ask", "--json", "cho em hỏi đăng ký kết hôn cần gì", data_dir=data, content_dir=mini_content)
    assert "Traceback" not in r.stderr
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["decision"] == "answer"


def test_disk_full_when_logging_hook(tmp_path, mini_content):
    """Same fault without a mount: the log insert raises SQLite's disk-full error."""
    data = tmp_path / "data"
    r = kiosk("ask", "--json", "cho em hỏi đăng ký kết hôn cần gì", data_dir=data, content_dir=mini_content,
              code=FULL_HOOK)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["answer"]["code"] == "1.000894"
    assert "question log not written: database or disk is full" in r.stderr
    r = kiosk("ask", "đăng ký kết hôn", data_dir=data, content_dir=mini_content, code=FULL_HOOK)
    assert r.returncode == 0 and "Lệ phí" in r.stdout  # the plain-text answer too


def test_backup_onto_a_full_disk_fails_cleanly(tiny_disk, mini_content, tmp_path):
    data = tmp_path / "data"
    assert kiosk("ask", "đăng ký kết hôn", data_dir=data, content_dir=mini_content).returncode == 0
    dest = tiny_disk / "backups"
    first = kiosk("backup", "--dest", str(dest), data_dir=data, content_dir=mini_content)
    assert first.returncode == 0, first.stderr
    kept = sorted(dest.iterdir())
    fill(tiny_disk, leave_kb=8)
    r = kiosk("backup", "--dest", str(dest), data_dir=data, content_dir=mini_content)
    assert r.returncode == 1 and r.stderr.startswith("Lỗi:") and "Traceback" not in r.stderr
    assert sorted(dest.iterdir()) == kept  # the earlier backup is untouched, no partial file left
