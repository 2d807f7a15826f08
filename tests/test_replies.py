"""The words of every decision (knowledge.replies), and `kiosk ask` printing and speaking
them — the app speaks the same ones (tests/test_app_flow_replies.py)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from knowledge import replies
from knowledge.answer import local_unit
from knowledge.base import KnowledgeBase
from knowledge.model import Match, Office
from knowledge.replies import Choice
from knowledge.source import load_source

REPO = Path(__file__).resolve().parents[1]
BIRTH = "1.001193"  # Đăng ký khai sinh
NEW_HOUSE = "1.013225"  # Cấp giấy phép xây dựng mới … ("Xây nhà mới")
DIVORCE = "redirect.ly-hon"


@pytest.fixture(scope="module")
def content_dir():
    return REPO / "assets" / "content"


@pytest.fixture(scope="module")
def kb(content_dir) -> KnowledgeBase:
    return KnowledgeBase(load_source(content_dir))


def test_clarify_question_from_short_labels():
    cs = [Choice("a", "Xây nhà mới", "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ"),
          Choice("b", "Sửa chữa, cải tạo", "Cấp giấy phép xây dựng sửa chữa, cải tạo"),
          Choice("c", "Di dời", "Di dời")]
    assert replies.clarify_question(cs) == "Có phải ông/bà hỏi về xây nhà mới; sửa chữa, cải tạo; hay di dời?"
    assert replies.clarify_spoken(cs).startswith("Có phải ông bà hỏi về xây nhà mới; sửa chữa, cải tạo; hay di dời? ")
    assert replies.clarify_question(cs[:1] + cs[2:]) == "Có phải ông/bà hỏi về xây nhà mới hay di dời?"
    assert [c.detail for c in cs] == [cs[0].title, cs[1].title, ""]  # no second line that repeats the first
    # a long official title (no short title yet) is read only up to its first clause
    long = Choice("d", "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan, tổ chức có thẩm quyền của "
                       "Việt Nam; cơ quan, tổ chức có thẩm quyền của nước ngoài cấp", "…")
    assert "hay chứng thực bản sao từ bản chính giấy tờ?" in replies.clarify_spoken([cs[0], long])


@pytest.mark.slow
def test_choice_label_falls_back_to_the_title(kb):
    assert replies.choice(Match(BIRTH, "Đăng ký khai sinh", 90.0, "Khai sinh")).label == "Khai sinh"
    assert replies.choice(Match(BIRTH, "Đăng ký khai sinh", 90.0), kb.procedure(BIRTH)).label == \
        kb.procedure(BIRTH).short_title != ""
    assert replies.choice(Match("x", "Đăng ký kết hôn", 90.0)).label == "Đăng ký kết hôn"
    gone = replies.choices_of([Match("9.999999", "Một thủ tục đã bỏ", 80.0)], kb.procedure)
    assert gone[0].label == "Một thủ tục đã bỏ"


def test_every_reply_is_natural_vietnamese(kb):
    for q in ("làm giấy khai sinh cho con", "xin giấy phép xây dựng", "ly hôn", "con cá vàng biết hát"):
        r = replies.reply_for(kb.ask(q), kb)
        for text in (r.heading, r.text, r.spoken):
            assert text and unicodedata.is_normalized("NFC", text)
        assert "ông/bà" not in r.spoken
    for reason in ("not_found", "not_heard", "not_these"):
        r = replies.none_reply("1", reason)
        assert r.heading and "ông/bà" not in r.spoken and "ông bà" not in r.text


def test_redirect_answer_composed_from_the_entry(kb):
    r = replies.reply_for(kb.ask("ly hôn"), kb)
    p = kb.procedure(DIVORCE)
    assert r.kind == "redirect" and r.heading == "Việc này không làm tại phường."
    assert r.text.startswith(f"Việc này không làm tại phường. Ông/bà đến {p.where.rstrip('.')}.\n"
                             f"Việc ông/bà hỏi: {p.label}\n")
    for d in p.documents:
        assert d.name in r.text
    assert p.legal_basis[0] in r.text
    assert r.spoken.startswith("Việc này không làm tại phường. Ông bà đến Tòa án nhân dân khu vực")
    assert len(r.spoken) <= 400 and "Ông bà nên mang theo:" in r.spoken


def test_the_local_unit_follows_the_office():
    assert local_unit(Office("Trung tâm Phục vụ hành chính công phường Bến Thành", "", "")) == "phường"
    assert local_unit(Office("UBND xã Bình Chánh", "", "")) == "xã"
    assert local_unit(Office("Trung tâm Phục vụ hành chính công đặc khu Phú Quốc", "", "")) == "đặc khu"


def _kiosk(*args, data_dir, content_dir):
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    env.update(KIOSK_PATHS_DATA_DIR=str(data_dir), KIOSK_PATHS_CONTENT_DIR=str(content_dir))
    return subprocess.run([sys.executable, "-m", "kiosk", *args], capture_output=True, text=True, env=env, cwd=REPO,
                          timeout=300)


@pytest.mark.slow
def test_kiosk_ask_prints_the_same_words(tmp_path, content_dir, kb):
    q = "xin giấy phép xây dựng"
    r = _kiosk("ask", "--no-log", q, data_dir=tmp_path, content_dir=content_dir)
    assert r.returncode == 0, r.stderr
    expected = replies.reply_for(kb.ask(q), kb)
    assert r.stdout.splitlines()[0] == "[Hỏi lại]"
    assert r.stdout.splitlines()[1] == replies.clarify_question(expected.choices)
    house = kb.procedure(NEW_HOUSE)
    assert f"  - {house.short_title} ({house.title}) [{NEW_HOUSE}]" in r.stdout
    more = "; ".join(f"{m.label or m.title} [{m.code}]" for m in kb.ask(q).more_choices)
    assert more and r.stdout.splitlines()[-1] == f"Nếu không phải: {more}"  # the second page
    r = _kiosk("ask", "--no-log", "ly hôn", data_dir=tmp_path, content_dir=content_dir)
    assert r.stdout.startswith("[Chỉ nơi giải quyết]\nViệc này không làm tại phường. Ông/bà đến Tòa án")
    out = json.loads(_kiosk("ask", "--no-log", "--json", "ly hôn", data_dir=tmp_path, content_dir=content_dir).stdout)
    assert out["answer"]["kind"] == "redirect" and "Việc này không làm tại phường." in out["answer"]["text"]
    r = _kiosk("ask", "--no-log", "xin chào", data_dir=tmp_path, content_dir=content_dir)
    assert r.stdout.startswith("[Xã giao]\nXin chào ông/bà."), r.stdout  # not "[Không tìm thấy]": nothing was sought


@pytest.mark.slow
def test_kiosk_ask_speaks_the_clarification(tmp_path, content_dir):
    """`--say-to` writes what the app would say: the clarifying question, synthesised."""
    wav = tmp_path / "said.wav"
    r = _kiosk("ask", "--no-log", "--say-to", str(wav), "xin giấy phép xây dựng", data_dir=tmp_path,
               content_dir=content_dir)
    assert r.returncode == 0, r.stderr
    assert wav.stat().st_size > 20000
