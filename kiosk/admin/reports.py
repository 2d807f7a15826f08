"""Staff reports from the question log: what the kiosk could not answer, and how it is used."""
from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field

import sqlite_utils
from rapidfuzz import fuzz, process

from knowledge.normalize import fold
from knowledge.qlog import UNKNOWN_CHANNEL, Channel

GROUP_CUTOFF = 82.0  # token_sort_ratio on folded text: word order and accents do not split a group
MAX_ROWS = 5000


@dataclass
class QuestionGroup:
    """Similar questions the kiosk could not answer, with how they were asked and what it offered."""

    key: str  # folded normalised text of the first (most frequent) question
    count: int = 0
    queries: Counter = field(default_factory=Counter)  # question text as asked (numbers masked)
    decisions: Counter = field(default_factory=Counter)
    bad_ratings: int = 0
    candidates: Counter = field(default_factory=Counter)  # codes the kiosk offered
    last_asked: str = ""

    @property
    def example(self) -> str:
        """The most frequent wording in the group."""
        return self.queries.most_common(1)[0][0]

    @property
    def alias_text(self) -> str:
        """The question as an alias: masked numbers dropped, single spaces."""
        return " ".join(self.example.replace("#", " ").split())

    def others(self, n: int = 4) -> list[str]:
        """Up to ``n`` other wordings, most frequent first."""
        return [q for q, _ in self.queries.most_common(n + 1)[1:]]


def since(days: int | None) -> str:
    """The ISO timestamp ``days`` ago (UTC), or "" for all time."""
    if not days:
        return ""
    return (dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=days)).isoformat(timespec="seconds")


def unanswered(db: sqlite_utils.Database, days: int | None = 30) -> list[QuestionGroup]:
    """Questions that ended in none/clarify or a thumbs-down, grouped by similarity, biggest first."""
    rows = list(db.query(
        "SELECT query, normalized, decision, rating, top_codes, asked_at FROM question_log "
        "WHERE asked_at >= ? AND (decision IN ('none', 'clarify') OR rating = -1) ORDER BY id DESC LIMIT ?",
        [since(days), MAX_ROWS],
    ))
    by_key: dict[str, list[dict]] = {}
    for r in rows:
        key = fold(r["normalized"] or r["query"] or "").replace("#", " ").strip()
        key = " ".join(key.split())
        if key:
            by_key.setdefault(key, []).append(r)
    groups: list[QuestionGroup] = []
    reps: dict[int, str] = {}
    for key in sorted(by_key, key=lambda k: (-len(by_key[k]), k)):
        hit = process.extractOne(key, reps, scorer=fuzz.token_sort_ratio, processor=None, score_cutoff=GROUP_CUTOFF)
        if hit is None:
            reps[len(groups)] = key
            groups.append(QuestionGroup(key))
            g = groups[-1]
        else:
            g = groups[hit[2]]
        for r in by_key[key]:
            g.count += 1
            g.queries[r["query"] or key] += 1
            g.decisions[r["decision"]] += 1
            g.bad_ratings += r["rating"] == -1
            try:
                g.candidates.update(json.loads(r["top_codes"] or "[]")[:3])
            except (ValueError, TypeError):
                pass
            g.last_asked = max(g.last_asked, r["asked_at"] or "")
    groups.sort(key=lambda g: (-g.count, g.key))
    return groups


def _local_day(iso: str) -> str:
    try:
        return dt.datetime.fromisoformat(iso).astimezone().date().isoformat()
    except (TypeError, ValueError):
        return "?"


@dataclass
class Usage:
    """Counts of the question log for a period, for the usage charts."""

    total: int
    per_day: list[tuple[str, int]]
    decisions: dict[str, int]
    ratings: dict[str, int]  # good | bad | none
    channels: dict[str, int]  # Channel value (old rows read as today's values) or "?" → questions
    top_codes: list[tuple[str, int]]

    @property
    def channel_shares(self) -> list[tuple[str, int]]:
        """(Vietnamese label, questions) for the usage chart, in the order of ``Channel``."""
        order = [c.value for c in Channel] + ["?"]
        return [(Channel(k).label if k != "?" else UNKNOWN_CHANNEL, v)
                for k, v in sorted(self.channels.items(), key=lambda kv: order.index(kv[0]))]


def usage(db: sqlite_utils.Database, days: int = 30) -> Usage:
    """How the kiosk was used in the last ``days`` days."""
    rows = list(db.query(
        "SELECT asked_at, decision, rating, chosen_code, channel FROM question_log WHERE asked_at >= ?", [since(days)]
    ))
    today = dt.datetime.now().astimezone().date()
    per_day = Counter(_local_day(r["asked_at"]) for r in rows)
    day_list = [(today - dt.timedelta(days=i)).isoformat() for i in range(days - 1, -1, -1)]
    decisions = Counter(r["decision"] for r in rows)
    ratings = Counter("good" if r["rating"] == 1 else "bad" if r["rating"] == -1 else "none" for r in rows)
    return Usage(
        total=len(rows),
        per_day=[(d, per_day.get(d, 0)) for d in day_list],
        decisions={k: decisions.get(k, 0) for k in ("answer", "clarify", "none")},
        ratings={k: ratings.get(k, 0) for k in ("good", "bad", "none")},
        channels=dict(Counter(str(Channel.read(r["channel"]) or "?") for r in rows)),
        top_codes=Counter(r["chosen_code"] for r in rows if r["chosen_code"]).most_common(10),
    )
