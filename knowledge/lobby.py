"""Questions about the building, not a procedure: "nhà vệ sinh ở đâu ạ?", "gửi xe chỗ
nào?", "lấy số thứ tự ở đâu?". Ranked like a procedure question, "gửi xe ở đâu" offered
vehicle registration and "có wifi không" the telecom redirect. Staff list the topics and
write where things are (office.yaml ``lobby``); this module only recognises them.

The rule is small talk's (knowledge.social): a topic's phrase must be there and every
other word must be one of the words a lobby question is made of (where, is there, may I,
addressees, fillers). One word outside — "gửi xe" in "đăng ký xe" has no "gửi", "photo
công chứng" has "công chứng" — and the text is ranked as a question as usual, so a
procedure question is never lost to this reply. Matching is on folded words."""
from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from knowledge.model import LobbyTopic
from knowledge.social import AROUND, folded_words, without

# Words a lobby question is made of besides the topic, folded: where and which way ("ở
# đâu", "chỗ nào", "bên nào", "tầng mấy"), is there / may I ("có … không", "được không",
# "cho hỏi", "xin"), what it costs ("mất tiền không", "bao nhiêu"), and what one does
# there ("đi", "lấy", "dùng", "gửi"). Not "rồi" (the time of day, knowledge.social).
LOBBY_AROUND = (AROUND - {"roi"}) | frozenset("""
o dau cho nao dau ben phia huong tang lau tret tren duoi trong ngoai sau truoc canh gan nhat nam
co khong ko k hong hok hem khg kg duoc dc hoi xin muon can di vao ra lay dung su gui xai tim thay
la gi sao the nao bao nhieu tien mat phi tra mien free pass mat khau password pasword
phuong xa uy ban ubnd trung tam mot cua day nay kia
giay to tai lieu ban va voi ho so nop tuan thang chua roi hen quay
""".split())


def lobby_topic(text: str, topics: Iterable[LobbyTopic]) -> LobbyTopic | None:
    """The first of ``topics`` that ``text`` asks about when the text is only a lobby
    question (see the module's docstring); None for anything else."""
    words = folded_words(text)
    if not words or len(words) > 14:  # a long story is a question to rank, whatever its words
        return None
    rest, found = f" {' '.join(words)} ", None
    for topic in topics:
        rest, seen = without(rest, _heads(topic.phrases))
        found = found or (topic if seen else None)
    if found is None or any(w not in LOBBY_AROUND for w in rest.split()):
        return None
    return found


@lru_cache(maxsize=1024)
def _heads(phrases: tuple[str, ...]) -> tuple[str, ...]:
    """A topic's phrases as folded words, longest first (folded once: every ask reads them)."""
    folded = {" ".join(folded_words(p)) for p in phrases} - {""}
    return tuple(sorted(folded, key=len, reverse=True))
