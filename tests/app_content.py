"""The shipped content plus what the app's clarify and redirect screens need to be
shown whatever the shipped content holds today: short titles for the khai sinh family
and one redirect entry (tests/data/app/redirects/). Written to a tmp copy; the shipped
files are not changed."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHIPPED = REPO / "assets" / "content"
REDIRECTS = REPO / "tests" / "data" / "app" / "redirects"

BIRTH = "1.001193"  # Đăng ký khai sinh
BIRTH_FOREIGN = "2.000528"  # Đăng ký khai sinh có yếu tố nước ngoài
BIRTH_PARENT = "1.000689"  # Đăng ký khai sinh kết hợp đăng ký nhận cha, mẹ, con
COPY = "2.000815"  # Chứng thực bản sao từ bản chính…
DIVORCE = "redirect.ly-hon"
SHORT_TITLES = {
    BIRTH: "Khai sinh cho con",
    BIRTH_FOREIGN: "Khai sinh có yếu tố nước ngoài",
    BIRTH_PARENT: "Khai sinh kèm nhận cha, mẹ, con",
    COPY: "Sao y giấy tờ",
}


def app_content(dst: Path) -> Path:
    """Copy the shipped content to ``dst`` with the short titles and the redirect entry."""
    shutil.copytree(SHIPPED, dst)
    for code, short in SHORT_TITLES.items():
        path = dst / "procedures" / f"{code}.yaml"
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"^short_title:.*\n", "", text, flags=re.M)
        text = re.sub(r"^(title:.*\n)", lambda m: m.group(1) + f"short_title: {short}\n", text, count=1, flags=re.M)
        path.write_text(text, encoding="utf-8")
    (dst / "redirects").mkdir(exist_ok=True)
    for f in REDIRECTS.glob("*.yaml"):
        shutil.copy(f, dst / "redirects" / f.name)
    return dst
