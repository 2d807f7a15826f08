"""What the kiosk shows and says for each decision, in one place: `kiosk ask` prints
and speaks these texts and the app shows and speaks the same ones, so the two never
disagree.

- an answer (a ward procedure, or a redirect: "Việc này không làm tại phường. Ông/bà
  đến …") — its text is composed by :mod:`knowledge.answer` from the content entry;
- a clarification: "Có phải ông/bà hỏi về A, B hay C?" built from the choices' short
  labels (``Procedure.short_title``, else the official title);
- nothing found, nothing heard, and "none of these" after a clarification.

Screen text says "ông/bà"; spoken text says "ông bà" (a slash would be read aloud).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable

from knowledge.answer import help_counter, lower_first, not_here, spoken_title
from knowledge.model import Answer, Decision, LobbyTopic, Match, NoneReason, Office, Procedure, ReplyKind
from knowledge.normalize import fold

if TYPE_CHECKING:  # knowledge.base builds on this module
    from knowledge.base import AskResult, KnowledgeBase

# Clarification: the screen asks with buttons, the voice lists the choices.
CLARIFY_HEADING = "Ông/bà muốn hỏi việc nào?"
CLARIFY_HINT = "Mời ông/bà chạm vào một việc dưới đây. Nếu không đúng, nhấn “Không phải”."
SAY_CLARIFY = "Có phải ông bà hỏi về {choices}? Mời ông bà chạm vào việc cần hỏi trên màn hình, hoặc nhấn nút Không phải."
# The second page, after "Không phải" (knowledge.base.KnowledgeBase.more_choices).
CLARIFY_MORE_HEADING = "Hay ông/bà muốn hỏi một trong các việc này?"
CLARIFY_MORE_HINT = "Mời ông/bà chạm vào việc cần hỏi. Nếu vẫn không đúng, nhấn “Không phải”."
SAY_CLARIFY_MORE = "Hay ông bà hỏi về {choices}? Mời ông bà chạm vào việc cần hỏi trên màn hình, hoặc nhấn nút Không phải."

# Nothing found / not heard / none of the offered choices.
NOT_FOUND_TITLE = "Xin lỗi, kiosk chưa tìm được thủ tục phù hợp."
# The needs the kiosk refuses are mostly papers another body issues (a hospital's referral, a
# university's dormitory, a bank's deposit box: training set 7, off-topic set 3): say so.
NOT_FOUND_BODY = ("Mời ông/bà chọn lĩnh vực trên màn hình, hoặc hỏi cán bộ tại quầy số {counter}. "
                  "Giấy tờ do bệnh viện, trường học, ngân hàng hay công ty cấp thì ông/bà hỏi nơi cấp.")
SAY_NOT_FOUND = ("Xin lỗi, kiosk chưa tìm được thủ tục phù hợp. Ông bà có thể chọn lĩnh vực trên màn hình, "
                 "hoặc hỏi cán bộ tại quầy số {counter}. Giấy tờ do bệnh viện, trường học, ngân hàng hay công ty "
                 "cấp thì ông bà hỏi nơi cấp.")
NOT_HEARD_TITLE = "Xin lỗi, kiosk chưa nghe rõ."
NOT_HEARD_BODY = "Mời ông/bà nhấn nút và nói lại chậm, rõ hơn, hoặc chọn lĩnh vực trên màn hình."
SAY_NOT_HEARD = "Xin lỗi, kiosk chưa nghe rõ. Mời ông bà nhấn nút và nói lại, hoặc chọn lĩnh vực trên màn hình."
NOT_THESE_TITLE = "Mời ông/bà hỏi lại, hoặc chọn lĩnh vực."
NOT_THESE_BODY = ("Ông/bà có thể nói lại rõ hơn việc cần làm, chọn lĩnh vực trên màn hình, "
                  "hoặc hỏi cán bộ tại quầy số {counter}.")
SAY_NOT_THESE = ("Mời ông bà nói lại rõ hơn việc cần làm, hoặc chọn lĩnh vực trên màn hình, "
                 "hoặc hỏi cán bộ tại quầy số {counter}.")

# Small talk (knowledge.social): answered politely, nothing offered.
SOCIAL = {
    NoneReason.THANKS: ("Dạ, không có chi ạ.",
                        "Ông/bà cần hỏi thêm việc gì, mời nhấn nút và nói, hoặc chọn lĩnh vực trên màn hình.",
                        "Dạ, không có chi ạ. Ông bà cần hỏi thêm việc gì, mời nhấn nút và nói, "
                        "hoặc chọn lĩnh vực trên màn hình."),
    NoneReason.GREETING: ("Xin chào ông/bà.",
                          "Ông/bà muốn hỏi thủ tục gì? Mời nhấn nút và nói, ví dụ «làm giấy khai sinh cho con», "
                          "hoặc chọn lĩnh vực trên màn hình.",
                          "Xin chào ông bà. Ông bà muốn hỏi thủ tục gì? Mời nhấn nút và nói, ví dụ: làm giấy khai "
                          "sinh cho con, hoặc chọn lĩnh vực trên màn hình."),
    NoneReason.GOODBYE: ("Chào ông/bà.", "Chúc ông/bà một ngày tốt lành.", "Chào ông bà. Chúc ông bà một ngày tốt lành."),
}

# "Mấy giờ phường làm việc?" (knowledge.social): the office's hours, as staff wrote them.
HOURS_TITLE = "Giờ làm việc"
HOURS_BODY = "{hours}. Ông/bà cần hỏi thủ tục gì, mời nhấn nút và nói, hoặc chọn lĩnh vực trên màn hình."
SAY_HOURS = "Giờ làm việc: {hours}. Ông bà cần hỏi thủ tục gì, mời nhấn nút và nói, hoặc chọn lĩnh vực trên màn hình."
HOURS_UNKNOWN = "Mời ông/bà hỏi cán bộ tại quầy số {counter} về giờ làm việc"


# "Nhà vệ sinh ở đâu?" (knowledge.lobby): where it is, as staff wrote it in office.yaml.
LOBBY_BODY = "{answer}. Ông/bà cần hỏi thủ tục gì, mời nhấn nút và nói, hoặc chọn lĩnh vực trên màn hình."
LOBBY_UNKNOWN = "Mời ông/bà hỏi cán bộ tại quầy số {counter} về {topic}"


def lobby_reply(topic: LobbyTopic, counter: str) -> Reply:
    """The staff's answer about a lobby topic, or "ask at the help counter" when they wrote none."""
    shown = topic.answer.strip().rstrip(".") or LOBBY_UNKNOWN.format(counter=counter, topic=lower_first(topic.title))
    body = LOBBY_BODY.format(answer=shown)
    spoken = _aloud(f"{topic.title.rstrip('.')}. {body}")
    return Reply(ReplyKind.NONE, topic.title, f"{topic.title}: {body}", spoken, body=body)


def _aloud(text: str) -> str:
    """Screen text as read aloud: "ông/bà" → "ông bà" (a slash would be read out)."""
    return text.replace("ông/bà", "ông bà").replace("Ông/bà", "Ông bà")


def spoken_hours(hours: str) -> str:
    """Office hours as read aloud: "7 giờ 30 – 11 giờ 30" → "7 giờ 30 đến 11 giờ 30"."""
    return re.sub(r"\s*[–—-]\s*", " đến ", hours).replace(";", ",").strip(" .")


KIND_LABEL = {ReplyKind.PROCEDURE: "Trả lời", ReplyKind.REDIRECT: "Chỉ nơi giải quyết", ReplyKind.CLARIFY: "Hỏi lại",
              ReplyKind.NONE: "Không tìm thấy"}
"""The bracketed first line of `kiosk ask` (text mode) for each kind of reply."""
OFFICE_LABEL = "Thông tin trụ sở"
"""… instead of "Không tìm thấy" when the office answered it (``OFFICE_REASONS``)."""
OFFICE_REASONS = frozenset({NoneReason.OFFICE_HOURS, NoneReason.LOBBY})
"""A "none" the office's own details answer: its hours, a lobby topic."""
SMALL_TALK_LABEL = "Xã giao"
"""… instead of "Không tìm thấy" for a thank-you, a greeting or a goodbye: nothing was sought."""
SMALL_TALK_REASONS = frozenset({NoneReason.THANKS, NoneReason.GREETING, NoneReason.GOODBYE})


def kind_label(reply: "Reply", reason: NoneReason | None) -> str:
    """The bracketed first line of `kiosk ask` (text mode) for a reply and the "none" reason
    behind it, if any."""
    if reason in OFFICE_REASONS:
        return OFFICE_LABEL
    if reason in SMALL_TALK_REASONS:
        return SMALL_TALK_LABEL
    return KIND_LABEL[reply.kind]


@dataclass(frozen=True, slots=True)
class Choice:
    """One button of the clarify screen."""

    code: str
    label: str
    """Short plain words a citizen recognises ("Xây nhà mới"): the big line."""
    title: str
    """The official title."""

    @property
    def detail(self) -> str:
        """The official title as a smaller second line — only when it says more than the label."""
        return "" if fold(self.title).strip(" .") == fold(self.label).strip(" .") else self.title

    @property
    def detail_short(self) -> str:
        """``detail`` cut to its first clause when long (a button's second line, not a paragraph)."""
        return brief_title(self.detail)


DETAIL_MAX_WORDS = 20


def brief_title(title: str, max_words: int = DETAIL_MAX_WORDS) -> str:
    """An official title up to ``max_words``: cut at the first ";" or the last comma that
    fits, with "…" — the full title is on the answer screen."""
    words = title.split()
    if len(words) <= max_words and ";" not in title:
        return title
    head = title.split(";", 1)[0].strip()
    words = head.split()
    if len(words) <= max_words:
        return head.rstrip(",") + " …"
    cut = max((i for i in range(4, max_words) if words[i - 1].endswith(",")), default=max_words)
    return " ".join(words[:cut]).rstrip(",") + " …"


@dataclass(frozen=True, slots=True)
class Reply:
    """One decision, worded for the screen and for the voice."""

    kind: ReplyKind
    heading: str
    """The first line on screen."""
    text: str
    """The whole text (what `kiosk ask` prints; the app lays answers out itself)."""
    spoken: str
    choices: tuple[Choice, ...] = ()
    body: str = ""
    """What the screen shows under the heading, when it is a sentence (nothing found…)."""


def choice(m: Match, procedure: Procedure | None = None) -> Choice:
    """A match as a button: its ``label``, else the procedure's short title, else the title."""
    label = (m.label or (procedure.label if procedure is not None else "") or m.title).strip()
    return Choice(m.code, label, m.title)


def choices_of(matches: Iterable[Match], lookup: Callable[[str], Procedure | None]) -> tuple[Choice, ...]:
    out = []
    for m in matches:
        try:
            p = lookup(m.code)
        except Exception:  # a code the content no longer has: the match's own words still work
            p = None
        out.append(choice(m, p))
    return tuple(out)


def _join(items: list[str]) -> str:
    """"A, B hay C"; with semicolons when a choice has commas of its own ("cha, mẹ, con")."""
    if len(items) <= 2:
        return " hay ".join(items)
    sep = "; " if any("," in x for x in items) else ", "
    last = "; hay " if sep == "; " else " hay "
    return sep.join(items[:-1]) + last + items[-1]


SPOKEN_LABEL_MAX_WORDS = 16
"""A label up to this long is read whole; a longer one (an official title, no short title
written yet) only up to its first clause — cutting a shorter one mid-phrase ("trợ cấp ưu")
made it harder to understand than reading it all."""


def spoken_label(label: str) -> str:
    return label if len(label.split()) <= SPOKEN_LABEL_MAX_WORDS and ";" not in label else spoken_title(label)


def _listed(choices: Iterable[Choice], spoken: bool) -> str:
    return _join([lower_first(spoken_label(c.label) if spoken else c.label) for c in choices])


def clarify_question(choices: Iterable[Choice]) -> str:
    """"Có phải ông/bà hỏi về xây nhà mới, sửa chữa, cải tạo hay di dời?" (screen, CLI)."""
    return f"Có phải ông/bà hỏi về {_listed(choices, False)}?"


def clarify_spoken(choices: Iterable[Choice]) -> str:
    """The same question read aloud, then what to do."""
    return SAY_CLARIFY.format(choices=_listed(choices, True))


def clarify_more_spoken(choices: Iterable[Choice]) -> str:
    """The second page read aloud."""
    return SAY_CLARIFY_MORE.format(choices=_listed(choices, True))


def clarify_reply(choices: Iterable[Choice]) -> Reply:
    choices = tuple(choices)
    lines = [clarify_question(choices)] + [f"  - {c.label}" + (f" ({c.detail})" if c.detail else "") + f" [{c.code}]"
                                          for c in choices]
    return Reply(ReplyKind.CLARIFY, CLARIFY_HEADING, "\n".join(lines), clarify_spoken(choices), choices)


def none_reply(counter: str, reason: NoneReason = NoneReason.NOT_FOUND, hours: str = "") -> Reply:
    """Nothing plausible, nothing recognised, or none of the offered choices (``reason``);
    ``hours``: the office's opening hours, for OFFICE_HOURS."""
    if reason == NoneReason.OFFICE_HOURS:
        shown = hours.strip().rstrip(".") or HOURS_UNKNOWN.format(counter=counter)
        body = HOURS_BODY.format(hours=shown)
        return Reply(ReplyKind.NONE, HOURS_TITLE, f"{HOURS_TITLE}: {body}",
                     SAY_HOURS.format(hours=_aloud(spoken_hours(shown))), body=body)
    if reason == NoneReason.NOT_HEARD:
        title, body, spoken = NOT_HEARD_TITLE, NOT_HEARD_BODY, SAY_NOT_HEARD
    elif reason in (NoneReason.NOT_THESE, NoneReason.UNCLEAR):
        title, body, spoken = NOT_THESE_TITLE, NOT_THESE_BODY, SAY_NOT_THESE
    elif reason in SOCIAL:
        title, body, spoken = SOCIAL[reason]
    else:
        title, body, spoken = NOT_FOUND_TITLE, NOT_FOUND_BODY, SAY_NOT_FOUND
    body, spoken = body.format(counter=counter), spoken.format(counter=counter)
    return Reply(ReplyKind.NONE, title, f"{title} {body}", spoken, body=body)


def answer_reply(answer: Answer, office: Office) -> Reply:
    """A procedure's answer, or a redirect's "not here, go to …" (both composed by knowledge.answer)."""
    heading = not_here(office) if answer.kind is ReplyKind.REDIRECT else answer.title
    return Reply(answer.kind, heading, answer.text, answer.spoken)


def reply_for(result: AskResult, kb: KnowledgeBase) -> Reply:
    """The reply to an ``AskResult`` of ``kb`` (a KnowledgeBase)."""
    office = kb.content.office
    if result.transcript == "":  # a recording in which nothing was recognised
        return none_reply(help_counter(office), NoneReason.NOT_HEARD)
    if result.decision is Decision.ANSWER and result.answer is not None:
        return answer_reply(result.answer, office)
    if result.decision is Decision.CLARIFY and result.choices:
        return clarify_reply(choices_of(result.choices, kb.content.procedure))
    if result.lobby is not None:
        return lobby_reply(result.lobby, help_counter(office))
    return none_reply(help_counter(office), result.reason or NoneReason.NOT_FOUND, office.hours)
