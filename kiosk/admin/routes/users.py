"""Staff accounts (administrators), a clerk's own password, and the audit log."""
from __future__ import annotations

import json
from typing import Any

from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route

from kiosk.admin.accounts import Role, audit, audit_rows
from kiosk.admin.errors import AdminError
from kiosk.admin.web import Ctx, cookie_name, int_or, page, redirect, render, vi_message


@page(role=Role.ADMIN)
def users_page(ctx: Ctx) -> Response:
    """GET /users (administrators): the accounts with their failed logins and locks."""
    return _users(ctx)


def _users(ctx: Ctx, error: str | None = None, status: int = 200) -> Response:
    users = ctx.accounts.list()
    failures = ctx.accounts.failure_counts()
    locked = {u.name for u in users if ctx.accounts.locked(u.name)}
    return render(ctx, "users.html", status=status, users=users, error=error, roles=list(Role), failures=failures,
                  locked=locked)


@page(role=Role.ADMIN)
def users_create(ctx: Ctx) -> Response:
    """POST /users (administrators): create an account."""
    name = str(ctx.form.get("name") or "")
    password, again = str(ctx.form.get("password") or ""), str(ctx.form.get("password2") or "")
    try:
        if password != again:
            raise AdminError("hai lần nhập mật khẩu không giống nhau")
        role = str(ctx.form.get("role") or "editor")
        if role not in {r.value for r in Role}:
            raise AdminError("vai trò không hợp lệ")
        user = ctx.accounts.create(name, password, role, by=ctx.user)
    except AdminError as exc:
        return _users(ctx, vi_message(exc), 400)
    audit(ctx.db, ctx.user, "user-create", user.name, {"role": user.role.value}, ctx.ip)
    return redirect("/users", "user")


@page(role=Role.ADMIN)
def users_update(ctx: Ctx) -> Response:
    """POST /users/{name} (administrators): change role, lock/unlock, clear failures or set a password."""
    name = ctx.request.path_params["name"]
    action = str(ctx.form.get("action") or "")
    try:
        if action == "role":
            role = str(ctx.form.get("role") or "")
            if role not in {r.value for r in Role}:
                raise AdminError("vai trò không hợp lệ")
            ctx.accounts.set_role(name, role)
            detail: Any = {"role": role}
        elif action in ("disable", "enable"):
            if action == "disable" and name == ctx.user:
                raise AdminError("không tự khóa tài khoản của mình")
            ctx.accounts.set_active(name, action == "enable")
            detail = None
        elif action == "unlock":
            ctx.accounts.require(name)
            detail = {"cleared": ctx.accounts.clear_failures(name)}
        elif action == "password":
            ctx.accounts.set_password(name, str(ctx.form.get("password") or ""))
            detail = None
        else:
            raise AdminError("thao tác không hợp lệ")
    except AdminError as exc:
        return _users(ctx, vi_message(exc), 400)
    audit(ctx.db, ctx.user, f"user-{action}", name, detail, ctx.ip)
    return redirect("/users", "user")


@page()
def account_page(ctx: Ctx) -> Response:
    """GET /account: the form to change one's own password."""
    return render(ctx, "account.html", error=None)


@page()
def account_save(ctx: Ctx) -> Response:
    """POST /account: change one's own password (checks the current one), which signs out everywhere."""
    current = str(ctx.form.get("current") or "")
    new, again = str(ctx.form.get("password") or ""), str(ctx.form.get("password2") or "")
    try:
        ctx.accounts.authenticate(ctx.user, current, ctx.ip)
        if new != again:
            raise AdminError("hai lần nhập mật khẩu mới không giống nhau")
        ctx.accounts.set_password(ctx.user, new)
    except AdminError as exc:
        return render(ctx, "account.html", status=400, error=vi_message(exc))
    audit(ctx.db, ctx.user, "password", ctx.user, None, ctx.ip)
    resp = redirect("/login", "password")  # set_password ended every session of this account
    resp.delete_cookie(cookie_name(ctx.request.app.state.settings), path="/")
    return resp


@page(role=Role.ADMIN)
def audit_page(ctx: Ctx) -> Response:
    """GET /audit (administrators): the audit log, newest first, 200 rows a page."""
    page_no = max(int_or(ctx.request.query_params.get("page"), 1) or 1, 1)
    if page_no > 10**6:  # 200 million audit rows: no such page (and the offset stays in 64 bits)
        raise HTTPException(404, "Không có trang này.")
    rows = audit_rows(ctx.db, 200, (page_no - 1) * 200)
    for r in rows:
        try:
            r["detail_obj"] = json.loads(r["detail"]) if r["detail"] else None
        except ValueError:
            r["detail_obj"] = r["detail"]
    return render(ctx, "audit.html", rows=rows, page_no=page_no)



ROUTES = [
    Route("/users", users_page, methods=["GET"]),
    Route("/users", users_create, methods=["POST"]),
    Route("/users/{name}", users_update, methods=["POST"]),
    Route("/account", account_page, methods=["GET"]),
    Route("/account", account_save, methods=["POST"]),
    Route("/audit", audit_page, methods=["GET"]),
]
