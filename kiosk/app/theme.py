"""Sizes and colours as Kivy properties, so every widget follows the font-size switch
and the high-contrast theme at once. Sizes are pixels at 1080p (the short side of
the screen is 1080 px), scaled for other screens and by the user's font scale."""
from __future__ import annotations

from kivy.event import EventDispatcher
from kivy.properties import BooleanProperty, ListProperty, NumericProperty

SCALES = (1.0, 1.3, 1.6)

# Base sizes at 1080p and scale 1.0. Body text ≥ 28 px, touch targets ≥ 96 px.
BASE = {
    "small": 28, "body": 32, "big": 38, "title": 46, "huge": 66,
    "button_h": 112, "bar_h": 124, "icon": 54, "pad": 24, "gap": 18, "radius": 22,
}

NORMAL = {
    "bg": (0.965, 0.953, 0.925, 1), "fg": (0.07, 0.07, 0.09, 1), "muted": (0.24, 0.24, 0.27, 1),
    "card": (1, 1, 1, 1), "card_fg": (0.07, 0.07, 0.09, 1), "line": (0.78, 0.76, 0.72, 1),
    "primary": (0.04, 0.32, 0.66, 1), "primary_fg": (1, 1, 1, 1),
    "secondary": (0.85, 0.90, 0.97, 1), "secondary_fg": (0.03, 0.18, 0.42, 1),
    "danger": (0.72, 0.11, 0.11, 1), "danger_fg": (1, 1, 1, 1),
    "ok": (0.09, 0.45, 0.20, 1), "ok_fg": (1, 1, 1, 1),
    "notice": (1.0, 0.92, 0.66, 1), "notice_fg": (0.20, 0.14, 0.0, 1),
    "bar": (0.03, 0.21, 0.44, 1), "bar_fg": (1, 1, 1, 1),
    "icon": (0.04, 0.32, 0.66, 1), "border": (0, 0, 0, 0),
}
HIGH_CONTRAST = {
    "bg": (0, 0, 0, 1), "fg": (1, 1, 1, 1), "muted": (0.92, 0.92, 0.92, 1),
    "card": (0, 0, 0, 1), "card_fg": (1, 1, 1, 1), "line": (1, 0.87, 0, 1),
    "primary": (1, 0.87, 0, 1), "primary_fg": (0, 0, 0, 1),
    "secondary": (0, 0, 0, 1), "secondary_fg": (1, 1, 1, 1),
    "danger": (1, 0.55, 0.55, 1), "danger_fg": (0, 0, 0, 1),
    "ok": (0.5, 1, 0.5, 1), "ok_fg": (0, 0, 0, 1),
    "notice": (0, 0, 0, 1), "notice_fg": (1, 0.87, 0, 1),
    "bar": (0, 0, 0, 1), "bar_fg": (1, 1, 1, 1),
    "icon": (1, 0.87, 0, 1), "border": (1, 0.87, 0, 1),
}
STYLES = {  # button style → (background, foreground) colour names
    "primary": ("primary", "primary_fg"),
    "secondary": ("secondary", "secondary_fg"),
    "danger": ("danger", "danger_fg"),
    "ok": ("ok", "ok_fg"),
    "card": ("card", "card_fg"),
    "bar": ("bar", "bar_fg"),
}


def _darker(rgba, amount=0.18):
    r, g, b, a = rgba
    if r + g + b < 0.3:  # black (high contrast): lighten instead
        return (0.25, 0.25, 0.25, a)
    return (r * (1 - amount), g * (1 - amount), b * (1 - amount), a)


class Theme(EventDispatcher):
    scale = NumericProperty(1.0)
    """Font scale chosen by the user: 1.0, 1.3 or 1.6."""
    unit = NumericProperty(1.0)
    """Screen factor: short side / 1080."""
    high_contrast = BooleanProperty(False)
    rev = NumericProperty(0)
    """Bumped after every size or colour change (KV rules name it to follow the theme)."""

    small = NumericProperty(BASE["small"])
    body = NumericProperty(BASE["body"])
    big = NumericProperty(BASE["big"])
    title = NumericProperty(BASE["title"])
    huge = NumericProperty(BASE["huge"])
    button_h = NumericProperty(BASE["button_h"])
    button_font = NumericProperty(BASE["body"])
    """Button labels grow less than body text (at most 1.25×): the buttons must stay side by side."""
    bar_h = NumericProperty(BASE["bar_h"])
    """The top bar does not follow the font scale: it must fit on one line."""
    bar_font = NumericProperty(BASE["small"])
    bar_title = NumericProperty(BASE["title"])
    icon = NumericProperty(BASE["icon"])
    pad = NumericProperty(BASE["pad"])
    gap = NumericProperty(BASE["gap"])
    radius = NumericProperty(BASE["radius"])

    bg = ListProperty(NORMAL["bg"])
    fg = ListProperty(NORMAL["fg"])
    muted = ListProperty(NORMAL["muted"])
    card = ListProperty(NORMAL["card"])
    card_fg = ListProperty(NORMAL["card_fg"])
    line = ListProperty(NORMAL["line"])
    primary = ListProperty(NORMAL["primary"])
    primary_fg = ListProperty(NORMAL["primary_fg"])
    danger = ListProperty(NORMAL["danger"])
    ok = ListProperty(NORMAL["ok"])
    notice = ListProperty(NORMAL["notice"])
    notice_fg = ListProperty(NORMAL["notice_fg"])
    bar = ListProperty(NORMAL["bar"])
    bar_fg = ListProperty(NORMAL["bar_fg"])
    icon_color = ListProperty(NORMAL["icon"])
    border = ListProperty(NORMAL["border"])

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.bind(scale=self._sizes, unit=self._sizes, high_contrast=self._colours)
        self._sizes()
        self._colours()

    def _sizes(self, *_):
        k = self.unit
        for name in ("small", "body", "big", "title", "huge", "icon"):
            setattr(self, name, round(BASE[name] * k * self.scale))
        # Buttons grow with the text (but less than linearly), never below 96 px.
        self.button_font = round(BASE["body"] * k * min(self.scale, 1.25))
        grow = 1 + (self.scale - 1) * 0.6
        self.button_h = round(BASE["button_h"] * k * grow)
        self.bar_h = round(BASE["bar_h"] * k)
        self.bar_font = round(BASE["small"] * k)
        self.bar_title = round(BASE["title"] * k)
        for name in ("pad", "gap", "radius"):
            setattr(self, name, round(BASE[name] * k))
        self.rev += 1

    def _palette(self):
        return HIGH_CONTRAST if self.high_contrast else NORMAL

    def _colours(self, *_):
        p = self._palette()
        for name in ("bg", "fg", "muted", "card", "card_fg", "line", "primary", "primary_fg", "danger", "ok",
                     "notice", "notice_fg", "bar", "bar_fg", "border"):
            setattr(self, name, p[name])
        self.icon_color = p["icon"]
        self.rev += 1

    def next_scale(self) -> float:
        i = min(range(len(SCALES)), key=lambda j: abs(SCALES[j] - self.scale))
        self.scale = SCALES[(i + 1) % len(SCALES)]
        return self.scale

    # Used from KV with the watched properties as arguments, so bindings follow them.
    def font(self, role: str, _rev=None) -> float:
        """Font size for a text role: small | body | big | title | huge."""
        return getattr(self, role if role in ("small", "body", "big", "title", "huge") else "body")

    def tone(self, tone: str, _rev=None):
        """Text colour for a tone: fg | muted | primary | ok | danger | notice | icon."""
        name = {"notice": "notice_fg", "icon": "icon_color"}.get(tone, tone)
        return getattr(self, name if name in ("fg", "muted", "primary", "ok", "danger", "notice_fg", "icon_color")
                       else "fg")

    def button_bg(self, style: str, down: bool, high_contrast: bool):
        bg = self._palette()[STYLES.get(style, STYLES["secondary"])[0]]
        return _darker(bg) if down else bg

    def button_fg(self, style: str, high_contrast: bool):
        return self._palette()[STYLES.get(style, STYLES["secondary"])[1]]
