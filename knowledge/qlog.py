"""The question log: what was asked and how the kiosk decided — never audio, never names.

Every question is masked before it is stored (``knowledge.masking``: names, phone and ID
numbers, dates, addresses, e-mail), and rows older than the retention limit are deleted.
"""
from __future__ import annotations

import datetime as dt
import json
from enum import StrEnum

import sqlite_utils

from knowledge.masking import scrub
from knowledge.model import Decision, Match
from knowledge.normalize import normalize_text


class Channel(StrEnum):
    """How a question reached the kiosk: the one vocabulary of the app, `kiosk ask` and the admin."""

    VOICE = "voice"  # spoken: the app's microphone, `kiosk ask --audio`
    SEARCH = "search"  # typed: the app's search keyboard, `kiosk ask TEXT`
    BROWSE = "browse"  # touched: a procedure chosen through the fields

    @property
    def label(self) -> str:
        """What the admin's usage chart says."""
        return CHANNEL_LABEL[self]

    @classmethod
    def read(cls, stored: str | None) -> "Channel | None":
        """A stored value, including those of older versions (`kiosk ask` wrote text/audio); None if unknown."""
        value = _OLD_CHANNELS.get(stored or "", stored)
        if value is None or value not in cls._value2member_map_:
            return None
        return cls(value)


CHANNEL_LABEL = {Channel.VOICE: "Nói", Channel.SEARCH: "Gõ chữ", Channel.BROWSE: "Chạm chọn"}
UNKNOWN_CHANNEL = "Không rõ"  # a row without a channel (never written today)
_OLD_CHANNELS = {"audio": "voice", "text": "search", "touch": "browse"}
# The label of any value a database or a kiosk's statistics may hold (older versions', "unknown" included).
STORED_CHANNEL_LABEL = {**{old: CHANNEL_LABEL[Channel(new)] for old, new in _OLD_CHANNELS.items()},
                        **{c.value: c.label for c in Channel}, "unknown": UNKNOWN_CHANNEL}


def log_question(
    db: sqlite_utils.Database, query: str, decision: Decision, matches: list[Match], *,
    channel: Channel = Channel.SEARCH, content_version: str | None = None,
) -> int:
    """Store one question, masked (see the module's docstring); its row id, for the rating."""
    masked = scrub(query)
    row: dict[str, object] = {
        "asked_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "channel": Channel(channel).value,
        "query": masked,
        "normalized": normalize_text(masked)[:300],
        "decision": decision.value,
        "top_codes": json.dumps([m.code for m in matches[:3]]),
        "top_scores": json.dumps([m.score for m in matches[:3]]),
        "chosen_code": matches[0].code if decision is Decision.ANSWER and matches else None,
        "rating": None,
        "content_version": content_version,
    }
    last = db.table("question_log").insert(row).last_pk
    assert isinstance(last, int)  # an INTEGER primary key: the new row's rowid
    return last


def chosen_counts(db: sqlite_utils.Database) -> dict[str, int]:
    """How often each procedure was the one a citizen got (answered, or chosen from the
    choices or the field's list), over the log's retention: the touch path lists the most
    asked first. Codes only, nothing personal; {} when there is no log yet."""
    if "question_log" not in db.table_names():
        return {}
    rows = db.execute("SELECT chosen_code, COUNT(*) FROM question_log WHERE chosen_code IS NOT NULL "
                      "GROUP BY chosen_code").fetchall()
    return {str(code): int(n) for code, n in rows}


def rate(db: sqlite_utils.Database, question_id: int, rating: int, chosen_code: str | None = None) -> None:
    if rating not in (-1, 0, 1):
        raise ValueError("rating must be -1, 0 or 1")
    update: dict[str, object] = {"rating": rating}
    if chosen_code:
        update["chosen_code"] = chosen_code
    db.table("question_log").update(question_id, update)


def purge_older_than(db: sqlite_utils.Database, days: int) -> int:
    cutoff = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=days)).isoformat(timespec="seconds")
    cur = db.execute("DELETE FROM question_log WHERE asked_at < ?", [cutoff])
    return cur.rowcount
