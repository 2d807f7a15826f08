"""End to end in a real browser (Debian chromium + chromedriver via Selenium).

The admin runs under uvicorn on 127.0.0.1 (random port) over a copy of the shipped
content; the kiosk side is `kiosk ask --json` in a subprocess on the same data dir.
Screenshots go to $KIOSK_ADMIN_SCREENSHOTS when set (else to the test's tmp dir).
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from test_admin_support import ADMIN, CODE, CONTENT, REPO, db_of, settings_for

from kiosk.admin import create_app, sheets
from kiosk.admin.draft import content_to_dict
from knowledge.store import current_version, read_content

# Slow lane: a real Chromium driving the staff web app.
pytestmark = pytest.mark.slow

CHROMIUM, DRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
if not (CHROMIUM.exists() and DRIVER.exists()):
    if os.environ.get("CI"):
        raise RuntimeError("chromium and chromium-driver are missing — script/bootstrap installs them")
    pytest.skip("chromium/chromium-driver not installed (script/bootstrap installs them)", allow_module_level=True)

from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import WebDriverException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

QUESTION_FEE = "làm giấy khai sinh"
QUESTION_NEW = "bé chào đời cần làm giấy gì"


@pytest.fixture(scope="module")
def site(admin_template, tmp_path_factory):
    import uvicorn

    data = tmp_path_factory.mktemp("browser-data")
    shutil.copy(admin_template / "kiosk.db", data / "kiosk.db")
    app = create_app(settings_for(data))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "admin server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", data
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    opts = webdriver.ChromeOptions()
    opts.binary_location = str(CHROMIUM)
    profile = tmp_path_factory.mktemp("chromium-profile")
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                "--lang=vi-VN", "--window-size=1366,900", f"--user-data-dir={profile}"):
        opts.add_argument(arg)
    driver = webdriver.Chrome(service=Service(str(DRIVER)), options=opts)
    driver.implicitly_wait(5)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    out = Path(os.environ.get("KIOSK_ADMIN_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    out.mkdir(parents=True, exist_ok=True)
    return out


def snap(driver, shots: Path, name: str) -> None:
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1366, min(max(int(height), 700), 3000))
    time.sleep(0.3)
    driver.save_screenshot(str(shots / f"{name}.png"))
    driver.set_window_size(1366, 900)


def ask(data: Path, question: str, log: bool = False) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    env.update({"KIOSK_PATHS_DATA_DIR": str(data), "KIOSK_PATHS_CONTENT_DIR": str(CONTENT)})
    r = subprocess.run([sys.executable, "-m", "kiosk", "ask", "--json", *([] if log else ["--no-log"]), question],
                       capture_output=True, text=True, env=env, cwd=REPO, timeout=120)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def _gone(element):
    """Like staleness_of, but Chrome sometimes reports a node of the old page as "does not
    belong to the document" (a plain WebDriverException) instead of a stale reference."""
    def check(_driver) -> bool:
        try:
            element.is_enabled()
        except WebDriverException:
            return True
        return False
    return check


def go(driver, element) -> None:
    """Click something that loads a new page, and wait for the new page."""
    page = driver.find_element(By.TAG_NAME, "html")
    element.click()
    WebDriverWait(driver, 30).until(_gone(page))


def flash(driver) -> str:
    return driver.find_element(By.CSS_SELECTOR, "p.flash").text


@pytest.fixture(scope="module")
def signed_in(site, browser):
    base, _ = site
    browser.get(base + "/procedures")
    assert "/login" in browser.current_url
    browser.find_element(By.ID, "name").send_keys(ADMIN[0])
    browser.find_element(By.ID, "password").send_keys("sai mật khẩu")
    go(browser, browser.find_element(By.ID, "login"))
    assert "Sai tên đăng nhập hoặc mật khẩu" in browser.find_element(By.CSS_SELECTOR, ".error").text
    assert browser.find_element(By.ID, "name").get_attribute("value") == ADMIN[0]  # kept for the retry
    browser.find_element(By.ID, "password").send_keys(ADMIN[1])
    go(browser, browser.find_element(By.ID, "login"))
    assert browser.current_url == base + "/procedures"  # back where the clerk was going
    return browser


def test_change_a_fee_publish_and_roll_back(site, signed_in, shots):
    base, data = site
    b = signed_in
    old_fee = read_content(db_of(data)).procedure(CODE).fee
    assert ask(data, QUESTION_FEE)["answer"]["code"] == CODE
    q = b.find_element(By.ID, "q")
    q.send_keys("khai sinh")
    go(b, b.find_element(By.CSS_SELECTOR, "form.filters button"))
    go(b, b.find_element(By.LINK_TEXT, "Đăng ký khai sinh"))
    fee = b.find_element(By.ID, "f-fee")
    fee.clear()
    fee.send_keys("Lệ phí 15.000 đồng (mức mới)")
    amount = b.find_element(By.ID, "f-fee_amount")
    amount.clear()
    amount.send_keys("15.000")
    snap(b, shots, "01-edit-procedure")
    go(b, b.find_element(By.ID, "save"))
    assert "Đã lưu vào bản nháp" in flash(b)
    assert "Lệ phí 15.000 đồng (mức mới)" not in ask(data, QUESTION_FEE)["answer"]["text"]  # drafts are not live
    go(b, b.find_element(By.PARTIAL_LINK_TEXT, "Đăng thay đổi"))
    assert "Sửa 1.001193 Đăng ký khai sinh (Lệ phí, Số tiền lệ phí (đồng))" in b.find_element(By.ID, "changes").text
    b.find_element(By.ID, "note").send_keys("Theo Nghị quyết HĐND mới")
    snap(b, shots, "02-publish")
    go(b, b.find_element(By.ID, "publish"))
    assert "Đã đăng" in flash(b)
    snap(b, shots, "03-versions")
    answer = ask(data, QUESTION_FEE)
    assert answer["answer"]["code"] == CODE and "Lệ phí: Lệ phí 15.000 đồng (mức mới)" in answer["answer"]["text"]

    go(b, b.find_element(By.LINK_TEXT, "#1"))
    assert "Sửa 1.001193" in b.find_element(By.ID, "rollback-changes").text
    go(b, b.find_element(By.ID, "rollback"))
    assert "Đã khôi phục" in flash(b)
    assert f"Lệ phí: {old_fee}" in ask(data, QUESTION_FEE)["answer"]["text"]


def test_a_spreadsheet_with_an_error_changes_nothing(site, signed_in, shots, tmp_path):
    base, data = site
    b = signed_in
    version = current_version(db_of(data))
    rows = sheets.export_rows(content_to_dict(read_content(db_of(data))))
    col = {h.split("[")[1].rstrip("]"): i for i, h in enumerate(rows[0])}
    row = next(r for r in rows if r[0] == CODE)
    row[col["fee"]] = "Lệ phí sửa trong Excel"  # a good edit…
    row[col["fee_amount"]] = "mười lăm nghìn"  # …next to a bad one
    from openpyxl import Workbook

    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    path = tmp_path / "thu-tuc.xlsx"
    wb.save(path)
    b.get(base + "/sheet")
    b.find_element(By.ID, "file").send_keys(str(path))
    go(b, b.find_element(By.ID, "import"))
    problems = b.find_element(By.ID, "problems").text
    assert "Không nhập gì" in problems and "mười lăm nghìn" in problems and f"({CODE})" in problems
    snap(b, shots, "04-import-error")
    db = db_of(data)
    assert current_version(db) == version and db["admin_draft"].count == 0
    assert "Lệ phí sửa trong Excel" not in ask(data, QUESTION_FEE)["answer"]["text"]


def test_an_unanswered_question_becomes_an_alias(site, signed_in, shots):
    base, data = site
    b = signed_in
    before = ask(data, QUESTION_NEW, log=True)  # logged like a citizen's question
    assert before["decision"] in ("none", "clarify")
    b.get(base + "/unanswered")
    row = next(tr for tr in b.find_elements(By.CSS_SELECTOR, "#unanswered tbody tr") if QUESTION_NEW in tr.text)
    Select(row.find_element(By.NAME, "code")).select_by_value(CODE)
    snap(b, shots, "05-unanswered")
    go(b, row.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    assert "Đã thêm câu hỏi làm cách hỏi" in flash(b)
    go(b, b.find_element(By.PARTIAL_LINK_TEXT, "Đăng thay đổi"))
    assert "Sửa 1.001193 Đăng ký khai sinh (Cách hỏi)" in b.find_element(By.ID, "changes").text
    go(b, b.find_element(By.ID, "publish"))
    assert "Đã đăng" in flash(b)
    after = ask(data, QUESTION_NEW)
    assert after["decision"] == "answer" and after["answer"]["code"] == CODE
    b.get(base + "/usage")
    assert b.find_elements(By.CSS_SELECTOR, "svg.chart")
    snap(b, shots, "06-usage")


def test_audit_against_the_national_database_and_draft_a_missing_procedure(site, signed_in, shots):
    """Upload the snapshot fixture, read the audit, start a draft from an official record, publish it."""
    from test_national import CATALOGUE, DETAILS

    base, data = site
    b = signed_in
    db = db_of(data)
    from kiosk.admin.draft import load, remove_procedure, save

    draft = load(db)
    remove_procedure(draft, "2.001023")  # whatever the shipped content grows to know, this one is missing here
    save(db, draft, ADMIN[0])
    b.get(base + "/national")
    b.find_element(By.ID, "file").send_keys(f"{CATALOGUE}\n{DETAILS}")
    go(b, b.find_element(By.ID, "run"))
    summary = b.find_element(By.ID, "summary").text
    assert "12 thủ tục" in summary and "Thủ tục cấp xã: kiosk biết" in summary
    assert b.find_element(By.ID, "missing").is_displayed()
    snap(b, shots, "07-national-audit")
    go(b, b.find_element(By.ID, "draft-2.001023"))
    assert "Đã tạo bản nháp từ bản ghi chính thức" in flash(b)
    assert b.current_url.startswith(base + "/procedures/2.001023")
    aliases = b.find_element(By.NAME, "aliases")
    aliases.send_keys("\nlàm khai sinh liên thông\nkhai sinh kèm thẻ bảo hiểm y tế cho con\nlam khai sinh lien thong"
                      "\nđăng ký khai sinh luôn thường trú cho bé")
    where = b.find_element(By.NAME, "where")
    where.clear()
    where.send_keys("Bộ phận Một cửa, quầy Hộ tịch")
    snap(b, shots, "08-national-draft")
    go(b, b.find_element(By.ID, "save"))
    assert "Đã lưu vào bản nháp" in flash(b)
    go(b, b.find_element(By.PARTIAL_LINK_TEXT, "Đăng thay đổi"))
    # new to the content ("Thêm"), or a catalogue row written up from the record ("Sửa")
    changes = b.find_element(By.ID, "changes").text
    assert "Thêm 2.001023" in changes or "Sửa 2.001023" in changes
    go(b, b.find_element(By.ID, "publish"))
    assert "Đã đăng" in flash(b)
    assert read_content(db_of(data)).procedure("2.001023").sources[0].startswith(
        "https://dichvucong.gov.vn/thu-tuc-hanh-chinh/")
    b.get(base + "/national")
    assert not b.find_elements(By.ID, "draft-2.001023")  # known now
