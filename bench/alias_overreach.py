"""Which new aliases take questions that belong to another procedure.

    .venv/bin/python bench/alias_overreach.py --base REV [--sets questions,train4,…,off_topic2] [--drop]

Aliases written in bulk (everyday phrasings for the catalogue-only procedures or the
redirect entries) can reach too far: "sổ đỏ bị mất" written for a rare land procedure takes
the citizens who lost theirs. This ranks each labelled question of ``--sets`` with the
content as it was at git revision ``--base`` and as it is now, and lists every question
whose labelled procedure the new aliases pushed down behind the procedure they were added
to — or, for a question about nothing the kiosk knows, which it refused before, that it now
offers or answers with that procedure — with the new alias that matched the question best. ``--drop`` removes the aliases
blamed (from assets/content/catalogue.csv or the entry's YAML file); run it again until
nothing is blamed — each pass blames the closest alias, and the next closest may stand
behind it.

The sets checked are training and development sets — never an earlier blind set, so that
leaving one of those out (bench/leave_one_out.py) still measures the pruned aliases as
unseen; never a held-out set. A question of an example set is ranked without its own
fold's examples (as bench/fit_decision.py does), so its own text does not protect it.
"""
from __future__ import annotations

import argparse
import csv
import io
import subprocess
import sys
import tarfile
import tempfile
from collections import Counter
from pathlib import Path

from rapidfuzz import fuzz

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge.base import KnowledgeBase  # noqa: E402
from knowledge.evaluate import load_questions  # noqa: E402
from knowledge.examples import EARLIER_BLIND_SETS, EXAMPLE_SETS, HELD_OUT_SETS, example_folds, labelled_pool  # noqa: E402
from knowledge.model import Content, Decision  # noqa: E402
from knowledge.normalize import keys  # noqa: E402
from knowledge.source import load_source  # noqa: E402

DATA = ROOT / "tests" / "data"
CONTENT = ROOT / "assets" / "content"
FOLDS = 5  # as bench/fit_decision.py


def _aliases(content: Content) -> dict[str, tuple[str, ...]]:
    return {p.code: p.aliases for p in content.procedures}


def _content_at(rev: str, tmp: Path) -> Content:
    """assets/content as it was at git revision ``rev``."""
    tar = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "assets/content"], check=True,
                         capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(tar)) as t:
        t.extractall(tmp, filter="data")
    return load_source(tmp / "assets" / "content")


def _drop_from_catalogue(blamed: set[tuple[str, str]]) -> int:
    path = CONTENT / "catalogue.csv"
    with path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    n = 0
    for r in rows:
        aliases = r["aliases"].split("|")
        kept = [a for a in aliases if (r["code"], a) not in blamed]
        n += len(aliases) - len(kept)
        r["aliases"] = "|".join(kept)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return n


def _drop_from_yaml(code: str, alias: str) -> bool:
    """Remove the list item ``alias`` from the entry's file (a line "- alias", quoted or not)."""
    for folder in ("procedures", "redirects"):
        path = CONTENT / folder / f"{code}.yaml"
        if not path.exists():
            continue
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        for i, line in enumerate(lines):
            item = line.strip()
            if item.startswith("- ") and item[2:].strip().strip("'\"") == alias:
                del lines[i]
                path.write_text("".join(lines), encoding="utf-8")
                return True
    return False


def _rankers(content: Content) -> tuple[KnowledgeBase, list[KnowledgeBase], dict[str, int], dict[str, str]]:
    """The full content's knowledge base, one per fold without that fold's examples, the
    fold of each example group and the group of each example text."""
    pool = labelled_pool(DATA, EXAMPLE_SETS)
    folds = example_folds(content, pool, folds=FOLDS)
    group_of = {e.text: e.group for e in pool}
    return (KnowledgeBase(folds.full, off_topic=folds.full_off_topic),
            [KnowledgeBase(c, off_topic=o) for c, o in folds.folds], folds.fold_of, group_of)


def _kb(rankers, text: str) -> KnowledgeBase:
    full, per_fold, fold_of, group_of = rankers
    fold = fold_of.get(group_of.get(text, ""), -1)
    return per_fold[fold] if fold >= 0 else full


def _ranked(rankers, text: str) -> list[str]:
    return [m.code for m in _kb(rankers, text).matcher.rank(text, limit=5).matches]


def _now_offered(old, new, text: str) -> str | None:
    """The procedure a question about nothing the kiosk knows is now offered or answered
    with, when it was refused before (None: no change of that kind)."""
    before, after = _kb(old, text).ask(text), _kb(new, text).ask(text)
    if before.decision is Decision.NONE and after.decision is not Decision.NONE and after.matches:
        return after.matches[0].code
    return None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", required=True, help="git revision of the content before the new aliases")
    ap.add_argument("--sets", default="questions,train4,train6,authored,train10,off_topic,off_topic2")
    ap.add_argument("--drop", action="store_true", help="remove the blamed aliases from the catalogue")
    ap.add_argument("--in-scope-only", action="store_true",
                    help="only questions labelled with a procedure (a refused question's blame is weaker: "
                         "every new text also moves the topic evidence, so the closest alias may be innocent)")
    args = ap.parse_args()
    sets = args.sets.split(",")
    if bad := sorted(set(sets) & (set(HELD_OUT_SETS) | set(EARLIER_BLIND_SETS))):
        sys.exit(f"{', '.join(bad)}: held out or measured by leaving it out — not a set to prune with")
    with tempfile.TemporaryDirectory() as tmp:
        old_content = _content_at(args.base, Path(tmp))
    new_content = load_source(CONTENT)
    old_aliases = _aliases(old_content)
    added = {c: [a for a in v if a not in set(old_aliases.get(c, ()))] for c, v in _aliases(new_content).items()}
    added = {c: v for c, v in added.items() if v}
    old, new = _rankers(old_content), _rankers(new_content)
    blamed: Counter[tuple[str, str]] = Counter()
    hurt = total = 0
    for name in sets:
        for q in load_questions(DATA / name):
            if q.kind == "broad":
                continue
            total += 1
            if not q.codes:  # about nothing the kiosk knows: was it refused, and is it still?
                if args.in_scope_only:
                    total -= 1
                    continue
                code = _now_offered(old, new, q.question)
                if code is None or code not in added:
                    continue
                hurt += 1
                folded = keys(q.question)[1]
                alias = max(added[code], key=lambda a: fuzz.token_set_ratio(folded, keys(a)[1]))
                blamed[(code, alias)] += 1
                print(f"{name:9} want none         now offers {code:<10} {alias!r:<60} {q.question[:90]}")
                continue
            before, after = _ranked(old, q.question), _ranked(new, q.question)
            right = set(q.codes)
            pos = lambda ranked: next((i for i, c in enumerate(ranked) if c in right), 9)  # noqa: E731
            if pos(after) <= pos(before):
                continue
            takers = [c for c in after[:pos(after)] if c in added and c not in right]
            if not takers:
                continue
            hurt += 1
            folded = keys(q.question)[1]
            code = takers[0]
            alias = max(added[code], key=lambda a: fuzz.token_set_ratio(folded, keys(a)[1]))
            blamed[(code, alias)] += 1
            print(f"{name:9} want {q.primary:<12} now behind {code:<10} {alias!r:<60} {q.question[:90]}")
    print(f"\n{hurt} of {total} labelled questions pushed down by {len(blamed)} new aliases "
          f"(of {sum(len(v) for v in added.values())})")
    if args.drop and blamed:
        in_yaml = {(c, a) for c, a in blamed if _drop_from_yaml(c, a)}
        n = _drop_from_catalogue(set(blamed) - in_yaml)
        print(f"dropped {len(in_yaml)} aliases from entry files and {n} from catalogue.csv")


if __name__ == "__main__":
    main()
