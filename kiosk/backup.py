"""Nightly backup of the kiosk's databases, with retention, and the privacy purge.

The copy uses SQLite's online backup API, so it is consistent while the kiosk and the
staff admin keep reading and writing (WAL). Each copy is written under a temporary
name, checked with ``PRAGMA integrity_check`` and only then renamed into place: a
power cut mid-backup leaves the previous backups untouched and at worst a stray
``*.partial`` file that the next run removes.

Before copying, question-log rows older than ``privacy.question_log_days`` are
deleted (``knowledge.qlog.purge_older_than``), so the backups hold no more than the
live database does (plus at most ``keep`` days).
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import re
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

DEFAULT_KEEP = 14
"""Backups kept per database (one a night: two weeks)."""

_STAMP = "%Y%m%d-%H%M%S"
_NAME = re.compile(r"^(?P<stem>.+)-(?P<stamp>\d{8}-\d{6})(?:-(?P<n>\d+))?\.db$")


class BackupError(Exception):
    """A backup could not be made; the message says which file and why."""


@dataclass(frozen=True)
class BackupResult:
    copies: tuple[Path, ...]
    """The new backup files, one per database."""
    removed: tuple[Path, ...] = ()
    """Old backups deleted by retention."""
    purged_questions: int = 0
    """Question-log rows deleted (older than privacy.question_log_days)."""
    seconds: float = 0.0
    sizes: dict[str, int] = field(default_factory=dict)


def default_dest(config) -> Path:
    return config.paths.data_dir / "backups"


def databases(config) -> list[Path]:
    """The live databases: the content/question-log database first, then any other
    ``*.db`` in ``paths.data_dir`` (e.g. the staff admin's accounts)."""
    main = config.paths.db_path
    found = [main] if main.is_file() else []
    data_dir = config.paths.data_dir
    if data_dir.is_dir():
        for p in sorted(data_dir.glob("*.db")):
            if p != main and p.is_file():
                found.append(p)
    return found


def purge_question_log(db_path: Path, days: int) -> int:
    """Delete question-log rows older than ``days``; returns how many."""
    from knowledge.qlog import purge_older_than
    from knowledge.store import open_db

    db = open_db(db_path)
    try:
        if "question_log" not in db.table_names():
            return 0
        return int(purge_older_than(db, days) or 0)
    finally:
        db.close()


def copy_database(src: Path, dest: Path, *, pages_per_step: int = 256) -> int:
    """Online-backup ``src`` into ``dest`` atomically (temp file, check, fsync, rename).

    Returns the size of the copy in bytes. Raises BackupError.
    """
    partial = dest.with_name(dest.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        source = sqlite3.connect(str(src), timeout=30)
    except sqlite3.Error as exc:
        raise BackupError(f"không mở được {src}: {exc} / cannot open the database") from None
    try:
        target = sqlite3.connect(str(partial))
        try:
            source.backup(target, pages=pages_per_step, sleep=0.01)
            target.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
            check = target.execute("PRAGMA integrity_check").fetchone()[0]
            if check != "ok":
                raise BackupError(f"bản sao {partial} hỏng / backup failed its integrity check: {check}")
        finally:
            target.close()
        with open(partial, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(partial, dest)
        _fsync_dir(dest.parent)
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"sao lưu {src} thất bại / backup failed: {exc}") from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        source.close()
    return dest.stat().st_size


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def prune(dest_dir: Path, stem: str, keep: int) -> list[Path]:
    """Delete all but the ``keep`` newest backups of ``stem`` (and stray partial files)."""
    backups = []
    for p in dest_dir.glob(f"{stem}-*.db"):
        m = _NAME.match(p.name)
        if m and m.group("stem") == stem:
            backups.append(((m.group("stamp"), int(m.group("n") or 0)), p))
    backups.sort(reverse=True)  # newest first: the stamp sorts by time, then -1, -2… in one second
    removed = []
    for _, p in backups[max(keep, 1):]:
        p.unlink(missing_ok=True)
        removed.append(p)
    for p in dest_dir.glob(f"{stem}-*.db.partial"):
        p.unlink(missing_ok=True)
    return removed


def _target_name(dest_dir: Path, stem: str, now: dt.datetime) -> Path:
    base = f"{stem}-{now.strftime(_STAMP)}"
    candidate = dest_dir / f"{base}.db"
    n = 1
    while candidate.exists():
        candidate = dest_dir / f"{base}-{n}.db"
        n += 1
    return candidate


def run_backup(config, *, dest: Path | None = None, keep: int = DEFAULT_KEEP, purge: bool = True,
               now: dt.datetime | None = None) -> BackupResult:
    """Purge old question-log rows, then back up every database into ``dest`` and prune."""
    if keep < 1:
        raise BackupError("--keep phải ≥ 1 / must be at least 1")
    started = time.monotonic()
    sources = databases(config)
    if not sources:
        raise BackupError(f"không có cơ sở dữ liệu nào để sao lưu trong {config.paths.data_dir} / nothing to back up")
    dest = Path(dest) if dest is not None else default_dest(config)
    try:
        dest.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupError(f"không tạo được thư mục sao lưu {dest}: {exc.strerror} / cannot create backup dir") from None
    purged = 0
    if purge and config.paths.db_path in sources:
        purged = purge_question_log(config.paths.db_path, config.privacy.question_log_days)
        if purged:
            log.info("purged %d question-log rows older than %d days", purged, config.privacy.question_log_days)
    now = now or dt.datetime.now()
    copies, removed, sizes = [], [], {}
    for src in sources:
        target = _target_name(dest, src.stem, now)
        try:
            sizes[target.name] = copy_database(src, target)
        except OSError as exc:  # disk full, permissions
            raise BackupError(f"không ghi được {target}: {exc.strerror or exc} / cannot write backup") from None
        copies.append(target)
        removed += prune(dest, src.stem, keep)
        log.info("backed up %s to %s (%d bytes)", src, target, sizes[target.name])
    return BackupResult(tuple(copies), tuple(removed), purged, time.monotonic() - started, sizes)
