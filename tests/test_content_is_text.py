"""Issue 15: content is text, never markup, on every surface; a QR only for an official https address."""
from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import textwrap

import pytest
from test_admin_support import (
    CODE,
    REPO,
    db_of,
    procedure_form,
    signed_in,
)
from test_printing_helpers import KHAI_SINH, OFFICE, PRINTED_AT, have, nfc_words, pdftotext

from knowledge.model import PORTAL_PAGE
from printing import build_checklist, checklist_text, render_pdf
from printing.checklist import portal_url
from printing.urls import url_problem

HIDDEN = "Miễn phí [size=0](trừ hộ nghèo)[/size]"
MORE = "[color=#ffffff]ẩn[/color] [b]đậm[/b] &bl; **sao** <b>thẻ</b>"


# ---- Kivy ----------------------------------------------------------------------------------------
KIVY_PROBE = textwrap.dedent('''
    import dataclasses, json, sys, types
    from kivy.core.text.markup import MarkupLabel
    from kiosk.app import screens
    from kiosk.app.view import answer_view
    from kiosk.services import load_knowledge
    from kiosk.config import Config, PathsConfig
    from knowledge.model import Notice, Category

    HIDDEN, MORE, data_dir = sys.argv[1], sys.argv[2], sys.argv[3]

    class W:  # stands in for every Kivy widget the screens create: records text and markup
        def __init__(self, kind, **kw):
            self.kind, self.kw, self.children = kind, kw, []
        def add_widget(self, w):
            self.children.append(w)
        def clear_widgets(self):
            self.children = []
        def __setattr__(self, k, v):
            object.__setattr__(self, k, v)

    class F:
        def __getattr__(self, kind):
            return lambda **kw: W(kind, **kw)

    screens.Factory = F()
    from pathlib import Path
    kb, db = load_knowledge(Config(paths=PathsConfig(data_dir=Path(data_dir))))
    p = kb.content.procedure("1.001193")
    p = dataclasses.replace(p, fee=HIDDEN, notes=MORE, processing_time=HIDDEN, title="Khai sinh " + HIDDEN)
    office = dataclasses.replace(kb.content.office, help_counter="[size=0]7[/size]")
    view = answer_view(p, office)
    theme = types.SimpleNamespace(gap=1, title=1, big=1, small=1, scale=1, high_contrast=False)
    app = types.SimpleNamespace(theme=theme, portrait=False, tts_available=True, printer_available=True)
    flow = types.SimpleNamespace(view=view, transcript="", help_counter=office.help_counter,
                                 content_notices=lambda: [Notice("Nghỉ " + HIDDEN, MORE, None, None)],
                                 notices=[], categories=lambda: [Category("ho-tich", "Hộ tịch " + HIDDEN, None, None)],
                                 browse_items=[p], category=None, print_ok=None, alternatives=[])
    me = types.SimpleNamespace(ids=types.SimpleNamespace(content=W("box"), scroll=W("scroll"), actions=W("box"),
                                                         tiles=W("grid"), device_notices=W("box"), notices=W("box")))
    screens.AnswerScreen.build_content(me, app, flow)
    screens.HomeScreen.build(me, app, flow)
    shown = []
    def walk(w):
        if isinstance(w, W):
            t = w.kw.get("text")
            if t is not None:
                markup = w.kw.get("markup") or w.kind in ("KButton", "KTile")
                if markup:
                    m = MarkupLabel(text=t, font_size=20)
                    m.render()
                    visible = "".join(word.text for line in m._cached_lines for word in line.words)
                    shown.append(visible)
                else:
                    shown.append(t)
            for c in w.children:
                walk(c)
    for box in (me.ids.content, me.ids.tiles, me.ids.notices):
        walk(box)
    print(json.dumps(shown, ensure_ascii=False))
''')


@pytest.mark.slow
def test_kivy_labels_show_content_markup_as_text(tmp_path):
    """Was: 'Miễn phí [size=0](trừ hộ nghèo)[/size]' hid the exception on the kiosk screen."""
    env = dict(os.environ, KIVY_NO_ARGS="1", KIVY_TEXT="pil", KIVY_LOG_MODE="PYTHON", KIVY_NO_CONSOLELOG="1",
               KIVY_HOME=str(tmp_path / "kivy"))
    r = subprocess.run([sys.executable, "-c", KIVY_PROBE, HIDDEN, MORE, str(tmp_path)], cwd=REPO, env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-3000:]
    shown = json.loads(r.stdout.strip().splitlines()[-1])
    text = "\n".join(shown)
    assert "Lệ phí: " + HIDDEN in shown  # the label's own bold markup works, the fee is literal
    assert "(trừ hộ nghèo)" in text and "[size=0]" in text
    assert MORE in text  # notes: colour, bold, entities all shown as typed
    assert "Nộp hồ sơ tại:" in text or "Quầy" in text
    assert any(s.startswith("Nghỉ " + HIDDEN) for s in shown)  # the content notice title
    assert "Hộ tịch " + HIDDEN in shown  # a category tile


# ---- PDF and receipt -------------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.skipif(not have("pdftotext"), reason="poppler-utils not installed")
def test_the_printed_slip_shows_the_same_text(tmp_path):
    proc = dataclasses.replace(KHAI_SINH, fee=HIDDEN, notes=MORE)
    c = build_checklist(proc, OFFICE, PRINTED_AT)
    assert HIDDEN in checklist_text(c)  # what the receipt raster and the read-aloud draw from
    path = tmp_path / "slip.pdf"
    path.write_bytes(render_pdf(c, "A4"))
    text = nfc_words(pdftotext(path))
    assert nfc_words(HIDDEN) in text and "**sao**" in text and "<b>thẻ</b>" in text


# ---- URLs ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "http://dichvucong.gov.vn/p/home", "https://dichvucong-gov.vn/p",
    "https://dichvucong.gov.vn.example.com/", "https://dichvucong.gov.vn@evil.example/",
    "https://evil.example/?u=https://dichvucong.gov.vn", "data:text/html,<script>", "https://dichvucong.gov.vn:8443/",
    "https://xn--dchvucong-1ob.example/", " https://dichvucong.gov.vn/a b", "https://dịchvụcông.vn/",
    "ftp://dichvucong.gov.vn/", "https://gov.vn.evil.example/",
])
def test_a_qr_address_must_be_https_on_a_government_domain(url):
    assert url_problem(url) is not None
    proc = dataclasses.replace(KHAI_SINH, online_url=url)
    assert portal_url(proc) == PORTAL_PAGE.format(code=KHAI_SINH.code)  # falls back, never encodes it


def test_the_shipped_addresses_and_a_configured_domain_are_accepted(monkeypatch):
    for url in ("https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc=1.001193",
                "https://dichvucong.bocongan.gov.vn/", "https://dichvucong.hanoi.gov.vn/"):
        assert url_problem(url) is None, url
    assert url_problem("https://congdichvu.example.vn/") is not None
    monkeypatch.setenv("KIOSK_URL_DOMAINS", "gov.vn, example.vn")
    assert url_problem("https://congdichvu.example.vn/") is None


@pytest.mark.slow
def test_the_admin_refuses_a_bad_address_and_shows_what_the_qr_holds(client, data_dir):
    token = signed_in(client)
    form = procedure_form(client, CODE)
    form["online_url"] = "javascript:alert(document.cookie)"
    r = client.post(f"/procedures/{CODE}", data=form)
    assert r.status_code == 400 and "https://" in r.text
    form = procedure_form(client, CODE)
    form["online_url"] = "https://dichvucong-gov.vn/nop-ho-so"
    r = client.post(f"/procedures/{CODE}", data=form)
    assert r.status_code == 400 and "cơ quan nhà nước" in r.text
    assert db_of(data_dir)["admin_draft"].count == 0
    text = f"Mã thủ tục [code],Địa chỉ nộp trực tuyến [online_url]\r\n{CODE},http://dichvucong.gov.vn/x\r\n"
    r = client.post("/sheet/import", data={"csrf": token}, files={"file": ("u.csv", text.encode())})
    assert r.status_code == 400 and "https://" in r.text
    form = procedure_form(client, CODE)
    form["online_url"] = "https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc=1.001193"
    assert client.post(f"/procedures/{CODE}", data=form).status_code == 303
    preview = client.get(f"/procedures/{CODE}/preview").text
    assert 'id="qr-url"' in preview and "ma_thu_tuc=1.001193" in preview


def test_the_kiosk_screen_qr_never_holds_an_unofficial_address():
    # Content imported with `kiosk content import` (not through the admin) is not checked
    # by the admin's form: the screen applies the slip's rule itself.
    import dataclasses

    from kiosk.app.view import qr_url
    from knowledge.model import Procedure

    p = Procedure("1.001193", "Đăng ký khai sinh", "ho-tich", "UBND cấp xã")
    for bad in ("javascript:alert(1)", "http://dichvucong.gov.vn/x", "https://dichvucong-gov.vn/x"):
        assert qr_url(dataclasses.replace(p, online_url=bad)) == PORTAL_PAGE.format(code="1.001193")
    good = "https://dichvucong.gov.vn/p/home/x.html?ma_thu_tuc=1.001193"
    assert qr_url(dataclasses.replace(p, online_url=good)) == good
    assert qr_url(dataclasses.replace(p, code="redirect.ly-hon", online_url="javascript:x")) is None
