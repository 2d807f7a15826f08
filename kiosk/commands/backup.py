"""`kiosk backup` — copy the databases (online, consistent), keep the newest N, purge old questions."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from kiosk.config import Config


def register(sub: argparse._SubParsersAction) -> None:
    from kiosk.backup import DEFAULT_KEEP

    p = sub.add_parser(
        "backup",
        help="sao lưu cơ sở dữ liệu (nội dung + nhật ký câu hỏi) / back up the databases",
        description="Sao lưu trực tuyến (SQLite online backup) mọi cơ sở dữ liệu trong paths.data_dir, "
        "giữ N bản mới nhất, và xóa các câu hỏi cũ hơn privacy.question_log_days trong nhật ký. "
        "Chạy hằng đêm bởi kiosk-backup.timer. / Online backup of every database, with retention; "
        "also purges question-log rows older than privacy.question_log_days.",
    )
    p.add_argument("--dest", metavar="DIR", help="thư mục chứa bản sao lưu (mặc định: paths.data_dir/backups, "
                   "tức /var/lib/kiosk/backups trên kiosk)")
    p.add_argument("--keep", metavar="N", type=int, default=DEFAULT_KEEP,
                   help=f"số bản giữ lại cho mỗi cơ sở dữ liệu (mặc định: {DEFAULT_KEEP})")
    p.add_argument("--no-purge", action="store_true",
                   help="không xóa câu hỏi cũ trong nhật ký (mặc định: có xóa theo privacy.question_log_days)")
    p.add_argument("--json", action="store_true", help="in kết quả dạng JSON (mặc định: chữ)")
    p.set_defaults(handler=run)


def run(args, config: Config) -> int:
    from kiosk.backup import BackupError, run_backup
    from kiosk.cli import CliError

    try:
        result = run_backup(config, dest=Path(args.dest) if args.dest else None, keep=args.keep,
                            purge=not args.no_purge)
    except BackupError as exc:
        raise CliError(str(exc)) from None
    if args.json:
        print(json.dumps({
            "copies": [str(p) for p in result.copies],
            "removed": [str(p) for p in result.removed],
            "purged_questions": result.purged_questions,
            "sizes": result.sizes,
            "seconds": round(result.seconds, 3),
        }, ensure_ascii=False))
        return 0
    for p in result.copies:
        print(f"Đã sao lưu: {p} ({result.sizes.get(p.name, 0) / 1024:.0f} KiB)")
    if result.removed:
        print(f"Đã xóa {len(result.removed)} bản sao lưu cũ (giữ {args.keep} bản).")
    if result.purged_questions:
        print(f"Đã xóa {result.purged_questions} câu hỏi cũ hơn {config.privacy.question_log_days} ngày khỏi nhật ký.")
    return 0
