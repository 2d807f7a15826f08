"""The staff page: the hidden gesture, the PIN (a few tries, then home), leaving."""
from __future__ import annotations

from kiosk.app import texts
from kiosk.app.visit import State, Visit


class StaffMode(Visit):
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
