"""Roll-up statistics from the ward kiosks: the upload format (FLEET.md), its checks, storage, reports.

A kiosk sends one JSON object per finished day; the hub keeps ONE row per (ward, kiosk,
day) and replaces it, so a day sent twice counts once. Nothing personal arrives: the
unanswered texts are already normalised and masked by the kiosk's question log.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from kiosk.hub.errors import HubError
from knowledge.normalize import fold
from knowledge.qlog import Channel

STATS_FORMAT = 1
DECISIONS = ("answer", "clarify", "none", "redirect")
# Decisions and channels named in FLEET.md are the usual ones, not the only ones: an older kiosk
# logged its typed questions as "text" (read as "search") and a later one may add a decision.
# Any short lower-case name is kept.
NAME_KEY_RE = re.compile(r"^[a-z][a-z0-9_.-]{0,31}$")
WARD_CODE_RE = re.compile(r"^[0-9A-Za-z._-]{1,32}$")
KIOSK_RE = re.compile(r"^[0-9A-Za-z._-]{1,64}$")
PROC_CODE_RE = re.compile(r"^[0-9A-Za-z._-]{1,64}$")
MAX_BODY = 512 * 1024  # a busy kiosk's day is a few kB; 200 unanswered texts of 300 chars fit easily
MAX_UNANSWERED = 500
MAX_TEXT = 300
MAX_COUNT = 1_000_000  # questions per kiosk per day; far above a kiosk's real ceiling (~2,000)
MAX_KEYS = 5000


class StatsInvalid(HubError):
    """422: the message names the field."""


@dataclass(frozen=True)
class DailyStats:
    ward: str
    kiosk: str
    day: dt.date
    questions: int
    by_procedure: dict[str, int]
    decisions: dict[str, int]
    by_channel: dict[str, int]
    unanswered: list[tuple[str, int]]
    ratings_up: int
    ratings_down: int


def _count(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
        raise StatsInvalid(f"{where}: phải là số nguyên từ 0 đến {MAX_COUNT} / must be an integer 0..{MAX_COUNT}")
    return value


def _counts(value: Any, where: str, *, keys: tuple[str, ...] | None = None, key_re: re.Pattern | None = None) -> dict[str, int]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise StatsInvalid(f"{where}: phải là một đối tượng {{khóa: số}} / must be an object of counts")
    if len(value) > MAX_KEYS:
        raise StatsInvalid(f"{where}: quá nhiều khóa / too many keys")
    out: dict[str, int] = {}
    for k, v in value.items():
        if keys is not None and k not in keys:
            raise StatsInvalid(f"{where}.{k}: khóa không hợp lệ, chỉ nhận {', '.join(keys)} / unknown key")
        if key_re is not None and not key_re.match(k):
            raise StatsInvalid(f"{where}: khóa {k[:40]!r} không hợp lệ / bad key")
        out[k] = _count(v, f"{where}.{k}")
    return out


def parse(payload: Any) -> DailyStats:
    """The upload as a DailyStats, or StatsInvalid naming the first bad field."""
    if not isinstance(payload, dict):
        raise StatsInvalid("nội dung phải là một đối tượng JSON / body must be a JSON object")
    if payload.get("format") != STATS_FORMAT:
        raise StatsInvalid(f"format: phải là {STATS_FORMAT} / format must be {STATS_FORMAT}")
    for key in ("ward", "kiosk", "day", "questions"):
        if key not in payload:
            raise StatsInvalid(f"{key}: thiếu trường bắt buộc / missing field")
    ward, kiosk, day = payload["ward"], payload["kiosk"], payload["day"]
    if not isinstance(ward, str) or not WARD_CODE_RE.match(ward):
        raise StatsInvalid("ward: mã phường không hợp lệ / bad ward code")
    if not isinstance(kiosk, str) or not KIOSK_RE.match(kiosk):
        raise StatsInvalid("kiosk: tên kiosk 1–64 ký tự chữ, số, . _ - / bad kiosk id")
    try:
        if not isinstance(day, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", day):
            raise ValueError
        d = dt.date.fromisoformat(day)
    except ValueError:
        raise StatsInvalid("day: phải là ngày dạng YYYY-MM-DD / day must be YYYY-MM-DD") from None
    if d > dt.date.today() + dt.timedelta(days=1):  # a day of slack for time zones
        raise StatsInvalid("day: ngày trong tương lai / day is in the future")
    questions = _count(payload["questions"], "questions")
    unanswered_raw = payload.get("unanswered") or []
    if not isinstance(unanswered_raw, list) or len(unanswered_raw) > MAX_UNANSWERED:
        raise StatsInvalid(f"unanswered: phải là danh sách tối đa {MAX_UNANSWERED} mục / must be a list")
    unanswered: list[tuple[str, int]] = []
    for i, item in enumerate(unanswered_raw):
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            raise StatsInvalid(f"unanswered[{i}].text: phải là chuỗi / must be a string")
        text = unicodedata.normalize("NFC", item["text"]).strip()
        if not text or len(text) > MAX_TEXT:
            raise StatsInvalid(f"unanswered[{i}].text: trống hoặc dài quá {MAX_TEXT} ký tự / empty or too long")
        unanswered.append((text, _count(item.get("count"), f"unanswered[{i}].count")))
    ratings = _counts(payload.get("ratings"), "ratings", keys=("up", "down"))
    return DailyStats(
        ward=ward, kiosk=kiosk, day=d, questions=questions,
        by_procedure=_counts(payload.get("by_procedure"), "by_procedure", key_re=PROC_CODE_RE),
        decisions=_counts(payload.get("decisions"), "decisions", key_re=NAME_KEY_RE),
        by_channel=_channels(_counts(payload.get("by_channel"), "by_channel", key_re=NAME_KEY_RE)),
        unanswered=unanswered, ratings_up=ratings.get("up", 0), ratings_down=ratings.get("down", 0),
    )


def _channels(counts: dict[str, int]) -> dict[str, int]:
    """One vocabulary (knowledge.qlog.Channel): older kiosks' ``text``/``audio`` counted as today's values."""
    out: dict[str, int] = {}
    for key, n in counts.items():
        key = str(Channel.read(key) or key)
        out[key] = out.get(key, 0) + n
    return out


# ---- wards and their tokens -------------------------------------------------------------------
def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def add_ward(conn: psycopg.Connection, code: str, name: str) -> str:
    """Register a ward (or give it a new token); returns the token, shown once."""
    if not WARD_CODE_RE.match(code or ""):
        raise HubError("mã phường 1–32 ký tự chữ, số, . _ - (ví dụ mã đơn vị hành chính 26734) / bad ward code")
    name = unicodedata.normalize("NFC", (name or "").strip())
    if not name:
        raise HubError("thiếu tên phường (--name) / ward name missing")
    token = secrets.token_urlsafe(32)
    with conn.transaction():
        conn.execute(
            "INSERT INTO wards (code, name, token_hash) VALUES (%s, %s, %s) "
            "ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, token_hash = EXCLUDED.token_hash",
            [code, name, hash_token(token)])
    return token


def wards(conn: psycopg.Connection) -> list[dict]:
    return conn.execute("SELECT code, name, created_at FROM wards ORDER BY code").fetchall()


def ward_for_token(conn: psycopg.Connection, token: str) -> str | None:
    if not token or len(token) > 200:
        return None
    row = conn.execute("SELECT code FROM wards WHERE token_hash = %s", [hash_token(token)]).fetchone()
    return row["code"] if row else None


def store(conn: psycopg.Connection, s: DailyStats) -> str:
    """Insert or replace the (ward, kiosk, day) row; 'new' or 'replaced'."""
    row = conn.execute(
        "INSERT INTO daily_stats (ward, kiosk, day, questions, by_procedure, decisions, by_channel, unanswered, "
        "ratings_up, ratings_down) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
        "ON CONFLICT (ward, kiosk, day) DO UPDATE SET questions = EXCLUDED.questions, "
        "by_procedure = EXCLUDED.by_procedure, decisions = EXCLUDED.decisions, by_channel = EXCLUDED.by_channel, "
        "unanswered = EXCLUDED.unanswered, ratings_up = EXCLUDED.ratings_up, ratings_down = EXCLUDED.ratings_down, "
        "received_at = now() RETURNING (xmax = 0) AS inserted",
        [s.ward, s.kiosk, s.day, s.questions, Jsonb(s.by_procedure), Jsonb(s.decisions), Jsonb(s.by_channel),
         Jsonb([{"text": t, "count": n} for t, n in s.unanswered]), s.ratings_up, s.ratings_down]).fetchone()
    return "new" if row["inserted"] else "replaced"


# ---- reports ----------------------------------------------------------------------------------
@dataclass
class Report:
    days: int
    ward: str | None
    questions: int = 0
    kiosks: int = 0
    by_day: list[tuple[str, int]] = field(default_factory=list)
    by_procedure: list[tuple[str, int]] = field(default_factory=list)
    decisions: dict[str, int] = field(default_factory=dict)
    by_channel: dict[str, int] = field(default_factory=dict)
    ratings_up: int = 0
    ratings_down: int = 0
    per_ward: list[dict] = field(default_factory=list)


def _since(days: int) -> dt.date:
    return dt.date.today() - dt.timedelta(days=days)


def report(conn: psycopg.Connection, days: int = 30, ward: str | None = None) -> Report:
    """Totals for the province (ward=None) or one ward over the last ``days`` days."""
    where, args = "day > %s", [_since(days)]
    if ward is not None:
        where += " AND ward = %s"
        args.append(ward)
    r = Report(days, ward)
    tot = conn.execute(f"SELECT coalesce(sum(questions), 0) AS q, coalesce(sum(ratings_up), 0) AS up, "
                       f"coalesce(sum(ratings_down), 0) AS down, count(DISTINCT (ward, kiosk)) AS kiosks "
                       f"FROM daily_stats WHERE {where}", args).fetchone()
    r.questions, r.ratings_up, r.ratings_down, r.kiosks = int(tot["q"]), int(tot["up"]), int(tot["down"]), tot["kiosks"]
    per_day = {row["day"]: int(row["q"]) for row in conn.execute(
        f"SELECT day, sum(questions) AS q FROM daily_stats WHERE {where} GROUP BY day", args)}
    start = _since(days)
    r.by_day = [((start + dt.timedelta(days=i)).isoformat(), per_day.get(start + dt.timedelta(days=i), 0))
                for i in range(1, days + 1)]
    for col, attr in (("by_procedure", None), ("decisions", "decisions"), ("by_channel", "by_channel")):
        rows = conn.execute(f"SELECT e.key, sum(e.value::int) AS n FROM daily_stats, jsonb_each_text({col}) e "
                            f"WHERE {where} GROUP BY e.key ORDER BY n DESC, e.key", args).fetchall()
        if attr is None:
            r.by_procedure = [(x["key"], int(x["n"])) for x in rows]
        else:
            setattr(r, attr, {x["key"]: int(x["n"]) for x in rows})
    if ward is None:
        r.per_ward = conn.execute(
            "SELECT w.code, w.name, coalesce(sum(s.questions), 0) AS questions, count(DISTINCT s.kiosk) AS kiosks, "
            "coalesce(sum(s.ratings_up), 0) AS up, coalesce(sum(s.ratings_down), 0) AS down, max(s.day) AS last_day "
            "FROM wards w LEFT JOIN daily_stats s ON s.ward = w.code AND s.day > %s "
            "GROUP BY w.code, w.name ORDER BY questions DESC, w.code", [_since(days)]).fetchall()
    return r


@dataclass
class MergedQuestion:
    key: str  # the folded text all its variants share
    count: int
    wards: list[str]
    texts: Counter

    @property
    def example(self) -> str:
        return self.texts.most_common(1)[0][0]


def group_key(text: str) -> str:
    """Unanswered texts that differ only in case, tone marks or spacing are one question."""
    return " ".join(fold(text).lower().replace("#", " ").split())


def merged_unanswered(conn: psycopg.Connection, days: int = 30, limit: int = 300) -> list[MergedQuestion]:
    """Unanswered questions of every ward, grouped by normalised text, most asked first."""
    rows = conn.execute(
        "SELECT s.ward, u.value->>'text' AS text, (u.value->>'count')::int AS n "
        "FROM daily_stats s, jsonb_array_elements(s.unanswered) u WHERE s.day > %s", [_since(days)]).fetchall()
    groups: dict[str, MergedQuestion] = {}
    for r in rows:
        key = group_key(r["text"])
        if not key:
            continue
        g = groups.get(key)
        if g is None:
            g = groups[key] = MergedQuestion(key, 0, [], Counter())
        g.count += r["n"]
        g.texts[r["text"]] += r["n"]
        if r["ward"] not in g.wards:
            g.wards.append(r["ward"])
    out = sorted(groups.values(), key=lambda g: (-g.count, -len(g.wards), g.key))
    return out[:limit]
