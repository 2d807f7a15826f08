"""What the flow knows of the kiosk's devices and asks of them.

The flow never touches a device itself: it calls a :class:`Ports` (``kiosk.app.devices``
runs each call in a worker thread) and reads a :class:`DeviceStatus` to decide what to
offer, so it stays plain Python that tests drive without audio, printer or window.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from knowledge.model import Procedure


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
