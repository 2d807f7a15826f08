"""What the screens show, as plain data built from the knowledge records (no Kivy)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from knowledge.answer import brief_note, go_to, go_verb, not_here, where_line
from knowledge.model import Detail, Document, Notice, Office, Procedure


@dataclass(frozen=True, slots=True)
class DocRow:
    name: str
    how: str
    """"01 bản chính", "Xuất trình bản chính (không nộp)"…"""
    note: str = ""
    """When it is needed, or a remark."""
    required: bool = True


@dataclass(frozen=True, slots=True)
class AnswerView:
    code: str
    title: str
    brief: bool
    """Only a catalogue entry: no document list, send the citizen to a counter."""
    documents: tuple[DocRow, ...]
    fee: str
    time: str
    where: str
    counter: str
    """Counter number at this office, "" when the procedure is handled elsewhere."""
    handled_by: str
    steps: tuple[str, ...]
    notes: str
    unverified: bool
    qr_url: str | None
    redirect: bool = False
    """Not done at this office: the screen says so and where to go (``where``)."""
    not_here: str = ""
    """"Việc này không làm tại phường." for a redirect."""
    label: str = ""
    """The short title ("Ly hôn"), or the title."""
    go: str = "đến"
    """What "Ông/bà" says before ``where`` on a redirect (knowledge.answer.go_verb)."""
    printable: bool = True
    """The checklist slip can print it (see :func:`printable`)."""
    brief_note: str = ""
    """For a catalogue entry: no document list yet, where to ask (knowledge.answer.brief_note)."""

    @property
    def required(self) -> tuple[DocRow, ...]:
        return tuple(d for d in self.documents if d.required)

    @property
    def optional(self) -> tuple[DocRow, ...]:
        return tuple(d for d in self.documents if not d.required)


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def doc_row(d: Document) -> DocRow:
    how = _upper_first(d.form.how_many(d.copies))
    note = (d.condition or "").strip().rstrip(".")
    if note.lower() in ("xuất trình để đối chiếu", "xuất trình bản chính để đối chiếu"):
        note = ""  # already said by `how`
    if not d.required and not note:
        note = "Nếu có"
    return DocRow(d.name.strip(), how, _upper_first(note), d.required)


def counter_for(p: Procedure, office: Office) -> str:
    if p.level != "xã":
        return ""
    c = office.counter_of(p)
    if c is None and office.place_of(p):
        return ""  # received elsewhere: the screen shows the place (where_line), no counter
    return c.number if c else (office.help_counter or "")


def qr_url(p: Procedure) -> str | None:
    """The address the screen's QR code holds: the slip's own (printing.portal_url) — the
    content's address when it is an official https one, else the national portal page."""
    from printing.checklist import portal_url

    return portal_url(p)


def printable(p: Procedure) -> bool:
    """Whether the checklist slip (printing.checklist) can print this entry. Its layout is a
    ward checklist ("Nơi nộp hồ sơ: Quầy số …"): for a redirect it would send the citizen
    to a counter of this office for something the office does not do, so a redirect is
    not printed (the screen and the voice say where to go)."""
    return not p.is_redirect


def answer_view(p: Procedure, office: Office) -> AnswerView:
    brief = p.detail is Detail.BRIEF
    return AnswerView(
        code=p.code,
        title=p.title,
        brief=brief,
        documents=tuple(doc_row(d) for d in sorted(p.documents, key=lambda d: not d.required)),
        fee=p.fee.strip(),
        time=p.processing_time.strip(),
        where=go_to(p) if p.is_redirect else (where_line(p, office) if not brief else p.handled_by),
        counter=counter_for(p, office),
        handled_by=p.handled_by,
        steps=tuple(s.strip() for s in p.steps),
        notes=p.notes.strip(),
        unverified=bool(p.unverified) or brief,
        qr_url=qr_url(p),
        redirect=p.is_redirect,
        not_here=not_here(office) if p.is_redirect else "",
        label=p.label,
        go=go_verb(p) if p.is_redirect else "đến",
        printable=printable(p),
        brief_note=brief_note(p, office) if brief else "",
    )


def active_notices(notices: tuple[Notice, ...] | list[Notice], today: dt.date | None = None) -> list[Notice]:
    """Notices whose validity window contains ``today`` (open ends always match)."""
    day = (today or dt.date.today()).isoformat()
    return [n for n in notices if (not n.valid_from or n.valid_from <= day) and (not n.valid_to or day <= n.valid_to)]


def checklist_lines(view: AnswerView) -> list[str]:
    """The checklist as numbered lines for the large view and for reading aloud."""
    lines = []
    for i, d in enumerate(view.documents, 1):
        line = f"{i}. {d.name} — {d.how}"
        if d.note:
            line += f" ({d.note[:1].lower() + d.note[1:]})"
        lines.append(line)
    return lines
