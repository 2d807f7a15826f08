"""Province staff accounts on PostgreSQL: Argon2id passwords (as the ward admin), server-side sessions.

The password rules are the ward admin's (kiosk.admin.accounts: length without separators,
not the name, not a common password); only the storage differs. Login throttling is the
simple per-account form: after MAX_FAILS failures in WINDOW the account waits until they age out.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

import psycopg
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from kiosk.admin.accounts import Accounts as WardAccounts
from kiosk.admin.errors import AdminError
from kiosk.hub.errors import HubError

ROLES = ("province", "admin")
ROLE_LABEL = {"province": "Biên tập viên tỉnh", "admin": "Quản trị tỉnh"}
WINDOW = dt.timedelta(minutes=15)
MAX_FAILS = 10  # per account in WINDOW; a clerk mistyping twice a day never gets near it
SESSION_IDLE = dt.timedelta(hours=8)
# A valid hash of a random password: an unknown name costs the same time as a wrong password.
_DUMMY = PasswordHasher().hash(secrets.token_hex(16))


@dataclass(frozen=True)
class Editor:
    id: int
    name: str
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


@dataclass(frozen=True)
class Session:
    user: Editor
    csrf: str
    token_hash: str


def clean_name(name: str) -> str:
    try:
        return WardAccounts.clean_name(name)
    except AdminError as exc:
        raise HubError(str(exc)) from None


def check_password(name: str, password: str) -> None:
    try:
        WardAccounts(None).check_password(name, password)  # type: ignore[arg-type]  # uses no database
    except AdminError as exc:
        raise HubError(str(exc)) from None


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Editors:
    def __init__(self, conn: psycopg.Connection, hasher: PasswordHasher | None = None):
        self.conn = conn
        self.hasher = hasher or PasswordHasher()

    def create(self, name: str, password: str, role: str) -> Editor:
        name = clean_name(name)
        if role not in ROLES:
            raise HubError(f"vai trò phải là {' hoặc '.join(ROLES)} / role must be province or admin")
        check_password(name, password)
        with self.conn.transaction():
            if self.conn.execute("SELECT 1 FROM editors WHERE name = %s", [name]).fetchone():
                raise HubError(f"tài khoản {name} đã có / user exists")
            row = self.conn.execute(
                "INSERT INTO editors (name, role, password_hash) VALUES (%s, %s, %s) RETURNING id",
                [name, role, self.hasher.hash(password)]).fetchone()
        return Editor(row["id"], name, role)

    def set_password(self, name: str, password: str) -> None:
        name = clean_name(name)
        check_password(name, password)
        with self.conn.transaction():
            row = self.conn.execute("UPDATE editors SET password_hash = %s WHERE name = %s RETURNING id",
                                    [self.hasher.hash(password), name]).fetchone()
            if row is None:
                raise HubError(f"không có tài khoản {name} / no such user")
            self.conn.execute("DELETE FROM sessions WHERE editor_id = %s", [row["id"]])

    def list(self) -> list[dict]:
        return self.conn.execute("SELECT name, role, active, last_login_at FROM editors ORDER BY name").fetchall()

    def any(self) -> bool:
        return self.conn.execute("SELECT 1 FROM editors WHERE active").fetchone() is not None

    def authenticate(self, name: str, password: str, ip: str) -> Editor:
        name = (name or "").strip().lower()[:64]
        with self.conn.transaction():
            fails = self.conn.execute("SELECT count(*) AS n FROM login_failures WHERE name = %s AND at > now() - %s",
                                      [name, WINDOW]).fetchone()["n"]
        if fails >= MAX_FAILS:
            raise HubError("đăng nhập sai quá nhiều lần — chờ 15 phút rồi thử lại / too many failed logins")
        with self.conn.transaction():
            row = self.conn.execute("SELECT id, name, role, password_hash FROM editors WHERE name = %s AND active",
                                    [name]).fetchone()
        ok = False
        try:
            ok = self.hasher.verify(row["password_hash"] if row else _DUMMY, password or "") and row is not None
        except (VerificationError, InvalidHashError):
            ok = False
        if not ok:
            with self.conn.transaction():  # committed before raising: a raise inside would roll it back
                self.conn.execute("INSERT INTO login_failures (name, ip) VALUES (%s, %s)", [name, ip[:64]])
            raise HubError("tên đăng nhập hoặc mật khẩu không đúng / wrong user name or password")
        with self.conn.transaction():
            self.conn.execute("DELETE FROM login_failures WHERE name = %s", [name])
            self.conn.execute("UPDATE editors SET last_login_at = now() WHERE id = %s", [row["id"]])
        return Editor(row["id"], row["name"], row["role"])

    def start_session(self, user: Editor) -> str:
        token = secrets.token_urlsafe(32)
        with self.conn.transaction():
            self.conn.execute("INSERT INTO sessions (token_hash, editor_id, csrf) VALUES (%s, %s, %s)",
                              [_hash_token(token), user.id, secrets.token_urlsafe(24)])
        return token

    def session(self, token: str | None) -> Session | None:
        if not token or len(token) > 200:
            return None
        with self.conn.transaction():
            row = self.conn.execute(
                "UPDATE sessions s SET seen_at = now() FROM editors e WHERE s.token_hash = %s AND e.id = s.editor_id "
                "AND e.active AND s.seen_at > now() - %s RETURNING e.id, e.name, e.role, s.csrf, s.token_hash",
                [_hash_token(token), SESSION_IDLE]).fetchone()
        if row is None:
            return None
        return Session(Editor(row["id"], row["name"], row["role"]), row["csrf"], row["token_hash"])

    def end_session(self, token_hash: str) -> None:
        with self.conn.transaction():
            self.conn.execute("DELETE FROM sessions WHERE token_hash = %s", [token_hash])
