"""Has the citizen finished? A judgement on the words heard so far.

End of speech is decided on silence (``audio.end_silence_s``). An elderly speaker
often pauses mid-question — "cho tôi hỏi … làm giấy khai sinh", "con tôi muốn đăng
ký … tạm trú" — and a question cut there is answered wrongly. When the transcript of
the speech so far ends on a word after which a Vietnamese question cannot end (a
preposition, a conjunction, a verb still missing its object, a call for attention),
the listener waits a little longer (``audio.unfinished_hold_s``).
"""
from __future__ import annotations

import re
import unicodedata

# Last words after which a question is not over. Kept short and unambiguous: "không",
# "gì", "đâu", "nào", "ạ", "nhỉ", "vậy" end questions and are not here.
CONTINUES_AFTER: frozenset[str] = frozenset(
    """
    cho của về và với để là thì mà các những một mấy ở tại bằng nhưng hoặc hay rằng
    nếu khi vì do nên hỏi muốn cần xin ơi ờ à ừ ừm
    """.split()
)
"""Single last words (NFC, lower case)."""
CONTINUES_AFTER_PAIRS: frozenset[tuple[str, str]] = frozenset(
    {("đăng", "ký"), ("làm", "thủ"), ("thủ", "tục"), ("cho", "tôi"), ("giúp", "tôi"), ("tôi", "muốn"), ("làm", "giấy")}
)
"""Last two words: "tôi muốn đăng ký …", "hỏi về thủ tục …", "cho tôi …"."""


def _words(text: str) -> list[str]:
    text = unicodedata.normalize("NFC", text).lower()
    return re.sub(r"[^\w\s]", " ", text).split()


def sounds_unfinished(text: str) -> bool:
    """True when ``text`` (a transcript so far) ends where a question cannot end."""
    words = _words(text)
    if not words:
        return False
    if words[-1] in CONTINUES_AFTER:
        return True
    return len(words) >= 2 and (words[-2], words[-1]) in CONTINUES_AFTER_PAIRS
