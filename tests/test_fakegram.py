"""Tests of the fake Bot API itself: its strict rules over raw HTTP, and a real PTB bot on it."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, NetworkError, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.fakegram import FakeTelegram, RateLimits, SentMessage

Api = Callable[..., dict[str, Any]]
KEYBOARD = {"inline_keyboard": [[{"text": "好", "callback_data": "ok"}]]}
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000100000000c08020000001b2ee5a4")


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram() as server:
        yield server


def make_api(fake: FakeTelegram) -> tuple[httpx.Client, Api]:
    client = httpx.Client(base_url=f"{fake.api_url}{fake.token}/", timeout=10)

    def call(method: str, **params: Any) -> dict[str, Any]:
        response = client.post(method, json=params)
        body: dict[str, Any] = response.json()
        assert response.status_code == (200 if body["ok"] else body["error_code"])
        return body

    return client, call


@pytest.fixture
def api(fake: FakeTelegram) -> Iterator[Api]:
    client, call = make_api(fake)
    with client:
        yield call


def error(body: dict[str, Any]) -> str:
    assert body["ok"] is False, body
    return str(body["description"])


# -- routing and wire format -------------------------------------------------------------------


def test_auth_routing_and_method_names(fake: FakeTelegram, api: Api) -> None:
    me = api("getMe")["result"]
    assert me["username"] == "guanai_test_bot" and me["is_bot"] and me["id"] == 123456
    assert api("GETME")["ok"] and api("getme")["ok"]
    with httpx.Client() as client:
        wrong = client.get(f"{fake.api_url}123456:WRONG/getMe")
        assert wrong.status_code == 401
        assert wrong.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    assert api("logOut") == {"ok": False, "error_code": 404, "description": "Not Found"}
    assert api("sendSticker", chat_id=1, sticker="x")["error_code"] == 404


def test_arguments_in_query_form_json_and_multipart(fake: FakeTelegram) -> None:
    fake.user(1001)
    url = f"{fake.api_url}{fake.token}"
    markup = json.dumps(KEYBOARD)
    with httpx.Client() as client:
        by_query = client.get(f"{url}/sendMessage", params={"chat_id": "1001", "text": "q"})
        by_form = client.post(
            f"{url}/sendMessage", data={"chat_id": "1001", "text": "f", "reply_markup": markup}
        )
        by_json = client.post(f"{url}/sendMessage", json={"chat_id": 1001, "text": "j"})
        by_multipart = client.post(
            f"{url}/sendDocument",
            data={"chat_id": "1001", "caption": "<b>报告</b>", "parse_mode": "HTML"},
            files={"document": ("report.pdf", b"%PDF-1.4 test", "application/pdf")},
        )
    assert [r.status_code for r in (by_query, by_form, by_json, by_multipart)] == [200] * 4
    assert by_form.json()["result"]["reply_markup"] == KEYBOARD
    document = by_multipart.json()["result"]
    assert document["caption"] == "报告" and document["document"]["file_name"] == "report.pdf"
    sent = fake.user(1001).messages()
    assert [m.text for m in sent] == ["q", "f", "j", "报告"]
    assert sent[3].file is not None and sent[3].file.data == b"%PDF-1.4 test"
    assert fake.calls("sendmessage")[1].json("reply_markup") == KEYBOARD


# -- sendMessage rules -------------------------------------------------------------------------


def test_chat_must_exist_and_be_started(fake: FakeTelegram, api: Api) -> None:
    assert error(api("sendMessage", chat_id=999, text="x")) == "Bad Request: chat not found"
    assert error(api("sendMessage", text="x")) == "Bad Request: chat_id is empty"
    stranger = fake.user(1002, started=False)
    assert error(api("sendMessage", chat_id=1002, text="x")) == "Bad Request: chat not found"
    stranger.send("/start")
    assert api("sendMessage", chat_id=1002, text="x")["ok"]


def test_text_length_counts_utf16_after_entity_parsing(fake: FakeTelegram, api: Api) -> None:
    fake.user(1001)
    assert api("sendMessage", chat_id=1001, text="😀" * 2048)["ok"]
    assert error(api("sendMessage", chat_id=1001, text="😀" * 2048 + "a")) == (
        "Bad Request: message is too long"
    )
    tagged = "<b>" + "关" * 4096 + "</b>"
    assert api("sendMessage", chat_id=1001, text=tagged, parse_mode="HTML")["ok"]
    assert error(api("sendMessage", chat_id=1001, text="a" * 4097)) == (
        "Bad Request: message is too long"
    )


def test_empty_text(fake: FakeTelegram, api: Api) -> None:
    fake.user(1001)
    assert error(api("sendMessage", chat_id=1001, text="")) == "Bad Request: message text is empty"
    assert error(api("sendMessage", chat_id=1001)) == "Bad Request: message text is empty"
    blank = api("sendMessage", chat_id=1001, text=" \n ")
    assert error(blank) == "Bad Request: message must be non-empty"
    empty_html = api("sendMessage", chat_id=1001, text="<b> </b>", parse_mode="HTML")
    assert error(empty_html) == "Bad Request: message must be non-empty"
    trimmed = api("sendMessage", chat_id=1001, text="  <b>hi</b>\n", parse_mode="HTML")["result"]
    assert trimmed["text"] == "hi" and trimmed["entities"][0]["offset"] == 0


@pytest.mark.parametrize(
    ("text", "description"),
    [
        ("Hello <foo>x</foo>", 'Unsupported start tag "foo" at byte offset 6'),
        ("你好 <b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b", "Unclosed start tag at byte offset 0"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("<a href=x/>y</a>", "Unexpected end of name token at byte offset 8"),
        (
            "Tom & Jerry",
            "Character '&' is reserved and must be escaped as \"&amp;\" at byte offset 4",
        ),
    ],
)
def test_html_parse_errors(fake: FakeTelegram, api: Api, text: str, description: str) -> None:
    fake.user(1001)
    body = api("sendMessage", chat_id=1001, text=text, parse_mode="HTML")
    assert error(body) == f"Bad Request: can't parse entities: {description}"
    assert fake.user(1001).messages() == []


def test_html_accepted_markup(fake: FakeTelegram, api: Api) -> None:
    fake.user(1001)
    text = (
        "<b>粗</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins><s>s</s><del>d</del>"
        '<tg-spoiler>秘</tg-spoiler><span class="tg-spoiler">x</span>'
        '<a href="https://example.com/?a=1&amp;b=2">链接</a>'
        '<pre><code class="language-python">print(1)</code></pre><code>c</code>'
        "<blockquote expandable>引用</blockquote>&lt;&gt;&amp;&quot;&#20320;&#x597D;"
    )
    result = api("sendMessage", chat_id=1001, text=text, parse_mode="HTML")["result"]
    assert result["text"].endswith('引用<>&"你好')
    types = {e["type"] for e in result["entities"]}
    assert types >= {
        "bold",
        "italic",
        "underline",
        "strikethrough",
        "spoiler",
        "text_link",
        "pre",
        "code",
        "expandable_blockquote",
    }
    link = next(e for e in result["entities"] if e["type"] == "text_link")
    assert link["url"] == "https://example.com/?a=1&b=2"
    assert next(e for e in result["entities"] if e["type"] == "pre")["language"] == "python"
    sent = fake.user(1001).last()
    assert sent.html == text and sent.parse_mode == "HTML" and "<" not in sent.text[:20]


def test_markdown_is_stored_raw_and_unknown_parse_mode_refused(
    fake: FakeTelegram, api: Api
) -> None:
    fake.user(1001)
    assert api("sendMessage", chat_id=1001, text="*x*", parse_mode="MarkdownV2")["ok"]
    assert fake.user(1001).last().text == "*x*"
    refused = api("sendMessage", chat_id=1001, text="x", parse_mode="BBCode")
    assert error(refused) == "Bad Request: unsupported parse_mode"


def test_inline_keyboard_rules(fake: FakeTelegram, api: Api) -> None:
    fake.user(1001)

    def send(*buttons: dict[str, Any]) -> dict[str, Any]:
        return api(
            "sendMessage", chat_id=1001, text="x", reply_markup={"inline_keyboard": [list(buttons)]}
        )

    assert send({"text": "a", "callback_data": "é" * 32})["ok"]  # 64 bytes
    assert error(send({"text": "a", "callback_data": "é" * 32 + "x"})) == (
        "Bad Request: BUTTON_DATA_INVALID"
    )
    assert error(send({"text": "a", "callback_data": "关" * 22})) == (
        "Bad Request: BUTTON_DATA_INVALID"
    )
    unallowed = (
        "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in "
        "the inline keyboard"
    )
    assert error(send({"text": "a"})) == unallowed
    assert error(send({"text": "a", "callback_data": ""})) == unallowed
    assert error(send({"text": "", "callback_data": "x"})) == "Bad Request: BUTTON_TEXT_INVALID"
    assert "Can't find field" in error(send({"callback_data": "x"}))
    both = send({"text": "a", "url": "https://example.com", "callback_data": "x"})["result"]
    assert both["reply_markup"] == {
        "inline_keyboard": [[{"text": "a", "url": "https://example.com"}]]
    }


def test_reply_keyboards_and_tap(fake: FakeTelegram, api: Api) -> None:
    user = fake.user(1001)
    keyboard = {
        "keyboard": [["是", {"text": "分享号码", "request_contact": True}]],
        "resize_keyboard": True,
        "one_time_keyboard": True,
    }
    result = api("sendMessage", chat_id=1001, text="选择", reply_markup=keyboard)["result"]
    assert "reply_markup" not in result  # only inline keyboards are attached to messages
    assert user.reply_keyboard() == [["是", "分享号码"]]
    assert user.tap("是")["text"] == "是"
    assert user.tap("分享号码")["contact"]["user_id"] == 1001
    with pytest.raises(AssertionError, match="no reply keyboard button"):
        user.tap("否")
    api("sendMessage", chat_id=1001, text="好", reply_markup={"remove_keyboard": True})
    assert user.reply_keyboard() is None
    assert api("sendMessage", chat_id=1001, text="?", reply_markup={"force_reply": True})["ok"]


def test_blocked_user_gets_403_and_bot_hears_of_it(fake: FakeTelegram, api: Api) -> None:
    user = fake.user(1001)
    user.block()
    assert api("sendMessage", chat_id=1001, text="x") == {
        "ok": False,
        "error_code": 403,
        "description": "Forbidden: bot was blocked by the user",
    }
    assert api("sendChatAction", chat_id=1001, action="typing")["error_code"] == 403
    update = api("getUpdates")["result"][-1]
    assert update["my_chat_member"]["new_chat_member"]["status"] == "kicked"
    with pytest.raises(AssertionError, match="blocked"):
        user.send("hi")
    user.unblock()
    assert api("sendMessage", chat_id=1001, text="x")["ok"]


# -- editing, deleting, callbacks --------------------------------------------------------------


def test_edit_text_rules(fake: FakeTelegram, api: Api) -> None:
    user = fake.user(1001)
    sent = api(
        "sendMessage", chat_id=1001, text="<b>a</b>", parse_mode="HTML", reply_markup=KEYBOARD
    )["result"]
    mid = sent["message_id"]
    same = api(
        "editMessageText",
        chat_id=1001,
        message_id=mid,
        text="<b>a</b>",
        parse_mode="HTML",
        reply_markup=KEYBOARD,
    )
    assert error(same) == NOT_MODIFIED
    same_entities = api(
        "editMessageText",
        chat_id=1001,
        message_id=mid,
        text="<strong>a</strong>",
        parse_mode="HTML",
        reply_markup=KEYBOARD,
    )
    assert error(same_entities) == NOT_MODIFIED
    edited = api(
        "editMessageText", chat_id=1001, message_id=mid, text="<b>a</b>", parse_mode="HTML"
    )["result"]
    assert "reply_markup" not in edited and edited["edit_date"] >= edited["date"]
    message = user.last()
    assert message.edited and message.buttons() == [] and message.history[0][1] == KEYBOARD
    assert error(api("editMessageText", chat_id=1001, message_id=999, text="x")) == (
        "Bad Request: message to edit not found"
    )
    own = user.send("mine")["message_id"]
    assert error(api("editMessageText", chat_id=1001, message_id=own, text="x")) == (
        "Bad Request: message can't be edited"
    )
    too_long = api("editMessageText", chat_id=1001, message_id=mid, text="x" * 4097)
    assert error(too_long) == "Bad Request: message is too long"
    reply_kb = api(
        "editMessageText",
        chat_id=1001,
        message_id=mid,
        text="y",
        reply_markup={"keyboard": [["a"]]},
    )
    assert error(reply_kb) == "Bad Request: inline keyboard expected"


def test_edit_reply_markup_rules(fake: FakeTelegram, api: Api) -> None:
    fake.user(1001)
    mid = api("sendMessage", chat_id=1001, text="a", reply_markup=KEYBOARD)["result"]["message_id"]
    same = api("editMessageReplyMarkup", chat_id=1001, message_id=mid, reply_markup=KEYBOARD)
    assert error(same) == NOT_MODIFIED
    assert api("editMessageReplyMarkup", chat_id=1001, message_id=mid)["ok"]
    assert error(api("editMessageReplyMarkup", chat_id=1001, message_id=mid)) == NOT_MODIFIED
    assert error(api("editMessageReplyMarkup", chat_id=1001, message_id=42)) == (
        "Bad Request: message to edit not found"
    )


def test_delete_message(fake: FakeTelegram, api: Api) -> None:
    user = fake.user(1001)
    mid = api("sendMessage", chat_id=1001, text="a")["result"]["message_id"]
    assert api("deleteMessage", chat_id=1001, message_id=mid)["result"] is True
    assert error(api("deleteMessage", chat_id=1001, message_id=mid)) == (
        "Bad Request: message to delete not found"
    )
    assert user.messages() == [] and user.messages(include_deleted=True)[0].deleted
    assert error(api("editMessageText", chat_id=1001, message_id=mid, text="b")) == (
        "Bad Request: message to edit not found"
    )
    own = user.send("hi")["message_id"]
    assert api("deleteMessage", chat_id=1001, message_id=own)["ok"]


def test_callback_queries(fake: FakeTelegram, api: Api) -> None:
    user = fake.user(1001)
    first = api("sendMessage", chat_id=1001, text="a", reply_markup=KEYBOARD)["result"]
    api("sendMessage", chat_id=1001, text="b", reply_markup=KEYBOARD)
    query_id = user.press("好")
    update = api("getUpdates")["result"][-1]["callback_query"]
    assert update["id"] == query_id and update["data"] == "ok"
    assert update["message"]["text"] == "b"  # the latest message with that button
    assert update["from"]["id"] == 1001
    older = user.press("好", message=first["message_id"])
    assert api("getUpdates", offset=-1)["result"][0]["callback_query"]["message"]["text"] == "a"
    assert error(api("answerCallbackQuery", callback_query_id=query_id, text="x" * 201)) == (
        "Bad Request: MESSAGE_TOO_LONG"
    )
    assert api("answerCallbackQuery", callback_query_id=query_id, text="已保存", show_alert=True)[
        "ok"
    ]
    stale = "Bad Request: query is too old and response timeout expired or query ID is invalid"
    assert error(api("answerCallbackQuery", callback_query_id=query_id)) == stale
    assert error(api("answerCallbackQuery", callback_query_id="12345")) == stale
    answer = user.answer(query_id)
    assert (answer.text, answer.show_alert) == ("已保存", True)
    assert [q.query_id for q in fake.unanswered_callbacks()] == [older]
    with pytest.raises(AssertionError, match="no inline button '不存在'"):
        user.press("不存在")
    forged = user.press_data(first["message_id"], "forged:1")
    assert api("getUpdates", offset=-1)["result"][0]["callback_query"]["data"] == "forged:1"
    assert forged != query_id
    with pytest.raises(AssertionError, match="not in the chat"):
        user.press_data(999, "x")


# -- files, commands, chat actions -------------------------------------------------------------


def test_documents_and_photos(fake: FakeTelegram) -> None:
    fake.user(1001)
    url = f"{fake.api_url}{fake.token}"
    with httpx.Client() as client:

        def post(method: str, data: dict[str, Any], **files: Any) -> dict[str, Any]:
            return client.post(f"{url}/{method}", data=data, files=files or None).json()

        photo = post("sendPhoto", {"chat_id": "1001"}, photo=("a.png", PNG, "image/png"))
        assert photo["result"]["photo"][0]["width"] == 16
        for data in (b"nope", PNG[:16] + bytes(8)):
            bad_image = post("sendPhoto", {"chat_id": "1001"}, photo=("a.png", data, "image/png"))
            assert error(bad_image) == "Bad Request: IMAGE_PROCESS_FAILED"
        doc = post("sendDocument", {"chat_id": "1001"}, document=("a.csv", b"a,b", "text/csv"))
        file_id = doc["result"]["document"]["file_id"]
        again = post("sendDocument", {"chat_id": "1001", "document": file_id, "caption": "再次"})
        assert again["result"]["document"]["file_id"] == file_id
        long_caption = post(
            "sendDocument", {"chat_id": "1001", "document": file_id, "caption": "x" * 1025}
        )
        assert error(long_caption) == "Bad Request: message caption is too long"
        assert error(post("sendDocument", {"chat_id": "1001"})) == (
            "Bad Request: there is no document in the request"
        )
        assert error(post("sendDocument", {"chat_id": "1001", "document": "nonsense"})) == (
            "Bad Request: wrong file identifier/HTTP URL specified"
        )
    kinds = [m.kind for m in fake.user(1001).messages()]
    assert kinds == ["photo", "document", "document"]


def test_documents__over_50_mb__refused_as_telegram_does(fake: FakeTelegram) -> None:
    fake.user(1001)
    url = f"{fake.api_url}{fake.token}/sendDocument"
    limit = 50 * 1024 * 1024
    with httpx.Client(timeout=60) as client:
        for size, expected in ((limit, 200), (limit + 1, 413), (70 * 1024 * 1024, 413)):
            document = ("big.xlsx", b"x" * size, "application/octet-stream")
            answer = client.post(url, data={"chat_id": "1001"}, files={"document": document})
            assert answer.status_code == expected, size
            if expected == 413:
                assert answer.json() == {
                    "ok": False,
                    "error_code": 413,
                    "description": "Request Entity Too Large",
                }
    assert [m.file.file_name for m in fake.user(1001).messages() if m.file] == ["big.xlsx"]


def test_commands_and_chat_actions(fake: FakeTelegram, api: Api) -> None:
    fake.user(1001)
    commands = [
        {"command": "start", "description": "开始"},
        {"command": "lang", "description": "语言"},
    ]
    assert api("setMyCommands", commands=commands)["result"] is True
    assert api("setMyCommands", commands=commands[:1], language_code="en")["ok"]
    scope = {"type": "chat", "chat_id": 1001}
    assert api("setMyCommands", commands=commands[1:], scope=scope)["ok"]
    assert api("getMyCommands")["result"] == commands
    assert fake.commands() == commands and fake.commands(language_code="en") == commands[:1]
    assert fake.commands(scope=scope) == commands[1:]
    assert api("deleteMyCommands", language_code="en")["ok"]
    assert fake.commands(language_code="en") == []
    bad = [
        ([{"command": "Start", "description": "x"}], "Bad Request: BOT_COMMAND_INVALID"),
        ([{"command": "a-b", "description": "x"}], "Bad Request: BOT_COMMAND_INVALID"),
        (
            [{"command": "a" * 33, "description": "x"}],
            "Bad Request: command length must not exceed 32",
        ),
        (
            [{"command": "a", "description": " "}],
            "Bad Request: command description must be non-empty",
        ),
        (
            [{"command": "a", "description": "x" * 257}],
            "Bad Request: command description length must not exceed 256",
        ),
        (
            [{"command": "a"}],
            "Bad Request: can't parse BotCommand: Can't find field \"description\"",
        ),
    ]
    for value, description in bad:
        assert error(api("setMyCommands", commands=value)) == description
    chat_scope = {"type": "chat", "chat_id": 5}
    assert error(api("setMyCommands", commands=commands, scope=chat_scope)) == (
        "Bad Request: chat not found"
    )
    assert api("sendChatAction", chat_id=1001, action="typing")["result"] is True
    assert error(api("sendChatAction", chat_id=1001, action="dancing")) == (
        "Bad Request: wrong parameter action in request"
    )
    assert api("setChatMenuButton", menu_button={"type": "commands"})["ok"]
    assert fake.menu_button() == {"type": "commands"}


def test_clock_and_lenient_ampersand_options() -> None:
    now = [1_800_000_000.0]
    with FakeTelegram(clock=lambda: now[0], strict_ampersand=False) as fake:
        client, call = make_api(fake)
        with client:
            fake.user(1001)
            sent = call("sendMessage", chat_id=1001, text="Tom & Jerry", parse_mode="HTML")
            assert sent["result"]["date"] == 1_800_000_000
            assert sent["result"]["text"] == "Tom & Jerry"
            now[0] += 49 * 3600
            gone = call("deleteMessage", chat_id=1001, message_id=sent["result"]["message_id"])
            assert error(gone) == "Bad Request: message can't be deleted"


# -- getUpdates --------------------------------------------------------------------------------


def test_offset_limit_and_negative_offset(fake: FakeTelegram, api: Api) -> None:
    user = fake.user(1001)
    for text in "abcde":
        user.send(text)
    updates = api("getUpdates", limit=2)["result"]
    assert [u["message"]["text"] for u in updates] == ["a", "b"]
    first_id = updates[0]["update_id"]
    assert api("getUpdates", limit=0)["result"][0]["message"]["text"] == "a"  # clamped to 1
    rest = api("getUpdates", offset=first_id + 2)["result"]
    assert [u["message"]["text"] for u in rest] == ["c", "d", "e"]
    assert len(fake.pending_updates()) == 3  # a and b confirmed
    assert [u["message"]["text"] for u in api("getUpdates", offset=-1)["result"]] == ["e"]
    assert len(fake.pending_updates()) == 1
    ids = [u["update_id"] for u in rest]
    assert ids == sorted(ids) and len(set(ids)) == 3
    api("getUpdates", offset=ids[-1] + 1)
    fake.wait_idle(timeout=1)
    user.send("f")
    assert api("getUpdates")["result"][0]["update_id"] == ids[-1] + 1


def test_long_polling_wakes_up_and_times_out(fake: FakeTelegram, api: Api) -> None:
    user = fake.user(1001)
    started = time.monotonic()
    assert api("getUpdates", timeout=1)["result"] == []
    assert 0.9 < time.monotonic() - started < 3
    timer = threading.Timer(0.3, user.send, args=("醒来",))
    timer.start()
    started = time.monotonic()
    updates = api("getUpdates", timeout=10)["result"]
    assert updates[0]["message"]["text"] == "醒来"
    assert time.monotonic() - started < 2
    timer.join()


def test_allowed_updates_filter_new_updates(fake: FakeTelegram, api: Api) -> None:
    user = fake.user(1001)
    api("sendMessage", chat_id=1001, text="a", reply_markup=KEYBOARD)
    api("getUpdates", allowed_updates=["message"])
    user.press("好")
    user.send("hi")
    assert [next(k for k in u if k != "update_id") for u in api("getUpdates")["result"]] == [
        "message"
    ]
    api("getUpdates", allowed_updates=[])  # empty list: back to the default set
    user.press("好")
    assert "callback_query" in api("getUpdates", offset=-1)["result"][0]


def test_second_long_poll_conflicts_with_the_first(fake: FakeTelegram) -> None:
    results: list[dict[str, Any]] = []

    def first_poll() -> None:
        client, call = make_api(fake)
        with client:
            results.append(call("getUpdates", timeout=10))

    thread = threading.Thread(target=first_poll)
    thread.start()
    time.sleep(0.3)
    client, call = make_api(fake)
    with client:
        second = call("getUpdates", timeout=1)
    thread.join(5)
    assert second == {"ok": True, "result": []}
    assert results == [
        {
            "ok": False,
            "error_code": 409,
            "description": "Conflict: terminated by other getUpdates "
            "request; make sure that only one bot instance is running",
        }
    ]


def test_stop_releases_pending_long_poll() -> None:
    fake = FakeTelegram().start()
    client, call = make_api(fake)
    outcome: list[Any] = []

    def poll() -> None:
        try:
            outcome.append(call("getUpdates", timeout=30))
        except httpx.HTTPError as failure:
            outcome.append(failure)

    thread = threading.Thread(target=poll)
    thread.start()
    time.sleep(0.3)
    started = time.monotonic()
    fake.stop()
    thread.join(5)
    client.close()
    assert time.monotonic() - started < 3 and outcome
    assert outcome[0] == {"ok": True, "result": []}


# -- faults and rate limits --------------------------------------------------------------------


def test_fail_next_injects_errors(fake: FakeTelegram, api: Api) -> None:
    fake.user(1001)
    fake.fail_next("sendMessage", 429, retry_after=7, times=2)
    for _ in range(2):
        assert api("sendMessage", chat_id=1001, text="x") == {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 7",
            "parameters": {"retry_after": 7},
        }
    assert api("sendMessage", chat_id=1001, text="x")["ok"]
    fake.fail_next("getMe", 502)
    with httpx.Client() as client:
        gateway = client.get(f"{fake.api_url}{fake.token}/getMe")
    assert gateway.status_code == 502 and "<title>502 Bad Gateway</title>" in gateway.text
    fake.fail_next("getMe", 500, "Internal Server Error: restart")
    assert error(api("getMe")) == "Internal Server Error: restart"
    assert fake.error_count(429) == 2 and fake.error_count(502) == 1
    assert fake.call_count("sendMessage") == 3
    fake.set_delay(0.3, "getMe")
    started = time.monotonic()
    api("getMe")
    assert time.monotonic() - started >= 0.3


def test_rate_limits(fake: FakeTelegram, api: Api) -> None:
    fake.user(1001)
    fake.user(1002)
    fake.set_rate_limits(RateLimits(per_chat=(2, 2.0), overall=(3, 1.0)))
    assert api("sendMessage", chat_id=1001, text="1")["ok"]
    assert api("sendMessage", chat_id=1001, text="2")["ok"]
    limited = api("sendMessage", chat_id=1001, text="3")
    assert limited["error_code"] == 429 and limited["parameters"]["retry_after"] >= 1
    retry_after = limited["parameters"]["retry_after"]
    assert limited["description"] == f"Too Many Requests: retry after {retry_after}"
    assert api("sendMessage", chat_id=1002, text="1")["ok"]
    assert api("sendMessage", chat_id=1002, text="2")["error_code"] == 429  # 3 per second overall
    assert error(api("sendMessage", chat_id=1003, text="x")) == "Bad Request: chat not found"
    assert fake.error_count(429) == 2
    fake.set_rate_limits(None)
    assert api("sendMessage", chat_id=1001, text="4")["ok"]


def test_rate_limits__default__one_a_second_per_chat_and_30_a_second_overall(
    fake: FakeTelegram, api: Api
) -> None:
    for user_id in range(1001, 1033):
        fake.user(user_id)
    fake.set_rate_limits(True)
    assert api("sendMessage", chat_id=1001, text="1")["ok"]
    again = api("sendMessage", chat_id=1001, text="2")  # Telegram's one a second, taken strictly
    assert again["error_code"] == 429 and again["parameters"]["retry_after"] == 1
    assert all(api("sendMessage", chat_id=c, text="x")["ok"] for c in range(1002, 1031))
    overall = api("sendMessage", chat_id=1031, text="x")  # the 31st within the second
    assert overall["error_code"] == 429 and overall["parameters"]["retry_after"] == 1
    time.sleep(1.05)
    assert api("sendMessage", chat_id=1001, text="3")["ok"]


# -- harness -----------------------------------------------------------------------------------


def test_waiting_helpers(fake: FakeTelegram, api: Api) -> None:
    user = fake.user(1001, first_name="王芳", username="wangfang")
    message = user.send("/start@guanai_test_bot abc")
    assert message["entities"] == [{"type": "bot_command", "offset": 0, "length": 22}]
    assert message["from"]["language_code"] == "zh-hans"
    threading.Timer(
        0.2, api, args=("sendMessage",), kwargs={"chat_id": 1001, "text": "欢迎"}
    ).start()
    assert user.reply().text == "欢迎"
    with pytest.raises(AssertionError, match="欢迎"):  # the transcript is in the message
        user.wait_for_text("再见", timeout=0.2)
    mark = user.mark()
    mid = user.last().message_id
    api("editMessageText", chat_id=1001, message_id=mid, text="欢迎回来")
    assert user.wait_for_text("回来", since=mark).edited
    user.assert_quiet(0.1)
    user.send("x")
    for text in ("1", "2"):
        api("sendMessage", chat_id=1001, text=text)
    assert [m.text for m in user.replies(2)] == ["1", "2"]
    with pytest.raises(AssertionError, match="the bot changed the chat"):
        threading.Timer(
            0.1, api, args=("sendMessage",), kwargs={"chat_id": 1001, "text": "!"}
        ).start()
        user.assert_quiet(1.0)
    user.send_sticker()
    user.send_photo(caption="图")
    user.send_location(26.07, 119.3)
    user.send_voice()
    user.send_document("a.pdf")
    kinds = [
        next(k for k in ("sticker", "photo", "location", "voice", "document") if k in u["message"])
        for u in fake.pending_updates()[-5:]
    ]
    assert kinds == ["sticker", "photo", "location", "voice", "document"]
    long = user.send("长" * 5000)
    assert len(long["text"]) == 5000
    with pytest.raises(AssertionError, match="unconfirmed"):
        fake.wait_idle(timeout=0.1)


def test_waits_wake_only_for_their_own_chat(fake: FakeTelegram, api: Api) -> None:
    alice, bob = fake.user(1001, first_name="Alice"), fake.user(1002, first_name="Bob")
    alice.send("hi")
    api("sendMessage", chat_id=1001, text="not yet")  # new since "hi", but not what is awaited
    checked: list[str] = []
    found: list[str] = []

    def ready(message: SentMessage) -> bool:
        checked.append(message.text)
        return message.text == "ready"

    waiter = threading.Thread(target=lambda: found.append(alice.wait_for(ready, timeout=10).text))
    waiter.start()
    deadline = time.monotonic() + 5
    while not checked and time.monotonic() < deadline:
        time.sleep(0.01)
    assert checked == ["not yet"]
    for n in range(20):  # busy traffic in another chat: sends, edits, callback answers
        sent = api("sendMessage", chat_id=1002, text=f"bob {n}", reply_markup=KEYBOARD)
        message_id = sent["result"]["message_id"]
        edit = {"chat_id": 1002, "message_id": message_id, "reply_markup": KEYBOARD}
        api("editMessageText", text=f"bob {n}!", **edit)
        query_id = bob.press("好", message_id)
        api("answerCallbackQuery", callback_query_id=query_id)
    assert bob.messages()[-1].text == "bob 19!"
    assert checked == ["not yet"] and waiter.is_alive()  # never woken by Bob's chat
    started = time.monotonic()
    api("sendMessage", chat_id=1001, text="ready")
    waiter.join(5)
    assert found == ["ready"] and time.monotonic() - started < 2
    assert checked == ["not yet", "not yet", "ready"]  # woken once, by its own chat
    # Waits on another chat's state still wake: Alice may wait for the answer to Bob's press.
    query_id = bob.press("好")
    answer = {"callback_query_id": query_id, "text": "收到"}
    threading.Timer(0.2, api, args=("answerCallbackQuery",), kwargs=answer).start()
    assert alice.answer(query_id).text == "收到"
    alice.assert_quiet(0.2)
    last_id = api("getUpdates", offset=-1)["result"][0]["update_id"]
    threading.Timer(0.2, api, args=("getUpdates",), kwargs={"offset": last_id + 1}).start()
    fake.wait_idle(timeout=2)  # waits on the whole fake still wake
    with pytest.raises(AssertionError, match=r"timed out after 0\.2s"):
        alice.wait_for(ready, since=alice.mark(), timeout=0.2)


# -- a real python-telegram-bot application ----------------------------------------------------


class PtbThread:
    """A PTB Application polling in a thread with its own event loop."""

    def __init__(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        self.application = application
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.ready = threading.Event()
        self.done: Any = None
        self.stopping: asyncio.Event | None = None

    async def main(self) -> None:
        self.stopping = asyncio.Event()
        app = self.application
        async with app:
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0, timeout=1)
            self.ready.set()
            await self.stopping.wait()
            await app.updater.stop()
            await app.stop()

    def call(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(15)

    def __enter__(self) -> PtbThread:
        self.thread.start()
        self.done = asyncio.run_coroutine_threadsafe(self.main(), self.loop)
        if not self.ready.wait(15):
            self.done.result(0)
        return self

    def __exit__(self, *exc_info: object) -> None:
        assert self.stopping is not None
        self.loop.call_soon_threadsafe(self.stopping.set)
        try:
            self.done.result(15)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(10)
            self.loop.close()


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None and update.message.text is not None
    await update.message.reply_text(update.message.text)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("按钮", callback_data="b1")]])
    await update.message.reply_text("<b>欢迎</b>", parse_mode=ParseMode.HTML, reply_markup=keyboard)


async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("收到")
    await query.edit_message_text(f"pressed {query.data}")


def test_ptb_echo_bot(fake: FakeTelegram) -> None:
    application = ApplicationBuilder().token(fake.token).base_url(fake.api_url).build()
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CallbackQueryHandler(pressed))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    wang = fake.user(1001, first_name="王芳")
    with PtbThread(application) as bot:
        wang.send("/start")
        welcome = wang.reply()
        assert welcome.text == "欢迎" and welcome.buttons() == [("按钮", "b1")]
        query_id = wang.press("按钮")
        assert wang.answer(query_id).text == "收到"
        edited = wang.wait_for_text("pressed b1")
        assert edited.edited and edited.buttons() == []
        wang.send("你好 & <b>")
        assert wang.reply().text == "你好 & <b>"
        fake.wait_idle()
        me = bot.call(application.bot.get_me())
        assert me.username == "guanai_test_bot"
        with pytest.raises(BadRequest, match=r"(?i)message is too long"):
            bot.call(application.bot.send_message(1001, "x" * 4097))
    assert fake.error_count(409) == 0
    assert fake.call_count("deleteWebhook") == 1


@pytest.mark.filterwarnings("ignore:.*retry_after.*")
def test_ptb_sees_telegram_errors(fake: FakeTelegram) -> None:
    fake.user(1001).block()

    async def scenario() -> None:
        async with Bot(fake.token, base_url=fake.api_url) as bot:
            with pytest.raises(BadRequest, match=r"(?i)chat not found"):
                await bot.send_message(999, "x")
            with pytest.raises(BadRequest, match=r"(?i)unsupported start tag"):
                await bot.send_message(1001, "<x>", parse_mode=ParseMode.HTML)
            with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
                markup = InlineKeyboardMarkup([[InlineKeyboardButton("a", callback_data="x" * 65)]])
                await bot.send_message(1001, "x", reply_markup=markup)
            with pytest.raises(Forbidden, match="bot was blocked by the user"):
                await bot.send_message(1001, "x")
            fake.fail_next("getMe", 429, retry_after=3)
            with pytest.raises(RetryAfter, match="Retry in 3 seconds"):
                await bot.get_me()
            fake.fail_next("getMe", 502)
            with pytest.raises(NetworkError, match="Bad Gateway"):
                await bot.get_me()
            assert await bot.delete_webhook(drop_pending_updates=True)
            assert fake.pending_updates() == []
            async with Bot(fake.token, base_url=fake.api_url) as second:
                first_poll = asyncio.create_task(bot.get_updates(timeout=5))
                await asyncio.sleep(0.3)
                assert await second.get_updates(timeout=1) == ()
                with pytest.raises(Conflict, match="terminated by other getUpdates request"):
                    await first_poll
        with pytest.raises(InvalidToken):
            async with Bot("123456:WRONG", base_url=fake.api_url):
                pass

    asyncio.run(scenario())
