"""Faults in content: malformed sources are refused whole; a process killed mid-import loses nothing.

Every import is one SQLite transaction (knowledge.store.publish) in WAL mode, so a
SIGKILL at any moment must leave the previous content live and the file intact.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import write_content

# Slow lane: each case imports content in a `kiosk` subprocess (one is killed mid-import).
pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
CONTENT_TABLES = ("procedures", "documents", "steps", "aliases", "categories", "office", "counters", "notices",
                  "meta", "content_versions")


def kiosk(*args: str, data_dir: Path, content_dir: Path | None = None, **kw) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    env["KIOSK_PATHS_DATA_DIR"] = str(data_dir)
    if content_dir is not None:
        env["KIOSK_PATHS_CONTENT_DIR"] = str(content_dir)
    return subprocess.run([sys.executable, "-m", "kiosk", *args], capture_output=True, text=True, env=env, cwd=REPO,
                          timeout=300, **kw)


def db_digest(db_path: Path) -> str:
    """A digest of every content table's rows (independent of WAL/checkpoint state)."""
    con = sqlite3.connect(db_path)
    try:
        h = hashlib.sha256()
        for table in CONTENT_TABLES:
            for row in con.execute(f"SELECT * FROM [{table}] ORDER BY 1"):
                h.update(repr(row).encode())
        return h.hexdigest()
    finally:
        con.close()


def integrity(db_path: Path) -> str:
    con = sqlite3.connect(db_path)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()


def live_version(db_path: Path) -> str:
    con = sqlite3.connect(db_path)
    try:
        return con.execute("SELECT value FROM meta WHERE key = 'content_version'").fetchone()[0]
    finally:
        con.close()


@pytest.fixture
def imported(tmp_path, mini_content):
    """A data dir whose database holds the mini content (the "old" content)."""
    data = tmp_path / "data"
    r = kiosk("content", "import", data_dir=data, content_dir=mini_content)
    assert r.returncode == 0, r.stderr
    return data, mini_content


def break_content(root: Path, how: str) -> None:
    procs = root / "procedures"
    if how == "broken YAML":
        (procs / "1.000894.yaml").write_text('code: "1.000894"\ntitle: [chưa đóng ngoặc\n', encoding="utf-8")
    elif how == "missing title":
        text = (procs / "1.000894.yaml").read_text(encoding="utf-8")
        (procs / "1.000894.yaml").write_text(text.replace("title: Đăng ký kết hôn\n", ""), encoding="utf-8")
    elif how == "unknown category":
        text = (procs / "1.000894.yaml").read_text(encoding="utf-8")
        (procs / "1.000894.yaml").write_text(text.replace("category: ho-tich", "category: khong-co"), encoding="utf-8")
    elif how == "duplicate code":
        shutil.copy(procs / "1.000894.yaml", procs / "1.000894-copy.yaml")
    elif how == "binary garbage":
        (procs / "1.999999.yaml").write_bytes(os.urandom(3000))
    elif how == "bad catalogue row":
        (root / "catalogue.csv").write_text("code,title,category,handled_by,level,source\n,,,,\n", encoding="utf-8")
    elif how == "empty office file":
        (root / "office.yaml").write_text("", encoding="utf-8")
    elif how == "no procedures":
        shutil.rmtree(procs)
        procs.mkdir()
    elif how == "impossible date":
        text = (procs / "1.000894.yaml").read_text(encoding="utf-8")
        (procs / "1.000894.yaml").write_text(text + "review_by: 2024-13-40\n", encoding="utf-8")
    else:  # pragma: no cover
        raise ValueError(how)


MALFORMED = ["broken YAML", "missing title", "unknown category", "duplicate code", "binary garbage",
             "bad catalogue row", "empty office file", "no procedures", "impossible date"]


@pytest.mark.parametrize("how", MALFORMED)
def test_malformed_content_is_refused_and_the_db_is_unchanged(how, imported, tmp_path):
    data, mini = imported
    before = db_digest(data / "kiosk.db")
    bad = shutil.copytree(mini, tmp_path / "bad")
    break_content(bad, how)
    for command in ("validate", "import"):
        r = kiosk("content", command, str(bad), data_dir=data)
        assert r.returncode == 1, (command, r.stdout, r.stderr)
        assert "Traceback" not in r.stderr + r.stdout
        assert "Lỗi:" in r.stdout + r.stderr
    assert db_digest(data / "kiosk.db") == before
    assert integrity(data / "kiosk.db") == "ok"


def test_missing_content_dir(imported, tmp_path):
    data, _ = imported
    before = db_digest(data / "kiosk.db")
    r = kiosk("content", "import", str(tmp_path / "nowhere"), data_dir=data)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert db_digest(data / "kiosk.db") == before


# ---------------------------------------------------------------- killed mid-import

LARGE_N = 120


@pytest.fixture(scope="module")
def large_content(tmp_path_factory) -> Path:
    """120 generated procedures, 12 aliases each: ~1 s to validate, a few ms to commit."""
    procs = {}
    cats = ["ho-tich", "chung-thuc", "cu-tru"]
    for i in range(LARGE_N):
        procs[f"9.{i:06d}"] = (f"Thủ tục thử nghiệm số {i} về giấy tờ", cats[i % 3],
                               [f"câu hỏi dân gian số {i} biến thể {j} làm giấy tờ" for j in range(12)])
    return write_content(tmp_path_factory.mktemp("large") / "content", procs)


def _wal_size(db: Path) -> int:
    try:
        return os.stat(str(db) + "-wal").st_size
    except FileNotFoundError:
        return 0


def _start_import(data: Path, content: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    env["KIOSK_PATHS_DATA_DIR"] = str(data)
    return subprocess.Popen([sys.executable, "-m", "kiosk", "content", "import", str(content)], env=env, cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _kill(proc: subprocess.Popen) -> bool:
    """SIGKILL; True when the process was still running (the kill interrupted it)."""
    alive = proc.poll() is None
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    return alive


def _kill_during_write(proc: subprocess.Popen, db: Path, delay_s: float, timeout_s: float = 120) -> bool:
    """SIGKILL ``delay_s`` after the import starts writing frames to the WAL (SQLite
    writes the transaction's pages there while committing; the WAL header alone is 32
    bytes). True when the process was still running at the kill."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and proc.poll() is None:
        if _wal_size(db) > 32:
            if delay_s:
                time.sleep(delay_s)
            break
        time.sleep(0.0002)
    return _kill(proc)


def counts(db: Path) -> dict[str, int]:
    con = sqlite3.connect(db)
    try:
        return {t: con.execute(f"SELECT count(*) FROM [{t}]").fetchone()[0]
                for t in ("procedures", "documents", "steps", "aliases")}
    finally:
        con.close()


# When to kill: "validating" = a fraction of the time a calibration run took to reach its
# first WAL write (reading and checking the source; nothing written yet); "write" = this
# long after the commit began writing pages to the WAL (the transaction is then partly
# on disk and not yet committed — or, for the later kills, just committed).
KILLS = [("validating, 30 %", "start", 0.3), ("validating, 60 %", "start", 0.6),
         ("first WAL frame + 0 ms", "write", 0.0), ("first WAL frame + 0.5 ms", "write", 0.0005),
         ("first WAL frame + 1 ms", "write", 0.001), ("first WAL frame + 5 ms", "write", 0.005)]


def _time_to_first_write(content: Path, data: Path) -> float:
    """Calibration: seconds from process start to the first WAL page, in a scratch data dir."""
    assert kiosk("content", "import", str(content), data_dir=data).returncode == 0  # a DB with old content
    proc = _start_import(data, content)
    started = time.monotonic()
    while proc.poll() is None and _wal_size(data / "kiosk.db") <= 32:
        time.sleep(0.0002)
    elapsed = time.monotonic() - started
    proc.wait(timeout=120)
    return elapsed


def ask(data: Path, question: str, monkeypatch, capsys) -> dict:
    """`kiosk ask --json` through the CLI's main() in this process (saves an interpreter start)."""
    from kiosk.cli import main

    monkeypatch.setenv("KIOSK_PATHS_DATA_DIR", str(data))
    capsys.readouterr()
    assert main(["ask", "--json", "--no-log", question]) == 0
    return json.loads(capsys.readouterr().out)


def test_sigkill_mid_import_keeps_the_old_content(imported, large_content, monkeypatch, capsys, tmp_path):
    data, mini = imported
    to_write = _time_to_first_write(large_content, tmp_path / "calibration")
    db = data / "kiosk.db"
    new_versions = set()
    old_version, old_digest = live_version(db), db_digest(db)
    outcomes = {}
    for label, kind, seconds in KILLS:
        proc = _start_import(data, large_content)
        if kind == "start":
            time.sleep(seconds * to_write)
            interrupted = _kill(proc)
        else:
            interrupted = _kill_during_write(proc, db, seconds)
        # Whatever the moment: the database opens, is intact, and holds exactly one
        # whole version — the old one, or (killed after the commit) the new one.
        assert integrity(db) == "ok", label
        version = live_version(db)
        answer = ask(data, "cho em hỏi đăng ký kết hôn cần gì", monkeypatch, capsys)
        if version == old_version:
            assert db_digest(db) == old_digest, label
            # the old content is still served
            assert answer["decision"] == "answer" and answer["answer"]["code"] == "1.000894", label
            outcomes[label] = "old content kept" if interrupted else "old content kept (not running?)"
        else:
            assert counts(db)["procedures"] == LARGE_N and counts(db)["aliases"] == LARGE_N * 12, label
            new_versions.add(version)
            outcomes[label] = "new content complete (committed before the kill)"
            assert kiosk("content", "import", str(mini), data_dir=data).returncode == 0  # back to the old
            old_version, old_digest = live_version(db), db_digest(db)
    print(f"kill outcomes (first WAL write after {to_write:.2f} s):", json.dumps(outcomes, ensure_ascii=False, indent=1))
    assert outcomes["validating, 30 %"] == "old content kept"
    mid_write = [k for k, v in outcomes.items() if k.startswith("first WAL") and v == "old content kept"]
    assert mid_write, outcomes  # at least one kill really landed inside the commit
    # …and the next import, left alone, goes through.
    r = kiosk("content", "import", str(large_content), data_dir=data)
    assert r.returncode == 0, r.stderr
    assert integrity(db) == "ok" and counts(db)["procedures"] == LARGE_N
    assert new_versions <= {live_version(db)}  # a version seen after a kill was the whole new content
