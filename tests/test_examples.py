"""Citizens' questions as evidence (knowledge.examples, Matcher.off_topic_score) and the
honesty rule around them: the held-out set never enters the content."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from knowledge.base import KnowledgeBase
from knowledge.evaluate import LabelledQuestion, load_questions
from knowledge.examples import EXAMPLE_SETS, HELD_OUT_SETS, examples_of, off_topic_of, with_examples
from knowledge.model import Content, Decision, Detail
from knowledge.normalize import keys
from knowledge.off_topic import load_off_topic
from knowledge.source import load_source

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def content() -> Content:
    return load_source(ROOT / "assets" / "content")


def _q(text: str, codes: list[str], kind: str = "in_scope", situation: str = "", source: str = "a.csv") -> LabelledQuestion:
    return LabelledQuestion(text, frozenset(codes), kind, source, codes[0] if codes else "", situation)


def test_an_example_names_the_first_listed_code_and_groups_by_situation():
    qs = [_q("bé mới sinh làm giấy gì", ["1.001193", "3.000722"], situation="S01"),
          _q("xây nhà xin phép gì", ["1.013225", "1.013229"], kind="broad"),
          _q("mấy giờ rồi", [], kind="out_of_scope", situation="O08"),
          _q("khai tử cho ba", ["1.000656"])]
    ex = examples_of(qs, "blind")
    assert [(e.code, e.group) for e in ex] == [("1.001193", "blind/S01"), ("1.000656", "blind/a.csv/1.000656")]
    assert [(e.text, e.group) for e in off_topic_of(qs, "blind")] == [("mấy giờ rồi", "blind/O08")]


def test_with_examples_replaces_or_adds_and_leaves_catalogue_entries_alone(content):
    code = "1.001193"
    brief = next(p for p in content.procedures if p.detail is Detail.BRIEF)
    ex = examples_of([_q("thằng cu nhà tui mới lọt lòng, làm giấy tờ chi", [code]),
                      _q("x", [brief.code])], "t")
    added = with_examples(content, ex)
    by_code = {p.code: p for p in added.procedures}
    assert by_code[code].examples == ("thằng cu nhà tui mới lọt lòng, làm giấy tờ chi",)
    assert by_code[brief.code].examples == brief.examples  # its own column of catalogue.csv, not the labelled sets
    assert {p.code: p for p in with_examples(added, []).procedures}[brief.code].examples == brief.examples
    again = with_examples(added, examples_of([_q("đứa nhỏ mới đẻ", [code])], "t"), replace=False)
    assert {p.code: p for p in again.procedures}[code].examples == (
        "thằng cu nhà tui mới lọt lòng, làm giấy tờ chi", "đứa nhỏ mới đẻ")


def test_an_example_is_evidence_for_its_procedure(content):
    story = "thằng cu nhà tui mới lọt lòng hôm bữa ở trạm xá xã bên"
    bare = with_examples(content, [])
    before = KnowledgeBase(bare, off_topic=()).matcher.search(story, limit=1)[0]
    kb = KnowledgeBase(with_examples(bare, examples_of([_q(story, ["1.001193"])], "t")), off_topic=())
    after = kb.matcher.search(story, limit=1)[0]
    assert after.code == "1.001193"
    assert after.score > before.score


def test_a_question_seen_about_no_procedure_is_refused_even_when_an_example_holds_its_words(content):
    # "mấy giờ" is also in a citizen's question about a guest's stay; the off-topic
    # evidence keeps the kiosk from offering choices for the time of day.
    kb = KnowledgeBase(content, off_topic=("mấy giờ rồi", "hôm nay trời mưa không"))
    assert kb.matcher.off_topic_score(keys("may gio roi")[1]) == 100.0
    assert kb.ask("mấy giờ rồi").decision is Decision.NONE
    assert kb.matcher.off_topic_score(keys("làm giấy khai sinh cho con")[1]) < 60


@pytest.mark.parametrize("held_out", HELD_OUT_SETS)
def test_the_held_out_sets_are_not_in_the_content(content, held_out):
    held = {q.question for q in load_questions(ROOT / "tests" / "data" / held_out)}
    assert held, f"tests/data/{held_out} is missing"
    # a short question two authors happened to write alike ("gia han tam tru") may be in a
    # training set too; nothing else of a held-out set may be
    trained = {q.question for name in (*EXAMPLE_SETS, "authored")
               for q in load_questions(ROOT / "tests" / "data" / name)}
    examples = {x for p in content.procedures for x in p.examples}
    assert not (held & examples) - trained
    assert not (held & set(load_off_topic())) - trained


def test_the_content_holds_the_labelled_sets_as_written_by_bench_write_examples():
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "write_examples.py"), "--check"],
                         capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "examples for" in out.stdout
    for held_out in HELD_OUT_SETS:
        refused = subprocess.run([sys.executable, str(ROOT / "bench" / "write_examples.py"), "--check", "--sets", held_out],
                                 capture_output=True, text=True, cwd=ROOT)
        assert refused.returncode != 0 and "held-out" in refused.stderr
