"""bench/merge_authored_set.py: situations (with codes) + persona authors' questions → a
labelled question set, refusing what cannot be joined."""
from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

from knowledge.evaluate import load_questions

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "bench" / "merge_authored_set.py"


def _write(tmp: Path, rows: list[tuple[str, str, str]]) -> tuple[Path, Path]:
    sit = tmp / "situations.tsv"
    sit.write_text("A001\t1.001193;3.000722\tin_scope\tYour baby was born last week.\n"
                   "A002\t\tout_of_scope\tYou ask where the toilet is.\n", encoding="utf-8")
    q = tmp / "q_author.csv"
    with q.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["question", "situation", "persona"])
        w.writerows(rows)
    return sit, q


def test_questions_take_their_situations_codes(tmp_path):
    # "Khai sinh" in decomposed form (NFD): the joined set is NFC
    sit, q = _write(tmp_path, [("cho hỏi la\u0300m khai sinh", "A001", "author"), ("nhà vệ sinh ở đâu", "A002", "author")])
    out = tmp_path / "set" / "questions.csv"
    done = subprocess.run([sys.executable, str(SCRIPT), str(sit), "--questions", str(q), "--out", str(out)],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    qs = load_questions(out.parent)
    assert [(x.question, sorted(x.codes), x.kind, x.situation, x.persona) for x in qs] == [
        ("cho hỏi làm khai sinh", ["1.001193", "3.000722"], "in_scope", "A001", "author"),
        ("nhà vệ sinh ở đâu", [], "out_of_scope", "A002", "author")]
    assert qs[0].primary == "1.001193"


def test_an_unknown_situation_or_code_is_refused_and_nothing_written(tmp_path):
    sit, q = _write(tmp_path, [("câu hỏi", "A009", "author")])
    out = tmp_path / "set" / "questions.csv"
    done = subprocess.run([sys.executable, str(SCRIPT), str(sit), "--questions", str(q), "--out", str(out)],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode != 0 and "unknown situation 'A009'" in done.stderr
    assert not out.exists()
    sit.write_text("A001\t9.999999\tin_scope\tSomething.\n", encoding="utf-8")
    done = subprocess.run([sys.executable, str(SCRIPT), str(sit), "--questions", str(q), "--out", str(out)],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode != 0 and "unknown code 9.999999" in done.stderr
