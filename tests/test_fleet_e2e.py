"""End to end: a real PostgreSQL, the hub as a real uvicorn process, two real `kiosk sync` processes.

Province publishes → both kiosks answer with the new content within one poll interval; a
ward's local override survives the update; a tampered bundle is refused and the old content
keeps answering; a kiosk that was offline catches up; both kiosks' statistics reach the hub
exactly once.
"""
from __future__ import annotations

import datetime as dt
import http.cookiejar
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from hub_fixtures import form_fields, wait_port

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
POLL = 5  # seconds between polls of each kiosk (production: 300)
# A poll that finds a new version downloads, verifies, merges, validates and publishes it:
# ~1 s on the 2-core test machine with the small test content; 4 s of slack for a busy machine.
APPLY_SLACK = 4.0
PASSWORD = "trung-tam-noi-dung-tinh-2026"
QUESTION = "làm giấy khai sinh"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _kiosk(*args: str, env: dict, check: bool = True, input: str | None = None) -> subprocess.CompletedProcess:
    r = subprocess.run([sys.executable, "-m", "kiosk", *args], cwd=REPO, env=env, capture_output=True, text=True,
                       timeout=120, input=input)
    if check:
        assert r.returncode == 0, (args, r.stdout, r.stderr)
    return r


class Browser:
    """A province editor's browser against the real hub: cookies, CSRF, forms."""

    def __init__(self, url: str):
        self.url = url
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                                  _NoRedirect())
        self.csrf = ""

    def get(self, path: str) -> tuple[int, str]:
        try:
            with self.opener.open(self.url + path, timeout=30) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def post(self, path: str, data: dict) -> tuple[int, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode()
        try:
            with self.opener.open(urllib.request.Request(self.url + path, data=body), timeout=60) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def login(self, name: str, password: str) -> None:
        _, page = self.get("/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        status, _ = self.post("/login", {"csrf": csrf, "name": name, "password": password, "next": "/"})
        assert status == 303
        _, home = self.get("/")
        self.csrf = re.search(r'name="csrf" value="([^"]+)"', home).group(1)

    def edit(self, code: str, **fields: str) -> None:
        status, page = self.get(f"/procedures/{code}")
        assert status == 200
        data = form_fields(page, f"/procedures/{code}")
        data.update({k: [v] for k, v in fields.items()})
        data["action"] = ["save"]
        status, body = self.post(f"/procedures/{code}", data)
        assert status == 303, body[:1500]

    def publish(self, note: str) -> None:
        status, body = self.post("/publish", {"csrf": self.csrf, "action": "publish", "note": note})
        assert status == 303, body[:1500]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None

    def http_error_303(self, req, fp, code, msg, headers):
        return fp

    http_error_302 = http_error_303


class SyncProcess:
    """`kiosk sync --json` running in the background; its JSON lines collected from stdout."""

    def __init__(self, env: dict, log: Path):
        self.env, self.log = env, log
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.out = open(self.log, "a", encoding="utf-8")
        self.proc = subprocess.Popen([sys.executable, "-m", "kiosk", "sync", "--json"], cwd=REPO, env=self.env,
                                     stdout=self.out, stderr=subprocess.STDOUT, text=True)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None
        self.out.close()

    def results(self) -> list[dict]:
        out = []
        for line in self.log.read_text(encoding="utf-8").splitlines():
            if line.startswith("{"):
                try:
                    out.append(json.loads(line))
                except ValueError:
                    pass
        return out

    def wait_for(self, pred, timeout: float, what: str) -> dict:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            hit = next((r for r in reversed(self.results()) if pred(r)), None)
            if hit:
                return hit
            assert self.proc is None or self.proc.poll() is None, self.log.read_text()
            time.sleep(0.2)
        raise AssertionError(f"{what}: not within {timeout} s\n{self.log.read_text()[-3000:]}")


def _answer(env: dict) -> str:
    r = _kiosk("ask", "--json", "--no-log", QUESTION, env=env)
    return json.loads(r.stdout)["answer"]["text"]


def _wait_answer(env: dict, needle: str, timeout: float) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if needle in _answer(env):
            return time.monotonic() - start
        time.sleep(0.3)
    raise AssertionError(f"kiosk did not answer with {needle!r} within {timeout} s: {_answer(env)}")


def _ward_admin_note(db_path: Path, content_dir: Path, code: str, note: str) -> None:
    """Sign in to the ward's own staff admin (kiosk.admin, in process on the kiosk's database),
    write a note on a province procedure and publish — the ward admin keeps it as an override."""
    from starlette.testclient import TestClient

    from kiosk.admin.accounts import Accounts
    from kiosk.admin.app import AdminSettings, create_app
    from kiosk.admin.schema import open_admin_db

    db = open_admin_db(db_path)
    Accounts(db).create("can.bo", PASSWORD, "admin")
    db.close()
    with TestClient(create_app(AdminSettings(db_path=db_path, content_dir=content_dir)), follow_redirects=False) as ward:
        page = ward.get("/login").text
        r = ward.post("/login", data={"csrf": re.search(r'name="csrf" value="([^"]+)"', page).group(1),
                                      "name": "can.bo", "password": PASSWORD, "next": "/"})
        assert r.status_code == 303, r.text[:500]
        data = form_fields(ward.get(f"/procedures/{code}").text, f"/procedures/{code}")
        data["notes"], data["action"] = [note], ["save"]
        r = ward.post(f"/procedures/{code}", data=data)
        assert r.status_code == 303, r.text[:1500]
        csrf = re.search(r'name="csrf" value="([^"]+)"', ward.get("/publish").text).group(1)
        r = ward.post("/publish", data={"csrf": csrf, "note": "ghi chú riêng của phường"})
        assert r.status_code == 303, r.text[:1500]


def test_province_to_two_kiosks_end_to_end(pg_url, tmp_path: Path, mini_content: Path):
    from knowledge.bundle import build_bundle, load_private_key
    from knowledge.serialize import content_from_dict, content_to_dict
    from knowledge.store import open_db, read_content

    keys, bundles = tmp_path / "keys", tmp_path / "bundles"
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    base_env.update(KIOSK_CONFIG=str(tmp_path / "empty.toml"), PYTHONUNBUFFERED="1")
    (tmp_path / "empty.toml").write_text("", encoding="utf-8")
    hub_env = {**base_env, "KIOSK_HUB_DATABASE": pg_url, "KIOSK_HUB_KEYS": str(keys), "KIOSK_HUB_BUNDLES": str(bundles)}

    # ---- the hub: schema, keys, first version, an editor, two wards; served by uvicorn -------------
    out = _kiosk("hub", "init", "--content", str(mini_content), "--province", "79",
                 "--province-name", "Thành phố Hồ Chí Minh", env=hub_env).stdout
    assert "phiên bản 1" in out
    _kiosk("hub", "create-user", "tinh.bientap", "--role", "admin", "--password-stdin", env=hub_env, input=PASSWORD + "\n")
    tokens = {code: _kiosk("hub", "add-ward", code, "--name", name, env=hub_env).stdout.strip()
              for code, name in (("26734", "Phường Bến Thành"), ("26737", "Phường Sài Gòn"))}
    port = _free_port()
    hub = subprocess.Popen([sys.executable, "-m", "kiosk", "hub", "--port", str(port)], cwd=REPO, env=hub_env,
                           stdout=open(tmp_path / "hub.log", "w"), stderr=subprocess.STDOUT)
    kiosks: list[SyncProcess] = []
    try:
        wait_port("127.0.0.1", port)
        url = f"http://127.0.0.1:{port}"

        # ---- two kiosks of two wards, each with its own data dir; yesterday's questions logged ------
        envs = []
        for i, ward in enumerate(("26734", "26737"), 1):
            envs.append({**base_env, "XDG_DATA_HOME": str(tmp_path / f"kiosk{i}"), "XDG_CACHE_HOME": str(tmp_path / "cache"),
                         "KIOSK_PATHS_CONTENT_DIR": str(mini_content), "KIOSK_FLEET_HUB_URL": url,
                         "KIOSK_FLEET_PUBLIC_KEY": str(keys / "province.pub"), "KIOSK_FLEET_WARD_CODE": ward,
                         "KIOSK_FLEET_KIOSK_ID": f"kiosk-{i}", "KIOSK_FLEET_STATS_TOKEN": tokens[ward],
                         "KIOSK_FLEET_POLL_SECONDS": str(POLL)})
        asked = {1: ["làm giấy khai sinh", "đăng ký kết hôn", "xin giấy phép nuôi chim cảnh"],
                 2: ["đăng ký tạm trú", "xin giấy phép nuôi chim cảnh"]}
        yesterday = (dt.datetime.now().astimezone() - dt.timedelta(days=1)).replace(hour=10)
        for i, env in enumerate(envs, 1):
            for q in asked[i]:
                _kiosk("ask", "--json", q, env=env)
            db_path = Path(env["XDG_DATA_HOME"]) / "ward-kiosk" / "kiosk.db"
            with sqlite3.connect(db_path) as c:  # the questions were asked yesterday: a finished day
                c.execute("UPDATE question_log SET asked_at = ?", [yesterday.isoformat(timespec="seconds")])
        for i, env in enumerate(envs, 1):
            k = SyncProcess(env, tmp_path / f"sync{i}.log")
            k.start()
            kiosks.append(k)
        for k in kiosks:
            k.wait_for(lambda r: r["status"] == "applied" and r["province_version"] == 1, 60, "first bundle applied")

        # ---- ward 1's staff add a note of their own through the real ward admin: a local override ----
        _ward_admin_note(Path(envs[0]["XDG_DATA_HOME"]) / "ward-kiosk" / "kiosk.db", mini_content,
                         "1.001193", "Phường Bến Thành nhận hồ sơ cả sáng thứ Bảy.")
        assert "sáng thứ Bảy" in _answer(envs[0]) and "sáng thứ Bảy" not in _answer(envs[1])

        # ---- province publishes through the web admin → both kiosks within one poll interval ------
        browser = Browser(url)
        browser.login("tinh.bientap", PASSWORD)
        browser.edit("1.001193", fee="Miễn lệ phí (theo Nghị quyết của tỉnh, bản mới)")
        browser.publish("lệ phí mới")
        t0 = time.monotonic()
        for env in envs:
            _wait_answer(env, "theo Nghị quyết của tỉnh, bản mới", POLL + APPLY_SLACK - (time.monotonic() - t0))
        took = time.monotonic() - t0
        assert took <= POLL + APPLY_SLACK
        print(f"\nprovince publish → both kiosks answering: {took:.1f} s (poll {POLL} s)")
        # ward 1's own note survived the update; ward 2 never had it
        assert "sáng thứ Bảy" in _answer(envs[0]) and "sáng thứ Bảy" not in _answer(envs[1])

        # ---- a tampered bundle (archive changed after signing) is refused; old content answers -----
        staging = tmp_path / "forged"
        v2 = content_from_dict(json.loads(json.dumps(content_to_dict(read_content(open_db(
            Path(envs[1]["XDG_DATA_HOME"]) / "ward-kiosk" / "kiosk.db"))))))
        manifest = build_bundle(v2, province="79", version=3, note="giả mạo", private_key=load_private_key(keys / "province.key"),
                                out_dir=staging)
        archive = bytearray((staging / "3" / "content.tar.gz").read_bytes())
        archive[len(archive) // 2] ^= 0xFF
        (bundles / "3").mkdir()
        (bundles / "3" / "content.tar.gz").write_bytes(bytes(archive))
        (bundles / "3" / "bundle.json").write_bytes((staging / "3" / "bundle.json").read_bytes())
        os.replace(staging / "latest.json", bundles / "latest.json")
        for k in kiosks:
            r = k.wait_for(lambda r: r["status"] == "refused", POLL + APPLY_SLACK + 2, "tampered bundle refused")
            assert "bundle 3 refused" in r["message"] and r["province_version"] == 2
        for env in envs:
            assert "theo Nghị quyết của tỉnh, bản mới" in _answer(env)
        assert manifest.version == 3

        # ---- kiosk 2 goes offline; two publishes; it comes back and catches up at once ---------------
        kiosks[1].stop()
        browser.edit("1.001193", fee="Miễn lệ phí (phiên bản thứ tư)")
        browser.publish("sửa lần nữa")
        browser.edit("1.004194", fee="Không thu lệ phí")
        browser.publish("tạm trú")
        status, versions = browser.get("/versions")
        assert ">5</a>" in versions  # 3 was taken by the forged bundle: the hub moved past it
        _wait_answer(envs[0], "phiên bản thứ tư", POLL + APPLY_SLACK + 2)
        assert "phiên bản thứ tư" not in _answer(envs[1])
        kiosks[1].start()
        t0 = time.monotonic()
        kiosks[1].wait_for(lambda r: r["status"] == "applied" and r["province_version"] == 5, POLL + APPLY_SLACK,
                           "offline kiosk catches up")
        _wait_answer(envs[1], "phiên bản thứ tư", 5)
        print(f"offline kiosk caught up from version 2 to 5 in {time.monotonic() - t0:.1f} s")
        assert "sáng thứ Bảy" in _answer(envs[0])

        # ---- statistics: both kiosks' yesterday at the hub, exactly once -----------------------------
        import psycopg

        with psycopg.connect(pg_url) as c:
            rows = c.execute("SELECT ward, kiosk, day, questions, unanswered FROM daily_stats ORDER BY ward").fetchall()
        assert [(w, k, d, q) for w, k, d, q, _ in rows] == [
            ("26734", "kiosk-1", yesterday.date(), 3), ("26737", "kiosk-2", yesterday.date(), 2)], \
            [k.log.read_text()[-1500:] for k in kiosks]
        status, merged = browser.get("/unanswered")
        assert status == 200 and "2 phường" in merged
        status, page = browser.get("/stats")
        assert status == 200 and "<strong>5</strong> câu hỏi từ 2 kiosk" in page
    finally:
        for k in kiosks:
            if k.proc is not None:
                k.stop()
        hub.send_signal(signal.SIGINT)
        try:
            hub.wait(10)
        except subprocess.TimeoutExpired:
            hub.kill()
            hub.wait(5)
