"""Small talk: a thank-you, a greeting, a goodbye or a bare "hả?" is not a question
about a procedure; nor is "mấy giờ phường nghỉ trưa?", which the office's own hours
answer (office.yaml). Ranked like one, "cảm ơn nhé" once answered Chứng thực chữ ký (its
words are short and common, so some alias always scores) and "hả" offered three
catalogue entries. The kiosk replies politely instead (knowledge.replies) and offers
nothing.

Only a text made entirely of these words counts: one word outside them ("cảm ơn, cho hỏi
làm khai sinh") and it is ranked as usual. Matching is on folded words, so typed
"cam on" and heard "cảm ơn" are the same."""
from __future__ import annotations

import re

from knowledge.model import NoneReason
from knowledge.normalize import fold

# Phrases that carry the intent, folded. Longest first when several overlap.
_HEADS: dict[NoneReason, tuple[str, ...]] = {
    NoneReason.THANKS: ("cam on", "cam ta", "cam ong", "thank you", "thanks", "thank", "tks", "thanhks", "camon"),
    NoneReason.GOODBYE: ("tam biet", "goodbye", "bye bye", "bai bai", "bye", "di ve"),
    # … and the greetings that are questions in form: "ăn cơm chưa", "khỏe không" (asked back
    # with four procedures before: "ăn cơm" shares a word with the school-meal support)
    NoneReason.GREETING: ("xin chao", "chao", "alo", "a lo", "hello", "helo", "hi", "an com chua", "an chua",
                          "co khoe khong", "khoe khong", "khoe ko", "khoe k"),
}
# Words that may surround them: addressees, politeness and fillers, "nhiều lắm", "nhé".
# (Folded: "lam" is also "làm" and "co" also "có", which is why a single word outside
# this set is enough to make the text a question.)
AROUND = frozenset("""
a ah ha u uh um hm hmm o ok oke okay vang da de the vay ne nhe nha nhen nghen nghe heng hen
roi xong duoc hieu biet that qua nhieu lam rat lan nua
em anh chi co ong ba bac chu di cau con chau ban kiosk may minh toi tui tao
ca moi nguoi ngay tot lanh nhe
""".split())


# When the office is open: phrases that carry that question, folded, and the words that may
# surround them ("thứ Bảy phường có làm việc không ạ", "mấy giờ mở cửa vậy em"). The same
# rule as small talk: one word outside and it is ranked as a question ("mấy giờ làm khai
# sinh xong" holds "khai sinh"), so a procedure is never lost to this reply. "Mấy giờ rồi"
# asks the time of day, not the hours: "rồi" is not among them.
_HOURS_HEADS = ("gio lam viec", "lam viec", "gio hanh chinh", "may gio", "nghi trua", "mo cua", "dong cua",
                "thu bay", "chu nhat", "ngay le", "gio giac")
_HOURS_AROUND = (AROUND - {"roi"}) | frozenset("""
phuong xa uy ban ubnd trung tam mot cua bo phan o day cho nay hom nay mai sang chieu trua toi buoi
den tu co khong ko k luc nao bao nhieu gio thi cho hoi xin va hay la khi het ma vay sao tai sau truoc
nghi mo dong cua lam viec nua thu hai ba tu nam sau bay chu nhat tuan le tet may
""".split())


def social_reason(text: str) -> NoneReason | None:
    """THANKS, GOODBYE or GREETING when ``text`` is only small talk of that kind;
    UNCLEAR when it is only fillers ("hả", "ờ", "dạ"); OFFICE_HOURS when it only asks when
    the office is open; None for anything else."""
    words = folded_words(text)
    if not words or len(words) > 12:
        return None
    rest, found_hours = without(f" {' '.join(words)} ", _HOURS_HEADS)
    if found_hours and all(w in _HOURS_AROUND for w in rest.split()):
        return NoneReason.OFFICE_HOURS
    rest = f" {' '.join(words)} "
    found: NoneReason | None = None
    for reason, heads in _HEADS.items():
        rest, seen = without(rest, heads)
        found = found or (reason if seen else None)
    if any(w not in AROUND for w in rest.split()):
        return None
    return found or NoneReason.UNCLEAR


def folded_words(text: str) -> list[str]:
    """The words of ``text`` folded (no diacritics, lower case): what these rules compare."""
    return re.findall(r"[a-z0-9]+", fold(text).lower())


def without(joined: str, heads: tuple[str, ...]) -> tuple[str, bool]:
    """``joined`` (space-padded words) with every one of ``heads`` taken out, and whether any was there."""
    found = False
    for head in heads:
        while f" {head} " in joined:
            joined = joined.replace(f" {head} ", " ")
            found = True
    return joined, found
