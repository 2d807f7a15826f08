"""Questions about the building (knowledge.lobby): answered from office.yaml ``lobby``,
never at the cost of a procedure question."""
from __future__ import annotations

import dataclasses
import json
import unicodedata
from pathlib import Path

import pytest

from knowledge import replies
from knowledge.base import KnowledgeBase
from knowledge.errors import ContentInvalid
from knowledge.evaluate import load_questions
from knowledge.examples import DEVELOPMENT_SETS, EXAMPLE_SETS
from knowledge.export import export_content
from knowledge.lobby import lobby_topic
from knowledge.model import Decision, LobbyTopic, NoneReason
from knowledge.serialize import content_from_dict, content_to_dict
from knowledge.source import load_source
from knowledge.store import open_db, publish, read_content

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "assets" / "content"


@pytest.fixture(scope="module")
def content():
    return load_source(CONTENT)


@pytest.fixture(scope="module")
def kb(content) -> KnowledgeBase:
    return KnowledgeBase(content)


@pytest.mark.parametrize("text, title", [
    ("nhà vệ sinh ở đâu ạ", "Nhà vệ sinh"),
    ("cho hoi wc o dau vay em", "Nhà vệ sinh"),
    ("Toilet ở đâu?", "Nhà vệ sinh"),
    ("gửi xe máy ở đâu vậy con", "Chỗ gửi xe"),
    ("gui xe co mat tien ko", "Chỗ gửi xe"),
    ("ở đây có wifi không, mật khẩu là gì ạ", "Wifi"),
    ("lấy số thứ tự chỗ nào", "Lấy số thứ tự"),
    ("gần đây có chỗ photo giấy tờ không em", "Máy photo, in giấy tờ"),
    ("có nước uống không", "Nước uống"),
    ("cho ông mượn cây bút với", "Bút, kính lão"),
    ("hồ sơ tôi nộp tuần trước xong chưa", "Tra cứu hồ sơ đã nộp, nhận kết quả"),
    ("lấy kết quả ở quầy nào", "Tra cứu hồ sơ đã nộp, nhận kết quả"),
    ("co cho nao sac dt ko a", "Sạc điện thoại"),
])
def test_a_lobby_question_is_recognised(content, text, title):
    topic = lobby_topic(text, content.office.lobby)
    assert topic is not None and topic.title == title


@pytest.mark.parametrize("text", [
    "đăng ký xe máy",  # "xe" without "gửi": a procedure
    "đăng ký biển số xe ở đâu",
    "photo công chứng ở đâu",  # "công chứng" is chứng thực
    "xin giấy phép vệ sinh an toàn thực phẩm",
    "lấy số định danh cá nhân ở đâu",
    "đổi giấy phép lái xe ở đâu",
    "lắp internet ở đâu",
    "nhận kết quả khai sinh ở đâu",
    "hồ sơ cần gì",
    "làm giấy khai sinh cho con",
    "mấy giờ rồi",
    "",
])
def test_a_question_that_names_a_procedure_is_not_a_lobby_question(content, text):
    assert lobby_topic(text, content.office.lobby) is None


@pytest.mark.parametrize("name", [*EXAMPLE_SETS, *DEVELOPMENT_SETS, "authored"])
def test_no_labelled_procedure_question_is_taken_for_a_lobby_question(content, name):
    """Every question labelled with a procedure in the sets the team may read is ranked as a
    question; the lobby reply takes only unlabelled (out-of-scope) ones. (2026-12-03:
    32 of 7,279 questions caught, all of them about a toilet, parking, wifi, water, a pen,
    a phone charger or a photocopier.)"""
    questions = load_questions(ROOT / "tests" / "data" / name)
    assert questions
    caught = [q for q in questions if lobby_topic(q.question, content.office.lobby)]
    assert [q.question for q in caught if q.codes] == []


def test_a_lobby_question_is_answered_by_the_office_and_offers_nothing(kb, content):
    result = kb.ask("nhà vệ sinh ở đâu vậy em")
    assert result.decision is Decision.NONE and result.reason is NoneReason.LOBBY and result.choices == []
    assert len(result.matches) >= 3  # the JSON contract still lists matches
    out = result.to_json()
    assert out["reason"] == "lobby" and out["lobby"] == {"title": "Nhà vệ sinh", "text": result.lobby.answer}
    json.dumps(out, ensure_ascii=False)
    # no answer written by staff: ask at the help counter, about that topic
    blank = replies.reply_for(result, kb)
    counter = content.office.help_counter
    assert blank.heading == "Nhà vệ sinh" and f"quầy số {counter} về nhà vệ sinh" in blank.text
    assert "ông/bà" not in blank.spoken and unicodedata.is_normalized("NFC", blank.spoken)
    # staff's answer, shown and read aloud
    where = "Nhà vệ sinh ở cuối hành lang tầng 1, bên trái."
    office = dataclasses.replace(content.office, lobby=(LobbyTopic("Nhà vệ sinh", ("nhà vệ sinh",), where),))
    kb2 = KnowledgeBase(dataclasses.replace(content, office=office))
    reply = replies.reply_for(kb2.ask("nha ve sinh o dau"), kb2)
    assert "cuối hành lang tầng 1, bên trái" in reply.text and "cuối hành lang tầng 1" in reply.spoken
    assert "quầy số" not in reply.text


def test_an_office_without_lobby_topics_ranks_the_question_as_before(content):
    bare = KnowledgeBase(dataclasses.replace(content, office=dataclasses.replace(content.office, lobby=())))
    result = bare.ask("nhà vệ sinh ở đâu")
    assert result.reason is None and result.lobby is None


def test_lobby_topics_survive_export_database_and_serialisation(content, tmp_path):
    export_content(content, tmp_path / "src")
    again = load_source(tmp_path / "src")
    assert again.office.lobby == content.office.lobby and len(again.office.lobby) >= 5
    assert content_from_dict(json.loads(json.dumps(content_to_dict(content)))).office.lobby == content.office.lobby
    db = open_db(tmp_path / "kiosk.db")
    publish(db, content, source="test")
    assert read_content(db).office.lobby == content.office.lobby


def _office_with(tmp_path: Path, lobby_yaml: str) -> Path:
    src = tmp_path / "src"
    export_content(load_source(CONTENT), src)
    text = (src / "office.yaml").read_text(encoding="utf-8")
    head = text.split("\nlobby:")[0]
    (src / "office.yaml").write_text(head + "\n" + lobby_yaml, encoding="utf-8")
    return src


@pytest.mark.parametrize("lobby_yaml, said", [
    ("lobby:\n  - title: Nhà vệ sinh\n    answer: Cuối hành lang\n", "cần title và ít nhất một cách hỏi"),
    ("lobby:\n  - title: Wifi\n    phrases: [wifi]\n    anwser: Hỏi quầy 1\n", "trường không biết"),
    ("lobby: nhà vệ sinh\n", "phải là danh sách"),
    ("lobby:\n  - [wifi]\n", "mỗi mục là một bảng"),
])
def test_a_malformed_lobby_entry_is_a_clear_problem(tmp_path, lobby_yaml, said):
    with pytest.raises(ContentInvalid) as err:
        load_source(_office_with(tmp_path, lobby_yaml))
    problems = [str(p) for p in err.value.problems]
    assert any(said in p and "office.yaml" in p for p in problems), problems
