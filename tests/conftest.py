"""Shared fixtures: a small content tree written from inline YAML, and a config in tmp."""
from __future__ import annotations

import dataclasses
import os
import textwrap
from pathlib import Path

import pytest

from kiosk.config import Config, PathsConfig

REPO = Path(__file__).resolve().parents[1]

# Fixtures shared across test modules live in these plugin modules (tests/ is on
# sys.path): the speech fixtures (espeak clips, the Whisper transcriber, a clean
# environment), the admin ones (a filled database, the app, a test client), the hub's
# throw-away PostgreSQL server, the fleet's static hub serving a province's bundles, and the
# conversation flow's knowledge and fake ports (tests/test_app_flow*.py).
# Test modules import only plain helpers from them, never a fixture by name.
pytest_plugins = ["speech_fixtures", "test_admin_support", "hub_fixtures", "fleet_support", "app_flow_support"]

# Fixtures that load a model: every test using one belongs to the slow lane, so a new
# test that asks for the recogniser is marked without anyone remembering to.
MODEL_FIXTURES = frozenset({"transcriber"})


@pytest.hookimpl(tryfirst=True)  # before `-m "not slow"` deselects
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if MODEL_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session", autouse=True)
def _no_machine_config(tmp_path_factory):
    """Tests never read a kiosk's /etc/kiosk/kiosk.toml: an empty config file instead."""
    empty = tmp_path_factory.mktemp("config") / "kiosk.toml"
    empty.write_text("", encoding="utf-8")
    old = os.environ.get("KIOSK_CONFIG")
    os.environ["KIOSK_CONFIG"] = str(empty)
    yield empty
    if old is None:
        os.environ.pop("KIOSK_CONFIG", None)
    else:
        os.environ["KIOSK_CONFIG"] = old

CATEGORIES = """
- code: ho-tich
  name: Hộ tịch
- code: chung-thuc
  name: Chứng thực
- code: cu-tru
  name: Cư trú
"""

OFFICE = """
name: UBND phường Thử Nghiệm
address: 1 Đường Số 1
hours: "Thứ Hai – Thứ Sáu: 7 giờ 30 – 17 giờ"
hotline: "1022"
help_counter: "1"
counters:
  - number: "1"
    name: Hộ tịch
    categories: [ho-tich]
  - number: "2"
    name: Chứng thực
    categories: [chung-thuc, cu-tru]
"""


def procedure_yaml(code: str, title: str, category: str, aliases: list[str], **extra: str) -> str:
    alias_lines = "\n".join(f"  - {a}" for a in aliases)
    body = f"""\
code: "{code}"
title: {title}
category: {category}
handled_by: UBND cấp xã
where: Bộ phận Một cửa
processing_time: Trong ngày làm việc
processing_days: 0
fee: Miễn lệ phí
fee_amount: 0
legal_basis:
  - Luật Hộ tịch số 60/2014/QH13
verified_on: 2026-11-24
sources:
  - https://example.invalid/nguon
documents:
  - name: Tờ khai theo mẫu
    form: original
    copies: 1
  - name: Căn cước
    form: present
  - name: Văn bản ủy quyền
    form: copy
    copies: 2
    required: false
    condition: nhờ người khác nộp thay
steps:
  - Nộp hồ sơ.
  - Nhận kết quả.
aliases:
{alias_lines}
"""
    for key, value in extra.items():
        body += f"{key}: {value}\n"
    return body


MINI_PROCEDURES = {
    "1.001193": ("Đăng ký khai sinh", "ho-tich",
                 ["làm giấy khai sinh", "lam giay khai sinh", "khai sanh cho con", "đi khai sinh cho bé", "đăng ký khai sinh cho con"]),
    "1.004884": ("Đăng ký lại khai sinh", "ho-tich",
                 ["làm lại giấy khai sinh bị mất", "khai sinh lại", "mất giấy khai sinh", "lam lai giay khai sinh", "cấp lại khai sinh bị mất sổ gốc"]),
    "1.000894": ("Đăng ký kết hôn", "ho-tich",
                 ["đăng ký kết hôn", "làm giấy hôn thú", "dang ky ket hon", "cưới vợ làm giấy tờ", "làm giấy kết hôn"]),
    "2.000815": ("Chứng thực bản sao từ bản chính giấy tờ, văn bản", "chung-thuc",
                 ["sao y bản chính", "sao y ban chinh", "công chứng giấy tờ", "photo công chứng", "chứng thực bản sao"]),
    "1.004194": ("Đăng ký tạm trú", "cu-tru",
                 ["đăng ký tạm trú", "làm tạm trú", "dang ky tam tru", "khai báo tạm trú cho người thuê trọ", "làm KT3"]),
}


def write_content(root: Path, procedures: dict | None = None, catalogue: str | None = None) -> Path:
    (root / "procedures").mkdir(parents=True, exist_ok=True)
    (root / "categories.yaml").write_text(textwrap.dedent(CATEGORIES), encoding="utf-8")
    (root / "office.yaml").write_text(textwrap.dedent(OFFICE), encoding="utf-8")
    (root / "notices.yaml").write_text("- title: Thông báo\n  body: Nộp trực tuyến được.\n", encoding="utf-8")
    for code, (title, cat, aliases) in (procedures or MINI_PROCEDURES).items():
        (root / "procedures" / f"{code}.yaml").write_text(procedure_yaml(code, title, cat, aliases), encoding="utf-8")
    if catalogue is not None:
        (root / "catalogue.csv").write_text(catalogue, encoding="utf-8")
    return root


@pytest.fixture
def mini_content(tmp_path: Path) -> Path:
    return write_content(
        tmp_path / "content",
        catalogue="code,title,category,handled_by,level,source\n"
        "1.001022,Chứng thực chữ ký trong giấy tờ văn bản,chung-thuc,UBND cấp xã,xã,QĐ 113\n",
    )


@pytest.fixture
def config(tmp_path: Path) -> Config:
    """A config whose database lives in tmp, reading the shipped content."""
    return Config(paths=PathsConfig(data_dir=tmp_path / "data"))


@pytest.fixture
def mini_config(tmp_path: Path, mini_content: Path) -> Config:
    return dataclasses.replace(
        Config(), paths=PathsConfig(content_dir=mini_content, data_dir=tmp_path / "data", cache_dir=tmp_path / "cache")
    )
