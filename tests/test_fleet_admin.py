"""The ward admin when the ward follows a province hub: edits become overrides that survive bundles,
the procedure page tells local from province fields and flags stale overrides. Real SQLite, real
signatures, a real static server, the real Starlette app."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from fleet_support import StaticHub
from test_admin_support import CODE, CONTENT, EDITOR, db_of, procedure_form, signed_in

from kiosk.admin.routes import fleet as fleet_page
from kiosk.config import Config, FleetConfig, PathsConfig
from kiosk.fleet import layer as layers
from kiosk.fleet.sync import sync_once
from knowledge import bundle
from knowledge.source import load_source
from knowledge.store import read_content


class Province:
    def __init__(self, root: Path):
        key_path, self.pub = bundle.generate_keypair(root / "keys")
        self.key = bundle.load_private_key(key_path)
        self.bundles = root / "site" / "bundles"
        self.content = load_source(CONTENT)
        self.version = 0

    def change(self, code: str, **fields) -> None:
        procs = tuple(dataclasses.replace(p, **fields) if p.code == code else p for p in self.content.procedures)
        self.content = dataclasses.replace(self.content, procedures=procs)

    def publish(self) -> None:
        self.version += 1
        bundle.build_bundle(self.content, province="79", version=self.version, note="", private_key=self.key,
                            out_dir=self.bundles)


@pytest.fixture
def province(tmp_path: Path) -> Province:
    return Province(tmp_path / "province")


def _ward(data_dir: Path, hub: StaticHub, province: Province) -> Config:
    return Config(paths=PathsConfig(content_dir=CONTENT, data_dir=data_dir),
                  fleet=FleetConfig(hub_url=hub.url, public_key=str(province.pub), send_stats=False))


@pytest.mark.slow
def test_a_ward_on_its_own_sees_no_fleet_pages(client):
    signed_in(client)
    page = client.get(f"/procedures/{CODE}").text
    assert 'id="fleet-origin"' not in page and 'href="/fleet"' not in page
    assert 'id="fleet-none"' in client.get("/fleet").text
    assert client.get(f"/fleet/procedures/{CODE}").status_code == 404


@pytest.mark.slow
def test_ward_edits_survive_province_updates_and_stale_ones_are_flagged(client, data_dir, hub, province):
    ward = _ward(data_dir, hub, province)
    province.change(CODE, fee="Lệ phí theo tỉnh, lần 1")
    province.publish()
    assert sync_once(ward).status == "applied"

    token = signed_in(client, EDITOR)
    page = client.get(f"/procedures/{CODE}").text
    assert 'id="fleet-origin"' in page and "phường chưa sửa riêng mục nào" in page and 'href="/fleet"' in page
    assert 'id="province-version">1<' in client.get("/fleet").text

    # the ward writes its own note and publishes through the usual draft → publish
    form = procedure_form(client, CODE)
    form["notes"] = "Phường nhận hồ sơ khai sinh cả sáng thứ Bảy."
    assert client.post(f"/procedures/{CODE}", data=form).status_code == 303
    assert client.post("/publish", data={"csrf": token, "note": "lịch thứ Bảy"}).status_code == 303
    layer = layers.load_layer(db_of(data_dir))
    assert set(layer.overrides[CODE]) == {"notes"}
    assert read_content(db_of(data_dir)).procedure(CODE).notes == "Phường nhận hồ sơ khai sinh cả sáng thứ Bảy."

    # the province changes the fee and rewrites the same note
    province.change(CODE, fee="Lệ phí theo tỉnh, lần 2", notes="Ghi chú mới của tỉnh.")
    province.publish()
    assert sync_once(ward).status == "applied"
    live = read_content(db_of(data_dir)).procedure(CODE)
    assert live.fee == "Lệ phí theo tỉnh, lần 2" and live.notes == "Phường nhận hồ sơ khai sinh cả sáng thứ Bảy."

    import time

    time.sleep(fleet_page.CACHE_SECONDS)  # the nav badge reads the layer at most this often
    overview = client.get("/fleet").text
    assert 'id="stale-count">1 mục tỉnh đã sửa sau đó' in overview and "Lưu ý — tỉnh đã sửa" in overview
    assert 'id="fleet-stale-badge" title="Mục phường sửa riêng mà tỉnh đã sửa sau đó">1<' in overview
    detail = client.get(f"/fleet/procedures/{CODE}").text
    row = detail[detail.index('id="field-notes"'):]
    row = row[: row.index("</tr>")]
    assert "Phường sửa riêng" in row and "Tỉnh đã sửa mục này" in row and "Ghi chú mới của tỉnh." in row
    fee = detail[detail.index('id="field-fee"'):]
    assert "Của tỉnh" in fee[: fee.index("</tr>")]

    # keep the ward's text: no longer flagged; then go back to the province's: republished
    assert client.post(f"/fleet/procedures/{CODE}/notes", data={"csrf": token, "action": "keep"}).status_code == 303
    assert "stale-count" not in client.get("/fleet").text
    assert client.post(f"/fleet/procedures/{CODE}/notes", data={"csrf": token, "action": "drop"}).status_code == 303
    assert read_content(db_of(data_dir)).procedure(CODE).notes == "Ghi chú mới của tỉnh."
    assert layers.load_layer(db_of(data_dir)).overrides == {}
    assert client.post(f"/fleet/procedures/{CODE}/notes", data={"csrf": token, "action": "drop"}).status_code == 404
    assert client.post(f"/fleet/procedures/{CODE}/notes", data={"action": "drop"}).status_code == 403  # CSRF


@pytest.mark.slow
def test_a_ward_hides_a_province_notice_and_can_show_it_again(client, data_dir, hub, province):
    from knowledge.model import Notice

    ward = _ward(data_dir, hub, province)
    vaccination = Notice("Lịch tiêm phòng dại", "Tiêm phòng dại cho chó mèo ngày 5/12 tại nhà văn hóa khu phố.")
    province.content = dataclasses.replace(province.content, notices=(vaccination, *province.content.notices))
    province.publish()
    assert sync_once(ward).status == "applied"
    theirs = [n.title for n in read_content(db_of(data_dir)).notices]
    assert theirs[0] == "Lịch tiêm phòng dại"

    # the clerk deletes it on the notices page and publishes
    token = signed_in(client, EDITOR)
    keep = [n for n in read_content(db_of(data_dir)).notices if n.title != vaccination.title]
    form = {"csrf": token, "notice_count": str(len(keep))}
    for i, n in enumerate(keep):
        form |= {f"notice-{i}-title": n.title, f"notice-{i}-body": n.body}
    assert client.post("/notices", data=form).status_code == 303
    assert client.post("/publish", data={"csrf": token, "note": "bỏ lịch tiêm"}).status_code == 303
    assert [n.title for n in read_content(db_of(data_dir)).notices] == theirs[1:]

    # the next province bundle still carries it: the kiosk still does not show it
    province.publish()
    assert sync_once(ward).status == "applied"
    assert vaccination.title not in [n.title for n in read_content(db_of(data_dir)).notices]
    page = client.get("/fleet").text
    hidden = page[page.index('id="hidden-notices"'):]
    assert "Lịch tiêm phòng dại" in hidden[: hidden.index("</ul>")]

    # "Hiện lại": back on the screen at once; a second click finds nothing to show
    key = layers.notice_key(layers.load_layer(db_of(data_dir)).hidden_notices[0])
    assert client.post("/fleet/notices/show", data={"csrf": token, "notice": key}).status_code == 303
    assert [n.title for n in read_content(db_of(data_dir)).notices] == theirs
    assert 'id="hidden-notices"' not in client.get("/fleet").text
    assert client.post("/fleet/notices/show", data={"csrf": token, "notice": key}).status_code == 404
    assert client.post("/fleet/notices/show", data={"notice": key}).status_code == 403  # CSRF
