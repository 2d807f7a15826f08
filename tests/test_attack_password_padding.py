"""Attacker pass on issue 15 (item 9, password rules): a short common password padded to 12.

`Accounts.check_password` counts the 12-character minimum on the raw text, but the
common-password check folds spaces, dots, dashes and underscores away first. So
"12345678" plus four spaces, "password" plus four spaces or "1234 5678 90" pass both
rules although their guessable core is an 8–10 character common password; a full-width
"ｐａｓｓｗｏｒｄ１２３４" (NFKC: "password1234", on the list) passes too.
Found by the attacker session; fixed in the same session; these now guard the fix.
"""
from __future__ import annotations

import pytest

from kiosk.admin.accounts import Accounts
from kiosk.admin.errors import AdminError
from kiosk.admin.schema import open_admin_db


@pytest.fixture
def accounts(tmp_path):
    return Accounts(open_admin_db(tmp_path / "kiosk.db"))


@pytest.mark.parametrize("password", ["12345678    ", "password    ", "1234 5678 90", "12.34.56.78.9",
                                      "ｐａｓｓｗｏｒｄ１２３４"])
def test_a_padded_common_password_is_refused(accounts, password):
    with pytest.raises(AdminError):
        accounts.check_password("lan", password)


def test_a_real_passphrase_is_accepted(accounts):
    accounts.check_password("lan", "hoa sen nở trên hồ tây")
