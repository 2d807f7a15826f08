"""Read and validate the human-editable content source (YAML + CSV in assets/content).

Validation collects *every* problem with file, line and field before giving up, so a
clerk fixes a batch of mistakes in one pass. This module reads the files in the order
their cross-references need (categories before the files naming them, procedures before
the families listing them); each kind of file has its own parser module:

- knowledge.source_yaml: the bounded YAML loader that remembers each key's line
- knowledge.source_procedure: one procedure or redirect file
- knowledge.source_catalogue: catalogue.csv
- knowledge.source_office: categories, office, notices, families
- knowledge.source_common: the problem collector and NFC text helpers they share
"""
from __future__ import annotations

from pathlib import Path

from knowledge.errors import ContentInvalid, ContentNotFound, Problem
from knowledge.model import Category, Content, Detail, Family, Notice, Procedure
from knowledge.source_catalogue import (
    CATALOGUE_COLUMNS,
    CATALOGUE_OPTIONAL,
    MAX_CSV_BYTES,
    MAX_CSV_ROWS,
    parse_catalogue,
    read_catalogue,
)
from knowledge.source_common import CODE_RE, Collector, nfc
from knowledge.source_office import FAMILY_FIELDS, parse_categories, parse_families, parse_notices, parse_office
from knowledge.source_procedure import (
    DATE_FIELDS,
    DOCUMENT_FIELDS,
    MIN_ALIASES,
    NATIONAL_FIELDS,
    PROCEDURE_FIELDS,
    SHORT_TITLE_MAX_WORDS,
    parse_procedure,
)
from knowledge.source_yaml import MAX_ALIASES, MAX_DEPTH, MAX_FILE_BYTES, ContentTooBig, read_yaml

# Callers import these from knowledge.source, where they lived before the parsers were
# split out; re-exported so none of them has to change.
__all__ = [
    "CATALOGUE_COLUMNS", "CATALOGUE_OPTIONAL", "CODE_RE", "DATE_FIELDS", "DOCUMENT_FIELDS", "FAMILY_FIELDS",
    "MAX_ALIASES", "MAX_CSV_BYTES", "MAX_CSV_ROWS", "MAX_DEPTH", "MAX_FILE_BYTES", "MIN_ALIASES",
    "NATIONAL_FIELDS", "PROCEDURE_FIELDS", "SHORT_TITLE_MAX_WORDS",
    "ContentTooBig", "load_source", "nfc", "parse_catalogue", "validate_source",
]


def load_source(content_dir: str | Path) -> Content:
    """Load and validate the whole content source; raise ContentInvalid listing every problem."""
    root = Path(content_dir)
    if not root.is_dir():
        raise ContentNotFound(f"không thấy thư mục nội dung / content directory not found: {root}")
    col = Collector()

    categories: list[Category] = []
    cat_path = root / "categories.yaml"
    if not cat_path.is_file():
        col.add("categories.yaml", None, "", "thiếu tệp / file missing")
    elif (doc := read_yaml(cat_path, root, col)) is not None:
        categories = parse_categories(doc, "categories.yaml", col)
    cat_codes = {c.code for c in categories}

    office = None
    office_path = root / "office.yaml"
    if not office_path.is_file():
        col.add("office.yaml", None, "", "thiếu tệp / file missing")
    elif (doc := read_yaml(office_path, root, col)) is not None:
        office = parse_office(doc, "office.yaml", cat_codes, col)

    notices: list[Notice] = []
    if (root / "notices.yaml").is_file() and (doc := read_yaml(root / "notices.yaml", root, col)) is not None:
        notices = parse_notices(doc, "notices.yaml", col)

    procedures: dict[str, Procedure] = {}
    origin: dict[str, str] = {}
    # Written-up procedures, then redirects ("not done here: go to …"): one code space.
    for folder, redirect in (("procedures", False), ("redirects", True)):
        for path in sorted((root / folder).glob("*.y*ml")):
            rel = str(path.relative_to(root))
            doc = read_yaml(path, root, col)
            if doc is None:
                continue
            p = parse_procedure(doc, rel, cat_codes, col, redirect=redirect)
            if p is None:
                continue
            if p.code in procedures:
                col.add(rel, doc.line("code"), "code", f"trùng mã {p.code} với {origin[p.code]} / duplicate code")
                continue
            procedures[p.code] = p
            origin[p.code] = rel

    for p in read_catalogue(root, cat_codes, col):
        procedures.setdefault(p.code, p)  # a written-up file wins over its catalogue row

    families: list[Family] = []
    if (root / "families.yaml").is_file() and (doc := read_yaml(root / "families.yaml", root, col)) is not None:
        families = parse_families(doc, "families.yaml", set(procedures), col)

    if not any(p.detail is Detail.FULL for p in procedures.values()) and not col.problems:
        col.add("procedures/", None, "", "chưa có thủ tục nào / no procedures")
    if col.problems or office is None:
        raise ContentInvalid(col.problems)
    ordered = sorted(procedures.values(), key=lambda p: (p.detail is not Detail.FULL, p.code))
    return Content(tuple(ordered), tuple(categories), office, tuple(notices), tuple(families))


def validate_source(content_dir: str | Path) -> list[Problem]:
    try:
        load_source(content_dir)
    except ContentInvalid as exc:
        return exc.problems
    return []
