"""One SQLite connection per admin request, set up the same way everywhere.

The kiosk reads the same database in WAL mode; a request opens its own connection and
closes it before the response leaves, so no connection is held across requests.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils


def connect(path: Path) -> sqlite_utils.Database:
    """A connection to the kiosk database that waits up to 5 s for a writer and enforces foreign keys."""
    # check_same_thread=False: a request may hash a password in a worker thread; one request
    # uses its connection from one thread at a time.
    db = sqlite_utils.Database(sqlite3.connect(str(path), check_same_thread=False))
    db.execute("PRAGMA busy_timeout=5000")
    db.execute("PRAGMA foreign_keys=ON")
    return db

