"""Compose what the kiosk shows and says about one procedure."""
from __future__ import annotations

import re

from knowledge.model import PORTAL_HOST, Answer, Detail, Document, Office, Procedure

# Sentences an answer shares with the app's answer screen (kiosk.app.screens shows these).
BRIEF_NOTE = ("Kiosk chưa có danh sách giấy tờ chi tiết cho thủ tục này. "
              "Mời ông/bà đến quầy số {counter} để cán bộ hướng dẫn.")
SAY_BRIEF = "Thủ tục {title} do {handled_by} giải quyết. Mời ông bà đến quầy số {counter} để cán bộ hướng dẫn."
# … when the entry is received elsewhere (Office.place_of: the ward's military command)
BRIEF_NOTE_PLACE = ("Kiosk chưa có danh sách giấy tờ chi tiết cho thủ tục này. "
                    "Mời ông/bà đến {place} để được hướng dẫn.")
SAY_BRIEF_PLACE = "Thủ tục {title} do {handled_by} giải quyết. Mời ông bà đến {place} để được hướng dẫn."
UNVERIFIED_NOTE = "Một số thông tin đang được cán bộ xác minh lại — vui lòng hỏi quầy để chắc chắn."


def help_counter(office: Office) -> str:
    """The counter for whatever the kiosk cannot answer ("hướng dẫn" when none is numbered)."""
    return office.help_counter or "hướng dẫn"


def brief_counter(p: Procedure, office: Office) -> str:
    """Where a catalogue-only entry sends the citizen: its counter, else the help counter."""
    counter = office.counter_of(p)
    return counter.number if counter else help_counter(office)


def brief_note(p: Procedure, office: Office) -> str:
    """What a catalogue-only entry's answer says about where to ask (the screen shows it too)."""
    place = office.place_of(p)
    if place:
        return BRIEF_NOTE_PLACE.format(place=place.rstrip("."))
    return BRIEF_NOTE.format(counter=brief_counter(p, office))


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


lower_first = _lower_first
"""Lower-case the first letter unless the text starts with an abbreviation ("UBND")."""


# A condition already worded as one reads well alone ("Trường hợp …", "Nếu …", "Với công trình
# …"); an exception too ("Không phải nộp nếu …": "chỉ khi không phải nộp" is nonsense). The
# answer text and the slip (printing.checklist) both ask this.
_SAYS_WHEN = re.compile(r"^(trường hợp|nếu|khi|chỉ|đối với|với|trừ|không phải|không cần)\b", re.IGNORECASE)


def says_when(condition: str) -> bool:
    """Whether an optional document's condition needs no "chỉ khi" before it."""
    return bool(_SAYS_WHEN.match(condition.strip()))


def document_line(d: Document) -> str:
    """'Tờ khai đăng ký khai sinh — 01 bản chính (chỉ khi …)'."""
    line = f"{d.name} — {d.form.how_many(d.copies)}"
    if d.condition:
        cond = d.condition.rstrip(".")
        if not d.required and not says_when(cond):
            cond = "chỉ khi " + _lower_first(cond)
        line += f" ({_lower_first(cond)})"
    return line


def where_line(p: Procedure, office: Office) -> str:
    counter = office.counter_of(p)
    parts = []
    if p.where:
        parts.append(p.where.rstrip("."))
    if counter and p.level == "xã":
        parts.append(f"tại kiosk này: quầy số {counter.number} ({counter.name})")
    elif not p.where and (place := office.place_of(p)):
        parts.append(place)
    return "; ".join(parts) or p.handled_by


# Field names as the citizen reads them in a dated-change line.
FACT_LABEL = {
    "legal_basis": "căn cứ pháp lý", "fee": "lệ phí", "fee_amount": "lệ phí", "processing_time": "thời hạn",
    "processing_days": "thời hạn", "documents": "giấy tờ", "steps": "các bước", "where": "nơi nộp",
    "handled_by": "cơ quan giải quyết", "code": "mã thủ tục", "title": "tên thủ tục",
}


def change_lines(p: Procedure, today: str | None = None) -> list[str]:
    """One line per dated fact change. From its day on, the line also says the text above may
    not yet follow it: the content is updated by staff, and until then the counter knows."""
    out = []
    for c in p.dated_changes():
        what = FACT_LABEL.get(c.field, c.field.replace("_", " "))
        line = f"Từ ngày {c.day_label()} ({what}): {c.text.rstrip('.')}."
        if today is not None and c.date <= today:
            line += " Thông tin ở trên có thể chưa cập nhật theo thay đổi này — vui lòng hỏi quầy."
        out.append(line)
    return out


def compose_answer(p: Procedure, office: Office, today: str | None = None) -> Answer:
    """``today`` (ISO date): to say whether a dated fact change is still to come or has come."""
    if p.detail is Detail.BRIEF:
        return _brief_answer(p, office)
    if p.detail is Detail.REDIRECT:
        return _redirect_answer(p, office)
    where = where_line(p, office)
    lines = [p.title, ""]
    lines.append("Giấy tờ cần mang:")
    for i, d in enumerate(p.documents, 1):
        lines.append(f"  {i}. {document_line(d)}")
    lines += ["", f"Lệ phí: {p.fee}", f"Thời hạn giải quyết: {p.processing_time}", f"Nơi nộp: {where}",
              f"Cơ quan giải quyết: {p.handled_by}"]
    if p.steps:
        lines += ["", "Các bước:"] + [f"  {i}. {s}" for i, s in enumerate(p.steps, 1)]
    if p.notes:
        lines += ["", f"Lưu ý: {p.notes}"]
    if p.online_url:
        lines += ["", f"Nộp trực tuyến: {p.online_url}"]
    lines += ["", "Căn cứ pháp lý: " + "; ".join(p.legal_basis)]
    changes = change_lines(p, today)
    if changes:
        lines += ["", "Sắp có thay đổi:" if all(today is None or c.date > today for c in p.dated_changes())
                  else "Thay đổi theo ngày:"] + [f"  • {c}" for c in changes]
    if p.unverified:
        lines.append(f"({UNVERIFIED_NOTE})")
    return Answer(p.code, p.title, "\n".join(lines), spoken_summary(p, office), p)


_PARENS = re.compile(r"\s*\([^()]*\)")


def _first_sentence(text: str) -> str:
    """The first sentence/clause, without asides in brackets: official fee and time texts
    run on for a whole paragraph, and a listener cannot skip what a reader skims. Asides go
    first: one holding a separator ("12 ngày (phường 05 ngày; Sở 07 ngày)") was cut inside
    its brackets and read aloud unclosed."""
    text = _PARENS.sub("", text)
    for sep in (". ", "; ", " — "):
        text = text.split(sep, 1)[0]
    return text.rstrip(".;").strip()


def spoken_title(title: str, max_words: int = 12) -> str:
    """Official titles can run to forty words; read aloud, the head is enough. A leading
    "Thủ tục" goes: the kiosk says "Thủ tục …" before it ("Thủ tục thủ tục đăng ký …")."""
    head = title.split(";", 1)[0]
    if head[:8].lower() == "thủ tục " and len(head.split()) > 2:
        head = head[8:]
    words = head.split()
    if len(words) <= max_words:
        return head
    for i in range(6, len(words)):
        if words[i - 1].endswith(","):
            return _closed(" ".join(words[:i]).rstrip(","))
    return _closed(" ".join(words[:max_words]))


def _closed(head: str) -> str:
    """A cut head without a bracket left open ("… hoạt động in (cấp" → "… hoạt động in")."""
    if head.count("(") > head.count(")"):
        head = head[:head.rindex("(")].rstrip(" ,;–-") or head
    return head


def spoken_summary(p: Procedure, office: Office) -> str:
    """Short enough to listen to standing at a kiosk: what to bring, fee, time, where."""
    required = [d for d in p.documents if d.required]
    n_optional = len(p.documents) - len(required)
    names = "; ".join(_first_sentence(d.name.split(" (", 1)[0]) for d in required[:5])
    more = f" và {len(required) - 5} giấy tờ khác" if len(required) > 5 else ""
    parts = [f"Thủ tục {_lower_first(spoken_title(p.title))}."]
    if names:
        parts.append(f"Ông bà cần mang: {names}{more}.")
    if n_optional:
        parts.append(f"Có thêm {n_optional} giấy tờ chỉ cần trong một số trường hợp, xem trên màn hình.")
    parts.append(f"Lệ phí: {_first_sentence(p.fee)}.")
    parts.append(f"Thời hạn: {_first_sentence(p.processing_time)}.")
    counter = office.counter_of(p)
    if p.level == "xã" and counter:
        parts.append(f"Mời ông bà đến quầy số {counter.number}.")
    elif place := office.place_of(p):
        parts.append(f"Nơi nộp: {place.rstrip('.')}.")
    else:
        parts.append(f"Nơi giải quyết: {p.handled_by}.")
    return " ".join(parts)


def _brief_answer(p: Procedure, office: Office) -> Answer:
    text = "\n".join([
        p.title, "",
        f"Cơ quan giải quyết: {p.handled_by}",
        brief_note(p, office),
        f"Tra cứu trực tuyến: https://{PORTAL_HOST} (mã thủ tục {p.code})" if p.portal_url else "",
    ]).rstrip()
    title = _lower_first(spoken_title(p.title))
    place = office.place_of(p)
    spoken = (SAY_BRIEF_PLACE.format(title=title, handled_by=p.handled_by, place=place.rstrip(".")) if place else
              SAY_BRIEF.format(title=title, handled_by=p.handled_by, counter=brief_counter(p, office)))
    return Answer(p.code, p.title, text, spoken, p)


# ------------------------------------------------------------------ redirects
def local_unit(office: Office) -> str:
    """What the citizen calls this office's level ("phường", "xã", "đặc khu"), from its name.

    A redirect says "Việc này không làm tại phường"; a kiosk in a commune must say "xã"."""
    text = f"{office.name} {office.address}".lower()
    for word in ("phường", "đặc khu", "xã"):
        if word in text:
            return word
    return "phường"


def not_here(office: Office) -> str:
    """"Việc này không làm tại phường." — the first thing a redirect says."""
    return f"Việc này không làm tại {local_unit(office)}."


def go_to(p: Procedure) -> str:
    """The place after "Ông/bà đến …": a redirect's ``where`` names a place or an office
    ("Tòa án nhân dân khu vực nơi …"); a leading "Đến"/"Tại" written by staff is dropped."""
    where = " ".join(p.where.split()).rstrip(".")
    head, _, rest = where.partition(" ")
    return rest if head.lower() in ("đến", "tại") and rest else where


# First words of a ``where`` written as an instruction or a case ("nộp hồ sơ tại …",
# "nếu người vắng mặt …", "hộ gia đình làm hồ sơ …"): "Ông/bà đến nộp hồ sơ" is not
# Vietnamese, so such a text follows "Ông/bà làm như sau:". Read off the shipped entries
# (11 of 79 begin so); a place or an office name begins with none of these.
_HOW_FIRST = frozenset({
    "nộp", "gửi", "đăng", "trước", "nếu", "đang", "người", "hộ", "gọi", "liên", "tự", "báo",
    "khiếu", "mang", "làm", "hỏi", "xin", "nhắn", "dùng", "khi", "vào",
})


def go_verb(p: Procedure) -> str:
    """What "Ông/bà" says before a redirect's ``where`` (:func:`go_to`): "đến" before a
    place, "làm như sau:" before an instruction."""
    head = go_to(p).split(" ", 1)[0].lower()
    return "làm như sau:" if head in _HOW_FIRST else "đến"


def _redirect_answer(p: Procedure, office: Office) -> Answer:
    """A question the ward does not handle: "Việc này không làm tại phường. Ông/bà đến …"
    first, then what it is about, who decides, what to bring, notes, legal basis.

    Built only from the redirect entry (``redirects/<code>.yaml``): ``where`` is the
    place to go, ``handled_by`` the office deciding, ``documents`` what to bring."""
    where = go_to(p)
    lines = [f"{not_here(office)} Ông/bà {go_verb(p)} {where}.", f"Việc ông/bà hỏi: {p.label}"]
    if p.handled_by and p.handled_by.lower() not in where.lower():
        lines.append(f"Cơ quan giải quyết: {p.handled_by}")
    if p.documents:
        lines += ["", "Giấy tờ nên mang theo:"]
        lines += [f"  {i}. {document_line(d)}" for i, d in enumerate(p.documents, 1)]
    if p.notes:
        lines += ["", f"Lưu ý: {p.notes}"]
    if p.online_url:
        lines += ["", f"Xem thêm: {p.online_url}"]
    if p.legal_basis:
        lines += ["", "Căn cứ pháp lý: " + "; ".join(p.legal_basis)]
    if p.unverified:
        lines.append(f"({UNVERIFIED_NOTE})")
    return Answer(p.code, p.title, "\n".join(lines), redirect_spoken(p, office), p)


REDIRECT_SPOKEN_MAX = 400
"""Characters: where to go and the main papers, short enough to keep in mind standing up."""
REDIRECT_WHERE_MAX = REDIRECT_SPOKEN_MAX - 50
"""Characters of a redirect's ``where``: read aloud whole after "Việc này không làm tại
phường. Ông bà đến " (42 characters), it must leave the spoken answer within the bound."""


def redirect_spoken(p: Procedure, office: Office) -> str:
    """Read aloud: not done here, where to go, then as many of the main papers as fit."""
    lead = f"{not_here(office)} Ông bà {go_verb(p)} {go_to(p)}."
    required = [d for d in p.documents if d.required] or list(p.documents)
    names = [_first_sentence(d.name.split(" (", 1)[0]) for d in required]
    for n in range(min(4, len(names)), 0, -1):
        more = f" và {len(names) - n} giấy tờ khác" if len(names) > n else ""
        text = f"{lead} Ông bà nên mang theo: {'; '.join(names[:n])}{more}."
        if len(text) <= REDIRECT_SPOKEN_MAX:
            return text
    return lead
