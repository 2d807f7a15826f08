"""PostgreSQL storage of the hub (psycopg 3): connection and schema migrations.

Migrations are applied in order and recorded in ``hub_migrations`` (the same idea as
knowledge.store's sqlite-utils migrations); each runs in its own transaction under an
advisory lock, so two hub processes starting at once do not both apply one. Every query
in the hub is parameterised (``%s``); no SQL text is ever built from input.
"""
from __future__ import annotations

import logging

import psycopg
from psycopg.rows import DictRow, dict_row

from kiosk.hub.errors import DatabaseUnavailable

# Every hub connection returns rows as dicts (``connect`` sets ``row_factory=dict_row``).
HubConnection = psycopg.Connection[DictRow]

log = logging.getLogger(__name__)

# Arbitrary constant identifying "the hub's migration lock" among advisory locks.
MIGRATION_LOCK = 0x6B696F736B16
PUBLISH_LOCK = 0x6B696F736B17

MIGRATIONS: list[tuple[str, str]] = [
    ("m001_hub", """
CREATE TABLE editors (
    id serial PRIMARY KEY,
    name text NOT NULL UNIQUE,
    role text NOT NULL CHECK (role IN ('province', 'admin')),
    password_hash text NOT NULL,
    active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_login_at timestamptz
);
CREATE TABLE sessions (
    token_hash text PRIMARY KEY,
    editor_id integer NOT NULL REFERENCES editors(id) ON DELETE CASCADE,
    csrf text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    seen_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE login_failures (
    id bigserial PRIMARY KEY,
    name text NOT NULL,
    ip text NOT NULL,
    at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_name ON login_failures (name, at);
CREATE TABLE hub_meta (key text PRIMARY KEY, value text NOT NULL);
-- One row per published bundle; version is the bundle version (immutable once written).
CREATE TABLE content_versions (
    version integer PRIMARY KEY,
    published_at timestamptz NOT NULL DEFAULT now(),
    author text NOT NULL DEFAULT '',
    note text NOT NULL DEFAULT '',
    procedures integer NOT NULL,
    content jsonb NOT NULL,
    content_sha256 text NOT NULL DEFAULT '',
    content_bytes integer NOT NULL DEFAULT 0,
    rollback_of integer REFERENCES content_versions(version)
);
-- The one shared draft of the province staff (the ward admin's admin_draft, in PostgreSQL).
CREATE TABLE draft (
    id integer PRIMARY KEY CHECK (id = 1),
    data jsonb NOT NULL,
    base_version integer,
    updated_at timestamptz NOT NULL DEFAULT now(),
    updated_by text NOT NULL
);
CREATE TABLE wards (
    code text PRIMARY KEY,
    name text NOT NULL,
    token_hash text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
);
-- One row per (ward, kiosk, day): a day sent twice replaces the row, so it counts once.
CREATE TABLE daily_stats (
    ward text NOT NULL REFERENCES wards(code) ON DELETE CASCADE,
    kiosk text NOT NULL,
    day date NOT NULL,
    questions integer NOT NULL,
    by_procedure jsonb NOT NULL,
    decisions jsonb NOT NULL,
    by_channel jsonb NOT NULL,
    unanswered jsonb NOT NULL,
    ratings_up integer NOT NULL,
    ratings_down integer NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (ward, kiosk, day)
);
CREATE INDEX daily_stats_day ON daily_stats (day);
CREATE TABLE audit (
    id bigserial PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT now(),
    editor text NOT NULL,
    action text NOT NULL,
    target text NOT NULL DEFAULT '',
    detail jsonb
);
"""),
]


def one(cursor: psycopg.Cursor[DictRow]) -> DictRow:
    """The row of a query that always returns one (an aggregate, ``INSERT … RETURNING``)."""
    row = cursor.fetchone()
    if row is None:
        raise RuntimeError("the query returned no row")
    return row


def connect(url: str, *, autocommit: bool = True) -> HubConnection:
    """A connection returning rows as dicts; a clear one-line error when the server is unreachable.

    Autocommit: every write in the hub sits in an explicit ``with conn.transaction()`` block, so no
    implicit transaction is ever left open (psycopg would otherwise turn those blocks into savepoints).
    """
    try:
        return psycopg.connect(url, row_factory=dict_row, autocommit=autocommit, connect_timeout=10)
    except psycopg.OperationalError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DatabaseUnavailable(f"không kết nối được PostgreSQL ({first}) / cannot connect to the hub database") from None
    except psycopg.ProgrammingError as exc:  # a malformed URL
        raise DatabaseUnavailable(f"địa chỉ cơ sở dữ liệu không hợp lệ ({str(exc).strip()}) — dạng postgresql://NGƯỜI@MÁY:CỔNG/TÊN "
                                  "/ bad database URL") from None


def migrate(conn: HubConnection) -> list[str]:
    """Apply the migrations not yet applied; returns their names."""
    applied: list[str] = []
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", [MIGRATION_LOCK])
        conn.execute("CREATE TABLE IF NOT EXISTS hub_migrations (name text PRIMARY KEY, "
                     "applied_at timestamptz NOT NULL DEFAULT now())")
        done = {r["name"] for r in conn.execute("SELECT name FROM hub_migrations")}
        for name, sql in MIGRATIONS:
            if name in done:
                continue
            conn.execute(sql)
            conn.execute("INSERT INTO hub_migrations (name) VALUES (%s)", [name])
            applied.append(name)
            log.info("hub migration %s applied", name)
    return applied


def open_hub(url: str) -> HubConnection:
    conn = connect(url)
    migrate(conn)
    return conn


def meta_get(conn: HubConnection, key: str, default: str = "") -> str:
    row = conn.execute("SELECT value FROM hub_meta WHERE key = %s", [key]).fetchone()
    return row["value"] if row else default


def meta_set(conn: HubConnection, key: str, value: str) -> None:
    conn.execute("INSERT INTO hub_meta (key, value) VALUES (%s, %s) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                 [key, value])


def audit(conn: HubConnection, editor: str, action: str, target: str = "", detail: object = None) -> None:
    from psycopg.types.json import Jsonb

    conn.execute("INSERT INTO audit (editor, action, target, detail) VALUES (%s, %s, %s, %s)",
                 [editor[:64], action, target[:200], Jsonb(detail) if detail is not None else None])


