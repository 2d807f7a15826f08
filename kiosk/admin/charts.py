"""Small charts as server-rendered SVG (no JavaScript, no external files): bars and share bars.

Every label goes through XML escaping; the result is marked safe for Jinja2 only here.
"""
from __future__ import annotations

from html import escape

from markupsafe import Markup

PALETTE = ("#1f6f8b", "#e0a526", "#b23a48", "#5b8c5a", "#7a5c99", "#8a8a8a")
GOOD, MIDDLE, BAD, NEUTRAL = "#2e8b57", "#e0a526", "#b23a48", "#9aa5ab"


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _svg(width: int, height: int, body: list[str], title: str) -> Markup:
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-label="{_e(title)}" class="chart"><title>{_e(title)}</title>{"".join(body)}</svg>'
    )


def _day(label: str) -> str:
    """'2026-11-24' → '24/11' (the way dates are written in Vietnam)."""
    parts = label.split("-")
    return f"{parts[2]}/{parts[1]}" if len(parts) == 3 else label


def columns(data: list[tuple[str, int]], title: str, *, width: int = 760, height: int = 220) -> Markup:
    """Vertical bars, one per label (days); every 7th label and the last are written under the axis."""
    top, bottom, left = 20, 40, 36
    n = max(len(data), 1)
    peak = max((v for _, v in data), default=0) or 1
    slot = (width - left - 10) / n
    body = [f'<line x1="{left}" y1="{height - bottom}" x2="{width - 5}" y2="{height - bottom}" stroke="#999"/>',
            f'<text x="{left - 6}" y="{top + 4}" text-anchor="end" font-size="11">{peak}</text>',
            f'<text x="{left - 6}" y="{height - bottom}" text-anchor="end" font-size="11">0</text>']
    for i, (label, value) in enumerate(data):
        h = (height - top - bottom) * value / peak
        x = left + i * slot + slot * 0.15
        body.append(f'<rect x="{x:.1f}" y="{height - bottom - h:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}" '
                    f'fill="{PALETTE[0]}"><title>{_e(_day(label))}: {value}</title></rect>')
        if (n - 1 - i) % 7 == 0:
            body.append(f'<text x="{x + slot * 0.35:.1f}" y="{height - bottom + 16}" text-anchor="middle" '
                        f'font-size="11">{_e(_day(label))}</text>')
    return _svg(width, height, body, title)


def bars(data: list[tuple[str, int]], title: str, *, width: int = 760) -> Markup:
    """Horizontal bars with the label on the left (top procedures)."""
    row, label_w = 26, 430
    height = max(len(data), 1) * row + 10
    peak = max((v for _, v in data), default=0) or 1
    body = []
    for i, (label, value) in enumerate(data):
        y = 5 + i * row
        w = (width - label_w - 50) * value / peak
        short = label if len(label) <= 62 else label[:60] + "…"
        body.append(f'<text x="{label_w - 8}" y="{y + 17}" text-anchor="end" font-size="13">{_e(short)}</text>')
        body.append(f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{row - 8}" fill="{PALETTE[0]}">'
                    f'<title>{_e(label)}: {value}</title></rect>')
        body.append(f'<text x="{label_w + w + 6:.1f}" y="{y + 17}" font-size="13">{value}</text>')
    if not data:
        body.append('<text x="10" y="22" font-size="13">Chưa có dữ liệu</text>')
    return _svg(width, height, body, title)


def shares(data: list[tuple[str, int]], title: str, *, width: int = 520, colors: tuple[str, ...] = PALETTE) -> Markup:
    """One bar split into shares, with a legend: label — count (percent)."""
    height = 40 + 24 * len(data)
    total = sum(v for _, v in data)
    body = []
    x = 0.0
    for i, (label, value) in enumerate(data):
        w = (width - 2) * value / total if total else 0
        body.append(f'<rect x="{x + 1:.1f}" y="2" width="{w:.1f}" height="22" fill="{colors[i % len(colors)]}">'
                    f'<title>{_e(label)}: {value}</title></rect>')
        x += w
        pct = f"{100 * value / total:.0f}%" if total else "—"
        y = 46 + 24 * i
        body.append(f'<rect x="1" y="{y - 12}" width="14" height="14" fill="{colors[i % len(colors)]}"/>')
        body.append(f'<text x="22" y="{y}" font-size="15">{_e(label)} — {value} ({pct})</text>')
    if not total:
        body.append(f'<rect x="1" y="2" width="{width - 2}" height="22" fill="#eee"/>')
    return _svg(width, height, body, title)
