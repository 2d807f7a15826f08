"""Question-log masking (issue 15): recall on ≥ 100 questions with personal data, and no
procedure word lost on the labelled questions and the shipped aliases.

Run as a script for the figures in docs/privacy.md:
    python tests/test_qlog.py
"""
from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from knowledge.masking import mask as scrub  # noqa: E402  (untruncated: the log keeps 300 characters)
from knowledge.model import Decision, Match  # noqa: E402

PII = REPO / "tests" / "data" / "privacy" / "pii_questions.csv"
# Written after the rules were tuned on PII, measured once before any change (96.1 %: two
# house numbers with letters), then the rule for those was added; kept to catch overfitting.
HELDOUT = REPO / "tests" / "data" / "privacy" / "pii_questions_heldout.csv"
QUESTIONS = REPO / "tests" / "data" / "questions"
CONTENT = REPO / "assets" / "content"
_SPAN = re.compile(r"⟦(.+?)⟧")
_TOKEN = re.compile(r"[\w'@.+\-/]+", re.UNICODE)
# Keywords that frame a detail without being it ("ngõ 34": 34 is the detail).
FRAME = {"số", "nhà", "ngõ", "hẻm", "đường", "tổ", "khu", "phố", "thôn", "ấp", "lô", "phòng", "tầng", "căn", "kiệt",
         "ngày", "tháng", "năm", "sinh", "mùng"}


def _tokens(text: str) -> list[str]:
    return [t.strip(".,;:!?-/").lower() for t in _TOKEN.findall(text) if t.strip(".,;:!?-/")]


def pii_cases(path: Path | None = None) -> list[tuple[str, list[str], str]]:
    with (path or PII).open(encoding="utf-8") as f:
        return [(row["question"].replace("⟦", "").replace("⟧", ""), _SPAN.findall(row["question"]), row["question"])
                for row in csv.DictReader(f)]


def span_masked(span: str, question: str, marked: str, masked: str) -> bool:
    """Every identifying token of the span is gone (a token that also occurs outside the spans is not counted)."""
    outside = set(_tokens(_SPAN.sub(" ", marked)))
    kept = set(_tokens(masked))
    ident = [t for t in _tokens(span) if t not in FRAME and t not in outside]
    return all(t not in kept for t in ident)


def recall(path: Path | None = None) -> tuple[int, int, list[str]]:
    found = total = 0
    missed = []
    for question, spans, marked in pii_cases(path):
        out = scrub(question)
        for s in spans:
            total += 1
            if span_masked(s, question, marked, out):
                found += 1
            else:
                missed.append(f"{s!r} in {out!r}")
    return found, total, missed


def procedure_vocabulary() -> set[str]:
    from knowledge.source import load_source

    content = load_source(CONTENT)
    words: set[str] = set()
    for p in content.procedures:
        for text in (p.title, *p.aliases, *p.keywords):
            words.update(_tokens(text))
    return {w for w in words if not any(c.isdigit() for c in w)}  # dates and numbers are masked on purpose


def labelled_questions() -> list[str]:
    out = []
    for f in sorted(QUESTIONS.glob("*.csv")):
        with f.open(encoding="utf-8") as fh:
            out += [row["question"] for row in csv.DictReader(fh)]
    return out


def lost_procedure_words(texts: list[str], vocab: set[str]) -> list[str]:
    """Procedure words present in a text and missing after masking (digits aside)."""
    lost = []
    for q in texts:
        before = [t for t in _tokens(q) if t in vocab]
        after = set(_tokens(scrub(q)))
        gone = [t for t in before if t not in after]
        if gone:
            lost.append(f"{gone} in {q!r} → {scrub(q)!r}")
    return lost


def test_the_set_is_big_enough_and_realistic():
    cases = pii_cases() + pii_cases(HELDOUT)
    assert len(cases) >= 150
    assert sum(len(s) for _, s, _ in cases) >= 130
    assert all(s for _, s, _ in cases)  # every question carries personal data


@pytest.mark.parametrize("path", [PII, HELDOUT], ids=["tuning-set", "held-out"])
def test_recall_of_personal_data_is_at_least_98_percent(path):
    found, total, missed = recall(path)
    assert found / total >= 0.98, "\n".join(missed)


def test_what_the_log_stores_has_no_personal_data(tmp_path):
    from knowledge.model import Decision
    from knowledge.qlog import log_question
    from knowledge.store import open_db

    db = open_db(tmp_path / "kiosk.db")
    q = "con tôi tên Bình sinh ngày 12/3/2024, mẹ là Phan Thị Lựu, sđt 0903 123 456, email lua.pt@gmail.com"
    log_question(db, q, Decision.NONE, [])
    row = next(iter(db["question_log"].rows))
    stored = f"{row['query']} {row['normalized']}".lower()
    for secret in ("bình", "binh", "12/3", "2024", "lựu", "luu", "0903", "123 456", "gmail"):
        assert secret not in stored, (secret, stored)
    assert "con tôi tên" in row["query"] and "sinh ngày" in row["query"]


@pytest.fixture(scope="module")
def vocab():
    return procedure_vocabulary()


@pytest.mark.slow
def test_masking_keeps_every_procedure_word_of_the_labelled_questions(vocab):
    assert lost_procedure_words(labelled_questions(), vocab) == []


@pytest.mark.slow
def test_masking_keeps_the_shipped_aliases_whole(vocab):
    from knowledge.source import load_source

    aliases = [a for p in load_source(CONTENT).procedures for a in (p.title, *p.aliases)]
    lost = lost_procedure_words(aliases, vocab)
    assert lost == []


def test_the_procedure_words_around_personal_data_survive(vocab):
    lost = []
    for question, spans, marked in pii_cases():
        outside = [t for t in _tokens(_SPAN.sub(" ", marked)) if t in vocab and t not in FRAME]
        after = set(_tokens(scrub(question)))
        gone = [t for t in outside if t not in after]
        if gone:
            lost.append(f"{gone} in {scrub(question)!r}")
    assert lost == []



@pytest.mark.parametrize("question, masked", [
    # counting words and "the youngest" were read as the Southern nicknames Mười, Út
    ("con tôi mười lăm tuổi làm căn cước", "con tôi mười lăm tuổi làm căn cước"),
    ("em út tôi mới sinh con", "em út tôi mới sinh con"),
    ("con gái tôi hai mươi tuổi", "con gái tôi hai mươi tuổi"),
    # … while the nicknames themselves, capitalised after a form of address, still go
    ("chú Mười hàng xóm nhờ hỏi", "chú [tên] hàng xóm nhờ hỏi"),
    ("cô Út nhờ tôi hỏi", "cô [tên] nhờ tôi hỏi"),
    ("ông Mười Hai ở tổ 5", "ông [tên] ở tổ #"),
])
def test_numbers_and_the_youngest_are_not_names(question, masked):
    assert scrub(question) == masked


def test_chosen_counts_count_what_citizens_got(tmp_path):
    import sqlite_utils

    from knowledge.qlog import chosen_counts, log_question, rate

    db = sqlite_utils.Database(tmp_path / "kiosk.db")
    assert chosen_counts(db) == {}  # a new kiosk: no log yet
    ks = Match("1.001193", "Đăng ký khai sinh", 97.0)
    kh = Match("1.000894", "Đăng ký kết hôn", 60.0)
    log_question(db, "làm khai sinh", Decision.ANSWER, [ks, kh])
    log_question(db, "khai sinh cho con", Decision.ANSWER, [ks])
    asked_back = log_question(db, "giấy tờ gia đình", Decision.CLARIFY, [ks, kh])
    log_question(db, "con mèo", Decision.NONE, [])
    assert chosen_counts(db) == {"1.001193": 2}
    rate(db, asked_back, 1, chosen_code="1.000894")  # the citizen tapped kết hôn among the choices
    assert chosen_counts(db) == {"1.001193": 2, "1.000894": 1}

if __name__ == "__main__":
    for name, path in (("tuning set", PII), ("held-out set", HELDOUT)):
        found, total, missed = recall(path)
        print(f"{name}: PII spans masked {found}/{total} = {found / total:.1%} over {len(pii_cases(path))} questions")
        for m in missed:
            print("  missed", m)
    v = procedure_vocabulary()
    qs = labelled_questions()
    lost = lost_procedure_words(qs, v)
    print(f"labelled questions with a procedure word lost: {len(lost)}/{len(qs)}")
    for m in lost:
        print("  lost", m)
    changed = sum(1 for q in qs if scrub(q) != " ".join(q.split()))
    print(f"labelled questions changed at all: {changed}/{len(qs)}")
