"""The province hub web app: staff pages (Vietnamese, server-rendered), the stats API, the bundle files.

    /login /logout            province staff sign-in (Argon2id, server-side sessions, CSRF on every POST)
    /procedures…              the shared draft, edited with the ward admin's procedure form and template
    /publish /versions        publish the draft as a signed bundle; roll back (a new version, new bundle)
    /stats /stats/<ward>      roll-up statistics, server-drawn SVG charts (kiosk.admin.charts)
    /unanswered               unanswered questions of all wards, merged; one button adds an alias centrally
    /wards                    the wards that may upload statistics
    POST /api/stats           a kiosk's daily aggregates (bearer token per ward) — FLEET.md
    /bundles/…                the signed bundles as static files (ETag, If-None-Match → 304)

``create_app`` puts together the route modules (kiosk.hub.routes, one per area), the header
middleware and the error pages. What handlers share — the request context, the auth/CSRF
wrapper (a pooled PostgreSQL connection, the handler in a worker thread, so a seconds-long
publish never stalls the stats endpoint), rendering and flash texts — is in kiosk.hub.web.
"""
from __future__ import annotations

from pathlib import Path

from argon2 import PasswordHasher
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from kiosk.hub.errors import HubError
from kiosk.hub.headers import Headers
from kiosk.hub.pool import Pool
from kiosk.hub.routes import api, auth, home, procedures, publish, stats, unanswered
from kiosk.hub.settings import HubSettings
from kiosk.hub.templating import make_templates
from kiosk.hub.web import http_error, server_error

__all__ = ["HubSettings", "create_app"]

ADMIN_DIR = Path(__file__).parent.parent / "admin"


def create_app(settings: HubSettings) -> Starlette:
    """The hub ASGI app; the bundles directory is made if missing (the pool connects lazily)."""
    settings.bundles_dir.mkdir(parents=True, exist_ok=True)
    routes: list[BaseRoute] = [
        *auth.ROUTES, *home.ROUTES, *procedures.ROUTES, *publish.ROUTES, *stats.ROUTES, *unanswered.ROUTES,
        *api.ROUTES,
        Mount("/bundles", app=StaticFiles(directory=settings.bundles_dir), name="bundles"),
        Mount("/static", app=StaticFiles(directory=ADMIN_DIR / "static"), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={HTTPException: http_error, 404: http_error,
                                                       HubError: server_error, Exception: server_error})
    app.state.settings = settings
    app.state.pool = Pool(settings.database_url, settings.pool_size)
    app.state.templates = make_templates()
    app.state.hasher = PasswordHasher()
    app.add_middleware(Headers)
    return app
