"""Province content on PostgreSQL: the shared draft, published versions, publish and roll back.

The draft is the ward admin's draft (kiosk.admin.draft.Draft: the whole Content as a plain
dict) kept in the ``draft`` table; validation is the ward admin's too (export_content, then
knowledge.source.load_source on the result — no second validator). Publishing records a
version and writes a signed bundle with knowledge.bundle.build_bundle; the bundle version
is the version number in ``content_versions``.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from kiosk.admin import draft as drafts
from kiosk.hub.db import PUBLISH_LOCK, audit, meta_get
from kiosk.hub.errors import HubError
from knowledge.model import Content, Detail
from knowledge.serialize import content_from_dict, content_to_dict
from knowledge.source import load_source

log = logging.getLogger(__name__)


class DraftInvalid(HubError):
    def __init__(self, problems: list[drafts.ProblemView]):
        self.problems = problems
        first = "; ".join(str(p) for p in problems[:3])
        super().__init__(f"bản nháp chưa hợp lệ ({len(problems)} lỗi): {first} / the draft does not validate")


@dataclass(frozen=True)
class Published:
    version: int
    note: str
    changes: list[drafts.Change]
    content_sha256: str
    content_bytes: int


@dataclass(frozen=True)
class HubPaths:
    keys_dir: Path
    bundles_dir: Path

    @property
    def private_key(self) -> Path:
        return self.keys_dir / "province.key"

    @property
    def public_key(self) -> Path:
        return self.keys_dir / "province.pub"


# ---- live content and versions --------------------------------------------------------------
def current_version(conn: psycopg.Connection) -> int | None:
    row = conn.execute("SELECT max(version) AS v FROM content_versions").fetchone()
    return row["v"]


def version_content(conn: psycopg.Connection, version: int) -> dict[str, Any]:
    row = conn.execute("SELECT content FROM content_versions WHERE version = %s", [version]).fetchone()
    if row is None:
        raise HubError(f"không có phiên bản {version} / no such version")
    return row["content"]


def live(conn: psycopg.Connection) -> dict[str, Any] | None:
    v = current_version(conn)
    return version_content(conn, v) if v is not None else None


def versions(conn: psycopg.Connection) -> list[dict]:
    return conn.execute(
        "SELECT version, published_at, author, note, procedures, content_bytes, rollback_of "
        "FROM content_versions ORDER BY version DESC").fetchall()


# ---- the draft ------------------------------------------------------------------------------
def load(conn: psycopg.Connection) -> drafts.Draft:
    row = conn.execute("SELECT data, base_version, updated_at, updated_by FROM draft WHERE id = 1").fetchone()
    if row is not None:
        return drafts.Draft(row["data"], row["base_version"], True, row["updated_at"].isoformat(), row["updated_by"])
    data = live(conn)
    if data is None:
        raise HubError("hub chưa có nội dung — chạy `kiosk hub init --content THƯ_MỤC` / the hub has no content yet")
    return drafts.Draft(data, current_version(conn), False)


def load_for_update(conn: psycopg.Connection) -> drafts.Draft:
    """Inside a transaction: lock the draft row, so read–compare–write is not interleaved."""
    conn.execute("SELECT pg_advisory_xact_lock(%s)", [PUBLISH_LOCK + 1])
    return load(conn)


def save(conn: psycopg.Connection, draft: drafts.Draft, user: str) -> None:
    conn.execute(
        "INSERT INTO draft (id, data, base_version, updated_at, updated_by) VALUES (1, %s, %s, now(), %s) "
        "ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data, base_version = EXCLUDED.base_version, "
        "updated_at = now(), updated_by = EXCLUDED.updated_by",
        [Jsonb(draft.data), draft.base_version, user])
    draft.exists = True


def discard(conn: psycopg.Connection) -> None:
    conn.execute("DELETE FROM draft WHERE id = 1")


def add_alias(conn: psycopg.Connection, code: str, text: str, user: str) -> bool:
    """Add a question as an alias of a procedure in the draft; False when it already has it."""
    from kiosk.admin.forms import clean_line

    text = clean_line(text)
    if not text:
        raise HubError("câu hỏi trống / empty text")
    with conn.transaction():
        draft = load_for_update(conn)
        p = draft.procedure(code)
        if p is None:
            raise HubError(f"không có thủ tục mã {code} / no such procedure")
        if p.get("detail") != Detail.FULL.value:
            raise HubError(f"thủ tục {code} chỉ có trong danh mục — viết đầy đủ trước / catalogue-only procedure")
        if text.casefold() in {a.casefold() for a in p.get("aliases") or ()}:
            return False
        drafts.put_procedure(draft, {**p, "aliases": [*(p.get("aliases") or ()), text]})
        save(conn, draft, user)
        audit(conn, user, "alias", code, {"text": text})
    return True


# ---- publish and roll back ------------------------------------------------------------------
def _next_version(conn: psycopg.Connection, bundles_dir: Path) -> int:
    """After the last recorded version and after any version directory on disk (bundles are immutable)."""
    on_disk = [int(p.name) for p in bundles_dir.glob("*") if p.is_dir() and p.name.isdigit()] if bundles_dir.is_dir() else []
    try:  # and after latest.json (build_bundle refuses a version not above it)
        on_disk.append(int(json.loads((bundles_dir / "latest.json").read_bytes())["manifest"]["version"]))
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return max([current_version(conn) or 0, *on_disk]) + 1


def _write_version(conn: psycopg.Connection, content: Content, paths: HubPaths, *, author: str, note: str,
                   rollback_of: int | None = None) -> tuple[int, Any]:
    """Inside a transaction holding PUBLISH_LOCK: record the version, then write its signed bundle.

    The row goes in first: a bundle that fails to build rolls the row back with it.
    """
    from knowledge.bundle import build_bundle, load_private_key

    if not paths.private_key.is_file():
        raise HubError(f"thiếu khóa ký {paths.private_key} — chạy `kiosk hub init` / signing key missing")
    version = _next_version(conn, paths.bundles_dir)
    procedures = sum(p.detail is Detail.FULL for p in content.procedures)
    conn.execute(
        "INSERT INTO content_versions (version, author, note, procedures, content, rollback_of) "
        "VALUES (%s, %s, %s, %s, %s, %s)",
        [version, author, note, procedures, Jsonb(drafts.as_published(content_to_dict(content))), rollback_of])
    paths.bundles_dir.mkdir(parents=True, exist_ok=True)
    manifest = build_bundle(content, province=meta_get(conn, "province", "province"), version=version, note=note[:500],
                            private_key=load_private_key(paths.private_key), out_dir=paths.bundles_dir)
    conn.execute("UPDATE content_versions SET content_sha256 = %s, content_bytes = %s WHERE version = %s",
                 [manifest.content_sha256, manifest.content_bytes, version])
    return version, manifest


def publish_draft(conn: psycopg.Connection, paths: HubPaths, user: str, note: str = "") -> Published:
    """Validate the whole draft exactly as the ward admin does, then publish it as a signed bundle."""
    draft = load(conn)
    result = drafts.validate(draft.data)  # seconds; outside any lock
    if not result.ok:
        raise DraftInvalid(result.problems)
    before = live(conn)
    after = drafts.as_published(content_to_dict(result.content))
    changes = drafts.diff(before, after) if before else []
    if before and not changes:
        raise HubError("bản nháp không khác nội dung đang dùng — không có gì để đăng / nothing to publish")
    text = drafts.summary(changes) if changes else "phiên bản đầu"
    full_note = f"{note.strip()} — {text}" if note.strip() else text
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", [PUBLISH_LOCK])
        if draft.exists and drafts.as_published(load_for_update(conn).data) != drafts.as_published(draft.data):
            raise HubError("bản nháp vừa được sửa trong lúc kiểm tra — xem lại rồi bấm «Đăng» lần nữa / "
                           "the draft changed during the publish")
        version, manifest = _write_version(conn, result.content, paths, author=user, note=full_note)
        discard(conn)
        audit(conn, user, "publish", str(version), {"note": note, "changes": [c.to_json() for c in changes]})
    log.info("province content version %s published by %s", version, user)
    return Published(version, full_note, changes, manifest.content_sha256, manifest.content_bytes)


def rollback(conn: psycopg.Connection, paths: HubPaths, to_version: int, user: str) -> Published:
    """A new version equal to an old one, published as a new bundle (bundles are never rewritten)."""
    old = version_content(conn, to_version)
    content = content_from_dict(old)
    before = live(conn)
    changes = drafts.diff(before, drafts.as_published(old)) if before else []
    note = f"khôi phục phiên bản {to_version}"
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", [PUBLISH_LOCK])
        version, manifest = _write_version(conn, content, paths, author=user, note=note, rollback_of=to_version)
        audit(conn, user, "rollback", str(version), {"to_version": to_version})
    return Published(version, note, changes, manifest.content_sha256, manifest.content_bytes)


def import_source(conn: psycopg.Connection, paths: HubPaths, content_dir: Path, user: str = "cli",
                  note: str = "nhập lần đầu") -> Published:
    """First content of the hub (or a whole new source): validated by load_source, published as a bundle."""
    content = load_source(content_dir)  # raises ContentInvalid: nothing written
    before = live(conn)
    changes = drafts.diff(before, drafts.as_published(content_to_dict(content))) if before else []
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", [PUBLISH_LOCK])
        version, manifest = _write_version(conn, content, paths, author=user, note=note)
        audit(conn, user, "import", str(version), {"from": str(content_dir)})
    return Published(version, note, changes, manifest.content_sha256, manifest.content_bytes)
