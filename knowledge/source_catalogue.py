"""Read the catalogue (catalogue.csv): every ward-level procedure by code, title, field and handler.

A row is enough for the kiosk to recognise a question and point to the right place even
before the procedure is written up; a written-up file with the same code takes its place.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

from knowledge.model import Detail, Procedure
from knowledge.source_common import CODE_RE, Collector, dedupe, nfc

CATALOGUE_COLUMNS = ("code", "title", "category", "handled_by", "level", "source")
CATALOGUE_OPTIONAL = ("aliases", "short_title", "examples", "counter")
# counter: as a written-up file's (knowledge.model.Office.counter_of / place_of): a counter's
# number, a place in words ("Ban Chỉ huy quân sự phường"), or empty for the field's counter.
# aliases: ways people ask, separated by "|"; examples: whole questions citizens asked (or
# story-like ones written for them), separated by "|" — matched like a written-up
# procedure's examples (knowledge.examples), counted once in the sibling term, not as aliases.
# Bounds for the same reason as the YAML loader's (knowledge.source_yaml): a clerk's or an
# upload's CSV of megabytes is refused with one message instead of stalling the admin.
MAX_CSV_BYTES = 8 * 1024 * 1024
MAX_CSV_ROWS = 20_000


def read_catalogue(root: Path, categories: set[str], col: Collector) -> list[Procedure]:
    """The rows of root/catalogue.csv; none when it is absent or unreadable (a problem says why)."""
    cat_file = root / "catalogue.csv"
    if cat_file.is_file() and cat_file.stat().st_size > MAX_CSV_BYTES:
        col.add("catalogue.csv", None, "", f"tệp quá lớn (tối đa {MAX_CSV_BYTES // 1024 // 1024} MB) / file too large")
    elif cat_file.is_file():
        try:
            text = cat_file.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            col.add("catalogue.csv", None, "", "tệp không phải UTF-8 / not UTF-8")
        else:
            return parse_catalogue(text, "catalogue.csv", categories, col)
    return []


def parse_catalogue(text: str, rel: str, categories: set[str], col: Collector) -> list[Procedure]:
    out: list[Procedure] = []
    reader = csv.DictReader(io.StringIO(text))
    header = tuple(reader.fieldnames or ())
    if header[: len(CATALOGUE_COLUMNS)] != CATALOGUE_COLUMNS:
        col.add(rel, 1, "", f"dòng tiêu đề phải là {','.join(CATALOGUE_COLUMNS)} / bad header")
        return out
    seen: dict[str, int] = {}
    rows = iter(reader)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            break
        except csv.Error:  # a cell over csv's 131,072-character limit, a NUL byte
            col.add(rel, reader.line_num, "", "ô quá dài hoặc có ký tự lạ / cell too long or has a NUL byte")
            return out
        line = reader.line_num
        if line > MAX_CSV_ROWS:
            col.add(rel, line, "", f"quá {MAX_CSV_ROWS} dòng / too many rows")
            return out
        code = nfc(row.get("code") or "")
        title = nfc(row.get("title") or "")
        category = nfc(row.get("category") or "")
        handled_by = nfc(row.get("handled_by") or "")
        ok = True
        if not CODE_RE.match(code):
            col.add(rel, line, "code", f"mã '{code}' sai định dạng / bad code format")
            ok = False
        elif code in seen:
            col.add(rel, line, "code", f"trùng mã {code} (đã có ở dòng {seen[code]}) / duplicate code")
            ok = False
        if not title:
            col.add(rel, line, "title", "thiếu tên thủ tục / missing title")
            ok = False
        if category not in categories:
            col.add(rel, line, "category", f"lĩnh vực '{category}' không có / unknown category")
            ok = False
        if not handled_by:
            col.add(rel, line, "handled_by", "thiếu cơ quan giải quyết / missing")
            ok = False
        if ok:
            seen[code] = line
            out.append(
                Procedure(
                    code=code,
                    title=title,
                    category=category,
                    handled_by=handled_by,
                    detail=Detail.BRIEF,
                    level=nfc(row.get("level") or "") or "xã",
                    sources=(nfc(row["source"]),) if row.get("source") else (),
                    aliases=dedupe(a for a in (nfc(x) for x in (row.get("aliases") or "").split("|")) if a),
                    short_title=nfc(row.get("short_title") or ""),
                    examples=dedupe(x for x in (nfc(x) for x in (row.get("examples") or "").split("|")) if x),
                    counter=nfc(row.get("counter") or "").strip() or None,
                )
            )
    return out
