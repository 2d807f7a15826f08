"""Answers composed from the shipped content: complete on screen, short when spoken."""
from __future__ import annotations

import dataclasses
import re
import unicodedata
from pathlib import Path

import pytest

from knowledge.answer import compose_answer, document_line, go_to, go_verb, spoken_title
from knowledge.base import KnowledgeBase
from knowledge.model import Detail, DocForm, Document
from knowledge.source import load_source

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase(load_source(REPO / "assets" / "content"))


@pytest.mark.slow
def test_every_written_up_procedure_answers_completely(kb):
    for p in kb.content.procedures:
        a = kb.answer_for(p.code)
        assert unicodedata.is_normalized("NFC", a.text) and unicodedata.is_normalized("NFC", a.spoken)
        assert a.spoken.count("(") == a.spoken.count(")"), (p.code, a.spoken)  # no aside cut open
        if p.detail is Detail.FULL:
            for d in p.documents:
                assert d.name in a.text
            assert p.fee in a.text and p.processing_time in a.text
            assert "Lệ phí" in a.spoken and "Thời hạn" in a.spoken
            assert len(a.spoken) <= 650, (p.code, len(a.spoken))
        elif p.detail is Detail.REDIRECT:
            go = go_verb(p)
            assert a.kind == "redirect" and a.text.startswith(f"Việc này không làm tại phường. Ông/bà {go} ")
            assert p.where.rstrip(".") in a.text and p.handled_by in a.text
            assert a.spoken.startswith(f"Việc này không làm tại phường. Ông bà {go} ") and len(a.spoken) <= 400
            for d in p.documents:
                assert d.name in a.text
        else:
            where = kb.content.office.place_of(p)  # received elsewhere: the place, not a counter
            assert p.handled_by in a.text and (f"đến {where}" if where else "quầy số") in a.spoken


def test_unverified_facts_are_flagged_on_screen(kb):
    p = next(p for p in kb.content.procedures if p.unverified)
    assert "đang được cán bộ xác minh" in kb.answer_for(p.code).text


@pytest.mark.parametrize(
    "doc, expected",
    [
        (Document("Tờ khai", DocForm.ORIGINAL, 1), "Tờ khai — 01 bản chính"),
        (Document("Sổ hộ khẩu", DocForm.COPY, 2), "Sổ hộ khẩu — 02 bản sao"),
        (Document("Căn cước", DocForm.PRESENT), "Căn cước — xuất trình bản chính để đối chiếu"),
        (Document("Giấy ủy quyền", DocForm.EITHER, 1, False, "Nhờ người khác nộp"),
         "Giấy ủy quyền — 01 bản chính hoặc bản sao (chỉ khi nhờ người khác nộp)"),
        (Document("Giấy xác nhận", DocForm.ORIGINAL, 1, False, "Trường hợp trẻ bị bỏ rơi."),
         "Giấy xác nhận — 01 bản chính (trường hợp trẻ bị bỏ rơi)"),
    ],
)
def test_document_lines(doc, expected):
    assert document_line(doc) == expected


def test_spoken_title_keeps_the_head_of_a_long_official_title():
    long = ("Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan, tổ chức có thẩm quyền của Việt Nam; "
            "cơ quan, tổ chức có thẩm quyền của nước ngoài cấp")
    assert spoken_title(long) == "Chứng thực bản sao từ bản chính giấy tờ"
    assert spoken_title("Đăng ký khai sinh") == "Đăng ký khai sinh"


def test_divorce_is_sent_to_the_area_court(kb):
    a = kb.ask("tôi muốn nộp đơn ly hôn").answer
    assert a is not None and a.kind == "redirect" and a.code == "redirect.ly-hon"
    assert "Tòa án nhân dân khu vực 1" in a.spoken and "Lý Tự Trọng" in a.text


def test_a_procedures_own_counter_is_the_same_on_screen_aloud_and_on_the_slip(kb):
    # issue 17: with counter = "2" the screen and the slip said 2 and the voice said 1
    import dataclasses
    from datetime import datetime

    from kiosk.app.view import answer_view
    from knowledge.answer import compose_answer
    from printing.checklist import build_checklist

    office = kb.content.office
    p = dataclasses.replace(kb.procedure("1.001193"), counter="2")
    assert office.counter_for(p.category).number != "2"  # its field's counter is another one
    answer = compose_answer(p, office)
    assert "quầy số 2" in answer.text and "quầy số 2" in answer.spoken
    assert answer_view(p, office).counter == "2"
    assert build_checklist(p, office, datetime(2026, 12, 2, 9, 0)).counter_number == "2"


def test_a_procedure_received_elsewhere_names_no_counter_anywhere(kb):
    # Military-service registration is received by the commune's military command, not at a
    # counter of the one-stop centre; by its field ("khác") it was sent to the social-policy
    # counter on the screen, aloud and on the slip. Its own counter is the place in words.
    from datetime import datetime

    from kiosk.app.view import answer_view
    from knowledge.answer import compose_answer
    from printing.checklist import build_checklist

    office = kb.content.office
    p = kb.procedure("1.013134")
    assert office.counter_for(p.category) is not None  # its field has a counter …
    assert office.place_of(p) == "Ban Chỉ huy quân sự phường"
    assert office.counter_of(p) is None  # … which the place overrides
    answer = compose_answer(p, office)
    assert "quầy số" not in answer.text.lower() and "quầy số" not in answer.spoken.lower()
    assert "Ban Chỉ huy quân sự" in answer.spoken
    assert answer_view(p, office).counter == ""
    slip = build_checklist(p, office, datetime(2026, 12, 5, 9, 0))
    assert (slip.counter_number, slip.counter) == ("", "Ban Chỉ huy quân sự phường")


def test_a_counter_number_the_office_does_not_have_falls_back_to_the_field(kb):
    # a typo ("9") or a counter since removed is not a place: the field's counter still serves
    import dataclasses

    office = kb.content.office
    p = dataclasses.replace(kb.procedure("1.001193"), counter="9")
    assert office.place_of(p) == ""
    assert office.counter_of(p) == office.counter_for(p.category)


def test_no_procedure_of_the_police_or_the_military_is_sent_to_another_services_counter(kb):
    # what ward staff would see first: a vehicle or a military-service question answered
    # "quầy số 4 (Lao động – Thương binh – Xã hội …)"
    office = kb.content.office
    for p in kb.content.procedures:
        if p.level != "xã" or p.is_redirect or p.detail.value != "full":
            continue
        head = p.handled_by.split(";")[0].lower()
        counter = office.counter_of(p)
        if counter is None:
            continue
        if "công an" in head and "ubnd" not in head.split("công an")[0]:
            assert "công an" in counter.name.lower(), (p.code, counter.name)
        if "quân sự" in head and "ubnd" not in head.split("quân sự")[0]:
            assert "quân sự" in counter.name.lower(), (p.code, counter.name)

@pytest.mark.parametrize("where, go", [
    ("Tòa án nhân dân khu vực 1 – Thành phố Hồ Chí Minh", "đến"),
    ("trường hoặc cơ quan đã cấp bằng", "đến"),
    ("Đến Sở Tư pháp Thành phố", "đến"),
    ("nộp hồ sơ tại bộ phận tiếp nhận của Sở Y tế", "làm như sau:"),
    ("nếu người vắng mặt cư trú cuối cùng tại phường — Tòa án nhân dân khu vực 1", "làm như sau:"),
    ("đang đi làm thì nộp giấy tờ cho nơi làm việc", "làm như sau:"),
])
def test_a_redirect_written_as_an_instruction_is_not_put_after_den(kb, where, go):
    """"Ông/bà đến nộp hồ sơ tại …" is not Vietnamese: staff write ``where`` either way."""
    p = dataclasses.replace(kb.procedure("redirect.ly-hon"), where=where)
    assert go_verb(p) == go
    a = compose_answer(p, kb.content.office)
    assert a.text.startswith(f"Việc này không làm tại phường. Ông/bà {go} {go_to(p)}.")
    assert a.spoken.startswith(f"Việc này không làm tại phường. Ông bà {go} {go_to(p)}.")
    assert "đến nộp" not in a.text and "đến nếu" not in a.text


def test_a_title_that_begins_with_thu_tuc_is_not_read_twice(kb):
    # "Thủ tục thủ tục đăng ký phục vụ trong ngạch dự bị" was read aloud for the catalogue's
    # titles that begin "Thủ tục …" (58 catalogue rows, 11 written-up files)
    from knowledge.answer import spoken_title

    assert spoken_title("Thủ tục đăng ký nghĩa vụ quân sự lần đầu") == "đăng ký nghĩa vụ quân sự lần đầu"
    assert spoken_title("Thủ tục") == "Thủ tục"  # nothing left to say without it
    for code in ("1.013133", "1.013135"):
        spoken = kb.answer_for(code).spoken.lower()
        assert "thủ tục thủ tục" not in spoken and spoken.startswith("thủ tục đăng ký"), spoken


def test_a_catalogue_entry_received_elsewhere_names_the_place(kb):
    # the catalogue's "counter" column, as a written-up file's: a counter's number or a place
    from datetime import datetime

    from kiosk.app.view import answer_view
    from printing.checklist import build_checklist

    office = kb.content.office
    # a militia unit formed or dissolved: the ward's military command (registering for the
    # reserve, 1.013135, was this example until it was written up on 2026-12-06)
    reserve = kb.procedure("1.013515")
    assert reserve.detail.value == "brief" and office.place_of(reserve) == "Ban Chỉ huy quân sự phường"
    answer = kb.answer_for("1.013515")
    assert "Mời ông/bà đến Ban Chỉ huy quân sự phường" in answer.text and "quầy số" not in answer.text
    assert "Mời ông bà đến Ban Chỉ huy quân sự phường" in answer.spoken
    assert answer_view(reserve, office).counter == ""
    slip = build_checklist(reserve, office, datetime(2026, 12, 5, 9, 0))
    assert (slip.counter_number, slip.counter) == ("", "Ban Chỉ huy quân sự phường")
    seal = kb.procedure("1.115231")  # a new company seal: the police counter, not its field's (khác: 4)
    assert office.counter_of(seal).number == "5" and office.counter_for(seal.category).number != "5"
    assert "quầy số 5" in kb.answer_for("1.115231").spoken


def test_the_answer_and_the_slip_word_a_condition_alike(kb):
    # one rule (knowledge.answer.says_when): "Với công trình không phải nhà ở riêng lẻ" was
    # "(chỉ khi với công trình …)" in the answer while the slip printed it as written
    from datetime import datetime

    from knowledge.answer import document_line
    from printing.checklist import build_checklist

    p = kb.procedure("1.013226")
    d = next(d for d in p.documents if d.condition and d.condition.startswith("Với công trình"))
    assert "(với công trình không phải nhà ở riêng lẻ" in document_line(d)
    slip = build_checklist(p, kb.content.office, datetime(2026, 12, 5, 9, 0))
    assert any(i.when_text.startswith("Với công trình") for i in slip.items)


_FRIEND = re.compile(r"\b(người|ông|bà|cô|giúp|các|hai) bạn\b|\bbạn (bè|gái|trai|học|Lào)\b", re.IGNORECASE)


def test_the_content_addresses_the_citizen_as_ong_ba(kb):
    """The kiosk says "ông/bà" to everyone (an elderly citizen hears "bạn" as talking down);
    texts copied from official pages wrote "bạn cung cấp …", "nếu bạn …". "Bạn" as a
    friend ("người bạn", "bạn Lào") is a word of the content, not a form of address."""
    addressed = []
    for p in kb.content.procedures:
        a = kb.answer_for(p.code)
        text = _FRIEND.sub("", a.text)
        for m in re.finditer(r"\bbạn\b", text, re.IGNORECASE):
            addressed.append((p.code, text[max(0, m.start() - 30):m.end() + 20]))
    assert not addressed, addressed


def test_a_spoken_clause_or_title_never_leaves_a_bracket_open():
    from knowledge.answer import _first_sentence, spoken_title

    assert _first_sentence("12 ngày làm việc (phường 05 ngày; Sở 07 ngày); hồ sơ bổ sung thì tính lại") == \
        "12 ngày làm việc"
    assert spoken_title("Thủ tục xác nhận thay đổi thông tin đăng ký hoạt động in (cấp xã) tại phường nơi đặt cơ sở") == \
        "xác nhận thay đổi thông tin đăng ký hoạt động in"
