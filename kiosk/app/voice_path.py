"""Asking by voice: the big button, listening, the recognised text, the thinking dwell
and showing what the knowledge base made of the question.

Every worker result carries the token of its request: a result for a question the
citizen has since cancelled (or left by the idle clock) is dropped here.
"""
from __future__ import annotations

from dataclasses import replace

from kiosk.app import texts
from kiosk.app.ports import DeviceState
from kiosk.app.visit import State, Visit
from knowledge import replies
from knowledge.model import Decision, NoneReason
from knowledge.qlog import Channel


class VoicePath(Visit):
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

    def speech_ended(self, transcript: str, token: int | None = None, hearings: list | None = None,
                     fitted: tuple = ()) -> None:
        """The recognised text of the utterance ("" = nothing understood). ``hearings``:
        the recogniser's hearings with their confidence (kiosk.hearing), when known;
        ``fitted``: the first candidates with their fit to the audio (kiosk.sound_fit)."""
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
        if fitted:
            from kiosk.hearing import with_fit

            result = with_fit(self.kb, result, fitted)
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
        if self._pending is None:  # shown already, or cancelled
            return
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

    def _show_result(self, result, *, speak: bool = True) -> None:
        self.result = result
        self._back = []
        if result.decision is Decision.ANSWER:
            self._enter_answer(result.answer, speak=speak)
            self.alternatives = list(replies.choices_of(result.more_choices, self.kb.content.procedure))
            return
        if result.decision is Decision.CLARIFY and result.choices:
            self.choices = list(replies.choices_of(result.choices, self.kb.content.procedure))
            self.more_choices = list(replies.choices_of(result.more_choices, self.kb.content.procedure))
            self.clarify_page = 1
            self._go(State.CLARIFY)
        else:
            self.none_reason = result.reason or NoneReason.NOT_FOUND
            self._go(State.NONE)
        if speak:
            self._speak(self._speech_for(result))
