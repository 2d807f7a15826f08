"""Staff accounts, passwords (Argon2id), server-side sessions, login rate limiting, audit log."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

import sqlite_utils
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from kiosk.admin.errors import AdminError, AuthError, RateLimited

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,31}$")
MIN_PASSWORD = 8
MAX_PASSWORD = 1024

# Login throttling: failures counted over a sliding window.
WINDOW = dt.timedelta(minutes=15)
MAX_FAILS_PER_USER = 5
MAX_FAILS_PER_IP = 20

SESSION_IDLE = dt.timedelta(hours=8)  # one working day
SESSION_MAX = dt.timedelta(hours=12)


class Role(StrEnum):
    EDITOR = "editor"  # edit the draft, publish, import/export, reports
    ADMIN = "admin"  # also: staff accounts, roll back, audit log


ROLE_LABEL = {Role.EDITOR: "Biên tập viên", Role.ADMIN: "Quản trị"}


@dataclass(frozen=True, slots=True)
class User:
    id: int
    name: str
    role: Role
    active: bool = True
    last_login_at: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


@dataclass(frozen=True, slots=True)
class Session:
    user: User
    csrf: str
    token_hash: str


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def stamp(t: dt.datetime | None = None) -> str:
    return (t or now()).isoformat(timespec="seconds")


class Accounts:
    """All account operations on one database connection."""

    def __init__(self, db: sqlite_utils.Database, hasher: PasswordHasher | None = None):
        self.db = db
        self.hasher = hasher or PasswordHasher()

    # ---- users -------------------------------------------------------------------------
    @staticmethod
    def clean_name(name: str) -> str:
        name = unicodedata.normalize("NFC", name or "").strip().lower()
        if not NAME_RE.match(name):
            raise AdminError(
                "tên đăng nhập 2–32 ký tự: chữ thường không dấu, số, dấu chấm, gạch ngang / "
                "user name: 2–32 of a-z 0-9 . _ -"
            )
        return name

    def check_password(self, name: str, password: str) -> None:
        if len(password) < MIN_PASSWORD:
            raise AdminError(f"mật khẩu cần ít nhất {MIN_PASSWORD} ký tự / password too short")
        if len(password) > MAX_PASSWORD:
            raise AdminError("mật khẩu quá dài / password too long")
        if password.strip().lower() == name:
            raise AdminError("mật khẩu không được trùng tên đăng nhập / password equals the user name")

    def _row_user(self, r: dict) -> User:
        return User(r["id"], r["name"], Role(r["role"]), bool(r["active"]), r.get("last_login_at"))

    def get(self, name: str) -> User | None:
        r = next(self.db.query("SELECT * FROM admin_users WHERE name = ?", [name]), None)
        return self._row_user(r) if r else None

    def list(self) -> list[User]:
        return [self._row_user(r) for r in self.db.query("SELECT * FROM admin_users ORDER BY name")]

    def create(self, name: str, password: str, role: Role | str, *, by: str = "") -> User:
        name = self.clean_name(name)
        role = Role(role)
        self.check_password(name, password)
        if self.get(name):
            raise AdminError(f"đã có tài khoản '{name}' / user exists")
        t = stamp()
        self.db["admin_users"].insert({
            "name": name, "role": role.value, "password_hash": self.hasher.hash(password), "active": 1,
            "created_at": t, "created_by": by, "password_changed_at": t,
        })
        return self.get(name)  # type: ignore[return-value]

    def set_password(self, name: str, password: str) -> None:
        user = self._require(name)
        self.check_password(name, password)
        self.db["admin_users"].update(user.id, {"password_hash": self.hasher.hash(password), "password_changed_at": stamp()})
        self.end_sessions(user.id)  # a reset password signs the account out everywhere

    def set_role(self, name: str, role: Role | str) -> None:
        user = self._require(name)
        role = Role(role)
        if user.role is Role.ADMIN and role is not Role.ADMIN:
            self._keep_one_admin(user)
        self.db["admin_users"].update(user.id, {"role": role.value})

    def set_active(self, name: str, active: bool) -> None:
        user = self._require(name)
        if not active and user.role is Role.ADMIN:
            self._keep_one_admin(user)
        self.db["admin_users"].update(user.id, {"active": int(active)})
        if not active:
            self.end_sessions(user.id)

    def _keep_one_admin(self, user: User) -> None:
        others = [u for u in self.list() if u.is_admin and u.active and u.id != user.id]
        if not others:
            raise AdminError("phải còn ít nhất một tài khoản quản trị đang hoạt động / keep one active admin")

    def _require(self, name: str) -> User:
        user = self.get(name)
        if user is None:
            raise AdminError(f"không có tài khoản '{name}' / no such user")
        return user

    # ---- login and its throttling -------------------------------------------------------
    def _failures(self, column: str, value: str) -> int:
        since = stamp(now() - WINDOW)
        return self.db.execute(
            f"SELECT count(*) FROM admin_login_attempts WHERE {column} = ? AND ok = 0 AND at >= ?", [value, since]
        ).fetchone()[0]

    def throttled(self, name: str, ip: str) -> bool:
        return self._failures("name", name) >= MAX_FAILS_PER_USER or self._failures("ip", ip) >= MAX_FAILS_PER_IP

    def authenticate(self, name: str, password: str, ip: str) -> User:
        """The user for a correct name and password; AuthError or RateLimited otherwise."""
        name = unicodedata.normalize("NFC", name or "").strip().lower()[:64]
        if self.throttled(name, ip):
            self._attempt(name, ip, ok=False)
            raise RateLimited("đăng nhập sai quá nhiều lần — chờ 15 phút rồi thử lại / too many failed logins")
        r = next(self.db.query("SELECT * FROM admin_users WHERE name = ?", [name]), None)
        ok = False
        if r is not None and len(password) <= MAX_PASSWORD:
            try:
                ok = self.hasher.verify(r["password_hash"], password)
            except (VerificationError, InvalidHashError):
                ok = False
        else:
            # Same work for an unknown name, so timing does not reveal which names exist.
            try:
                self.hasher.verify(_DUMMY_HASH.get(self.hasher), "x")
            except (VerificationError, InvalidHashError):
                pass
        if not ok or not r["active"]:
            self._attempt(name, ip, ok=False)
            raise AuthError("sai tên đăng nhập hoặc mật khẩu / wrong user name or password")
        self._attempt(name, ip, ok=True)
        if self.hasher.check_needs_rehash(r["password_hash"]):
            self.db["admin_users"].update(r["id"], {"password_hash": self.hasher.hash(password)})
        self.db["admin_users"].update(r["id"], {"last_login_at": stamp()})
        return self._row_user(r)

    def _attempt(self, name: str, ip: str, *, ok: bool) -> None:
        self.db["admin_login_attempts"].insert({"at": stamp(), "ip": ip, "name": name, "ok": int(ok)})
        if ok:  # a successful login clears that account's failure count
            self.db.execute("DELETE FROM admin_login_attempts WHERE name = ? AND ok = 0", [name])
        self.db.execute("DELETE FROM admin_login_attempts WHERE at < ?", [stamp(now() - 2 * WINDOW)])

    # ---- sessions ----------------------------------------------------------------------
    @staticmethod
    def _hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    def start_session(self, user: User, ip: str) -> str:
        """A new random session token (the cookie value); only its hash is stored."""
        token = secrets.token_urlsafe(32)
        t = stamp()
        self.db["admin_sessions"].insert({
            "token_hash": self._hash_token(token), "user_id": user.id, "csrf": secrets.token_urlsafe(32),
            "created_at": t, "last_seen": t, "ip": ip,
        })
        return token

    def session(self, token: str | None) -> Session | None:
        if not token or len(token) > 100:
            return None
        h = self._hash_token(token)
        r = next(self.db.query(
            "SELECT s.*, u.id AS uid, u.name, u.role, u.active, u.last_login_at FROM admin_sessions s "
            "JOIN admin_users u ON u.id = s.user_id WHERE s.token_hash = ?", [h]), None)
        if r is None:
            return None
        t = now()
        if (not r["active"] or t - dt.datetime.fromisoformat(r["last_seen"]) > SESSION_IDLE
                or t - dt.datetime.fromisoformat(r["created_at"]) > SESSION_MAX):
            self.db.execute("DELETE FROM admin_sessions WHERE token_hash = ?", [h])
            return None
        if t - dt.datetime.fromisoformat(r["last_seen"]) > dt.timedelta(minutes=1):
            self.db["admin_sessions"].update(h, {"last_seen": stamp(t)})
        user = User(r["uid"], r["name"], Role(r["role"]), True, r["last_login_at"])
        return Session(user, r["csrf"], h)

    def end_session(self, token_hash: str) -> None:
        self.db.execute("DELETE FROM admin_sessions WHERE token_hash = ?", [token_hash])

    def end_sessions(self, user_id: int) -> None:
        self.db.execute("DELETE FROM admin_sessions WHERE user_id = ?", [user_id])


class _DummyHash:
    """A hash made once per hasher configuration, verified against for unknown names."""

    def __init__(self) -> None:
        self._cache: dict[tuple, str] = {}

    def get(self, hasher: PasswordHasher) -> str:
        key = (hasher.time_cost, hasher.memory_cost, hasher.parallelism)
        if key not in self._cache:
            self._cache[key] = hasher.hash(secrets.token_hex(8))
        return self._cache[key]


_DUMMY_HASH = _DummyHash()


def csrf_ok(expected: str, given: str | None) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(expected.encode(), str(given).encode())


# ---- audit log ------------------------------------------------------------------------
def audit(db: sqlite_utils.Database, user: str, action: str, target: str = "", detail: object = None, ip: str = "") -> None:
    """One row per change; ``detail`` is any JSON-able summary (fields changed, counts…)."""
    db["admin_audit"].insert({
        "at": stamp(), "user": user, "ip": ip, "action": action, "target": target,
        "detail": json.dumps(detail, ensure_ascii=False) if detail is not None else "",
    })


def audit_rows(db: sqlite_utils.Database, limit: int = 200, offset: int = 0) -> list[dict]:
    return list(db.query("SELECT * FROM admin_audit ORDER BY id DESC LIMIT ? OFFSET ?", [limit, offset]))
