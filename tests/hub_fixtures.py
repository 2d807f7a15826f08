"""A throw-away PostgreSQL server for the hub tests: initdb + pg_ctl in a temporary directory.

Runs as the ``postgres`` system user when the tests run as root (PostgreSQL refuses to run
as root); each test gets its own database, created from an empty template. Skips with the
reason when no server binaries are installed or the server cannot start.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

PG_BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


@dataclass(frozen=True)
class PgServer:
    host: str
    port: int
    user: str
    bindir: Path

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://{self.user}@{self.host}:{self.port}/{dbname}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_user(cmd: list[str], user: str | None) -> list[str]:
    return ["runuser", "-u", user, "--", *cmd] if user else cmd


@pytest.fixture(scope="session")
def pg_server():
    bindir = next((d for d in PG_BIN_DIRS if (d / "initdb").is_file()), None)
    if bindir is None:
        pytest.skip("PostgreSQL server binaries not installed (Debian package `postgresql`; script/bootstrap installs it)")
    run_as = None
    if os.geteuid() == 0:
        try:
            import pwd

            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no `postgres` system user to run the server as")
        run_as = "postgres"
    tmp = Path(tempfile.mkdtemp(prefix="kiosk-hub-pg-"))
    data, sock = tmp / "data", tmp / "sock"
    sock.mkdir()
    if run_as:
        shutil.chown(tmp, run_as)
        shutil.chown(sock, run_as)
        tmp.chmod(0o700)
    user = run_as or os.environ.get("USER") or "postgres"
    port = _free_port()
    try:
        subprocess.run(_as_user([str(bindir / "initdb"), "-D", str(data), "-U", user, "--auth=trust",
                                 "--encoding=UTF8", "--locale=C.UTF-8", "-N"], run_as),
                       check=True, capture_output=True, timeout=120)
        # fsync off and small buffers: a test server that is thrown away needs no durability.
        subprocess.run(_as_user([str(bindir / "pg_ctl"), "-D", str(data), "-l", str(tmp / "log"), "-w", "-t", "60",
                                 "-o", f"-h 127.0.0.1 -p {port} -k {sock} -c fsync=off -c synchronous_commit=off "
                                       f"-c full_page_writes=off -c max_connections=200 -c shared_buffers=32MB",
                                 "start"], run_as),
                       check=True, capture_output=True, timeout=120)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        out = getattr(exc, "stderr", b"") or b""
        log = (tmp / "log").read_text(errors="replace")[-500:] if (tmp / "log").exists() else ""
        shutil.rmtree(tmp, ignore_errors=True)
        pytest.skip(f"PostgreSQL test server did not start: {exc} {out.decode(errors='replace')[-300:]} {log}")
    server = PgServer("127.0.0.1", port, user, bindir)
    try:
        yield server
    finally:
        subprocess.run(_as_user([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"], run_as),
                       capture_output=True, timeout=60)
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture
def pg_url(pg_server):
    """A fresh, empty database for one test."""
    import psycopg

    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(pg_server.url(), autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')  # name is ours, not input
    yield pg_server.url(name)
    with psycopg.connect(pg_server.url(), autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def wait_port(host: str, port: int, timeout: float = 30.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"{host}:{port} did not open in {timeout} s")


def form_fields(html: str, action: str) -> dict[str, list[str]]:
    """The values a browser would post for the form with this action (inputs, textareas, selects)."""
    import html as htmllib
    import re

    start = html.index(f'<form method="post" action="{action}" id="edit"')
    form = html[start:html.index("</form>", start)]
    data: dict[str, list[str]] = {}
    for m in re.finditer(r'<input[^>]*name="([^"]+)"[^>]*>', form):
        tag = m.group(0)
        if 'type="checkbox"' in tag and "checked" not in tag:
            continue
        v = re.search(r'value="([^"]*)"', tag)
        data.setdefault(m.group(1), []).append(htmllib.unescape(v.group(1)) if v else "")
    for m in re.finditer(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        data.setdefault(m.group(1), []).append(htmllib.unescape(m.group(2)))
    for m in re.finditer(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        sel = re.search(r'<option value="([^"]*)"[^>]*selected', m.group(2))
        data.setdefault(m.group(1), []).append(htmllib.unescape(sel.group(1)) if sel else "")
    return data
