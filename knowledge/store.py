"""The content database (SQLite via sqlite-utils): schema, atomic import, export, read.

Tables are normalised for the staff tools and reports; the kiosk reads the whole
content once into memory (a few hundred procedures), so reading is simple and fast.
Every import is one transaction: a bad source or a killed process leaves the previous
content in place. Each import is kept as a version (with a JSON snapshot) so the staff
admin can roll back.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlite_utils
from sqlite_utils.migrations import Migrations

from knowledge import fields
from knowledge.errors import ContentNotFound, KnowledgeError
from knowledge.fields import Kind
from knowledge.model import Content, Detail, Procedure
from knowledge.serialize import canonical_json, content_checksum, content_from_dict
from knowledge.source import load_source

log = logging.getLogger(__name__)

migrations = Migrations("kiosk-content")

CONTENT_TABLES = ("procedures", "documents", "steps", "aliases", "categories", "office", "counters", "notices")


@migrations()
def m001_content(db: sqlite_utils.Database) -> None:
    db.table("categories").create({"code": str, "name": str, "position": int, "icon": str, "description": str}, pk="code")
    db.table("procedures").create(
        {
            "code": str, "title": str, "category": str, "detail": str, "level": str, "handled_by": str,
            "where_to_submit": str, "counter": str, "processing_time": str, "processing_days": float,
            "fee": str, "fee_amount": int, "legal_basis": str, "online_url": str, "notes": str,
            "verified_on": str, "sources": str, "unverified": str, "retired": int,
        },
        pk="code",
        not_null={"title", "category", "detail", "handled_by"},
    )
    db.table("documents").create(
        {"id": int, "procedure_code": str, "position": int, "name": str, "form": str, "copies": int,
         "required": int, "condition": str},
        pk="id", foreign_keys=[("procedure_code", "procedures", "code")],
    )
    db.table("steps").create({"procedure_code": str, "position": int, "text": str}, pk=("procedure_code", "position"),
                       foreign_keys=[("procedure_code", "procedures", "code")])
    db.table("aliases").create({"id": int, "procedure_code": str, "text": str, "kind": str}, pk="id",
                         foreign_keys=[("procedure_code", "procedures", "code")])
    db.table("office").create({"id": int, "name": str, "address": str, "hours": str, "hotline": str, "help_counter": str}, pk="id")
    db.table("counters").create({"number": str, "name": str, "categories": str}, pk="number")
    db.table("notices").create({"id": int, "title": str, "body": str, "valid_from": str, "valid_to": str}, pk="id")
    db.table("meta").create({"key": str, "value": str}, pk="key")
    db.table("content_versions").create(
        {"id": int, "version": str, "imported_at": str, "source": str, "author": str, "note": str,
         "procedures": int, "snapshot": str},
        pk="id",
    )
    for table, cols in (("documents", ["procedure_code"]), ("aliases", ["procedure_code"])):
        db.table(table).create_index(cols)


@migrations()
def m002_question_log(db: sqlite_utils.Database) -> None:
    # Never audio, never names: normalised question text, decision and scores only.
    db.table("question_log").create(
        {"id": int, "asked_at": str, "channel": str, "query": str, "normalized": str, "decision": str,
         "top_codes": str, "top_scores": str, "chosen_code": str, "rating": int, "content_version": str},
        pk="id",
    )
    db.table("question_log").create_index(["asked_at"])


@contextmanager
def write_transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """A write transaction taken at the start (SQLite BEGIN IMMEDIATE): read-modify-write is atomic
    across connections and processes, and another writer makes it wait (busy_timeout) instead
    of failing. A deferred transaction that has read and then writes after another process
    committed fails at once with "database is locked" (SQLITE_BUSY_SNAPSHOT in WAL mode: the
    busy timeout does not apply). Inside a transaction already, it joins that one."""
    conn = db.conn
    if conn.in_transaction:
        yield db
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def apply_migrations(db: sqlite_utils.Database, *sets: Migrations) -> None:
    """Apply pending migrations in one write transaction (see write_transaction): sqlite-utils
    applies each in a deferred one, which read the schema and then failed with "database is
    locked" when the fleet sync committed in between (seen in tests/test_fleet_e2e.py with two
    test workers loading the machine: the ward admin opened the kiosk's database while the
    sync wrote to it)."""
    with write_transaction(db):
        for m in sets:
            m.apply(db)


def open_db(path: str | Path) -> sqlite_utils.Database:
    """Open (creating if needed) and migrate the database; WAL so the kiosk reads while staff write."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        db = sqlite_utils.Database(path)
        db.execute("PRAGMA busy_timeout=5000")
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA foreign_keys=ON")
        # Sorting a large query spills to a temporary file by default; question text must
        # never reach a file that outlives the process (docs/privacy.md).
        db.execute("PRAGMA temp_store=MEMORY")
        apply_migrations(db, migrations)
    except sqlite3.OperationalError as exc:
        # A full disk (or a read-only medium) cannot take the WAL index; the content
        # can still be read, so the kiosk keeps answering and only the log is lost.
        if path.is_file() and path.stat().st_size > 0:
            log.warning("database %s not writable (%s): opening read-only", path, exc)
            return open_db_readonly(path)
        raise KnowledgeError(f"không mở được cơ sở dữ liệu {path}: {exc} / cannot open the database") from exc
    except sqlite3.DatabaseError as exc:
        raise KnowledgeError(
            f"không mở được cơ sở dữ liệu {path}: {exc} — khôi phục từ bản sao lưu hoặc xóa tệp rồi chạy "
            "`kiosk content import` / cannot open the database"
        ) from exc
    return db


def open_db_readonly(path: str | Path) -> sqlite_utils.Database:
    conn = sqlite3.connect(f"file:{Path(path).resolve()}?immutable=1", uri=True, check_same_thread=False)
    return sqlite_utils.Database(conn)


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).astimezone().isoformat(timespec="seconds")


# (column, field) of the procedures table (knowledge.fields)
_COLUMNS = tuple((f.column, f) for f in fields.FIELDS if f.column)


def _procedure_row(p: Procedure) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for column, f in _COLUMNS:
        v = getattr(p, f.name)
        if f.kind is Kind.LIST:
            v = json.dumps(v, ensure_ascii=False)
        elif f.kind is Kind.FLAG:
            v = int(v)
        elif f.kind is Kind.DETAIL:
            v = v.value
        row[column] = v
    return row


def _write_content(db: sqlite_utils.Database, content: Content) -> None:
    for table in ("documents", "steps", "aliases", "counters", "notices", "office", "procedures", "categories"):
        db.execute(f"DELETE FROM [{table}]")
    db.table("categories").insert_all(
        {"code": c.code, "name": c.name, "position": c.order, "icon": c.icon, "description": c.description}
        for c in content.categories
    )
    db.table("procedures").insert_all(_procedure_row(p) for p in content.procedures)
    db.table("documents").insert_all(
        {"procedure_code": p.code, "position": i, "name": d.name, "form": d.form.value, "copies": d.copies,
         "required": int(d.required), "condition": d.condition}
        for p in content.procedures for i, d in enumerate(p.documents)
    )
    db.table("steps").insert_all(
        {"procedure_code": p.code, "position": i, "text": s} for p in content.procedures for i, s in enumerate(p.steps)
    )
    db.table("aliases").insert_all(
        [{"procedure_code": p.code, "text": a, "kind": "alias"} for p in content.procedures for a in p.aliases]
        + [{"procedure_code": p.code, "text": k, "kind": "keyword"} for p in content.procedures for k in p.keywords]
    )
    o = content.office
    db.table("office").insert({"id": 1, "name": o.name, "address": o.address, "hours": o.hours, "hotline": o.hotline,
                         "help_counter": o.help_counter})
    db.table("counters").insert_all({"number": c.number, "name": c.name, "categories": json.dumps(c.categories)} for c in o.counters)
    db.table("notices").insert_all(
        {"title": n.title, "body": n.body, "valid_from": n.valid_from, "valid_to": n.valid_to} for n in content.notices
    )


def publish(db: sqlite_utils.Database, content: Content, *, source: str, author: str = "", note: str = "") -> str:
    """Replace the live content in one transaction and record it as a new version."""
    version = content_checksum(content)[:12]
    imported_at = _now()
    with db.atomic():
        _write_content(db, content)
        db.table("meta").upsert_all(
            [{"key": "content_version", "value": version}, {"key": "imported_at", "value": imported_at},
             {"key": "source", "value": source}],
            pk="key",
        )
        db.table("content_versions").insert(
            {"version": version, "imported_at": imported_at, "source": source, "author": author, "note": note,
             "procedures": sum(p.detail is Detail.FULL for p in content.procedures),
             "snapshot": canonical_json(content)}
        )
    log.info("content version %s published from %s", version, source)
    return version


def import_source(db: sqlite_utils.Database, content_dir: str | Path, *, author: str = "", note: str = "") -> str:
    """Validate the whole source first; only then replace the database content."""
    content = load_source(content_dir)  # raises ContentInvalid: nothing written
    return publish(db, content, source=str(content_dir), author=author, note=note)


def meta(db: sqlite_utils.Database) -> dict[str, str]:
    return {r["key"]: r["value"] for r in db.query("SELECT key, value FROM meta")}


def current_version(db: sqlite_utils.Database) -> str | None:
    return meta(db).get("content_version")


def read_content(db: sqlite_utils.Database) -> Content:
    """The live content, from the snapshot of the current version (exactly what was published)."""
    m = meta(db)
    version = m.get("content_version")
    if not version:
        raise ContentNotFound("cơ sở dữ liệu chưa có nội dung — chạy `kiosk content import` / database has no content")
    row = next(db.query("SELECT snapshot FROM content_versions WHERE version = ? ORDER BY id DESC LIMIT 1", [version]), None)
    if row is None:
        raise KnowledgeError(f"thiếu bản lưu của phiên bản {version} / snapshot missing")
    return content_from_dict(json.loads(row["snapshot"]), version=version, imported_at=m.get("imported_at"))


_VERSION_COLUMNS = "id, version, imported_at, source, author, note, procedures"


def versions(db: sqlite_utils.Database) -> list[dict]:
    """Every published version (without its snapshot), newest first."""
    return list(db.query(f"SELECT {_VERSION_COLUMNS} FROM content_versions ORDER BY id DESC"))


def version_row(db: sqlite_utils.Database, version_id: int) -> dict | None:
    """One published version (without its snapshot) by its id, or None."""
    return next(db.query(f"SELECT {_VERSION_COLUMNS} FROM content_versions WHERE id = ?", [version_id]), None)


def rollback(db: sqlite_utils.Database, version_id: int, *, author: str = "") -> str:
    row = next(db.query("SELECT version, snapshot FROM content_versions WHERE id = ?", [version_id]), None)
    if row is None:
        raise KnowledgeError(f"không có phiên bản #{version_id} / no such version")
    content = content_from_dict(json.loads(row["snapshot"]))
    return publish(db, content, source=f"rollback:{row['version']}", author=author, note=f"khôi phục phiên bản #{version_id}")


def open_content(db: sqlite_utils.Database, content_dir: str | Path) -> Content:
    """The live content; a database with none yet is filled from the shipped source first."""
    if not current_version(db):
        log.info("empty content database: importing %s", content_dir)
        import_source(db, content_dir, note="nhập lần đầu")
    return read_content(db)


