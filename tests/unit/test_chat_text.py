"""Long messages are split where Telegram takes them: between lines or escaped units, never
inside `&amp;` or a tag, every part within 4,096 as Telegram counts (checked by the fake Bot API's
own HTML parser and length check)."""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.reply import Reply
from bot.telegram.chat_text import MESSAGE_LIMIT, split_html, split_messages, text_length
from tests.fakegram.html import check_text, format_text, parse_html, utf16_len


def telegram_plain(part: str) -> str:
    """The text Telegram shows for an HTML part, raising its 400 for a bad or too long part."""
    plain, _entities = format_text(part, "HTML", "")
    check_text(plain)
    return plain


def shown(parts: list[str]) -> str:
    """Everything the parts show, ignoring whitespace (a cut drops the newline or space there)."""
    return re.sub(r"\s", "", "".join(telegram_plain(part) for part in parts))


def test_text_length__emoji_outside_the_bmp__counts_two_like_telegram() -> None:
    assert text_length("字😀") == 3 == utf16_len("字😀")


def test_split_html__note_ending_in_52_ampersands__no_entity_cut() -> None:
    review = "<b>登记核对</b>\n" + "备注：" + "很" * 3830 + "&amp;" * 52
    assert text_length(review) > MESSAGE_LIMIT
    parts = split_html(review)
    assert len(parts) == 2
    assert all(text_length(part) <= MESSAGE_LIMIT for part in parts)
    assert shown(parts) == re.sub(r"\s", "", html.unescape(re.sub("<[^>]*>", "", review)))


def test_split_html__1100_escaped_less_than_signs__every_part_parses() -> None:
    measures = "<b>解决措施</b>：" + "&lt;" * 1100
    parts = split_html(measures)
    assert len(parts) == 2
    assert shown(parts) == "解决措施：" + "<" * 1100


def test_split_html__10000_character_single_line__cut_between_characters() -> None:
    line = "字" * 10_000
    parts = split_html(line)
    assert [text_length(part) for part in parts] == [MESSAGE_LIMIT, MESSAGE_LIMIT, 1808]
    assert "".join(parts) == line


def test_split_html__cjk_with_emoji__within_utf16_limit() -> None:
    line = "关爱留守儿童😀" * 1000  # 8,000 code units as Telegram counts
    parts = split_html(line)
    assert all(utf16_len(telegram_plain(part)) <= MESSAGE_LIMIT for part in parts)
    assert "".join(parts) == line


def test_split_html__bold_open_at_the_cut__closed_and_reopened() -> None:
    text = "<b>" + "重" * 5000 + "</b>尾"
    first, second = split_html(text)
    assert first.startswith("<b>") and first.endswith("</b>")
    assert second.startswith("<b>") and second.endswith("</b>尾")
    assert shown([first, second]) == "重" * 5000 + "尾"
    _plain, entities = format_text(second, "HTML", "")
    assert entities[0]["type"] == "bold"


def test_split_html__link_open_at_the_cut__reopened_with_its_address() -> None:
    text = '<a href="https://t.me/guanai_bot?start=x">' + "链" * 4500 + "</a>"
    parts = split_html(text)
    assert all(part.startswith('<a href="https://t.me/guanai_bot?start=x">') for part in parts)
    assert shown(parts) == "链" * 4500


def test_split_html__many_lines__cut_only_where_lines_end() -> None:
    lines = [f"{n:03d} " + "行" * 95 for n in range(100)]
    parts = split_html("\n".join(lines))
    assert len(parts) == 3
    assert [line for part in parts for line in part.split("\n")] == lines


def test_split_html__long_line_with_spaces__cut_after_a_space() -> None:
    words = " ".join(["word"] * 2000)
    parts = split_html(words)
    assert all(part.endswith(("word ", "word")) for part in parts)
    assert all(part.lstrip().startswith("word") for part in parts)


def test_split_messages__one_block_longer_than_the_limit__split_not_cut() -> None:
    parts = split_messages(["标题", "x" * (MESSAGE_LIMIT + 10)])
    assert [len(part) for part in parts] == [2, MESSAGE_LIMIT, 10]


def test_reply_parts__long_escalation__buttons_under_the_last_part() -> None:
    buttons = [[("认领", "esc:claim:1"), ("已解决", "esc:resolve:1")]]
    reply = Reply("<b>紧急上报</b>\n解决措施：" + "&lt;" * 1100, buttons)
    parts = reply.parts()
    assert [bool(part.buttons) for part in parts] == [False, True]
    assert parts[-1].buttons == buttons
    assert shown([part.text for part in parts]) == "紧急上报解决措施：" + "<" * 1100


def test_reply_parts__short_message__itself() -> None:
    reply = Reply("<b>好</b>", [[("是", "x")]])
    assert reply.parts() == [reply]


PIECES = st.one_of(
    st.sampled_from(["&amp;", "&lt;", "&gt;", "&quot;", "\n", " ", "字", "😀", "a"]),
    st.text(alphabet=st.characters(codec="utf-8", exclude_characters="<>&"), max_size=12).map(
        html.escape
    ),
)


@st.composite
def telegram_html(draw: st.DrawFn) -> str:
    """Escaped text with balanced b/i/a tags, as the bot's messages are."""
    out: list[str] = []
    for _ in range(draw(st.integers(1, 40))):
        tag = draw(st.sampled_from(["", "", "b", "i", "a"]))
        body = "".join(draw(st.lists(PIECES, max_size=20)))
        body *= draw(st.integers(1, 25))
        if tag == "a":
            out.append(f'<a href="https://example.org/?q=1&amp;r=2">{body}</a>')
        elif tag:
            out.append(f"<{tag}>{body}</{tag}>")
        else:
            out.append(body)
    return "".join(out)


@settings(max_examples=100, deadline=None)
@given(text=telegram_html(), limit=st.sampled_from([MESSAGE_LIMIT, 200, 64]))
def test_split_html__any_bot_html__parts_parse_fit_and_lose_nothing(text: str, limit: int) -> None:
    parts = split_html(text, limit)
    assert all(text_length(part) <= limit for part in parts)
    whole = re.sub(r"\s", "", parse_html(text)[0])
    assert "".join(re.sub(r"\s", "", format_text(p, "HTML", "")[0]) for p in parts) == whole
    if limit == MESSAGE_LIMIT:
        for part in parts:
            check_text(format_text(part, "HTML", "")[0])


@pytest.mark.parametrize("limit", [MESSAGE_LIMIT, 100])
def test_split_html__whitespace_only_text__no_empty_part(limit: int) -> None:
    assert split_html("\n" * (limit + 5), limit) == []
