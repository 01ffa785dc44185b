"""Rendering: long reviews split under Telegram's limit, list paging, masked cards."""

from __future__ import annotations

from datetime import date

from bot.care.children import list_children
from bot.telegram.chat_text import MESSAGE_LIMIT, split_messages
from storage.db import Database
from tests.support.children import file_child
from tests.support.seed import VILLAGE, seed_region
from tests.unit.test_reminders import enrol


def test_split_messages__long_review__every_part_within_the_limit() -> None:
    blocks = ["标题", *("• 字段：" + "很长的内容" * 150 for _ in range(12))]
    parts = split_messages(blocks)
    assert len(parts) > 1
    assert all(len(part) <= MESSAGE_LIMIT for part in parts)
    assert "".join(parts).count("• 字段：") == 12


def test_split_messages__one_block_longer_than_the_limit__split_nothing_lost() -> None:
    parts = split_messages(["x" * (MESSAGE_LIMIT + 10)])
    assert [len(part) for part in parts] == [MESSAGE_LIMIT, 10]


def test_list_children__more_than_a_page__paged_by_name(db: Database) -> None:
    seed_region(db)
    director = enrol(db, "director", VILLAGE, 1001)
    for number in range(10):
        file_child(
            db,
            director,
            name=f"孩子{number:02d}",
            tier="low",
            sequence=f"{100 + 2 * number + 1}",
            filed_on=date(2026, 11, 2),
            today=date(2026, 11, 2),
        )
    first = db.call(lambda s: list_children(session=s, caller=director, page=0))
    second = db.call(lambda s: list_children(session=s, caller=director, page=1))
    assert (first.pages, len(first.children), len(second.children)) == (2, 8, 2)
    assert [c.name for c in second.children] == ["孩子08", "孩子09"]
