"""One Screen class per flow state. Static layout lives in ``kv/<screen>.kv``; the
parts that depend on the answer/choices/list are rebuilt here by ``refresh``, only
when what they show has changed."""
from __future__ import annotations

import math

from kivy.factory import Factory
from kivy.uix.screenmanager import Screen
from kivy.utils import escape_markup as esc

from kiosk.app import texts
from kiosk.app.view import checklist_lines
from knowledge.model import Detail


def _button(text, action, *, icon="", style="secondary", sub="", font_size=0, halign="left", **kw):
    # The button's label renders Kivy markup; its text (procedure titles…) is content: never markup.
    b = Factory.KButton(text=esc(text), icon=icon, style=style, sub=esc(sub) if sub else "", halign=halign, **kw)
    if font_size:
        b.font_size = font_size
    b.action = action
    return b


def _label(text, kind="KLabel", **kw):
    return getattr(Factory, kind)(text=text, **kw)


def _heading(app, content, flow, title_of, subtitle_of=lambda v: ""):
    """Clear an answer-like screen and put the title and the citizen's question on it;
    (content, view), the view None when there is nothing to show."""
    content.clear_widgets()
    v = flow.view
    if v is not None:
        content.add_widget(_label(title_of(v), "KTitle"))
        if subtitle_of(v):
            content.add_widget(_label(subtitle_of(v), tone="muted"))
        if flow.transcript:
            content.add_widget(_label(f"Ông/bà hỏi: “{flow.transcript}”", tone="muted"))
        if flow.alternatives:  # the kiosk guessed: one tap to the next ones, near the top
            content.add_widget(_button(texts.NOT_THIS_ONE, lambda: flow.not_this_one(), icon="question",
                                       sub=texts.NOT_THIS_ONE_SUB, font_size=app.theme.big))
    return content, v


def _notice(text, app, title=""):
    box = Factory.NoticeBox()
    if title:
        box.add_widget(_label(title, bold=True, tone="notice"))
    lbl = _label(text, tone="notice", markup=True)
    box.add_widget(lbl)
    return box


class KScreen(Screen):
    """Base: ``refresh`` rebuilds the dynamic parts when their key changes."""

    _key = None

    def refresh(self, app, flow) -> None:
        key = self.key(app, flow)
        if key != self._key:
            self._key = key
            self.build(app, flow)

    def key(self, app, flow):
        return None

    def build(self, app, flow) -> None:
        pass

    def show_only_if(self, shown: bool, widget_id: str, row_id: str, index: int) -> None:
        """Put the widget ``widget_id`` into ``row_id`` at ``index`` or take it out. ``ids``
        holds weak references: a widget taken out of the tree is kept here, or it is gone
        when it is wanted back."""
        kept = self.__dict__.setdefault("_kept", {})
        widget = kept.setdefault(widget_id, self.ids[widget_id].__self__)
        row = self.ids[row_id]
        if shown and widget.parent is None:
            row.add_widget(widget, index=index)
        elif not shown and widget.parent is not None:
            row.remove_widget(widget)


def fill_tiles(grid, app, flow) -> None:
    grid.clear_widgets()
    for cat in flow.categories():
        tile = Factory.KTile(text=esc(cat.name), icon=cat.icon or "more")
        tile.action = lambda code=cat.code: app.flow.tap_category(code)
        grid.add_widget(tile)


def _layout_key(app):
    return (app.portrait, app.theme.scale, app.theme.high_contrast)


class HomeScreen(KScreen):
    def key(self, app, flow):
        return (_layout_key(app), tuple(c.code for c in flow.categories()), tuple(flow.notices),
                tuple((n.title, n.body) for n in flow.content_notices()))

    def build(self, app, flow):
        fill_tiles(self.ids.tiles, app, flow)
        box = self.ids.device_notices
        box.clear_widgets()
        for text in flow.notices:
            box.add_widget(_notice(text, app))
        box = self.ids.notices
        box.clear_widgets()
        for n in flow.content_notices()[:2]:
            box.add_widget(_notice(f"[b]{esc(n.title)}:[/b] {esc(n.body)}", app))


class ListeningScreen(KScreen):
    pass


class ThinkingScreen(KScreen):
    pass


class AnswerScreen(KScreen):
    def key(self, app, flow):
        return (_layout_key(app), id(flow.view), flow.transcript, app.tts_available, app.printer_available,
                flow.print_ok is False, bool(flow.alternatives))

    def build(self, app, flow):
        self.build_actions(app, flow)
        self.build_content(app, flow)

    def build_actions(self, app, flow):
        printable = flow.view is not None and flow.view.printable
        names = (["RepeatButton", "StopButton"] if app.tts_available else []) + (["PrintButton"] if printable else [])
        if printable and flow.print_ok is False and app.printer_available:
            names.append("LargeViewButton")
        names += ["BackButton", "AnotherButton"]
        per_row = len(names) if not app.portrait else math.ceil(len(names) / 2)
        box = self.ids.actions
        box.clear_widgets()
        for i in range(0, len(names), per_row):
            row = Factory.ButtonRow(spacing=app.theme.gap)
            for name in names[i:i + per_row]:
                row.add_widget(getattr(Factory, name)())
            box.add_widget(row)

    def build_content(self, app, flow):
        # The words a citizen recognises as the heading ("Sang tên xe"), the official title,
        # often 30 words long, under it in small type for the counter and the slip.
        c, v = _heading(app, self.ids.content, flow, lambda v: v.label or v.title,
                        lambda v: f"Tên thủ tục: {v.title}" if v.label and v.label != v.title else "")
        if v is None:
            return
        if v.counter:
            c.add_widget(_label(f"Nộp hồ sơ tại: [b]Quầy số {esc(v.counter)}[/b]", markup=True, role="big",
                                tone="primary"))
        if v.brief:
            c.add_widget(_notice(esc(v.brief_note), app))
            c.add_widget(_label(f"Cơ quan giải quyết: {v.handled_by}"))
            return
        if v.unverified:
            c.add_widget(_notice(esc(texts.UNVERIFIED_NOTE), app))
        c.add_widget(_label("Giấy tờ cần mang", "KTitle", role="big"))
        n = 0
        for heading, docs in ((None, v.required), ("Chỉ cần trong một số trường hợp:", v.optional)):
            if not docs:
                continue
            if heading:
                c.add_widget(_label(heading, bold=True))
            for d in docs:
                n += 1
                card = Factory.Card()
                card.add_widget(_label(f"{n}. {d.name}", bold=True))
                card.add_widget(_label(d.how, tone="primary"))
                if d.note:
                    card.add_widget(_label(d.note, tone="muted"))
                c.add_widget(card)
        facts = Factory.Card()
        for label, value in (("Lệ phí", v.fee), ("Thời hạn giải quyết", v.time), ("Nơi nộp", v.where)):
            if value:
                facts.add_widget(_label(f"[b]{label}:[/b] {esc(value)}", markup=True))
        c.add_widget(facts)
        if v.steps:
            c.add_widget(_label("Các bước", "KTitle", role="big"))
            for i, s in enumerate(v.steps, 1):
                c.add_widget(_label(f"{i}. {s}"))
        if v.notes:
            c.add_widget(_label(f"[b]Lưu ý:[/b] {esc(v.notes)}", markup=True))
        self.ids.scroll.scroll_y = 1


class RedirectScreen(AnswerScreen):
    """"Việc này không làm tại phường": where to go instead and what to bring."""

    def build_content(self, app, flow):
        c, v = _heading(app, self.ids.content, flow, lambda v: v.label)
        if v is None:
            return
        box = Factory.NoticeBox()
        box.add_widget(_label(v.not_here, "KTitle", tone="notice"))
        box.add_widget(_label(f"Ông/bà {v.go} [b]{esc(v.where)}[/b].", role="big", tone="notice", markup=True))
        c.add_widget(box)
        if v.handled_by and v.handled_by.lower() not in v.where.lower():
            c.add_widget(_label(f"[b]Cơ quan giải quyết:[/b] {esc(v.handled_by)}", markup=True))
        if v.documents:
            c.add_widget(_label("Giấy tờ nên mang theo", "KTitle", role="big"))
            for n, d in enumerate(v.documents, 1):
                card = Factory.Card()
                card.add_widget(_label(f"{n}. {d.name}", bold=True))
                card.add_widget(_label(d.how, tone="primary"))
                if d.note:
                    card.add_widget(_label(d.note, tone="muted"))
                c.add_widget(card)
        if v.notes:
            c.add_widget(_label(f"[b]Lưu ý:[/b] {esc(v.notes)}", markup=True))
        if v.unverified:
            c.add_widget(_label("Một số thông tin đang được cán bộ xác minh lại — ông/bà có thể hỏi cán bộ tại quầy "
                                f"số {flow.help_counter} để chắc chắn.", tone="muted"))
        self.ids.scroll.scroll_y = 1


class ClarifyScreen(KScreen):
    def key(self, app, flow):
        return (_layout_key(app), tuple(flow.choices), flow.clarify_page, bool(flow.more_choices))

    def build(self, app, flow):
        second = flow.clarify_page == 2
        self.ids.heading.text = texts.CLARIFY_MORE_HEADING if second else texts.CLARIFY_HEADING
        self.ids.hint.text = texts.CLARIFY_MORE_HINT if second else texts.CLARIFY_HINT
        self.ids.not_these.sub = texts.NOT_THESE_MORE if flow.more_choices and not second else texts.NOT_THESE_LAST
        self.show_only_if(second, "back", "actions", index=len(self.ids.actions.children))  # first, on the left
        self.build_choices(app, flow)

    def build_choices(self, app, flow):
        box = self.ids.choices
        box.clear_widgets()
        t = app.theme
        # Landscape: two per row, so four choices and "Không phải" fit without scrolling
        # (one per row, four took 4 × 165 px of the 830 px under the top bar at 1080p).
        cols = 2 if not app.portrait and len(flow.choices) > 2 else 1
        row = None
        for i, c in enumerate(flow.choices):
            if i % cols == 0:
                row = Factory.ButtonRow(spacing=t.gap)
                box.add_widget(row)
            b = _button(c.label, lambda code=c.code: app.flow.choose(code), icon="next", sub=c.detail_short,
                        font_size=t.title, style="card")
            b.min_height = t.button_h * 1.25  # 2–4 choices: room for big targets
            row.add_widget(b)
        if row is not None and len(row.children) < cols:
            row.add_widget(Factory.Widget())
        self.ids.scroll.scroll_y = 1


class NoneScreen(KScreen):
    def key(self, app, flow):
        return (_layout_key(app), tuple(c.code for c in flow.categories()), flow.can_go_back)

    def build(self, app, flow):
        fill_tiles(self.ids.tiles, app, flow)
        self.show_only_if(flow.can_go_back, "back", "actions", index=0)  # last, on the right


class BrowseScreen(KScreen):
    """Procedures of a field: written-up ones, then catalogue entries and redirects."""

    def key(self, app, flow):
        return (_layout_key(app), flow.category.code if flow.category else None,
                tuple(p.code for p in flow.browse_items))

    def build(self, app, flow):
        box = self.ids.proc_list
        box.clear_widgets()
        if not flow.browse_items:
            box.add_widget(_notice(texts.BROWSE_EMPTY.format(counter=esc(flow.help_counter)), app))
        cols = 1 if app.portrait else 2
        row = None
        for i, p in enumerate(flow.browse_items):
            if i % cols == 0:
                row = Factory.ButtonRow(spacing=app.theme.gap)
                box.add_widget(row)
            brief = p.detail is Detail.BRIEF
            sub = texts.BRIEF_MARK if brief else (texts.REDIRECT_MARK if p.is_redirect else "")
            icon = "info" if brief else ("building" if p.is_redirect else "next")
            row.add_widget(_button(p.label, lambda code=p.code: app.flow.choose(code), sub=sub, icon=icon))
        if row is not None and len(row.children) < cols:
            row.add_widget(Factory.Widget())
        self.ids.scroll.scroll_y = 1


KEYS = "abcdđefghijklmnopqrstuvwxyz"


class SearchScreen(KScreen):
    def key(self, app, flow):
        return (_layout_key(app), tuple(m.code for m in flow.search_results), len(flow.search_text) >= 2)

    def build(self, app, flow):
        kb = self.ids.keyboard
        if not kb.children or self._kb_key != _layout_key(app):
            self._kb_key = _layout_key(app)
            kb.clear_widgets()
            pad = (app.theme.gap / 3, app.theme.gap / 3)
            for ch in KEYS:
                kb.add_widget(_button(ch, lambda ch=ch: app.type_key(ch), halign="center", font_size=app.theme.big,
                                      style="card", padding=pad, size_hint_y=None))
            extra = self.ids.keyboard_extra
            extra.clear_widgets()
            row = Factory.ButtonRow(spacing=app.theme.gap / 2)
            row.add_widget(_button("Dấu cách", lambda: app.type_key(" "), halign="center", style="card",
                                   size_hint_x=2))
            row.add_widget(_button("Xóa", lambda: app.type_key("\b"), icon="backspace", halign="center",
                                   style="card", padding=pad))
            row.add_widget(_button("Xóa hết", lambda: app.type_key("\x7f"), halign="center", style="card",
                                   padding=pad))
            extra.add_widget(row)
        box = self.ids.results
        box.clear_widgets()
        for m in flow.search_results:
            box.add_widget(_button(m.title, lambda code=m.code: app.flow.choose(code), icon="next"))
        if not flow.search_results and len(flow.search_text.strip()) >= 2:
            box.add_widget(_notice(texts.SEARCH_NOTHING.format(counter=esc(flow.help_counter)), app))

    _kb_key = None


class ChecklistScreen(KScreen):
    def key(self, app, flow):
        return (_layout_key(app), id(flow.view))

    def build(self, app, flow):
        c = self.ids.content
        c.clear_widgets()
        v = flow.view
        if v is None:
            return
        c.add_widget(_label(v.title, "KTitle"))
        c.add_widget(_label("Giấy tờ cần mang:", bold=True, role="big"))
        lines = checklist_lines(v) or ["Chưa có danh sách giấy tờ chi tiết — mời hỏi cán bộ tại quầy."]
        for line in lines:
            c.add_widget(_label(line, role="big"))
        if v.counter:
            c.add_widget(_label(f"[b]Nộp tại quầy số {esc(v.counter)}[/b]", markup=True, role="title"))
        self.ids.qr.data = v.qr_url or ""


class RatingScreen(KScreen):
    pass


class IdleScreen(KScreen):
    pass


class PinScreen(KScreen):
    def build(self, app, flow):
        pad = self.ids.keypad
        if pad.children:
            return
        for d in "123456789":
            pad.add_widget(_button(d, lambda d=d: app.pin_key(d), halign="center", style="card",
                                   font_size=app.theme.title))
        pad.add_widget(_button("Xóa", lambda: app.pin_key("\b"), halign="center", style="card"))
        pad.add_widget(_button("0", lambda: app.pin_key("0"), halign="center", style="card",
                               font_size=app.theme.title))
        pad.add_widget(_button("Vào", lambda: app.pin_key("\n"), halign="center", style="primary"))

    def key(self, app, flow):
        return _layout_key(app)


class StaffScreen(KScreen):
    def key(self, app, flow):
        s = flow.status
        return (_layout_key(app), s, flow.kb.version, len(flow.kb.content.procedures), app.staff_message)

    def build(self, app, flow):
        box = self.ids.status
        box.clear_widgets()
        s = flow.status
        rows = (("Micrô", s.mic), ("Nhận dạng giọng nói (mô hình)", s.asr), ("Giọng đọc", s.tts), ("Máy in", s.printer))
        for name, st in rows:
            mark = "[color=#1a7a33]SẴN SÀNG[/color]" if st.ok else "[color=#b31b1b]CHƯA DÙNG ĐƯỢC[/color]"
            if app.theme.high_contrast:
                mark = "SẴN SÀNG" if st.ok else "CHƯA DÙNG ĐƯỢC"
            box.add_widget(_label(f"[b]{name}:[/b] {mark} — {esc(st.message)}", markup=True))
        kb = flow.kb
        n_full = sum(1 for p in kb.content.procedures if p.detail is Detail.FULL)
        box.add_widget(_label(f"[b]Nội dung:[/b] phiên bản {esc(kb.version or '?')}; {n_full} thủ tục có hướng dẫn đầy đủ, "
                              f"{len(kb.content.procedures)} thủ tục trong danh mục", markup=True))
        if s.loading:
            box.add_widget(_label("Đang khởi động thiết bị…", tone="muted"))


SCREENS = {
    "home": HomeScreen, "listening": ListeningScreen, "thinking": ThinkingScreen, "answer": AnswerScreen,
    "redirect": RedirectScreen,
    "clarify": ClarifyScreen, "none": NoneScreen, "browse": BrowseScreen, "search": SearchScreen,
    "checklist": ChecklistScreen, "rating": RatingScreen, "idle_warning": IdleScreen, "staff_pin": PinScreen,
    "staff": StaffScreen,
}
KV_FILES = ("widgets", "home", "listening", "thinking", "answer", "redirect", "clarify", "none", "browse", "search",
            "checklist", "rating", "idle", "staff", "app")

