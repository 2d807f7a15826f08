"""`kiosk checklist` end to end on the shipped content, and the config examples in docs/printing.md."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from test_printing_helpers import decode_escpos_raster, have, nfc_words, pdftotext

from kiosk.cli import main
from kiosk.config import load_config

REPO = Path(__file__).resolve().parents[1]
CODE = "1.001193"  # Đăng ký khai sinh, in assets/content/procedures


@pytest.fixture(scope="module")
def config_file(tmp_path_factory):
    d = tmp_path_factory.mktemp("kiosk")
    path = d / "kiosk.toml"
    path.write_text(
        f'[paths]\ndata_dir = "{d / "data"}"\n\n[printer]\nkind = "escpos"\n'
        f'escpos_connection = "file:{d / "lp0"}"\npaper_width_dots = 576\n',
        encoding="utf-8",
    )
    return path


def kiosk(config_file, *args: str) -> int:
    return main(["--config", str(config_file), "checklist", *args])


@pytest.mark.slow
def test_text_checklist_on_stdout(config_file, capsys):
    assert kiosk(config_file, CODE) == 0
    out = capsys.readouterr().out
    assert "GIẤY TỜ CẦN MANG" in out and "Đăng ký khai sinh" in out and f"Mã thủ tục: {CODE}" in out
    assert out.count("[ ] ") >= 3 and "Bản chính – 01 bản" in out
    assert "In lúc " in out


def test_speech_text(config_file, capsys):
    assert kiosk(config_file, CODE, "--speech") == 0
    out = capsys.readouterr().out
    assert out.startswith("Giấy tờ cần mang cho thủ tục Đăng ký khai sinh.") and "Thứ nhất:" in out


@pytest.mark.slow
def test_files_pdf_escpos_png(config_file, tmp_path, capsys):
    pdf, esc, png = tmp_path / "a.pdf", tmp_path / "a.bin", tmp_path / "a.png"
    assert kiosk(config_file, CODE, "--pdf", str(pdf), "--escpos", str(esc), "--png", str(png),
                 "--width", "384", "--paper", "roll80") == 0
    out = capsys.readouterr().out
    assert str(pdf) in out and str(esc) in out and str(png) in out
    assert decode_escpos_raster(esc.read_bytes()).width == 384
    if have("pdftotext", "pdfinfo"):
        assert "Đăng ký khai sinh" in nfc_words(pdftotext(pdf))
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
        assert "226.77 x" in info  # 80 mm wide roll


@pytest.mark.slow
def test_print_uses_the_configured_printer(config_file, capsys):
    device = config_file.parent / "lp0"
    assert kiosk(config_file, CODE, "--print") == 0
    assert "Đã in xong phiếu" in capsys.readouterr().out
    assert decode_escpos_raster(device.read_bytes()).width == 576


@pytest.mark.slow
def test_print_without_printer_is_a_one_line_error(tmp_path, capsys):
    cfg = tmp_path / "none.toml"
    cfg.write_text(f'[paths]\ndata_dir = "{tmp_path / "data"}"\n[printer]\nkind = "none"\n', encoding="utf-8")
    assert kiosk(cfg, CODE, "--print") == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("Lỗi: Kiosk này chưa có máy in")


@pytest.mark.slow
def test_unavailable_printer_is_a_one_line_error(tmp_path, capsys):
    cfg = tmp_path / "gone.toml"
    cfg.write_text(f'[paths]\ndata_dir = "{tmp_path / "data"}"\n[printer]\nkind = "escpos"\n'
                   f'escpos_connection = "file:{tmp_path}/unplugged/lp0"\n', encoding="utf-8")
    assert kiosk(cfg, CODE, "--print") == 1
    assert capsys.readouterr().err.strip().splitlines()[-1].startswith("Lỗi: Máy in phiếu chưa sẵn sàng")


def test_unknown_code(config_file, capsys):
    assert kiosk(config_file, "9.999999") == 1
    assert capsys.readouterr().err.startswith("Lỗi: ")


def test_help_documents_every_option(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["checklist", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for option in ("--pdf", "--escpos", "--png", "--print", "--speech", "--paper", "--width"):
        assert option in out
    assert " ".join(out.split()).count("mặc định") >= 7  # every option states its default


def test_config_examples_in_the_docs_are_valid(tmp_path):
    doc = (REPO / "docs" / "printing.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```toml\n(.*?)```", doc, re.S)
    assert len(blocks) >= 4
    for i, block in enumerate(blocks):
        path = tmp_path / f"example{i}.toml"
        path.write_text(block, encoding="utf-8")
        printer = load_config(path, environ={}).printer
        assert printer.kind in ("escpos", "cups", "none")
        if printer.kind == "escpos":
            from printing.escpos_out import parse_connection

            parse_connection(printer.escpos_connection)
