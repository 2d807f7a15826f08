"""Join a persona-written question set: situations (with their codes) + the authors' questions.

    .venv/bin/python bench/merge_authored_set.py SITUATIONS.tsv… --questions Q.csv… --out tests/data/NAME/questions.csv

The way the blind sets and the training set `tests/data/train4` were made: a writer who
read the content wrote life situations (English, `ID<TAB>codes<TAB>kind<TAB>situation`);
authors who saw only a persona and the situations (`ID<TAB>situation`) wrote the questions
(`question,situation,persona`). This joins them into the question-set format
(`question,codes,kind,situation,persona`), NFC, and refuses what cannot be joined: a
question whose situation is unknown, a code the content does not hold, a blank question.
"""
from __future__ import annotations

import argparse
import csv
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge.source import load_source  # noqa: E402

KINDS = {"in_scope", "broad", "redirect", "out_of_scope"}


def read_situations(paths: list[Path]) -> dict[str, tuple[str, str, str]]:
    out: dict[str, tuple[str, str, str]] = {}
    for path in paths:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            parts = line.split("\t")
            if len(parts) != 4 or parts[2] not in KINDS:
                sys.exit(f"{path}:{n}: expected ID<TAB>codes<TAB>kind<TAB>situation with kind in {sorted(KINDS)}")
            sid, codes, kind, text = (p.strip() for p in parts)
            if sid in out:
                sys.exit(f"{path}:{n}: situation {sid} twice")
            out[sid] = (codes, kind, text)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("situations", nargs="+", type=Path)
    ap.add_argument("--questions", nargs="+", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--content", default=str(ROOT / "assets" / "content"))
    args = ap.parse_args()
    situations = read_situations(args.situations)
    known = {p.code for p in load_source(args.content).procedures}
    problems = [f"situation {sid}: unknown code {c}" for sid, (codes, _, _) in situations.items()
                for c in codes.split(";") if c and c != "none" and c not in known]
    rows, seen = [], set()
    for path in args.questions:
        with path.open(encoding="utf-8-sig", newline="") as f:
            for n, row in enumerate(csv.DictReader(f), 2):
                q = unicodedata.normalize("NFC", " ".join((row.get("question") or "").split()))
                sid = (row.get("situation") or "").strip()
                if not q:
                    problems.append(f"{path.name}:{n}: blank question")
                elif sid not in situations:
                    problems.append(f"{path.name}:{n}: unknown situation {sid!r}")
                elif q not in seen:
                    seen.add(q)
                    codes, kind, _ = situations[sid]
                    rows.append({"question": q, "codes": codes, "kind": kind, "situation": sid,
                                 "persona": (row.get("persona") or path.stem.removeprefix("q_")).strip()})
    if problems:
        sys.exit("not joined:\n  " + "\n  ".join(problems))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["question", "codes", "kind", "situation", "persona"])
        w.writeheader()
        w.writerows(rows)
    asked = {r["situation"] for r in rows}
    print(f"{len(rows)} questions over {len(asked)} of {len(situations)} situations → {args.out}")
    missing = sorted(set(situations) - asked)
    if missing:
        print(f"situations without questions: {', '.join(missing[:20])}{' …' if len(missing) > 20 else ''}")


if __name__ == "__main__":
    main()
