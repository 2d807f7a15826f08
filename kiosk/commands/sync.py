"""`kiosk sync` — follow the province hub: apply its newest signed bundle, send the statistics."""
from __future__ import annotations

import argparse
import json

from kiosk.config import Config


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "sync",
        help="nhận nội dung mới của tỉnh và gửi thống kê / follow the province hub",
        description="Hỏi máy chủ tỉnh (fleet.hub_url) mỗi fleet.poll_seconds giây: gói nội dung mới có chữ ký "
        "hợp lệ được ghép với phần sửa riêng của phường rồi đăng thành phiên bản nội dung mới; gói bị sửa, "
        "cắt cụt hoặc không có chữ ký bị từ chối và nội dung cũ vẫn dùng. Đồng thời gửi thống kê các ngày đã "
        "qua. Chạy thường trực bởi kiosk-sync.service. / Poll the province hub, verify, merge with the ward's "
        "overrides, publish; send daily statistics.",
    )
    p.add_argument("--once", action="store_true", help="hỏi một lần rồi thoát (mặc định: lặp mãi)")
    p.add_argument("--json", action="store_true", help="in kết quả dạng JSON (với --once)")
    p.set_defaults(handler=run)


def run(args, config: Config) -> int:
    from kiosk.cli import CliError
    from kiosk.fleet.sync import FleetConfigError, run_loop

    if not config.fleet.enabled:
        print("Chưa cấu hình máy chủ tỉnh (fleet.hub_url trống): kiosk dùng nội dung của riêng phường, "
              "không có gì để đồng bộ.")
        return 0

    def show(result) -> None:
        if args.json:
            print(json.dumps({"status": result.status, "message": result.message, "province_version": result.version,
                              "content_version": result.content_version}, ensure_ascii=False), flush=True)
        elif args.once:
            label = {"applied": "Đã áp dụng nội dung mới của tỉnh", "current": "Nội dung của tỉnh đã là mới nhất",
                     "not-modified": "Nội dung của tỉnh đã là mới nhất", "refused": "Từ chối gói nội dung",
                     "unreachable": "Không kết nối được máy chủ tỉnh"}.get(result.status, result.status)
            print(f"{label} (phiên bản tỉnh: {result.version if result.version is not None else 'chưa có'}) — "
                  f"{result.message}", flush=True)

    try:
        result = run_loop(config, once=args.once, on_result=show)
    except FleetConfigError as exc:
        raise CliError(str(exc)) from None
    return 0 if result.ok else 1
