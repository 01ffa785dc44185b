"""The Bot API methods of the fake (all but getUpdates, which the server long-polls).

Each method takes a `Request` (arguments as the strings Telegram sees) and returns the result,
or raises `ApiError`. Checks run in the Bot API server's order: arguments and formatting
first, then the chat, then the checks Telegram's servers make when the message is sent.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from tests.fakegram.files import get_file
from tests.fakegram.html import check_text, format_text, utf16_len
from tests.fakegram.limits import RateLimiter
from tests.fakegram.markup import (
    check_language_code,
    check_markup,
    decode,
    parse_commands,
    parse_reply_markup,
    parse_scope,
    scope_key,
)
from tests.fakegram.request import Request, input_file
from tests.fakegram.state import (
    ApiError,
    CallbackAnswer,
    Chat,
    SentMessage,
    Store,
    bad_request,
    data_copy,
)
from tests.fakegram.webhook import Webhook, check_secret, check_webhook_url

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
CHAT_ACTIONS = frozenset(
    [
        "cancel",
        "typing",
        "record_video",
        "upload_video",
        "record_audio",
        "record_voice",
        "upload_audio",
        "upload_voice",
        "upload_photo",
        "upload_document",
        "choose_sticker",
        "pick_up_location",
        "find_location",
        "record_video_note",
        "upload_video_note",
    ]
)
DELETE_WINDOW = 48 * 3600


def inline_of(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    """Return the markup if it is an inline keyboard, else None."""
    return markup if markup and "inline_keyboard" in markup else None


class Methods:
    """Implementations of the supported Bot API methods over a `Store`."""

    def __init__(self, store: Store, strict_ampersand: bool = True) -> None:
        self.store = store
        self.strict_ampersand = strict_ampersand
        self.limiter: RateLimiter | None = None
        self.table: dict[str, Callable[[Request], Any]] = {
            "getMe": self.get_me,
            "setWebhook": self.set_webhook,
            "deleteWebhook": self.delete_webhook,
            "getWebhookInfo": self.get_webhook_info,
            "sendMessage": self.send_message,
            "editMessageText": self.edit_message_text,
            "editMessageReplyMarkup": self.edit_message_reply_markup,
            "answerCallbackQuery": self.answer_callback_query,
            "deleteMessage": self.delete_message,
            "sendDocument": lambda r: self.send_file(r, "document"),
            "sendPhoto": lambda r: self.send_file(r, "photo"),
            "setMyCommands": self.set_my_commands,
            "getMyCommands": self.get_my_commands,
            "deleteMyCommands": self.delete_my_commands,
            "sendChatAction": self.send_chat_action,
            "setChatMenuButton": self.set_chat_menu_button,
            "getFile": lambda r: get_file(self.store, r),
        }
        self.names = {name.lower(): name for name in [*self.table, "getUpdates"]}

    def call(self, request: Request) -> Any:
        """Run a method under the store lock."""
        with self.store.cond:
            return self.table[request.method](request)

    # -- shared checks -------------------------------------------------------------------

    def chat(self, request: Request) -> Chat:
        """Resolve chat_id to a chat the bot can reach."""
        raw = request.arg("chat_id").strip()
        if not raw:
            raise bad_request("chat_id is empty")
        try:
            chat = self.store.chat(int(raw))
        except ValueError:
            chat = None
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def deliver(self, request: Request, chat: Chat) -> None:
        """Refuse delivery to a user who blocked the bot, then apply flood control."""
        if chat.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if self.limiter is not None:
            self.limiter.check(request.method, chat.user["id"])

    def formatted(
        self, text: str, parse_mode: str, raw_entities: str
    ) -> tuple[str, list[dict[str, Any]]]:
        """Turn text + parse_mode (or explicit entities) into plain text and entities."""
        return format_text(text, parse_mode, raw_entities, strict_ampersand=self.strict_ampersand)

    def reply_target(self, request: Request, chat: Chat) -> None:
        """Check that a message being replied to exists (unless allowed not to)."""
        target = request.int_arg("reply_to_message_id")
        allow = request.bool_arg("allow_sending_without_reply")
        if request.arg("reply_parameters"):
            params = decode(request.arg("reply_parameters"), "reply parameters")
            if isinstance(params, dict):
                target = _int(params.get("message_id"))
                allow = bool(params.get("allow_sending_without_reply"))
        if target and not allow and not self.find(chat, target):
            raise bad_request("message to be replied not found")

    @staticmethod
    def find(chat: Chat, message_id: int) -> SentMessage | dict[str, Any] | None:
        """Return the live bot or user message with this id in a chat."""
        message = chat.bot_messages.get(message_id)
        if message is not None and not message.deleted:
            return message
        return chat.user_messages.get(message_id)

    def editable(self, request: Request, chat: Chat) -> SentMessage:
        """Return the bot message named by message_id, or fail as editMessage* does."""
        message = self.find(chat, request.int_arg("message_id"))
        if message is None:
            raise bad_request("message to edit not found")
        if not isinstance(message, SentMessage):
            raise bad_request("message can't be edited")
        return message

    def edit_target(self, request: Request) -> Chat:
        """Resolve the chat of an edit (inline messages are not supported by the fake)."""
        if not request.arg("chat_id") and not request.int_arg("message_id"):
            if request.arg("inline_message_id"):
                raise bad_request("MESSAGE_ID_INVALID")
            raise bad_request("message identifier is not specified")
        return self.chat(request)

    def add_message(self, chat: Chat, **fields: Any) -> SentMessage:
        """Store a new bot message in a chat and return it."""
        seq = self.store.next_seq()
        message = SentMessage(
            chat_id=chat.user["id"],
            message_id=chat.next_message_id,
            date=self.store.now(),
            seq=seq,
            created_seq=seq,
            **fields,
        )
        chat.next_message_id += 1
        chat.bot_messages[message.message_id] = message
        markup = fields.get("reply_markup") or {}
        if "keyboard" in markup:
            chat.reply_keyboard = data_copy(markup)
        elif "remove_keyboard" in markup:
            chat.reply_keyboard = None
        self.store.changed(chat)
        return message

    def apply_edit(self, message: SentMessage, **fields: Any) -> dict[str, Any]:
        """Change a bot message, keeping its history, and return the new Message."""
        message.history.append((message.text, data_copy(message.reply_markup)))
        for name, value in fields.items():
            setattr(message, name, value)
        message.edit_date = self.store.now()
        message.seq = self.store.next_seq()
        self.store.changed(self.store.chats[message.chat_id])
        return self.store.message_json(message)

    # -- methods -------------------------------------------------------------------------

    def get_me(self, request: Request) -> Any:
        """Return the bot user."""
        return dict(self.store.bot)

    def set_webhook(self, request: Request) -> Any:
        """Register the webhook updates are POSTed to (an empty URL removes it)."""
        url = request.arg("url").strip()
        if not url:
            return self.delete_webhook(request)
        check_webhook_url(url, local=self.store.local_mode)
        secret = request.arg("secret_token")
        check_secret(secret)
        connections = request.int_arg("max_connections") or 40
        if not 1 <= connections <= 100:
            raise bad_request("bad webhook: max_connections must be between 1 and 100")
        allowed = (
            decode(request.arg("allowed_updates"), "allowed updates")
            if request.arg("allowed_updates")
            else None
        )
        if request.bool_arg("drop_pending_updates"):
            self.store.updates.clear()
        self.store.webhook = Webhook(url, secret, connections, allowed)
        self.store.set_allowed_updates(request.arg("allowed_updates"))
        self.store.changed()
        for listener in list(self.store.update_listeners):
            listener()
        return True

    def delete_webhook(self, request: Request) -> Any:
        """Remove the webhook; drop pending updates when asked to."""
        self.store.webhook = None
        if request.bool_arg("drop_pending_updates"):
            self.store.updates.clear()
        self.store.changed()
        return True

    def get_webhook_info(self, request: Request) -> Any:
        """Describe the webhook (an empty URL when there is none)."""
        hook = self.store.webhook
        info: dict[str, Any] = {
            "url": hook.url if hook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self.store.updates),
        }
        if hook is not None:
            info["max_connections"] = hook.max_connections
            if hook.allowed_updates is not None:
                info["allowed_updates"] = hook.allowed_updates
            if hook.last_error_date:
                info["last_error_date"] = hook.last_error_date
                info["last_error_message"] = hook.last_error_message
        return info

    def send_message(self, request: Request) -> Any:
        """Send a text message."""
        text = request.arg("text")
        if not text:
            raise bad_request("message text is empty")
        plain, entities = self.formatted(text, request.arg("parse_mode"), request.arg("entities"))
        markup = parse_reply_markup(request.arg("reply_markup"))
        chat = self.chat(request)
        self.reply_target(request, chat)
        check_text(plain)
        check_markup(markup)
        self.deliver(request, chat)
        message = self.add_message(
            chat,
            kind="text",
            text=plain,
            html=text,
            parse_mode=request.arg("parse_mode") or None,
            entities=entities,
            reply_markup=markup,
        )
        return self.store.message_json(message)

    def edit_message_text(self, request: Request) -> Any:
        """Replace the text (and inline keyboard) of a bot message."""
        text = request.arg("text")
        if not text:
            raise bad_request("message text is empty")
        plain, entities = self.formatted(text, request.arg("parse_mode"), request.arg("entities"))
        markup = parse_reply_markup(request.arg("reply_markup"))
        chat = self.edit_target(request)
        message = self.editable(request, chat)
        if markup is not None and inline_of(markup) is None:
            raise bad_request("inline keyboard expected")
        if message.kind != "text":
            raise bad_request("there is no text in the message to edit")
        check_text(plain)
        check_markup(markup)
        self.deliver(request, chat)
        current = (message.text, message.entities, inline_of(message.reply_markup))
        if current == (plain, entities, markup):
            raise bad_request(NOT_MODIFIED)
        return self.apply_edit(
            message,
            text=plain,
            html=text,
            parse_mode=request.arg("parse_mode") or None,
            entities=entities,
            reply_markup=markup,
        )

    def edit_message_reply_markup(self, request: Request) -> Any:
        """Replace (or remove) the inline keyboard of a bot message."""
        markup = parse_reply_markup(request.arg("reply_markup"))
        chat = self.edit_target(request)
        message = self.editable(request, chat)
        if markup is not None and inline_of(markup) is None:
            raise bad_request("inline keyboard expected")
        check_markup(markup)
        self.deliver(request, chat)
        if inline_of(message.reply_markup) == markup:
            raise bad_request(NOT_MODIFIED)
        return self.apply_edit(message, reply_markup=markup)

    def delete_message(self, request: Request) -> Any:
        """Delete a message (the bot's, or a user's in a private chat)."""
        chat = self.chat(request)
        message = self.find(chat, request.int_arg("message_id"))
        if message is None:
            raise bad_request("message to delete not found")
        date = message.date if isinstance(message, SentMessage) else message["date"]
        if self.store.now() - date > DELETE_WINDOW:
            raise bad_request("message can't be deleted")
        if isinstance(message, SentMessage):
            message.deleted = True
            message.seq = self.store.next_seq()
        else:
            chat.user_messages.pop(message["message_id"])
        self.store.changed(chat)
        return True

    def answer_callback_query(self, request: Request) -> Any:
        """Answer a callback query once."""
        query = self.store.queries.get(request.arg("callback_query_id").strip())
        if query is None or query.answer is not None:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        text = request.arg("text")
        if len(text) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        query.answer = CallbackAnswer(
            query_id=query.query_id,
            text=text or None,
            show_alert=request.bool_arg("show_alert"),
            url=request.arg("url") or None,
        )
        self.store.changed(self.store.chats.get(query.chat_id))
        return True

    def send_file(self, request: Request, kind: str) -> Any:
        """Send a document or a photo with an optional caption."""
        stored = input_file(self.store, request, kind)
        caption = request.arg("caption")
        plain, entities = self.formatted(
            caption, request.arg("parse_mode"), request.arg("caption_entities")
        )
        markup = parse_reply_markup(request.arg("reply_markup"))
        chat = self.chat(request)
        self.reply_target(request, chat)
        if utf16_len(plain) > 1024:
            raise bad_request("message caption is too long")
        check_markup(markup)
        self.deliver(request, chat)
        message = self.add_message(
            chat,
            kind=kind,
            text=plain,
            html=caption,
            file=stored,
            entities=entities,
            parse_mode=request.arg("parse_mode") or None,
            reply_markup=markup,
        )
        return self.store.message_json(message)

    def send_chat_action(self, request: Request) -> Any:
        """Show a chat action such as "typing"."""
        if request.arg("action").strip().lower() not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        chat = self.chat(request)
        if chat.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return True

    def command_key(self, request: Request) -> tuple[str, str]:
        """Return the (scope, language_code) key of a *MyCommands call."""
        scope = parse_scope(request.arg("scope"))
        language = request.arg("language_code").strip()
        check_language_code(language)
        if "chat_id" in scope and self.store.chat(_int(scope["chat_id"])) is None:
            raise bad_request("chat not found")
        return scope_key(scope), language

    def set_my_commands(self, request: Request) -> Any:
        """Set the command list of a scope and language."""
        commands = parse_commands(request.arg("commands"))
        key = self.command_key(request)
        if commands:
            self.store.commands[key] = commands
        else:
            self.store.commands.pop(key, None)
        self.store.changed()
        return True

    def get_my_commands(self, request: Request) -> Any:
        """Return the command list of a scope and language."""
        return copy.deepcopy(self.store.commands.get(self.command_key(request), []))

    def delete_my_commands(self, request: Request) -> Any:
        """Delete the command list of a scope and language."""
        self.store.commands.pop(self.command_key(request), None)
        self.store.changed()
        return True

    def set_chat_menu_button(self, request: Request) -> Any:
        """Set the menu button of a chat, or the default one."""
        chat = self.chat(request) if request.arg("chat_id") else None
        chat_id = chat.user["id"] if chat is not None else None
        raw = request.arg("menu_button")
        button = decode(raw, "menu button") if raw else {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in (
            "default",
            "commands",
            "web_app",
        ):
            raise bad_request("can't parse menu button: MenuButton has unsupported type")
        self.store.menu_buttons[chat_id] = button
        self.store.changed(chat)
        return True


def _int(value: Any) -> int:
    """Return value as an int, or 0."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
