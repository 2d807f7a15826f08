"""The admin's own tables, in the kiosk database, under their own migration set.

Staff accounts, server-side sessions, login attempts (for rate limiting), the audit
log, the working draft and the change summary of each publish. They live beside the
content tables so one backup file holds everything; the ``kiosk-content`` migrations
(knowledge.store) and these never touch each other's tables.
"""
from __future__ import annotations

from pathlib import Path

import sqlite_utils
from sqlite_utils.migrations import Migrations

from knowledge.store import apply_migrations, open_db

migrations = Migrations("kiosk-admin")


@migrations()
def m001_admin(db: sqlite_utils.Database) -> None:
    db.table("admin_users").create(
        {"id": int, "name": str, "role": str, "password_hash": str, "active": int, "created_at": str,
         "created_by": str, "password_changed_at": str, "last_login_at": str},
        pk="id", not_null={"name", "role", "password_hash"}, defaults={"active": 1},
    )
    db.table("admin_users").create_index(["name"], unique=True)
    # Only a hash of the session token is stored: a leaked database copy opens no session.
    db.table("admin_sessions").create(
        {"token_hash": str, "user_id": int, "csrf": str, "created_at": str, "last_seen": str, "ip": str},
        pk="token_hash", foreign_keys=[("user_id", "admin_users", "id")],
    )
    db.table("admin_login_attempts").create({"id": int, "at": str, "ip": str, "name": str, "ok": int}, pk="id")
    db.table("admin_login_attempts").create_index(["at"])
    db.table("admin_audit").create(
        {"id": int, "at": str, "user": str, "ip": str, "action": str, "target": str, "detail": str}, pk="id",
    )
    db.table("admin_audit").create_index(["at"])
    # One shared draft (a small office edits together): Content as JSON + what it started from.
    db.table("admin_draft").create(
        {"id": int, "data": str, "base_version": str, "updated_at": str, "updated_by": str}, pk="id",
    )
    db.table("admin_publishes").create(
        {"id": int, "version_id": int, "version": str, "at": str, "author": str, "summary": str, "changes": str},
        pk="id",
    )


def open_admin_db(path: str | Path) -> sqlite_utils.Database:
    """Open the kiosk database, applying the content and the admin migrations."""
    db = open_db(path)
    apply_migrations(db, migrations)
    return db
