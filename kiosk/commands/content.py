"""`kiosk content validate|import|export|stats` — staff content tooling."""
from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from kiosk.config import Config


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("content", help="kiểm tra, nhập, xuất, thống kê nội dung / content tooling",
                       description="Công cụ nội dung cho cán bộ. Content tooling for ward staff.")
    csub = p.add_subparsers(dest="content_command", metavar="ACTION", required=True)

    v = csub.add_parser("validate", help="kiểm tra toàn bộ nội dung, báo mọi lỗi một lần")
    v.add_argument("source", nargs="?", help="thư mục nội dung (mặc định: paths.content_dir)")
    v.set_defaults(handler=_validate)

    i = csub.add_parser("import", help="nhập nội dung vào cơ sở dữ liệu (tất cả hoặc không gì cả)")
    i.add_argument("source", nargs="?", help="thư mục nội dung (mặc định: paths.content_dir)")
    i.add_argument("--note", default="", help="ghi chú cho phiên bản (mặc định: trống)")
    i.set_defaults(handler=_import)

    e = csub.add_parser("export", help="xuất nội dung đang dùng ra thư mục nguồn")
    e.add_argument("out", help="thư mục đích")
    e.set_defaults(handler=_export)

    s = csub.add_parser("stats", help="thống kê nội dung đang dùng")
    s.add_argument("--json", action="store_true", help="in một đối tượng JSON (mặc định: bảng chữ)")
    s.set_defaults(handler=_stats)


def _source(args, config: Config) -> Path:
    return Path(args.source) if getattr(args, "source", None) else config.paths.content_dir


def _validate(args, config: Config) -> int:
    from knowledge.source import validate_source

    src = _source(args, config)
    problems = validate_source(src)
    if problems:
        for pr in problems:
            print(str(pr))
        print(f"Lỗi: {len(problems)} lỗi trong {src} / {len(problems)} problems")
        return 1
    print(f"Hợp lệ / valid: {src}")
    return 0


def _import(args, config: Config) -> int:
    from knowledge.errors import ContentInvalid
    from knowledge.store import import_source, open_db

    src = _source(args, config)
    db = open_db(config.paths.db_path)
    try:
        version = import_source(db, src, note=args.note)
    except ContentInvalid as exc:
        for pr in exc.problems:
            print(str(pr))
        print(f"Lỗi: {len(exc.problems)} lỗi — không nhập gì / nothing imported")
        return 1
    print(f"Đã nhập phiên bản {version} vào {config.paths.db_path} / imported")
    return 0


def _export(args, config: Config) -> int:
    from knowledge.export import export_content
    from kiosk.services import live_content

    content = live_content(config)
    n = export_content(content, args.out)
    print(f"Đã xuất {n} tệp vào {args.out} (phiên bản {content.version})")
    return 0


def content_stats(content) -> dict:
    from knowledge.model import Detail

    full = [p for p in content.procedures if p.detail is Detail.FULL and not p.retired]
    brief = [p for p in content.procedures if p.detail is Detail.BRIEF and not p.retired]
    missing = {
        "documents": [p.code for p in full if not p.documents],
        "fee": [p.code for p in full if not p.fee],
        "processing_time": [p.code for p in full if not p.processing_time],
        "legal_basis": [p.code for p in full if not p.legal_basis],
        "aliases": [p.code for p in full if len(p.aliases) < 5],
    }
    unverified = Counter(f for p in full for f in p.unverified)
    return {
        "procedures": len(full),
        "catalogue_only": len(brief),
        "total_known": len(full) + len(brief),
        "retired": sum(p.retired for p in content.procedures),
        "aliases": sum(len(p.aliases) for p in full),
        "documents": sum(len(p.documents) for p in full),
        "by_category": dict(Counter(p.category for p in full)),
        "catalogue_by_category": dict(Counter(p.category for p in full + brief)),
        "national_codes": sum(not p.code.startswith("local.") for p in full),
        "unverified_fields": dict(unverified),
        "missing": {k: v for k, v in missing.items() if v},
        "content_version": content.version,
        "imported_at": content.imported_at,
    }


def _stats(args, config: Config) -> int:
    from kiosk.services import live_content

    content = live_content(config)
    st = content_stats(content)
    if args.json:
        print(json.dumps(st, ensure_ascii=False))
        return 0
    names = {c.code: c.name for c in content.categories}
    print(f"Phiên bản nội dung: {st['content_version']} (nhập lúc {st['imported_at']})")
    print(f"Thủ tục có hướng dẫn đầy đủ: {st['procedures']}  (mã quốc gia: {st['national_codes']})")
    print(f"Thủ tục chỉ có trong danh mục: {st['catalogue_only']}  — tổng số nhận biết được: {st['total_known']}")
    print(f"Cách hỏi (aliases): {st['aliases']}   Giấy tờ: {st['documents']}")
    print("Theo lĩnh vực (đầy đủ / tổng):")
    for code in names:
        print(f"  {names[code]:<28} {st['by_category'].get(code, 0):>4} / {st['catalogue_by_category'].get(code, 0)}")
    if st["unverified_fields"]:
        print("Trường chưa xác minh: " + ", ".join(f"{k} ({v})" for k, v in st["unverified_fields"].items()))
    if st["missing"]:
        for k, v in st["missing"].items():
            print(f"THIẾU {k}: {', '.join(v)}")
    else:
        print("Không thủ tục nào thiếu giấy tờ, lệ phí, thời hạn, căn cứ pháp lý hoặc cách hỏi.")
    return 0
