"""Content database: atomic import, versions, export→import round-trip, migrations."""
from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
import sqlite_utils

from knowledge import store
from knowledge.errors import ContentInvalid, ContentNotFound, KnowledgeError
from knowledge.export import export_content
from knowledge.serialize import canonical_json
from knowledge.source import load_source


def test_import_records_version_and_time(tmp_path: Path, mini_content: Path):
    db = store.open_db(tmp_path / "k.db")
    version = store.import_source(db, mini_content, note="lần đầu")
    m = store.meta(db)
    assert m["content_version"] == version and len(version) == 12
    assert m["imported_at"][:4].isdigit()
    content = store.read_content(db)
    assert content.version == version
    assert db["procedures"].count == 6 and db["documents"].count == 15
    assert db.execute("select count(*) from aliases where procedure_code='1.001193'").fetchone()[0] == 5


def test_bad_source_changes_nothing(tmp_path: Path, mini_content: Path):
    db = store.open_db(tmp_path / "k.db")
    v1 = store.import_source(db, mini_content)
    before = canonical_json(store.read_content(db))
    (mini_content / "procedures" / "1.000894.yaml").write_text("code: [hỏng\n", encoding="utf-8")
    with pytest.raises(ContentInvalid):
        store.import_source(db, mini_content)
    assert store.current_version(db) == v1
    assert canonical_json(store.read_content(db)) == before
    assert db["procedures"].count == 6


def test_failure_in_the_middle_of_writing_rolls_back(tmp_path: Path, mini_content: Path, monkeypatch):
    db = store.open_db(tmp_path / "k.db")
    v1 = store.import_source(db, mini_content)
    content = load_source(mini_content)
    original = store._write_content

    def half_write(db_, content_):
        original(db_, content_)
        raise RuntimeError("máy bị tắt giữa chừng")

    monkeypatch.setattr(store, "_write_content", half_write)
    with pytest.raises(RuntimeError):
        store.publish(db, content, source="x")
    monkeypatch.undo()
    assert store.current_version(db) == v1
    assert len(store.versions(db)) == 1
    # a second connection (the kiosk) sees the old content intact
    other = store.open_db(tmp_path / "k.db")
    assert store.read_content(other).procedure("1.001193").title == "Đăng ký khai sinh"


def test_export_then_import_round_trips_without_loss(tmp_path: Path, mini_content: Path):
    original = load_source(mini_content)
    db = store.open_db(tmp_path / "k.db")
    store.import_source(db, mini_content)
    export_content(store.read_content(db), tmp_path / "exported")
    again = load_source(tmp_path / "exported")
    assert canonical_json(again) == canonical_json(original)


@pytest.mark.slow
def test_shipped_content_round_trips(tmp_path: Path):
    from kiosk.config import PathsConfig

    original = load_source(PathsConfig().content_dir)
    export_content(original, tmp_path / "exported")
    assert canonical_json(load_source(tmp_path / "exported")) == canonical_json(original)


def test_rollback_restores_an_earlier_version(tmp_path: Path, mini_content: Path):
    db = store.open_db(tmp_path / "k.db")
    store.import_source(db, mini_content)
    first_id = store.versions(db)[0]["id"]
    path = mini_content / "procedures" / "1.000894.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("fee: Miễn lệ phí", "fee: 20.000 đồng"), encoding="utf-8")
    store.import_source(db, mini_content)
    assert store.read_content(db).procedure("1.000894").fee == "20.000 đồng"
    store.rollback(db, first_id)
    assert store.read_content(db).procedure("1.000894").fee == "Miễn lệ phí"
    assert len(store.versions(db)) == 3


def test_empty_database_says_so(tmp_path: Path):
    with pytest.raises(ContentNotFound):
        store.read_content(store.open_db(tmp_path / "k.db"))


def test_open_content_fills_an_empty_database(tmp_path: Path, mini_content: Path):
    content = store.open_content(store.open_db(tmp_path / "k.db"), mini_content)
    assert content.procedure("1.004194").category == "cu-tru"


def test_migrations_upgrade_an_old_database(tmp_path: Path, mini_content: Path):
    path = tmp_path / "old.db"
    old = sqlite_utils.Database(path)
    store.migrations.apply(old, stop_before="m002_question_log")  # a database from before the question log
    store.import_source(old, mini_content)
    v = store.current_version(old)
    old.close()
    assert "question_log" not in sqlite_utils.Database(path).table_names()

    db = store.open_db(path)
    assert "question_log" in db.table_names()
    assert store.current_version(db) == v
    assert [m.name for m in store.migrations.applied(db)] == ["m001_content", "m002_question_log"]


def test_migrations_wait_for_another_process_writing(tmp_path: Path, mini_content: Path):
    """The ward admin opens the kiosk's database while the fleet sync (another process) is
    writing to it: the admin's migrations wait for that write instead of failing with
    "database is locked" (a deferred transaction that has read the schema cannot write once
    another connection has committed; seen in the fleet end-to-end test under load)."""
    from kiosk.admin.schema import open_admin_db

    path = tmp_path / "k.db"
    store.import_source(store.open_db(path), mini_content)
    writer = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE meta SET value = value WHERE key = 'source'")
    done = threading.Timer(0.5, writer.execute, ["COMMIT"])
    done.start()
    try:
        db = open_admin_db(path)
    finally:
        done.join()
        writer.close()
    assert {"admin_users", "admin_draft", "admin_publishes"} <= set(db.table_names())
    assert [m.name for m in store.migrations.applied(db)] == ["m001_content", "m002_question_log"]


def test_database_uses_wal(tmp_path: Path):
    db = store.open_db(tmp_path / "k.db")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_corrupt_database_file_is_a_clear_error(tmp_path: Path):
    path = tmp_path / "k.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(KnowledgeError, match="không mở được cơ sở dữ liệu"):
        store.open_db(path)


def test_live_knowledge_follows_a_publish_without_restart(tmp_path: Path, mini_content: Path):
    import dataclasses

    from kiosk.config import Config, PathsConfig
    from kiosk.services import LiveKnowledge

    cfg = dataclasses.replace(Config(), paths=PathsConfig(content_dir=mini_content, data_dir=tmp_path / "d"))
    live = LiveKnowledge(cfg)
    assert live.refresh() is False
    assert live.kb.procedure("1.000894").fee == "Miễn lệ phí"
    path = mini_content / "procedures" / "1.000894.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("fee: Miễn lệ phí", "fee: 30.000 đồng"), encoding="utf-8")
    store.import_source(store.open_db(cfg.paths.db_path), mini_content)  # another process (the admin) publishes
    assert live.refresh() is True
    assert live.kb.procedure("1.000894").fee == "30.000 đồng"
    assert "30.000 đồng" in live.kb.ask("đăng ký kết hôn").answer.text


def test_live_knowledge_refreshes_from_a_worker_thread_and_reloads_on_demand(tmp_path: Path, mini_content: Path):
    # the app (kiosk.app.main) polls from a worker thread: SQLite connections stay in their thread
    import dataclasses
    import threading

    from kiosk.config import Config, PathsConfig
    from kiosk.services import LiveKnowledge

    cfg = dataclasses.replace(Config(), paths=PathsConfig(content_dir=mini_content, data_dir=tmp_path / "d"))
    live = LiveKnowledge(cfg)
    first = live.kb
    path = mini_content / "procedures" / "1.000894.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("fee: Miễn lệ phí", "fee: 30.000 đồng"), encoding="utf-8")
    store.import_source(store.open_db(cfg.paths.db_path), mini_content)
    out: list[bool] = []
    worker = threading.Thread(target=lambda: out.append(live.refresh()))
    worker.start()
    worker.join(60)
    assert out == [True] and live.kb.procedure("1.000894").fee == "30.000 đồng"
    before = live.kb
    again: list = []
    worker = threading.Thread(target=lambda: again.append(live.reload()))
    worker.start()
    worker.join(60)
    assert again[0] is live.kb and live.kb is not before and live.kb is not first
    assert live.kb.version == before.version
