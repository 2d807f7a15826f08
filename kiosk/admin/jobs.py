"""Spreadsheet imports in a separate process, so other staff keep working meanwhile.

A worker thread alone was not enough: parsing and validating a 4,999-row sheet holds
Python's global interpreter lock for long C calls (JSON, libyaml, SQLite), and other
staff's pages took up to 1.4 s. A child process uses the PC's other core, and its
memory is capped, so whatever slips past the size limits cannot take the kiosk down;
it runs at a lower CPU priority, so the kiosk and the other pages come first.
"""
from __future__ import annotations

import multiprocessing
import sqlite3
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

# Address space for the import process. The largest accepted sheet (4.9 MB: 1,207 full
# procedures) peaked at 156 MB resident (getrusage, 2026-12-02, /tmp/memimp.py in the
# report of issue 15); 1.5 GiB of address space leaves room for the libraries and stays
# far from the kiosk's own memory (Whisper, the voice) on a 4 GB kiosk PC.
MEMORY_LIMIT = 1536 * 1024 * 1024
TOO_BIG = "Tệp cần quá nhiều bộ nhớ để nhập an toàn — chia nhỏ bảng tính rồi nhập từng phần."


NICENESS = 10  # below the kiosk (speech, screen) and the admin's own pages in the CPU queue


def _child_setup() -> None:
    import os

    try:
        os.nice(NICENESS)
    except OSError:
        pass
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    except (ImportError, ValueError, OSError):  # not Linux, or a lower hard limit already
        pass


def _import_in_child(db_path: str, raw: bytes, filename: str, user: str, ip: str, apply: bool) -> tuple:
    """Runs in the child: ('ok', rows, [change json]) or ('problems', [messages])."""
    import sqlite_utils

    from kiosk.admin import sheets

    db = sqlite_utils.Database(sqlite3.connect(db_path))
    db.execute("PRAGMA busy_timeout=5000")
    db.execute("PRAGMA foreign_keys=ON")
    try:
        result = sheets.import_sheet(db, raw, filename, user, ip, apply=apply)
    except sheets.SheetError as exc:
        return ("problems", exc.problems)
    except MemoryError:
        return ("problems", [TOO_BIG])
    finally:
        db.close()
    return ("ok", result.rows, [c.to_json() for c in result.changes])


def import_sheet(db_path: Path, raw: bytes, filename: str, user: str, ip: str = "", *, apply: bool = True):
    """The same as kiosk.admin.sheets.import_sheet, run in a fresh child process."""
    from kiosk.admin import draft as drafts
    from kiosk.admin import sheets

    ctx = multiprocessing.get_context("spawn")  # no fork of a threaded server
    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=ctx, initializer=_child_setup) as pool:
            out = pool.submit(_import_in_child, str(db_path), raw, filename, user, ip, apply).result()
    except BrokenProcessPool:  # killed by the memory cap
        raise sheets.SheetError([TOO_BIG]) from None
    if out[0] == "problems":
        raise sheets.SheetError(out[1])
    changes = [drafts.Change(c["area"], c["kind"], c["target"], c["title"], tuple(c["fields"])) for c in out[2]]
    return sheets.ImportResult(out[1], changes)


# ---- uploads waiting for the clerk's "apply" after the preview ---------------------------------
PENDING_FOR = 3600  # seconds an uploaded sheet waits for its confirmation


def _pending_dir(db_path: Path) -> Path:
    d = Path(db_path).parent / "admin-pending-imports"
    d.mkdir(mode=0o700, exist_ok=True)
    return d


def keep_pending(db_path: Path, raw: bytes, filename: str, user: str) -> str:
    """Store an uploaded sheet until it is applied (or an hour passes); returns its token."""
    import json
    import secrets
    import time

    d = _pending_dir(db_path)
    now = time.time()
    for old in d.glob("*.json"):  # forget what nobody confirmed
        try:
            if now - old.stat().st_mtime > PENDING_FOR:
                old.unlink(missing_ok=True)
                old.with_suffix(".bin").unlink(missing_ok=True)
        except OSError:
            pass
    token = secrets.token_hex(16)
    (d / f"{token}.bin").write_bytes(raw)
    (d / f"{token}.json").write_text(json.dumps({"filename": filename, "user": user}), encoding="utf-8")
    return token


def take_pending(db_path: Path, token: str, user: str) -> tuple[bytes, str] | None:
    """The upload of ``token`` if it is this user's and not expired; it is removed either way."""
    import json
    import re
    import time

    if not re.fullmatch(r"[0-9a-f]{32}", token or ""):
        return None
    d = _pending_dir(db_path)
    meta, data = d / f"{token}.json", d / f"{token}.bin"
    try:
        info = json.loads(meta.read_text(encoding="utf-8"))
        fresh = time.time() - meta.stat().st_mtime <= PENDING_FOR
        raw = data.read_bytes()
    except (OSError, ValueError):
        return None
    if info.get("user") != user:
        return None  # not removed: it is someone else's
    meta.unlink(missing_ok=True)
    data.unlink(missing_ok=True)
    return (raw, str(info.get("filename") or "")) if fresh else None
