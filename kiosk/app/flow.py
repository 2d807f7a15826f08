"""The conversation at the kiosk as a plain-Python state machine (no Kivy, no audio).

The UI calls one method per event (a tap, the end of an utterance, a clock tick);
the flow changes its public attributes, asks its *ports* to act (listen, speak, stop,
print — :mod:`kiosk.app.devices` implements them with worker threads), and tells its
listeners that something changed. Results from workers come back as further events
(``heard``, ``speech_ended``, ``print_done``, ``speaking_done``), each carrying the
token of the request so that a late answer to a cancelled request is ignored.

    home ─press─► listening ─heard─► thinking ─(transcript shown briefly)─► answer | redirect | clarify | none
    clarify ─choose─► answer | redirect      clarify ─"Không phải"─► clarify, page 2 (the next choices, when
    there are) ─"Không phải"─► none (fields, ask again); "Quay lại" on page 2 ─► page 1
    answer | redirect (the kiosk's guess) ─"Không phải việc này?"─► clarify (the next ones) ─"Quay lại"─► the answer
    home ─tile─► browse ─choose─► answer ─print/repeat/stop─► answer ─ask another─► rating ─► home
    any ─(idle_timeout_s without a touch)─► idle_warning ─continue─► back │ ─(idle_warning_s)─► home (cleared)

The events are grouped by what the citizen is doing, one module each, all sharing one
:class:`kiosk.app.visit.Visit` (a tap may end what a voice question started):
:mod:`~kiosk.app.voice_path`, :mod:`~kiosk.app.touch_path`, :mod:`~kiosk.app.answer_actions`
(print, checklist, rating), :mod:`~kiosk.app.reading_aloud` and :mod:`~kiosk.app.staff_mode`;
the devices side is :mod:`kiosk.app.ports`.
"""
from __future__ import annotations

from kiosk.app import texts
from kiosk.app.answer_actions import AnswerActions
from kiosk.app.ports import DeviceState, DeviceStatus, NullPorts, Ports
from kiosk.app.reading_aloud import ReadingAloud
from kiosk.app.staff_mode import StaffMode
from kiosk.app.touch_path import TouchPath
from kiosk.app.visit import FlowSettings, State
from kiosk.app.voice_path import VoicePath

# Where the app, the devices and the tests have always imported them from.
__all__ = ["DeviceState", "DeviceStatus", "Flow", "FlowSettings", "NullPorts", "Ports", "State"]


class Flow(VoicePath, TouchPath, AnswerActions, ReadingAloud, StaffMode):
    """The whole conversation. What cuts across the paths stays here: "Quay lại" and
    home, the clock (thinking dwell, idle warning, attract), and events from the app."""

    # ------------------------------------------------------------- navigation
    def back(self) -> None:
        """"Quay lại"."""
        self._touch()
        self._stop_speaking()
        if self.state is State.CHECKLIST:
            self._go(State.ANSWER)
        elif self.state is State.CLARIFY and self.clarify_page == 2 and self.more_choices:  # the first page again
            self._turn_clarify_page()
        elif self.state in (State.ANSWER, State.REDIRECT, State.BROWSE, State.NONE, State.CLARIFY) and self._back:
            target = self._back.pop()
            if self.state is State.CLARIFY and target in (State.ANSWER, State.REDIRECT) and self._guess is not None:
                answer, alternatives = self._guess  # the kiosk's answer, not one chosen since
                self._enter_answer(answer, speak=False)
                self.alternatives = alternatives
            self._go(target)
        else:
            self._go_home()
        self._changed()

    def home(self) -> None:
        self._touch()
        self._go_home()
        self._changed()

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

    # -------------------------------------------------------------- from the app
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
