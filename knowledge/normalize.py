"""Vietnamese text normalisation, applied identically to the index and to every query.

Three keys per text:
- ``normalize_text``: NFC, lower case, no punctuation, chat spellings and abbreviations
  expanded, dialect words mapped, politeness/filler words dropped — still accented;
- ``fold``: the same without diacritics (đ→d), so unaccented typing matches;
- ``phonetic``: the folded key with the sound confusions of Vietnamese speech and of
  Whisper merged (s/x, ch/tr, d/gi/r, final n/ng, c/t…), for recognition errors.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from knowledge.countries import as_foreign
from knowledge.plain_readings import END, START, PlainReadings
from knowledge.words import (
    ABBREVIATIONS,
    CONCEPTS,
    DIALECT,
    FILLER_PHRASES,
    FILLER_WORDS,
    FOLD_AMBIGUOUS,
    NOT_CHAT_AFTER,
    PRONOUNS,
)

_PUNCT = re.compile(r"[^\w\s]", re.UNICODE)
_SPACES = re.compile(r"\s+")

_PRONOUN_AFTER = frozenset("cho giúp của với ơi ạ dạ vâng".split())

# Number words before a unit, e.g. "dưới sáu tuổi" → "dưới 6 tuổi" (only with a unit,
# because "ba" is also "father" and "sáu" folds to "sau", "after").
_NUMBER_WORDS = {"một": "1", "hai": "2", "ba": "3", "bốn": "4", "tư": "4", "năm": "5", "sáu": "6",
                 "bảy": "7", "tám": "8", "chín": "9", "mười": "10"}
_UNITS = {"tuổi", "tháng", "bản", "ngày", "năm", "lần"}
# the units digit after "mười"/"mươi" in its spoken forms ("mười lăm", "hai mươi mốt")
_UNIT_DIGITS = {"lăm": "5", "mốt": "1", "tư": "4"}


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _fold_slow(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# Each precomposed Latin letter folded on its own, once: folding is per character (the marks
# NFD splits off are all dropped), so a table gives the same result as decomposing the text.
# (Interleaved A/B in one process, with the phrase lookups below: ~0.1–0.3 ms of a 4–5 ms ask.)
_FOLD_TABLE = {c: _fold_slow(chr(c)) for c in (*range(0xC0, 0x250), *range(0x1E00, 0x1F00))
               if _fold_slow(chr(c)) != chr(c)}


def fold(text: str) -> str:
    """Remove Vietnamese diacritics (đ→d). Idempotent."""
    out = text.translate(_FOLD_TABLE)
    # what the table does not hold (a combining mark typed after its letter, other scripts)
    return out if out.isascii() else _fold_slow(out)


def _phrase_map(tokens: list[str], table: dict[str, str], longest: dict[str, int]) -> list[str]:
    """Replace the longest phrases found in ``table`` (keys accented or folded). ``longest``:
    per first token, the most tokens of a phrase it begins (``_phrase_lengths``); a token that
    begins none is looked up alone, not joined with its neighbours to every phrase length."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        for n in range(longest.get(tokens[i], 1), 0, -1):
            if i + n > len(tokens):
                continue
            phrase = " ".join(tokens[i:i + n])
            repl = table.get(phrase)
            if repl is not None:
                out.extend(repl.split())
                i += n
                break
        else:
            out.append(tokens[i])
            i += 1
    return out


# A plain token of a question typed partly with marks is a filler if its folded form is one —
# except where folding makes it a content word (thế→the "thẻ", đi→di "di chúc", đó→do "sổ đỏ",
# chị→chi "chi trả", bà→ba, cô→co, hồ→ho "hộ", tờ→to "tổ", vâng→vang "tạm vắng"). A question
# typed wholly plain reads each such word by its neighbours instead (knowledge.plain_readings).
_READINGS = PlainReadings.load()
_FILLER_FOLDED = frozenset(fold(w) for w in FILLER_WORDS) - {"the", "di", "do", "chi", "ba", "co", "ho", "to", "thu", "tuc", "so", "ma", "la", "day", "nay", "nhung", "cai", "a", "vang", "chung", "te", "he", "ne", "hen"}
# first folded syllable → the phrases (accented, folded) starting with it, longest first
_FILLER_PHRASES_FOLDED: dict[str, tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]] = {}
for _p in sorted({tuple(p.split()) for p in FILLER_PHRASES}, key=len, reverse=True):
    _pf = tuple(fold(w) for w in _p)
    _FILLER_PHRASES_FOLDED[_pf[0]] = _FILLER_PHRASES_FOLDED.get(_pf[0], ()) + ((_p, _pf),)


def _phrase_at(tokens: list[str], folded: list[str], i: int, phrase: tuple[str, ...], phrase_folded: tuple[str, ...]) -> bool:
    """The filler phrase is at ``i``: each syllable as written, or typed without diacritics.
    A syllable that carries them must carry the phrase's ("khai sinh muộn", late, is not
    "muốn", want)."""
    n = len(phrase)
    return tuple(folded[i:i + n]) == phrase_folded and all(
        t == a or t == f for t, a, f in zip(tokens[i:i + n], phrase, phrase_folded))


def _is_filler(token: str) -> bool:
    return token in FILLER_WORDS or (token == fold(token) and token in _FILLER_FOLDED)


def _is_plain_filler(tokens: list[str], i: int) -> bool:
    """In a question typed without any diacritics: the word's neighbours decide between
    its filler and its content reading (knowledge.plain_readings)."""
    before = tokens[i - 1] if i else START
    after = tokens[i + 1] if i + 1 < len(tokens) else END
    odds = _READINGS.log_odds(tokens[i], before, after)
    return _is_filler(tokens[i]) if odds is None else odds > 0


def _is_pronoun(tokens: list[str], i: int) -> bool:
    return tokens[i] in PRONOUNS and (i == 0 or tokens[i - 1] in _PRONOUN_AFTER)


def without_filler_phrases(tokens: list[str]) -> list[str]:
    """``tokens`` without the filler phrases ("cho em hỏi", "cần những gì"…), each matched
    as written or typed plain."""
    folded = [fold(t) for t in tokens]
    out: list[str] = []
    i = 0
    while i < len(tokens):
        for p, pf in _FILLER_PHRASES_FOLDED.get(folded[i], ()):
            if _phrase_at(tokens, folded, i, p, pf):
                i += len(p)
                break
        else:
            out.append(tokens[i])
            i += 1
    return out


def _drop_fillers(tokens: list[str], unaccented: bool) -> list[str]:
    out = without_filler_phrases(tokens)
    filler = _is_plain_filler if unaccented else (lambda ts, i: _is_filler(ts[i]))
    kept = [t for i, t in enumerate(out) if not filler(out, i) and not _is_pronoun(out, i)]
    kept = _drop_question_particle(kept)
    return kept or out  # a question made only of "filler" keeps its words


# "(có) … không?" is how a yes/no question ends: a final "không" (also "hông", "ko"…,
# already mapped), maybe followed by the person addressed ("… không chị", "… hông con"),
# is not a negation. Inside the sentence it stays ("hòa giải không thành").
_ADDRESSED_FOLDED = frozenset(fold(t) for t in PRONOUNS | {"con", "ba", "má", "mẹ"})


def _drop_question_particle(tokens: list[str]) -> list[str]:
    end = len(tokens)
    if end >= 3 and fold(tokens[end - 1]) in _ADDRESSED_FOLDED and fold(tokens[end - 2]) == "khong":
        end -= 1
    if end >= 2 and fold(tokens[end - 1]) == "khong":
        return tokens[:end - 1]
    return tokens


# "mất mấy ngày", "mất bao lâu", "mất bao nhiêu tiền": here "mất" is "take, cost", not
# "lost" or "died" (which point to re-issue and death procedures). After "đã/mới/vừa"
# it stays ("mẹ đã mất bao lâu" is ambiguous). Folded keys cover unaccented typing;
# "mat tien" is left alone ("mặt tiền", a house front).
_TAKES_NEXT = frozenset("mấy bao nhiêu thời tiền phí may bao nhieu thoi".split())
_TAKES_NOT_AFTER = frozenset("đã mới vừa da moi vua".split())


def _takes_time(tokens: list[str]) -> list[str]:
    return [
        t for i, t in enumerate(tokens)
        if not (
            t in ("mất", "mat")
            and i + 1 < len(tokens) and tokens[i + 1] in _TAKES_NEXT
            and (t == "mất" or tokens[i + 1] != "tien")
            and (i == 0 or tokens[i - 1] not in _TAKES_NOT_AFTER)
        )
    ]


# "bố tôi mới mất", "ba mất rồi": after a relative, "mất" is "died" — a death to
# register (khai tử), not a lost paper ("mất giấy khai sinh", "bố làm mất sổ đỏ").
# "chết" after a relative is said the same way, so a plain "mẹ tôi chết bốn năm rồi"
# meets the texts that say "qua đời".
_KIN = frozenset(
    "bố ba cha mẹ má ông bà nội ngoại chồng vợ con cháu anh chị em cô chú bác dì cậu thím mợ tôi tui nhà thân ổng bả"
    " bo cha me ma ong ba noi ngoai chong vo con chau anh chi em co chu bac di cau toi tui nha".split()
)
_KIN_GAP = frozenset("đã mới vừa cũng da moi vua cung".split())
_PAPERS = frozenset("giấy sổ thẻ căn bằng hồ bản trích chứng giay so the can bang ho ban trich chung".split())
# What a person loses rather than dies of: "tôi mất việc" (a job), "nhà tôi mất điện, mất nước,
# mất mạng" (a supply cut), "bố tôi mất sức lao động" (the capacity to work, a disability
# question), "chồng tôi mất ví". Unaccented only where the word is nothing else ("vi" is also
# "vì", "do" "do", "tai" "tại": "mẹ tôi mất vì bệnh" is a death).
_LOST_THINGS = frozenset(
    "việc điện nước mạng sóng ngủ ví bóp xe sức trí liên khả đồ tiền chìa túi tài mật quyền đất"
    " viec dien mang song ngu bop suc tri lien kha chia".split()
)
# … and a part of the body, often after a number: "bố chồng tôi mất một chân do đạp mìn".
_LOST_LIMBS = frozenset("chân tay mắt ngón răng chan ngon rang".split())
_ONE_OR_TWO = frozenset("một hai 1 2 mot".split())


def _lost_after(tokens: list[str], k: int) -> bool:
    """Whether the words from ``k`` on, just after "mất", name a thing lost (a paper, a job, a
    limb) rather than leave the "mất" a death."""
    if tokens[k:k + 1] in (["cả"], ["hết"], ["ca"], ["het"]) and k + 1 < len(tokens):
        k += 1  # "mất cả giấy khai sinh lẫn sổ", "mất hết giấy tờ"; "mất cả rồi" stays a death
    if tokens[k:k + 1] and tokens[k] in _ONE_OR_TWO and tokens[k + 1:k + 2] and tokens[k + 1] in _LOST_LIMBS:
        k += 1  # "mất một chân"
    if k >= len(tokens):
        return False
    word, after = tokens[k], tokens[k + 1:k + 2]
    if word == "can":
        return after == ["cuoc"]  # unaccented "can" is "cần" (need) far more often than "căn" (cước)
    if word == "nước":
        return after != ["ngoài"]  # "mẹ tôi mất (ở) nước ngoài" is a death
    return word in _PAPERS or word in _LOST_THINGS or word in _LOST_LIMBS


def _died(tokens: list[str]) -> list[str]:
    out = list(tokens)
    for i, t in enumerate(tokens):
        if t not in ("mất", "mat", "chết", "chet"):
            continue
        j = i - 1
        while j >= 0 and tokens[j] in _KIN_GAP:
            j -= 1
        if j < 0 or tokens[j] not in _KIN:
            continue
        if _lost_after(tokens, i + 1):
            continue  # "mẹ mất giấy khai sinh", "tôi mất việc", "mất một chân": lost
        if t == "mat" and i + 1 < len(tokens) and tokens[i + 1] == "tien":
            continue
        if i + 1 < len(tokens) and tokens[i + 1] in ("tích", "tich"):
            continue  # "bố tôi mất tích": missing, not dead (a court declares it)
        out[i] = "qua doi" if t in ("mat", "chet") else "qua đời"
    return " ".join(out).split()


# Central "chi" is "gì" ("cần giấy chi", "làm chi"); unaccented it is also "chị" and it
# begins "chi trả", "chi phí". Only after a word that asks for a thing is it "gì".
_CHI_AFTER = frozenset("cần làm giấy tờ mang đem những cái là tục gì can lam giay to dem nhung cai la tuc".split())


def _central_chi(tokens: list[str]) -> list[str]:
    return ["gì" if t == "chi" and i > 0 and tokens[i - 1] in _CHI_AFTER else t for i, t in enumerate(tokens)]


def _number_spellings(tokens: list[str], i: int) -> list[tuple[str, int]]:
    """The numbers ``tokens[i:]`` may spell ("tám", "mười tám", "sáu mươi", "sáu mươi lăm"),
    longest first, each with how many tokens it takes: "mười năm" is fifteen before a unit
    ("mười năm tuổi") and ten years otherwise."""
    t = tokens[i]
    nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
    if t == "mười":
        unit = _NUMBER_WORDS.get(nxt) or _UNIT_DIGITS.get(nxt)
        return ([("1" + unit, 2)] if unit and nxt != "mười" else []) + [("10", 1)]
    if t not in _NUMBER_WORDS:
        return []
    if nxt != "mươi":
        return [(_NUMBER_WORDS[t], 1)]
    after = tokens[i + 2] if i + 2 < len(tokens) else ""
    unit = _NUMBER_WORDS.get(after) or _UNIT_DIGITS.get(after)
    return ([(_NUMBER_WORDS[t] + unit, 3)] if unit and after != "mười" else []) + [(_NUMBER_WORDS[t] + "0", 2)]


# Typed plain, the number words that are seldom another word right before a unit ("tro cap
# mot lan" is the one-time allowance, as "trợ cấp một lần" → "1 lần"; plain "mot" was dropped
# as the filler "một"). Not "sau" ("sau 1 tháng", after), "bay" ("máy bay ngày mai"), "tu",
# "lam".
_PLAIN_NUMBER_WORDS = {"mot": "một", "bon": "bốn", "nam": "năm", "tam": "tám", "chin": "chín"}
_PLAIN_UNITS = {fold(u): u for u in _UNITS}


def _as_marked(tokens: list[str]) -> list[str]:
    """The tokens with plain number words and units written with marks, to find numbers in."""
    out: list[str] = []
    for t in tokens:
        if t == "muoi":  # ten at the start of a number, "-ty" after a digit word ("hai muoi")
            out.append("mươi" if out and out[-1] in _NUMBER_WORDS else "mười")
        else:
            out.append(_PLAIN_NUMBER_WORDS.get(t) or _PLAIN_UNITS.get(t) or t)
    return out


def _numbers(tokens: list[str]) -> list[str]:
    marked = _as_marked(tokens)
    out: list[str] = []
    i = 0
    while i < len(tokens):
        # the longest spelling a unit follows, else the token as it is
        digits, n = next(((d, k) for d, k in _number_spellings(marked, i)
                          if i + k < len(marked) and marked[i + k] in _UNITS), (tokens[i], 1))
        out.append(digits)
        i += n
    return out


def _abbreviation(token: str, before: str = "") -> str:
    """Expand a chat spelling. The folded form is tried only for a token typed without
    tone marks ("đk" → "dk"): "hỏng" (broken) is not "hong" (= "không"), "kì" is not "ki".
    ``before``: the token before it, which may make it a word (``NOT_CHAT_AFTER``)."""
    if before in NOT_CHAT_AFTER.get(token, ()):
        return token
    repl = ABBREVIATIONS.get(token)
    if repl is None and fold(token) == token.replace("đ", "d"):
        repl = ABBREVIATIONS.get(fold(token))
    return token if repl is None else repl


def tokenize(text: str) -> list[str]:
    text = nfc(text).lower().replace("_", " ")
    text = _PUNCT.sub(" ", text)
    return _SPACES.sub(" ", text).strip().split()


_NOT_MARRIED = ("chưa vợ", "chưa có vợ", "chưa chồng", "chưa có chồng", "chưa kết hôn", "chưa lập gia đình",
                "còn độc thân", "chưa đăng ký kết hôn", "không có chồng", "không có vợ")


def _not_married_phrases() -> dict[str, str]:
    """"giấy chưa có chồng", "xác nhận chưa vợ", "chứng nhận còn độc thân"…: a paper saying
    one is not married is the marital-status certificate, however the state is said (the
    rows above name a few; leaving sets out, "xin cái giấy chưa có chồng cho con bé" and
    "giấy xác nhận chưa vợ" were asked back without it). Accented and typed plain."""
    out: dict[str, str] = {}
    for head, repl in (("giấy", "giấy xác nhận tình trạng hôn nhân"), ("xác nhận", "xác nhận tình trạng hôn nhân"),
                       ("chứng nhận", "xác nhận tình trạng hôn nhân")):
        for state in _NOT_MARRIED:
            out.setdefault(f"{head} {state}", repl)
            out.setdefault(fold(f"{head} {state}"), repl)
    return out


def _typed_plain(table: dict[str, str]) -> dict[str, str]:
    """``table`` and, for each phrase of two or more syllables written with marks, the same
    phrase typed plain ("giay chung tu", "cong chung", "viet kieu"), unless that spelling is
    another phrase as well (words.FOLD_AMBIGUOUS, bench/fold_ambiguity.py). A single syllable
    is never read plain ("mô" is also "mở", "mồ", "mộ"). A phrase written in the table wins."""
    plain = {fold(k): v for k, v in table.items()
             if fold(k) != k and len(k.split()) >= 2 and k not in FOLD_AMBIGUOUS}
    return {**plain, **table}


_DIALECT = _typed_plain(DIALECT)
# the table as written, plus those papers (a phrase written in the table wins)
_CONCEPTS = {**_not_married_phrases(), **_typed_plain(CONCEPTS)}


def _phrase_lengths(table: dict[str, str]) -> dict[str, int]:
    """Per first token of ``table``'s phrases, the most tokens a phrase beginning with it has."""
    out: dict[str, int] = {}
    for k in table:
        words = k.split()
        if words:
            out[words[0]] = max(out.get(words[0], 1), len(words))
    return out


_DIALECT_LONGEST, _CONCEPTS_LONGEST = _phrase_lengths(_DIALECT), _phrase_lengths(_CONCEPTS)
_NOT_MARRIED_SPLIT = tuple(sorted({tuple(p.split()) for s in _NOT_MARRIED for p in (s, fold(s))}, key=len, reverse=True))
_PAPER_HEADS = frozenset("giấy giay xác chứng xac chung".split())
# How far after "giấy" the state may come: "giấy nói bả hiện giờ không có chồng" (5).
_NOT_MARRIED_REACH = 6


def _not_married_said(tokens: list[str]) -> list[str]:
    """A paper saying one is not married, told with words between ("xin giấy nói mình
    đang không có chồng"): the state becomes the certificate's name. Only after a paper
    word — "chồng chết rồi, giờ không có chồng" alone is not a request."""
    heads = [i for i, t in enumerate(tokens) if t in _PAPER_HEADS]
    for i in range(len(tokens)):
        if not any(0 < i - h <= _NOT_MARRIED_REACH for h in heads):
            continue
        for state in _NOT_MARRIED_SPLIT:
            if tuple(tokens[i:i + len(state)]) == state:
                return tokens[:i] + "xác nhận tình trạng hôn nhân".split() + tokens[i + len(state):]
    return tokens


# An official who comes to the family ("cán bộ lên tận nhà", "vô tận làng", "tới tận giường")
# is what the civil-status titles call "lưu động" (mobile registration: a birth, death or
# marriage where the family cannot travel). "về tận nhà" and "gửi tận nhà" (results sent
# home) are not.
_COME = frozenset("lên vào vô tới đến xuống ra len vao vo toi den xuong".split())
_THERE = frozenset("nhà làng buôn bản giường nơi nha lang buon ban giuong noi".split())
_OFFICIAL = (("cán", "bộ"), ("can", "bo"))  # said whole: unaccented "can" alone is also "cần"
_OFFICIAL_REACH = 6  # "cán bộ xã có đi vô làng": the coming may follow a few words on


def _mobile(tokens: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(tokens):
        if tokens[i] in _COME:
            # "lên tận nhà", or "cán bộ (xã) (đi) vào làng": the official named, then the place
            gap = 1 if tokens[i + 1:i + 2] in (["tận"], ["tan"]) else 0
            place = tokens[i + 1 + gap] if i + 1 + gap < len(tokens) else ""
            if place in _THERE and (gap or any(tuple(tokens[j:j + 2]) in _OFFICIAL
                                               for j in range(max(0, i - _OFFICIAL_REACH), i))):
                out.extend(["lưu", "động", place])
                i += 2 + gap
                continue
        out.append(tokens[i])
        i += 1
    return out


@lru_cache(maxsize=4096)
def normalize_text(text: str, drop_fillers: bool = True) -> str:
    """The accented matching key of ``text`` (see module doc)."""
    tokens = tokenize(text)
    unaccented = all(t == fold(t) for t in tokens)
    tokens = [_abbreviation(t, tokens[i - 1] if i else "") if len(t) <= 8 else t for i, t in enumerate(tokens)]
    tokens = " ".join(tokens).split()
    tokens = _central_chi(tokens)
    tokens = _phrase_map(tokens, _DIALECT, _DIALECT_LONGEST)
    tokens = _phrase_map(tokens, _CONCEPTS, _CONCEPTS_LONGEST)
    tokens = _not_married_said(tokens)
    tokens = _mobile(tokens)
    tokens = as_foreign(tokens)
    tokens = _numbers(tokens)
    tokens = _takes_time(tokens)
    tokens = _died(tokens)
    if drop_fillers:
        tokens = _drop_fillers(tokens, unaccented)
    return " ".join(tokens)


# Sound confusions, applied per syllable on folded text. Initials: northern s/x, ch/tr,
# d/gi/r merge; southern v→d(y); Whisper also confuses these. Finals: southern n/ng,
# t/c, nh→n; "uy"/"i" spellings.
_INITIALS = (("kh", "kh"), ("ngh", "ng"), ("gh", "g"), ("tr", "ch"), ("gi", "d"), ("x", "s"), ("r", "d"), ("v", "d"),
             ("k", "c"), ("q", "c"), ("ph", "f"))
_FINALS = (("nh", "n"), ("ng", "n"), ("ch", "t"), ("c", "t"), ("y", "i"))


@lru_cache(maxsize=65536)
def _phonetic_syllable(s: str) -> str:
    for a, b in _INITIALS:
        if s.startswith(a) and len(s) > len(a):
            s = b + s[len(a):]
            break
    for a, b in _FINALS:
        if s.endswith(a) and len(s) > len(a):
            s = s[: -len(a)] + b
            break
    return s


def phonetic(folded: str) -> str:
    """Merge sound-alike spellings of an already folded key."""
    return " ".join(_phonetic_syllable(s) for s in folded.split())


def keys(text: str) -> tuple[str, str, str]:
    """(accented, folded, phonetic) matching keys of a text."""
    n = normalize_text(text)
    f = fold(n)
    return n, f, phonetic(f)


def family_term_tokens(term: str) -> tuple[str, ...]:
    """The folded words by which a family's term (families.yaml ``terms``) is found in a
    question, or () when normalising leaves too little of it: "giấy tờ xe" keeps only "xe"
    ("giấy tờ" is dropped from every question) and "so hong" only "so" ("hong" is chat for
    "không"), which would name the family in any question about any vehicle or any "sổ"."""
    words = keys(term)[1].split()
    return tuple(words) if words and len(words) >= min(2, len(term.split())) else ()
