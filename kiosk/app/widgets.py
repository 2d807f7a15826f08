"""Reusable widgets: big buttons with an icon, wrapping labels, the level meter,
the long-press target for the staff gesture and the QR code. Their look is in
``kv/widgets.kv``."""
from __future__ import annotations

from kivy.clock import Clock
from kivy.graphics.texture import Texture
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.image import Image
from kivy.uix.label import Label
from kivy.uix.widget import Widget


def text_width(text: str, font_size: float, bold: bool = True) -> float:
    """Width of one line of ``text`` in the default font (for buttons sized to their text)."""
    from kivy.core.text import Label as CoreLabel

    lbl = CoreLabel(text=text, font_size=font_size, bold=bold)
    lbl.refresh()
    return float(lbl.texture.size[0]) if lbl.texture else len(text) * font_size * 0.6


class KLabel(Label):
    """A label that wraps to its width and is as tall as its text.

    Size and colour come from ``role`` and ``tone`` (theme names), never set directly,
    so the font-size switch and the contrast theme reach every label."""

    role = StringProperty("body")
    tone = StringProperty("fg")


class KIcon(Label):
    name = StringProperty("")


class KButton(ButtonBehavior, BoxLayout):
    """A big rounded button: optional icon, wrapping text, a style from the theme.

    ``action`` is called on release (so screens built in Python can pass callbacks).
    """

    text = StringProperty("")
    shown = StringProperty("")
    """The text as shown, when it differs from ``text`` (line breaks placed by a layout)."""
    sub = StringProperty("")
    """A second, smaller line (e.g. "Hỏi cán bộ tại quầy")."""
    icon = StringProperty("")
    style = StringProperty("secondary")
    font_size = NumericProperty(0)
    """0 = the theme's body size."""
    icon_size = NumericProperty(0)
    halign = StringProperty("left")
    bold = BooleanProperty(True)
    action = ObjectProperty(None, allownone=True)
    min_height = NumericProperty(0)
    """0 = the theme's button height."""
    hidden = BooleanProperty(False)
    """Takes no room, cannot be pressed (e.g. the voice button without a microphone)."""
    need = NumericProperty(0)
    """The height its text needs (set by the kv rule)."""
    dim = BooleanProperty(False)
    """Shown faded (e.g. "Dừng đọc" when nothing is being read)."""

    def on_release(self):
        if self.action is not None:
            self.action()


class LevelMeter(Widget):
    """The microphone level as a row of bars (0…1)."""

    level = NumericProperty(0.0)
    bars = NumericProperty(16)
    color = ListProperty([0, 0, 0, 1])
    dim = ListProperty([0.8, 0.8, 0.8, 1])

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.bind(level=self._draw, pos=self._draw, size=self._draw, color=self._draw, dim=self._draw)

    def _draw(self, *_):
        from kivy.graphics import Color, RoundedRectangle

        self.canvas.clear()
        n = int(self.bars)
        gap = self.width * 0.02
        w = (self.width - gap * (n - 1)) / n
        lit = round(max(0.0, min(1.0, self.level)) * n)
        with self.canvas:
            for i in range(n):
                Color(rgba=self.color if i < lit else self.dim)
                h = self.height * (0.35 + 0.65 * (i + 1) / n)
                RoundedRectangle(pos=(self.x + i * (w + gap), self.y + (self.height - h) / 2), size=(w, h),
                                 radius=[min(w, h) / 4])


class LongPress(Widget):
    """Fires ``on_long_press`` when held for ``hold_s`` seconds (the hidden staff gesture)."""

    hold_s = NumericProperty(2.5)
    __events__ = ("on_long_press",)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._ev = None

    def on_touch_down(self, touch):
        if self.collide_point(*touch.pos):
            self._cancel()
            self._ev = Clock.schedule_once(lambda dt: self.dispatch("on_long_press"), self.hold_s)
            touch.ud[self] = True
        return super().on_touch_down(touch)

    def on_touch_up(self, touch):
        if touch.ud.get(self):
            self._cancel()
        return super().on_touch_up(touch)

    def _cancel(self):
        if self._ev is not None:
            self._ev.cancel()
            self._ev = None

    def on_long_press(self):
        pass


class QrImage(Image):
    """A QR code for ``data``, drawn crisp (nearest-neighbour scaling)."""

    data = StringProperty("")
    dark = ListProperty([0, 0, 0, 1])

    def on_data(self, *_):
        self.texture = None
        if not self.data:
            return
        try:
            import qrcode
            from qrcode.constants import ERROR_CORRECT_M
        except ImportError:
            return
        code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4, box_size=1)
        code.add_data(self.data)
        code.make(fit=True)
        matrix = code.get_matrix()
        n = len(matrix)
        buf = bytearray()
        for row in reversed(matrix):  # textures start at the bottom
            for cell in row:
                buf += b"\x00\x00\x00\xff" if cell else b"\xff\xff\xff\xff"
        tex = Texture.create(size=(n, n), colorfmt="rgba")
        tex.blit_buffer(bytes(buf), colorfmt="rgba", bufferfmt="ubyte")
        tex.mag_filter = "nearest"
        tex.min_filter = "nearest"
        self.texture = tex


class ButtonRow(BoxLayout):
    """Buttons side by side, all as tall as the tallest one needs.

    Children declared in a .kv file must say ``size_hint_y: 1`` themselves (their
    rules are applied after they are added)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("size_hint_y", None)
        super().__init__(**kwargs)

    def add_widget(self, widget, *args, **kwargs):
        super().add_widget(widget, *args, **kwargs)
        widget.size_hint_y = 1
        if hasattr(widget, "need"):
            widget.bind(need=self._fit, opacity=self._fit)
        self._fit()

    def _fit(self, *_):
        # A button folded away (opacity 0, a sliver wide) wraps its text letter by letter:
        # its height does not count.
        self.height = max((getattr(c, "need", 0) for c in self.children if c.opacity > 0), default=0)


class Filler(Widget):
    """Takes the free space of a box when ``grow``, none otherwise."""

    grow = BooleanProperty(True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.on_grow(self, self.grow)

    def on_grow(self, _w, grow):
        self.size_hint_y = 1 if grow else None
        if not grow:
            self.height = 0


class Card(BoxLayout):
    """A padded panel with the theme's card colour."""

    fill = ListProperty([])


def line_size(text: str, font_size: float, bold: bool = True) -> tuple[float, float]:
    """(width, height) of one line of ``text`` in the default font."""
    from kivy.core.text import Label as CoreLabel

    lbl = CoreLabel(text=text, font_size=font_size, bold=bold)
    lbl.refresh()
    if lbl.texture:
        return float(lbl.texture.size[0]), float(lbl.texture.size[1])
    return len(text) * font_size * 0.6, font_size * 1.4


class TileGrid(GridLayout):
    """The field tiles, laid out to fit ``avail`` (the scroll view's size) without
    scrolling: columns, icon above or beside the text and icon size come from
    :func:`kiosk.app.tiles.plan_tiles`. When nothing fits (very large text on a small
    window) the tiles keep the height they need and the scroll view scrolls."""

    avail = ListProperty([0, 0])
    font = NumericProperty(38)
    font_min = NumericProperty(32)
    icon = NumericProperty(70)
    min_h = NumericProperty(112)
    """Shortest tile: a comfortable touch target (the theme's button height)."""
    gap = NumericProperty(18)
    pad = NumericProperty(24)
    plan = ObjectProperty(None, allownone=True)

    def __init__(self, **kwargs):
        kwargs.setdefault("size_hint_y", None)
        kwargs.setdefault("cols", 4)  # until the first fit
        super().__init__(**kwargs)
        self.row_force_default = True
        self.bind(minimum_height=self.setter("height"))
        self._trigger = Clock.create_trigger(self._fit, -1)
        self.bind(avail=self._trigger, font=self._trigger, icon=self._trigger, gap=self._trigger, min_h=self._trigger,
                  pad=self._trigger, children=self._trigger)

    def _fit(self, *_):
        from kiosk.app.tiles import plan_tiles

        tiles = list(reversed(self.children))
        w, h = self.avail
        plan = font = None
        # The big tile text first; the button text size (still ≥ 32 px) when that cannot fit.
        for font in dict.fromkeys((self.font, min(self.font, self.font_min))):
            plan = plan_tiles([t.text for t in tiles], w, h, font=font, icon=self.icon, gap=self.gap,
                              pad=self.pad, min_h=self.min_h, measure=line_size)
            if plan is None or plan.fits:
                break
        self.plan = plan
        self.spacing = (self.gap, self.gap)
        if plan is None:
            return
        self.cols = plan.cols
        self.row_default_height = plan.tile_h
        for tile, shown in zip(tiles, plan.texts):
            tile.shown = shown
            tile.icon_size = plan.icon
            tile.font_size = font
            if plan.horizontal:
                tile.orientation, tile.halign = "horizontal", "left"
                tile.padding = (self.pad, self.gap)
                tile.spacing = self.gap
            else:
                tile.orientation, tile.halign = "vertical", "center"
                tile.padding = (self.gap, self.gap)
                tile.spacing = self.gap / 2
