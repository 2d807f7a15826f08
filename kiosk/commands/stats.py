"""`kiosk stats` — the daily question statistics sent to the province hub (no personal data)."""
from __future__ import annotations

import argparse
import datetime as dt
import json

from kiosk.config import Config


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("stats", help="thống kê gửi máy chủ tỉnh / statistics for the province hub",
                       description="Thống kê theo ngày từ nhật ký câu hỏi (chỉ số đếm, câu hỏi đã che tên và số). "
                       "/ Daily aggregates from the question log, personal details masked.")
    s = p.add_subparsers(dest="stats_command", metavar="ACTION")
    send = s.add_parser("send", help="gửi các ngày đã qua chưa gửi / send finished days not yet sent")
    send.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    send.set_defaults(handler=run_send)
    show = s.add_parser("show", help="xem nội dung sẽ gửi cho một ngày / show what would be sent for a day")
    show.add_argument("day", nargs="?", help="ngày YYYY-MM-DD (mặc định: hôm qua)")
    show.set_defaults(handler=run_show)
    p.set_defaults(handler=lambda args, config: p.print_help() or 0)


def _db(config: Config):
    from kiosk.fleet.layer import ensure_schema
    from knowledge.store import open_db

    return ensure_schema(open_db(config.paths.db_path))


def run_send(args, config: Config) -> int:
    from kiosk.fleet.stats import send_pending

    report = send_pending(config, _db(config))
    if args.json:
        print(json.dumps({"sent": report.sent, "failed": report.failed, "message": report.message}, ensure_ascii=False))
    elif report.sent or report.failed:
        if report.sent:
            print(f"Đã gửi thống kê {len(report.sent)} ngày: {', '.join(report.sent)}.")
        if report.failed:
            print(f"Chưa gửi được ngày {report.failed[0]}, sẽ thử lại sau — {report.message}")
    elif report.message:
        print(f"Không gửi: {report.message}")
    else:
        print("Không có ngày nào cần gửi.")
    return 1 if report.failed else 0


def run_show(args, config: Config) -> int:
    from kiosk.cli import CliError
    from kiosk.fleet.stats import preview

    try:
        day = dt.date.fromisoformat(args.day) if args.day else dt.date.today() - dt.timedelta(days=1)
    except ValueError:
        raise CliError(f"ngày không hợp lệ: {args.day!r} (cần YYYY-MM-DD)") from None
    print(preview(_db(config), config, day))
    return 0
