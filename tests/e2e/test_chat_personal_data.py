"""A whole intake in chat leaves no ID number, phone or address readable in the database file."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage.db import Database
from tests.e2e.test_chat_foundation import enrol
from tests.e2e.test_chat_intake import fill
from tests.fakegram import FakeTelegram
from tests.support.botrunner import BotThread
from tests.support.database import using_postgres
from tests.support.intake import CHILD_ID, LEFT_BEHIND

# The mother's and caregiver's phones, the addresses: the father's phone is also the director's
# (staff phones are not among the encrypted columns).
SECRETS = (CHILD_ID, "13912345678", "15012345678", LEFT_BEHIND["home_address"][1], "厦门市湖里区")


@pytest.mark.skipif(using_postgres(), reason="reads the SQLite file's bytes")
def test_chat_intake__typed_numbers_and_addresses__not_in_the_database_file(
    fake: FakeTelegram, region: Database, bot: BotThread
) -> None:
    user, _ = enrol(fake, region)
    user.send("新建档案")
    user.wait_for_text("儿童姓名")
    fill(user, LEFT_BEHIND)
    user.press("保存")
    user.wait_for_text("已保存 张小明 的档案")
    path = Path(region.url.removeprefix("sqlite:///"))
    stored = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    # Inbox (what was typed), drafts, files, outbox and audit log alike hold only ciphertext.
    for secret in SECRETS:
        assert secret.encode() not in stored, secret
