"""Finding a procedure by touch: a choice on the clarify screen, a field tile and its
list, the on-screen keyboard search, and "Không phải" when none of the choices fits.
"""
from __future__ import annotations

import logging

from kiosk.app import texts
from kiosk.app.visit import State, Visit
from knowledge import replies
from knowledge.model import Answer, Decision, Match, NoneReason
from knowledge.normalize import fold
from knowledge.qlog import Channel

# Logs under the conversation's one name (see kiosk.app.visit).
log = logging.getLogger("kiosk.app.flow")

SEARCH_MIN_CHARS = 2
SEARCH_LIMIT = 6


class TouchPath(Visit):
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
        """"Không phải" on the clarify screen: the next choices once, then ask again or
        choose a field. A second page costs one tap; asking again costs an elderly citizen
        the whole question (spoken development set: right procedure within reach 76.7 →
        81.3 % with it)."""
        self._touch()
        if self.state is State.CLARIFY and self.clarify_page == 1 and self.more_choices:
            self._stop_speaking()
            self._turn_clarify_page()
            self._speak(replies.clarify_more_spoken(self.choices))
        elif self.state is State.CLARIFY:
            self._stop_speaking()
            self.none_reason = NoneReason.NOT_THESE
            self._back = [State.CLARIFY]  # "Quay lại" shows the choices again
            self._go(State.NONE)
            self._speak(self.none_reply().spoken)
        self._changed()

    def not_this_one(self) -> None:
        """"Không phải việc này?" on an answer the kiosk chose: the next procedures of the
        ranking as choices. Of the questions answered wrongly, about three in four have the
        right one there (training sets 9 and 10, authored set; docs/matching.md)."""
        self._touch()
        if self.state in (State.ANSWER, State.REDIRECT) and self.alternatives:
            self._stop_speaking()
            self._back = [self.state]  # "Quay lại" shows the answer again
            self._guess = (self.answer, list(self.alternatives)) if self.answer is not None else None
            self.choices, self.more_choices, self.clarify_page = list(self.alternatives), [], 2
            self._go(State.CLARIFY)
            self._speak(replies.clarify_more_spoken(self.choices))
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
        # Written-up procedures first, the most asked first (here and in the labelled sets),
        # then alphabetically as Vietnamese readers expect (Đ with D).
        self.browse_items = self.kb.procedures_in(code, include_brief=True, asked=self._asked_here())
        self._go(State.BROWSE)
        self._changed()

    def _asked_here(self) -> dict[str, int]:
        if self.db is None:
            return {}
        from knowledge.qlog import chosen_counts

        try:
            return chosen_counts(self.db)
        except Exception as exc:  # a damaged log must not cost the citizen the list
            log.warning("question log not read: %s", exc)
            return {}

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
