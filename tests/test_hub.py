"""The province hub against a real PostgreSQL server: publish, roll back, stats upload, merged unanswered, 304."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from hub_fixtures import form_fields

pytestmark = pytest.mark.slow

PASSWORD = "trung-tam-noi-dung-tinh-2026"


def _csrf(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, "no CSRF field in the page"
    return m.group(1)


@pytest.fixture
def hub(pg_url, tmp_path: Path, mini_content: Path):
    """An initialised hub (version 1 = the mini content), an admin, a signed-in test client."""
    from starlette.testclient import TestClient

    from kiosk.hub import content
    from kiosk.hub.accounts import Editors
    from kiosk.hub.app import HubSettings, create_app
    from kiosk.hub.db import meta_set, open_hub
    from knowledge.bundle import generate_keypair

    settings = HubSettings(database_url=pg_url, keys_dir=tmp_path / "keys", bundles_dir=tmp_path / "bundles")
    conn = open_hub(pg_url)
    with conn.transaction():
        meta_set(conn, "province", "79")
    generate_keypair(settings.keys_dir)
    first = content.import_source(conn, settings.paths, mini_content)
    assert first.version == 1
    Editors(conn).create("tinh.admin", PASSWORD, "admin")
    app = create_app(settings)
    with TestClient(app, follow_redirects=False) as client:
        page = client.get("/login")
        r = client.post("/login", data={"csrf": _csrf(page.text), "name": "tinh.admin", "password": PASSWORD, "next": "/"})
        assert r.status_code == 303, r.text
        client.csrf = _csrf(client.get("/").text)  # type: ignore[attr-defined]  # the tests post with it
        yield client, settings, conn
    app.state.pool.close()
    conn.close()


def _verified(settings, path: str = "latest.json"):
    from knowledge.bundle import load_public_key, read_content, verify_envelope

    manifest = verify_envelope((settings.bundles_dir / path).read_bytes(), load_public_key(settings.keys_dir / "province.pub"))
    archive = (settings.bundles_dir / str(manifest.version) / manifest.content_file).read_bytes()
    return manifest, read_content(archive, manifest)


def _edit_fee(client, code: str, fee: str) -> None:
    page = client.get(f"/procedures/{code}")
    assert page.status_code == 200
    data = form_fields(page.text, f"/procedures/{code}")  # posted back as the browser would, fee changed
    data["fee"] = [fee]
    data["action"] = ["save"]
    r = client.post(f"/procedures/{code}", data=data)
    assert r.status_code == 303, r.text[:2000]


def test_publish_writes_a_verifiable_bundle_with_the_edit(hub):
    client, settings, conn = hub
    _edit_fee(client, "1.001193", "Miễn lệ phí (đã sửa ở tỉnh)")
    page = client.get("/publish")
    assert "Sửa 1.001193 Đăng ký khai sinh (Lệ phí)" in page.text
    r = client.post("/publish", data={"csrf": client.csrf, "action": "publish", "note": "sửa lệ phí"})
    assert r.status_code == 303, r.text[:1500]
    manifest, content = _verified(settings)
    assert manifest.version == 2 and manifest.province == "79"
    assert "sửa lệ phí" in manifest.note
    assert next(p for p in content.procedures if p.code == "1.001193").fee == "Miễn lệ phí (đã sửa ở tỉnh)"
    assert (settings.bundles_dir / "1" / "bundle.json").is_file()  # the old version stays, unchanged
    row = conn.execute("SELECT author, content_sha256 FROM content_versions WHERE version = 2").fetchone()
    assert row == {"author": "tinh.admin", "content_sha256": manifest.content_sha256}
    assert conn.execute("SELECT count(*) AS n FROM draft").fetchone()["n"] == 0
    # Nothing left to publish: the page says so and a second POST is refused with a message.
    r = client.post("/publish", data={"csrf": client.csrf, "action": "publish"})
    assert r.status_code == 409 and "không có gì để đăng" in r.text


def test_publish_refuses_an_invalid_draft_and_writes_nothing(hub):
    client, settings, conn = hub
    from kiosk.hub import content

    with conn.transaction():
        d = content.load_for_update(conn)
        p = d.procedure("1.000894")
        p["aliases"] = p["aliases"][:1]  # the source rules want at least five
        content.save(conn, d, "test")
    r = client.post("/publish", data={"csrf": client.csrf, "action": "publish"})
    assert r.status_code == 400
    assert "1.000894" in r.text and "Cách hỏi" in r.text
    assert not (settings.bundles_dir / "2").exists()
    assert _verified(settings)[0].version == 1


def test_rollback_publishes_a_new_version_equal_to_the_old_one(hub):
    client, settings, conn = hub
    _edit_fee(client, "1.004194", "50.000 đồng")
    assert client.post("/publish", data={"csrf": client.csrf, "action": "publish"}).status_code == 303
    assert _verified(settings)[1].procedures  # v2
    page = client.get("/versions/1")
    assert "Sửa 1.004194" in page.text
    r = client.post("/versions/1/rollback", data={"csrf": client.csrf})
    assert r.status_code == 303
    manifest, restored = _verified(settings)
    _, original = _verified(settings, "1/bundle.json")
    assert manifest.version == 3
    assert [(p.code, p.fee, p.aliases) for p in restored.procedures] == [(p.code, p.fee, p.aliases) for p in original.procedures]
    assert conn.execute("SELECT rollback_of FROM content_versions WHERE version = 3").fetchone()["rollback_of"] == 1
    assert "khôi phục 1" in client.get("/versions").text


def _payload(ward: str, kiosk: str = "kiosk-1", day: str = "2026-12-01", **over):
    body = {"format": 1, "ward": ward, "kiosk": kiosk, "day": day, "questions": 57,
            "by_procedure": {"1.001193": 12, "1.000894": 5},
            "decisions": {"answer": 40, "clarify": 9, "none": 6, "redirect": 2},
            "by_channel": {"voice": 20, "search": 30, "browse": 7},
            "unanswered": [{"text": "xin giấy phép nuôi chó", "count": 3}],
            "ratings": {"up": 5, "down": 1}}
    body.update(over)
    return body


def test_stats_upload_is_idempotent_per_ward_kiosk_day(hub):
    client, settings, conn = hub
    from kiosk.hub import stats

    token = stats.add_ward(conn, "26734", "Phường Bến Thành")
    auth = {"Authorization": f"Bearer {token}"}
    r = client.post("/api/stats", json=_payload("26734"), headers=auth)
    assert r.status_code == 200 and r.json() == {"ok": True, "stored": "new"}
    r = client.post("/api/stats", json=_payload("26734"), headers=auth)
    assert r.json() == {"ok": True, "stored": "replaced"}
    r = client.post("/api/stats", json=_payload("26734", kiosk="kiosk-2", questions=3, by_procedure={"1.001193": 1}),
                    headers=auth)
    assert r.json()["stored"] == "new"
    report = stats.report(conn, 365, "26734")
    assert report.questions == 60 and report.kiosks == 2
    assert dict(report.by_procedure) == {"1.001193": 13, "1.000894": 5}
    assert report.decisions["answer"] == 80 and report.ratings_up == 10  # kiosk-1 once + kiosk-2
    page = client.get("/stats?days=365")
    assert page.status_code == 200 and "Phường Bến Thành" in page.text and "<svg" in page.text
    assert client.get("/stats/26734?days=365").status_code == 200


@pytest.mark.parametrize("headers, status, words", [
    ({}, 401, "thiếu mã truy cập"),
    ({"Authorization": "Bearer sai-ma"}, 401, "mã truy cập không đúng"),
    ({"Authorization": "Basic abc"}, 401, "thiếu mã truy cập"),
])
def test_stats_upload_without_a_good_token_is_401(hub, headers, status, words):
    client, settings, conn = hub
    from kiosk.hub import stats

    stats.add_ward(conn, "26734", "Phường Bến Thành")
    r = client.post("/api/stats", json=_payload("26734"), headers=headers)
    assert r.status_code == status and words in r.json()["error"]
    assert conn.execute("SELECT count(*) AS n FROM daily_stats").fetchone()["n"] == 0


def test_a_ward_token_cannot_upload_for_another_ward(hub):
    client, settings, conn = hub
    from kiosk.hub import stats

    token = stats.add_ward(conn, "26734", "Phường Bến Thành")
    stats.add_ward(conn, "26737", "Phường Sài Gòn")
    r = client.post("/api/stats", json=_payload("26737"), headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401 and "26737" in r.json()["error"]


@pytest.mark.parametrize("change, field", [
    ({"questions": -1}, "questions"),
    ({"questions": "57"}, "questions"),
    ({"day": "01/12/2026"}, "day"),
    ({"day": (dt.date.today() + dt.timedelta(days=5)).isoformat()}, "day"),
    ({"format": 2}, "format"),
    ({"decisions": {"answer": 1, "Có lẽ": 2}}, "decisions"),
    ({"decisions": {"answer": -1}}, "decisions.answer"),
    ({"ratings": {"up": 1, "meh": 2}}, "ratings.meh"),
    ({"unanswered": [{"text": "", "count": 1}]}, "unanswered[0].text"),
    ({"unanswered": "câu hỏi"}, "unanswered"),
    ({"kiosk": "kiosk 1/../x"}, "kiosk"),
])
def test_malformed_stats_are_422_naming_the_field(hub, change, field):
    client, settings, conn = hub
    from kiosk.hub import stats

    token = stats.add_ward(conn, "26734", "Phường Bến Thành")
    r = client.post("/api/stats", json=_payload("26734", **change), headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 422, r.text
    assert r.json()["error"].startswith(field + ":")
    body = _payload("26734")
    del body["questions"]
    r = client.post("/api/stats", json=body, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 422 and r.json()["error"].startswith("questions: thiếu")
    r = client.post("/api/stats", content=b"{not json", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 422 and "JSON" in r.json()["error"]


def test_unanswered_questions_merge_across_wards_and_one_alias_fixes_them(hub):
    client, settings, conn = hub
    from kiosk.hub import stats

    t1 = stats.add_ward(conn, "26734", "Phường Bến Thành")
    t2 = stats.add_ward(conn, "26737", "Phường Sài Gòn")
    day = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    client.post("/api/stats", headers={"Authorization": f"Bearer {t1}"}, json=_payload(
        "26734", day=day, unanswered=[{"text": "Xin giấy chứng nhận độc thân", "count": 4},
                                      {"text": "hỏi chỗ gửi xe", "count": 1}]))
    client.post("/api/stats", headers={"Authorization": f"Bearer {t2}"}, json=_payload(
        "26737", day=day, unanswered=[{"text": "xin giay chung nhan doc than", "count": 2}]))
    groups = stats.merged_unanswered(conn, 30)
    top = groups[0]
    assert top.count == 6 and sorted(top.wards) == ["26734", "26737"]
    assert top.example == "Xin giấy chứng nhận độc thân"
    page = client.get("/unanswered")
    assert "Xin giấy chứng nhận độc thân" in page.text and "2 phường" in page.text
    r = client.post("/unanswered/alias?days=30", data={"csrf": client.csrf, "code": "1.000894",
                                                       "text": "Xin giấy chứng nhận độc thân"})
    assert r.status_code == 303 and "ok=alias" in r.headers["location"]
    assert "đã là cách hỏi của 1.000894" in client.get("/unanswered").text
    r = client.post("/unanswered/alias?days=30", data={"csrf": client.csrf, "code": "1.000894",
                                                       "text": "xin giấy chứng nhận độc thân"})
    assert "ok=aliasdup" in r.headers["location"]
    assert client.post("/publish", data={"csrf": client.csrf, "action": "publish"}).status_code == 303
    _, published = _verified(settings)
    assert "Xin giấy chứng nhận độc thân" in next(p for p in published.procedures if p.code == "1.000894").aliases


def test_bundles_are_static_files_with_etag_and_304(hub):
    client, settings, conn = hub
    r = client.get("/bundles/latest.json")
    assert r.status_code == 200 and r.headers["etag"] and r.headers["cache-control"] == "no-cache"
    again = client.get("/bundles/latest.json", headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    archive = client.get("/bundles/1/content.tar.gz")
    assert archive.status_code == 200 and "immutable" in archive.headers["cache-control"]
    assert client.get("/bundles/../keys/province.key").status_code == 404


def test_pages_need_a_session_and_post_needs_csrf(hub):
    client, settings, conn = hub
    from starlette.testclient import TestClient

    from kiosk.hub.app import create_app

    with TestClient(create_app(settings), follow_redirects=False) as anon:
        assert anon.get("/procedures").status_code == 303
        assert anon.post("/publish", data={"action": "publish"}).status_code == 403
        page = anon.get("/login")
        r = anon.post("/login", data={"csrf": _csrf(page.text), "name": "tinh.admin", "password": "sai-mat-khau-roi-nhe"})
        assert r.status_code == 401 and "không đúng" in r.text
    assert client.post("/publish", data={"csrf": "x", "action": "publish"}).status_code == 403


def test_every_page_renders_in_vietnamese(hub):
    client, settings, conn = hub
    for url, words in (("/", "Phiên bản đang phát hành"), ("/procedures", "Đăng ký khai sinh"),
                       ("/procedures?show=all&q=khai+sinh", "1.004884"), ("/procedures/1.001193", "Lưu vào bản nháp"),
                       ("/procedures/1.001193/preview", "Xem trước"), ("/procedures/new", "Thêm"),
                       ("/publish", "Bản nháp không có sửa đổi"), ("/versions", "đang phát hành"),
                       ("/versions/1", "Phiên bản 1"), ("/stats", "toàn tỉnh"), ("/wards", "add-ward"),
                       ("/unanswered", "Không có câu hỏi")):
        r = client.get(url)
        assert r.status_code == 200, (url, r.text[:500])
        assert words in r.text, url
    r = client.get("/procedures/1.001022")  # a catalogue-only entry: its own form
    assert r.status_code == 200 and "Viết đầy đủ thủ tục này" in r.text
    r = client.get("/procedures/9.999999")
    assert r.status_code == 404 and "Không có thủ tục mã 9.999999" in r.text
    r = client.post("/procedures/1.001193", data={"csrf": client.csrf, "action": "retire",
                                                  "base": _csrf_base(client.get("/procedures/1.001193").text)})
    assert r.status_code == 303
    assert "ngừng áp dụng" in client.get("/procedures/1.001193").text
    r = client.post("/procedures/new", data={"csrf": client.csrf, "code": "local.giay-phep-cho", "title": "Đăng ký nuôi chó",
                                             "category": "ho-tich"})
    assert r.status_code == 303 and client.get("/procedures/local.giay-phep-cho").status_code == 200


def test_a_stale_procedure_form_shows_both_versions_and_loses_nothing(hub):
    """Two province editors on one procedure: the later save of an older form is not applied,
    the page shows both versions side by side, and the editor may post theirs again knowingly."""
    import html as htmllib

    client, settings, conn = hub
    page = client.get("/procedures/1.001193")
    old_form = form_fields(page.text, "/procedures/1.001193")  # opened before the other save
    _edit_fee(client, "1.001193", "Miễn lệ phí (sửa bởi người thứ nhất)")
    old_form["where"] = ["Quầy hộ tịch, tầng 1 (sửa bởi người thứ hai)"]
    old_form["action"] = ["save"]
    r = client.post("/procedures/1.001193", data=old_form)
    assert r.status_code == 409 and "Đã có người sửa" in r.text and "tinh.admin" in r.text
    assert "Miễn lệ phí (sửa bởi người thứ nhất)" in r.text and "Quầy hộ tịch, tầng 1 (sửa bởi người thứ hai)" in r.text
    page = client.get("/procedures/1.001193").text
    assert "Miễn lệ phí (sửa bởi người thứ nhất)" in page and "sửa bởi người thứ hai" not in page
    # "Vẫn lưu bản của tôi": the page re-posts the second editor's values on the newer base
    keep: dict[str, list[str]] = {}
    for k, v in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', r.text):
        keep.setdefault(k, []).append(htmllib.unescape(v))
    assert client.post("/procedures/1.001193", data=keep).status_code == 303
    assert "Quầy hộ tịch, tầng 1 (sửa bởi người thứ hai)" in client.get("/procedures/1.001193").text
    # a stale "retire" is refused the same way, with nothing changed
    stale = {"csrf": client.csrf, "action": "retire", "base": _csrf_base(page)}
    r = client.post("/procedures/1.001193", data=stale)
    assert r.status_code == 409 and "ngừng áp dụng" not in client.get("/procedures/1.001193").text


def _csrf_base(html: str) -> str:
    return re.search(r'name="base" value="([^"]*)"', html).group(1)


@pytest.mark.parametrize("args, words", [
    (["hub", "list-wards"], "thiếu --database"),
    (["hub", "list-wards", "--database", "not a url"], "địa chỉ cơ sở dữ liệu không hợp lệ"),
    (["hub", "list-wards", "--database", "postgresql://hub@127.0.0.1:1/hub"], "không kết nối được PostgreSQL"),
])
def test_hub_cli_bad_database_is_one_line(args, words, capsys, monkeypatch):
    from kiosk.cli import main

    monkeypatch.delenv("KIOSK_HUB_DATABASE", raising=False)
    assert main(args) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("Lỗi: ") and words in err and "\n" not in err and "Traceback" not in err


def test_hub_cli_wards_and_users(pg_url, capsys):
    from kiosk.cli import main

    assert main(["hub", "add-ward", "26734", "--name", "Phường Bến Thành", "--database", pg_url]) == 0
    token = capsys.readouterr().out.strip()
    assert len(token) >= 40
    assert main(["hub", "add-ward", "26 734", "--name", "x", "--database", pg_url]) == 1
    assert "mã phường" in capsys.readouterr().err
    assert main(["hub", "list-wards", "--database", pg_url]) == 0
    assert "Phường Bến Thành" in capsys.readouterr().out
    import io
    import sys

    sys_stdin = sys.stdin
    try:
        sys.stdin = io.StringIO("ngắn\n")
        assert main(["hub", "create-user", "lan", "--role", "province", "--password-stdin", "--database", pg_url]) == 1
        assert "ít nhất 12 ký tự" in capsys.readouterr().err
    finally:
        sys.stdin = sys_stdin


def test_login_throttles_after_repeated_failures(pg_url):
    from kiosk.hub.accounts import MAX_FAILS, Editors
    from kiosk.hub.db import open_hub
    from kiosk.hub.errors import HubError

    conn = open_hub(pg_url)
    editors = Editors(conn)
    editors.create("tinh.lan", PASSWORD, "province")
    assert editors.authenticate("tinh.lan", PASSWORD, "10.0.0.1").name == "tinh.lan"
    for _ in range(MAX_FAILS):
        with pytest.raises(HubError, match="không đúng"):
            editors.authenticate("tinh.lan", "mat-khau-sai-hoan-toan", "10.0.0.9")
    with pytest.raises(HubError, match="quá nhiều lần"):
        editors.authenticate("tinh.lan", PASSWORD, "10.0.0.1")  # even the right password waits
    token = editors.start_session(editors.create("tinh.minh", PASSWORD + "x", "province"))
    assert editors.session(token).user.name == "tinh.minh"
    editors.set_password("tinh.minh", PASSWORD + "y")
    assert editors.session(token) is None  # a new password signs out everywhere
    conn.close()


def test_database_down_is_a_clear_503_not_a_traceback(tmp_path):
    from starlette.testclient import TestClient

    from kiosk.hub.app import HubSettings, create_app

    settings = HubSettings(database_url="postgresql://hub@127.0.0.1:1/hub", keys_dir=tmp_path / "k",
                           bundles_dir=tmp_path / "b")
    with TestClient(create_app(settings), follow_redirects=False, raise_server_exceptions=False) as c:
        r = c.get("/login")
        assert r.status_code == 503 and "không kết nối được PostgreSQL" in r.text and "Traceback" not in r.text
        r = c.post("/api/stats", json={}, headers={"Authorization": "Bearer x"})
        assert r.status_code == 503 and "không kết nối được PostgreSQL" in r.json()["error"]


def test_an_older_kiosks_channels_are_counted_in_todays_vocabulary(hub):
    # issue 17: older kiosks send text/audio; the hub counts them as search/voice and labels them once
    client, settings, conn = hub
    from kiosk.hub import stats

    token = stats.add_ward(conn, "26734", "Phường Bến Thành")
    auth = {"Authorization": f"Bearer {token}"}
    old = _payload("26734", kiosk="kiosk-old", by_channel={"audio": 5, "text": 2, "voice": 1})
    assert client.post("/api/stats", json=old, headers=auth).status_code == 200
    assert stats.report(conn, 365, "26734").by_channel == {"voice": 6, "search": 2}
    page = client.get("/stats/26734?days=365").text
    assert "Nói 6" in page and "Gõ chữ 2" in page
