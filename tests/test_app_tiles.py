"""The field-tile layout (kiosk/app/tiles.py) without a window. Text widths here come
from a fixed per-character estimate; the window test checks the real fonts."""
from __future__ import annotations

from kiosk.app.tiles import plan_tiles, wrap

FIELDS = ["Hộ tịch", "Chứng thực", "Cư trú", "Đất đai – Xây dựng", "Kinh doanh", "Chính sách xã hội",
          "Người có công", "Bảo hiểm y tế", "Giáo dục", "Hòa giải – Tư pháp", "Nông nghiệp – Môi trường",
          "Lĩnh vực khác"]


def measure(text, font):
    return len(text) * font * 0.45, font * 1.36  # about Noto Sans Bold on these labels


def plan(labels, w, h, font=38):
    return plan_tiles(labels, w, h, font=font, icon=70, gap=18, pad=24, min_h=112, measure=measure)


def test_two_lines_are_evened_out_and_a_dash_ends_a_line():
    assert wrap("Bảo hiểm y tế", 6 * 38 * 0.45 * 1.6, 38, measure) == ["Bảo hiểm", "y tế"]
    assert wrap("Hòa giải – Tư pháp", 11 * 38 * 0.45, 38, measure) == ["Hòa giải –", "Tư pháp"]
    assert wrap("Nông nghiệp", 5 * 38 * 0.45, 38, measure) is None  # a word would be cut


def test_every_field_fits_the_home_screen_space():
    # The right-hand column of the 1920×1080 home screen and the tile area at 1080×1920.
    for w, h in ((1180, 628), (1032, 855)):  # as measured in the window test
        p = plan(FIELDS, w, h)
        assert p.fits and p.cols * p.rows >= len(FIELDS), (w, h, p)
        assert p.rows * p.tile_h + (p.rows - 1) * 18 <= h + 0.5 and p.tile_h >= 112
        assert max(t.count("\n") for t in p.texts) <= 1  # no label on three lines


def test_fewer_fields_get_bigger_tiles_with_the_icon_on_top():
    p = plan(FIELDS[:6], 1180, 640)
    assert p.fits and not p.horizontal and p.icon == 70 and p.rows <= 3


def test_too_little_room_says_so_and_keeps_the_text_readable():
    p = plan(FIELDS, 600, 300)
    assert not p.fits and p.rows * p.tile_h > 300  # the scroll view takes over
    assert plan([], 100, 100) is None
