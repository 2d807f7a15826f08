"""`kiosk checklist CODE` — the document checklist as text, PDF, ESC/POS bytes, or on paper."""
from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path

from kiosk.config import Config


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "checklist", help="in phiếu giấy tờ cần mang của một thủ tục / print a procedure's document checklist",
        description="Phiếu giấy tờ cần mang cho thủ tục CODE (mã TTHC quốc gia, ví dụ 1.001193). "
        "Không có tùy chọn đầu ra: in phiếu dạng chữ ra màn hình. "
        "Without an output option the checklist is printed as text.",
    )
    p.add_argument("code", metavar="CODE", help="mã thủ tục, ví dụ 1.001193 hoặc local.ten-ngan")
    p.add_argument("--pdf", metavar="FILE", help="ghi phiếu ra tệp PDF (mặc định: không)")
    p.add_argument("--escpos", metavar="FILE", help="ghi lệnh ESC/POS của máy in nhiệt ra tệp hoặc thiết bị, "
                   "ví dụ /dev/usb/lp0 (mặc định: không)")
    p.add_argument("--png", metavar="FILE", help="ghi ảnh phiếu in nhiệt ra tệp PNG để xem trước (mặc định: không)")
    p.add_argument("--print", dest="do_print", action="store_true",
                   help="in bằng máy in trong cấu hình [printer] (mặc định: không)")
    p.add_argument("--speech", action="store_true", help="in ra lời đọc của phiếu (cho kiosk say) (mặc định: không)")
    p.add_argument("--paper", choices=("A4", "roll80"),
                   help="khổ giấy PDF/CUPS (mặc định: printer.pdf_paper, tức A4)")
    p.add_argument("--width", type=int, choices=(576, 384),
                   help="độ rộng máy in nhiệt tính bằng điểm: 576 = 80 mm, 384 = 58 mm "
                   "(mặc định: printer.paper_width_dots, tức 576)")
    p.set_defaults(handler=run, config_overrides=_overrides)


def _overrides(args) -> dict:
    printer = {k: v for k, v in (("pdf_paper", args.paper), ("paper_width_dots", args.width)) if v is not None}
    return {"printer": printer} if printer else {}


def load_procedure(config: Config, code: str):
    """(Procedure, Office) from the content database, filled from the source on first use."""
    from kiosk.services import live_content
    from knowledge.errors import UnknownProcedure

    content = live_content(config)
    procedure = content.procedure(code.strip())
    if procedure is None:
        raise UnknownProcedure(f"không có thủ tục mã {code} / unknown procedure code")
    return procedure, content.office


def run(args, config: Config) -> int:
    from printing import (
        PrinterNotConfigured,
        PrinterUnavailable,
        PrintStatus,
        build_checklist,
        checklist_speech_text,
        checklist_text,
        print_checklist,
        render_escpos_bytes,
        render_receipt,
        write_pdf,
    )

    procedure, office = load_procedure(config, args.code)
    checklist = build_checklist(procedure, office, datetime.now())
    pcfg = config.printer
    wrote = False
    if args.pdf:
        write_pdf(checklist, args.pdf, pcfg.pdf_paper)
        print(f"Đã ghi PDF ({pcfg.pdf_paper}): {args.pdf}")
        wrote = True
    if args.escpos:
        Path(args.escpos).write_bytes(render_escpos_bytes(checklist, pcfg.paper_width_dots))
        print(f"Đã ghi lệnh ESC/POS ({pcfg.paper_width_dots} điểm): {args.escpos}")
        wrote = True
    if args.png:
        render_receipt(checklist, pcfg.paper_width_dots).save(args.png)
        print(f"Đã ghi ảnh phiếu ({pcfg.paper_width_dots} điểm): {args.png}")
        wrote = True
    if args.speech:
        print(checklist_speech_text(checklist))
        wrote = True
    if args.do_print:
        result = print_checklist(checklist, pcfg)
        if result.status is PrintStatus.NOT_CONFIGURED:
            raise PrinterNotConfigured(result.message, result.detail)
        if not result.ok:
            raise PrinterUnavailable(result.message, result.detail)
        job = f" (lệnh in {result.job_id})" if result.job_id else ""
        print(result.message + job)
        wrote = True
    if not wrote:
        print(checklist_text(checklist), end="")
    return 0
