"""Attacker pass on issue 15 (item 6, Kivy markup injection): two screens still render content as markup.

The answer and home screens escape content (tests/test_content_is_text.py), but
- RedirectScreen puts a redirect's ``where``, ``handled_by`` and ``notes`` into
  ``markup=True`` labels unescaped (kiosk/app/screens.py, RedirectScreen.build_content);
- ClarifyScreen passes the official title (``Choice.detail_short``) as a KButton's ``sub``,
  which widgets.kv inserts into the button's markup unescaped.
So "Tòa án … [size=0](trừ hộ nghèo)[/size]" typed by an editor hides text on the kiosk
that the admin preview shows. Found by the attacker session; fixed in the same session; these now guard the fix.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
HIDDEN = "Miễn phí [size=0](trừ hộ nghèo)[/size]"

PROBE = textwrap.dedent('''
    import dataclasses, json, sys, types
    from pathlib import Path
    from kivy.core.text.markup import MarkupLabel
    from kiosk.app import screens
    from kiosk.app.view import answer_view
    from kiosk.config import Config, PathsConfig
    from kiosk.services import load_knowledge
    from knowledge.replies import Choice

    HIDDEN, data_dir = sys.argv[1], sys.argv[2]

    class W:  # stands in for every Kivy widget the screens create: records text and markup
        def __init__(self, kind, **kw):
            self.kind, self.kw, self.children = kind, kw, []
        def add_widget(self, w, index=0):
            self.children.append(w)
        def clear_widgets(self):
            self.children = []

    class F:
        def __getattr__(self, kind):
            return lambda **kw: W(kind, **kw)

    screens.Factory = F()

    def shown(w, out):
        t, sub = w.kw.get("text"), w.kw.get("sub")
        if t is not None:
            if w.kind == "KButton" and sub:  # what widgets.kv builds for a button's second line
                t = t + "\\n[size=20]%s[/size]" % sub
            if w.kw.get("markup") or w.kind in ("KButton", "KTile"):
                m = MarkupLabel(text=t, font_size=20)
                m.render()
                t = "".join(word.text for line in m._cached_lines for word in line.words)
            out.append(t)
        for c in w.children:
            shown(c, out)
        return out

    kb, db = load_knowledge(Config(paths=PathsConfig(data_dir=Path(data_dir))))
    theme = types.SimpleNamespace(gap=1, title=1, big=1, small=1, scale=1, high_contrast=False, button_h=1)
    app = types.SimpleNamespace(theme=theme, portrait=False, flow=None)
    p = kb.content.procedure("redirect.ly-hon")
    p = dataclasses.replace(p, where="Tòa án " + HIDDEN, handled_by="Tòa khác " + HIDDEN, notes="Ghi chú " + HIDDEN)
    flow = types.SimpleNamespace(view=answer_view(p, kb.content.office), transcript="", help_counter="1", alternatives=[])
    me = types.SimpleNamespace(ids=types.SimpleNamespace(content=W("box"), scroll=W("scroll")))
    screens.RedirectScreen.build_content(me, app, flow)
    redirect = shown(me.ids.content, [])
    flow = types.SimpleNamespace(choices=[Choice("1.001193", "Khai sinh", "Đăng ký khai sinh " + HIDDEN),
                                          Choice("1.000094", "Kết hôn", "Đăng ký kết hôn")])
    me = types.SimpleNamespace(ids=types.SimpleNamespace(choices=W("box"), scroll=W("scroll")))
    screens.ClarifyScreen.build_choices(me, app, flow)
    print(json.dumps({"redirect": redirect, "clarify": shown(me.ids.choices, [])}, ensure_ascii=False))
''')


@pytest.mark.slow
def test_redirect_and_clarify_screens_show_content_markup_as_text(tmp_path):
    env = dict(os.environ, KIVY_NO_ARGS="1", KIVY_TEXT="pil", KIVY_LOG_MODE="PYTHON", KIVY_NO_CONSOLELOG="1",
               KIVY_HOME=str(tmp_path / "kivy"))
    r = subprocess.run([sys.executable, "-c", PROBE, HIDDEN, str(tmp_path)], cwd=REPO, env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-3000:]
    out = json.loads(r.stdout.strip().splitlines()[-1])
    redirect, clarify = "\n".join(out["redirect"]), "\n".join(out["clarify"])
    assert redirect.count("(trừ hộ nghèo)") == 3, redirect  # where, handled_by, notes all shown as typed
    assert "(trừ hộ nghèo)" in clarify, clarify
