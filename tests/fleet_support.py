"""Real HTTP servers for the ward side of the fleet tests (stdlib http.server in a thread).

- ``StaticHub``: serves a directory as a plain static web server would (nginx, a CDN), with
  ETag / If-None-Match → 304 like Starlette's StaticFiles, and a record of every request;
- ``StatsHub``: a minimal POST /api/stats receiver keeping one document per (ward, kiosk, day),
  checking the Bearer token, optionally failing the next N requests with 500 (a StaticHub can
  carry the same receiver, for a whole hub on one address).
The real hub (PostgreSQL, Starlette) is tested by the hub's own tests.

Also a pytest plugin (tests/conftest.py): the ``hub`` fixture, a ``StaticHub`` serving what
the test module's ``province`` fixture publishes. Each module keeps its own ``province``
(the admin tests edit loaded content, the sync tests edit YAML files), so only the
server is shared; a module whose hub is something else (a stats receiver, the real hub)
defines its own ``hub``, which takes precedence.
"""
from __future__ import annotations

import hashlib
import http.server
import json
import threading
from functools import partial
from pathlib import Path

import pytest


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class _Running:
    def __init__(self, handler):
        self.httpd = _Server(("127.0.0.1", 0), handler)
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


class StaticHub(_Running):
    """``stats``: also answer POST /api/stats like the hub (one server, as the real hub is)."""

    def __init__(self, root: Path, stats: "_StatsStore | None" = None):
        self.requests: list[tuple[str, str | None]] = []  # (path, If-None-Match)
        self.stats = stats
        hub = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep test output clean
                pass

            def do_POST(self) -> None:
                if hub.stats is None:
                    self.send_error(405)
                    return
                hub.stats.post(self)

            def send_head(self):
                hub.requests.append((self.path, self.headers.get("If-None-Match")))
                path = Path(self.translate_path(self.path))
                if path.is_file():
                    st = path.stat()
                    etag = '"' + hashlib.md5(f"{st.st_mtime_ns}-{st.st_size}".encode()).hexdigest() + '"'
                    if self.headers.get("If-None-Match") == etag:
                        self.send_response(304)
                        self.send_header("ETag", etag)
                        self.end_headers()
                        return None
                    self._etag = etag
                return super().send_head()

            def end_headers(self) -> None:
                etag = getattr(self, "_etag", None)
                if etag:
                    self.send_header("ETag", etag)
                    self._etag = None
                super().end_headers()

        super().__init__(partial(Handler, directory=str(root)))

    def paths(self) -> list[str]:
        return [p for p, _ in self.requests]


class _StatsStore:
    """What the hub's POST /api/stats keeps: one document per (ward, kiosk, day)."""

    def __init__(self, tokens: dict[str, str]):
        self.tokens = tokens  # token → ward code
        self.rows: dict[tuple[str, str, str], dict] = {}
        self.posts = 0
        self.fail_next = 0

    def post(self, handler: http.server.BaseHTTPRequestHandler) -> None:
        def answer(status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)

        self.posts += 1
        body = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
        if handler.path != "/api/stats":
            return answer(404, {"ok": False})
        if self.fail_next:
            self.fail_next -= 1
            return answer(500, {"ok": False})
        ward = self.tokens.get(handler.headers.get("Authorization", "").removeprefix("Bearer "))
        try:
            doc = json.loads(body)
        except ValueError:
            return answer(422, {"ok": False, "error": "not JSON"})
        if ward is None or doc.get("ward") != ward:
            return answer(401, {"ok": False, "error": "bad token"})
        for key in ("format", "day", "kiosk", "questions", "by_procedure", "decisions", "by_channel",
                    "unanswered", "ratings"):
            if key not in doc:
                return answer(422, {"ok": False, "error": f"missing {key}"})
        k = (doc["ward"], doc["kiosk"], doc["day"])
        stored = "replaced" if k in self.rows else "new"
        self.rows[k] = doc
        answer(200, {"ok": True, "stored": stored})


class StatsHub(_Running, _StatsStore):
    def __init__(self, tokens: dict[str, str]):
        _StatsStore.__init__(self, tokens)
        hub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                hub.post(self)

        _Running.__init__(self, Handler)


@pytest.fixture
def hub(province):
    """The province's bundle folder on a static web server, stopped after the test."""
    server = StaticHub(province.bundles.parent)
    yield server
    server.stop()
