"""The Kivy app: builds the shell and the screens, mirrors the flow into Kivy
properties (which the ``.kv`` files bind to), and runs the clock.

Import this module only after the ``KIVY_*`` environment is set (``kiosk run`` does).
"""
from __future__ import annotations

import datetime as dt
import logging
import threading
from pathlib import Path

from kivy.app import App
from kivy.base import ExceptionHandler, ExceptionManager
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.factory import Factory
from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.app import fonts, texts
from kiosk.app.flow import Flow, FlowSettings, State
from kiosk.app.screens import KV_FILES, SCREENS
from kiosk.app.theme import Theme

log = logging.getLogger(__name__)

KV_DIR = Path(__file__).resolve().parent / "kv"
WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")
TICK_S = 0.25
LEVEL_S = 0.05
CONTENT_POLL_S = 30.0  # how often the kiosk looks for content published in the admin


class Shell(BoxLayout):
    pass


Factory.register("Shell", cls=Shell)
Factory.register("KScreen", module="kiosk.app.screens")
for _name in ("KButton", "KLabel", "KIcon", "LevelMeter", "LongPress", "QrImage", "Filler", "Card", "ButtonRow",
              "TileGrid"):
    Factory.register(_name, module="kiosk.app.widgets")


class _CalmErrors(ExceptionHandler):
    """Any exception in a UI callback: log it, show a calm message, go home — never crash."""

    def __init__(self, app: "KioskApp"):
        self.app = app

    def handle_exception(self, inst):
        if isinstance(inst, (KeyboardInterrupt, SystemExit)):
            return ExceptionManager.RAISE
        log.error("unexpected error in the app", exc_info=inst)
        try:
            self.app.flow.home()
            self.app.flow.show_message(texts.ERROR)
        except Exception:
            log.exception("could not recover")
        return ExceptionManager.PASS


class KioskApp(App):
    title = "Kiosk hỏi đáp thủ tục hành chính"

    theme = ObjectProperty(None)
    state = StringProperty("home")
    portrait = BooleanProperty(False)
    voice_available = BooleanProperty(False)
    printer_available = BooleanProperty(False)
    tts_available = BooleanProperty(False)
    speaking = BooleanProperty(False)
    attract = BooleanProperty(False)
    print_busy = BooleanProperty(False)
    print_ok = NumericProperty(-1)
    """-1 nothing printed yet, 0 failed, 1 printed."""
    print_message = StringProperty("")
    transcript = StringProperty("")
    message = StringProperty("")
    office_name = StringProperty("")
    office_hours = StringProperty("")
    clock_time = StringProperty("")
    clock_date = StringProperty("")
    search_text = StringProperty("")
    pin_text = StringProperty("")
    pin_error = StringProperty("")
    staff_message = StringProperty("")
    can_go_back = BooleanProperty(False)
    none_title = StringProperty("")
    none_body = StringProperty("")
    browse_title = StringProperty("")
    level = NumericProperty(0.0)
    warning_left = NumericProperty(0)

    def __init__(self, config, *, kb, db, devices, settings: FlowSettings | None = None, **kwargs):
        super().__init__(**kwargs)
        from kiosk.services import LiveKnowledge

        self.kiosk_config = config
        self.live = LiveKnowledge(config, kb, db)  # follows what staff publish (kiosk.services, tested there)
        self.devices = devices
        self.theme = Theme(scale=max(1.0, min(1.6, float(config.ui.font_scale))),
                           high_contrast=bool(config.ui.high_contrast))
        self.flow = Flow(kb, db, devices, settings or FlowSettings.from_config(config.ui), devices.status)
        devices.sink = self.flow
        devices.post = lambda fn: Clock.schedule_once(lambda dt: fn(), 0)
        self.flow.listeners.append(self._on_flow)
        self.shell: Shell | None = None
        self._tools: list = []

    # ------------------------------------------------------------------ build
    def build(self):
        fonts.register()
        for name in KV_FILES:
            Builder.load_file(str(KV_DIR / f"{name}.kv"))
        ExceptionManager.add_handler(_CalmErrors(self))
        self.shell = Factory.Shell()
        sm = self.shell.ids.sm
        from kivy.uix.screenmanager import NoTransition

        sm.transition = NoTransition()
        for name, cls in SCREENS.items():
            sm.add_widget(cls(name=name))
        self._make_tools()
        Window.bind(size=self._on_window_size, on_textinput=self._on_textinput, on_key_down=self._on_key_down)
        self._on_window_size(Window, Window.size)
        office = self.flow.kb.content.office
        self.office_name = office.name
        self.office_hours = office.hours
        self._clock()
        Clock.schedule_interval(self._clock, 1.0)
        Clock.schedule_interval(lambda dt: self.flow.idle_tick(dt), TICK_S)
        Clock.schedule_interval(self._poll_level, LEVEL_S)
        self._on_flow(self.flow)
        return self.shell

    def on_start(self):
        self.devices.start()
        self.bind(attract=self._attract)
        # systemd watchdog (kiosk.service, Type=notify): beats come from the UI thread, so
        # a frozen UI stops them and systemd restarts the kiosk.
        from kiosk.heartbeat import Heartbeat

        self.heartbeat = Heartbeat.from_env()
        self.heartbeat.ready(status="kiosk đang chạy")
        if self.heartbeat.interval:
            Clock.schedule_interval(lambda dt: self.heartbeat.beat(), self.heartbeat.interval)
        Clock.schedule_interval(self._check_content, CONTENT_POLL_S)

    def _check_content(self, _dt=None):
        """Pick up what staff published in the admin (or a new day's procedures), between
        citizens: LiveKnowledge loads it off the UI thread; the flow takes it at home."""
        self._content_published()  # loaded earlier while a citizen was being served
        if self.flow.state is not State.HOME or getattr(self, "_content_check_running", False):
            return
        self._content_check_running = True

        def work():
            try:
                if self.live.refresh():
                    Clock.schedule_once(lambda dt: self._content_published(), 0)
            finally:
                self._content_check_running = False

        threading.Thread(target=work, name="kiosk-content-poll", daemon=True).start()

    def _content_published(self):
        kb = self.live.kb
        if kb is not self.flow.kb and self.flow.state is State.HOME:  # a citizen may have started meanwhile
            log.info("content version %s published: loaded", kb.version)
            self.flow.reload(kb)

    def _attract(self, _app, on):
        """Idle at home: the voice button breathes gently to invite a question."""
        from kivy.animation import Animation

        ask = self.shell.ids.sm.get_screen("home").ids.ask
        Animation.cancel_all(ask, "opacity")
        if on and self.voice_available:
            anim = Animation(opacity=0.72, duration=1.4, t="in_out_sine") + \
                Animation(opacity=1.0, duration=1.4, t="in_out_sine")
            anim.repeat = True
            anim.start(ask)
        else:
            ask.opacity = 0 if ask.hidden else 1

    def on_stop(self):
        hb = getattr(self, "heartbeat", None)
        if hb is not None:
            hb.stopping()
        try:
            self.devices.close()
        except Exception:
            log.exception("closing devices")

    def _make_tools(self):
        """Text size, contrast and read-aloud: in the top bar (landscape) or a second row (portrait)."""
        make = Factory.BarButton
        specs = (("Cỡ chữ", "zoom", self.cycle_scale), ("Tương phản", "contrast", self.toggle_contrast),
                 ("Đọc to", "speaker", self.flow.read_screen))
        self._tools = []
        for text, icon, action in specs:
            b = make(text=text, icon=icon)
            b.action = action
            self._tools.append(b)
        read = self._tools[-1]
        self.bind(tts_available=lambda _a, ok: setattr(read, "dim", not ok))
        read.dim = not self.tts_available

    def _place_tools(self):
        ids = self.shell.ids
        target = ids.tools_portrait if self.portrait else ids.tools_landscape
        for b in self._tools:
            if b.parent is not None:
                b.parent.remove_widget(b)
            b.size_hint_x = 1 if self.portrait else None
            target.add_widget(b)

    # ------------------------------------------------------------- window
    def _on_window_size(self, _win, size):
        w, h = size
        self.theme.unit = max(0.5, min(w, h) / 1080.0)
        portrait = h > w
        if portrait != self.portrait or not any(b.parent for b in self._tools):
            self.portrait = portrait
            self._place_tools()
        self._on_flow(self.flow)

    def _on_textinput(self, _win, text):
        if self.flow.state is State.SEARCH:
            for ch in text:
                self.type_key(ch.lower())
        elif self.flow.state is State.STAFF_PIN and text.isdigit():
            self.pin_key(text)

    def _on_key_down(self, _win, key, scancode, codepoint, modifiers):
        if key == 8:  # backspace
            if self.flow.state is State.SEARCH:
                self.type_key("\b")
                return True
            if self.flow.state is State.STAFF_PIN:
                self.pin_key("\b")
                return True
        if key == 13 and self.flow.state is State.STAFF_PIN:
            self.pin_key("\n")
            return True
        return False

    # -------------------------------------------------------------- sync
    def _on_flow(self, flow: Flow) -> None:
        if self.shell is None:
            return
        try:
            self._sync(flow)
        except Exception:
            log.exception("screen update failed in state %s", flow.state)
            if self._recovering:
                return
            self._recovering = True
            try:  # a calm message on a fresh home screen, never a traceback
                flow.home()
                flow.show_message(texts.ERROR)
            finally:
                self._recovering = False

    _recovering = False

    _timeouts_seen = 0

    def _sync(self, flow: Flow) -> None:
        if flow.timeouts != self._timeouts_seen:  # the next citizen starts with the configured look
            self._timeouts_seen = flow.timeouts
            self.theme.scale = max(1.0, min(1.6, float(self.kiosk_config.ui.font_scale)))
            self.theme.high_contrast = bool(self.kiosk_config.ui.high_contrast)
        self.voice_available = flow.voice_available
        self.printer_available = flow.printer_available
        self.tts_available = flow.status.tts.ok
        self.speaking = flow.speaking
        self.attract = flow.attract
        self.print_busy = flow.print_busy
        self.print_ok = -1 if flow.print_ok is None else int(bool(flow.print_ok))
        self.print_message = flow.print_message
        self.transcript = flow.transcript
        self.message = flow.message or (texts.THANKS if flow.thanks else "")
        self.search_text = flow.search_text
        self.pin_error = flow.pin_error
        self.warning_left = int(flow.warning_left + 0.999)
        self.browse_title = flow.category.name if flow.category else ""
        self.can_go_back = flow.can_go_back
        none = flow.none_reply()
        self.none_title, self.none_body = none.heading, none.body
        if flow.state is not State.STAFF_PIN:
            self.pin_text = ""
        name = flow.state.value
        sm = self.shell.ids.sm
        screen = sm.get_screen(name)
        screen.refresh(self, flow)
        if sm.current != name:
            if name != State.STAFF.value:
                self.staff_message = ""
            sm.current = name
        self.state = name

    def _clock(self, *_):
        now = dt.datetime.now()
        self.clock_time = now.strftime("%H:%M")
        self.clock_date = f"{WEEKDAYS[now.weekday()]}, {now:%d/%m/%Y}"

    def _poll_level(self, _dt):
        if self.flow.state is State.LISTENING:
            target = self.devices.level
            self.level = self.level * 0.4 + target * 0.6
        elif self.level:
            self.level = 0.0

    # ----------------------------------------------------------- actions
    def cycle_scale(self):
        self.theme.next_scale()
        self.flow.idle_s = 0.0
        self._on_flow(self.flow)

    def toggle_contrast(self):
        self.theme.high_contrast = not self.theme.high_contrast
        self.flow.idle_s = 0.0
        self._on_flow(self.flow)

    def type_key(self, ch: str):
        text = self.flow.search_text
        if ch == "\b":
            text = text[:-1]
        elif ch == "\x7f":
            text = ""
        elif len(text) < 60:
            text += ch
        self.flow.search_text_changed(text)

    def pin_key(self, ch: str):
        if ch == "\b":
            self.pin_text = self.pin_text[:-1]
        elif ch == "\n":
            pin, self.pin_text = self.pin_text, ""
            self.flow.staff_unlock(pin)
        elif len(self.pin_text) < 8:
            self.pin_text += ch
        self.flow.idle_s = 0.0

    def read_checklist(self):
        flow = self.flow
        if flow.answer is None:
            return
        text = self.devices.checklist_speech(flow.answer.procedure, flow.kb.content.office) or flow.answer.spoken
        flow.read_aloud(text)

    def staff_refresh(self):
        self.staff_message = "Đang kiểm tra lại thiết bị…"
        self.devices.refresh()

    def staff_reload(self):
        self.staff_message = "Đang nạp lại nội dung…"

        def work():
            try:
                kb = self.live.reload()
                Clock.schedule_once(lambda dt: self._reloaded(kb, None), 0)
            except Exception as exc:
                log.exception("content reload failed")
                msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                Clock.schedule_once(lambda dt: self._reloaded(None, msg), 0)

        threading.Thread(target=work, name="kiosk-reload", daemon=True).start()

    def _reloaded(self, kb, error):
        if kb is None:
            self.staff_message = texts.RELOAD_FAILED.format(error=error)
            self._on_flow(self.flow)
            return
        self.staff_message = texts.RELOADED.format(n=len(kb.content.procedures), version=kb.version or "?")
        self.flow.reload(kb)

    def staff_test_print(self):
        kb = self.flow.kb
        from knowledge.model import Detail

        procedure = next((p for p in kb.content.procedures if p.detail is Detail.FULL), None)
        if procedure is None:
            self.staff_message = "Chưa có thủ tục nào để in thử."
            return
        self.staff_message = "Đang in thử…"

        def done(ok, message):
            self.staff_message = ("In thử xong: " if ok else "In thử chưa được: ") + message
            self._on_flow(self.flow)

        self.devices.test_print(procedure, kb.content.office, done)
