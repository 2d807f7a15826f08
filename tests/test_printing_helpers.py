"""Shared sample data and helpers for the printing tests (imported by test_printing_*.py).

Procedure/Office records are built directly, as knowledge.store would return them.
"""
from __future__ import annotations

import shutil
import subprocess
from datetime import datetime
from pathlib import Path

from PIL import Image

from knowledge.model import Counter, Detail, DocForm, Document, Office, Procedure

PRINTED_AT = datetime(2026, 11, 24, 14, 5)

OFFICE = Office(
    name="Trung tâm Phục vụ hành chính công phường Bến Thành",
    address="92 Nguyễn Trãi, phường Bến Thành, Thành phố Hồ Chí Minh",
    hours="Thứ Hai – Thứ Sáu: 7 giờ 30 – 11 giờ 30, 13 giờ – 17 giờ; sáng Thứ Bảy: 7 giờ 30 – 11 giờ 30",
    hotline="1022",
    help_counter="1",
    counters=(
        Counter("1", "Quầy hướng dẫn – Hộ tịch", ("ho-tich", "tu-phap-khac")),
        Counter("2", "Quầy Chứng thực", ("chung-thuc",)),
        Counter("5", "Quầy Công an phường (cư trú)", ("cu-tru",)),
    ),
)

KHAI_SINH = Procedure(
    code="1.001193",
    title="Đăng ký khai sinh",
    category="ho-tich",
    handled_by="UBND cấp xã",
    where="Bộ phận Một cửa của UBND phường",
    processing_time="Ngay trong ngày làm việc; hồ sơ nộp sau 15 giờ thì trả kết quả trong ngày làm việc tiếp theo",
    processing_days=0,
    fee="Miễn lệ phí khi đăng ký đúng hạn",
    fee_amount=0,
    notes="Cha hoặc mẹ đi đăng ký trong 60 ngày kể từ ngày sinh con.",
    documents=(
        Document("Tờ khai đăng ký khai sinh theo mẫu", DocForm.ORIGINAL, 1),
        Document("Giấy chứng sinh do bệnh viện hoặc cơ sở y tế cấp", DocForm.ORIGINAL, 1,
                 condition="không phải nộp bản giấy nếu bệnh viện đã gửi giấy chứng sinh điện tử"),
        Document("Căn cước công dân hoặc hộ chiếu của người đi đăng ký", DocForm.PRESENT),
        Document("Giấy chứng nhận kết hôn của cha mẹ", DocForm.COPY, 2, required=False,
                 condition="Cha, mẹ đã đăng ký kết hôn"),
        Document("Văn bản ủy quyền có chứng thực", DocForm.EITHER, 1, required=False,
                 condition="Trường hợp nhờ người khác đi đăng ký thay"),
    ),
)

LOCAL = Procedure(
    code="local.xac-nhan-don",
    title="Xác nhận đơn đề nghị hỗ trợ học phí",
    category="giao-duc",
    handled_by="UBND cấp xã",
    where="Bộ phận Một cửa của UBND phường",
    unverified=("code",),
    processing_time="03 ngày làm việc",
    fee="Không thu phí",
    documents=(Document("Đơn đề nghị có xác nhận của nhà trường", DocForm.ORIGINAL, 1),),
)

BRIEF = Procedure(
    code="2.000908",
    title="Đăng ký tạm trú",
    category="cu-tru",
    handled_by="Công an cấp xã",
    detail=Detail.BRIEF,
)

PORTAL_KHAI_SINH = "https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc=1.001193"


def nfc_words(text: str) -> str:
    """Collapse whitespace (pdftotext wraps lines) for substring checks."""
    import unicodedata

    return " ".join(unicodedata.normalize("NFC", text).split())


def pdftotext(path: Path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def zbar_decode(png: Path) -> list[str]:
    out = subprocess.run(["zbarimg", "--quiet", "--raw", str(png)], capture_output=True, text=True)
    return [line for line in out.stdout.splitlines() if line]


def pdf_page_png(pdf: Path, out_prefix: Path, dpi: int = 150) -> Path:
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-f", "1", "-l", "1", "-singlefile",
                    str(pdf), str(out_prefix)], check=True)
    return out_prefix.with_suffix(".png")


def decode_escpos_raster(data: bytes) -> Image.Image:
    """Rebuild the printed picture from ESC/POS bytes: every GS v 0 block, top to bottom.

    Fails on any byte sequence other than the commands the kiosk sends (init, raster
    image, feed, cut), so stray text or code-page output is caught too.
    """
    i, blocks = 0, []
    while i < len(data):
        if data[i:i + 2] == b"\x1b@":  # ESC @ initialise
            i += 2
        elif data[i:i + 3] == b"\x1dv0":  # GS v 0 m xL xH yL yH d…
            m = data[i + 3]
            assert m == 0, f"expected normal density, got {m}"
            wb = data[i + 4] | data[i + 5] << 8
            h = data[i + 6] | data[i + 7] << 8
            body = data[i + 8:i + 8 + wb * h]
            assert len(body) == wb * h, "truncated raster data"
            blocks.append(Image.frombytes("1", (wb * 8, h), body).point(lambda v: 255 - v))
            i += 8 + wb * h
        elif data[i:i + 2] == b"\x1bd":  # ESC d n feed
            i += 3
        elif data[i:i + 2] == b"\x1dV":  # GS V m [n] cut
            i += 4 if data[i + 2] in (65, 66) else 3
        else:
            raise AssertionError(f"unexpected ESC/POS byte {data[i]:#04x} at {i}")
    assert blocks, "no raster image in the ESC/POS data"
    width = blocks[0].width
    assert all(b.width == width for b in blocks)
    out = Image.new("1", (width, sum(b.height for b in blocks)), 1)
    y = 0
    for b in blocks:
        out.paste(b, (0, y))
        y += b.height
    return out


def have(*tools: str) -> bool:
    return all(shutil.which(t) for t in tools)
