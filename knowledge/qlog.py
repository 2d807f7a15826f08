"""The question log: what was asked and how the kiosk decided — never audio, never names.

Questions can contain personal details a citizen says aloud ("khai sinh cho bé Nguyễn
Văn A"), so the stored text is the normalised matching key with digit runs masked,
and rows older than the retention limit are deleted.
"""
from __future__ import annotations

import datetime as dt
import json
import re

import sqlite_utils

from knowledge.model import Decision, Match
from knowledge.normalize import nfc, normalize_text

_DIGITS = re.compile(r"\d{3,}")  # phone, ID and house numbers


def scrub(text: str) -> str:
    """The question as readable text for staff reports, with number runs masked."""
    return _DIGITS.sub("#", " ".join(nfc(text).split()))[:300]


def log_question(
    db: sqlite_utils.Database, query: str, decision: Decision, matches: list[Match], *,
    channel: str = "text", content_version: str | None = None,
) -> int:
    row = {
        "asked_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "channel": channel,
        "query": scrub(query),
        "normalized": _DIGITS.sub("#", normalize_text(query))[:300],
        "decision": decision.value,
        "top_codes": json.dumps([m.code for m in matches[:3]]),
        "top_scores": json.dumps([m.score for m in matches[:3]]),
        "chosen_code": matches[0].code if decision is Decision.ANSWER and matches else None,
        "rating": None,
        "content_version": content_version,
    }
    return db["question_log"].insert(row).last_pk


def rate(db: sqlite_utils.Database, question_id: int, rating: int, chosen_code: str | None = None) -> None:
    if rating not in (-1, 0, 1):
        raise ValueError("rating must be -1, 0 or 1")
    update = {"rating": rating}
    if chosen_code:
        update["chosen_code"] = chosen_code
    db["question_log"].update(question_id, update)


def purge_older_than(db: sqlite_utils.Database, days: int) -> int:
    cutoff = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=days)).isoformat(timespec="seconds")
    cur = db.execute("DELETE FROM question_log WHERE asked_at < ?", [cutoff])
    return cur.rowcount
