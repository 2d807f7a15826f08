"""Personal details masked out of a question before it is stored: never names, numbers, addresses.

Questions can contain personal details a citizen says aloud ("khai sinh cho bé Nguyễn
Văn An, số 0903…"), so the question log (knowledge.qlog) and every report and statistic
made from it see only the masked text. What is masked (docs/privacy.md has the measured recall):

- e-mail addresses → ``[email]``;
- dates (12/3/2024, 20-11-2001, 30.04.1975, 2/9) → ``[ngày]``, and "ngày 15 tháng 8 năm 2020" → "ngày # tháng # năm #";
- phone and ID numbers, also written in groups ("07 91 23 45 67 89", "0912.345.678",
  "+84 903 456 789") and every other run of 3+ digits → ``#``;
- house and flat numbers that mix letters and digits (25B, A12-05) → ``#``;
- house numbers and the parts of an address after its keyword (số 12, ngõ 34, hẻm 45/7,
  tổ 5, thôn Đông Hòa, a street after a number: "45 Trần Hưng Đạo") → ``#`` / ``[địa chỉ]``;
- personal names → ``[tên]``, found without relying on capital letters: after an
  honorific or a relation (anh, chị, cô, chú, ông, bà, bé, cháu, vợ, mẹ…, "cô giáo"),
  after "tên (là)", a surname (≈ 150, any case, also typed without diacritics) followed
  by a middle or given name, or a capitalised run that contains a name syllable.

Two-syllable words of the procedures ("lưu trú", "lương hưu", "vi phạm", "mai táng",
"hồ sơ", "sang tên"…) are never taken for a name, and place names (Việt Nam, Hàn
Quốc, Sài Gòn…) are kept: the staff need them to fix the content, and they identify no one.
"""
from __future__ import annotations

import re
import unicodedata

from knowledge.normalize import nfc

NAME_MASK = "[tên]"
EMAIL_MASK = "[email]"
DATE_MASK = "[ngày]"
ADDRESS_MASK = "[địa chỉ]"
NUMBER_MASK = "#"

_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+", re.UNICODE)
_D = r"(?<![\w/.\-])"  # not inside a longer token
_DATE_FULL = re.compile(_D + r"\d{1,2}\s?[/.\-]\s?\d{1,2}\s?[/.\-]\s?(?:\d{4}|\d{2})(?![\w/])")
_DATE_WORDS = re.compile(
    r"(?:(?:ngày|mùng|mồng|ngay|mung)\s+)?\d{1,2}\s+(?:tháng|thang)\s+\d{1,2}(?:\s+(?:năm|nam)\s+\d{2,4})?"
    r"|(?:tháng|thang)\s+\d{1,2}\s+(?:năm|nam)\s+\d{2,4}", re.IGNORECASE)
_DATE_SHORT = re.compile(_D + r"\d{1,2}/\d{1,2}(?![\w/])")
# Seven or more digits with single spaces, dots or dashes between: phone and ID numbers.
_GROUPED = re.compile(r"(?<![\w])\+?\d(?:[ .\-]?\d){6,}(?!\w)")
_HOUSE = re.compile(_D + r"\d+[a-zA-Z]?(?:/\d+[a-zA-Z]?)+(?![\w/])")  # 45/7, 247/15B
_DIGITS = re.compile(r"\d{3,}")
# House, flat and plate numbers mixing letters and digits: 25B, A12-05, 12A/3, 59A-12345.
_MIXED = re.compile(r"(?<![\w/\-])(?:\d+[A-Za-z](?:[\-/]\w+)*|[A-Za-z]?\d+[A-Za-z]?[\-/]\w*\d\w*)(?![\w/\-])")
# (form codes such as CT07, KT3, TK01 — letters then digits — stay: they are procedure words)
_TAIL = ",.;:!?…\"'()[]"

# Surnames: the common ones and those of the ethnic minorities of the Central Highlands
# and the North (Lò, Cầm, Ksor, Niê…); matched in any case, on their own or before a name.
SURNAMES = frozenset("""
nguyễn trần lê phạm hoàng huỳnh phan vũ võ đặng bùi đỗ hồ ngô dương lý đinh đoàn lương trịnh trương
quách tạ triệu thái kiều lưu châu hứa mai cao lâm phùng tô la đào văn giang khổng lạc mạc ninh âu tăng từ hà
tôn thân vương chu diệp doãn khúc lục nông quan tiêu ông chung kim lò lường quàng cầm sầm vi bế ma mông hầu
đàm đồng giáp hàn hạ khương khuất lã lại lăng liêu lỗ mẫn nghiêm ngụy nhan ôn phí phó quản thạch
thiều tiết tống trình ung ứng vưu yên bạch bành biện cù cung đái đậu điền hàm kha lam lều mạch mã
ksor siu rơ kpă rahlan niê êban
""".split())
# Typed without diacritics, only these are not also everyday words.
SURNAMES_FOLDED = frozenset("nguyen tran le pham hoang huynh phan vu vo dang bui ho ngo duong dinh doan luong "
                            "trinh truong quach trieu phung".split())
# Typed without diacritics a surname counts only before these ("tran van", "le thi"), or "nguyen" before any name.
MIDDLE_STRICT_FOLDED = frozenset("van thi huu duc ngoc minh thanh xuan quoc".split())
MIDDLE = frozenset("""
văn thị hữu đức công quang minh ngọc thanh xuân thu kim quốc gia bảo hoàng anh đình duy mạnh phương khánh tuấn
trọng thế như diệu mỹ hải hồng thúy bích thùy phúc tấn tiến trung việt nhật hoài thái cẩm lệ bá hoài thiên
""".split())
MIDDLE_FOLDED = frozenset("van thi huu duc cong quang minh ngoc thanh xuan kim quoc gia bao dinh duy manh "
                          "khanh tuan trong the dieu thuy bich thuy phuc tan tien viet nhat hoai".split())
GIVEN = frozenset("""
an anh ánh bảo bình bích bông cúc chi chiến chinh công cường dung dũng duy dương đạt điệp đông đức gấm giang hà
hải hân hạnh hằng hậu hiền hiếu hiệp hòa hoa hoài hoàng hồng huệ hùng hưng hương hường huy huyền hân khải khang
khánh khoa khôi khuê kiên kim lam lan liên liễu linh loan lộc long lợi luân lực lựu ly mai minh my mỹ nam nga
ngân nghĩa ngọc nguyên nhàn nhân nhi nhung như oanh phát phong phú phúc phụng phương phượng quân quang quế
quốc quý quyên quỳnh sáu sen sơn sương tài tâm tân tấn thắm thắng thanh thành thảo thắm thịnh thoa thơ thơm
thu thủy thúy thùy thư thương thuận tiến tiên tín toản toàn trâm trang trí trinh trọng trúc trung trường tú
tuấn tuệ tùng tuyết tư tường uyên vân văn vi việt vinh vũ vy xuân yến tèo tí tý bi bin na nở mười bảy tám
chín hai ba năm bốn út tư khải kiệt trâm thảo thơ nhàn lựu sen toản pó
""".split())
GIVEN_FOLDED = frozenset("an anh binh bich chi cuong dung dat dong duc giang ha hai han hanh hang hieu hoa hoai "
                         "hong hue hung huong huy huyen khang khanh khoa khoi kien lan lien linh loan loc long "
                         "ly mai minh my nga ngan nghia ngoc nhan nhi nhung oanh phong phuc phuong quan quang "
                         "quynh son tai tam thanh thao thang thu thuy trang tri trinh trung tuan tung uyen van "
                         "vinh vy xuan yen".split())
# Honorifics and relations: the word after them (and an optional "tôi", "giáo", "nội"…)
# is the person's name when it looks like one.
HONORIFICS = frozenset("""
anh chị cô chú ông bà bác em bé cháu con cậu mợ dì dượng thím cụ vợ chồng mẹ ba bố cha má bạn
""".split())
HONORIFICS_FOLDED = frozenset("anh ong be chau bac".split())
QUALIFIERS = frozenset("tôi tui mình em con trai gái nội ngoại ruột giáo họ là của nhà bên ấy tên".split())
# After these a name follows whatever it looks like ("tên là tí", "họ tên Ksor H'Ben").
NAME_CUES = ("tên",)
# Two-syllable words and set phrases whose first or second syllable is also a name:
# never a name. Gathered from the procedure titles, aliases and the labelled questions
# (tests/test_qlog.py checks that no procedure word is masked).
PROTECTED = frozenset(tuple(p.split("_")) for p in """
vi_phạm hồ_sơ lưu_trú lưu_trữ lưu_sổ lưu_giữ lương_hưu lương_tháng mai_táng mai_tán văn_bản văn_phòng văn_hóa đồng_ý
đồng_thời đồng_sở lệ_phí phí_tổn điền_tờ điền_vào mã_số mã_định sổ_hồng quan_hệ quan_trọng thân_nhân thân_thể chung_cư
chung_sống tôn_giáo phó_chủ quản_lý lý_lịch lý_do đỗ_xe sang_tên sang_nhượng sang_năm thu_hồi thu_phí thu_tiền
thu_nhập an_toàn an_ninh an_táng bình_thường bình_đẳng hòa_giải hòa_hợp trung_tâm trung_ương trung_cấp bảo_hiểm
bảo_hộ bảo_trợ bảo_lãnh bảo_đảm tâm_thần minh_chứng thành_phố thành_lập thành_niên thành_viên công_chứng công_an
công_dân công_ty công_nhận công_việc hải_quan phương_tiện phương_án phương_thức vũ_trụ kiều_bào việt_kiều hà_nội
cao_tuổi lâm_nghiệp đào_tạo tăng_thêm từ_đâu từ_lâu dương_tính lục_lại nông_nghiệp tiêu_chuẩn ứng_dụng cung_cấp
lại_giấy hưởng_lương nhận_lương tiền_lương công_bố công_nhân anh_hùng vũ_trang lực_lượng phạm_vi ứng_phó công_trình thủy_lợi hợp_đồng cộng_đồng hội_đồng đồng_bào ly_dị ly_hôn ly_thân thương_binh thương_tật thương_tích tí_nào ông_bà bà_con anh_em chị_em cô_dâu chú_rể chú_ý em_bé con_cái con_nuôi tí_nữa tí_xíu hai_bên ba_mẹ
mẹ_con cha_mẹ bố_mẹ vợ_chồng chồng_con anh_chị ông_nội bà_nội ông_ngoại bà_ngoại trình_bày đoàn_thể đoàn_viên
đoàn_thanh triệu_đồng hoàng_hôn trần_nhà võ_thuật ninh_bình kim_loại hồng_đức lâm_đồng quang_ngãi
quốc_tịch quốc_phòng quốc_tế gia_đình gia_hạn gia_cảnh đức_tin minh_bạch khánh_thành mỹ_thuật phúc_lợi
tiến_độ trung_thực việt_nam nhật_bản thái_lan hà_giang hải_phòng hải_dương quảng_nam thu_phí nam_nữ hai_lần
ba_lần năm_nay năm_ngoái năm_sau sáu_tháng ba_tháng hai_tháng tám_tháng mười_năm
ông_già bà_già tây_nam tây_nguyên trường_sơn hàng_xóm xử_lý tài_sản thanh_niên ung_thư sĩ_quan anh_hai đứng_tên
viết_giấy viết_đơn viết_tay thân_sinh đàng_hoàng thương_hiệu phạm_nhân
""".split())
# Places people name to explain their case; they identify no one and the staff need them.
PLACES = frozenset(tuple(p.split("_")) for p in """
việt_nam hàn_quốc trung_quốc nhật_bản đài_loan hà_nội sài_gòn hồ_chí thủ_đức đà_nẵng hải_phòng cần_thơ bến_thành
thái_lan hồng_kông ma_cao bà_rịa vũng_tàu bình_dương đồng_nai long_an tây_ninh quảng_ninh nam_định
""".split())
COUNTRY_WORDS = frozenset("mỹ úc nhật pháp đức anh nga lào campuchia canada singapore".split())
# Words that end a name: function words and the common verbs and nouns of a question.
STOP = frozenset("""
ơi ạ à ấy nhé nha lại hoài với và hay hoặc thì là mà có không chưa được bị cho của ở tại trong ngoài từ đến về đi làm
muốn cần phải nên sẽ đã đang vừa mới rồi nữa cũng vẫn hỏi xin nộp mất sinh chết qua đời năm tháng ngày tuổi
nhờ bảo hẹn dặn nói hướng dẫn gọi nhận gửi giúp thế nào sao gì đâu bao nhiêu khi nếu vì nên để
ở tôi tui mình em anh chị nó họ ta người ông bà
""".split())
# A capitalised name after these is a place or an institution ("bệnh viện Từ Dũ", "thành phố Hồ Chí Minh").
PLACE_BEFORE = frozenset("phố tỉnh huyện quận phường xã viện chợ tiếng người bên trường cầu sông núi chùa".split())
LEGAL_WORDS = frozenset("nghị thông quyết điều luật khoản mẫu chương".split())
ADDRESS_WORDS = frozenset("số ngõ ngách hẻm kiệt tổ ấp thôn xóm khóm lô phòng tầng căn block đường phố khu bản chung".split())


# Given names that are also counting words ("Mười", "Út", "Năm", "Sáu" are names in the South):
# lower case and followed by another number or a unit they count.
_COUNT_WORDS = frozenset("một hai ba bốn tư năm lăm sáu bảy tám chín mười mươi".split())
_COUNT_UNITS = frozenset("tuổi tháng năm ngày tuần lần bản người đứa triệu nghìn ngàn trăm".split())
_YOUNGEST_OF = frozenset("em con bé cháu thằng đứa".split())


def _core(token: str) -> str:
    return token.strip(_TAIL).lower()


def _fold(word: str) -> str:
    out = unicodedata.normalize("NFD", word.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in out if not unicodedata.combining(ch))


def _is_cap(token: str) -> bool:
    t = token.strip(_TAIL)
    return bool(t) and t[0].isupper() and t[0].isalpha()


def _ends_clause(token: str) -> bool:
    return token.rstrip()[-1:] in ",.;:!?…" if token else False


_PROTECTED_FOLDED = frozenset((_fold(a), _fold(b)) for a, b in PROTECTED | PLACES)


def _protected(a: str, b: str, folded: bool = False) -> bool:
    """A word or place of two syllables (compared without diacritics only in unaccented text:
    'gia hạn' must not protect the name 'Gia Hân')."""
    return (a, b) in PROTECTED or (a, b) in PLACES or (folded and (_fold(a), _fold(b)) in _PROTECTED_FOLDED)


def _name_like(tokens: list[str], i: int, prev: str | None, folded: bool) -> bool:
    """Could tokens[i] be a syllable of a personal name here? ``folded``: the question has no diacritics."""
    if i >= len(tokens):
        return False
    raw, w = tokens[i], _core(tokens[i])
    if not w or w in (NAME_MASK, EMAIL_MASK, DATE_MASK, ADDRESS_MASK) or not any(c.isalpha() for c in w):
        return False
    nxt = _core(tokens[i + 1]) if i + 1 < len(tokens) else ""
    if prev is not None and _protected(prev, w, folded):
        return False
    if nxt and _protected(w, nxt, folded):
        return False
    # a number ("mười lăm tuổi", "mười hai tháng"), not the nickname Mười
    if not _is_cap(raw) and w in _COUNT_WORDS and (nxt in _COUNT_WORDS or nxt in _COUNT_UNITS):
        return False
    # "em út", "con út": the youngest, not the nickname Út (written with a capital)
    if w == "út" and not _is_cap(raw) and prev in _YOUNGEST_OF:
        return False
    if w in STOP:
        if _is_cap(raw):
            return i > 0 and w not in ("ơi", "ạ", "à", "ấy", "nhé", "nha")
        # "cháu bảo an" (a name) but "chị bảo tôi" (told me): a name when a name syllable follows
        return not folded and w in GIVEN and nxt in GIVEN and nxt not in STOP
    if _is_cap(raw):
        return True
    if folded:
        return w in GIVEN_FOLDED or w in MIDDLE_FOLDED or w in SURNAMES_FOLDED
    return w in GIVEN or w in MIDDLE or w in SURNAMES


def _name_run(tokens: list[str], i: int, prev: str | None, folded: bool, limit: int = 4, caps: bool = False) -> int:
    """How many tokens from i form a name (0: none); ``caps``: only capitalised ones (after a capitalised surname)."""
    n = 0
    while n < limit and (not caps or (i + n < len(tokens) and _is_cap(tokens[i + n]))) \
            and _name_like(tokens, i + n, prev if n == 0 else _core(tokens[i + n - 1]), folded):
        n += 1
        if _ends_clause(tokens[i + n - 1]):
            break
    return n


def _mask_names(tokens: list[str], folded: bool) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(tokens):
        raw, w = tokens[i], _core(tokens[i])
        prev = _core(tokens[i - 1]) if i else None
        nxt = _core(tokens[i + 1]) if i + 1 < len(tokens) else ""
        take = 0
        # "tên (là/con/bé…) X Y"
        if w in NAME_CUES and not _ends_clause(raw) and prev not in ("đặt", "đổi", "sang", "mang", "đứng", "chữ", "xan"):
            j = i + 1
            while j < len(tokens) and _core(tokens[j]) in ("là", "con", "bé", "cháu", "em", "tôi", "mình", "của", "gọi"):
                j += 1
            first = _core(tokens[j]) if j < len(tokens) else ""
            if first and (_is_cap(tokens[j]) or first not in HONORIFICS):
                take = _name_run(tokens, j, None, folded)
            if take:
                out.extend(tokens[i:j])
                out.append(NAME_MASK + _tail(tokens[j + take - 1]))
                i = j + take
                continue
        # honorific / relation (+ qualifiers) + name
        if (w in (HONORIFICS_FOLDED if folded else HONORIFICS)) and not _ends_clause(raw):
            j = i + 1
            while j < len(tokens) and j - i <= 2 and _core(tokens[j]) in QUALIFIERS and not _ends_clause(tokens[j - 1]):
                j += 1
            # "… em trai. Thế thì …": a sentence ended after the qualifier, no name follows
            if j < len(tokens) and not _ends_clause(tokens[j - 1]) and not (prev is not None and _protected(prev, w, folded)) \
                    and not _protected(w, nxt, folded):
                take = _name_run(tokens, j, _core(tokens[j - 1]), folded)
                # a country after "người" / "bên" / "tiếng" is not a name ("chồng tôi là người Nhật")
                if take == 1 and _core(tokens[j]) in COUNTRY_WORDS:
                    take = 0
                if take:
                    out.extend(tokens[i:j])
                    out.append(NAME_MASK + _tail(tokens[j + take - 1]))
                    i = j + take
                    continue
        # surname + name, in any case
        if folded:
            is_surname = w in SURNAMES_FOLDED and (w == "nguyen" or nxt in MIDDLE_STRICT_FOLDED)
        else:
            is_surname = w in SURNAMES
        if is_surname and not (prev in PLACE_BEFORE and _is_cap(raw)) and not _protected(prev or "", w, folded) and not _protected(w, nxt, folded) \
                and not _ends_clause(raw) \
                and i + 1 < len(tokens):
            if _is_cap(raw) and _is_cap(tokens[i + 1]):
                take = 1 + _name_run(tokens, i + 1, w, folded, limit=3, caps=True)
            elif w not in STOP:  # "từ", "lại" are surnames too, but mostly not
                nw = nxt
                if folded or nw in MIDDLE or (nw in GIVEN and nw not in STOP):
                    take = 1 + _name_run(tokens, i + 1, w, folded, limit=3)
            if take >= 2:
                out.append(NAME_MASK + _tail(tokens[i + take - 1]))
                i += take
                continue
        # a capitalised run (not the first word) with a name syllable in it
        if _is_cap(raw) and i > 0:
            n = 0
            while i + n < len(tokens) and _is_cap(tokens[i + n]) and n < 5:
                n += 1
                if _ends_clause(tokens[i + n - 1]):
                    break
            words = [_core(t) for t in tokens[i:i + n]]
            after = [_core(tokens[i + n])] if i + n < len(tokens) else []
            placeish = any(_protected(a, b, folded) for a, b in zip(words, words[1:] + after)) or (prev in PLACE_BEFORE)
            lists = (GIVEN_FOLDED, MIDDLE_FOLDED, SURNAMES_FOLDED) if folded else (GIVEN, MIDDLE, SURNAMES)
            if placeish:  # the whole place name stays ("Thành phố Hồ Chí Minh")
                out.extend(tokens[i:i + n])
                i += n
                continue
            if n >= 2 and any(x in lst for x in words for lst in lists):
                out.append(NAME_MASK + _tail(tokens[i + n - 1]))
                i += n
                continue
        out.append(raw)
        i += 1
    return out


def _tail(token: str) -> str:
    """Punctuation that followed a masked word, kept so the sentence still reads."""
    t = token.rstrip()
    k = len(t)
    while k and t[k - 1] in ",.;:!?…":
        k -= 1
    return t[k:]


def _mask_addresses(tokens: list[str]) -> list[str]:
    """Numbers and names after an address keyword: 'ngõ 34' → 'ngõ #', 'thôn Đông Hòa' → 'thôn [địa chỉ]'."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        raw, w = tokens[i], _core(tokens[i])
        prev = _core(tokens[i - 1]) if i else ""
        if w in ADDRESS_WORDS and i + 1 < len(tokens) and not _ends_clause(raw):
            j = i + 1
            if w == "số" and _core(tokens[j]) == "nhà":
                j += 1  # "số nhà 17"
            if w == "chung" and _core(tokens[j]) == "cư":
                j += 1
            if w == "phố" and prev == "thành":  # "thành phố Hồ Chí Minh" is a city, not an address
                out.append(raw)
                i += 1
                continue
            nxt_raw = tokens[j] if j < len(tokens) else ""
            nxt = _core(nxt_raw)
            # "số" is an address only where one is given ("ở số 12", "nhà số 8", "số nhà 17")
            number_ok = w != "số" or prev in ("ở", "nhà", "tại", "chỉ", "là", "đường", "thuê")
            if nxt and re.fullmatch(r"\d{1,4}[a-z]?|[a-z]\d{1,3}", nxt) and number_ok:
                out.extend(tokens[i:j])
                out.append(NUMBER_MASK + _tail(nxt_raw))
                i = j + 1
                # a street name right after the number ("kiệt 21 Hải Phòng")
                n = 0
                while i + n < len(tokens) and _is_cap(tokens[i + n]) and n < 4:
                    n += 1
                    if _ends_clause(tokens[i + n - 1]):
                        break
                if n:
                    out.append(ADDRESS_MASK + _tail(tokens[i + n - 1]))
                    i += n
                continue
            if nxt and _is_cap(nxt_raw) and w not in ("số", "phòng", "căn", "tầng", "khu") and not _protected(w, nxt):
                n = 0
                while j + n < len(tokens) and _is_cap(tokens[j + n]) and n < 4:
                    n += 1
                    if _ends_clause(tokens[j + n - 1]):
                        break
                out.extend(tokens[i:j])
                out.append(ADDRESS_MASK + _tail(tokens[j + n - 1]))
                i = j + n
                continue
        # a house number right before a street name: "45 Trần Hưng Đạo"
        if re.fullmatch(r"\d{1,4}[a-zA-Z]?", raw) and i + 1 < len(tokens) and _is_cap(tokens[i + 1]) \
                and prev in ("ở", "tại", "chỉ", "nhà") and _core(tokens[i + 1]) not in LEGAL_WORDS:
            n = 0
            while i + 1 + n < len(tokens) and _is_cap(tokens[i + 1 + n]) and n < 4:
                n += 1
                if _ends_clause(tokens[i + n]):
                    break
            out.append(NUMBER_MASK)
            out.append(ADDRESS_MASK + _tail(tokens[i + n]))
            i += 1 + n
            continue
        out.append(raw)
        i += 1
    return out


def _unaccented(tokens: list[str]) -> bool:
    """Typed (mostly) without diacritics: 'em là pham thi thu' counts; in accented Vietnamese
    about half of the words are plain ASCII anyway ('cho em hỏi làm giấy khai sinh': 3 of 7)."""
    words = [t for t in (_core(x) for x in tokens) if any(c.isalpha() for c in t) and not t.startswith("[")]
    return bool(words) and sum(w.isascii() for w in words) >= 0.8 * len(words)


def scrub(text: str) -> str:
    """The question as readable text for staff reports, with personal details masked (300 characters)."""
    return mask(text)[:300]


# A phone or ID number said digit by digit ("không chín không tám một hai…", "09 một hai
# ba 45"): four or more digit words or digit groups in a row are a number; one to three
# are ordinary speech ("một cửa", "hai bản", "ba bốn tháng").
_DIGIT_WORDS = frozenset("không một hai ba bốn tư năm lăm sáu bảy tám chín mười linh lẻ mốt "
                         "khong mot bon tu nam lam sau bay tam chin muoi le".split())
SPOKEN_DIGITS_MIN = 4


def _is_digitish(token: str) -> bool:
    core = token.strip(_TAIL).lower()
    return bool(core) and (core.isdigit() or core in _DIGIT_WORDS)


def _mask_spoken_digits(tokens: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(tokens):
        j = i
        while j < len(tokens) and _is_digitish(tokens[j]) and (j == i or not _ends_clause(tokens[j - 1])):
            j += 1
        if j - i >= SPOKEN_DIGITS_MIN:
            out.append(NUMBER_MASK + _tail(tokens[j - 1]))
            i = j
        else:
            out.append(tokens[i])
            i += 1
    return out


_GLUED = re.compile(r"(?<=[^\W\d_])([,;:!?])(?=\w)")


def mask(text: str) -> str:
    """Every personal detail of ``text`` masked, whatever its length."""
    t = nfc(text)
    t = _EMAIL.sub(EMAIL_MASK, t)
    t = _DATE_FULL.sub(DATE_MASK, t)
    t = _DATE_WORDS.sub(lambda m: re.sub(r"\d+", NUMBER_MASK, m.group(0)), t)  # 'ngày # tháng # năm #'
    t = _GROUPED.sub(NUMBER_MASK, t)
    t = _HOUSE.sub(NUMBER_MASK, t)
    t = _DATE_SHORT.sub(DATE_MASK, t)
    t = _MIXED.sub(NUMBER_MASK, t)
    # "hàng xóm,2 bên": a comma typed without its space must not glue two words into
    # one token (the name rules read a word and its neighbours).
    t = _GLUED.sub(r"\1 ", t)
    tokens = _mask_spoken_digits(t.split())
    tokens = _mask_addresses(tokens)
    folded = _unaccented(tokens)
    tokens = _mask_names(tokens, folded)
    return _DIGITS.sub(_number, " ".join(tokens))


_LEGAL_BEFORE = re.compile(r"(?:nghị định|thông tư|quyết định|luật|điều|khoản|mẫu|mẫu số)\s+$", re.IGNORECASE)


def _number(m: re.Match) -> str:
    """A run of 3+ digits → '#', except the number of a decree or form ("Nghị định 176")."""
    return m.group(0) if _LEGAL_BEFORE.search(m.string[max(0, m.start() - 16):m.start()]) else NUMBER_MASK
