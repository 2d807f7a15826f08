"""Share of the commune-level procedures of a national snapshot that the content knows.

Usage: .venv/bin/python bench/catalogue_coverage.py [--snapshot DIR] [--province "Hồ Chí Minh"] [--missing]

Commune level (the same rule as the content audit): the details record says ``isWard: true``,
or a department in the catalogue or details record names "cấp xã" (Ủy ban nhân dân cấp xã,
Công an cấp xã, Ban chỉ huy quân sự cấp xã…). Counted: type STANDARD, plus the province's own
SPECIFIC procedures. "Known" = a written-up file in procedures/ or a row of catalogue.csv.
Reads the snapshot only here, for measurement; the product never does.
"""
from __future__ import annotations

import argparse
import csv
import gzip
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMUNE = re.compile(r"cấp\s+xã", re.IGNORECASE)


def _records(path: Path):
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--snapshot", default=str(ROOT.parent.parent / "shared" / "data"))
    ap.add_argument("--content", default=str(ROOT / "assets" / "content"))
    ap.add_argument("--province", default="Hồ Chí Minh")
    ap.add_argument("--missing", action="store_true", help="list the procedures the content does not know")
    args = ap.parse_args()
    snap = Path(args.snapshot)
    cat_file, det_file = (snap / "national-procedure-catalogue-2026-07.jsonl.gz",
                          snap / "national-procedure-details-2026-07.jsonl.gz")
    if not cat_file.is_file():
        print(f"no snapshot at {snap} (national-procedure-catalogue-2026-07.jsonl.gz)")
        return 1
    details = {r["code"]: r for r in _records(det_file)} if det_file.is_file() else {}
    target: dict[str, str] = {}
    for c in _records(cat_file):
        d = details.get(c["code"]) or {}
        deps = list(c.get("departments") or []) + [x.get("name", "") for x in d.get("departmentsExecuting") or []]
        if not (d.get("isWard") or any(COMMUNE.search(x or "") for x in deps)):
            continue
        own = c.get("type") == "SPECIFIC" and args.province.lower() in (c.get("departmentPromulgate") or "").lower()
        if c.get("type") == "STANDARD" or own:
            target.setdefault(c["code"], c["name"])
    content = Path(args.content)
    known = {p.stem for p in (content / "procedures").glob("*.yaml")}
    with (content / "catalogue.csv").open(encoding="utf-8") as f:
        known |= {row["code"] for row in csv.DictReader(f)}
    have = sorted(c for c in target if c in known)
    print(json.dumps({"commune_level": len(target), "known": len(have),
                      "coverage_pct": round(100 * len(have) / max(len(target), 1), 1)}, ensure_ascii=False))
    if args.missing:
        for code in sorted(set(target) - known):
            print(f"  {code}  {target[code][:100]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
