"""Ward kiosk following a province hub: real signatures, real HTTP (a static server), real SQLite."""
from __future__ import annotations

import dataclasses
import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, write_content
from fleet_support import StaticHub

from kiosk.config import Config, FleetConfig, PathsConfig, load_config
from kiosk.fleet import layer as layers
from kiosk.fleet.sync import sync_once
from kiosk.services import LiveKnowledge
from knowledge import bundle, store
from knowledge.serialize import content_to_dict
from knowledge.source import load_source


class Province:
    """The province side, as the hub would do it: a source tree, a key, a bundle dir."""

    def __init__(self, root: Path):
        self.src = write_content(root / "src")
        self.keys = root / "keys"
        key_path, self.pub = bundle.generate_keypair(self.keys)
        self.key = bundle.load_private_key(key_path)
        self.bundles = root / "site" / "bundles"
        self.version = 0

    def edit(self, code: str, **fields) -> None:
        path = self.src / "procedures" / f"{code}.yaml"
        lines = path.read_text(encoding="utf-8").splitlines()
        for k, v in fields.items():
            lines = [f"{k}: {v}" if line.startswith(f"{k}:") else line for line in lines]
            if not any(line.startswith(f"{k}:") for line in lines):
                lines.append(f"{k}: {v}")
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def publish(self, note: str = "") -> bundle.Manifest:
        self.version += 1
        return bundle.build_bundle(load_source(self.src), province="79", version=self.version, note=note,
                                   private_key=self.key, out_dir=self.bundles)


@pytest.fixture
def province(tmp_path: Path) -> Province:
    return Province(tmp_path / "province")


def ward_config(tmp_path: Path, mini_content: Path, hub_url: str, pub: Path, **fleet) -> Config:
    return Config(paths=PathsConfig(content_dir=mini_content, data_dir=tmp_path / "ward", cache_dir=tmp_path / "cache"),
                  fleet=FleetConfig(hub_url=hub_url, public_key=str(pub), ward_code="26734", kiosk_id="kiosk-1",
                                    **fleet))


@pytest.fixture
def ward(tmp_path: Path, mini_content: Path, hub, province: Province) -> Config:
    # the ward's own office differs from anything in a bundle
    (mini_content / "office.yaml").write_text((mini_content / "office.yaml").read_text(encoding="utf-8")
                                              .replace("UBND phường Thử Nghiệm", "UBND phường Bến Nghé"), encoding="utf-8")
    return ward_config(tmp_path, mini_content, hub.url, province.pub, send_stats=False)


def _db(config: Config):
    db = store.open_db(config.paths.db_path)
    store.open_content(db, config.paths.content_dir)
    return db


def test_no_hub_configured_changes_nothing(tmp_path: Path, mini_config: Config):
    assert not load_config().fleet.enabled and load_config().fleet.poll_seconds == 300
    db = _db(mini_config)
    before = store.versions(db)
    result = sync_once(mini_config, db)
    assert result.status == "disabled" and result.ok
    assert store.versions(db) == before
    assert "fleet_state" not in db.table_names()  # no hub: not even the fleet tables


def test_fleet_config_from_toml_and_env(tmp_path: Path):
    toml = tmp_path / "k.toml"
    toml.write_text('[fleet]\nhub_url = "http://hub.invalid"\npoll_seconds = 60\nsend_stats = false\n', encoding="utf-8")
    cfg = load_config(toml, environ={"KIOSK_FLEET_WARD_CODE": "26734"})
    assert cfg.fleet.enabled and cfg.fleet.poll_seconds == 60 and not cfg.fleet.send_stats
    assert cfg.fleet.ward_code == "26734"
    toml.write_text('[fleet]\nhub_ur = "x"\n', encoding="utf-8")
    from kiosk.config import ConfigError

    with pytest.raises(ConfigError, match="fleet.hub_url"):
        load_config(toml, environ={})


def test_applies_a_new_bundle_with_the_wards_office(ward: Config, province: Province, hub: StaticHub):
    db = _db(ward)
    province.edit("1.001193", fee="Lệ phí 8.000 đồng")
    province.publish("Luật Hộ tịch sửa đổi")
    live = LiveKnowledge(ward)
    result = sync_once(ward, db)
    assert result.status == "applied" and result.version == 1, result
    content = store.read_content(db)
    assert content.procedure("1.001193").fee == "Lệ phí 8.000 đồng"
    assert content.office.name == "UBND phường Bến Nghé"  # never the bundle's placeholder
    v = store.versions(db)[0]
    assert v["source"] == "province" and v["note"] == "tỉnh 79 phiên bản 1: Luật Hộ tịch sửa đổi"
    # the running kiosk reloads through LiveKnowledge
    assert live.refresh() and live.kb.content.procedure("1.001193").fee == "Lệ phí 8.000 đồng"

    # the next poll asks with If-None-Match and gets 304
    again = sync_once(ward, db)
    assert again.status == "not-modified" and again.version == 1
    assert hub.requests[-1][0] == "/bundles/latest.json" and hub.requests[-1][1]
    assert len(store.versions(db)) == 2


def test_offline_kiosk_catches_up_with_only_the_latest(ward: Config, province: Province, hub: StaticHub):
    db = _db(ward)
    province.publish()
    assert sync_once(ward, db).version == 1
    for fee in ("Lệ phí 1", "Lệ phí 2", "Lệ phí 3"):  # a week of province changes while the kiosk is off
        province.edit("1.001193", fee=fee)
        province.publish()
    hub.requests.clear()
    result = sync_once(ward, db)
    assert result.status == "applied" and result.version == 4
    assert store.read_content(db).procedure("1.001193").fee == "Lệ phí 3"
    assert hub.paths() == ["/bundles/latest.json", "/bundles/4/content.tar.gz"]


def test_hub_down_then_back(ward: Config, province: Province, tmp_path: Path):
    db = _db(ward)
    province.publish()
    down = dataclasses.replace(ward, fleet=dataclasses.replace(ward.fleet, hub_url="http://127.0.0.1:9"))
    r = sync_once(down, db)
    assert r.status == "unreachable" and r.version is None and not r.ok
    assert store.versions(db)[0]["source"] != "province"
    assert sync_once(ward, db).status == "applied"


@pytest.mark.parametrize("damage, words", [
    ("tamper", "tampered"),
    ("truncate", "truncated"),
    ("unsign", "unsigned"),
    ("other-key", "wrong key"),
    ("tamper-manifest", "tampered"),
])
def test_bad_bundle_is_refused_and_the_old_content_keeps_answering(ward: Config, province: Province, tmp_path: Path,
                                                                   caplog, damage: str, words: str):
    db = _db(ward)
    province.edit("1.001193", fee="Phiên bản tốt")
    province.publish()
    assert sync_once(ward, db).status == "applied"
    good = store.current_version(db)
    province.edit("1.001193", fee="Phiên bản xấu")
    m = province.publish()
    vdir = province.bundles / str(m.version)
    latest = province.bundles / "latest.json"
    if damage == "tamper":
        data = bytearray((vdir / "content.tar.gz").read_bytes())
        data[100] ^= 0x55
        (vdir / "content.tar.gz").write_bytes(bytes(data))
    elif damage == "truncate":
        whole = (vdir / "content.tar.gz").read_bytes()
        (vdir / "content.tar.gz").write_bytes(whole[: len(whole) // 3])
    elif damage == "unsign":
        env = json.loads(latest.read_bytes())
        del env["signature"]
        latest.write_text(json.dumps(env), encoding="utf-8")
    elif damage == "other-key":
        other = bundle.load_private_key(bundle.generate_keypair(tmp_path / "thief")[0])
        latest.write_bytes(bundle.sign_envelope(m, other))
    elif damage == "tamper-manifest":
        env = json.loads(latest.read_bytes())
        env["manifest"]["note"] = "khác"
        latest.write_text(json.dumps(env), encoding="utf-8")
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="kiosk.fleet.sync"):
        r = sync_once(ward, db)
    assert r.status == "refused" and r.version == 1 and words in r.message
    errors = [rec for rec in caplog.records if rec.levelno >= logging.ERROR]
    assert len(errors) == 1 and words in errors[0].getMessage() and "\n" not in errors[0].getMessage()
    assert store.current_version(db) == good
    assert store.read_content(db).procedure("1.001193").fee == "Phiên bản tốt"
    assert layers.get_state(db, "last_status") == "refused"
    # polled again: still refused, but the journal does not get the same ERROR every five minutes
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="kiosk.fleet.sync"):
        assert sync_once(ward, db).status == "refused"
    assert not [rec for rec in caplog.records if rec.levelno >= logging.ERROR]
    assert store.current_version(db) == good


def test_local_overrides_survive_every_update(ward: Config, province: Province, hub: StaticHub):
    db = _db(ward)
    province.publish()
    sync_once(ward, db)
    layers.ensure_schema(db)
    live = content_to_dict(store.read_content(db))
    prov = layers.province_content(db)
    assert prov is not None
    # the ward's edits: its own note, an extra alias, a ward-only procedure, a notice
    new = json.loads(json.dumps(live))
    p = next(x for x in new["procedures"] if x["code"] == "1.001193")
    p["notes"] = "Phường nhận hồ sơ cả sáng thứ Bảy."
    p["aliases"].append("làm khai sinh cho cháu nội")
    ward_only = json.loads(json.dumps(p))
    ward_only.update(code="local.xac-nhan-tam-vang", title="Xác nhận tạm vắng của phường",
                     unverified=["code"], aliases=["xin giấy tạm vắng", "xác nhận đi vắng", "giấy đi làm xa",
                                                   "tạm vắng ở phường", "đi vắng lâu ngày"])
    new["procedures"].append(ward_only)
    new["notices"].append({"title": "Lịch nghỉ", "body": "Nghỉ ngày 2/9.", "valid_from": None, "valid_to": None})
    layer = layers.record_edits(layers.load_layer(db), base=live, new=new, province=prov, user="can-bo")
    layers.save_layer(db, layer)
    assert set(layer.overrides["1.001193"]) == {"notes", "aliases"}
    assert layer.overrides["1.001193"]["aliases"].value == {"add": ["làm khai sinh cho cháu nội"], "remove": []}

    # the province changes the fee, adds an alias and rewrites the notes
    province.edit("1.001193", fee="Lệ phí mới của tỉnh", notes="Ghi chú mới của tỉnh")
    path = province.src / "procedures" / "1.001193.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("aliases:\n", "aliases:\n  - xin giấy khai sinh mới\n"),
                    encoding="utf-8")
    province.publish()
    assert sync_once(ward, db).status == "applied"
    c = store.read_content(db)
    p = c.procedure("1.001193")
    assert p.fee == "Lệ phí mới của tỉnh"  # province field
    assert p.notes == "Phường nhận hồ sơ cả sáng thứ Bảy."  # the ward's override wins
    assert "làm khai sinh cho cháu nội" in p.aliases and "xin giấy khai sinh mới" in p.aliases
    assert c.procedure("local.xac-nhan-tam-vang").title == "Xác nhận tạm vắng của phường"
    assert [n.title for n in c.notices][-1] == "Lịch nghỉ"
    # the notes override is now stale: the province text changed since
    stale = layers.stale_overrides(layers.load_layer(db), layers.province_content(db))
    assert [(o.code, o.field) for o in stale] == [("1.001193", "notes")]
    src = {f.field: f for f in layers.field_sources("1.001193", layers.load_layer(db), layers.province_content(db))}
    assert src["notes"].source == "local" and src["notes"].stale and src["notes"].province == "Ghi chú mới của tỉnh"
    assert src["fee"].source == "province" and not src["fee"].stale
    assert src["aliases"].source == "local" and not src["aliases"].stale


def test_record_edits_rules():
    prov = {"procedures": [{"code": "1.000001", "title": "A", "fee": "10", "notes": "", "aliases": ["a", "b"],
                            "detail": "full"}], "categories": [{"code": "c"}], "notices": [], "families": []}
    base = json.loads(json.dumps(prov))
    new = json.loads(json.dumps(prov))
    new["procedures"][0]["fee"] = "20"
    layer = layers.record_edits(layers.Layer(), base=base, new=new, province=prov)
    o = layer.overrides["1.000001"]["fee"]
    assert o.value == "20" and o.based_on == "10"
    # setting the field back to the province value drops the override
    again = layers.record_edits(layer, base=new, new=base, province=prov)
    assert again.overrides == {}
    # a draft started before the province changed a field: the override is based on what the clerk saw
    prov2 = json.loads(json.dumps(prov))
    prov2["procedures"][0]["fee"] = "15"
    layer = layers.record_edits(layers.Layer(), base=base, new=new, province=prov2)
    assert layer.overrides["1.000001"]["fee"].based_on == "10"
    assert layers.stale_overrides(layer, prov2)
    # a province procedure deleted at the ward is hidden (retired), not lost
    gone = {**prov, "procedures": []}
    layer = layers.record_edits(layers.Layer(), base=base, new=gone, province=prov)
    assert layer.overrides["1.000001"]["retired"].value is True
    merged = layers.merge(prov, layer, {"name": "x"})
    assert merged["procedures"][0]["retired"] is True


def test_edits_made_before_joining_the_hub_become_overrides(ward: Config, province: Province, mini_content: Path):
    db = _db(ward)
    live = content_to_dict(store.read_content(db))
    next(p for p in live["procedures"] if p["code"] == "1.000894")["notes"] = "Đăng ký kết hôn vào thứ Ba, thứ Năm."
    from knowledge.serialize import content_from_dict

    store.publish(db, content_from_dict(live), source="admin", author="can-bo")
    # a software update changed the shipped source since the ward imported it: not a ward edit
    path = mini_content / "procedures" / "1.004194.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("fee: Miễn lệ phí", "fee: Bản cập nhật phần mềm"),
                    encoding="utf-8")
    province.publish()
    assert sync_once(ward, db).status == "applied"
    assert store.read_content(db).procedure("1.000894").notes == "Đăng ký kết hôn vào thứ Ba, thứ Năm."
    layer = layers.load_layer(db)
    assert list(layer.overrides) == ["1.000894"] and not layer.local_procedures
    assert layer.overrides["1.000894"]["notes"].based_on == ""


def test_a_bad_public_key_is_a_config_error(ward: Config, tmp_path: Path):
    from kiosk.fleet.sync import FleetConfigError

    bad = dataclasses.replace(ward, fleet=dataclasses.replace(ward.fleet, public_key=str(tmp_path / "missing.pub")))
    with pytest.raises(FleetConfigError, match="public_key"):
        sync_once(bad, _db(ward))
    none = dataclasses.replace(ward, fleet=dataclasses.replace(ward.fleet, public_key=""))
    with pytest.raises(FleetConfigError, match="not set"):
        sync_once(none, _db(ward))


def _cli(args: list[str], config_path: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "KIOSK_CONFIG": str(config_path), "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "kiosk", *args], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=120)


def _toml(tmp_path: Path, config: Config) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(
        f'[paths]\ncontent_dir = "{config.paths.content_dir}"\ndata_dir = "{config.paths.data_dir}"\n'
        f'cache_dir = "{config.paths.cache_dir}"\n'
        f'[fleet]\nhub_url = "{config.fleet.hub_url}"\npublic_key = "{config.fleet.public_key}"\n'
        f'ward_code = "26734"\nkiosk_id = "kiosk-1"\nsend_stats = false\n', encoding="utf-8")
    return path


@pytest.mark.slow
def test_kiosk_sync_once_subprocess(ward: Config, province: Province, tmp_path: Path):
    """The real command, as kiosk-sync.service runs it, against a static file server."""
    province.edit("1.004194", fee="Lệ phí tạm trú theo tỉnh")
    province.publish("tạm trú")
    cfg = _toml(tmp_path, ward)
    out = _cli(["sync", "--once", "--json"], cfg)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["status"] == "applied" and result["province_version"] == 1
    ask = _cli(["ask", "--json", "làm tạm trú"], cfg)
    assert ask.returncode == 0, ask.stderr
    assert "Lệ phí tạm trú theo tỉnh" in ask.stdout
    # tamper with a newer bundle: refused, exit 1, one line, the old content still answers
    province.edit("1.004194", fee="Nội dung giả")
    m = province.publish()
    arc = province.bundles / str(m.version) / "content.tar.gz"
    arc.write_bytes(arc.read_bytes()[:-10] + b"0123456789")
    out = _cli(["sync", "--once"], cfg)
    assert out.returncode == 1 and "Từ chối gói nội dung" in out.stdout and "Traceback" not in out.stderr
    assert "tampered" in out.stderr
    assert "Lệ phí tạm trú theo tỉnh" in _cli(["ask", "--json", "làm tạm trú"], cfg).stdout


@pytest.mark.slow
def test_kiosk_sync_without_hub_subprocess(tmp_path: Path, mini_content: Path):
    path = tmp_path / "kiosk.toml"
    path.write_text(f'[paths]\ncontent_dir = "{mini_content}"\ndata_dir = "{tmp_path / "d"}"\n', encoding="utf-8")
    out = _cli(["sync", "--once"], path)
    assert out.returncode == 0 and "fleet.hub_url trống" in out.stdout
    assert not (tmp_path / "d" / "kiosk.db").exists()


def test_the_loop_follows_new_versions_between_polls(ward: Config, province: Province, hub: StaticHub):
    """run_loop as kiosk-sync.service runs it; its sleep ends the test after three rounds."""
    from kiosk.fleet.sync import run_loop

    province.publish()
    results: list[Any] = []

    class Done(Exception):
        pass

    def sleep(seconds: float) -> None:
        assert seconds == 300
        if len(results) == 1:
            province.edit("1.001193", fee="Lệ phí sau vòng một")
            province.publish()
        if len(results) == 3:
            raise Done

    with pytest.raises(Done):
        run_loop(ward, sleep=sleep, on_result=results.append)
    assert [r.status for r in results] == ["applied", "applied", "not-modified"]
    assert store.read_content(_db(ward)).procedure("1.001193").fee == "Lệ phí sau vòng một"


def test_a_ward_publish_during_the_apply_is_not_lost(ward: Config, province: Province, monkeypatch):
    """Staff publish an override (another connection, as the admin process) while the bundle validates:
    the bundle is merged again with it instead of publishing content without it."""
    from kiosk.fleet import sync

    db = _db(ward)
    province.publish()
    sync_once(ward, db)
    province.edit("1.001193", fee="Lệ phí mới")
    province.publish()
    real = sync.validated
    calls = []

    def validated_while_staff_publish(data):
        calls.append(1)
        if len(calls) == 1:
            other = store.open_db(ward.paths.db_path)
            layer = layers.load_layer(other)
            layer.overrides["1.000894"] = {"notes": layers.Override("1.000894", "notes", "Ghi chú phường", "")}
            with layers.write_transaction(other):
                layers.save_layer(other, layer)
            other.close()
        return real(data)

    monkeypatch.setattr(sync, "validated", validated_while_staff_publish)
    assert sync_once(ward, db).status == "applied"
    assert len(calls) == 2
    c = store.read_content(db)
    assert c.procedure("1.001193").fee == "Lệ phí mới" and c.procedure("1.000894").notes == "Ghi chú phường"


@pytest.mark.slow
def test_one_sync_round_applies_the_bundle_and_sends_yesterdays_statistics(tmp_path: Path, mini_content: Path,
                                                                           province: Province):
    """`kiosk sync --once` against one hub address serving bundles and receiving statistics."""
    import datetime as dt

    from fleet_support import _StatsStore

    from knowledge.model import Decision, Match
    from knowledge.qlog import Channel, log_question

    receiver = _StatsStore({"token-26734": "26734"})
    server = StaticHub(province.bundles.parent, stats=receiver)
    try:
        cfg = ward_config(tmp_path, mini_content, server.url, province.pub)
        db = _db(cfg)
        yesterday = dt.date.today() - dt.timedelta(days=1)
        for text, code in (("làm giấy khai sinh", "1.001193"), ("đăng ký kết hôn", "1.000894")):
            qid = log_question(db, text, Decision.ANSWER, [Match(code, "x", 90.0)], channel=Channel.VOICE)
            noon = dt.datetime.combine(yesterday, dt.time(12)).astimezone().astimezone(dt.timezone.utc)
            db["question_log"].update(qid, {"asked_at": noon.isoformat(timespec="seconds")})
        log_question(db, "hôm nay", Decision.NONE, [], channel=Channel.SEARCH)  # today's: not sent
        db.close()
        province.publish()
        path = _toml(tmp_path, cfg).read_text(encoding="utf-8").replace("send_stats = false", 'stats_token = "token-26734"')
        (tmp_path / "kiosk.toml").write_text(path, encoding="utf-8")
        for _ in range(2):  # the second round: 304, and nothing sent twice
            out = _cli(["sync", "--once", "--json"], tmp_path / "kiosk.toml")
            assert out.returncode == 0, out.stderr
        assert json.loads(out.stdout.strip().splitlines()[-1])["status"] == "not-modified"
        assert list(receiver.rows) == [("26734", "kiosk-1", yesterday.isoformat())] and receiver.posts == 1
        doc = receiver.rows[("26734", "kiosk-1", yesterday.isoformat())]
        assert doc["questions"] == 2 and doc["by_procedure"] == {"1.000894": 1, "1.001193": 1}
    finally:
        server.stop()


def test_a_province_notice_the_ward_deleted_stays_hidden_until_the_province_rewrites_it():
    flood = {"title": "Lịch tiêm phòng", "body": "Tiêm phòng dại ngày 5/12.", "valid_from": None, "valid_to": None}
    other = {"title": "Nộp hồ sơ trực tuyến", "body": "Qua VNeID.", "valid_from": None, "valid_to": None}
    prov = {"procedures": [], "categories": [], "notices": [flood, other], "families": []}
    base = json.loads(json.dumps(prov))
    new = {**base, "notices": [other]}  # the ward deleted the first in its draft
    layer = layers.record_edits(layers.Layer(), base=base, new=new, province=prov)
    assert layer.hidden_notices == [flood] and layer.notices == [] and not layer.empty
    assert layers.merge(prov, layer, {})["notices"] == [other]
    # a later draft starts from the merged content (without it): it stays hidden
    again = layers.record_edits(layer, base=new, new=new, province=prov)
    assert again.hidden_notices == [flood]
    # shown again from the admin: back on the screen
    shown = dataclasses.replace(layer, hidden_notices=list(layer.hidden_notices))
    assert layers.show_notice(shown, layers.notice_key(flood)) == flood
    assert layers.merge(prov, shown, {})["notices"] == [flood, other]
    assert layers.show_notice(shown, layers.notice_key(flood)) is None
    # the province rewrites it: the new text is not what the ward hid, so it shows
    rewritten = {**flood, "body": "Tiêm phòng dại dời sang ngày 12/12."}
    prov2 = {**prov, "notices": [rewritten, other]}
    assert layers.merge(prov2, again, {})["notices"] == [rewritten, other]
    # and a draft after that forgets the old hidden text (the province no longer has it)
    assert layers.record_edits(again, base=new, new=new, province=prov2).hidden_notices == []
    # a notice the province added after the draft began is not "deleted" by that draft
    late = {"title": "Mới", "body": "Thông báo mới của tỉnh.", "valid_from": None, "valid_to": None}
    prov3 = {**prov, "notices": [flood, other, late]}
    assert layers.record_edits(layers.Layer(), base=base, new=new, province=prov3).hidden_notices == [flood]


def test_hidden_notices_are_stored_with_the_layer(ward: Config):
    db = _db(ward)
    layers.ensure_schema(db)
    n = {"title": "Lịch tiêm phòng", "body": "Ngày 5/12.", "valid_from": None, "valid_to": None}
    layers.save_layer(db, layers.Layer(hidden_notices=[n]))
    assert layers.load_layer(db).hidden_notices == [n]
