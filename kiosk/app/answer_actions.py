"""What the citizen does with an answer: print the document list (or show it large
when there is no printer), then rate the answer once before asking another question.
"""
from __future__ import annotations

import logging
from dataclasses import replace

from kiosk.app import texts
from kiosk.app.ports import DeviceState
from kiosk.app.visit import State, Visit

# Logs under the conversation's one name (see kiosk.app.visit).
log = logging.getLogger("kiosk.app.flow")


class AnswerActions(Visit):
    def print_checklist(self) -> None:
        """"In danh sách giấy tờ" — or the large view when there is no printer."""
        self._touch()
        if self.answer is None or self.state not in (State.ANSWER, State.CHECKLIST) or self.view is None or not self.view.printable:
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
