"""Reading aloud: what each screen says when asked ("Nghe lại", "Đọc to"), saying a
given text, and stopping or finishing speech.
"""
from __future__ import annotations

from kiosk.app import texts
from kiosk.app.visit import State, Visit
from knowledge import replies


class ReadingAloud(Visit):
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
            if self.clarify_page == 2:
                return replies.clarify_more_spoken(self.choices)
            return replies.clarify_spoken(self.choices)
        if s is State.NONE:
            return self.none_reply().spoken
        if s is State.BROWSE and self.category is not None:
            if not self.browse_items:
                return texts.SAY_BROWSE_EMPTY.format(name=self.category.name, counter=self.help_counter)
            titles = ". ".join(p.label for p in self.browse_items[:6])  # as the buttons read
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
