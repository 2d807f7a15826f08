"""Daily statistics to the province hub: real question log (masked), real HTTP POSTs."""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import pytest
from fleet_support import StatsHub

from kiosk.config import Config, FleetConfig, PathsConfig
from kiosk.fleet import stats
from knowledge import store
from knowledge.model import Decision, Match
from knowledge.qlog import Channel, log_question, rate


@dataclass(frozen=True)
class Days:
    today: dt.date

    @property
    def yesterday(self) -> dt.date:
        return self.today - dt.timedelta(days=1)

    @property
    def two_days(self) -> dt.date:
        return self.today - dt.timedelta(days=2)


@pytest.fixture
def d() -> Days:
    # Taken when the test runs and handed to the code as `today`: module-level dates taken at
    # import made a CI run that crossed midnight (2026-12-05/06) send a day the test did not expect.
    return Days(dt.date.today())


@pytest.fixture
def hub():
    server = StatsHub({"secret-26734": "26734"})
    yield server
    server.stop()


def _config(tmp_path, url: str, **fleet) -> Config:
    values: dict[str, Any] = dict(hub_url=url, public_key="", ward_code="26734", kiosk_id="kiosk-1", stats_token="secret-26734")
    values.update(fleet)
    return Config(paths=PathsConfig(data_dir=tmp_path / "d"), fleet=FleetConfig(**values))


def _at(db, qid: int, day: dt.date, hour: int) -> None:
    """Move a logged question to ``hour`` o'clock local time on ``day``."""
    local = dt.datetime.combine(day, dt.time(hour, 15)).astimezone()
    db["question_log"].update(qid, {"asked_at": local.astimezone(dt.timezone.utc).isoformat(timespec="seconds")})


def _ask(db, text: str, decision: Decision, code: str | None, day: dt.date, hour: int = 9, channel: str = "voice",
         rating: int | None = None) -> int:
    matches = [Match(code, "x", 90.0)] if code else []
    qid = log_question(db, text, decision, matches, channel=Channel(channel))
    _at(db, qid, day, hour)
    if rating is not None:
        rate(db, qid, rating)
    return qid


@pytest.fixture
def db(tmp_path):
    return store.open_db(tmp_path / "d" / "kiosk.db")


def _fill(db, d: Days) -> None:
    _ask(db, "làm giấy khai sinh", Decision.ANSWER, "1.001193", d.two_days, rating=1)
    _ask(db, "khai sinh cho con", Decision.ANSWER, "1.001193", d.yesterday, 8)
    _ask(db, "làm hộ chiếu ở đâu", Decision.ANSWER, "redirect.ho-chieu", d.yesterday, 10, channel="search")
    _ask(db, "đăng ký kết hôn", Decision.ANSWER, "1.000894", d.yesterday, 23, channel="browse", rating=-1)
    _ask(db, "chị Nguyễn Thị Lan số 0903123456 hỏi về trợ cấp ông bà", Decision.NONE, None, d.yesterday, 0)
    _ask(db, "chị Nguyễn Thị Lan số 0903123456 hỏi về trợ cấp ông bà", Decision.NONE, None, d.yesterday, 11)
    _ask(db, "giấy tờ nhà", Decision.CLARIFY, None, d.yesterday, 14)
    _ask(db, "hôm nay hỏi", Decision.ANSWER, "1.001193", d.today, 0)  # today: never sent


def test_aggregate_of_a_day_has_counts_and_only_masked_text(db, d: Days):
    _fill(db, d)
    doc = stats.aggregate(db, d.yesterday, ward="26734", kiosk="kiosk-1")
    assert doc["format"] == 1 and doc["day"] == d.yesterday.isoformat() and doc["ward"] == "26734"
    assert doc["questions"] == 6
    assert doc["by_procedure"] == {"1.000894": 1, "1.001193": 1, "redirect.ho-chieu": 1}
    assert doc["decisions"] == {"answer": 2, "clarify": 1, "none": 2, "redirect": 1}
    assert doc["by_channel"] == {"browse": 1, "search": 1, "voice": 4}
    assert doc["ratings"] == {"up": 0, "down": 1}
    texts = {u["text"]: u["count"] for u in doc["unanswered"]}
    assert sum(texts.values()) == 4  # two none, one clarify, one thumbs-down
    wire = json.dumps(doc, ensure_ascii=False)
    assert "Lan" not in wire and "Nguyễn" not in wire and "0903" not in wire and "123456" not in wire
    # the question log's normalised text: the name mask survives as the word "tên", numbers are gone
    masked = max(texts, key=lambda t: texts[t])
    assert texts[masked] == 2 and masked == "tên số về trợ cấp ông bà"


def test_send_pending_sends_finished_days_once(tmp_path, db, hub: StatsHub, d: Days):
    _fill(db, d)
    cfg = _config(tmp_path, hub.url)
    report = stats.send_pending(cfg, db, today=d.today)
    assert report.sent == [d.two_days.isoformat(), d.yesterday.isoformat()] and not report.failed
    assert set(hub.rows) == {("26734", "kiosk-1", d.two_days.isoformat()), ("26734", "kiosk-1", d.yesterday.isoformat())}
    assert hub.rows[("26734", "kiosk-1", d.yesterday.isoformat())]["questions"] == 6
    posts = hub.posts
    assert stats.send_pending(cfg, db, today=d.today).sent == []  # remembered: nothing sent again
    assert hub.posts == posts
    assert [r["day"] for r in stats.sent_days(db)] == [d.yesterday.isoformat(), d.two_days.isoformat()]


def test_failed_day_is_retried_later_and_counted_once(tmp_path, db, hub: StatsHub, d: Days):
    _fill(db, d)
    cfg = _config(tmp_path, hub.url)
    hub.fail_next = 1
    first = stats.send_pending(cfg, db, today=d.today)
    assert first.sent == [] and first.failed == [d.two_days.isoformat()] and "retrying later" in first.message
    second = stats.send_pending(cfg, db, today=d.today)
    assert second.sent == [d.two_days.isoformat(), d.yesterday.isoformat()]
    assert len(hub.rows) == 2


def test_hub_down_keeps_days_for_later(tmp_path, db, d: Days):
    _fill(db, d)
    report = stats.send_pending(_config(tmp_path, "http://127.0.0.1:9"), db, today=d.today)
    assert report.failed and not report.sent
    assert stats.pending_days(db, d.today) == [d.two_days, d.yesterday]


def test_switched_off_or_no_hub_sends_nothing(tmp_path, db, hub: StatsHub, d: Days):
    _fill(db, d)
    off = stats.send_pending(_config(tmp_path, hub.url, send_stats=False), db, today=d.today)
    assert off.sent == [] and "send_stats = false" in off.message
    none = stats.send_pending(_config(tmp_path, ""), db, today=d.today)
    assert none.sent == [] and hub.posts == 0


def test_wrong_token_stops_after_one_try(tmp_path, db, hub: StatsHub, d: Days):
    _fill(db, d)
    report = stats.send_pending(_config(tmp_path, hub.url, stats_token="wrong"), db, today=d.today)
    assert report.failed == [d.two_days.isoformat()] and "401" in report.message and hub.posts == 1
    assert stats.pending_days(db, d.today) == [d.two_days, d.yesterday]


def test_cli_stats_send(tmp_path, db, hub: StatsHub, capsys, d: Days):
    from kiosk.cli import main

    _fill(db, d)
    path = tmp_path / "k.toml"
    path.write_text(f'[paths]\ndata_dir = "{tmp_path / "d"}"\n[fleet]\nhub_url = "{hub.url}"\nward_code = "26734"\n'
                    f'kiosk_id = "kiosk-1"\nstats_token = "secret-26734"\n', encoding="utf-8")
    assert main(["--config", str(path), "stats", "send"]) == 0
    assert "Đã gửi thống kê 2 ngày" in capsys.readouterr().out
    assert main(["--config", str(path), "stats", "send"]) == 0
    assert "Không có ngày nào cần gửi" in capsys.readouterr().out
    assert main(["--config", str(path), "stats", "show", "ngày-sai"]) == 1
    assert "ngày không hợp lệ" in capsys.readouterr().err


def test_rows_of_older_versions_are_counted_in_todays_channel_vocabulary(db, d: Days):
    # issue 17: `kiosk ask` wrote text/audio before the one Channel vocabulary
    qid = _ask(db, "đăng ký kết hôn", Decision.ANSWER, "1.000894", d.yesterday, 9)
    db["question_log"].update(qid, {"channel": "audio"})
    qid = _ask(db, "khai sinh", Decision.ANSWER, "1.001193", d.yesterday, 10, channel="search")
    db["question_log"].update(qid, {"channel": "text"})
    _ask(db, "khai tử", Decision.ANSWER, "1.000656", d.yesterday, 11, channel="search")
    doc = stats.aggregate(db, d.yesterday, ward="26734", kiosk="kiosk-1")
    assert doc["by_channel"] == {"search": 2, "voice": 1}
