"""What the flow tests share (tests/test_app_flow*.py): a few procedure codes of the shipped
content, fake ports that record what the flow asked the workers for, the ``knowledge`` and
``make`` fixtures (registered as a plugin in tests/conftest.py) and two small helpers."""
from __future__ import annotations

import pytest

from kiosk.app.flow import DeviceState, DeviceStatus, Flow, FlowSettings
from kiosk.config import Config, PathsConfig
from kiosk.services import load_knowledge

BIRTH = "1.001193"  # Đăng ký khai sinh
MARRIAGE = "1.000894"  # Đăng ký kết hôn
TEMP_RESIDENCE = "1.004194"  # Đăng ký tạm trú
BIRTH_FOREIGN = "2.000528"  # Đăng ký khai sinh có yếu tố nước ngoài
NEW_HOUSE = "1.013225"  # Cấp giấy phép xây dựng mới … nhà ở riêng lẻ ("Xây nhà mới")
DIVORCE = "redirect.ly-hon"  # not done at the ward: Tòa án nhân dân khu vực
ALL_OK = DeviceStatus(DeviceState(True), DeviceState(True), DeviceState(True), DeviceState(True), loading=False)


class FakePorts:
    """Records what the flow asked for; the tests play the workers' part."""

    def __init__(self):
        self.calls: list[tuple] = []

    def start_listening(self, token):
        self.calls.append(("listen", token))

    def cancel_listening(self):
        self.calls.append(("cancel",))

    def speak(self, text, token):
        self.calls.append(("speak", text, token))

    def stop_speaking(self):
        self.calls.append(("stop",))

    def print_checklist(self, procedure, office, token):
        self.calls.append(("print", procedure.code, token))

    def names(self):
        return [c[0] for c in self.calls]

    def last(self, name):
        return next(c for c in reversed(self.calls) if c[0] == name)


@pytest.fixture(scope="module")
def knowledge(tmp_path_factory):
    cfg = Config(paths=PathsConfig(data_dir=tmp_path_factory.mktemp("data")))
    return load_knowledge(cfg)


@pytest.fixture
def make(knowledge):
    kb, db = knowledge

    def build(status=ALL_OK, **settings):
        ports = FakePorts()
        flow = Flow(kb, db, ports, FlowSettings(**{"thinking_dwell_s": 1.0, **settings}), status)
        changes = []
        flow.listeners.append(lambda f: changes.append(f.state))
        return flow, ports

    return build


def log_row(flow):
    return flow.db["question_log"].get(flow.question_id)


def ask_by_voice(flow, ports, text):
    flow.press_to_ask()
    token = ports.last("listen")[1]
    flow.heard(token)
    flow.speech_ended(text, token)
    flow.idle_tick(1.1)  # the transcript stays on screen briefly, then the result

