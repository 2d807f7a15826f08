"""How to lay out the field tiles so that every field is on screen without scrolling
(an elderly citizen will not think of scrolling): the number of columns, icon above or
beside the text, and the icon size, chosen for the number of fields and the space the
window leaves. The text keeps its size (the user's font scale); the icon gives way first.

Plain Python: the caller passes ``measure(text, font_size) -> (width, line_height)`` of
one line of bold text (Kivy's text provider in the app, an estimate in tests).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

Measure = Callable[[str, float], tuple[float, float]]

ICON_LINE = 1.2
"""An icon glyph's box is this × its font size high (the KIcon rule in widgets.kv)."""
ICON_WIDTH = 1.15
"""… and this × its font size wide, beside the text."""
MIN_ICON = 0.6
"""Smallest icon, as a share of the theme's tile icon (42 px of 70 at 1080p): still a clear
picture on the screenshots; smaller ones looked like specks next to the 38 px labels."""
SQUARE = 1.3
"""Tile width/height that looks like a tile (measured on the 1080p home screen: 4 × 3 tiles
of 281 × 216 px read best); the layout closest to it wins among those that fit."""


@dataclass(frozen=True, slots=True)
class TilePlan:
    cols: int
    rows: int
    horizontal: bool
    """Icon beside the text (a short, wide tile) instead of above it."""
    tile_w: float
    tile_h: float
    """The row height: the share of the height, or what the tallest tile needs when nothing fits."""
    icon: float
    """Icon font size."""
    texts: tuple[str, ...]
    """The labels with line breaks placed for even lines ("Bảo hiểm\\ny tế", not "Bảo hiểm y\\ntế")."""
    fits: bool


def wrap(text: str, width: float, font: float, measure: Measure) -> list[str] | None:
    """Lines of ``text`` within ``width``: greedy, then two lines evened out. None when a
    single word is wider than ``width`` (it would be cut)."""
    words: list[str] = []
    for w in text.split():  # a dash stays at the end of its line ("Hòa giải –" / "Tư pháp")
        if w in ("–", "-", "—") and words:
            words[-1] += " " + w
        else:
            words.append(w)
    if not words or any(measure(w, font)[0] > width for w in words):
        return None
    lines = [words[0]]
    for w in words[1:]:
        trial = f"{lines[-1]} {w}"
        if measure(trial, font)[0] <= width:
            lines[-1] = trial
        else:
            lines.append(w)
    if len(lines) == 2:
        # Even out two lines; a break after a dash reads best ("Hòa giải –" / "Tư pháp").
        best = None
        for i in range(1, len(words)):
            a, b = " ".join(words[:i]), " ".join(words[i:])
            wa, wb = measure(a, font)[0], measure(b, font)[0]
            if max(wa, wb) > width:
                continue
            score = max(wa, wb) - (font if words[i - 1].endswith(("–", "-", "—")) else 0)
            if best is None or score < best[0]:
                best = (score, [a, b])
        if best is not None:
            lines = best[1]
    return lines


def _candidate(labels, cols, width, height, *, horizontal, font, icon, gap, pad, min_h, measure):
    n = len(labels)
    rows = math.ceil(n / cols)
    tile_w = (width - (cols - 1) * gap) / cols
    tile_h = (height - (rows - 1) * gap) / rows
    if horizontal:
        text_w = tile_w - 2 * pad - icon * ICON_WIDTH - gap
    else:
        text_w = tile_w - 2 * gap
    if text_w <= font:
        return None
    texts, text_h = [], 0.0
    for label in labels:
        lines = wrap(label, text_w, font, measure)
        if lines is None:
            return None
        texts.append("\n".join(lines))
        text_h = max(text_h, len(lines) * measure(label, font)[1])
    if horizontal:
        room = tile_h - 2 * gap
        size = min(icon, room / ICON_LINE)
        need = max(text_h, icon * MIN_ICON * ICON_LINE) + 2 * gap
    else:
        room = tile_h - 2 * gap - gap / 2 - text_h
        size = min(icon, room / ICON_LINE)
        need = text_h + 2 * gap + gap / 2 + icon * MIN_ICON * ICON_LINE
    fits = size >= icon * MIN_ICON and text_h <= tile_h - 2 * gap and tile_h >= min_h
    return TilePlan(cols, rows, horizontal, tile_w, tile_h if fits else max(tile_h, need, min_h),
                    max(size, icon * MIN_ICON), tuple(texts), fits)


def plan_tiles(labels: list[str], width: float, height: float, *, font: float, icon: float, gap: float,
               pad: float, measure: Measure, min_h: float = 0, max_cols: int = 8) -> TilePlan | None:
    """The best layout of ``labels`` in ``width`` × ``height`` with tiles at least ``min_h``
    high (a touch target); ``fits`` False when even the best one needs more height (the
    caller lets it scroll then)."""
    if not labels or width <= 0 or height <= 0:
        return None
    plans = [p for horizontal in (False, True) for cols in range(1, min(max_cols, len(labels)) + 1)
             if (p := _candidate(labels, cols, width, height, horizontal=horizontal, font=font, icon=icon,
                                 gap=gap, pad=pad, min_h=min_h, measure=measure)) is not None]
    if not plans:
        return None
    fitting = [p for p in plans if p.fits]
    if fitting:
        def score(p: TilePlan):
            lines = max(t.count("\n") + 1 for t in p.texts)
            empty = p.rows * p.cols - len(labels)
            shape = abs(math.log(p.tile_w / p.tile_h / SQUARE)) if not p.horizontal else 0.0
            # Labels on as few lines as possible ("Bảo / hiểm y / tế" is hard to read); then a
            # tile (icon above the text) before a row (icon beside it), an icon near its full
            # size, a tile-like shape, few empty cells.
            return (lines, p.horizontal, p.icon < 0.9 * icon, shape + 0.15 * empty)
        return min(fitting, key=score)
    return min(plans, key=lambda p: (p.rows * (p.tile_h + gap) - gap - height, p.horizontal))
