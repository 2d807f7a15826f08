"""The daily statistics a kiosk sends to its province hub: counts only, no personal data.

Built from the question log, whose text is already masked when it is written
(knowledge.masking: names, numbers, dates, addresses); the unanswered questions go as their
masked *normalised* text with a count. One POST per finished local day; the hub keeps one
row per (ward, kiosk, day) and replaces it, so a retry after a lost answer counts once.
Today is never sent (it is not finished). A day the hub did not acknowledge is retried on
the next round; a day older than MAX_DAYS_BACK is given up (the log may be purged by then).
"""
from __future__ import annotations

import datetime as dt
import json
import logging
from collections import Counter
from dataclasses import dataclass, field

import sqlite_utils

from kiosk.config import Config
from kiosk.fleet import http
from kiosk.fleet import layer as layers
from knowledge.qlog import Channel

log = logging.getLogger("kiosk.fleet.stats")

STATS_FORMAT = 1
RETRY_SECONDS = 3600  # the sync loop tries unsent days at most hourly (a day's numbers do not change)
MAX_DAYS_BACK = 30
MAX_UNANSWERED = 100  # distinct unanswered texts per day; a busy ward sees ~10–30
MAX_TEXT = 300  # the question log keeps at most 300 characters too


def _utc(local_midnight: dt.datetime) -> str:
    return local_midnight.astimezone(dt.timezone.utc).isoformat(timespec="seconds")


def day_bounds(day: dt.date) -> tuple[str, str]:
    """The kiosk's local day as UTC ISO bounds, comparable with question_log.asked_at."""
    start = dt.datetime.combine(day, dt.time()).astimezone()
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time()).astimezone()
    return _utc(start), _utc(end)


def aggregate(db: sqlite_utils.Database, day: dt.date, *, ward: str, kiosk: str) -> dict:
    """The FLEET.md stats document for one local day."""
    start, end = day_bounds(day)
    rows = list(db.query(
        "SELECT channel, normalized, decision, chosen_code, rating FROM question_log "
        "WHERE asked_at >= ? AND asked_at < ?", [start, end]))
    decisions: Counter = Counter()
    by_procedure: Counter = Counter()
    channels: Counter = Counter()
    unanswered: Counter = Counter()
    ratings = {"up": 0, "down": 0}
    for r in rows:
        decision = r["decision"] or "none"
        code = r["chosen_code"]
        if decision == "answer" and code and code.startswith("redirect."):
            decision = "redirect"  # "not done here: go to …" answers, told apart for the province
        decisions[decision] += 1
        if decision in ("answer", "redirect") and code:
            by_procedure[code] += 1
        channels[str(Channel.read(r["channel"]) or "unknown")] += 1  # older versions' text/audio read as today's
        if r["rating"] == 1:
            ratings["up"] += 1
        elif r["rating"] == -1:
            ratings["down"] += 1
        # the ward admin's "unanswered" report counts the same rows (kiosk.admin.reports.unanswered)
        if decision in ("none", "clarify") or r["rating"] == -1:
            text = " ".join((r["normalized"] or "").split())[:MAX_TEXT]
            if text:
                unanswered[text] += 1
    return {
        "format": STATS_FORMAT, "ward": ward, "kiosk": kiosk, "day": day.isoformat(),
        "questions": len(rows),
        "by_procedure": dict(sorted(by_procedure.items())),
        "decisions": {k: decisions.get(k, 0) for k in ("answer", "clarify", "none", "redirect")}
        | {k: v for k, v in decisions.items() if k not in ("answer", "clarify", "none", "redirect")},
        "by_channel": dict(sorted(channels.items())),
        "unanswered": [{"text": t, "count": n} for t, n in sorted(unanswered.items(), key=lambda x: (-x[1], x[0]))
                       [:MAX_UNANSWERED]],
        "ratings": ratings,
    }


def pending_days(db: sqlite_utils.Database, today: dt.date) -> list[dt.date]:
    """Finished days with questions, not yet acknowledged by the hub, oldest first."""
    first = today - dt.timedelta(days=MAX_DAYS_BACK)
    start, _ = day_bounds(first)
    end, _ = day_bounds(today)
    days = set()
    for r in db.query("SELECT asked_at FROM question_log WHERE asked_at >= ? AND asked_at < ?", [start, end]):
        try:
            days.add(dt.datetime.fromisoformat(r["asked_at"]).astimezone().date())
        except (TypeError, ValueError):
            continue
    sent = {r["day"] for r in db.query("SELECT day FROM fleet_stats_sent")}
    return sorted(d for d in days if first <= d < today and d.isoformat() not in sent)


@dataclass
class SendReport:
    sent: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    message: str = ""


def send_pending(config: Config, db: sqlite_utils.Database, today: dt.date | None = None) -> SendReport:
    """Send every unsent finished day; stop at the first network failure (the rest waits for the next round)."""
    from kiosk.fleet.sync import kiosk_id

    f = config.fleet
    report = SendReport()
    if not f.enabled:
        report.message = "no hub configured"
        return report
    if not f.send_stats:
        report.message = "statistics switched off (fleet.send_stats = false)"
        return report
    if not f.ward_code.strip() or not f.stats_token.strip():
        report.message = "statistics not sent: fleet.ward_code and fleet.stats_token must be set"
        log.warning(report.message)
        return report
    layers.ensure_schema(db)
    today = today or dt.date.today()
    url = f.hub_url.strip().rstrip("/") + "/api/stats"
    for day in pending_days(db, today):
        doc = aggregate(db, day, ward=f.ward_code.strip(), kiosk=kiosk_id(config))
        try:
            status, answer = http.post_json(url, doc, token=f.stats_token.strip())
        except http.HubError as exc:
            report.failed.append(day.isoformat())
            report.message = f"statistics for {day} not sent, retrying later: {exc}"
            log.warning(report.message)
            break
        if status == 200 and answer.get("ok"):
            db.table("fleet_stats_sent").upsert({"day": day.isoformat(), "sent_at": layers._now(),
                                           "stored": str(answer.get("stored", ""))}, pk="day")
            report.sent.append(day.isoformat())
            continue
        report.failed.append(day.isoformat())
        detail = str(answer.get("error") or answer.get("detail") or "")[:200]
        report.message = f"statistics for {day} refused by the hub: HTTP {status} {detail}".strip()
        log.error(report.message)
        if status == 401:
            break  # a wrong token fails every day the same way
    if report.sent:
        log.info("statistics sent for %d day(s): %s", len(report.sent), ", ".join(report.sent))
    return report


def sent_days(db: sqlite_utils.Database) -> list[dict]:
    layers.ensure_schema(db)
    return list(db.query("SELECT day, sent_at, stored FROM fleet_stats_sent ORDER BY day DESC"))


def preview(db: sqlite_utils.Database, config: Config, day: dt.date) -> str:
    from kiosk.fleet.sync import kiosk_id

    return json.dumps(aggregate(db, day, ward=config.fleet.ward_code, kiosk=kiosk_id(config)), ensure_ascii=False,
                      indent=1)
