"""`kiosk content validate|import|export|stats|audit|draft` — staff content tooling."""
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

    a = csub.add_parser("audit", help="đối chiếu nội dung với bản CSDL quốc gia về TTHC (thiếu, tên, giấy tờ, phí, thời hạn)")
    a.add_argument("source", nargs="?", help="thư mục nội dung (mặc định: nội dung đang dùng trong cơ sở dữ liệu)")
    a.add_argument("--national", action="append", required=True, metavar="FILE",
                   help="tệp CSDL quốc gia JSONL (nén gzip hoặc không); nhắc lại để đọc cả danh mục và chi tiết")
    a.add_argument("--province", default=None,
                   help="tỉnh/thành của trụ sở, để tính cả thủ tục riêng của tỉnh (mặc định: lấy từ địa chỉ trong office.yaml)")
    a.add_argument("--json", action="store_true", help="in một đối tượng JSON (mặc định: bảng chữ)")
    a.add_argument("--strict", action="store_true", help="mã thoát 1 khi còn chỗ khác CSDL mà chưa ghi lý do")
    a.set_defaults(handler=_audit)

    d = csub.add_parser("draft", help="viết nháp một thủ tục từ bản ghi chính thức của CSDL quốc gia")
    d.add_argument("code", help="mã thủ tục quốc gia, ví dụ 1.001193")
    d.add_argument("--national", action="append", required=True, metavar="FILE", help="tệp CSDL quốc gia (tệp chi tiết)")
    d.add_argument("--out", default=None, help="thư mục ghi tệp (mặc định: procedures/ của thư mục nội dung)")
    d.add_argument("--force", action="store_true", help="ghi đè tệp đã có (mặc định: không ghi đè)")
    d.set_defaults(handler=_draft)


def _source(args, config: Config) -> Path:
    return Path(args.source) if getattr(args, "source", None) else config.paths.content_dir


def _validate(args, config: Config) -> int:
    from knowledge.errors import ContentInvalid
    from knowledge.source import load_source
    from knowledge.source_office import idle_family_terms

    src = _source(args, config)
    try:
        content = load_source(src)  # once: the notes below read what validation loaded
    except ContentInvalid as exc:
        for pr in exc.problems:
            print(str(pr))
        print(f"Lỗi: {len(exc.problems)} lỗi trong {src} / {len(exc.problems)} problems")
        return 1
    print(f"Hợp lệ / valid: {src}")
    for note in idle_family_terms(content.families):
        print(f"Lưu ý / note: {note}")
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
    from kiosk.services import live_content
    from knowledge.export import export_content

    content = live_content(config)
    n = export_content(content, args.out)
    print(f"Đã xuất {n} tệp vào {args.out} (phiên bản {content.version})")
    return 0


def content_stats(content, today: str | None = None, horizon_days: int = 120) -> dict:
    """``changes_soon``: procedures that start, stop or must be reviewed within
    ``horizon_days`` of ``today`` (or are overdue for review), and single facts changing on a
    known day (``fact_changes``, listed until removed) — what staff must prepare."""
    import datetime as dt

    from knowledge.model import Detail

    today = today or dt.date.today().isoformat()
    horizon = (dt.date.fromisoformat(today) + dt.timedelta(days=horizon_days)).isoformat()
    soon = []
    for p in content.procedures:
        for what, when in (("effective_from", p.effective_from), ("effective_until", p.effective_until),
                           ("review_by", p.review_by)):
            if when and (when <= horizon) and (what == "review_by" or when >= today):
                soon.append({"code": p.code, "title": p.title, "what": what, "date": when})
        # A single fact changing on its day (a new law, a fee cut ending): listed until staff
        # update the text and remove the line, so a passed day stays listed as overdue.
        for c in p.dated_changes():
            if c.date <= horizon:
                soon.append({"code": p.code, "title": p.title, "what": "fact_change", "date": c.date,
                             "field": c.field, "change": c.text})

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
        "changes_soon": sorted(soon, key=lambda x: (x["date"], x["code"])),
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
    if st["changes_soon"]:
        what = {"effective_from": "bắt đầu áp dụng", "effective_until": "hết áp dụng", "review_by": "phải xem lại trước",
                "fact_change": "một dữ kiện đổi"}
        print(f"Sắp thay đổi (trong 120 ngày) hoặc đến hạn xem lại: {len(st['changes_soon'])} thủ tục")
        for c in st["changes_soon"]:
            field = f" ({c['field']})" if c.get("field") else ""
            print(f"  {c['date']}  {what[c['what']]:<18} {c['code']}  {c['title'][:70]}{field}")
    return 0


def province_of(address: str) -> str | None:
    """'92 Nguyễn Trãi, phường Bến Thành, Thành phố Hồ Chí Minh' → 'Thành phố Hồ Chí Minh'."""
    last = address.rsplit(",", 1)[-1].strip()
    return last if last.lower().startswith(("thành phố", "tỉnh", "tp")) else None


def _audit(args, config: Config) -> int:
    from knowledge.audit import audit, report_text
    from knowledge.national import read_snapshot

    if args.source:
        from knowledge.source import load_source

        content = load_source(args.source)
    else:
        from kiosk.services import live_content

        content = live_content(config)
    snapshot = read_snapshot(args.national)
    province = args.province if args.province is not None else province_of(content.office.address)
    report = audit(content, snapshot, province or None)
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False))
    else:
        print(report_text(report))
    return 1 if args.strict and report.disagreements else 0


def _draft(args, config: Config) -> int:
    from kiosk.cli import CliError
    from knowledge.errors import ContentInvalid
    from knowledge.export import procedure_yaml
    from knowledge.national import category_map, draft_from_national, guess_category, read_snapshot
    from knowledge.source import CODE_RE, load_source

    if not CODE_RE.match(args.code) or args.code.startswith("local."):
        raise CliError(f"mã '{args.code}' không phải mã TTHC quốc gia dạng N.NNNNNN / not a national code")
    snapshot = read_snapshot(args.national)
    record = snapshot.get(args.code)
    if record is None:
        raise CliError(f"không có mã {args.code} trong {', '.join(snapshot.sources)} / code not in the snapshot")
    if not record.detailed:
        raise CliError(f"{args.code} chỉ có trong danh mục, không có bản ghi chi tiết (giấy tờ, phí, thời hạn) — "
                       "cần tệp chi tiết / only a catalogue row")
    # The content's own filing of other procedures decides the category of this one.
    learned, known = {}, None
    try:
        content = load_source(config.paths.content_dir)
        known = {c.code for c in content.categories}
        learned = category_map((nat.categories, p.category) for p in content.procedures
                               if (nat := snapshot.get(p.code)) is not None)
    except ContentInvalid:
        pass  # a half-edited source must not stop a draft; fall back to the keyword table
    proc = draft_from_national(record, category=guess_category(record.categories, learned, known))
    out = Path(args.out) if args.out else config.paths.content_dir / "procedures"
    path = out / f"{proc.code}.yaml"
    if path.exists() and not args.force:
        raise CliError(f"đã có {path} — không ghi đè (dùng --force nếu muốn) / file exists")
    head = (f"# {proc.title}\n# Bản nháp từ CSDL quốc gia về TTHC ({record.url}). Cần người làm: "
            f"{', '.join(proc.unverified)} — xem assets/content/README.md rồi chạy `kiosk content validate`.\n")
    out.mkdir(parents=True, exist_ok=True)
    path.write_text(head + procedure_yaml(proc), encoding="utf-8")
    print(f"Đã viết nháp {path} ({len(proc.documents)} giấy tờ, {len(proc.steps)} bước). "
          f"Còn phải làm: {', '.join(proc.unverified)}.")
    return 0
