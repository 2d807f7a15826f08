"""Fonts for the screen: a Vietnamese-capable sans (Noto Sans, like the printed
checklist) as Kivy's default, and two symbol fonts used as the icon set.

A font dropped into ``assets/fonts/`` wins over the system ones (the same rule as
:mod:`printing.fonts`). Nothing is shipped: Debian's ``fonts-noto-core`` provides them.
"""
from __future__ import annotations

import logging
from pathlib import Path

from kiosk.config import REPO_ROOT

log = logging.getLogger(__name__)

NOTO = Path("/usr/share/fonts/truetype/noto")
DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
TEXT_CANDIDATES = (
    (REPO_ROOT / "assets" / "fonts", "NotoSans-Regular.ttf", "NotoSans-Bold.ttf"),
    (NOTO, "NotoSans-Regular.ttf", "NotoSans-Bold.ttf"),
    (DEJAVU, "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
)
SYMBOLS = NOTO / "NotoSansSymbols-Regular.ttf"
SYMBOLS2 = NOTO / "NotoSansSymbols2-Regular.ttf"

# name → (font alias, character). "sym" = Noto Sans Symbols, "sym2" = Noto Sans Symbols 2.
ICONS: dict[str, tuple[str, str]] = {
    "mic": ("sym2", "\U0001F399"),
    "print": ("sym2", "\U0001F5A8"),
    "speaker": ("sym2", "\U0001F50A"),
    "stop": ("sym2", "\u23F9"),
    "home": ("sym2", "\U0001F3E0"),
    "search": ("sym2", "\U0001F50D"),
    "back": ("sym2", "\U0001F860"),
    "next": ("sym2", "\u279C"),
    "keyboard": ("sym2", "\u2328"),
    "backspace": ("sym2", "\u232B"),
    "repeat": ("sym2", "\u2B6E"),
    "question": ("sym2", "\u2753"),
    "check": ("sym2", "\u2714"),
    "cross": ("sym2", "\u2716"),
    "contrast": ("sym2", "\u25D0"),
    "zoom": ("sym2", "\U0001F5CE"),
    "gear": ("sym", "\u2699"),
    "lock": ("sym2", "\U0001F512"),
    "clock": ("sym2", "\U0001F552"),
    "info": ("sym2", "\U0001F6C8"),
    "building": ("sym2", "\U0001F3DB"),  # another office (a redirect)
    "go": ("sym2", "\u2B95"),
    # categories (the `icon` of categories.yaml)
    "family": ("sym2", "\U0001F46A"),
    "stamp": ("sym2", "\U0001F58B"),
    "house": ("sym2", "\U0001F3D8"),
    "land": ("sym2", "\U0001F3D7"),
    "shop": ("sym2", "\U0001F6CD"),
    "care": ("sym2", "\u2764"),
    "medal": ("sym2", "\U0001F396"),
    "health": ("sym", "\u2695"),
    "school": ("sym2", "\U0001F393"),
    "scale": ("sym", "\u2696"),
    "leaf": ("sym2", "\u2618"),
    "more": ("sym2", "\u2726"),
    # rating faces
    "good": ("sym", "\u263A"),
    "ok": ("sym", "\U0001F610"),
    "bad": ("sym", "\u2639"),
}
FALLBACK_ICON = "more"


def text_fonts() -> tuple[Path, Path] | None:
    for folder, regular, bold in TEXT_CANDIDATES:
        r, b = folder / regular, folder / bold
        if r.is_file() and b.is_file():
            return r, b
    return None


def register() -> dict[str, str]:
    """Register the fonts with Kivy (call before building widgets). Returns what was used."""
    from kivy.core.text import DEFAULT_FONT, LabelBase

    used = {}
    pair = text_fonts()
    if pair:
        LabelBase.register(DEFAULT_FONT, str(pair[0]), None, str(pair[1]), None)
        used["text"] = str(pair[0])
    else:  # Kivy's Roboto covers Vietnamese too, only less evenly
        log.warning("no Noto Sans/DejaVu font found; using Kivy's Roboto (apt install fonts-noto-core)")
        used["text"] = "Roboto"
    for alias, path in (("sym", SYMBOLS), ("sym2", SYMBOLS2)):
        if path.is_file():
            LabelBase.register(alias, str(path))
            used[alias] = str(path)
        else:  # DejaVu Sans has some of the symbols; missing ones show as a box, never a crash
            log.warning("icon font %s missing (apt install fonts-noto-core)", path)
            fallback = DEJAVU / "DejaVuSans.ttf"
            LabelBase.register(alias, str(fallback) if fallback.is_file() else "data/fonts/DejaVuSans.ttf")
            used[alias] = "DejaVuSans"
    return used


def icon(name: str) -> tuple[str, str]:
    """(font alias, character) for an icon name; unknown names get a neutral star."""
    return ICONS.get(name or "", ICONS[FALLBACK_ICON])
