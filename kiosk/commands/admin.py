"""`kiosk admin` — the staff web admin on the office network, and its staff accounts."""
from __future__ import annotations

import argparse
import getpass
import json
import sys

from kiosk.config import Config


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "admin", help="trang quản trị nội dung cho cán bộ (web, mạng nội bộ) / staff web admin",
        description="Chạy trang quản trị web (mặc định) hoặc quản lý tài khoản cán bộ. "
        "Không có ACTION: phục vụ trang quản trị tại admin.host:admin.port trong cấu hình. "
        "Serve the staff web admin, or manage staff accounts.",
    )
    p.add_argument("--host", help="địa chỉ lắng nghe, ví dụ 0.0.0.0 cho cả mạng nội bộ (mặc định: admin.host, tức 127.0.0.1)")
    p.add_argument("--port", type=int, help="cổng (mặc định: admin.port, tức 8080)")
    p.add_argument("--secure-cookies", action="store_true",
                   help="đánh dấu cookie Secure — chỉ khi phục vụ qua HTTPS (mặc định: không)")
    p.set_defaults(handler=serve, config_overrides=_overrides)
    asub = p.add_subparsers(dest="admin_command", metavar="ACTION")

    c = asub.add_parser("create-user", help="tạo tài khoản cán bộ (mật khẩu hỏi khi chạy)",
                        description="Tạo tài khoản. Mật khẩu được hỏi hai lần, hoặc đọc một dòng từ stdin với --password-stdin.")
    c.add_argument("name", metavar="NAME", help="tên đăng nhập: chữ thường không dấu, số, . _ - (2–32 ký tự)")
    c.add_argument("--role", choices=("editor", "admin"), required=True,
                   help="editor: sửa và đăng nội dung; admin: thêm tài khoản, khôi phục phiên bản (bắt buộc, không có mặc định)")
    c.add_argument("--password-stdin", action="store_true", help="đọc mật khẩu từ dòng đầu của stdin (mặc định: hỏi)")
    c.set_defaults(handler=create_user)

    s = asub.add_parser("set-password", help="đặt lại mật khẩu một tài khoản (và đăng xuất mọi nơi)")
    s.add_argument("name", metavar="NAME", help="tên đăng nhập")
    s.add_argument("--password-stdin", action="store_true", help="đọc mật khẩu từ dòng đầu của stdin (mặc định: hỏi)")
    s.set_defaults(handler=set_password)

    lu = asub.add_parser("list-users", help="liệt kê tài khoản cán bộ")
    lu.add_argument("--json", action="store_true", help="in một mảng JSON (mặc định: bảng chữ)")
    lu.set_defaults(handler=list_users)


def _overrides(args) -> dict:
    admin = {k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None}
    return {"admin": admin} if admin else {}


def _accounts(config: Config):
    from kiosk.admin.accounts import Accounts
    from kiosk.admin.schema import open_admin_db

    return Accounts(open_admin_db(config.paths.db_path))


def _read_password(args) -> str:
    from kiosk.cli import CliError

    if args.password_stdin:
        line = sys.stdin.readline()
        password = line.rstrip("\r\n")
    else:
        password = getpass.getpass("Mật khẩu / password: ")
        if getpass.getpass("Nhập lại / again: ") != password:
            raise CliError("hai lần nhập mật khẩu không giống nhau / passwords differ")
    if not password:
        raise CliError("mật khẩu trống / empty password")
    return password


def _admin_errors(fn):
    def run(args, config: Config) -> int:
        from kiosk.admin.errors import AdminError
        from kiosk.cli import CliError

        try:
            return fn(args, config)
        except AdminError as exc:
            raise CliError(str(exc)) from None

    return run


@_admin_errors
def create_user(args, config: Config) -> int:
    accounts = _accounts(config)
    name = accounts.clean_name(args.name)
    user = accounts.create(name, _read_password(args), args.role, by="cli")
    from kiosk.admin.accounts import audit

    audit(accounts.db, "cli", "user-create", user.name, {"role": user.role.value})
    print(f"Đã tạo tài khoản {user.name} ({user.role.value}) / user created")
    return 0


@_admin_errors
def set_password(args, config: Config) -> int:
    accounts = _accounts(config)
    name = accounts.clean_name(args.name)
    accounts.set_password(name, _read_password(args))
    from kiosk.admin.accounts import audit

    audit(accounts.db, "cli", "user-password", name)
    print(f"Đã đặt lại mật khẩu cho {name} / password set")
    return 0


@_admin_errors
def list_users(args, config: Config) -> int:
    users = _accounts(config).list()
    if args.json:
        print(json.dumps([{"name": u.name, "role": u.role.value, "active": u.active, "last_login_at": u.last_login_at}
                          for u in users], ensure_ascii=False))
        return 0
    if not users:
        print("Chưa có tài khoản. Tạo: kiosk admin create-user TÊN --role admin")
        return 0
    for u in users:
        state = "" if u.active else "  (đã khóa)"
        print(f"{u.name:<24} {u.role.value:<7} đăng nhập lần cuối: {u.last_login_at or '—'}{state}")
    return 0


@_admin_errors
def serve(args, config: Config) -> int:
    from kiosk.admin.app import AdminSettings, create_app

    if not _accounts(config).list():
        # Keep serving (a service manager would otherwise restart it in a loop); the login
        # page says the same.
        print("Chưa có tài khoản cán bộ nào — tạo: kiosk admin create-user TÊN --role admin / no users yet",
              file=sys.stderr)
    import uvicorn

    settings = AdminSettings(
        db_path=config.paths.db_path, content_dir=config.paths.content_dir,
        secure_cookies=bool(args.secure_cookies or getattr(config.admin, "secure_cookies", False)),
        answer_threshold=config.match.answer_threshold, clarify_threshold=config.match.clarify_threshold,
        trusted_proxies=config.admin.trusted_proxies,
    )
    app = create_app(settings)
    host, port = config.admin.host, config.admin.port
    print(f"Trang quản trị: http://{host}:{port}/  (Ctrl+C để dừng) / admin at http://{host}:{port}/", file=sys.stderr)
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False, proxy_headers=False)
    return 0
