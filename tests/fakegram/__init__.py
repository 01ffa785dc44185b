"""A strict local fake of the Telegram Bot API, and a synchronous harness to act as users.

Start it, point python-telegram-bot at it, and play users::

    with FakeTelegram(token="123456:TEST", bot_username="guanai_test_bot") as fake:
        app = ApplicationBuilder().token(fake.token).base_url(fake.api_url).build()
        ...  # run the app in a thread or a subprocess
        wang = fake.user(1001, first_name="王芳", language_code="zh-hans")
        wang.send("/start abc")              # bot_command entity at offset 0
        msg = wang.reply()                   # first bot message after the last action
        query_id = wang.press("新建个案")     # must really be on a bot message
        assert wang.answer(query_id).text is None
        wang.wait_for_text("已保存")          # new or edited message containing the text

`FakeTelegram(token, bot_username, *, bot_name, rate_limits=False, strict_ampersand=True,
clock=time.time)`:
    start() / stop() / context manager; `api_url` ("http://127.0.0.1:PORT/bot"), `token`,
    `bot_username`; `user(id, first_name, *, last_name, username, language_code, started)`;
    `commands(scope=None, language_code="")`, `menu_button(chat_id=None)`;
    `calls(method=None)` -> [Call(method, args, files, at, error_code, description)],
    `call_count(method=None)`, `error_count(code=None)`, `reset_counters()`;
    `pending_updates()`, `wait_idle(timeout)`, `unanswered_callbacks()`;
    webhooks: `act_as_local_server()` (accept http URLs on any port), `webhook_url()`,
    `deliveries()` -> [Delivery(update_id, status, secret_sent)];
    `fail_next(method, error_code, description=None, retry_after=None, times=1)`,
    `set_delay(seconds, method=None)`, `set_rate_limits(True | RateLimits(...) | None)`.

`FakeUser` (from `fake.user(...)`):
    actions: `send(text)`, `send_sticker()`, `send_photo(caption)`, `send_document(...)`,
    `send_location(lat, lon)`, `send_voice()`, `send_contact(phone)`, `tap(label)` (reply
    keyboard), `press(text, message=None)` -> callback query id, `press_data(message, data)`,
    `block()`, `unblock()`;
    inspection: `messages(include_deleted=False)`, `last()`, `reply_keyboard()`,
    `callback_answers()`, `transcript()`;
    waiting (AssertionError with the chat transcript on timeout): `reply(timeout)`,
    `replies(count, timeout)`, `wait_for(predicate, since=None, timeout)`,
    `wait_for_text(substring, since=None, timeout)`, `answer(query_id, timeout)`,
    `mark()` (pass as since=), `assert_quiet(seconds)`.

`SentMessage` (copies): message_id, kind ("text", "document", "photo"), text (plain, after
entity parsing; the caption for media), html (raw text as sent), parse_mode, entities,
reply_markup, file, edited, edit_date, deleted, history [(text, reply_markup), ...];
`buttons()` -> [(text, callback_data)], `button_texts()`, `keyboard()`, `inline_keyboard`.

The server follows the Bot API server's checks and error texts (see methods.py); one rule is
stricter: in HTML, a bare "&" is refused (strict_ampersand=False to allow it like Telegram).
Arguments are recorded as the strings Telegram sees (`Call.json(name)` decodes one).
Webhooks: after setWebhook (https on ports 80/88/443/8443 only, unless acting as a local
server), each update is POSTed with the secret token header, one chat's at a time in order,
until answered 2xx; getUpdates answers 409 meanwhile. Not modelled: groups and channels,
self-signed certificates, the webhook's IP address, inline mode, MarkdownV2 parsing (stored raw),
methods outside the list in methods.py (404 "Not Found", which PTB raises as InvalidToken),
callback query expiry, and Telegram's getUpdates throttling of repeated short polls.
"""

from tests.fakegram.harness import FakeTelegram
from tests.fakegram.limits import RateLimits
from tests.fakegram.state import Call, CallbackAnswer, SentMessage
from tests.fakegram.users import FakeUser

__all__ = ["Call", "CallbackAnswer", "FakeTelegram", "FakeUser", "RateLimits", "SentMessage"]
