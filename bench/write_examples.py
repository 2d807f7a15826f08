"""Write the labelled questions into the content as citizens' examples (knowledge.examples).

    .venv/bin/python bench/write_examples.py [--sets SET,…] [--check]   (default: knowledge.examples.EXAMPLE_SETS)

Each question that names a procedure becomes an ``examples:`` entry of that procedure's
file (assets/content/procedures/, redirects/), below a marker comment, replacing what an
earlier run wrote there. A file whose ``examples`` key is above the marker (written by hand
or exported by the kiosk) is left alone and named. Questions about no
procedure go to knowledge/off_topic.txt (the matcher's evidence against every procedure).
Codes without a procedure file (catalogue-only) are counted and skipped. ``--check``:
exit 1 when the files differ from what would be written (nothing written).

The held-out set (tests/data/blind5) is never read: its figures are the ones that count.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge.evaluate import load_questions  # noqa: E402
from knowledge.examples import EXAMPLE_SETS, HELD_OUT_SETS, examples_of, off_topic_of  # noqa: E402
from knowledge.off_topic import OFF_TOPIC_PATH  # noqa: E402

MARKER = "# Câu hỏi thật (bench/write_examples.py viết lại phần dưới dòng này từ các bộ câu hỏi đã gắn nhãn)"


def procedure_files(content: Path) -> dict[str, Path]:
    out = {}
    for path in sorted((content / "procedures").glob("*.yaml")) + sorted((content / "redirects").glob("*.yaml")):
        code = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("code")
        if code:
            out[str(code)] = path
    return out


def rewritten(text: str, examples: list[str]) -> str:
    """``text`` with the block below the marker replaced by ``examples`` (none: no block)."""
    head = text.split(MARKER)[0].rstrip("\n") + "\n"
    if not examples:
        return head
    body = yaml.safe_dump({"examples": examples}, allow_unicode=True, width=10_000, sort_keys=False)
    return f"{head}{MARKER}\n{body}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", default=",".join(EXAMPLE_SETS), help="question sets under tests/data (default: %(default)s)")
    ap.add_argument("--content", default=str(ROOT / "assets" / "content"))
    ap.add_argument("--check", action="store_true", help="only report whether the files are up to date")
    args = ap.parse_args()
    names = [n for n in args.sets.split(",") if n]
    if held := ", ".join(sorted(set(names) & set(HELD_OUT_SETS))):
        sys.exit(f"tests/data/{held} is a held-out set: never written into the content")
    by_code: dict[str, list[str]] = {}
    off_topic: list[str] = []
    for name in names:
        questions = load_questions(ROOT / "tests" / "data" / name)
        for e in examples_of(questions, name):
            by_code.setdefault(e.code, []).append(e.text)
        off_topic += [e.text for e in off_topic_of(questions, name)]
    files = procedure_files(Path(args.content))
    skipped = {c: len(v) for c, v in by_code.items() if c not in files}
    stale = []
    for code, path in files.items():
        old = path.read_text(encoding="utf-8")
        if "examples" in (yaml.safe_load(old.split(MARKER)[0]) or {}):
            # written by hand or by `kiosk content export`: a second key would be invalid YAML
            print(f"left alone (its examples are not below the marker): {path.relative_to(ROOT)}")
            continue
        new = rewritten(old, list(dict.fromkeys(by_code.get(code, ()))))
        if new != old:
            stale.append(path)
            if not args.check:
                path.write_text(new, encoding="utf-8")
    header = ("# Câu hỏi không về thủ tục nào (chào hỏi, thời tiết, nhà vệ sinh…): bench/write_examples.py\n"
              "# viết lại tệp này từ các bộ câu hỏi đã gắn nhãn; knowledge.match đọc nó.\n")
    ot = header + "".join(f"{q}\n" for q in dict.fromkeys(" ".join(q.split()) for q in off_topic))
    if not OFF_TOPIC_PATH.is_file() or OFF_TOPIC_PATH.read_text(encoding="utf-8") != ot:
        stale.append(OFF_TOPIC_PATH)
        if not args.check:
            OFF_TOPIC_PATH.write_text(ot, encoding="utf-8")
    n = sum(len(v) for c, v in by_code.items() if c in files)
    print(f"{n} examples for {sum(c in files for c in by_code)} procedures, {len(off_topic)} off-topic questions; "
          f"skipped {sum(skipped.values())} for {len(skipped)} codes without a procedure file")
    if args.check:
        for p in stale:
            print(f"out of date: {p.relative_to(ROOT)}")
        sys.exit(1 if stale else 0)
    print(f"{len(stale)} files written")


if __name__ == "__main__":
    main()
