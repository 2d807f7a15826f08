"""The conversation state machine without a window, on the shipped content: the voice and
touch paths, idle time, degraded devices, reading aloud (what is said back and offered:
tests/test_app_flow_replies.py)."""
from __future__ import annotations

import pytest
from app_flow_support import (
    ALL_OK,
    BIRTH,
    MARRIAGE,
    TEMP_RESIDENCE,
    ask_by_voice,
    log_row,
)

from kiosk.app import texts
from kiosk.app.flow import DeviceState, DeviceStatus, State
from kiosk.app.view import answer_view, checklist_lines


@pytest.mark.slow
def test_voice_path_answers_and_speaks_and_logs(make):
    flow, ports = make()
    flow.press_to_ask()
    assert flow.state is State.LISTENING
    token = ports.last("listen")[1]
    flow.heard(token)
    assert flow.state is State.THINKING and flow.transcript == ""
    flow.speech_ended("cho tôi hỏi làm giấy khai sinh cho con", token)
    assert flow.state is State.THINKING and flow.transcript == "cho tôi hỏi làm giấy khai sinh cho con"
    flow.idle_tick(0.5)
    assert flow.state is State.THINKING
    flow.idle_tick(0.6)
    assert flow.state is State.ANSWER
    assert flow.answer.code == BIRTH and flow.view.documents
    spoken = ports.last("speak")[1]
    assert spoken == flow.answer.spoken and "quầy số" in spoken
    row = log_row(flow)
    assert row["channel"] == "voice" and row["decision"] == "answer" and row["chosen_code"] == BIRTH
    # Rating after "Hỏi câu khác", stored on the same row.
    qid = flow.question_id
    flow.ask_another()
    assert flow.state is State.RATING
    flow.rate("good")
    assert flow.state is State.HOME and flow.thanks and flow.answer is None
    assert flow.db["question_log"].get(qid)["rating"] == 1
    flow.idle_tick(5)
    assert not flow.thanks


def test_rating_is_stored(make, knowledge):
    flow, ports = make()
    ask_by_voice(flow, ports, "sao y bản chính")
    qid = flow.question_id
    flow.ask_another()
    flow.rate("bad")
    assert knowledge[1]["question_log"].get(qid)["rating"] == -1
    # A skipped rating stores nothing and says no thanks.
    ask_by_voice(flow, ports, "sao y bản chính")
    qid = flow.question_id
    flow.ask_another()
    flow.rate("skip")
    assert flow.state is State.HOME and not flow.thanks
    assert knowledge[1]["question_log"].get(qid)["rating"] is None


def test_what_citizens_choose_here_rises_in_the_fields_list(make):
    # A ward whose citizens come for guardianship sees it climb the list; a new kiosk starts
    # from the labelled sets' counts (khai sinh before the six kinds of guardianship).
    flow, _ = make()
    flow.tap_category("ho-tich")
    full = [p.code for p in flow.browse_items if p.detail.value == "full"]
    rare = full[-1]
    for _ in range(60):
        if [p.code for p in flow.browse_items][0] == rare:
            break
        flow.choose(rare)
        assert flow.state is State.ANSWER and log_row(flow)["chosen_code"] == rare
        flow.back()
        flow.tap_category("ho-tich")
    assert [p.code for p in flow.browse_items][0] == rare


def test_touch_path_browse_answer_print(make):
    flow, ports = make()
    flow.tap_category("ho-tich")
    assert flow.state is State.BROWSE and flow.category.name == "Hộ tịch"
    codes = [p.code for p in flow.browse_items]
    assert BIRTH in codes and MARRIAGE in codes
    # written-up procedures first, the most asked first (knowledge.base.procedures_in)
    full = [p for p in flow.browse_items if p.detail.value == "full"]
    assert flow.browse_items[: len(full)] == full
    from knowledge.qlog import chosen_counts

    assert flow.browse_items == flow.kb.procedures_in("ho-tich", include_brief=True, asked=chosen_counts(flow.db))
    flow.choose(MARRIAGE)
    assert flow.state is State.ANSWER and flow.answer.code == MARRIAGE
    assert ports.last("speak")[1] == flow.answer.spoken
    assert log_row(flow)["channel"] == "browse"
    flow.back()
    assert flow.state is State.BROWSE
    flow.choose(MARRIAGE)
    flow.print_checklist()
    assert ports.last("print")[1] == MARRIAGE and flow.print_busy and flow.print_message == texts.PRINTING
    flow.print_checklist()  # a second tap while printing does not print twice
    assert ports.names().count("print") == 1
    flow.print_done(True, "Đã in xong phiếu.", ports.last("print")[2])
    assert flow.print_ok and not flow.print_busy and flow.print_message == "Đã in xong phiếu."
    flow.ask_another()
    assert flow.state is State.RATING


def test_clarify_then_choose_records_the_choice(make):
    flow, ports = make()
    ask_by_voice(flow, ports, "khai sinh")
    assert flow.state is State.CLARIFY
    codes = [m.code for m in flow.choices]
    assert BIRTH in codes and 2 <= len(codes) <= 4
    assert ports.last("speak")[1].startswith("Có phải ông bà hỏi về")
    flow.choose(BIRTH)
    assert flow.state is State.ANSWER and flow.answer.code == BIRTH
    flow.back()
    assert flow.state is State.CLARIFY  # back to the choices
    flow.choose(BIRTH)
    flow.ask_another()
    flow.rate("ok")
    row = flow.db["question_log"].get(flow.db.execute("select max(id) from question_log").fetchone()[0])
    assert row["decision"] == "clarify" and row["chosen_code"] == BIRTH and row["rating"] == 0


def test_none_of_these_and_nothing_found(make):
    flow, ports = make()
    ask_by_voice(flow, ports, "khai sinh")
    flow.none_of_these()  # the second page of choices
    assert flow.state is State.CLARIFY and flow.clarify_page == 2
    flow.none_of_these()
    assert flow.state is State.NONE and flow.none_reason == "not_these"
    assert "quầy số 1" in ports.last("speak")[1]
    flow.home()
    ask_by_voice(flow, ports, "con cá vàng biết hát")
    assert flow.state is State.NONE and flow.none_reason == "not_found"
    # the none screen offers the categories: a tile leads to browse, back returns here
    flow.tap_category("chung-thuc")
    assert flow.state is State.BROWSE
    flow.back()
    assert flow.state is State.NONE


def test_nothing_heard(make):
    flow, ports = make()
    flow.press_to_ask()
    flow.speech_ended("   ", ports.last("listen")[1])
    assert flow.state is State.NONE and flow.none_reason == "not_heard"
    assert ports.last("speak")[1] == texts.SAY_NOT_HEARD
    flow.press_to_ask()  # "Nói lại"
    assert flow.state is State.LISTENING


def test_idle_warning_continue_and_timeout_clears_everything(make):
    flow, ports = make(idle_timeout_s=60, idle_warning_s=15)
    ask_by_voice(flow, ports, "sao y bản chính")
    flow.speaking_done(ports.last("speak")[2])
    flow.idle_tick(59)
    assert flow.state is State.ANSWER
    flow.idle_tick(1)
    assert flow.state is State.IDLE_WARNING and flow.warning_left == 15
    flow.continue_session()
    assert flow.state is State.ANSWER and flow.answer is not None
    flow.speaking_done(flow.speak_token)
    flow.idle_tick(60)
    assert flow.state is State.IDLE_WARNING
    flow.idle_tick(10)
    assert flow.state is State.IDLE_WARNING and 4 < flow.warning_left <= 5
    flow.idle_tick(5)
    assert flow.state is State.HOME and flow.timeouts == 1
    assert (flow.answer, flow.transcript, flow.view, flow.choices, flow.question_id) == (None, "", None, [], None)
    # Home never times out; it turns to the attract state instead.
    flow.idle_tick(600)
    assert flow.state is State.HOME and flow.attract
    flow.tap_category("cu-tru")
    assert not flow.attract


def test_idle_does_not_count_while_speaking_or_listening(make):
    flow, ports = make(idle_timeout_s=60)
    ask_by_voice(flow, ports, "sao y bản chính")
    assert flow.speaking
    flow.idle_tick(100)
    assert flow.state is State.ANSWER
    flow.press_to_ask()
    flow.idle_tick(100)
    assert flow.state is State.LISTENING


def test_search_text_touch_path(make):
    flow, ports = make()
    flow.open_search()
    assert flow.state is State.SEARCH
    flow.search_text_changed("t")
    assert flow.search_results == []
    flow.search_text_changed("dang ky tam tru")  # plain letters, no diacritics
    codes = [m.code for m in flow.search_results]
    assert codes and codes[0] == TEMP_RESIDENCE and len(codes) <= 6
    flow.choose(TEMP_RESIDENCE)
    assert flow.state is State.ANSWER
    row = log_row(flow)
    assert row["channel"] == "search" and row["query"] == "dang ky tam tru"
    flow.back()
    assert flow.state is State.SEARCH and flow.search_text == "dang ky tam tru"


def test_new_question_interrupts_speech_and_stale_results_are_ignored(make):
    flow, ports = make()
    ask_by_voice(flow, ports, "sao y bản chính")
    assert flow.speaking
    old = ports.last("listen")[1]
    flow.press_to_ask()  # interrupts the answer being read
    assert ports.names()[-2:] == ["stop", "listen"] and not flow.speaking
    assert flow.state is State.LISTENING
    flow.speech_ended("làm giấy khai sinh", old)  # a late result of the previous question
    assert flow.state is State.LISTENING
    flow.cancel()  # back to the answer the question interrupted
    assert flow.state is State.ANSWER and ports.names()[-1] == "cancel"
    flow.speech_ended("làm giấy khai sinh", ports.last("listen")[1])  # arrives after cancel
    assert flow.state is State.ANSWER and flow.answer.code == "2.000815"
    flow.home()
    flow.press_to_ask()
    flow.cancel()
    assert flow.state is State.HOME
    # "Dừng đọc" and a stale "finished speaking"
    ask_by_voice(flow, ports, "sao y bản chính")
    spoken_token = ports.last("speak")[2]
    flow.repeat()
    assert flow.speaking and ports.last("speak")[1] == flow.answer.spoken
    flow.speaking_done(spoken_token)  # the interrupted first reading finishing
    assert flow.speaking
    flow.stop_speaking()
    assert not flow.speaking and ports.names()[-1] == "stop"


def test_cancel_while_thinking_returns_to_previous_screen(make):
    flow, ports = make()
    flow.tap_category("ho-tich")
    flow.choose(BIRTH)
    flow.press_to_ask()
    token = ports.last("listen")[1]
    flow.heard(token)
    flow.cancel()
    assert flow.state is State.ANSWER and flow.answer.code == BIRTH
    flow.speech_ended("sao y bản chính", token)
    assert flow.state is State.ANSWER and flow.answer.code == BIRTH


def test_degrade_no_microphone(make):
    status = DeviceStatus(DeviceState(False, "không có micrô"), DeviceState(True), DeviceState(True),
                          DeviceState(True), loading=False)
    flow, ports = make(status)
    assert not flow.voice_available and flow.notices[0] == texts.NO_MIC
    flow.press_to_ask()
    assert flow.state is State.HOME and "listen" not in ports.names()
    assert flow.screen_speech() == texts.SAY_HOME_NO_VOICE


def test_degrade_model_failure_is_touch_only(make):
    status = DeviceStatus(DeviceState(True), DeviceState(False, "ModelNotFound"), DeviceState(True),
                          DeviceState(True), loading=False)
    flow, ports = make(status)
    assert not flow.voice_available and flow.notices == [texts.NO_ASR]
    flow.press_to_ask()
    assert flow.state is State.HOME


def test_degrade_microphone_lost_while_listening(make):
    flow, ports = make()
    flow.press_to_ask()
    flow.listen_failed("không mở được micrô", ports.last("listen")[1], mic_lost=True)
    assert flow.state is State.HOME and not flow.voice_available
    assert flow.message == texts.LISTEN_FAILED and texts.NO_MIC in flow.notices


def test_degrade_no_printer_offers_large_view(make):
    status = DeviceStatus(DeviceState(True), DeviceState(True), DeviceState(True),
                          DeviceState(False, "printer.kind = none"), loading=False)
    flow, ports = make(status)
    flow.tap_category("ho-tich")
    flow.choose(BIRTH)
    flow.print_checklist()
    assert flow.state is State.CHECKLIST and "print" not in ports.names()
    assert flow.view.qr_url and BIRTH in flow.view.qr_url
    flow.back()
    assert flow.state is State.ANSWER


def test_degrade_printer_fails_then_is_not_configured(make):
    flow, ports = make()
    flow.tap_category("ho-tich")
    flow.choose(BIRTH)
    flow.print_checklist()
    flow.print_done(False, "Máy in phiếu đã hết giấy.", ports.last("print")[2])
    assert flow.print_ok is False and flow.printer_available
    flow.print_checklist()
    flow.print_done(False, "Kiosk này chưa có máy in.", ports.last("print")[2], configured=False)
    assert not flow.printer_available
    flow.print_checklist()
    assert flow.state is State.CHECKLIST


def test_degrade_no_voice_output_still_answers(make):
    status = DeviceStatus(DeviceState(True), DeviceState(True), DeviceState(False, "no speaker"),
                          DeviceState(True), loading=False)
    flow, ports = make(status)
    assert texts.NO_TTS in flow.notices
    ask_by_voice(flow, ports, "sao y bản chính")
    assert flow.state is State.ANSWER and "speak" not in ports.names() and not flow.speaking
    flow.idle_tick(61)
    assert flow.state is State.IDLE_WARNING


def test_loading_notice_until_devices_report(make):
    flow, ports = make(DeviceStatus())
    assert flow.notices == [texts.VOICE_LOADING] and not flow.voice_available
    flow.devices_changed(ALL_OK)
    assert flow.notices == [] and flow.voice_available


def test_staff_pin(make):
    flow, ports = make()
    flow.staff_request()
    assert flow.state is State.STAFF_PIN
    assert not flow.staff_unlock("0000") and flow.pin_error == texts.PIN_WRONG
    assert flow.staff_unlock("2468") and flow.state is State.STAFF
    flow.idle_tick(61)
    assert flow.state is State.IDLE_WARNING  # an abandoned staff page does not stay open
    flow.idle_tick(16)
    assert flow.state is State.HOME
    flow.staff_request()
    for _ in range(3):
        flow.staff_unlock("1111")
    assert flow.state is State.HOME


def test_every_screen_can_be_read_aloud(make):
    flow, ports = make()
    seen = {}
    seen[State.HOME] = flow.screen_speech()
    flow.tap_category("ho-tich")
    seen[State.BROWSE] = flow.screen_speech()
    flow.choose(BIRTH)
    seen[State.ANSWER] = flow.screen_speech()
    flow.show_checklist()
    seen[State.CHECKLIST] = flow.screen_speech()
    flow.ask_another()
    seen[State.RATING] = flow.screen_speech()
    flow.home()
    flow.open_search()
    seen[State.SEARCH] = flow.screen_speech()
    ask_by_voice(flow, ports, "khai sinh")
    seen[State.CLARIFY] = flow.screen_speech()
    flow.none_of_these()
    assert flow.state is State.CLARIFY and flow.screen_speech().startswith("Hay ông bà hỏi về")
    flow.none_of_these()
    seen[State.NONE] = flow.screen_speech()
    flow.speaking_done(flow.speak_token)
    flow.idle_tick(61)
    seen[State.IDLE_WARNING] = flow.screen_speech()
    for state, text in seen.items():
        assert len(text) > 20, state
        if state not in (State.ANSWER, State.CHECKLIST):  # content text is the speech normaliser's job
            assert "ông/bà" not in text, state
    flow.continue_session()
    flow.read_screen()
    assert ports.last("speak")[1] == seen[State.NONE]


def test_answer_view_of_a_written_up_procedure(knowledge):
    kb, _ = knowledge
    p = kb.procedure(MARRIAGE)
    v = answer_view(p, kb.content.office)
    assert v.title == "Đăng ký kết hôn" and v.counter == "1" and not v.brief
    assert v.required and v.documents[: len(v.required)] == v.required
    assert v.required[0].how == "01 bản chính"
    assert any(d.how.startswith("Xuất trình") for d in v.documents)
    assert v.fee and v.time and v.steps and "quầy số 1" in v.where
    lines = checklist_lines(v)
    assert lines[0].startswith("1. Tờ khai") and len(lines) == len(p.documents)


def test_answer_view_of_a_catalogue_entry(knowledge):
    kb, _ = knowledge
    brief = next(p for p in kb.content.procedures if p.detail.value == "brief")
    v = answer_view(brief, kb.content.office)
    assert v.brief and v.unverified and not v.documents
