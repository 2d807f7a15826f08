"""`kiosk hub` — the province content hub: PostgreSQL, signed bundles, province staff, ward tokens."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from kiosk.config import Config


def _data_home() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "kiosk-hub"


def _common(defaults: bool) -> argparse.ArgumentParser:
    """--database/--keys/--bundles, accepted before or after the action (`kiosk hub init --database …`)."""
    d = (lambda v: v) if defaults else (lambda v: argparse.SUPPRESS)
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--database", metavar="URL", default=d(os.environ.get("KIOSK_HUB_DATABASE", "")),
                   help="PostgreSQL, ví dụ postgresql://hub@127.0.0.1/hub (mặc định: $KIOSK_HUB_DATABASE)")
    p.add_argument("--keys", metavar="DIR", default=d(os.environ.get("KIOSK_HUB_KEYS", "")),
                   help="thư mục khóa ký province.key/province.pub (mặc định: $KIOSK_HUB_KEYS hoặc ~/.local/share/kiosk-hub/keys)")
    p.add_argument("--bundles", metavar="DIR", default=d(os.environ.get("KIOSK_HUB_BUNDLES", "")),
                   help="thư mục gói nội dung phục vụ tại /bundles (mặc định: $KIOSK_HUB_BUNDLES hoặc ~/.local/share/kiosk-hub/bundles)")
    return p


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "hub", parents=[_common(True)],
        help="trung tâm nội dung cấp tỉnh (PostgreSQL, gói có chữ ký, thống kê) / province content hub",
        description="Không có ACTION: phục vụ trang biên tập cấp tỉnh, /api/stats và /bundles. "
        "Serve the province admin, the stats API and the signed bundles (docs/fleet.md).",
    )
    p.add_argument("--host", default="127.0.0.1", help="địa chỉ lắng nghe (mặc định 127.0.0.1)")
    p.add_argument("--port", type=int, default=8090, help="cổng (mặc định 8090)")
    p.add_argument("--secure-cookies", action="store_true", help="cookie Secure — chỉ khi phục vụ qua HTTPS")
    p.set_defaults(handler=serve)
    hs = p.add_subparsers(dest="hub_command", metavar="ACTION")
    common = _common(False)

    i = hs.add_parser("init", parents=[common], help="tạo bảng dữ liệu, cặp khóa ký (nếu chưa có) và phiên bản đầu")
    i.add_argument("--content", metavar="DIR", help="thư mục nội dung nguồn cho phiên bản đầu (mặc định: nội dung kèm theo)")
    i.add_argument("--province", default=None, help="mã tỉnh/thành ghi vào gói, ví dụ 79 (mặc định: giữ như cũ, lần đầu «province»)")
    i.add_argument("--province-name", default=None, help="tên hiển thị, ví dụ «Thành phố Hồ Chí Minh»")
    i.set_defaults(handler=init)

    c = hs.add_parser("create-user", parents=[common], help="tạo tài khoản biên tập cấp tỉnh")
    c.add_argument("name", metavar="NAME")
    c.add_argument("--role", choices=("province", "admin"), required=True,
                   help="province: sửa và đăng; admin: cũng khôi phục phiên bản")
    c.add_argument("--password-stdin", action="store_true", help="đọc mật khẩu từ dòng đầu của stdin")
    c.set_defaults(handler=create_user)

    s = hs.add_parser("set-password", parents=[common], help="đặt lại mật khẩu (đăng xuất mọi nơi)")
    s.add_argument("name", metavar="NAME")
    s.add_argument("--password-stdin", action="store_true")
    s.set_defaults(handler=set_password)

    w = hs.add_parser("add-ward", parents=[common], help="đăng ký phường (hoặc cấp lại mã truy cập) để gửi thống kê")
    w.add_argument("code", metavar="CODE", help="mã phường, ví dụ mã đơn vị hành chính 26734")
    w.add_argument("--name", required=True, help="tên phường")
    w.set_defaults(handler=add_ward)

    lw = hs.add_parser("list-wards", parents=[common], help="liệt kê các phường")
    lw.set_defaults(handler=list_wards)

    pb = hs.add_parser("publish", parents=[common], help="kiểm tra và đăng bản nháp thành gói mới (như nút «Đăng»)")
    pb.add_argument("--note", default="", help="ghi chú của phiên bản")
    pb.add_argument("--author", default="cli")
    pb.set_defaults(handler=publish)

    rb = hs.add_parser("rollback", parents=[common], help="đăng lại một phiên bản cũ thành phiên bản mới")
    rb.add_argument("version", type=int, metavar="VERSION")
    rb.add_argument("--author", default="cli")
    rb.set_defaults(handler=rollback)


def _settings(args):
    from kiosk.cli import CliError
    from kiosk.hub.app import HubSettings

    if not args.database:
        raise CliError("thiếu --database (hoặc KIOSK_HUB_DATABASE), ví dụ postgresql://hub@127.0.0.1/hub / database URL missing")
    return HubSettings(database_url=args.database, keys_dir=Path(args.keys or _data_home() / "keys"),
                       bundles_dir=Path(args.bundles or _data_home() / "bundles"),
                       secure_cookies=bool(getattr(args, "secure_cookies", False)))


def _hub_errors(fn):
    def run(args, config: Config) -> int:
        import psycopg

        from kiosk.cli import CliError
        from kiosk.hub.errors import HubError

        try:
            return fn(args, config)
        except HubError as exc:
            raise CliError(str(exc)) from None
        except psycopg.Error as exc:  # e.g. no right to create tables: one line, not a traceback
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise CliError(f"PostgreSQL: {first} / database error") from None

    return run


def _open(args):
    from kiosk.hub.db import open_hub

    settings = _settings(args)
    return settings, open_hub(settings.database_url)


@_hub_errors
def init(args, config: Config) -> int:
    from kiosk.hub import content
    from kiosk.hub.db import meta_get, meta_set
    from knowledge.bundle import generate_keypair

    settings, conn = _open(args)
    with conn.transaction():
        if args.province is not None or not meta_get(conn, "province"):
            meta_set(conn, "province", args.province or "province")
        if args.province_name is not None:
            meta_set(conn, "province_name", args.province_name)
    paths = settings.paths
    if not paths.private_key.is_file():
        generate_keypair(paths.keys_dir)
        print(f"Đã tạo cặp khóa ký: {paths.private_key} (giữ bí mật), {paths.public_key} (chép cho mọi kiosk) / keys created")
    if content.current_version(conn) is None:
        src = Path(args.content) if args.content else config.paths.content_dir
        pub = content.import_source(conn, paths, src)
        print(f"Đã đăng phiên bản {pub.version} từ {src} ({pub.content_bytes} byte) / first version published")
    print(f"Hub sẵn sàng: phiên bản {content.current_version(conn)}, gói tại {paths.bundles_dir} / hub ready")
    return 0


@_hub_errors
def create_user(args, config: Config) -> int:
    from kiosk.commands.admin import _read_password
    from kiosk.hub.accounts import Editors

    _, conn = _open(args)
    user = Editors(conn).create(args.name, _read_password(args), args.role)
    print(f"Đã tạo tài khoản {user.name} ({user.role}) / user created")
    return 0


@_hub_errors
def set_password(args, config: Config) -> int:
    from kiosk.commands.admin import _read_password
    from kiosk.hub.accounts import Editors

    _, conn = _open(args)
    Editors(conn).set_password(args.name, _read_password(args))
    print("Đã đặt lại mật khẩu / password set")
    return 0


@_hub_errors
def add_ward(args, config: Config) -> int:
    from kiosk.hub import stats

    _, conn = _open(args)
    token = stats.add_ward(conn, args.code, args.name)
    print(token)
    print(f"Mã truy cập của phường {args.code} (chỉ hiện một lần) — ghi vào [fleet] stats_token của các kiosk phường "
          f"này / ward token, shown once", file=sys.stderr)
    return 0


@_hub_errors
def list_wards(args, config: Config) -> int:
    from kiosk.hub import stats

    _, conn = _open(args)
    for w in stats.wards(conn):
        print(f"{w['code']:<12} {w['name']}")
    return 0


@_hub_errors
def publish(args, config: Config) -> int:
    from kiosk.hub import content

    settings, conn = _open(args)
    pub = content.publish_draft(conn, settings.paths, args.author, args.note)
    print(f"Đã đăng phiên bản {pub.version}: {pub.note} / published")
    return 0


@_hub_errors
def rollback(args, config: Config) -> int:
    from kiosk.hub import content

    settings, conn = _open(args)
    pub = content.rollback(conn, settings.paths, args.version, args.author)
    print(f"Đã đăng phiên bản {pub.version} ({pub.note}) / rolled back")
    return 0


@_hub_errors
def serve(args, config: Config) -> int:
    import uvicorn

    from kiosk.hub.accounts import Editors
    from kiosk.hub.app import create_app

    settings, conn = _open(args)  # migrate before serving; fails with one line when PostgreSQL is down
    if not Editors(conn).any():
        print("Chưa có tài khoản nào — tạo: kiosk hub create-user TÊN --role admin / no users yet", file=sys.stderr)
    conn.close()
    print(f"Trung tâm nội dung tỉnh: http://{args.host}:{args.port}/  (Ctrl+C để dừng) / hub at http://{args.host}:{args.port}/",
          file=sys.stderr)
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="warning", server_header=False,
                proxy_headers=False)
    return 0
