"""Staff accounts, passwords (Argon2id), server-side sessions, login rate limiting, audit log."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import re
import secrets
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

import sqlite_utils
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from kiosk.admin.errors import AdminError, AuthError, RateLimited

log = logging.getLogger(__name__)

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,31}$")
MIN_PASSWORD = 12  # ASVS 4.0 L1 V2.1.1
MAX_PASSWORD = 1024
MIN_DISTINCT = 4  # "aaaaaaaaaaaa" or "121212121212" is as good as no password
COMMON_PASSWORDS = Path(__file__).with_name("common_passwords.txt")

# Login throttling (checked attempts only; an attempt refused by the limiter is not counted,
# so a throttled attacker cannot extend anyone's wait).
# Per account + address: 5 free failures, then each next try waits 30 s, 1, 2, 4… min, at most
# 15 min — only the pair that keeps failing waits longer; the same account from its own
# office PC is not affected.
PAIR_FREE = 5
PAIR_FIRST_WAIT = dt.timedelta(seconds=30)
PAIR_MAX_WAIT = dt.timedelta(minutes=15)
PAIR_MEMORY = dt.timedelta(hours=24)  # failures older than this are forgotten
# Per account from all addresses (a spread-out guessing attack): the account locks, loudly,
# for every address that has not signed in to it successfully before (KNOWN_FOR); an admin
# clears the lock on /users or with `kiosk admin set-password`.
WINDOW = dt.timedelta(minutes=15)
MAX_FAILS_PER_USER = 20
KNOWN_FOR = dt.timedelta(days=30)
# Per address for all names (name spraying through one NAT): the address waits until its
# failures age out of the window, except for accounts that signed in from it before.
MAX_FAILS_PER_IP = 30
# Argon2id with the RFC 9106 defaults takes 64 MiB per hash: at most this many at once
# (2 cores on the kiosk PC); a login that cannot get a slot in HASH_WAIT is told to retry.
MAX_HASHING = 2
HASH_WAIT = 10.0  # seconds

# One lock for check-and-record in this process (SQLite's BEGIN IMMEDIATE covers other processes)
# and one bound on concurrent hashing.
_LIMITER_LOCK = threading.Lock()
_HASHING = threading.BoundedSemaphore(MAX_HASHING)

SESSION_IDLE = dt.timedelta(hours=8)  # one working day
SESSION_MAX = dt.timedelta(hours=12)


class Role(StrEnum):
    """What a staff member may do: editors edit and publish; admins also manage accounts and roll back."""

    EDITOR = "editor"  # edit the draft, publish, import/export, reports
    ADMIN = "admin"  # also: staff accounts, roll back, audit log


ROLE_LABEL = {Role.EDITOR: "Biên tập viên", Role.ADMIN: "Quản trị"}


@dataclass(frozen=True, slots=True)
class User:
    """A staff account as stored (never its password hash)."""

    id: int
    name: str
    role: Role
    active: bool = True
    last_login_at: str | None = None

    @property
    def is_admin(self) -> bool:
        """Whether the account has the administrator role."""
        return self.role is Role.ADMIN


@dataclass(frozen=True, slots=True)
class Session:
    """A signed-in session: its user, the CSRF token of its forms and the stored hash of its cookie."""

    user: User
    csrf: str
    token_hash: str


def now() -> dt.datetime:
    """The current time in UTC (the zone of every stored timestamp)."""
    return dt.datetime.now(dt.timezone.utc)


def stamp(t: dt.datetime | None = None) -> str:
    """``t`` (default: now) as the stored ISO text, to the second."""
    return (t or now()).isoformat(timespec="seconds")


class Accounts:
    """All account operations on one database connection."""

    def __init__(self, db: sqlite_utils.Database, hasher: PasswordHasher | None = None):
        self.db = db
        self.hasher = hasher or PasswordHasher()

    # ---- users -------------------------------------------------------------------------
    @staticmethod
    def clean_name(name: str) -> str:
        """The login name in its stored form (NFC, lower case), or AdminError if not allowed."""
        name = unicodedata.normalize("NFC", name or "").strip().lower()
        if not NAME_RE.match(name):
            raise AdminError(
                "tên đăng nhập 2–32 ký tự: chữ thường không dấu, số, dấu chấm, gạch ngang / "
                "user name: 2–32 of a-z 0-9 . _ -"
            )
        return name

    def check_password(self, name: str, password: str) -> None:
        """AdminError unless ``password`` is long, varied, not the name and not a common password."""
        if not password.strip():
            raise AdminError("mật khẩu không được để trống hay chỉ có dấu cách / blank password")
        # Spaces and separators do not make a guess harder ("12345678    "): they do not count.
        if len(password) < MIN_PASSWORD or len(_fold_password(password)) < MIN_PASSWORD:
            raise AdminError(f"mật khẩu cần ít nhất {MIN_PASSWORD} ký tự, không tính dấu cách và dấu ngăn / "
                             f"password shorter than {MIN_PASSWORD} without spaces and separators")
        if len(password) > MAX_PASSWORD:
            raise AdminError("mật khẩu quá dài / password too long")
        if len(set(password)) < MIN_DISTINCT:
            raise AdminError("mật khẩu lặp lại quá ít ký tự khác nhau / too few distinct characters")
        folded = _fold_password(password)
        if password.strip().lower() == name or folded == _fold_password(name):
            raise AdminError("mật khẩu không được trùng tên đăng nhập / password equals the user name")
        if folded in common_passwords():
            raise AdminError("mật khẩu này quá phổ biến, dễ bị đoán — chọn một câu dài hơn, riêng của bạn / "
                             "password is on the common-password list")

    def _row_user(self, r: dict) -> User:
        return User(r["id"], r["name"], Role(r["role"]), bool(r["active"]), r.get("last_login_at"))

    def get(self, name: str) -> User | None:
        """The account ``name``, or None."""
        r = next(self.db.query("SELECT * FROM admin_users WHERE name = ?", [name]), None)
        return self._row_user(r) if r else None

    def list(self) -> list[User]:
        """Every account, by name."""
        return [self._row_user(r) for r in self.db.query("SELECT * FROM admin_users ORDER BY name")]

    def any_active(self) -> bool:
        """Whether anyone can sign in (the login page tells how to create the first account otherwise)."""
        return self._count("SELECT count(*) FROM admin_users WHERE active = 1", []) > 0

    def create(self, name: str, password: str, role: Role | str, *, by: str = "") -> User:
        """A new account with a hashed password (AdminError for a bad name/password or an existing name)."""
        name = self.clean_name(name)
        role = Role(role)
        self.check_password(name, password)
        if self.get(name):
            raise AdminError(f"đã có tài khoản '{name}' / user exists")
        t = stamp()
        self.db.table("admin_users").insert({
            "name": name, "role": role.value, "password_hash": self.hasher.hash(password), "active": 1,
            "created_at": t, "created_by": by, "password_changed_at": t,
        })
        return self.get(name)  # type: ignore[return-value]

    def set_password(self, name: str, password: str) -> None:
        """Set a new password; ends the account's sessions and forgets its failed logins."""
        user = self.require(name)
        self.check_password(name, password)
        self.db.table("admin_users").update(user.id, {"password_hash": self.hasher.hash(password), "password_changed_at": stamp()})
        self.end_sessions(user.id)  # a reset password signs the account out everywhere
        self.clear_failures(user.name)  # and is how the only admin unlocks a locked account (CLI)

    def set_role(self, name: str, role: Role | str) -> None:
        """Change the role; the last active administrator cannot be demoted."""
        user = self.require(name)
        role = Role(role)
        if user.role is Role.ADMIN and role is not Role.ADMIN:
            self._keep_one_admin(user)
        self.db.table("admin_users").update(user.id, {"role": role.value})

    def set_active(self, name: str, active: bool) -> None:
        """Lock or unlock the account (locking ends its sessions; the last active administrator stays)."""
        user = self.require(name)
        if not active and user.role is Role.ADMIN:
            self._keep_one_admin(user)
        self.db.table("admin_users").update(user.id, {"active": int(active)})
        if not active:
            self.end_sessions(user.id)

    def _keep_one_admin(self, user: User) -> None:
        others = [u for u in self.list() if u.is_admin and u.active and u.id != user.id]
        if not others:
            raise AdminError("phải còn ít nhất một tài khoản quản trị đang hoạt động / keep one active admin")

    def require(self, name: str) -> User:
        """The account ``name``, or AdminError naming it."""
        user = self.get(name)
        if user is None:
            raise AdminError(f"không có tài khoản '{name}' / no such user")
        return user

    # ---- login and its throttling -------------------------------------------------------
    def _count(self, sql: str, args: Sequence[object]) -> int:
        return self.db.execute(sql, args).fetchone()[0]

    def _known(self, name: str, ip: str) -> bool:
        """This account signed in successfully from this address recently (its own office PC)."""
        return self._count("SELECT count(*) FROM admin_login_attempts WHERE name = ? AND ip = ? AND ok = 1 AND at >= ?",
                           [name, ip, stamp(now() - KNOWN_FOR)]) > 0

    def wait_needed(self, name: str, ip: str) -> tuple[dt.timedelta, str]:
        """How long this name+address must still wait before a password is checked (zero: go), and why."""
        t = now()
        since = self.db.execute(
            "SELECT max(at) FROM admin_login_attempts WHERE name = ? AND ip = ? AND ok = 1", [name, ip]).fetchone()[0]
        floor = max(since or "", stamp(t - PAIR_MEMORY))
        fails = list(self.db.query("SELECT at FROM admin_login_attempts WHERE name = ? AND ip = ? AND ok = 0 AND at > ? "
                                   "ORDER BY at", [name, ip, floor]))
        if len(fails) >= PAIR_FREE:
            wait = min(PAIR_FIRST_WAIT * 2 ** (len(fails) - PAIR_FREE), PAIR_MAX_WAIT)
            left = dt.datetime.fromisoformat(fails[-1]["at"]) + wait - t
            if left > dt.timedelta(0):
                return left, "pair"
        if self._known(name, ip):
            return dt.timedelta(0), ""
        window = stamp(t - WINDOW)
        if self.locked(name):
            return WINDOW, "account"
        if self._count("SELECT count(*) FROM admin_login_attempts WHERE ip = ? AND ok = 0 AND at >= ?",
                       [ip, window]) >= MAX_FAILS_PER_IP:
            oldest = self.db.execute("SELECT at FROM admin_login_attempts WHERE ip = ? AND ok = 0 AND at >= ? "
                                     "ORDER BY at DESC LIMIT 1 OFFSET ?", [ip, window, MAX_FAILS_PER_IP - 1]).fetchone()[0]
            return dt.datetime.fromisoformat(oldest) + WINDOW - t, "address"
        return dt.timedelta(0), ""

    def locked(self, name: str) -> bool:
        """Too many failures for this account from all addresses together (a spread-out attack)."""
        return self._count("SELECT count(*) FROM admin_login_attempts WHERE name = ? AND ok = 0 AND at >= ?",
                           [name, stamp(now() - WINDOW)]) >= MAX_FAILS_PER_USER

    def failure_counts(self) -> dict[str, int]:
        """Failed logins kept per account name (all addresses), for the accounts page."""
        return {r["name"]: r["n"] for r in self.db.query(
            "SELECT name, count(*) AS n FROM admin_login_attempts WHERE ok = 0 GROUP BY name")}

    def throttled(self, name: str, ip: str) -> bool:
        """Whether this name and address must wait before the next login attempt."""
        return self.wait_needed(name, ip)[0] > dt.timedelta(0)

    def clear_failures(self, name: str) -> int:
        """An admin's unlock: forget every failed login of this account (all addresses)."""
        n = self.db.execute("DELETE FROM admin_login_attempts WHERE name = ? AND ok = 0", [name]).rowcount
        if n:
            log.warning("admin: login lock of account %r cleared (%d failed attempts forgotten)", name, n)
        return n

    def _claim(self, name: str, ip: str) -> int:
        """Check the limits and record this attempt as a failure, as one step (before any hashing).

        Under a process lock and SQLite's write lock, so 60 parallel tries see each other's
        records: exactly the allowed number get through to the password check.
        """
        with _LIMITER_LOCK:
            conn = self.db.conn
            own = not conn.in_transaction  # inside a caller's transaction: join it, do not commit it
            if own:
                conn.execute("BEGIN IMMEDIATE")
            try:
                left, why = self.wait_needed(name, ip)
                if left > dt.timedelta(0):
                    minutes = max(1, -(-int(left.total_seconds()) // 60))
                    if why == "account":
                        raise RateLimited(f"tài khoản tạm khóa vì bị thử sai mật khẩu nhiều lần từ nhiều nơi — nhờ quản trị "
                                          f"mở khóa (trang Tài khoản) hoặc chờ {minutes} phút / account locked")
                    raise RateLimited(f"đăng nhập sai quá nhiều lần — chờ {minutes} phút rồi thử lại / too many failed logins")
                was_locked = self.locked(name)
                cur = conn.execute("INSERT INTO admin_login_attempts (at, ip, name, ok) VALUES (?, ?, ?, 0)",
                                   [stamp(), ip, name])
                attempt = cur.lastrowid
                assert attempt is not None  # an INSERT always sets it
                if not was_locked and self.locked(name):
                    log.warning("admin: account %r locked: %d failed logins in %d min from several addresses (last %s); "
                                "an admin can clear it on /users", name, MAX_FAILS_PER_USER, WINDOW.seconds // 60, ip)
                    audit(self.db, name, "account-locked", name, {"failures": MAX_FAILS_PER_USER}, ip)
                conn.execute("DELETE FROM admin_login_attempts WHERE (ok = 0 AND at < ?) OR at < ?",
                             [stamp(now() - PAIR_MEMORY), stamp(now() - KNOWN_FOR)])
            except RateLimited:
                if own and conn.in_transaction:
                    conn.execute("COMMIT")  # nothing was written; end the transaction
                raise
            except BaseException:
                if own and conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            if own and conn.in_transaction:
                conn.execute("COMMIT")
        return attempt

    def authenticate(self, name: str, password: str, ip: str) -> User:
        """The user for a correct name and password; AuthError or RateLimited otherwise."""
        name = unicodedata.normalize("NFC", name or "").strip().lower()[:64]
        attempt = self._claim(name, ip)
        if not _HASHING.acquire(timeout=HASH_WAIT):
            # Not checked, so not counted.
            self.db.execute("DELETE FROM admin_login_attempts WHERE id = ?", [attempt])
            self.db.conn.commit()
            raise RateLimited("máy đang bận kiểm tra đăng nhập khác — thử lại sau ít giây / busy, retry")
        try:
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
            rehash = r is not None and ok and r["active"] and self.hasher.check_needs_rehash(r["password_hash"])
            new_hash = self.hasher.hash(password) if rehash else None
        finally:
            _HASHING.release()
        if r is None or not ok or not r["active"]:
            raise AuthError("sai tên đăng nhập hoặc mật khẩu / wrong user name or password")
        with self.db.atomic():
            self.db.execute("UPDATE admin_login_attempts SET ok = 1 WHERE id = ?", [attempt])
            # Success forgets this address's failures for the account; other addresses keep theirs.
            self.db.execute("DELETE FROM admin_login_attempts WHERE name = ? AND ip = ? AND ok = 0", [name, ip])
            self.db.execute("DELETE FROM admin_login_attempts WHERE name = ? AND ip = ? AND ok = 1 AND id != ?",
                            [name, ip, attempt])
            if new_hash:
                self.db.table("admin_users").update(r["id"], {"password_hash": new_hash})
            self.db.table("admin_users").update(r["id"], {"last_login_at": stamp()})
        return self._row_user(r)

    # ---- sessions ----------------------------------------------------------------------
    @staticmethod
    def _hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    def start_session(self, user: User, ip: str) -> str:
        """A new random session token (the cookie value); only its hash is stored."""
        token = secrets.token_urlsafe(32)
        t = stamp()
        self.db.table("admin_sessions").insert({
            "token_hash": self._hash_token(token), "user_id": user.id, "csrf": secrets.token_urlsafe(32),
            "created_at": t, "last_seen": t, "ip": ip,
        })
        return token

    def session(self, token: str | None) -> Session | None:
        """The live session of this cookie token, or None (unknown, idle too long, too old or account disabled)."""
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
            self.db.table("admin_sessions").update(h, {"last_seen": stamp(t)})
        user = User(r["uid"], r["name"], Role(r["role"]), True, r["last_login_at"])
        return Session(user, r["csrf"], h)

    def end_session(self, token_hash: str) -> None:
        """Sign out one session."""
        self.db.execute("DELETE FROM admin_sessions WHERE token_hash = ?", [token_hash])

    def end_sessions(self, user_id: int) -> None:
        """Sign out every session of one account."""
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


def csrf_ok(expected: str, given: object) -> bool:
    """Whether the form's token (whatever the form held: text, an upload or nothing) equals the
    expected one (constant-time; an empty token never matches)."""
    return bool(expected) and bool(given) and hmac.compare_digest(expected.encode(), str(given).encode())


# ---- audit log ------------------------------------------------------------------------
# Failed and throttled logins are written by anyone who can reach the login page, so they
# are rate-limited per address and kept for less time than the record of staff changes.
ANON_ACTIONS = ("login-failed", "login-throttled")
ANON_PER_ADDRESS = 20  # rows per address per ANON_PERIOD; the rest are counted in one summary row
ANON_ALL = 500  # rows from all addresses together per ANON_PERIOD (an attacker rotating addresses)
ANON_PERIOD = dt.timedelta(minutes=10)
ANON_KEEP = dt.timedelta(days=90)
AUDIT_KEEP = dt.timedelta(days=3 * 365)  # staff changes: three years, then purged


def _json(detail: object) -> str:
    return json.dumps(detail, ensure_ascii=False) if detail is not None else ""


def audit(db: sqlite_utils.Database, user: str, action: str, target: str = "", detail: object = None, ip: str = "") -> None:
    """One row per change; ``detail`` is any JSON-able summary (fields changed, counts…)."""
    if action in ANON_ACTIONS:
        t = now()
        marks = ",".join("?" * len(ANON_ACTIONS))
        recent = db.execute(f"SELECT count(*) FROM admin_audit WHERE ip = ? AND at >= ? AND action IN ({marks})",
                            [ip, stamp(t - ANON_PERIOD), *ANON_ACTIONS]).fetchone()[0]
        everyone = db.execute(f"SELECT count(*) FROM admin_audit WHERE at >= ? AND action IN ({marks})",
                              [stamp(t - ANON_PERIOD), *ANON_ACTIONS]).fetchone()[0]
        if everyone >= ANON_ALL:
            ip = "*"  # counted together, whatever the address
        if recent >= ANON_PER_ADDRESS or everyone >= ANON_ALL:
            # One summary row per address and period counts what was not written one by one.
            row = db.execute("SELECT id, detail FROM admin_audit WHERE ip = ? AND action = 'login-flood' AND at >= ? "
                             "ORDER BY id DESC LIMIT 1", [ip, stamp(t - ANON_PERIOD)]).fetchone()
            if row is None:
                log.warning("admin: more than %d failed logins from %s in %d min; counting them in one audit row",
                            ANON_PER_ADDRESS, ip, ANON_PERIOD.seconds // 60)
                db.table("admin_audit").insert({"at": stamp(t), "user": "", "ip": ip, "action": "login-flood", "target": "",
                                          "detail": _json({"more": 1})})
            else:
                more = json.loads(row[1] or "{}").get("more", 0) + 1
                db.execute("UPDATE admin_audit SET detail = ? WHERE id = ?", [_json({"more": more}), row[0]])
            return
        db.execute(f"DELETE FROM admin_audit WHERE at < ? AND action IN ({','.join('?' * (len(ANON_ACTIONS) + 1))})",
                   [stamp(t - ANON_KEEP), *ANON_ACTIONS, "login-flood"])
        db.execute("DELETE FROM admin_audit WHERE at < ?", [stamp(t - AUDIT_KEEP)])
    db.table("admin_audit").insert({
        "at": stamp(), "user": user, "ip": ip, "action": action, "target": target, "detail": _json(detail),
    })


def audit_rows(db: sqlite_utils.Database, limit: int = 200, offset: int = 0) -> list[dict]:
    """Audit rows, newest first."""
    return list(db.query("SELECT * FROM admin_audit ORDER BY id DESC LIMIT ? OFFSET ?", [limit, offset]))


def _fold_password(text: str) -> str:
    """Lower case without spaces and separators, full-width letters as ASCII: 'Mat-Khau 123',
    'ｍａｔｋｈａｕ１２３' and 'matkhau123' are the same guess."""
    return re.sub(r"[\s._\-]+", "", unicodedata.normalize("NFKC", text).lower())


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The shipped list of passwords people pick most (folded), read once."""
    try:
        lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    except OSError:
        log.error("admin: %s missing; only length rules apply to passwords", COMMON_PASSWORDS)
        return frozenset()
    return frozenset(_fold_password(x) for x in lines if x.strip() and not x.startswith("#"))
