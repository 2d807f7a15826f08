"""One visit at the kiosk: the states it goes through, its settings, what it holds, and
the moves every event makes (notify the screens, speak, change state, go home, log).

The events themselves live in the classes built on :class:`Visit` (voice path, touch
path, answer actions, reading aloud, staff mode) and are put together in
:class:`kiosk.app.flow.Flow`; they share this state because each event may end a visit
another path started (a tap cancels listening, the idle clock cancels anything).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Callable, cast

from kiosk.app import texts
from kiosk.app.ports import DeviceStatus, NullPorts, Ports
from kiosk.app.view import AnswerView, active_notices, answer_view
from knowledge import replies
from knowledge.model import Answer, Category, Match, NoneReason, Procedure, ReplyKind
from knowledge.qlog import Channel
from knowledge.replies import Choice

if TYPE_CHECKING:  # imported where used: knowledge.base loads the matcher
    from kiosk.app.flow import Flow
    from knowledge.base import AskResult

# The conversation logs under one name, the one it had as a single module, whichever
# part of it speaks: a journal filter on kiosk.app.flow keeps seeing all of it.
log = logging.getLogger("kiosk.app.flow")


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


class Visit:
    """What one visit holds, and the moves every event makes. Not used alone: see Flow."""

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
        self.state = State.HOME
        self.transcript = ""
        self.result: AskResult | None = None  # of the last question
        self.answer: Answer | None = None
        self.view: AnswerView | None = None
        self.choices: list[Choice] = []
        """The clarify screen's buttons (short label, official title)."""
        self.more_choices: list[Choice] = []
        """The clarify screen's second page, shown after "Không phải" (knowledge.base.more_choices)."""
        self.clarify_page = 1
        self.alternatives: list[Choice] = []
        """Offered by "Không phải việc này?" on an answer to a question (not to a tap)."""
        self._guess: tuple[Answer, list[Choice]] | None = None  # that answer, for "Quay lại"
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
        self._pending: tuple[AskResult, str] | None = None  # (result, channel) waiting for the thinking dwell
        self._dwell = 0.0
        self._thanks_left = 0.0

    @property
    def voice_available(self) -> bool:
        return self.status.voice_input

    @property
    def can_go_back(self) -> bool:
        """"Quay lại" has somewhere to go other than home (e.g. the choices after "Không phải")."""
        return bool(self._back) or (self.state is State.CLARIFY and self.clarify_page == 2)

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
                listener(cast("Flow", self))  # a Visit only ever exists as the base of a Flow
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

    # ------------------------------------------- reached from the voice and the touch path
    def _turn_clarify_page(self) -> None:
        """Between the clarify screen's two pages: the page not shown waits in ``more_choices``."""
        self.clarify_page = 2 if self.clarify_page == 1 else 1
        self.choices, self.more_choices = self.more_choices, self.choices

    def _enter_answer(self, answer: Answer, *, speak: bool = True) -> None:
        if speak:
            self._stop_speaking()
        self.answer = answer
        self.alternatives = []  # the caller sets them when the answer is the kiosk's guess
        self.view = answer_view(answer.procedure, self.kb.content.office)
        self.print_busy = False
        self.print_message = ""
        self.print_ok = None
        self._go(State.REDIRECT if answer.kind is ReplyKind.REDIRECT else State.ANSWER)
        if speak and self.settings.auto_speak:
            self._speak(answer.spoken)

    def none_reply(self) -> replies.Reply:
        if self.none_reason is NoneReason.LOBBY and self.result is not None and self.result.lobby is not None:
            return replies.lobby_reply(self.result.lobby, self.help_counter)
        return replies.none_reply(self.help_counter, self.none_reason, self.kb.content.office.hours)
