"""Typed records that cross module boundaries (content → matcher → answer → UI/print)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

# A procedure's page on the national public service portal (Cổng Dịch vụ công quốc gia).
PORTAL_HOST = "dichvucong.gov.vn"
PORTAL_PAGE = f"https://{PORTAL_HOST}/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc={{code}}"
NATIONAL_CODE_RE = re.compile(r"^\d\.\d{6}$")  # "1.001193"; local.* and redirect.* are this kiosk's own


class DocForm(StrEnum):
    """How a document must be brought."""

    ORIGINAL = "original"  # bản chính (nộp)
    COPY = "copy"  # bản sao (có chứng thực hoặc kèm bản chính để đối chiếu)
    EITHER = "either"  # bản chính hoặc bản sao
    PRESENT = "present"  # xuất trình bản chính để kiểm tra, không nộp lại

    @property
    def label(self) -> str:
        """How a citizen is told to bring it ("bản chính"…): the one wording of screen, voice, slip and admin."""
        return FORM_LABEL[self]

    def how_many(self, copies: int) -> str:
        """"01 bản chính", "02 bản sao"; a document only shown is not counted."""
        return self.label if self is DocForm.PRESENT else f"{max(1, copies):02d} {self.label}"


FORM_LABEL = {
    DocForm.ORIGINAL: "bản chính",
    DocForm.COPY: "bản sao",
    DocForm.EITHER: "bản chính hoặc bản sao",
    DocForm.PRESENT: "xuất trình bản chính để đối chiếu",
}


class Detail(StrEnum):
    """How much of a procedure the content holds."""

    FULL = "full"  # documents, fee, time, steps written up
    BRIEF = "brief"  # catalogue entry: title, code, field, who handles it
    REDIRECT = "redirect"  # not done at the ward: where to go instead (redirects.yaml)


class Decision(StrEnum):
    """What the kiosk does with a question (the ``decision`` of `kiosk ask --json`)."""

    ANSWER = "answer"
    CLARIFY = "clarify"
    NONE = "none"


class ReplyKind(StrEnum):
    """What a reply is: an answer's ``kind`` in `kiosk ask --json` (procedure | redirect), or a question back."""

    PROCEDURE = "procedure"  # a procedure done at this office
    REDIRECT = "redirect"  # not done here: where to go instead
    CLARIFY = "clarify"  # "which of these?"
    NONE = "none"  # nothing found / heard


class NoneReason(StrEnum):
    """Why the kiosk has no answer: the wording of the reply depends on it (knowledge.replies)."""

    NOT_FOUND = "not_found"  # nothing plausible matched
    NOT_HEARD = "not_heard"  # nothing was recognised in the recording
    NOT_THESE = "not_these"  # the citizen said none of the offered choices is it
    THANKS = "thanks"  # small talk (knowledge.social): a polite reply, nothing offered
    GREETING = "greeting"
    GOODBYE = "goodbye"
    UNCLEAR = "unclear"  # only fillers ("hả", "ờ"): ask again
    OFFICE_HOURS = "office_hours"  # only asks when the office is open: its hours (office.yaml)
    LOBBY = "lobby"  # asks about the lobby itself (toilet, parking, queue number): office.yaml ``lobby``


@dataclass(frozen=True, slots=True)
class Document:
    name: str
    form: DocForm = DocForm.ORIGINAL
    copies: int = 1
    required: bool = True
    condition: str | None = None  # when the document is only needed in some cases


@dataclass(frozen=True, slots=True)
class FactChange:
    """A fact of a procedure that changes on ``date`` (ISO): ``field`` is the procedure field."""

    date: str
    field: str
    text: str

    @classmethod
    def parse(cls, line: str) -> "FactChange | None":
        """'2027-03-01 legal_basis: Luật Hộ tịch số 03/2026/QH16 …' → FactChange, else None."""
        m = _FACT_CHANGE.match(line.strip())
        if not m:
            return None
        return cls(m["date"], m["field"], m["text"].strip())

    def day_label(self) -> str:
        """'01/3/2027' — how Vietnamese documents write a date."""
        y, m, d = self.date.split("-")
        return f"{d}/{int(m)}/{y}"


_FACT_CHANGE = re.compile(r"^(?P<date>\d{4}-\d{2}-\d{2})\s+(?P<field>[a-z_]+)\s*:\s*(?P<text>\S.*)$", re.S)


@dataclass(frozen=True, slots=True)
class Procedure:
    code: str  # national procedure code, e.g. "1.001193" (or "local.*" when unverified)
    title: str
    category: str
    handled_by: str  # e.g. "UBND cấp xã", "Công an cấp xã"
    detail: Detail = Detail.FULL
    level: str = "xã"
    where: str = ""  # where to submit: one-stop counter, commune police office…
    counter: str | None = None  # overrides the counter derived from the category; words: a place elsewhere (Office.place_of)
    processing_time: str = ""
    processing_days: float | None = None  # working days; 0 = same day
    fee: str = ""
    fee_amount: int | None = None  # VND; None when it varies or is unknown
    legal_basis: tuple[str, ...] = ()
    online_url: str | None = None
    notes: str = ""
    verified_on: str | None = None  # ISO date the facts were last checked
    sources: tuple[str, ...] = ()
    unverified: tuple[str, ...] = ()  # field names not yet confirmed from a source
    documents: tuple[Document, ...] = ()
    steps: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    # Whole questions citizens really asked about it (labelled question sets, the question
    # log): matched like aliases, at the weight knowledge.params.example_weight.
    examples: tuple[str, ...] = ()
    retired: bool = False
    short_title: str = ""  # plain words a citizen recognises on a choice button ("Xây nhà mới")
    # "field: why" for each fact that knowingly differs from the national database record
    # (a later decision, a local rule); `kiosk content audit` reports these as explained.
    national_differences: tuple[str, ...] = ()
    # In force from / until (ISO dates, inclusive; None = open). The kiosk answers with the
    # procedures in force today: a new law's version can be published ahead of its day.
    effective_from: str | None = None
    effective_until: str | None = None
    review_by: str | None = None  # a known change is coming: staff must check it before this date
    # One fact that changes on a known day while the rest of the procedure stays:
    # "YYYY-MM-DD field: what changes (source)", e.g. a new law or the end of a fee cut.
    # The answer tells the citizen; `kiosk content stats` lists them for staff.
    fact_changes: tuple[str, ...] = ()

    def in_force(self, today: str) -> bool:
        """``today``: ISO date. ISO strings compare in date order."""
        return (self.effective_from is None or self.effective_from <= today) and (
            self.effective_until is None or today <= self.effective_until)

    def dated_changes(self) -> list["FactChange"]:
        """``fact_changes`` parsed, in date order; a malformed line (refused by validation) is skipped."""
        out = [c for c in (FactChange.parse(line) for line in self.fact_changes) if c is not None]
        return sorted(out, key=lambda c: c.date)

    @property
    def label(self) -> str:
        """What a choice button or a spoken question shows: the short title when written."""
        return self.short_title or self.title

    @property
    def is_redirect(self) -> bool:
        return self.detail is Detail.REDIRECT

    @property
    def portal_url(self) -> str | None:
        """Its page on the national portal; None for this kiosk's own codes (local.*, redirect.*)."""
        return PORTAL_PAGE.format(code=self.code) if NATIONAL_CODE_RE.match(self.code) else None


@dataclass(frozen=True, slots=True)
class Family:
    """Procedures a citizen names with one word ("giấy phép xây dựng") before knowing which.

    A question that names the family but nothing that tells its members apart is
    answered with a choice among the members, not with one of them."""

    id: str
    name: str
    terms: tuple[str, ...]  # the words that name the family, as citizens say them
    members: tuple[str, ...]  # procedure codes, most asked first
    # words that say which member is meant, where the content's own words are too common in
    # the index to count ("bản sao", "sổ gốc" for a lost birth certificate)
    tells_apart: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Category:
    code: str
    name: str
    order: int = 0
    icon: str | None = None
    description: str = ""


@dataclass(frozen=True, slots=True)
class Counter:
    number: str
    name: str
    categories: tuple[str, ...] = ()  # category codes served at this counter


@dataclass(frozen=True, slots=True)
class LobbyTopic:
    """Something citizens ask about the building rather than a procedure ("nhà vệ sinh ở
    đâu?", "gửi xe chỗ nào?"): staff write where it is (office.yaml ``lobby``)."""

    title: str  # the reply's heading: "Nhà vệ sinh"
    phrases: tuple[str, ...]  # how citizens name it: "nhà vệ sinh", "toilet", "WC"
    answer: str = ""  # where or how; empty: the citizen is sent to the help counter


@dataclass(frozen=True, slots=True)
class Office:
    name: str
    address: str
    hours: str
    hotline: str = ""
    counters: tuple[Counter, ...] = ()
    help_counter: str | None = None  # where to send citizens the kiosk cannot help
    lobby: tuple[LobbyTopic, ...] = ()  # questions about the building the office answers itself

    def counter_for(self, category: str) -> Counter | None:
        for c in self.counters:
            if category in c.categories:
                return c
        return None

    def counter_of(self, procedure: "Procedure") -> Counter | None:
        """The counter a citizen goes to for ``procedure``: its own ``counter`` when that is
        one of the office's counters; none when its own ``counter`` is a place in words
        (``place_of``); else the counter of its field. The one rule the screen, the spoken
        summary and the slip all follow."""
        own = (procedure.counter or "").strip()
        if own:
            match = next((c for c in self.counters if c.number == own), None)
            if match is not None or self.place_of(procedure):
                return match
        return self.counter_for(procedure.category)

    def place_of(self, procedure: "Procedure") -> str:
        """A procedure received somewhere other than this office's counters (the commune's
        military command for military-service registration): staff write the place in
        words as its ``counter`` ("Ban Chỉ huy quân sự phường"), and the kiosk names no
        counter for it. A bare number that is not one of the counters is a typo or a
        counter since removed, not a place: the field's counter is used instead."""
        own = (procedure.counter or "").strip()
        if not own or own.isdigit() or any(c.number == own for c in self.counters):
            return ""
        return own


@dataclass(frozen=True, slots=True)
class Notice:
    title: str
    body: str
    valid_from: str | None = None
    valid_to: str | None = None


@dataclass(frozen=True, slots=True)
class Content:
    """Everything the kiosk knows, as loaded from source files or the database."""

    procedures: tuple[Procedure, ...]
    categories: tuple[Category, ...]
    office: Office
    notices: tuple[Notice, ...] = ()
    families: tuple[Family, ...] = ()
    version: str | None = None
    imported_at: str | None = None

    def procedure(self, code: str) -> Procedure | None:
        for p in self.procedures:
            if p.code == code:
                return p
        return None


@dataclass(frozen=True, slots=True)
class Match:
    code: str
    title: str
    score: float  # 0–100, higher is better
    label: str = ""  # short title for a choice button ("" → use the title)


@dataclass(frozen=True, slots=True)
class Answer:
    code: str
    title: str
    text: str  # full screen text
    spoken: str  # short summary read aloud
    procedure: Procedure = field(repr=False, compare=False, default=None)  # type: ignore[assignment]

    @property
    def kind(self) -> ReplyKind:
        """`procedure`, or `redirect` when the ward does not do this and the text says where to go."""
        return ReplyKind.REDIRECT if self.procedure is not None and self.procedure.is_redirect else ReplyKind.PROCEDURE
