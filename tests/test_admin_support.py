"""Shared fixtures and helpers for the admin tests (no tests here).

A database is filled once per session from the shipped content (assets/content) with
two staff accounts; each test gets its own copy in tmp, so tests never share state.
"""
from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from kiosk.admin import AdminSettings, create_app
from kiosk.admin.accounts import Accounts
from kiosk.admin.schema import open_admin_db
from knowledge.store import open_content

REPO = Path(__file__).resolve().parents[1]
CONTENT = REPO / "assets" / "content"
ADMIN = ("lan", "mat-khau-quan-tri")  # role admin
EDITOR = ("minh", "mat-khau-bien-tap")  # role editor
CODE = "1.001193"  # Đăng ký khai sinh


@pytest.fixture(scope="session")
def admin_template(tmp_path_factory) -> Path:
    """A data dir with the shipped content imported and two accounts."""
    data = tmp_path_factory.mktemp("admin-template")
    db = open_admin_db(data / "kiosk.db")
    open_content(db, CONTENT)
    accounts = Accounts(db)
    accounts.create(*ADMIN, "admin")
    accounts.create(*EDITOR, "editor")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return data


@pytest.fixture
def data_dir(admin_template: Path, tmp_path: Path) -> Path:
    out = tmp_path / "data"
    out.mkdir()
    shutil.copy(admin_template / "kiosk.db", out / "kiosk.db")
    return out


def settings_for(data_dir: Path, **kw) -> AdminSettings:
    return AdminSettings(db_path=data_dir / "kiosk.db", content_dir=CONTENT, **kw)


@pytest.fixture
def app(data_dir: Path):
    return create_app(settings_for(data_dir))


@pytest.fixture
def client(app):
    from starlette.testclient import TestClient

    with TestClient(app, follow_redirects=False) as c:
        yield c


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, "no CSRF field in the page"
    return m.group(1)


def login(client, name: str = ADMIN[0], password: str = ADMIN[1]):
    """Sign in through the login form; returns the response of the POST."""
    page = client.get("/login")
    return client.post("/login", data={"csrf": csrf_of(page.text), "name": name, "password": password, "next": "/"})


def signed_in(client, who=ADMIN) -> str:
    """Sign in and return the session's CSRF token."""
    r = login(client, *who)
    assert r.status_code == 303, r.text
    return csrf_of(client.get("/account").text)


def db_of(data_dir: Path):
    import sqlite_utils

    return sqlite_utils.Database(sqlite3.connect(str(data_dir / "kiosk.db")))


def procedure_form(client, code: str) -> dict[str, object]:
    """The edit form of a procedure as the browser would post it (field → value or list)."""
    html = client.get(f"/procedures/{code}").text
    form = html[html.index('id="edit"'):]
    form = form[: form.index("</form>")]
    data: dict[str, object] = {}
    import html as h

    for m in re.finditer(r'<input([^>]*)>', form):
        attrs = dict(re.findall(r'(\w[\w-]*)="([^"]*)"', m.group(1)))
        if "name" not in attrs:
            continue
        if attrs.get("type") == "checkbox":
            if "checked" in m.group(1):
                values = data.setdefault(attrs["name"], [])
                assert isinstance(values, list)
                values.append(h.unescape(attrs.get("value", "on")))
            continue
        data[attrs["name"]] = h.unescape(attrs.get("value", ""))
    for m in re.finditer(r'<textarea([^>]*)>(.*?)</textarea>', form, re.S):
        name = re.search(r'name="([^"]+)"', m.group(1)).group(1)
        data[name] = h.unescape(m.group(2))
    for m in re.finditer(r'<select([^>]*)>(.*?)</select>', form, re.S):
        name = re.search(r'name="([^"]+)"', m.group(1)).group(1)
        sel = re.search(r'<option value="([^"]*)"[^>]*selected', m.group(2))
        first = re.search(r'<option value="([^"]*)"', m.group(2))
        data[name] = h.unescape((sel or first).group(1))
    return data


def import_sheet(client, token: str, name: str, raw: bytes):
    """Upload ``raw`` as the spreadsheet ``name`` to the import page."""
    return client.post("/sheet/import", data={"csrf": token}, files={"file": (name, raw)})
