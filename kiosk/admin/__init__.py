"""The staff web admin: edit content in a draft, publish versions, roll back, reports.

    app = create_app(AdminSettings(db_path=..., content_dir=...))   # an ASGI app (Starlette)
    uvicorn.run(app, host="127.0.0.1", port=8080)
"""
from kiosk.admin.accounts import Accounts, Role, User
from kiosk.admin.app import AdminSettings, create_app
from kiosk.admin.errors import AdminError, AuthError, RateLimited

__all__ = ["Accounts", "AdminError", "AdminSettings", "AuthError", "RateLimited", "Role", "User", "create_app"]
