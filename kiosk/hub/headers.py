"""ASGI middleware with the hub's security and caching headers (pages never cached, bundles revalidated)."""
from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kiosk.admin.headers import PAGE_HEADERS


class Headers:
    """No framing/sniffing/inline script on pages; pages are not cached, bundles are revalidated (ETag)."""

    PAGE = PAGE_HEADERS  # the same as the ward admin's pages

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        bundle = path.startswith("/bundles/")

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", []) if h[0].lower() != b"cache-control"]
                if bundle:
                    headers.append((b"x-content-type-options", b"nosniff"))
                    # latest.json changes on every publish: caches must ask (cheap 304); a version dir never changes.
                    immutable = not path.endswith("/latest.json")
                    headers.append((b"cache-control", b"public, max-age=31536000, immutable" if immutable else b"no-cache"))
                else:
                    headers += self.PAGE
                    headers.append((b"cache-control", b"private, max-age=3600" if path.startswith("/static/") else b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, wrapped)
