"""The few HTTP calls a kiosk makes to its hub (stdlib urllib): timeouts, size caps, one-line errors.

The hub may be a plain static server (nginx, a CDN): only GET with If-None-Match and one
JSON POST. Every failure becomes ``HubError`` with a short message and no response body
in it (a proxy's error page must not end up in the kiosk's log).
"""
from __future__ import annotations

import http.client
import json
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass

# A kiosk on a slow 3G link still fetches a 0.2 MB bundle in a few seconds; a hub that
# does not answer in 15 s is treated as down until the next poll.
TIMEOUT_S = 15.0
USER_AGENT = "ward-kiosk-sync/1"


class HubError(Exception):
    """The hub could not be reached or answered with an error; ``status`` when it answered."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    etag: str | None = None
    last_modified: str | None = None


def _opener() -> urllib.request.OpenerDirector:
    # No proxy from the environment: a kiosk talks to its hub directly, as configured.
    return urllib.request.build_opener(urllib.request.ProxyHandler({}))


def get(url: str, *, etag: str | None = None, last_modified: str | None = None, max_bytes: int,
        timeout: float = TIMEOUT_S) -> Reply:
    """GET ``url``; 304 comes back as a Reply with an empty body. Reads at most ``max_bytes`` + 1."""
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    req = urllib.request.Request(url, headers=headers, method="GET")
    try:
        with _opener().open(req, timeout=timeout) as resp:
            body = resp.read(max_bytes + 1)
            return Reply(resp.status, body, resp.headers.get("ETag"), resp.headers.get("Last-Modified"))
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return Reply(304, b"", exc.headers.get("ETag") or etag, last_modified)
        raise HubError(f"HTTP {exc.code} for {url}", exc.code) from None
    except (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError, OSError,
            http.client.HTTPException) as exc:  # IncompleteRead: the connection dropped mid-body
        reason = getattr(exc, "reason", exc)
        raise HubError(f"cannot reach {url}: {type(exc).__name__}: {reason}") from None


def post_json(url: str, payload: dict, *, token: str, timeout: float = TIMEOUT_S) -> tuple[int, dict]:
    """POST JSON; returns (status, JSON answer) for 2xx and 4xx answers, HubError when unreachable or 5xx."""
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    req = urllib.request.Request(url, data=data, method="POST", headers={
        "User-Agent": USER_AGENT, "Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    try:
        with _opener().open(req, timeout=timeout) as resp:
            status, body = resp.status, resp.read(65536)
    except urllib.error.HTTPError as exc:
        if exc.code >= 500:
            raise HubError(f"HTTP {exc.code} from {url}", exc.code) from None
        status, body = exc.code, exc.read(65536)
    except (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError, OSError,
            http.client.HTTPException) as exc:
        raise HubError(f"cannot reach {url}: {getattr(exc, 'reason', exc)}") from None
    try:
        answer = json.loads(body.decode("utf-8")) if body else {}
    except (UnicodeDecodeError, ValueError):
        answer = {}
    return status, answer if isinstance(answer, dict) else {}
