"""In-memory state of the fake Bot API: chats, messages, updates, callback queries, counters.

Every field of `Store` is guarded by one re-entrant lock, `Store.lock`. Two kinds of condition
share it: `Store.cond`, notified on every change (for waits on the whole fake, such as
`wait_idle`), and one `Chat.cond` per chat, notified only when that chat changes (its bot
messages, its callback answers, its user's actions), so a user waiting for the bot in its own
chat is not woken by the traffic of every other chat. Each mutation ends with
`Store.changed(chat)`; a new update also calls the `update_listeners` (the server's pending
long poll), whatever chat it comes from.
"""

from __future__ import annotations

import itertools
import json
import pickle
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, TypeVar

T = TypeVar("T")
ALL_UPDATE_TYPES = frozenset(
    [
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "message_reaction",
        "message_reaction_count",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    ]
)
DEFAULT_ALLOWED_UPDATES = ALL_UPDATE_TYPES - {
    "chat_member",
    "message_reaction",
    "message_reaction_count",
}


class ApiError(Exception):
    """A Bot API error answer: error_code, description and optional parameters."""

    def __init__(
        self, code: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


UPLOAD_LIMIT = 50 * 1024 * 1024  # bots upload documents of at most 50 MB


def too_large() -> ApiError:
    """Return Telegram's answer to an upload over its limit."""
    return ApiError(413, "Request Entity Too Large")


def bad_request(message: str) -> ApiError:
    """Return a 400 error with Telegram's "Bad Request: " prefix."""
    return ApiError(400, f"Bad Request: {message}")


@dataclass
class StoredFile:
    """A file the bot uploaded (or referred to by file_id or URL)."""

    file_id: str
    file_unique_id: str
    kind: str
    file_name: str | None
    mime_type: str | None
    data: bytes = field(repr=False)


@dataclass
class SentMessage:
    """A message the bot sent to a chat, as it stands now (tests get copies)."""

    chat_id: int
    message_id: int
    date: int
    kind: str
    text: str
    html: str
    parse_mode: str | None
    entities: list[dict[str, Any]]
    reply_markup: dict[str, Any] | None
    file: StoredFile | None = None
    edit_date: int = 0
    deleted: bool = False
    history: list[tuple[str, dict[str, Any] | None]] = field(default_factory=list)
    seq: int = 0
    created_seq: int = 0

    @property
    def edited(self) -> bool:
        """Tell whether the bot edited the message since sending it."""
        return self.edit_date != 0

    @property
    def inline_keyboard(self) -> list[list[dict[str, Any]]]:
        """Return the rows of inline buttons attached to the message (empty if none)."""
        markup = self.reply_markup or {}
        return list(markup.get("inline_keyboard") or [])

    def buttons(self) -> list[tuple[str, str | None]]:
        """Return the inline buttons as (text, callback_data) pairs, row by row."""
        return [(b["text"], b.get("callback_data")) for row in self.inline_keyboard for b in row]

    def button_texts(self) -> list[str]:
        """Return the texts of the inline buttons, row by row."""
        return [text for text, _ in self.buttons()]

    def keyboard(self) -> list[list[str]]:
        """Return the reply keyboard this message set, as rows of labels (empty if none)."""
        rows = (self.reply_markup or {}).get("keyboard") or []
        return [[b if isinstance(b, str) else b["text"] for b in row] for row in rows]


@dataclass
class CallbackAnswer:
    """What the bot answered to a callback query."""

    query_id: str
    text: str | None
    show_alert: bool
    url: str | None


@dataclass
class CallbackQuery:
    """A callback query the fake issued for a button press."""

    query_id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    answer: CallbackAnswer | None = None


@dataclass(eq=False)
class Chat:
    """A private chat between the bot and one user (make it with `Store.add_chat`).

    `cond` shares the store's lock and is notified whenever this chat changes.
    """

    user: dict[str, Any]
    cond: threading.Condition = field(repr=False)
    started: bool = True
    blocked: bool = False
    next_message_id: int = 1
    bot_messages: dict[int, SentMessage] = field(default_factory=dict)
    user_messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    reply_keyboard: dict[str, Any] | None = None

    @property
    def chat_object(self) -> dict[str, Any]:
        """Return the Bot API Chat object of this private chat."""
        keys = ("id", "first_name", "last_name", "username")
        chat = {k: self.user[k] for k in keys if self.user.get(k) is not None}
        chat["type"] = "private"
        return chat


@dataclass
class Call:
    """One request the bot made: method, arguments as Telegram saw them, outcome."""

    method: str
    args: dict[str, str]
    files: dict[str, str]
    at: float
    error_code: int | None = None
    description: str | None = None

    def json(self, name: str) -> Any:
        """Return a JSON-encoded argument decoded (None when absent)."""
        value = self.args.get(name)
        return None if value is None else json.loads(value)

    def copy(self) -> Call:
        """Return an independent copy (arguments are strings: copying the dicts is enough)."""
        return replace(self, args=dict(self.args), files=dict(self.files))


class Store:
    """All state of one fake Telegram, shared by the server loop and the test thread."""

    def __init__(self, token: str, bot: dict[str, Any], now: Callable[[], Any]) -> None:
        self.token = token
        self.bot = bot
        self._now = now
        self.lock = threading.RLock()
        self.cond = threading.Condition(self.lock)
        self.version = 0
        self.seq = itertools.count(1)
        self.chats: dict[int, Chat] = {}
        self.updates: list[dict[str, Any]] = []
        self.next_update_id = 100_000
        self.allowed_updates: frozenset[str] = DEFAULT_ALLOWED_UPDATES
        self.queries: dict[str, CallbackQuery] = {}
        self.query_ids = itertools.count(8_400_000_000_000_001)
        self.files: dict[str, StoredFile] = {}
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}
        self.calls: list[Call] = []
        self.errors: Counter[int] = Counter()
        self.update_listeners: list[Callable[[], None]] = []
        self.webhook: Any = None  # a webhook.Webhook while one is set
        self.deliveries: list[Any] = []  # webhook.Delivery, one per POST
        self.local_mode = False  # a local Bot API server: http webhooks on any port

    def now(self) -> int:
        """Return the current Unix time of the fake (dates of messages)."""
        value = self._now()
        if isinstance(value, datetime):
            return int(value.timestamp())
        return int(value)

    def changed(self, chat: Chat | None = None) -> None:
        """Note a mutation (of one chat, if given): wake the threads waiting on it.

        Waiters on `cond` wake on every change; waiters on a chat's condition only when that
        chat changed. Call with the lock held.
        """
        self.version += 1
        self.cond.notify_all()
        if chat is not None:
            chat.cond.notify_all()

    def add_chat(self, user: dict[str, Any], *, started: bool = True) -> Chat:
        """Register the private chat of a user; return it."""
        with self.lock:
            chat = Chat(user=user, cond=threading.Condition(self.lock), started=started)
            self.chats[user["id"]] = chat
            self.changed(chat)
            return chat

    def next_seq(self) -> int:
        """Return a new event sequence number (marks for waiting on bot activity)."""
        return next(self.seq)

    def chat(self, chat_id: int) -> Chat | None:
        """Return the chat the bot can reach by this id, or None."""
        chat = self.chats.get(chat_id)
        return chat if chat is not None and chat.started else None

    def push_update(
        self, kind: str, payload: dict[str, Any], chat: Chat | None = None
    ) -> int | None:
        """Queue an update (from a chat) if its type is allowed; return its update_id.

        The payload then belongs to the queue: nothing may change it afterwards.
        """
        with self.lock:
            if kind not in self.allowed_updates:
                self.changed(chat)
                return None
            update_id = self.next_update_id
            self.next_update_id += 1
            self.updates.append({"update_id": update_id, kind: payload})
            self.changed(chat)
            for listener in list(self.update_listeners):
                listener()
            return update_id

    def take_updates(self, offset: int, limit: int) -> list[dict[str, Any]]:
        """Confirm updates before offset and return up to limit of the rest.

        Queued updates are never changed, so the result shares them (it is only serialised).
        """
        with self.lock:
            updates = self.updates
            before = len(updates)
            if offset < 0:
                del updates[: max(0, before + offset)]
            elif offset > 0:
                # update_ids increase along the queue: the confirmed ones are a prefix
                confirmed = 0
                while confirmed < before and updates[confirmed]["update_id"] < offset:
                    confirmed += 1
                del updates[:confirmed]
            if len(updates) != before:
                self.changed()
            return updates[:limit]

    def set_allowed_updates(self, raw: str) -> None:
        """Apply getUpdates' allowed_updates as Telegram does (kept until changed)."""
        if not raw:
            return
        try:
            value = json.loads(raw)
        except ValueError:
            return
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return
        chosen = frozenset(v.lower() for v in value) & ALL_UPDATE_TYPES
        with self.lock:
            self.allowed_updates = chosen or DEFAULT_ALLOWED_UPDATES

    def record(self, call: Call) -> None:
        """Keep a call for counters and assertions."""
        with self.lock:
            self.calls.append(call)
            if call.error_code is not None:
                self.errors[call.error_code] += 1
            self.changed()

    def message_json(self, message: SentMessage) -> dict[str, Any]:
        """Return the Bot API Message object of a bot message."""
        chat = self.chats[message.chat_id]
        result: dict[str, Any] = {
            "message_id": message.message_id,
            "from": self.bot_user(),
            "chat": chat.chat_object,
            "date": message.date,
        }
        text_key, entities_key = "text", "entities"
        if message.kind != "text":
            text_key, entities_key = "caption", "caption_entities"
            result[message.kind] = file_json(message.file)
        if message.text:
            result[text_key] = message.text
        if message.entities:
            result[entities_key] = data_copy(message.entities)
        if message.edit_date:
            result["edit_date"] = message.edit_date
        if message.inline_keyboard:
            result["reply_markup"] = data_copy(message.reply_markup)
        return result

    def bot_user(self) -> dict[str, Any]:
        """Return the bot as a Bot API User object (as in `from`)."""
        keys = ("id", "is_bot", "first_name", "username")
        return {k: self.bot[k] for k in keys}


def data_copy(value: T) -> T:
    """Return a deep copy of plain data (dicts, lists, messages): like copy.deepcopy, but a
    pickle round trip, several times faster (messages are copied on every check of a wait)."""
    copied: T = pickle.loads(pickle.dumps(value, pickle.HIGHEST_PROTOCOL))
    return copied


def file_json(stored: StoredFile | None) -> Any:
    """Return the Bot API object of a sent document or photo."""
    assert stored is not None
    base = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.data),
    }
    if stored.kind == "photo":
        width, height = image_size(stored.data)
        return [{**base, "width": width, "height": height}]
    extra = {"file_name": stored.file_name, "mime_type": stored.mime_type}
    return {**base, **{k: v for k, v in extra.items() if v}}


def image_size(data: bytes) -> tuple[int, int]:
    """Return the pixel size of PNG/GIF data; a plausible size for other images."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if data.startswith((b"GIF87a", b"GIF89a")) and len(data) >= 10:
        return int.from_bytes(data[6:8], "little"), int.from_bytes(data[8:10], "little")
    return 1280, 960


def monotonic() -> float:
    """Return the monotonic clock used for rate limits and waits."""
    return time.monotonic()
