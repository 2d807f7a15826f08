"""Countries in a question, read as "nước ngoài" (knowledge.normalize's country step).

Citizens name the country ("chồng Hàn Quốc", "con sinh bên Úc"); the procedures say "có
yếu tố nước ngoài". A country counts only after a word that makes it one (a cue): "pháp"
is also in "hợp pháp" and "anh" is a pronoun. Tokens are normalised, accented or folded.
"""
from __future__ import annotations

# A country after one of these words makes a case "có yếu tố nước ngoài"; the country
# alone is not enough ("pháp" is also in "hợp pháp", "anh" is a pronoun).
_COUNTRY_CUES = frozenset("người bên ở sang qua từ với quốc tịch".split())
# "chồng Nhật", "vợ Hàn Quốc", "lấy chồng Đài Loan": a spouse's country is named without "người".
_SPOUSE_CUES = frozenset("chồng vợ".split())
COUNTRIES: tuple[str, ...] = (
    "hàn quốc", "hàn", "nhật bản", "nhật", "trung quốc", "đài loan", "hoa kỳ", "mỹ", "úc", "pháp", "đức",
    "canada", "ca na đa", "lào", "campuchia", "cam pu chia", "thái lan", "singapore", "nga", "anh quốc", "ý",
    "hồng kông", "malaysia", "philippines", "indonesia",
    # Southern and older names
    "nhựt", "nhựt bổn", "đại hàn", "xing ga po", "mã lai",
)
# After a spouse word, only names that cannot be a pronoun or a person's name ("vợ ý" is
# "vợ ấy", Nga is a woman's name).
_SPOUSE_COUNTRIES = frozenset(c for c in COUNTRIES if c not in ("ý", "nga", "pháp", "lào", "úc"))
# Typed without diacritics, after "người"/"bên"/a spouse word: only names that fold to no
# common word there ("nguoi lao" is "người lao động", "nguoi thai" the Thái people,
# "qua han" is "quá hạn").
_FOLDED_CUES = frozenset("nguoi ben chong vo".split())
_FOLDED_COUNTRIES = ("han quoc", "han", "nhat ban", "nhat", "trung quoc", "dai loan", "hoa ky", "my", "duc",
                     "canada", "campuchia", "thai lan", "singapore", "anh quoc", "hong kong", "malaysia",
                     "philippines", "indonesia", "nhut", "dai han")
# … and three more, after the cues with which the accented texts of the content and the
# labelled sets always write them as the country (counted 2026-12-07: "ben uc", "qua uc",
# "nguoi phap", "sang lao"); "chong phap" is "chống Pháp", "ben phap" may be "bên pháp luật",
# "nguoi lao" is "người lao động" and "nguoi tay" "người Tày", so those are not read.
_FOLDED_COUNTRY_CUES = {"uc": frozenset("nguoi ben chong vo qua sang".split()),
                        "phap": frozenset("nguoi sang".split()),
                        "lao": frozenset("ben qua sang".split())}
_COUNTRIES = tuple(sorted((c.split() for c in COUNTRIES), key=len, reverse=True))
_COUNTRIES_FOLDED = tuple(sorted((c.split() for c in _FOLDED_COUNTRIES), key=len, reverse=True))


def _country_at(tokens: list[str], i: int, cue: str) -> int:
    """How many tokens from ``i`` name a country after the word ``cue`` (0: none)."""
    if cue in _COUNTRY_CUES or cue in _SPOUSE_CUES:
        for c in _COUNTRIES:
            if tokens[i:i + len(c)] == c and (cue in _COUNTRY_CUES or " ".join(c) in _SPOUSE_COUNTRIES):
                return len(c)
    if cue in _FOLDED_CUES:
        for c in _COUNTRIES_FOLDED:
            if tokens[i:i + len(c)] == c:
                return len(c)
    return 1 if cue in _FOLDED_COUNTRY_CUES.get(tokens[i], ()) else 0


def as_foreign(tokens: list[str]) -> list[str]:
    """``tokens`` with each country named after a cue word replaced by "nước ngoài": the
    procedures say "có yếu tố nước ngoài", citizens name the country."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        n = _country_at(tokens, i, out[-1]) if out else 0
        if n:
            out.extend(["nước", "ngoài"])
            i += n
        else:
            out.append(tokens[i])
            i += 1
    return out
