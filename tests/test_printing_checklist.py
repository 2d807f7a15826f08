"""Checklist model, wording, plain text and speech text (pure logic)."""
from __future__ import annotations

import dataclasses
import unicodedata

import pytest
from test_printing_helpers import BRIEF, KHAI_SINH, LOCAL, OFFICE, PORTAL_KHAI_SINH, PRINTED_AT

from knowledge.model import DocForm, Document
from printing import build_checklist, checklist_speech_text, checklist_text, portal_url
from printing.layout import blocks, glue


@pytest.fixture
def checklist():
    return build_checklist(KHAI_SINH, OFFICE, PRINTED_AT)


def test_header_facts(checklist):
    assert checklist.office_name == OFFICE.name
    assert checklist.title == "Đăng ký khai sinh"
    assert checklist.code == "1.001193"
    assert checklist.fee == KHAI_SINH.fee
    assert checklist.processing_time == KHAI_SINH.processing_time
    assert checklist.hours == OFFICE.hours
    assert checklist.printed_text == "In lúc 14:05, ngày 24/11/2026"
    assert not checklist.check_at_counter


def test_documents_worded_in_natural_vietnamese(checklist):
    form, present, either = checklist.items[0], checklist.items[2], checklist.items[4]
    assert (form.form_text, form.copies_text, form.when_text) == ("Bản chính", "01 bản", "")
    assert present.form_text == "Xuất trình bản chính để đối chiếu"
    assert present.copies_text == ""  # shown, not handed in: no number of copies
    assert "không phải nộp" in present.hint
    assert either.form_text == "Bản chính hoặc bản sao"
    copy = checklist.items[3]
    assert (copy.form_text, copy.copies_text) == ("Bản sao", "02 bản")
    assert copy.when_text == "Chỉ cần khi: cha, mẹ đã đăng ký kết hôn"  # optional: when it is needed
    assert either.when_text == "Trường hợp nhờ người khác đi đăng ký thay"  # already says "when"
    remark = checklist.items[1]
    assert remark.required and remark.when_text.startswith("Không phải nộp bản giấy")  # a remark, no "Chỉ cần khi"


def test_an_optional_document_with_an_exception_is_not_read_as_only_needed_when():
    # "Không phải nộp nếu …" on an optional paper printed as "Chỉ cần khi: không phải nộp nếu …"
    # (only needed when not to be handed in), on the slip and in the answer text alike
    from knowledge.answer import document_line
    from knowledge.model import DocForm, Document
    from printing.checklist import _item

    d = Document("Bản chụp thẻ Căn cước", DocForm.COPY, 1, required=False,
                 condition="Không phải nộp nếu cán bộ khai thác được thông tin trên Cơ sở dữ liệu quốc gia về dân cư")
    assert _item(d).when_text == d.condition
    assert "chỉ khi" not in document_line(d).lower() and "(không phải nộp nếu cán bộ" in document_line(d)


def test_required_documents_come_before_optional_ones(checklist):
    names = [i.name for i in checklist.ordered_items]
    assert names[:3] == [d.name for d in KHAI_SINH.documents if d.required]
    assert [i.required for i in checklist.ordered_items] == [True, True, True, False, False]


def test_optional_document_without_condition_says_if_any():
    proc = dataclasses.replace(KHAI_SINH, documents=(Document("Sổ hộ khẩu cũ", required=False),))
    assert build_checklist(proc, OFFICE, PRINTED_AT).items[0].when_text == "Nếu có"


def test_hint_left_out_when_the_remark_already_says_it():
    doc = Document("Căn cước", DocForm.PRESENT, condition="Chỉ xuất trình để đối chiếu")
    proc = dataclasses.replace(KHAI_SINH, documents=(doc,))
    assert build_checklist(proc, OFFICE, PRINTED_AT).items[0].hint == ""


def test_counter_from_category_and_overrides():
    assert build_checklist(KHAI_SINH, OFFICE, PRINTED_AT).counter == "Quầy số 1 – Quầy hướng dẫn – Hộ tịch"
    by_number = dataclasses.replace(KHAI_SINH, counter="2")
    assert build_checklist(by_number, OFFICE, PRINTED_AT).counter == "Quầy số 2 – Quầy Chứng thực"
    free_text = dataclasses.replace(KHAI_SINH, counter="Phòng 3, tầng 2")
    c = build_checklist(free_text, OFFICE, PRINTED_AT)
    assert (c.counter_number, c.counter) == ("", "Phòng 3, tầng 2")
    no_counter = dataclasses.replace(KHAI_SINH, category="khac")
    assert build_checklist(no_counter, OFFICE, PRINTED_AT).counter == KHAI_SINH.where


def test_qr_url_rules():
    assert portal_url(KHAI_SINH) == PORTAL_KHAI_SINH
    own = dataclasses.replace(KHAI_SINH, online_url="https://dichvucong.hochiminhcity.gov.vn/x")
    assert portal_url(own) == "https://dichvucong.hochiminhcity.gov.vn/x"
    assert portal_url(LOCAL) is None
    local = build_checklist(LOCAL, OFFICE, PRINTED_AT)
    assert local.qr_url is None
    assert local.code_text == "" and "local." not in checklist_text(local)  # internal codes stay internal


def test_brief_catalogue_entry_sends_citizen_to_the_counter():
    c = build_checklist(BRIEF, OFFICE, PRINTED_AT)
    assert c.items == () and c.check_at_counter
    assert c.counter == "Quầy số 5 – Quầy Công an phường (cư trú)"
    text = checklist_text(c)
    assert "Chưa có danh sách giấy tờ chi tiết" in text and "hỏi lại cán bộ" in text


def test_decomposed_input_is_normalised():
    nfd = dataclasses.replace(KHAI_SINH, title=unicodedata.normalize("NFD", KHAI_SINH.title))
    assert build_checklist(nfd, OFFICE, PRINTED_AT).title == "Đăng ký khai sinh"


def test_plain_text_has_tick_boxes_and_every_fact(checklist):
    text = checklist_text(checklist)
    assert text.count("[ ]") == len(KHAI_SINH.documents)
    for needle in ("GIẤY TỜ CẦN MANG", "Đăng ký khai sinh", "Mã thủ tục: 1.001193", "Bản chính – 01 bản",
                   "Lệ phí: Miễn lệ phí", "Nơi nộp hồ sơ: Quầy số 1", "Giờ làm việc:", PORTAL_KHAI_SINH,
                   "Chỉ cần trong một số trường hợp:", "Đường dây nóng: 1022"):
        assert needle in text


def test_speech_text_reads_the_same_checklist(checklist):
    speech = checklist_speech_text(checklist)
    assert speech.startswith("Giấy tờ cần mang cho thủ tục Đăng ký khai sinh.")
    assert "Cần mang ba loại giấy tờ." in speech
    assert "Thứ nhất: Tờ khai đăng ký khai sinh theo mẫu, bản chính, một bản." in speech
    assert "xuất trình bản chính để đối chiếu, không phải nộp" in speech
    assert "Trong một số trường hợp, mang thêm:" in speech
    assert "chỉ cần khi cha, mẹ đã đăng ký kết hôn, bản sao, hai bản" in speech
    assert "Nộp hồ sơ tại Quầy số 1, Quầy hướng dẫn, Hộ tịch." in speech
    assert "Thứ Hai đến Thứ Sáu" in speech
    # nothing only the eye can use
    assert "–" not in speech and "[ ]" not in speech and "http" not in speech
    for item in checklist.items:
        assert item.name in speech


def test_glue_keeps_numbers_with_their_units():
    assert glue("7 giờ 30 – 11 giờ") == "7\u00a0giờ\u00a030 –\u00a011\u00a0giờ"
    assert glue("Quầy số 1") == "Quầy số\u00a01"


def test_layout_lists_every_document_once(checklist):
    from printing.layout import Item

    items = [b for b in blocks(checklist) if isinstance(b, Item)]
    assert len(items) == len(checklist.items)
    assert items[0].form_line == "Bản chính –\u00a001\u00a0bản"


def test_a_redirect_slip_names_the_other_office_not_a_counter_here():
    # `kiosk checklist redirect.ho-chieu` printed "Nơi nộp hồ sơ: Quầy số 4 – …" (the field's
    # counter of this office, which does not issue passports) and this office's hours.
    from knowledge.model import Detail

    passport = dataclasses.replace(
        KHAI_SINH, code="redirect.ho-chieu", title="Cấp hộ chiếu phổ thông ở trong nước", category="cu-tru",
        detail=Detail.REDIRECT, handled_by="Công an Thành phố Hồ Chí Minh",
        where="Phòng Quản lý xuất nhập cảnh Công an Thành phố Hồ Chí Minh, số 196 Nguyễn Thị Minh Khai.")
    c = build_checklist(passport, OFFICE, PRINTED_AT)
    assert (c.counter_number, c.counter) == ("", "Phòng Quản lý xuất nhập cảnh Công an Thành phố Hồ Chí Minh, "
                                                 "số 196 Nguyễn Thị Minh Khai")
    assert c.hours == ""
    text = checklist_text(c)
    assert "Quầy số" not in text and "Giờ làm việc" not in text
    assert "Giờ làm việc" not in checklist_speech_text(c)
    no_where = build_checklist(dataclasses.replace(passport, where=""), OFFICE, PRINTED_AT)
    assert no_where.counter == "Công an Thành phố Hồ Chí Minh"
    # the same procedure done here keeps the field's counter and the office's hours
    here = build_checklist(dataclasses.replace(passport, detail=KHAI_SINH.detail), OFFICE, PRINTED_AT)
    assert here.counter == "Quầy số 5 – Quầy Công an phường (cư trú)" and here.hours == OFFICE.hours
