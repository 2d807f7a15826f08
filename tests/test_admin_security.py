"""Admin security: no anonymous access anywhere, CSRF on every form, throttled logins,
roles, cookies, headers, and hostile input stored safely and shown escaped."""
from __future__ import annotations

import json
import re
import unicodedata

import pytest
from starlette.routing import Mount, Route
from starlette.testclient import TestClient
from test_admin_support import (
    ADMIN,
    CODE,
    EDITOR,
    csrf_of,
    db_of,
    login,
    procedure_form,
    settings_for,
    signed_in,
)

from kiosk.admin import create_app
from kiosk.admin.accounts import MAX_FAILS_PER_IP, PAIR_FREE

# Slow lane: the staff web app end to end: a database copy per test and Argon2 sign-ins.
pytestmark = pytest.mark.slow

PUBLIC = {("/login", "GET"), ("/login", "POST")}
PARAMS = {"code": CODE, "vid": "1", "name": ADMIN[0], "fmt": "csv", "field": "notes"}


def _routes(app):
    """Every (path, method) the router serves, with path parameters filled in."""
    out = []
    for r in app.routes:
        if isinstance(r, Route):
            path = re.sub(r"\{(\w+)(:\w+)?\}", lambda m: PARAMS[m.group(1)], r.path)
            for method in sorted(r.methods - {"HEAD"}):
                out.append((path, method))
    return out


def test_router_lists_every_page(app):
    paths = {p for p, _ in _routes(app)}
    assert {"/", "/procedures", f"/procedures/{CODE}", "/publish", "/versions", "/sheet/import", "/unanswered",
            "/usage", "/users", "/audit", "/office"} <= paths
    mounts = [r.path for r in app.routes if isinstance(r, Mount)]
    assert mounts == ["/static"]  # the stylesheet only (checked below)


def test_every_route_rejects_anonymous_access(app, client):
    routes = [rt for rt in _routes(app) if rt not in PUBLIC]
    assert len(routes) >= 30
    for path, method in routes:
        r = client.request(method, path, data={"csrf": "x"} if method == "POST" else None)
        if method == "GET":
            assert r.status_code == 303 and r.headers["location"].startswith("/login?next="), (method, path, r.status_code)
        else:
            assert r.status_code == 403, (method, path, r.status_code)
        assert "Đăng ký khai sinh" not in r.text and "Lệ phí" not in r.text  # no content leaks
    # nothing was changed by those POSTs
    db = db_of(client.app.state.settings.db_path.parent)
    assert db["admin_draft"].count == 0 and db["content_versions"].count == 1


def test_static_serves_only_the_stylesheet(client):
    assert client.get("/static/admin.css").status_code == 200
    assert client.get("/static/../app.py").status_code == 404
    assert client.get("/static/../../knowledge/store.py").status_code == 404


def test_a_forged_or_expired_session_cookie_is_anonymous(app, client):
    client.cookies.set("kiosk_admin", "forged-token")
    assert client.get("/procedures").status_code == 303
    client.cookies.clear()
    signed_in(client)
    cookie = client.cookies.get("kiosk_admin")
    client.post("/logout", data={"csrf": csrf_of(client.get("/").text)})
    client.cookies.set("kiosk_admin", cookie)  # replaying the old cookie after logout
    assert client.get("/procedures").status_code == 303


def test_every_form_carries_a_csrf_token(client):
    signed_in(client)
    pages = ["/", "/procedures", f"/procedures/{CODE}", f"/procedures/{CODE}/preview", "/procedures/new", "/office",
             "/publish", "/versions", "/versions/1", "/sheet", "/unanswered", "/usage", "/users", "/account", "/audit"]
    seen = 0
    for page in pages:
        html = client.get(page).text
        for form in re.findall(r"<form[^>]*method=\"post\".*?</form>", html, re.S):
            assert 'name="csrf"' in form, (page, form[:200])
            seen += 1
    assert seen >= 10


def test_posts_without_or_with_a_wrong_csrf_token_are_rejected(app, client):
    token = signed_in(client)
    form = procedure_form(client, CODE)
    form["fee"] = "Thu 999.000 đồng"
    for bad in (None, "", "wrong", token + "x"):
        data = {k: v for k, v in form.items() if k != "csrf"}
        if bad is not None:
            data["csrf"] = bad
        r = client.post(f"/procedures/{CODE}", data=data)
        assert r.status_code == 403 and "Biểu mẫu" in r.text
    for path, method in _routes(app):
        if method == "POST" and (path, method) not in PUBLIC:
            assert client.post(path, data={"action": "save"}).status_code == 403, path
    db = db_of(client.app.state.settings.db_path.parent)
    assert db["admin_draft"].count == 0  # no edit went through
    # the same post with the right token works
    assert client.post(f"/procedures/{CODE}", data=form).status_code == 303
    assert db["admin_draft"].count == 1


def test_login_form_needs_its_own_token(client):
    r = client.post("/login", data={"name": ADMIN[0], "password": ADMIN[1]})
    assert r.status_code == 403
    assert "kiosk_admin" not in r.cookies


def test_wrong_passwords_are_rate_limited_per_account_and_address(app, data_dir):
    with TestClient(app, follow_redirects=False, client=("10.0.0.1", 1000)) as a:
        for _ in range(PAIR_FREE):
            assert login(a, ADMIN[0], "sai-mat-khau").status_code == 401
        r = login(a, *ADMIN)  # the right password no longer helps from this address
        assert r.status_code == 429 and "quá nhiều lần" in r.text
        assert login(a, *EDITOR).status_code == 303  # other accounts are unaffected
    with TestClient(app, follow_redirects=False, client=("10.0.0.2", 1000)) as b:
        # The attacker's address waits; the account itself is not locked for its owner elsewhere.
        assert login(b, *ADMIN).status_code == 303
    db = db_of(data_dir)
    actions = [r["action"] for r in db.query("SELECT action FROM admin_audit ORDER BY id")]
    assert actions.count("login-failed") == PAIR_FREE and "login-throttled" in actions


def test_wrong_passwords_are_rate_limited_per_address(data_dir):
    from argon2 import PasswordHasher

    # A cheaper hasher only for the dummy hash of unknown names (stored hashes keep their own cost).
    app = create_app(settings_for(data_dir), hasher=PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    with TestClient(app, follow_redirects=False, client=("10.0.0.9", 1000)) as c:
        for i in range(MAX_FAILS_PER_IP):
            assert login(c, f"khong-co-{i}", "sai").status_code == 401
        assert login(c, *EDITOR).status_code == 429
    with TestClient(app, follow_redirects=False, client=("10.0.0.10", 1000)) as other:
        assert login(other, *EDITOR).status_code == 303


def test_unknown_user_and_wrong_password_look_the_same(client):
    a = login(client, "khong-ai-ca", "x" * 12)
    b = login(client, ADMIN[0], "x" * 12)
    assert a.status_code == b.status_code == 401
    assert re.search(r'class="error".*?</p>', a.text).group(0) == re.search(r'class="error".*?</p>', b.text).group(0)


def test_session_cookie_flags_and_security_headers(data_dir):
    with TestClient(create_app(settings_for(data_dir)), follow_redirects=False) as c:
        r = login(c)
        cookie = r.headers["set-cookie"]
        assert "kiosk_admin=" in cookie and "httponly" in cookie.lower() and "samesite=strict" in cookie.lower()
        assert "secure" not in cookie.lower()
        page = c.get("/")
        assert "default-src 'none'" in page.headers["content-security-policy"]
        assert page.headers["x-frame-options"] == "DENY" and page.headers["cache-control"] == "no-store"
    with TestClient(create_app(settings_for(data_dir, secure_cookies=True)), follow_redirects=False,
                    base_url="https://testserver") as s:
        cookie = login(s).headers["set-cookie"]
        assert cookie.startswith("__Host-kiosk_admin=") and "secure" in cookie.lower()


def test_no_open_redirect_after_login(client):
    page = client.get("/login")
    r = client.post("/login", data={"csrf": csrf_of(page.text), "name": ADMIN[0], "password": ADMIN[1],
                                    "next": "//evil.example/x"})
    assert r.status_code == 303 and r.headers["location"] == "/"


def test_editors_cannot_manage_accounts_roll_back_or_read_the_audit_log(client):
    token = signed_in(client, EDITOR)
    assert client.get("/users").status_code == 403
    assert client.get("/audit").status_code == 403
    assert client.post("/users", data={"csrf": token, "name": "moi", "password": "x" * 10, "password2": "x" * 10}).status_code == 403
    assert client.post("/versions/1/rollback", data={"csrf": token}).status_code == 403
    assert client.get("/procedures").status_code == 200  # but can edit
    assert "Tài khoản</a>" not in client.get("/").text


def test_admin_manages_accounts_and_a_disabled_account_is_signed_out(app, data_dir):
    with TestClient(app, follow_redirects=False) as admin, TestClient(app, follow_redirects=False) as editor:
        token = signed_in(admin)
        signed_in(editor, EDITOR)
        assert admin.post(f"/users/{EDITOR[0]}", data={"csrf": token, "action": "disable"}).status_code == 303
        assert editor.get("/procedures").status_code == 303  # signed out at once
        assert login(editor, *EDITOR).status_code == 401
        r = admin.post("/users", data={"csrf": token, "name": "<b>x</b>", "role": "editor", "password": "p" * 10,
                                       "password2": "p" * 10})
        assert r.status_code == 400 and "<b>x</b>" not in r.text
        r = admin.post(f"/users/{ADMIN[0]}", data={"csrf": token, "action": "role", "role": "editor"})
        assert r.status_code == 400 and "ít nhất một tài khoản quản trị" in r.text


HOSTILE_TITLE = '<script>alert("x")</script><img src=x onerror=alert(1)>'
NFD_TEXT = unicodedata.normalize("NFD", "Đăng ký khai sinh cho trẻ em — lệ phí")
ODD = "a\u202ebidi\u200d👨‍👩‍👧\x00\x07 zero\u200bwidth ﷽ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 \"quotes' & ampersand"


def test_hostile_input_is_stored_safely_and_rendered_escaped(client, data_dir):
    token = signed_in(client)
    form = procedure_form(client, CODE)
    long_fee = "Lệ phí <b>rất</b> dài " + "x" * 1_900
    form.update({"title": HOSTILE_TITLE, "fee": long_fee, "notes": ODD, "processing_time": NFD_TEXT,
                 "aliases": form["aliases"] + "\n" + NFD_TEXT + "\n</textarea><script>alert(2)</script>"})
    r = client.post(f"/procedures/{CODE}", data=form)
    assert r.status_code == 303
    stored = json.loads(db_of(data_dir)["admin_draft"].get(1)["data"])
    p = next(x for x in stored["procedures"] if x["code"] == CODE)
    assert p["title"] == HOSTILE_TITLE and p["fee"] == long_fee
    assert p["processing_time"] == unicodedata.normalize("NFC", NFD_TEXT)  # NFD typed → NFC stored
    assert "\x00" not in p["notes"] and "\u202e" not in p["notes"] and "👨‍👩‍👧" in p["notes"]
    for page in (f"/procedures/{CODE}", f"/procedures/{CODE}/preview", "/procedures?q=script&show=all", "/publish", "/"):
        html = client.get(page).text
        assert "<script>alert" not in html and "<img src=x" not in html, page
        assert "</textarea><script>" not in html
    edit = client.get(f"/procedures/{CODE}").text
    assert "&lt;script&gt;alert(" in edit and "x" * 1_900 in edit
    # published as is: the kiosk gets the text, never markup interpretation of it
    r = client.post("/publish", data={"csrf": token, "note": "<i>ghi chú</i>"})
    assert r.status_code == 303, r.text[:2000]
    versions = client.get("/versions").text
    assert "<i>ghi chú</i>" not in versions and "&lt;i&gt;ghi chú&lt;/i&gt;" in versions
    from knowledge.store import read_content

    live = read_content(db_of(data_dir)).procedure(CODE)
    assert live.title == HOSTILE_TITLE and live.processing_time == unicodedata.normalize("NFC", NFD_TEXT)


def test_hostile_questions_and_titles_are_escaped_in_reports_and_charts(client, data_dir):
    from knowledge.model import Decision, Match
    from knowledge.qlog import log_question

    db = db_of(data_dir)
    for _ in range(3):
        log_question(db, '<svg onload=alert(1)>"&', Decision.NONE, [Match(CODE, "x", 40.0)])
    qid = log_question(db, "khai sinh", Decision.ANSWER, [Match(CODE, "x", 90.0)])
    db["question_log"].update(qid, {"chosen_code": "<b>bad</b>"})
    signed_in(client)
    for page in ("/unanswered", "/usage"):
        html = client.get(page).text
        assert "<svg onload" not in html and "<b>bad</b>" not in html, page
    assert "&lt;svg onload=alert(1)&gt;" in client.get("/unanswered").text
    assert "&lt;b&gt;bad&lt;/b&gt;" in client.get("/usage").text


def test_oversized_and_odd_requests_fail_calmly(client):
    token = signed_in(client)
    assert client.get("/procedures/..%2F..%2Fetc").status_code == 404
    assert client.get("/procedures/1.999999").status_code == 404
    r = client.post("/sheet/import", data={"csrf": token}, files={"file": ("a.xlsx", b"x" * (9 * 1024 * 1024))})
    assert r.status_code in (400, 413)
    assert "Traceback" not in r.text
