"""Plain words and numbers in the national database's free text (names, time limits, fees).

The portal's strings carry bullets, odd spaces and non-NFC letters; its time limits and fees
are often only in a sentence ("05 ngày làm việc", "trong ngày", "50.000 đồng"). Both the
record reader (:mod:`knowledge.national_records`) and the comparison with written-up content
(:mod:`knowledge.audit`) read them with these helpers.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Any

# ---- cleaning the portal's strings -------------------------------------------------------------
_BULLET = re.compile(r"^\s*(?:[-–+*•·]+|\(?[a-zđ0-9]{1,3}[.)]|bước\s*\d+\s*[:.)-])\s*", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


def _clean(value: Any) -> str:
    if value is None:
        return ""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", str(value))).strip()


def _unbullet(text: str) -> str:
    prev = None
    while prev != text:
        prev, text = text, _BULLET.sub("", text, count=1).strip()
    return text


# ---- numbers in official text -------------------------------------------------------------------
_AMOUNT = re.compile(r"(\d{1,3}(?:[.,\s]\d{3})+|\d+)\s*(?:đồng|đ\b|vnđ|vnd)", re.IGNORECASE)
_DAYS = re.compile(r"(\d+(?:[.,]\d+)?)\s*(?:\(\s*[^)]*\)\s*)?ngày", re.IGNORECASE)
_SAME_DAY = re.compile(r"(?:ngay\s+)?trong\s+ngày|ngay\s+khi|ngay\s+sau\s+khi|tiếp\s+nhận\s+ngay", re.IGNORECASE)


def amounts_in_text(text: str) -> set[int]:
    out = set()
    for m in _AMOUNT.finditer(text or ""):
        digits = re.sub(r"[.,\s]", "", m.group(1))
        if digits.isdigit():
            out.add(int(digits))
    return out


def days_in_text(text: str) -> float | None:
    """The first number of days in a sentence, or 0 for "trong ngày" / "ngay khi"; else None."""
    t = text or ""
    m = _DAYS.search(t)
    s = _SAME_DAY.search(t)
    if s and (not m or s.start() < m.start()):
        return 0.0
    if m:
        return float(m.group(1).replace(",", "."))
    return None


def first_sentence(text: str, limit: int = 160) -> str:
    t = _clean(text)
    cut = re.split(r"(?<=[.;])\s", t, maxsplit=1)[0]
    return cut if len(cut) <= limit else cut[: limit - 1].rstrip() + "…"
