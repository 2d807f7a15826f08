"""The conversation at the kiosk as a plain-Python state machine (no Kivy, no audio).

The UI calls one method per event (a tap, the end of an utterance, a clock tick);
the flow changes its public attributes, asks its *ports* to act (listen, speak, stop,
print — :mod:`kiosk.app.devices` implements them with worker threads), and tells its
listeners that something changed. Results from workers come back as further events
(``heard``, ``speech_ended``, ``print_done``, ``speaking_done``), each carrying the
token of the request so that a late answer to a cancelled request is ignored.

    home ─press─► listening ─heard─► thinking ─(transcript shown briefly)─► answer | redirect | clarify | none
    clarify ─choose─► answer | redirect      clarify ─"Không phải"─► none (fields, ask again)
    home ─tile─► browse ─choose─► answer ─print/repeat/stop─► answer ─ask another─► rating ─► home
    any ─(idle_timeout_s without a touch)─► idle_warning ─continue─► back │ ─(idle_warning_s)─► home (cleared)
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Callable, Protocol

from kiosk.app import texts
from kiosk.app.view import AnswerView, active_notices, answer_view
from knowledge import replies
from knowledge.model import Answer, Category, Decision, Detail, Match, NoneReason, Procedure, ReplyKind
from knowledge.replies import Choice
from knowledge.normalize import fold
from knowledge.qlog import Channel

log = logging.getLogger(__name__)


class State(StrEnum):
    HOME = "home"
    LISTENING = "listening"
    THINKING = "thinking"
    ANSWER = "answer"
    REDIRECT = "redirect"  # an answer that says the ward does not do this, and where to go
    CLARIFY = "clarify"
    NONE = "none"
    BROWSE = "browse"
    SEARCH = "search"
    CHECKLIST = "checklist"  # the document list large, with a QR code (no printer, or on request)
    RATING = "rating"
    IDLE_WARNING = "idle_warning"
    STAFF_PIN = "staff_pin"
    STAFF = "staff"


@dataclass(frozen=True, slots=True)
class DeviceState:
    ok: bool
    message: str = ""
    """Why not (or what it is), for the staff page."""


@dataclass(frozen=True, slots=True)
class DeviceStatus:
    """What the kiosk can do right now. Loading = engines still starting."""

    mic: DeviceState = DeviceState(False, "chưa kiểm tra")
    asr: DeviceState = DeviceState(False, "chưa nạp")
    tts: DeviceState = DeviceState(False, "chưa nạp")
    printer: DeviceState = DeviceState(False, "chưa kiểm tra")
    loading: bool = True

    @property
    def voice_input(self) -> bool:
        return self.mic.ok and self.asr.ok


class Ports(Protocol):
    """What the flow asks of the outside world. Every call returns at once."""

    def start_listening(self, token: int) -> None: ...
    def cancel_listening(self) -> None: ...
    def speak(self, text: str, token: int) -> None: ...
    def stop_speaking(self) -> None: ...
    def print_checklist(self, procedure: Procedure, office, token: int) -> None: ...


class NullPorts:
    """Ports that do nothing (a kiosk with no devices at all)."""

    def start_listening(self, token: int) -> None: pass
    def cancel_listening(self) -> None: pass
    def speak(self, text: str, token: int) -> None: pass
    def stop_speaking(self) -> None: pass
    def print_checklist(self, procedure: Procedure, office, token: int) -> None: pass


@dataclass(frozen=True, slots=True)
class FlowSettings:
    idle_timeout_s: float = 60.0
    """Seconds without a touch before the "still there?" warning."""
    idle_warning_s: float = 15.0
    """How long the warning waits for "Tiếp tục" before going home."""
    auto_speak: bool = True
    staff_pin: str = "2468"
    thinking_dwell_s: float = 1.2
    """How long the transcript stays on screen before the result (0 = at once)."""
    attract_after_s: float = 20.0
    thanks_s: float = 4.0
    pin_attempts: int = 3

    @classmethod
    def from_config(cls, ui) -> "FlowSettings":
        return cls(idle_timeout_s=float(ui.idle_timeout_s), idle_warning_s=float(ui.idle_warning_s),
                   auto_speak=bool(ui.auto_speak), staff_pin=str(ui.staff_pin))


SEARCH_MIN_CHARS = 2
SEARCH_LIMIT = 6


class Flow:
    def __init__(self, kb, db=None, ports: Ports | None = None, settings: FlowSettings | None = None,
                 status: DeviceStatus | None = None):
        self.kb = kb
        self.db = db
        self.ports: Ports = ports or NullPorts()
        self.settings = settings or FlowSettings()
        self.status = status or DeviceStatus()
        self.listeners: list[Callable[["Flow"], None]] = []
        self.token = 0
        """Bumped by every request to a worker and every trip home; stale results are ignored."""
        self.speak_token = 0
        self.timeouts = 0
        """How many sessions ended by the idle timeout (the app then resets text size and contrast)."""
        self._reset()
        self.state = State.HOME

    # ------------------------------------------------------------------ state
    def _reset(self) -> None:
        self.state: State = State.HOME
        self.transcript = ""
        self.result = None  # AskResult of the last question
        self.answer: Answer | None = None
        self.view: AnswerView | None = None
        self.choices: list[Choice] = []
        """The clarify screen's buttons (short label, official title)."""
        self.none_reason = NoneReason.NOT_FOUND  # NOT_THESE after "Không phải"
        self.category: Category | None = None
        self.browse_items: list[Procedure] = []
        self.search_text = ""
        self.search_results: list[Match] = []
        self.speaking = False
        self.print_busy = False
        self.print_message = ""
        self.print_ok: bool | None = None
        self.message = ""  # a calm one-off message (error, thanks)
        self.thanks = False
        self.question_id: int | None = None
        self.chosen_code: str | None = None
        self.rated = False
        self.idle_s = 0.0
        self.warning_left = 0.0
        self.attract = False
        self.pin_error = ""
        self.pin_attempts = 0
        self.staff_message = ""
        self._back: list[State] = []  # where "Quay lại" goes from the answer/browse screens
        self._resume: State = State.HOME
        self._before_listen: State = State.HOME
        self._pending = None  # (AskResult, channel) waiting for the thinking dwell
        self._dwell = 0.0
        self._thanks_left = 0.0

    @property
    def voice_available(self) -> bool:
        return self.status.voice_input

    @property
    def can_go_back(self) -> bool:
        """"Quay lại" has somewhere to go other than home (e.g. the choices after "Không phải")."""
        return bool(self._back)

    @property
    def printer_available(self) -> bool:
        return self.status.printer.ok

    @property
    def help_counter(self) -> str:
        return replies.help_counter(self.kb.content.office)

    @property
    def notices(self) -> list[str]:
        """Device notices for the home screen, most important first."""
        out = []
        if self.status.loading and not self.status.voice_input:
            out.append(texts.VOICE_LOADING)
        elif not self.status.mic.ok:
            out.append(texts.NO_MIC)
        elif not self.status.asr.ok:
            out.append(texts.NO_ASR)
        if not self.status.loading and not self.status.tts.ok:
            out.append(texts.NO_TTS)
        return out

    def content_notices(self):
        return active_notices(self.kb.content.notices)

    def categories(self) -> list[Category]:
        return self.kb.categories()

    # -------------------------------------------------------------- plumbing
    def _changed(self) -> None:
        for listener in list(self.listeners):
            try:
                listener(self)
            except Exception:  # a broken view must not stop the flow
                log.exception("flow listener failed")

    def _touch(self) -> None:
        self.idle_s = 0.0
        self.attract = False
        self.message = ""  # a one-off message goes with the next touch
        self.thanks = False

    def _speak(self, text: str) -> None:
        if not text or not self.status.tts.ok:
            return
        self.speak_token += 1
        self.speaking = True
        self.ports.speak(text, self.speak_token)

    def _stop_speaking(self) -> None:
        if self.speaking:
            self.speaking = False
            self.speak_token += 1
            self.ports.stop_speaking()

    def _go(self, state: State) -> None:
        log.debug("flow %s → %s", self.state, state)
        self.state = state

    def _go_home(self) -> None:
        if self.state is State.LISTENING:
            self.ports.cancel_listening()
        self._stop_speaking()
        thanks = self.thanks
        self._reset()
        self.token += 1
        self.thanks = thanks
        self._go(State.HOME)

    def _log(self, query: str, result, channel: Channel) -> None:
        if self.db is None:
            return
        from knowledge.qlog import log_question

        try:
            self.question_id = log_question(self.db, query, result.decision, result.matches, channel=channel,
                                            content_version=self.kb.version)
            self.rated = False
        except Exception as exc:  # a full disk must not cost the citizen the answer
            log.warning("question log not written: %s", exc)
            self.question_id = None

    # ---------------------------------------------------------------- voice
    def press_to_ask(self) -> None:
        """The big button: listen for a question (interrupts whatever is being said)."""
        self._touch()
        if not self.voice_available or self.state in (State.LISTENING, State.THINKING, State.STAFF, State.STAFF_PIN):
            self._changed()
            return
        self._stop_speaking()
        self._before_listen = self.state if self.state is not State.IDLE_WARNING else self._resume
        self.token += 1
        self.transcript = ""
        self.message = ""
        self._pending = None
        self._go(State.LISTENING)
        self.ports.start_listening(self.token)
        self._changed()

    def heard(self, token: int) -> None:
        """The microphone decided the citizen stopped speaking; recognition runs."""
        if token != self.token or self.state is not State.LISTENING:
            return
        self._go(State.THINKING)
        self._dwell = 0.0
        self._changed()

    def speech_ended(self, transcript: str, token: int | None = None, hearings: list | None = None) -> None:
        """The recognised text of the utterance ("" = nothing understood). ``hearings``:
        the recogniser's hearings with their confidence (kiosk.hearing), when known."""
        if token is not None and token != self.token:
            return
        if self.state not in (State.LISTENING, State.THINKING):
            return
        self._touch()
        text = " ".join((transcript or "").split())
        self.transcript = text
        if not text:
            self.none_reason = NoneReason.NOT_HEARD
            self._back = []
            self._go(State.NONE)
            self._speak(self.none_reply().spoken)
            self._changed()
            return
        result = self.kb.ask_heard(hearings) if hearings else self.kb.ask(text, transcript=text)
        self._log(text, result, Channel.VOICE)
        self._go(State.THINKING)
        self._pending = (result, Channel.VOICE)
        self._dwell = 0.0
        # Speak at once: the transcript stays on screen a moment (thinking_dwell_s),
        # but the citizen should hear the answer begin as soon as it is known.
        self._stop_speaking()
        self._speak(self._speech_for(result))
        if self.settings.thinking_dwell_s <= 0:
            self._show_pending()
        self._changed()

    def listen_failed(self, message: str, token: int | None = None, *, mic_lost: bool = False) -> None:
        """Recording or recognition failed: a calm message, back where we were."""
        if token is not None and token != self.token:
            return
        if mic_lost:
            self.status = replace(self.status, mic=DeviceState(False, message))
        elif self.state not in (State.LISTENING, State.THINKING):
            return
        if self.state in (State.LISTENING, State.THINKING):
            self._go(self._before_listen if self._before_listen not in (State.LISTENING, State.THINKING) else State.HOME)
        self.message = texts.LISTEN_FAILED
        self._changed()

    def cancel(self) -> None:
        """"Hủy" while listening or thinking: back to where the question was asked."""
        self._touch()
        if self.state in (State.LISTENING, State.THINKING):
            if self.state is State.LISTENING:
                self.ports.cancel_listening()
            else:
                self._stop_speaking()  # the answer may already be speaking
            self.token += 1
            self._pending = None
            back = self._before_listen
            if back in (State.HOME, State.LISTENING, State.THINKING, State.IDLE_WARNING):
                self._go_home()
            else:
                self._go(back)
        self._changed()

    def _show_pending(self) -> None:
        result, channel = self._pending
        self._pending = None
        self._show_result(result, speak=False)  # speech_ended already started speaking

    def _speech_for(self, result) -> str:
        """What is said for a result of a spoken question: the same words as `kiosk ask --speak`.
        A clarification or "nothing found" is always said (the citizen asked by voice and may
        not be looking at the screen); an answer follows ``auto_speak``."""
        if result.decision is Decision.ANSWER and not self.settings.auto_speak:
            return ""
        return replies.reply_for(result, self.kb).spoken

    def none_reply(self) -> replies.Reply:
        return replies.none_reply(self.help_counter, self.none_reason)

    def _show_result(self, result, *, speak: bool = True) -> None:
        self.result = result
        self._back = []
        if result.decision is Decision.ANSWER:
            self._enter_answer(result.answer, speak=speak)
            return
        if result.decision is Decision.CLARIFY and result.choices:
            self.choices = list(replies.choices_of(result.choices, self.kb.content.procedure))
            self._go(State.CLARIFY)
        else:
            self.none_reason = result.reason or NoneReason.NOT_FOUND
            self._go(State.NONE)
        if speak:
            self._speak(self._speech_for(result))

    # ----------------------------------------------------------- touch path
    def choose(self, code: str) -> None:
        """A procedure tapped on the clarify, browse, search or none screen."""
        self._touch()
        try:
            answer = self.kb.answer_for(code)
        except Exception:
            log.exception("no answer for %s", code)
            self.message = texts.ERROR
            self._changed()
            return
        came_from = self.state
        if came_from is State.CLARIFY:
            self.chosen_code = code
        elif came_from is State.SEARCH:
            result = self.kb.ask(self.search_text)
            self._log(self.search_text, result, Channel.SEARCH)
            self.chosen_code = code
        elif came_from is State.BROWSE:
            self._log_browse(answer)
        # "Quay lại" retraces the way here: none → field → procedure, clarify → procedure…
        self._back = self._back + [came_from] if came_from in (State.BROWSE, State.SEARCH, State.CLARIFY) else []
        self._enter_answer(answer)
        self._changed()

    def _log_browse(self, answer: Answer) -> None:
        from knowledge.base import AskResult

        match = Match(answer.code, answer.title, 100.0)
        self._log(answer.title, AskResult(answer.title, Decision.ANSWER, [match], answer), Channel.BROWSE)

    def none_of_these(self) -> None:
        """"Không phải" on the clarify screen: ask again, or choose a field."""
        self._touch()
        if self.state is State.CLARIFY:
            self._stop_speaking()
            self.none_reason = NoneReason.NOT_THESE
            self._back = [State.CLARIFY]  # "Quay lại" shows the choices again
            self._go(State.NONE)
            self._speak(self.none_reply().spoken)
        self._changed()

    def tap_category(self, code: str) -> None:
        self._touch()
        cat = next((c for c in self.kb.categories() if c.code == code), None)
        if cat is None:
            self._changed()
            return
        self._stop_speaking()
        if self.state not in (State.BROWSE,):
            self._back = self._back + [State.NONE] if self.state is State.NONE else []
        self.category = cat
        items = self.kb.procedures_in(code, include_brief=True)
        # Written-up procedures first, then alphabetically as Vietnamese readers expect (Đ with D).
        self.browse_items = sorted(items, key=lambda p: (p.detail is Detail.BRIEF, fold(p.title), p.title))
        self._go(State.BROWSE)
        self._changed()

    def open_search(self) -> None:
        self._touch()
        self._stop_speaking()
        self.search_text = ""
        self.search_results = []
        self._go(State.SEARCH)
        self._changed()

    def search_text_changed(self, text: str) -> None:
        """The on-screen keyboard's text (plain letters are enough)."""
        self._touch()
        self.search_text = text
        if len(fold(text).replace(" ", "")) < SEARCH_MIN_CHARS:
            self.search_results = []
        else:
            matches = self.kb.ask(text, limit=SEARCH_LIMIT).matches[:SEARCH_LIMIT]
            self.search_results = [m for m in matches if m.score >= self.kb.params.search_floor]  # below: noise (knowledge.params)
        self._changed()

    # -------------------------------------------------------------- answer
    def _enter_answer(self, answer: Answer, *, speak: bool = True) -> None:
        if speak:
            self._stop_speaking()
        self.answer = answer
        self.view = answer_view(answer.procedure, self.kb.content.office)
        self.print_busy = False
        self.print_message = ""
        self.print_ok = None
        self._go(State.REDIRECT if answer.kind is ReplyKind.REDIRECT else State.ANSWER)
        if speak and self.settings.auto_speak:
            self._speak(answer.spoken)

    def repeat(self) -> None:
        """"Nghe lại": say the current screen again."""
        self._touch()
        self._speak(self.screen_speech())
        self._changed()

    def stop_speaking(self) -> None:
        self._touch()
        self._stop_speaking()
        self._changed()

    def speaking_done(self, token: int | None = None) -> None:
        if token is None or token == self.speak_token:
            self.speaking = False
            self.idle_s = 0.0
            self._changed()

    def print_checklist(self) -> None:
        """"In danh sách giấy tờ" — or the large view when there is no printer."""
        self._touch()
        if self.answer is None or self.state not in (State.ANSWER, State.CHECKLIST) or not self.view.printable:
            self._changed()
            return
        if not self.printer_available:
            self.show_checklist()
            return
        if not self.print_busy:
            self.print_busy = True
            self.print_ok = None
            self.print_message = texts.PRINTING
            self.ports.print_checklist(self.answer.procedure, self.kb.content.office, self.token)
        self._changed()

    def print_done(self, ok: bool, message: str, token: int | None = None, *, configured: bool = True) -> None:
        if token is not None and token != self.token:
            return
        self.print_busy = False
        self.print_ok = ok
        self.print_message = message
        if not configured:
            self.status = replace(self.status, printer=DeviceState(False, message))
        self._changed()

    def show_checklist(self) -> None:
        self._touch()
        if self.answer is not None and self.state is State.ANSWER:
            self._go(State.CHECKLIST)
        self._changed()

    def ask_another(self) -> None:
        """"Hỏi câu khác": rate the answer first (once), then a fresh home screen."""
        self._touch()
        self._stop_speaking()
        if self.question_id is not None and not self.rated and \
                self.state in (State.ANSWER, State.REDIRECT, State.CHECKLIST):
            self._go(State.RATING)
            self._speak(texts.SAY_RATING)
        else:
            self._go_home()
        self._changed()

    def rate(self, face: str) -> None:
        """One of the three faces ("good" | "ok" | "bad"); "skip" records nothing."""
        self._touch()
        if self.state is not State.RATING:
            self._changed()
            return
        value = texts.FACES.get(face)
        if value is not None and self.question_id is not None and self.db is not None:
            from knowledge.qlog import rate

            try:
                rate(self.db, self.question_id, value, self.chosen_code)
            except Exception as exc:
                log.warning("rating not written: %s", exc)
        self.rated = True
        self.thanks = value is not None
        self._go_home()
        self._thanks_left = self.settings.thanks_s
        self._changed()

    # ------------------------------------------------------------- navigation
    def back(self) -> None:
        """"Quay lại"."""
        self._touch()
        self._stop_speaking()
        if self.state is State.CHECKLIST:
            self._go(State.ANSWER)
        elif self.state in (State.ANSWER, State.REDIRECT, State.BROWSE, State.NONE) and self._back:
            target = self._back.pop()
            self._go(target)
        else:
            self._go_home()
        self._changed()

    def home(self) -> None:
        self._touch()
        self._go_home()
        self._changed()

    def read_screen(self) -> None:
        """"Đọc to": every screen can be read aloud."""
        self.repeat()

    def read_aloud(self, text: str) -> None:
        """Say a given text (e.g. the whole checklist on the large view)."""
        self._touch()
        self._speak(text)
        self._changed()

    def screen_speech(self) -> str:
        s = self.state
        if s in (State.ANSWER, State.REDIRECT, State.CHECKLIST) and self.answer is not None:
            return self.answer.spoken
        if s is State.CLARIFY:
            return replies.clarify_spoken(self.choices)
        if s is State.NONE:
            return self.none_reply().spoken
        if s is State.BROWSE and self.category is not None:
            if not self.browse_items:
                return texts.SAY_BROWSE_EMPTY.format(name=self.category.name, counter=self.help_counter)
            titles = ". ".join(p.title for p in self.browse_items[:6])
            return texts.SAY_BROWSE.format(name=self.category.name) + " " + titles + "."
        if s is State.SEARCH:
            if self.search_results:
                return "Kết quả: " + ". ".join(m.title for m in self.search_results) + "."
            return texts.SAY_SEARCH
        if s is State.RATING:
            return texts.SAY_RATING
        if s is State.IDLE_WARNING:
            return texts.SAY_IDLE
        if s is State.LISTENING:
            return ""
        if s in (State.STAFF, State.STAFF_PIN):
            return texts.SAY_STAFF
        return texts.SAY_HOME if self.voice_available else texts.SAY_HOME_NO_VOICE

    # ------------------------------------------------------------------ idle
    def idle_tick(self, seconds: float) -> None:
        """The app's clock, every fraction of a second: thinking dwell, idle warning, attract."""
        changed = False
        if self.state is State.THINKING and self._pending is not None:
            self._dwell += seconds
            if self._dwell >= self.settings.thinking_dwell_s:
                self._show_pending()
                changed = True
        if self.thanks and self.state is State.HOME:
            self._thanks_left -= seconds
            if self._thanks_left <= 0:
                self.thanks = False
                changed = True
        busy = self.state in (State.LISTENING, State.THINKING) or self.speaking or self.print_busy
        if busy and self.state is not State.IDLE_WARNING:
            self.idle_s = 0.0
        else:
            self.idle_s += seconds
            if self.state is State.HOME:
                if not self.attract and self.idle_s >= self.settings.attract_after_s:
                    self.attract = True
                    changed = True
            elif self.state is State.IDLE_WARNING:
                left = max(0.0, self.warning_left - seconds)
                if int(left + 0.999) != int(self.warning_left + 0.999):
                    changed = True
                self.warning_left = left
                if left <= 0:
                    self._go_home()
                    self.timeouts += 1
                    changed = True
            elif self.idle_s >= self.settings.idle_timeout_s:
                self._resume = self.state
                self.warning_left = self.settings.idle_warning_s
                self._go(State.IDLE_WARNING)
                self._speak(texts.SAY_IDLE)
                changed = True
        if changed:
            self._changed()

    def continue_session(self) -> None:
        """"Tiếp tục" on the idle warning."""
        self._touch()
        if self.state is State.IDLE_WARNING:
            self._stop_speaking()
            self._go(self._resume)
        self._changed()

    # ----------------------------------------------------------------- staff
    def staff_request(self) -> None:
        """The hidden gesture (long press on the clock)."""
        self._touch()
        if self.state in (State.LISTENING, State.THINKING):
            self._changed()
            return
        self._stop_speaking()
        self.pin_error = ""
        self.pin_attempts = 0
        self._go(State.STAFF_PIN)
        self._changed()

    def staff_unlock(self, pin: str) -> bool:
        self._touch()
        if self.state is not State.STAFF_PIN:
            self._changed()
            return False
        if pin == self.settings.staff_pin:
            self.pin_error = ""
            self.staff_message = ""
            self._go(State.STAFF)
            self._changed()
            return True
        self.pin_attempts += 1
        self.pin_error = texts.PIN_WRONG
        if self.pin_attempts >= self.settings.pin_attempts:
            self._go_home()
        self._changed()
        return False

    def staff_exit(self) -> None:
        self._touch()
        self._go_home()
        self._changed()

    def reload(self, kb) -> None:
        """New content (staff "Nạp lại nội dung"): start from a clean home screen."""
        self.kb = kb
        staff = self.state is State.STAFF
        self._go_home()
        if staff:
            self._go(State.STAFF)
        self._changed()

    def devices_changed(self, status: DeviceStatus) -> None:
        self.status = status
        self._changed()

    def show_message(self, message: str) -> None:
        self.message = message
        self._changed()
