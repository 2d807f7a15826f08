"""The staff web admin: a Starlette app of server-rendered Vietnamese pages.

``create_app`` puts together the route modules (kiosk.admin.routes, one per area), the
security-header middleware and the error page. What handlers share — the request
context, the auth/CSRF wrapper, rendering and flash texts — is in kiosk.admin.web.
"""
from __future__ import annotations

from pathlib import Path

from argon2 import PasswordHasher
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from kiosk.admin import edits
from kiosk.admin.headers import SecurityHeaders
from kiosk.admin.routes import (
    auth,
    fleet,
    home,
    national,
    notices,
    office,
    preview,
    procedures,
    publish,
    sheet,
    unanswered,
    usage,
    users,
    versions,
)
from kiosk.admin.schema import open_admin_db
from kiosk.admin.settings import AdminSettings
from kiosk.admin.templating import make_templates
from kiosk.admin.web import http_error
from knowledge.store import open_content

__all__ = ["AdminSettings", "ROUTES", "create_app"]

HERE = Path(__file__).parent
MAX_BODY = 8 * 1024 * 1024

ROUTES: list[BaseRoute] = [
    *national.ROUTES, *fleet.ROUTES, *auth.ROUTES, *home.ROUTES, *procedures.ROUTES, *preview.ROUTES, *office.ROUTES,
    *notices.ROUTES, *publish.ROUTES, *versions.ROUTES, *sheet.ROUTES, *unanswered.ROUTES, *usage.ROUTES,
    *users.ROUTES,
    Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
]


def create_app(settings: AdminSettings, *, hasher: PasswordHasher | None = None) -> Starlette:
    """The admin ASGI app. Opens (and migrates) the database once, filling it from the content source if empty."""
    db = open_admin_db(settings.db_path)
    try:
        open_content(db, settings.content_dir)
    finally:
        db.close()
    app = Starlette(
        routes=ROUTES, exception_handlers={HTTPException: http_error, 500: http_error}, max_body_size=MAX_BODY,
    )
    app.add_middleware(SecurityHeaders)
    app.state.settings = settings
    app.state.hasher = hasher or PasswordHasher()
    app.state.templates = make_templates()
    app.state.jobs = edits.JobGate()
    fleet.install(app)  # template helpers showing which content comes from the province hub
    return app
