"""`kiosk backup`: online copy while the kiosk writes, retention, the question-log purge, restore."""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import kiosk.cli
from kiosk.backup import BackupError, copy_database, prune, run_backup
from kiosk.config import PrivacyConfig
from kiosk.services import load_knowledge
from knowledge.model import Decision
from knowledge.qlog import log_question

REPO = Path(__file__).resolve().parents[1]


def kiosk_backup(*args: str, data_dir: Path, content_dir: Path | None = None, extra_env: dict | None = None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    env["KIOSK_PATHS_DATA_DIR"] = str(data_dir)
    if content_dir:
        env["KIOSK_PATHS_CONTENT_DIR"] = str(content_dir)
    env.update(extra_env or {})
    return subprocess.run([sys.executable, "-m", "kiosk", "backup", *args], capture_output=True, text=True, env=env,
                          cwd=REPO, timeout=120)


@pytest.fixture
def live(mini_config):
    """A kiosk database with content and a few logged questions."""
    kb, db = load_knowledge(mini_config)
    for q in ("đăng ký kết hôn", "làm giấy khai sinh", "thời tiết"):
        r = kb.ask(q)
        log_question(db, q, r.decision, r.matches, content_version=kb.version)
    return mini_config, kb, db


def rows(path: Path, sql: str) -> list[tuple]:
    con = sqlite3.connect(path)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_backup_is_a_consistent_copy(live, tmp_path):
    config, kb, db = live
    result = run_backup(config, dest=tmp_path / "bk")
    assert len(result.copies) == 1
    copy = result.copies[0]
    assert copy.name.startswith("kiosk-") and copy.suffix == ".db"
    assert rows(copy, "PRAGMA integrity_check") == [("ok",)]
    assert rows(copy, "PRAGMA journal_mode") == [("delete",)]  # one self-contained file
    assert rows(copy, "SELECT value FROM meta WHERE key='content_version'") == [(kb.version,)]
    assert rows(copy, "SELECT count(*) FROM question_log") == [(3,)]
    assert not list((tmp_path / "bk").glob("*.partial"))


def test_backup_while_the_kiosk_keeps_writing(live, tmp_path):
    config, kb, db = live
    stop = threading.Event()
    written = [0]

    def writer():
        from knowledge.store import open_db

        wdb = open_db(config.paths.db_path)
        while not stop.is_set():
            log_question(wdb, "sao y bản chính", Decision.NONE, [], content_version=kb.version)
            written[0] += 1
        wdb.close()

    t = threading.Thread(target=writer)
    t.start()
    try:
        copies = [run_backup(config, dest=tmp_path / "bk", keep=10).copies[0] for _ in range(3)]
    finally:
        stop.set()
        t.join()
    assert written[0] > 0
    counts = [rows(c, "SELECT count(*) FROM question_log")[0][0] for c in copies]
    assert all(rows(c, "PRAGMA integrity_check") == [("ok",)] for c in copies)
    assert counts == sorted(counts) and counts[0] >= 3


def test_retention_keeps_the_newest(live, tmp_path):
    config, _, _ = live
    dest = tmp_path / "bk"
    base = dt.datetime(2026, 1, 1, 2, 30)
    for day in range(6):
        run_backup(config, dest=dest, keep=3, now=base + dt.timedelta(days=day))
    (dest / "kiosk-20250101-000000.db.partial").write_bytes(b"half")  # a power cut mid-copy
    (dest / "notes.txt").write_text("the staff's own file")
    run_backup(config, dest=dest, keep=3, now=base + dt.timedelta(days=6))
    names = sorted(p.name for p in dest.iterdir())
    assert names == ["kiosk-20260105-023000.db", "kiosk-20260106-023000.db", "kiosk-20260107-023000.db", "notes.txt"]


def test_two_backups_in_the_same_second_do_not_overwrite(live, tmp_path):
    config, _, _ = live
    now = dt.datetime(2026, 3, 1, 2, 30)
    a = run_backup(config, dest=tmp_path, now=now).copies[0]
    b = run_backup(config, dest=tmp_path, now=now).copies[0]
    assert a != b and a.exists() and b.exists()
    assert prune(tmp_path, "kiosk", 1) == [a]  # "-1" sorts after the plain name: b is the newer


def test_backup_purges_old_questions(live, tmp_path):
    config, _, db = live
    old = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=200)).isoformat(timespec="seconds")
    db["question_log"].insert_all([{"asked_at": old, "channel": "text", "query": "cũ", "decision": "none"}] * 4)
    assert rows(config.paths.db_path, "SELECT count(*) FROM question_log") == [(7,)]
    config = dataclasses.replace(config, privacy=PrivacyConfig(question_log_days=180))
    result = run_backup(config, dest=tmp_path / "bk")
    assert result.purged_questions == 4
    assert rows(config.paths.db_path, "SELECT count(*) FROM question_log") == [(3,)]
    assert rows(result.copies[0], "SELECT count(*) FROM question_log WHERE query = 'cũ'") == [(0,)]


def test_other_databases_in_the_data_dir_are_backed_up_too(live, tmp_path):
    config, _, _ = live
    other = sqlite3.connect(config.paths.data_dir / "admin.db")
    other.execute("CREATE TABLE users (name TEXT)")
    other.execute("INSERT INTO users VALUES ('cán bộ')")
    other.commit()
    other.close()
    result = run_backup(config, dest=tmp_path / "bk")
    assert sorted(p.name.split("-")[0] for p in result.copies) == ["admin", "kiosk"]


def test_restore_from_a_backup_serves_the_content(live, tmp_path):
    config, kb, db = live
    copy = run_backup(config, dest=tmp_path / "bk").copies[0]
    db.close()
    # Disaster: the live database is garbage.
    for suffix in ("", "-wal", "-shm"):
        Path(str(config.paths.db_path) + suffix).unlink(missing_ok=True)
    config.paths.db_path.write_bytes(b"not a database" * 100)
    shutil.copy(copy, config.paths.db_path)  # docs/operations.md: restore = copy back
    kb2, _ = load_knowledge(config)
    assert kb2.version == kb.version
    assert kb2.ask("đăng ký kết hôn").decision is Decision.ANSWER


def test_copy_database_refuses_a_corrupt_source(tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"SQLite format 3\0" + b"\xff" * 5000)
    with pytest.raises(BackupError):
        copy_database(bad, tmp_path / "out.db")
    assert not (tmp_path / "out.db").exists() and not (tmp_path / "out.db.partial").exists()


def test_cli_backup(live, tmp_path):
    config, _, _ = live
    r = kiosk_backup("--json", "--keep", "2", data_dir=config.paths.data_dir, content_dir=config.paths.content_dir)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert len(out["copies"]) == 1 and Path(out["copies"][0]).parent == config.paths.data_dir / "backups"
    r = kiosk_backup("--dest", str(tmp_path / "usb"), data_dir=config.paths.data_dir)
    assert r.returncode == 0 and "Đã sao lưu" in r.stdout


def test_cli_backup_errors_are_one_line(tmp_path):
    r = kiosk_backup(data_dir=tmp_path / "empty")
    assert r.returncode == 1 and r.stderr.startswith("Lỗi:") and "Traceback" not in r.stderr
    r = kiosk_backup("--keep", "0", data_dir=tmp_path / "empty")
    assert r.returncode == 1 and "Lỗi:" in r.stderr


def test_cli_backup_dest_not_writable(live, tmp_path):
    config, _, _ = live
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the directory should be")
    r = kiosk_backup("--dest", str(blocker / "sub"), data_dir=config.paths.data_dir)
    assert r.returncode == 1 and r.stderr.startswith("Lỗi:") and "Traceback" not in r.stderr


def test_backup_is_a_registered_command(tmp_path):
    assert "backup" in kiosk.cli.COMMAND_MODULES
