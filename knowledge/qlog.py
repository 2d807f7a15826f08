"""The question log: what was asked and how the kiosk decided — never audio, never names.

Questions can contain personal details a citizen says aloud ("khai sinh cho bé Nguyễn
Văn An, số 0903…"), so before anything is stored, number runs and personal names are
masked, and rows older than the retention limit are deleted. Names are found the way
Vietnamese names look: a run of capitalised syllables, or a common surname (written
in any case) with the two syllables after it.
"""
from __future__ import annotations

import datetime as dt
import json
import re

import sqlite_utils

from knowledge.model import Decision, Match
from knowledge.normalize import nfc, normalize_text

_DIGITS = re.compile(r"\d{3,}")  # phone, ID and house numbers
NAME_MASK = "[tên]"
# Surnames that are not also everyday words, so they mark a name even in lower case.
_SURNAMES = frozenset(
    "nguyễn trần phạm huỳnh hoàng võ vũ đặng bùi ngô trương đinh đoàn lương trịnh quách tạ triệu "
    "thái kiều lưu châu hứa".split()
)
# Typed without diacritics only these stay unambiguous ("vo" is also "vợ", "dang" "đăng").
_SURNAMES_FOLDED = frozenset("nguyen huynh bui quach".split())


def _mask_names(tokens: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(tokens):
        word = tokens[i].strip(",.;:!?")
        caps = 0
        while i + caps < len(tokens) and tokens[i + caps][:1].isupper() and tokens[i + caps][:1].isalpha():
            caps += 1
        if caps >= 2 and not (i == 0 and caps == 2 and word.lower() not in _SURNAMES):
            out.append(NAME_MASK)
            i += caps
        elif (word.lower() in _SURNAMES or word.lower() in _SURNAMES_FOLDED) and i + 1 < len(tokens):
            out.append(NAME_MASK)
            i += 3
        else:
            out.append(tokens[i])
            i += 1
    return out


def scrub(text: str) -> str:
    """The question as readable text for staff reports, with numbers and names masked."""
    tokens = _mask_names(nfc(text).split())
    return _DIGITS.sub("#", " ".join(tokens))[:300]


def log_question(
    db: sqlite_utils.Database, query: str, decision: Decision, matches: list[Match], *,
    channel: str = "text", content_version: str | None = None,
) -> int:
    row = {
        "asked_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "channel": channel,
        "query": scrub(query),
        "normalized": normalize_text(scrub(query))[:300],
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
