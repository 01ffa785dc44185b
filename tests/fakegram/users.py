"""`FakeUser`: a Telegram user in a private chat with the bot, driven by a synchronous test.

Actions (`send`, `tap`, `press`, ...) queue updates for the bot and remember a mark; the wait
helpers (`reply`, `replies`, `wait_for`, `wait_for_text`, `answer`, `assert_quiet`) block on
the chat's own condition (woken only by changes in this chat, not by other users' traffic), by
default for bot activity after the user's last action, and fail with an `AssertionError` that
shows the chat.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from typing import Any, TypeVar

from tests.fakegram.files import store_user_file
from tests.fakegram.state import (
    CallbackAnswer,
    CallbackQuery,
    Chat,
    SentMessage,
    Store,
    StoredFile,
    data_copy,
)

COMMAND_RE = re.compile(r"/[A-Za-z0-9_]{1,64}(@[A-Za-z0-9_]{3,32})?")
Predicate = Callable[[SentMessage], bool]
T = TypeVar("T")


class FakeUser:
    """A user chatting with the bot; every method is thread-safe and synchronous."""

    def __init__(self, store: Store, chat: Chat) -> None:
        self.store = store
        self._chat = chat
        self.id: int = chat.user["id"]
        self.last_action = 0

    def __repr__(self) -> str:
        return f"FakeUser({self.id}, {self._chat.user['first_name']!r})"

    @property
    def user(self) -> dict[str, Any]:
        """Return the Bot API User object of this user."""
        return dict(self._chat.user)

    # -- actions -------------------------------------------------------------------------

    def _post(self, content: dict[str, Any]) -> dict[str, Any]:
        """Queue a message from this user with the given content; return the Message."""
        with self.store.cond:
            if self._chat.blocked:
                raise AssertionError(f"{self!r} has blocked the bot; call unblock() first")
            self.last_action = self.store.next_seq()
            self._chat.started = True
            message = {
                "message_id": self._chat.next_message_id,
                "from": self.user,
                "chat": self._chat.chat_object,
                "date": self.store.now(),
                **content,
            }
            self._chat.next_message_id += 1
            self._chat.user_messages[message["message_id"]] = message
            self.store.push_update("message", data_copy(message), self._chat)
            return data_copy(message)

    def send(self, text: str) -> dict[str, Any]:
        """Send a text message (any length; a leading /command gets its entity)."""
        content: dict[str, Any] = {"text": text}
        match = COMMAND_RE.match(text)
        if match:
            length = len(match.group(0).encode("utf-16-le")) // 2
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return self._post(content)

    def send_sticker(self, emoji: str = "👍") -> dict[str, Any]:
        """Send a sticker."""
        sticker = {
            **_file("CAACAgIAAxkBAAE"),
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
        }
        return self._post({"sticker": sticker})

    def send_photo(self, caption: str | None = None) -> dict[str, Any]:
        """Send a photo (three sizes, as Telegram delivers them)."""
        sizes = [
            {**_file("AgACAgUAAxkBAAI"), "width": w, "height": h, "file_size": w * h // 8}
            for w, h in ((90, 67), (320, 240), (1280, 960))
        ]
        with self.store.cond:
            # The bot may send a photo it received on by its file_id, as Telegram allows.
            for size in sizes:
                self.store.files[size["file_id"]] = StoredFile(
                    size["file_id"], size["file_unique_id"], "photo", None, None, b""
                )
        return self._post({"photo": sizes, **({"caption": caption} if caption else {})})

    def send_document(
        self,
        file_name: str = "file.pdf",
        mime_type: str = "application/pdf",
        caption: str | None = None,
        data: bytes | None = None,
    ) -> dict[str, Any]:
        """Send a document; with `data`, one the bot can download (getFile)."""
        document = {
            **_file("BQACAgUAAxkBAAI"),
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": 2048 if data is None else len(data),
        }
        if data is not None:
            stored = StoredFile(
                document["file_id"],
                document["file_unique_id"],
                "document",
                file_name,
                mime_type,
                data,
            )
            store_user_file(self.store, stored)
        return self._post({"document": document, **({"caption": caption} if caption else {})})

    def send_location(self, latitude: float, longitude: float) -> dict[str, Any]:
        """Send a location."""
        return self._post({"location": {"latitude": latitude, "longitude": longitude}})

    def send_voice(self, duration: int = 3) -> dict[str, Any]:
        """Send a voice note."""
        voice = {
            **_file("AwACAgUAAxkBAAI"),
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": 4000 * duration,
        }
        return self._post({"voice": voice})

    def send_contact(self, phone_number: str, *, own: bool = True) -> dict[str, Any]:
        """Share a contact (by default the user's own, as a request_contact button does)."""
        contact: dict[str, Any] = {
            "phone_number": phone_number,
            "first_name": self._chat.user["first_name"],
        }
        if own:
            contact["user_id"] = self.id
        return self._post({"contact": contact})

    def tap(self, label: str, *, phone_number: str = "+8613800000000") -> dict[str, Any]:
        """Tap a button of the current reply keyboard (a contact button shares phone_number)."""
        with self.store.cond:
            markup = self._chat.reply_keyboard or {}
            buttons = [b for row in markup.get("keyboard", []) for b in row]
        for button in buttons:
            text = button if isinstance(button, str) else button["text"]
            if text == label:
                if isinstance(button, dict) and button.get("request_contact"):
                    return self.send_contact(phone_number)
                return self.send(label)
        keyboard = self.reply_keyboard()
        raise AssertionError(f"no reply keyboard button {label!r}; keyboard: {keyboard}")

    def press(self, text: str, message: SentMessage | int | None = None) -> str:
        """Press the inline button labelled text; return the callback query id."""
        with self.store.cond:
            candidates = (
                [self._live(message)]
                if message is not None
                else sorted(
                    (m for m in self._chat.bot_messages.values() if not m.deleted),
                    key=lambda m: -m.message_id,
                )
            )
            for candidate in candidates:
                for row in candidate.inline_keyboard:
                    for button in row:
                        if button["text"] != text:
                            continue
                        if "callback_data" not in button:
                            raise AssertionError(
                                f"button {text!r} is not a callback button: {button}"
                            )
                        return self._callback(candidate, button["callback_data"])
            raise AssertionError(
                f"no inline button {text!r} on {self._where(message)}\n{self.transcript()}"
            )

    def press_data(self, message: SentMessage | int, data: str) -> str:
        """Send a callback query with arbitrary data from a message (forged presses)."""
        with self.store.cond:
            return self._callback(self._live(message), data)

    def _live(self, message: SentMessage | int) -> SentMessage:
        """Return the live bot message given by snapshot or id."""
        message_id = message if isinstance(message, int) else message.message_id
        live = self._chat.bot_messages.get(message_id)
        if live is None or live.deleted:
            raise AssertionError(f"message {message_id} is not in the chat\n{self.transcript()}")
        return live

    def _where(self, message: SentMessage | int | None) -> str:
        """Describe where press looked for a button."""
        if message is None:
            return "any message"
        return f"message {message if isinstance(message, int) else message.message_id}"

    def _callback(self, message: SentMessage, data: str) -> str:
        """Queue a callback_query update for a message (store lock held)."""
        if self._chat.blocked:
            raise AssertionError(f"{self!r} has blocked the bot; call unblock() first")
        self.last_action = self.store.next_seq()
        query_id = str(next(self.store.query_ids))
        self.store.queries[query_id] = CallbackQuery(
            query_id, self.id, self.id, message.message_id, data
        )
        payload = {
            "id": query_id,
            "from": self.user,
            "message": self.store.message_json(message),
            "chat_instance": str(-(self.id * 7919 % 10**18)),
            "data": data,
        }
        self.store.push_update("callback_query", payload, self._chat)
        return query_id

    def block(self) -> None:
        """Block the bot: sends fail with 403 and the bot gets a my_chat_member update."""
        self._set_blocked(True)

    def unblock(self) -> None:
        """Unblock the bot."""
        self._set_blocked(False)

    def _set_blocked(self, blocked: bool) -> None:
        """Change the blocked state and tell the bot like Telegram does."""
        with self.store.cond:
            if self._chat.blocked == blocked:
                return
            self._chat.blocked = blocked
            statuses: list[dict[str, Any]] = [
                {"status": "member"},
                {"status": "kicked", "until_date": 0},
            ]
            old, new = statuses if blocked else statuses[::-1]
            bot = self.store.bot_user()
            self.store.push_update(
                "my_chat_member",
                {
                    "chat": self._chat.chat_object,
                    "from": self.user,
                    "date": self.store.now(),
                    "old_chat_member": {"user": bot, **old},
                    "new_chat_member": {"user": bot, **new},
                },
                self._chat,
            )
            self.store.changed(self._chat)

    # -- inspection ----------------------------------------------------------------------

    def messages(self, *, include_deleted: bool = False) -> list[SentMessage]:
        """Return copies of the bot's messages in this chat, oldest first."""
        with self.store.cond:
            found = sorted(self._chat.bot_messages.values(), key=lambda m: m.message_id)
            return [data_copy(m) for m in found if include_deleted or not m.deleted]

    def last(self) -> SentMessage:
        """Return the bot's latest message still in the chat."""
        found = self.messages()
        if not found:
            raise AssertionError(f"the bot has sent {self!r} nothing")
        return found[-1]

    def reply_keyboard(self) -> list[list[str]] | None:
        """Return the labels of the reply keyboard shown to the user, or None."""
        with self.store.cond:
            markup = self._chat.reply_keyboard
            if markup is None:
                return None
            return [
                [b if isinstance(b, str) else b["text"] for b in row] for row in markup["keyboard"]
            ]

    def callback_answers(self) -> list[CallbackAnswer]:
        """Return the bot's answers to this user's callback queries, in order."""
        with self.store.cond:
            queries = [q for q in self.store.queries.values() if q.user_id == self.id]
            return [data_copy(q.answer) for q in queries if q.answer is not None]

    def transcript(self, last: int = 12) -> str:
        """Describe the latest messages of the chat (for assertion messages)."""
        lines = []
        for m in self.messages(include_deleted=True)[-last:]:
            flags = "".join(f" [{f}]" for f in ("edited", "deleted") if getattr(m, f))
            buttons = f"  buttons={m.buttons()}" if m.inline_keyboard else ""
            lines.append(f"  #{m.message_id}{flags} {m.kind}: {m.text!r}{buttons}")
        return f"chat {self.id} ({len(lines)} bot messages shown):\n" + "\n".join(lines)

    # -- waiting -------------------------------------------------------------------------

    def mark(self) -> int:
        """Return a mark; pass it as `since` to wait for bot activity after this point."""
        with self.store.cond:
            return self.store.next_seq()

    def _wait(
        self,
        found: Callable[[], T | None],
        timeout: float,
        what: str,
        chat: Chat | None = None,
    ) -> T:
        """Wait until found() returns something truthy, or fail with the transcript.

        found() must depend only on the state of `chat` (default: this user's chat): it is
        checked again only when that chat changes.
        """
        cond = (chat or self._chat).cond
        with cond:
            result = cond.wait_for(found, timeout)
            if not result:
                raise AssertionError(
                    f"timed out after {timeout}s waiting for {what}\n{self.transcript()}"
                )
            return result

    def reply(self, timeout: float = 5.0) -> SentMessage:
        """Wait for the first bot message sent after the user's last action."""
        return self.replies(1, timeout)[0]

    def replies(self, count: int, timeout: float = 5.0) -> list[SentMessage]:
        """Wait for `count` bot messages sent after the user's last action."""
        since = self.last_action

        def found() -> list[SentMessage] | None:
            messages = self._chat.bot_messages.values()
            new = sorted((m for m in messages if m.created_seq > since), key=lambda m: m.seq)
            return data_copy(new[:count]) if len(new) >= count else None

        return self._wait(found, timeout, f"{count} new bot message(s)")

    def wait_for(
        self,
        predicate: Predicate,
        *,
        since: int | None = None,
        timeout: float = 5.0,
        what: str = "a matching bot message",
    ) -> SentMessage:
        """Wait for a bot message, new or edited since the mark, that satisfies predicate."""
        mark = self.last_action if since is None else since

        def found() -> SentMessage | None:
            changed = sorted(
                (m for m in self._chat.bot_messages.values() if m.seq > mark and not m.deleted),
                key=lambda m: m.seq,
            )
            for message in changed:
                snapshot = data_copy(message)
                if predicate(snapshot):  # a fresh copy, unless the predicate changed this one
                    return snapshot if snapshot == message else data_copy(message)
            return None

        return self._wait(found, timeout, what)

    def wait_for_text(
        self, substring: str, *, since: int | None = None, timeout: float = 5.0
    ) -> SentMessage:
        """Wait for a bot message (new or edited) whose text contains substring."""
        return self.wait_for(
            lambda m: substring in m.text,
            since=since,
            timeout=timeout,
            what=f"a bot message containing {substring!r}",
        )

    def answer(self, query_id: str, timeout: float = 5.0) -> CallbackAnswer:
        """Wait for the bot's answer to a callback query."""
        with self.store.cond:
            query = self.store.queries.get(query_id)
            if query is None:
                raise AssertionError(f"no callback query {query_id!r} was sent")
            chat = self.store.chats[query.chat_id]
        return self._wait(
            lambda: data_copy(query.answer),
            timeout,
            f"an answer to callback {query_id}",
            chat,
        )

    def assert_quiet(self, seconds: float = 0.3) -> None:
        """Assert that the bot sends, edits and deletes nothing here for some seconds."""
        mark = self.mark()

        def changed() -> bool:
            return any(m.seq > mark for m in self._chat.bot_messages.values())

        with self._chat.cond:
            if self._chat.cond.wait_for(changed, seconds):
                raise AssertionError(f"the bot changed the chat\n{self.transcript()}")


def _file(prefix: str) -> dict[str, str]:
    """Return fresh file_id and file_unique_id values."""
    return {
        "file_id": prefix + secrets.token_urlsafe(24),
        "file_unique_id": "AgAD" + secrets.token_urlsafe(6),
    }
