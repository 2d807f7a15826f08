"""Vietnamese text normalisation for speech: write out what a TTS engine would misread.

``normalize_for_speech("Lệ phí 50.000 đồng/bản, nộp tại UBND phường")``
→ ``"Lệ phí năm mươi nghìn đồng một bản, nộp tại ủy ban nhân dân phường"``.

Covers the ward-office register: amounts and numbers (dot thousands separators,
comma decimals), dates, times (7h30), ordinals (thứ 2), counts with leading zeros
(02 bản chính), percentages, ranges (3-5 ngày), administrative abbreviations
(UBND, CCCD, BHYT…), legal document numbers (123/2015/NĐ-CP), phone numbers,
procedure codes (1.001193), slashes and a few units.

Numbers are read the northern way ("linh", "nghìn"). We write this ourselves: the
PyPI package ``vietnam-number`` only converts bare integers ("lẽ", ≤ 999 tỷ) and has
no text rules, which is the larger part of the job.
"""
from __future__ import annotations

import re
import unicodedata

__all__ = ["normalize_for_speech", "number_to_words", "digits_to_words", "ABBREVIATIONS"]

_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")


def digits_to_words(digits: str) -> str:
    """Read digit by digit: "0912" → "không chín một hai"."""
    return " ".join(_DIGITS[int(d)] for d in digits if d.isdigit())


def _below_100(n: int) -> str:
    if n < 10:
        return _DIGITS[n]
    tens, units = divmod(n, 10)
    head = "mười" if tens == 1 else f"{_DIGITS[tens]} mươi"
    if units == 0:
        return head
    if units == 1 and tens >= 2:
        return f"{head} mốt"
    if units == 5:
        return f"{head} lăm"
    return f"{head} {_DIGITS[units]}"


def _below_1000(n: int, full: bool) -> str:
    """``full``: a group after a higher one, so 5 → "không trăm linh năm"."""
    hundreds, rest = divmod(n, 100)
    if hundreds == 0 and not full:
        return _below_100(rest)
    words = [f"{_DIGITS[hundreds]} trăm"]
    if rest == 0:
        return words[0]
    if rest < 10:
        words.append(f"linh {_DIGITS[rest]}")
    else:
        words.append(_below_100(rest))
    return " ".join(words)


_SCALES = ((10**9, "tỷ"), (10**6, "triệu"), (10**3, "nghìn"))


def number_to_words(n: int) -> str:
    """Vietnamese reading of a non-negative integer (northern usage).

    >>> number_to_words(2025)
    'hai nghìn không trăm hai mươi lăm'
    """
    if n < 0:
        return "âm " + number_to_words(-n)
    if n < 1000:
        return _below_1000(n, full=False)
    words: list[str] = []
    rest = n
    higher = False
    for scale, name in _SCALES:
        if rest >= scale:
            q, rest = divmod(rest, scale)
            part = number_to_words(q) if scale == 10**9 else _below_1000(q, full=higher)
            words.append(f"{part} {name}")
            higher = True
    if rest:
        words.append(_below_1000(rest, full=higher))
    return " ".join(words)


def _int_words(token: str) -> str:
    return number_to_words(int(token.replace(".", "")))


def _decimal_words(int_part: str, frac: str) -> str:
    head = _int_words(int_part)
    if frac.startswith("0") or len(frac) > 2:
        tail = digits_to_words(frac)
    else:
        tail = number_to_words(int(frac))
    return f"{head} phẩy {tail}"


_MONTHS = {4: "tư"}


def _month_words(m: int) -> str:
    return _MONTHS.get(m, number_to_words(m))


def _ordinal_words(n: int) -> str:
    return {1: "nhất", 4: "tư"}.get(n, number_to_words(n))


# ----------------------------------------------------------------- abbreviations

# Ministries: read alone ("BTP") and as the issuer of a document number ("…/TT-BTP").
_MINISTRIES: dict[str, str] = {
    "BTP": "bộ tư pháp",
    "BCA": "bộ công an",
    "BTC": "bộ tài chính",
    "BYT": "bộ y tế",
    "BNV": "bộ nội vụ",
    "BXD": "bộ xây dựng",
    "BTNMT": "bộ tài nguyên và môi trường",
    "BLĐTBXH": "bộ lao động thương binh và xã hội",
}

ABBREVIATIONS: dict[str, str] = {
    "UBND": "ủy ban nhân dân",
    "HĐND": "hội đồng nhân dân",
    "UBMTTQ": "ủy ban mặt trận tổ quốc",
    "MTTQ": "mặt trận tổ quốc",
    "CCCD": "căn cước công dân",
    "CMND": "chứng minh nhân dân",
    "CMTND": "chứng minh thư nhân dân",
    "BHYT": "bảo hiểm y tế",
    "BHXH": "bảo hiểm xã hội",
    "BHTN": "bảo hiểm thất nghiệp",
    "TTHC": "thủ tục hành chính",
    "GCN": "giấy chứng nhận",
    "GCNQSDĐ": "giấy chứng nhận quyền sử dụng đất",
    "QSDĐ": "quyền sử dụng đất",
    "QSHNƠ": "quyền sở hữu nhà ở",
    "GPLX": "giấy phép lái xe",
    "GPXD": "giấy phép xây dựng",
    "ĐKKD": "đăng ký kinh doanh",
    "HKD": "hộ kinh doanh",
    "MST": "mã số thuế",
    "CSDL": "cơ sở dữ liệu",
    "DVC": "dịch vụ công",
    "DVCTT": "dịch vụ công trực tuyến",
    "VNeID": "vê en e ai đi",
    "NĐ-CP": "nghị định chính phủ",
    "TT-BTP": "thông tư bộ tư pháp",
    "TT-BCA": "thông tư bộ công an",
    "QĐ-UBND": "quyết định ủy ban nhân dân",
    "NQ-HĐND": "nghị quyết hội đồng nhân dân",
    "NĐ": "nghị định",
    "QĐ": "quyết định",
    "NQ": "nghị quyết",
    **_MINISTRIES,
    "LĐTBXH": "lao động thương binh và xã hội",
    "TNMT": "tài nguyên và môi trường",
    "CA": "công an",
    "TP.HCM": "thành phố hồ chí minh",
    "TPHCM": "thành phố hồ chí minh",
    "HCM": "hồ chí minh",
    "TP": "thành phố",
    "VNĐ": "đồng",
    "VND": "đồng",
    "SĐT": "số điện thoại",
    "ĐT": "điện thoại",
    "STT": "số thứ tự",
    "VD": "ví dụ",
    "CSGT": "cảnh sát giao thông",
    "THCS": "trung học cơ sở",
    "THPT": "trung học phổ thông",
}

# Issuers in legal document numbers: 123/2015/NĐ-CP → "của chính phủ".
_ISSUERS: dict[str, str] = {
    "CP": "chính phủ",
    "TTg": "thủ tướng chính phủ",
    **_MINISTRIES,
    "BGDĐT": "bộ giáo dục và đào tạo",
    "UBND": "ủy ban nhân dân",
    "HĐND": "hội đồng nhân dân",
}
_DOC_TYPES: dict[str, str] = {
    "NĐ": "nghị định",
    "TT": "thông tư",
    "TTLT": "thông tư liên tịch",
    "QĐ": "quyết định",
    "NQ": "nghị quyết",
    "CT": "chỉ thị",
    "CV": "công văn",
}
_DOC_TYPE_WORDS = ("nghị định", "thông tư", "quyết định", "nghị quyết", "chỉ thị", "công văn", "luật", "bộ luật", "pháp lệnh")

_UNITS_AFTER_SLASH = (
    "bản", "trang", "lần", "người", "hồ sơ", "việc", "giấy", "năm", "tháng", "ngày", "giờ",
    "trường hợp", "bộ", "sổ", "thẻ", "cuốn", "tờ", "hộ", "xe", "m2", "m²", "km", "kg", "con", "cái",
)

_W = r"[^\W_]"  # a letter or digit (Unicode)


def _issuer_words(code: str) -> str | None:
    m = re.fullmatch(r"(UBTVQH|QH)(\d+)", code)
    if m:
        body = "ủy ban thường vụ quốc hội" if m.group(1) == "UBTVQH" else "quốc hội"
        return f"{body} khóa {number_to_words(int(m.group(2)))}"
    if code in _ISSUERS:
        return _ISSUERS[code]
    return ABBREVIATIONS.get(code)


def _legal_ref(m: re.Match) -> str:
    before = m.string[: m.start()].rstrip().lower()
    number, year, code = m.group("num"), m.group("year"), m.group("code")
    parts = code.split("-")
    if year is None and parts[0] not in _DOC_TYPES:
        # A form or file number such as "Mẫu số 01/TP-HT": number, then the letters.
        return f"{number_to_words(int(number))}, " + ", ".join(" ".join(p) for p in parts)
    doc_type = _DOC_TYPES.get(parts[0]) if len(parts) > 1 else None
    issuers = parts[1:] if len(parts) > 1 else parts
    if len(parts) == 1 and parts[0] in _DOC_TYPES:
        doc_type, issuers = _DOC_TYPES[parts[0]], []
    issuer_words = [w for w in (_issuer_words(i) for i in issuers) if w]
    if issuers and len(issuer_words) != len(issuers):
        issuer_words = [_spell_or_abbrev(i) for i in issuers]
    out = []
    if doc_type and not before.endswith(doc_type) and not re.search(r"(?:%s)(?: số)?$" % "|".join(_DOC_TYPE_WORDS), before) and not before.endswith("số"):
        out.append(doc_type)
    if not before.endswith("số"):
        out.append("số")
    out.append(number_to_words(int(number)))
    if year:
        out.append(f"năm {number_to_words(int(year))}")
    if issuer_words:
        out.append("của " + " và ".join(issuer_words))
    return " ".join(out)


def _spell_or_abbrev(code: str) -> str:
    if code in ABBREVIATIONS:
        return ABBREVIATIONS[code]
    return " ".join(code)


# ------------------------------------------------------------------------ rules

_CODE = r"[A-ZĐ][A-Za-zĐđ]*\d*(?:-[A-ZĐ][A-Za-zĐđ]*\d*)*"
_LEGAL_RE = re.compile(rf"(?<!{_W})(?P<num>\d{{1,5}})/(?:(?P<year>(?:19|20)\d\d)/)?(?P<code>{_CODE})(?![\w-])")
_PROCEDURE_CODE_RE = re.compile(r"(?<![\w.,])(\d)\.(\d{6})(?![\w.,]\d)")
_PHONE_RE = re.compile(r"(?<![\w.,])(0\d{2,3})[.\s-]?(\d{3})[.\s-]?(\d{3,4})(?![\w.,]\d)")
_LONG_DIGITS_RE = re.compile(r"(?<![\w.,])(0\d{7,}|\d{11,})(?![\w.,]\d)")
_DATE_DMY_RE = re.compile(
    r"(?:(?<=\s)|^)(?P<prefix>[Nn]gày\s+)?(?P<d>\d{1,2})(?P<sep>[/.-])(?P<m>\d{1,2})(?P=sep)(?P<y>\d{4})(?!\w|[/.-]\d)"
)
_DATE_DM_RE = re.compile(r"(?<![\w/.,])(?P<prefix>[Nn]gày\s+)?(?P<d>\d{1,2})/(?P<m>\d{1,2})(?![\w/]|[.,]\d)")
_DATE_MY_RE = re.compile(r"(?<![\w/.,])(?P<prefix>[Tt]háng\s+)?(?P<m>\d{1,2})/(?P<y>(?:19|20)\d\d)(?![\w/]|[.,]\d)")
_TIME_RE = re.compile(r"(?<![\w.,:])(?P<h>\d{1,2})(?:[hg](?P<m1>\d{2})?(?:p|')?|:(?P<m2>\d{2}))(?![\w:])")
_CURRENCY_RE = re.compile(r"(\d)\s*(?:VNĐ|VND|vnđ|vnd|đồng|đ)(?![\w])")
_PERCENT_RE = re.compile(r"(\d)\s*%")
_ORDINAL_RE = re.compile(r"(?<!\w)([Tt]hứ|[Hh]ạng|[Ll]ần thứ)\s+(\d{1,2})(?![\w.,]\d|\w)")
_RANGE_RE = re.compile(r"(\d[\w.,:]*)\s*[-–~]\s*(?=\d)")
_ORDINAL_RANGE_RE = re.compile(r"(thứ \w+)\s*[-–]\s*(?=[Tt]hứ|[Cc]hủ nhật)")
_UNIT_SLASH_RE = re.compile(r"(?:(?<=đồng)|(?<=\d))\s*/\s*(%s)(?!\w)" % "|".join(sorted(map(re.escape, _UNITS_AFTER_SLASH), key=len, reverse=True)))
_WORD_SLASH_RE = re.compile(r"(?<=[^\W\d_])\s*/\s*(?=[^\W\d_])")
_NUMBER_SLASH_RE = re.compile(r"(?<=\d)\s*/\s*(?=\d)")
_NUMBER_RE = re.compile(
    r"(?<![\w.,])(?P<int>\d{1,3}(?:\.\d{3})+|\d{1,3}(?:,\d{3}){2,}|\d+)(?:(?P<dsep>[,.])(?P<frac>\d+))?(?![\w]|[.,]\d)"
)
_UNITS = {
    "m2": "mét vuông", "m²": "mét vuông", "km2": "ki lô mét vuông", "km": "ki lô mét", "kg": "ki lô gam",
    "cm": "xen ti mét", "mm": "mi li mét", "ha": "héc ta",
}
_UNIT_RE = re.compile(r"(\d)\s*(%s)(?!\w)" % "|".join(sorted(map(re.escape, _UNITS), key=len, reverse=True)))
_DOMAIN_RE = re.compile(r"(?<![\w@.])((?:[A-Za-z0-9-]+\.)+(?:vn|com|gov|org|net|edu))(?![\w.])", re.IGNORECASE)
_ABBREV_RE = re.compile(
    r"(?<![\w-])(%s)(?![\w-])" % "|".join(sorted(map(re.escape, ABBREVIATIONS), key=len, reverse=True))
)
_LETTER_DIGIT_RE = re.compile(r"(?<=[^\W\d_])(\d+)|(\d+)(?=[^\W\d_])")


def _date(d: int, m: int, y: int | None) -> str | None:
    if not (1 <= d <= 31 and 1 <= m <= 12):
        return None
    out = f"ngày {number_to_words(d)} tháng {_month_words(m)}"
    if y is not None:
        out += f" năm {number_to_words(y)}"
    return out


def _sub_date_dmy(m: re.Match) -> str:
    out = _date(int(m["d"]), int(m["m"]), int(m["y"]))
    return out if out else m.group(0)


def _sub_date_dm(m: re.Match) -> str:
    before = m.string[: m.start()].rstrip().lower()
    if not m["prefix"] and re.search(r"(?:^|\s)(?:số|hẻm|ngõ|kiệt|ngách)$", before):
        return m.group(0)  # an address: "số 5/12" is read "năm trên mười hai"
    out = _date(int(m["d"]), int(m["m"]), None)
    if out and not m["prefix"] and re.search(r"(?:^|\s)(?:đường|phố)$", before):
        out = out[len("ngày ") :]  # "đường 3/2" → "đường ba tháng hai"
    return out if out else m.group(0)


def _sub_date_my(m: re.Match) -> str:
    month = int(m["m"])
    if not 1 <= month <= 12:
        return m.group(0)
    return f"tháng {_month_words(month)} năm {number_to_words(int(m['y']))}"


def _sub_time(m: re.Match) -> str:
    h = int(m["h"])
    minutes = m["m1"] or m["m2"]
    if h > 24 or (minutes and int(minutes) > 59):
        return m.group(0)
    out = f"{number_to_words(h)} giờ"
    if minutes and int(minutes):
        out += f" {number_to_words(int(minutes))}"
    return out


def _sub_number(m: re.Match) -> str:
    whole, frac = m["int"], m["frac"]
    if "," in whole:  # 1,500,000 (English grouping, ≥ 2 groups)
        whole = whole.replace(",", "")
    if frac is not None:
        return _decimal_words(whole, frac)
    return _int_words(whole)


def _fallback_digits(digits: str) -> str:
    if (len(digits) > 1 and digits.startswith("0")) or len(digits) > 12:
        return digits_to_words(digits)
    return number_to_words(int(digits))


def normalize_for_speech(text: str) -> str:
    """Rewrite ``text`` so a Vietnamese TTS voice reads it as a person would."""
    t = unicodedata.normalize("NFC", text)
    t = t.replace("\u00a0", " ").replace("\u200b", "")
    t = re.sub(r"[ \t]+", " ", t)
    t = _DOMAIN_RE.sub(lambda m: " chấm ".join(m.group(1).lower().split(".")), t)
    t = _LEGAL_RE.sub(_legal_ref, t)
    t = _PROCEDURE_CODE_RE.sub(lambda m: f"{digits_to_words(m.group(1))} chấm {digits_to_words(m.group(2))}", t)
    t = _PHONE_RE.sub(lambda m: ", ".join(digits_to_words(g) for g in m.groups()), t)
    t = _LONG_DIGITS_RE.sub(lambda m: digits_to_words(m.group(1)), t)
    t = _DATE_DMY_RE.sub(_sub_date_dmy, t)
    t = _DATE_MY_RE.sub(_sub_date_my, t)
    t = _DATE_DM_RE.sub(_sub_date_dm, t)
    t = _ORDINAL_RE.sub(lambda m: f"{m.group(1)} {_ordinal_words(int(m.group(2)))}", t)
    t = _ORDINAL_RANGE_RE.sub(r"\1 đến ", t)
    t = _RANGE_RE.sub(r"\1 đến ", t)
    t = _TIME_RE.sub(_sub_time, t)
    t = _CURRENCY_RE.sub(r"\1 đồng", t)
    t = _PERCENT_RE.sub(r"\1 phần trăm", t)
    t = _UNIT_RE.sub(lambda m: f"{m.group(1)} {_UNITS[m.group(2)]}", t)
    t = _UNIT_SLASH_RE.sub(lambda m: " một " + _UNITS.get(m.group(1), m.group(1)), t)
    t = _ABBREV_RE.sub(lambda m: ABBREVIATIONS[m.group(1)], t)
    t = _WORD_SLASH_RE.sub(" hoặc ", t)
    t = _NUMBER_SLASH_RE.sub(" trên ", t)
    t = _NUMBER_RE.sub(_sub_number, t)
    t = _LETTER_DIGIT_RE.sub(lambda m: f" {number_to_words(int(m.group(1) or m.group(2)))} ", t)
    # Anything numeric the rules above did not claim: plain numbers, no guessing.
    t = re.sub(r"\d+", lambda m: f" {_fallback_digits(m.group(0))} ", t)
    t = re.sub(r"\s*&\s*", " và ", t)
    t = re.sub(r"\s+\+\s+", " và ", t)
    t = re.sub(r"\s*[()\[\]]\s*", ", ", t)
    t = re.sub(r"\s+[-–—]\s+", ", ", t)
    t = re.sub(r"[*_#|<>\"“”]", " ", t)
    t = re.sub(r"\s*,(\s*,)+", ",", t)
    t = re.sub(r"[ \t]+", " ", t)
    t = re.sub(r" ([,.;:!?])", r"\1", t)
    t = re.sub(r",+([.;:!?])", r"\1", t)
    t = re.sub(r"(^|\n)[ ,]+", r"\1", t)
    return t.strip(" ,")
