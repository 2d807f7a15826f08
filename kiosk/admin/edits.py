"""Edits that cannot silently undo someone else's: fingerprints and one-writer transactions.

Every edit form (and every exported spreadsheet row) carries the fingerprint of the
part of the draft it was based on; a save whose base no longer matches the draft is
refused with a side-by-side "đã có người sửa" view instead of overwriting the newer
change. The read-modify-write of the draft runs inside ``BEGIN IMMEDIATE`` so two
admin processes (or a save during a publish) cannot interleave and lose an update.
"""
from __future__ import annotations

import hashlib
import json
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterator

import sqlite_utils

from kiosk.admin.errors import AdminError
from knowledge.store import write_transaction


def fingerprint(value: Any) -> str:
    """A short, stable hash of a draft part (a procedure dict, the office, the notices)."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


@dataclass(frozen=True)
class Conflict:
    """The draft part changed after the form was opened: what is there now, by whom, when."""

    target: str  # procedure code, "office" or "notices"
    current: dict[str, Any] | list | None
    by: str
    at: str


class Busy(AdminError):
    """Another import or publish is running; the clerk is asked to wait."""


# A write transaction taken at the start: read-modify-write of the draft is atomic across
# connections and processes, other writers wait instead of interleaving.
immediate = write_transaction


def last_change(db: sqlite_utils.Database, target: str) -> tuple[str, str]:
    """Who last changed a draft part and when (from the audit log), for the conflict view."""
    if target in ("office", "notices"):
        row = next(db.query("SELECT user, at FROM admin_audit WHERE action = ? ORDER BY id DESC LIMIT 1", [target]), None)
    else:
        row = next(db.query("SELECT user, at FROM admin_audit WHERE target = ? AND action IN "
                            "('edit','retire','restore','revert','delete','write-up','create','alias','import') "
                            "ORDER BY id DESC LIMIT 1", [target]), None)
        if row is None:
            row = next(db.query("SELECT user, at FROM admin_audit WHERE action = 'import' ORDER BY id DESC LIMIT 1"), None)
    return (row["user"], row["at"]) if row else ("", "")


# ---- one heavy job at a time -----------------------------------------------------------------
class JobGate:
    """One import or publish at a time in this process; the others are told to wait, not queued.

    Cross-process, the publish itself is serialised by SQLite's write lock; this gate keeps
    a second clerk from starting a multi-second validation that would be thrown away.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.running: tuple[str, str] | None = None  # (what, who)

    @contextmanager
    def hold(self, what: str, who: str) -> Iterator[None]:
        """Run one import or publish; Busy (naming who is running what) if one is already running."""
        if not self._lock.acquire(blocking=False):
            label = {"import": "nhập bảng tính", "publish": "đăng nội dung"}
            what_now, who_now = self.running or ("", "")
            raise Busy(f"{who_now or 'một cán bộ khác'} đang {label.get(what_now, what_now)} — chờ ít giây rồi thử lại"
                       f" / another import or publish is running")
        self.running = (what, who)
        try:
            yield
        finally:
            self.running = None
            self._lock.release()
