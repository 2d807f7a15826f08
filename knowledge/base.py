"""KnowledgeBase: the few verbs the kiosk, the CLI and the admin use."""
from __future__ import annotations

import dataclasses
import datetime as dt
import heapq
from collections.abc import Mapping
from dataclasses import dataclass, field

from knowledge.answer import compose_answer
from knowledge.decide import DecisionModel, Hearing, Ranking, load_model
from knowledge.errors import UnknownProcedure
from knowledge.families import FamilyIndex
from knowledge.lobby import lobby_topic
from knowledge.match import Matcher
from knowledge.model import (
    Answer,
    Category,
    Content,
    Decision,
    Detail,
    Family,
    LobbyTopic,
    Match,
    NoneReason,
    Procedure,
)
from knowledge.normalize import fold
from knowledge.params import DEFAULT, MatchParams
from knowledge.social import social_reason


@dataclass(frozen=True, slots=True)
class AskResult:
    query: str
    decision: Decision
    matches: list[Match]  # best first
    answer: Answer | None
    transcript: str | None = None
    choices: list[Match] = field(default_factory=list)  # what a clarify screen offers
    p_answer: float = 0.0  # estimated probability that matches[0] is what was meant
    p_offer: float = 0.0  # … that it is among the first choices
    family: str | None = None  # id of the family a broad question named
    reason: NoneReason | None = None  # why "none", when it is not the plain NOT_FOUND (small talk)
    lobby: LobbyTopic | None = None  # the lobby topic asked about (reason LOBBY)
    more_choices: list[Match] = field(default_factory=list)
    """What the kiosk offers after "Không phải" on a clarify screen (its second page: the
    rest of a family, or the ranking's next procedures with some evidence) or after "Không
    phải việc này?" on an answer (the ranking's next ones); [] for "none"."""

    def to_json(self) -> dict:
        """The `kiosk ask --json` contract (shared/DESIGN.md)."""
        return {
            "query": self.query,
            "transcript": self.transcript,
            "decision": self.decision.value,
            "matches": [{"code": m.code, "title": m.title, "score": m.score} for m in self.matches],
            "answer": None if self.answer is None else {
                "code": self.answer.code, "title": self.answer.title, "text": self.answer.text,
                "kind": self.answer.kind.value,
            },
            "choices": [{"code": m.code, "title": m.title, "score": m.score} for m in self.choices],
            "reason": None if self.reason is None else self.reason.value,
            "lobby": None if self.lobby is None else {"title": self.lobby.title, "text": self.lobby.answer},
            "more_choices": [{"code": m.code, "title": m.title, "score": m.score} for m in self.more_choices],
        }


class KnowledgeBase:
    """The few verbs the kiosk, the CLI and the admin use: ``ask``, ``answer_for``,
    ``procedure``, ``categories``, ``procedures_in``, ``vocabulary``."""

    def __init__(self, content: Content, *, answer_threshold: float | None = None,
                 clarify_threshold: float | None = None, model: DecisionModel | None = None,
                 today: str | None = None, params: MatchParams = DEFAULT, off_topic: tuple[str, ...] | None = None):
        """``params``: every matching number (knowledge.params; default: the tuned ones);
        ``answer_threshold``/``clarify_threshold``: optional score floors (0–100) on top
        of the learned decision (config ``match.*``; they override ``params``' floors when
        given); ``model``: the decision model (default: the fitted
        ``knowledge/decision_model.json``); ``today``: ISO date whose procedures are in
        force (default: the system date; LiveKnowledge rebuilds on a new day); ``off_topic``:
        questions about no procedure (default: knowledge/off_topic.txt, knowledge.match)."""
        self.today = today or dt.date.today().isoformat()
        in_force = tuple(p for p in content.procedures if p.in_force(self.today))
        content = dataclasses.replace(content, procedures=in_force)
        self.content = content
        self._by_code = {p.code: p for p in content.procedures}
        self._full = {p.code for p in content.procedures if p.detail is Detail.FULL}
        self._redirects = {p.code for p in content.procedures if p.detail is Detail.REDIRECT}
        if answer_threshold is not None or clarify_threshold is not None:
            params = dataclasses.replace(
                params, answer_floor=params.answer_floor if answer_threshold is None else answer_threshold,
                offer_floor=params.offer_floor if clarify_threshold is None else clarify_threshold)
        self.params = params
        self.matcher = Matcher(content.procedures, params=params, off_topic=off_topic)
        self.model = model or load_model()
        self.families = FamilyIndex(content.families, self.matcher)
        self.answer_floor = params.answer_floor
        self.offer_floor = params.offer_floor

    @property
    def version(self) -> str | None:
        """The published content version (first 12 hex digits of its checksum) when the content
        came from the database; None for content read straight from source files."""
        return self.content.version

    def procedure(self, code: str) -> Procedure:
        """The procedure with national ``code``; UnknownProcedure if there is none."""
        try:
            return self._by_code[code]
        except KeyError:
            raise UnknownProcedure(f"không có thủ tục mã {code} / unknown procedure code") from None

    def answer_for(self, code: str) -> Answer:
        """The composed answer (shown and spoken text) for procedure ``code``."""
        return compose_answer(self.procedure(code), self.content.office, self.today)

    def ask(self, text: str, *, transcript: str | None = None, limit: int = 5,
            hearing: Hearing | None = None) -> AskResult:
        """Match ``text`` (a typed or heard question) and decide what to do with it.

        Returns an ``AskResult``: ``decision`` answer (with the composed ``answer``),
        clarify (with the ``choices`` a clarify screen offers) or none; ``matches``, at
        least ``params.min_matches`` of them, best first; the estimated probabilities.
        ``transcript``: what the recogniser heard, passed through to the result (``""``:
        nothing recognised). ``limit``: how many matches to return. ``hearing``: the
        recogniser's confidence when the text was spoken; a garbled transcript then
        leans towards offering choices rather than answering. Never raises on any text."""
        ranking = self.matcher.rank(text, limit=max(limit, self.params.min_matches))
        return self._decide(text, ranking, transcript, hearing)

    def ask_heard(self, heard: list[tuple[str, Hearing | None]], *, limit: int = 5) -> AskResult:
        """A spoken question heard more than once (the recogniser's first transcript, then
        a pass biased towards the first candidates): each procedure keeps its best score
        over the hearings, so a syllable recognised in either counts.
        bench/spoken_second_pass.py measured top-3 58 → 70 % on spoken questions. The
        merged ranking is asked back, never answered outright (see ``_decide``); a first
        hearing that is answered alone stands as it is (the kiosk hears it only once)."""
        heard = [(t, h) for t, h in heard if t.strip()]
        if not heard:
            return self.ask("", transcript="")
        if len(heard) > 1:
            first, first_hearing = self.rank_heard(heard[:1], limit=limit)
            alone = self._decide(heard[0][0], first, heard[0][0], first_hearing)
            if alone.decision is Decision.ANSWER:
                return alone  # the kiosk makes no second hearing then (kiosk.hearing)
        ranking, hearing = self.rank_heard(heard, limit=limit)
        return self._decide(heard[0][0], ranking, heard[0][0], hearing, biased=len(heard) > 1)

    def rank_heard(self, heard: list[tuple[str, Hearing | None]], *, limit: int = 5) -> tuple[Ranking, Hearing | None]:
        """The merged ranking of several hearings of one question (see ``ask_heard``)."""
        rankings = [(self.matcher.rank(t, limit=max(limit, self.params.min_matches)), h) for t, h in heard if t.strip()]
        if not rankings:
            return self.matcher.rank("", limit=limit), None
        if len(rankings) == 1:
            return rankings[0]
        merged: dict[str, float] = {}
        for r, _ in rankings:
            for code, sc in r.scores.items():
                merged[code] = max(merged.get(code, 0.0), sc)
        # the hearing whose own best is the merged best speaks for the evidence
        r0, h0 = max(rankings, key=lambda x: x[0].evidence.score1)
        order = sorted(merged, key=lambda c: (-round(merged[c], 1), c not in self._full, len(self.matcher.titles[c])))
        matches = [Match(c, self.matcher.titles[c], round(merged[c], 1), self.matcher.labels.get(c, ""))
                   for c in order[:max(limit, self.params.min_matches)]]
        tops = [m.score for m in matches] + [0.0] * 4
        ev = dataclasses.replace(r0.evidence, score1=tops[0], score2=tops[1], score3=tops[2], score4=tops[3])
        return Ranking(matches, merged, ev, r0.folded), h0

    def _decide(self, text: str, ranking: Ranking, transcript: str | None, hearing: Hearing | None,
                *, biased: bool = False) -> AskResult:
        """``biased``: the ranking merges a hearing told the shortlist (kiosk.hearing)."""
        matches = ranking.matches
        social = social_reason(text)
        if social is not None:
            return AskResult(text, Decision.NONE, matches, None, transcript, reason=social)
        if (topic := lobby_topic(text, self.content.office.lobby)) is not None:
            return AskResult(text, Decision.NONE, matches, None, transcript, reason=NoneReason.LOBBY, lobby=topic)
        decision, p_answer, p_offer = self.model.decide(ranking, hearing)
        top = matches[0].score if matches else 0.0
        if decision is Decision.ANSWER and self.answer_floor is not None and top < self.answer_floor:
            decision = Decision.CLARIFY
        if decision is not Decision.NONE and self.offer_floor is not None and top < self.offer_floor:
            decision = Decision.NONE
        # A hearing told which procedures to expect can repeat one of them ("Xin hỗ trợ…"):
        # its evidence is not independent, and the decision's sureness says nothing about it.
        # Spoken development and earlier blind sets (cached hearings, 2026-12-03): answers
        # made after the second hearing were wrong 32 times in 120 at the answer bar and
        # 6 in 17 at p >= 0.94, against 10 in 150 from a first hearing. So it only asks back.
        if biased and decision is Decision.ANSWER:
            decision = Decision.CLARIFY
        # Nor is a heard question sent away on its transcript alone: "Việc này không làm tại
        # phường" to a citizen whose ward matter was misheard costs the visit; asking back
        # ("Có phải ông/bà hỏi về …?", the redirect first) costs a tap. Training set 13 heard
        # (espeak-ng → Whisper base, not in the content, 2026-12-06): of 16 heard questions
        # answered with a redirect, 8 were out of the ward's remit and sent to the right office,
        # 6 were about a ward procedure and 2 went to the wrong office (docs/matching-history.md,
        # thirty-fourth session).
        heard = transcript is not None or hearing is not None
        redirect_first = bool(matches) and matches[0].code in self._redirects
        if decision is Decision.ANSWER and heard and redirect_first and not ranking.evidence.exact:
            decision = Decision.CLARIFY
        # A typed question the kiosk does not answer outright is shown the first candidates as
        # the re-ranking orders them (knowledge.rerank); an answer is the one the decision
        # judged. The re-ranking was fitted on typed questions; on heard ones it did not help
        # (spoken development and earlier blind sets, offered: first hearing alone −3.7 to
        # +1.4 points, the merged hearings re-ranked −1.9 to −5.0; docs/matching.md).
        if decision is not Decision.ANSWER and ranking.reranked and not heard:
            matches = list(ranking.reranked)
        choices: list[Match] = []
        # A family that holds redirects ("hộ chiếu", "bằng lái") is not asked about when the
        # decision is sure of a redirect: its answer already says where to go (leaving one
        # labelled set out, the other two as examples: out-of-ward questions sent on
        # 70 → 83 % of the first blind set, broad questions clarified unchanged).
        sure_redirect = decision is Decision.ANSWER and redirect_first
        # The ranking agrees with a family when one of its first two is a member: "hộ khẩu
        # tạm trú gì đó tôi không hiểu" ranks the declaration for people who cannot register
        # first and was answered with it; its family is asked about, that first one kept
        # among the choices. Leaving sets out (docs/matching-history.md, twenty-second session): the
        # first blind set's broad questions asked back 78.6 → 83.3 %, wrong 0.8 → 0.4 %; about
        # 1 % of questions elsewhere asked back instead of answered, the right one first.
        family = (self.families.broad(ranking.folded, tuple(m.code for m in matches[:2]))
                  if matches and not sure_redirect else None)
        # A question the kiosk would give up on that still names a family ("còn cái giấy đất
        # thì tui làm sao", "cha biểu ra hỏi vụ sổ đỏ") is asked which member, whatever the
        # ranking says: nothing else is plausible, and a refusal costs the visit. Development
        # sets (kiosk outcomes, thirty-seventh session): 6 broad questions offered their
        # family instead of "none", one out-of-scope question (gold and a land certificate in
        # a bank's safe) asked back.
        unranked = family is None and decision is Decision.NONE and bool(matches)
        if unranked:
            family = self.families.broad(ranking.folded)
        if family is not None:
            decision = Decision.CLARIFY
            choices = self.families.choices(family, ranking.scores, self.params.family_choices)
            if matches[0].code not in family.members and not unranked:
                choices = [matches[0], *choices[:self.params.family_choices - 1]]
        elif decision is Decision.CLARIFY:
            choices = matches[:self.params.offered]
        answer = self.answer_for(matches[0].code) if decision is Decision.ANSWER else None
        if decision is Decision.CLARIFY:
            more = self.more_choices(ranking.scores, choices, family, ranked=matches)
        elif decision is Decision.ANSWER:  # what "Không phải việc này?" on the answer offers
            more = self.more_choices(ranking.scores, matches[:1], ranked=matches)
        else:
            more = []
        return AskResult(text, decision, matches, answer, transcript, choices, p_answer, p_offer,
                         family.id if family else None, more_choices=more)

    def more_choices(self, scores: dict[str, float], shown: list[Match], family: Family | None = None, *,
                     ranked: list[Match] | None = None) -> list[Match]:
        """What a citizen who tapped "Không phải" may still mean: a clarify screen's second
        page, or the alternatives to an answer (``shown`` = its procedure). A family's other
        members (a family can have seven); otherwise the ranking's next procedures, only
        those with some evidence (``scores`` holds no zero), in the ranking's order: ``ranked``,
        the matches as shown (re-ranked for a typed question asked back), then by score. A second
        page of four lifts the right procedure within reach from 76.7 to 81.3 % of the spoken
        development questions (docs/matching-history.md, twenty-seventh session)."""
        seen = {m.code for m in shown}
        if family is not None:
            # The question named the family: its other members, not whatever else shares a word.
            rest_of_family = [m for m in self.families.choices(family, scores, len(family.members)) if m.code not in seen]
            if rest_of_family:
                return rest_of_family[:self.params.offered]
        first = [m for m in ranked or () if m.code not in seen and m.score > 0][:self.params.offered]
        seen |= {m.code for m in first}
        titles = self.matcher.titles
        # nsmallest, not a sort: at 2,000 procedures a long question scores most of them.
        rest = heapq.nsmallest(self.params.offered - len(first), (c for c in scores if c not in seen and c in self._by_code),
                               key=lambda c: (-round(scores[c], 1), c in self.matcher.catalogue_only, len(titles[c])))
        return first + [Match(c, titles[c], round(scores[c], 1), self.matcher.labels.get(c, "")) for c in rest]

    def vocabulary(self) -> list[str]:
        """Domain phrases to bias speech recognition, most general first: short titles of
        written-up procedures, then their keywords (the recogniser keeps what fits its
        prompt budget)."""
        full = [p for p in self.content.procedures if p.detail is Detail.FULL and not p.retired]
        seen: dict[str, None] = {}
        for p in sorted(full, key=lambda p: len(p.title)):
            seen.setdefault(p.title, None)
        for p in full:
            for k in p.keywords:
                seen.setdefault(k, None)
        return list(seen)

    def categories(self) -> list[Category]:
        """The categories in their display order."""
        return sorted(self.content.categories, key=lambda c: c.order)

    def procedures_in(self, category: str, *, include_brief: bool = False,
                      asked: Mapping[str, float] | None = None) -> list[Procedure]:
        """Procedures of a field for the touch path: written-up ones first, the most asked
        first among them, then by title. ``asked``: how often this kiosk's citizens chose
        each procedure (``knowledge.qlog.chosen_counts``), added to the counts the matcher's
        prior was fitted on, so a new kiosk already lists "Đăng ký khai sinh" before the
        six kinds of guardianship."""
        out = [p for p in self.content.procedures
               if p.category == category and not p.retired and (include_brief or p.detail is Detail.FULL)]
        seed = self.matcher.asked_counts
        local = asked or {}

        def often(p: Procedure) -> float:
            return seed.get(p.code, 0.0) + local.get(p.code, 0.0)

        # Vietnamese alphabetical order: compare without diacritics ("Đ" among the "D"s).
        return sorted(out, key=lambda p: (p.detail is not Detail.FULL, -often(p), fold(p.title).lower(), p.title))
