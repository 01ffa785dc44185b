"""Parsing and validation of JSON arguments: reply markup, bot commands, command scopes.

Error texts follow the Bot API server; `Client-side` errors (bad JSON shape) are raised while
parsing, `server-side` ones (BUTTON_DATA_INVALID and the like) by `check_markup`.
"""

from __future__ import annotations

import json
import re
from typing import Any

from tests.fakegram.state import ApiError, bad_request

INLINE_TYPES = (
    "url",
    "callback_data",
    "callback_game",
    "pay",
    "switch_inline_query",
    "switch_inline_query_chosen_chat",
    "switch_inline_query_current_chat",
    "login_url",
    "web_app",
    "copy_text",
)
REPLY_FLAGS = ("resize_keyboard", "one_time_keyboard", "is_persistent", "selective")
BUTTON_REQUESTS = (
    "request_contact",
    "request_location",
    "request_poll",
    "request_users",
    "request_chat",
    "web_app",
)
COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
SCOPE_TYPES = {
    "default",
    "all_private_chats",
    "all_group_chats",
    "all_chat_administrators",
    "chat",
    "chat_administrators",
    "chat_member",
}


class _Invalid(Exception):
    """A nested parse error; its text is wrapped by the caller like tdlib does."""


def decode(raw: str, what: str) -> Any:
    """Decode a JSON argument or fail with "can't parse <what> JSON object"."""
    try:
        return json.loads(raw)
    except ValueError:
        raise bad_request(f"can't parse {what} JSON object") from None


def _string(obj: dict[str, Any], name: str, *, required: bool = True) -> str | None:
    """Read a string field the way tdlib's JSON helpers do."""
    if name not in obj or obj[name] is None:
        if required:
            raise _Invalid(f'Can\'t find field "{name}"')
        return None
    value = obj[name]
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _Invalid(f'Field "{name}" must be of type String')
    return str(value)


def _inline_button(button: Any) -> dict[str, Any]:
    """Return the normalized InlineKeyboardButton Telegram would store."""
    if not isinstance(button, dict):
        raise _Invalid("InlineKeyboardButton must be an Object")
    result: dict[str, Any] = {"text": _string(button, "text")}
    for kind in INLINE_TYPES:
        value = button.get(kind)
        if kind in ("url", "callback_data"):
            value = _string(button, kind, required=False)
            if value:
                return {**result, kind: value}
        elif kind in button:
            return {**result, kind: value}
    raise _Invalid("Text buttons are unallowed in the inline keyboard")


def _reply_button(button: Any) -> dict[str, Any] | str:
    """Return the normalized KeyboardButton."""
    if isinstance(button, str):
        return button
    if not isinstance(button, dict):
        raise _Invalid("KeyboardButton must be a String or an Object")
    result: dict[str, Any] = {"text": _string(button, "text")}
    result.update({k: button[k] for k in BUTTON_REQUESTS if button.get(k)})
    return result


def _rows(markup: dict[str, Any], name: str, what: str) -> list[list[Any]]:
    """Return an Array of Arrays field, or fail as Telegram does."""
    rows = markup.get(name)
    if rows is None:
        return []
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(f'field "{name}"{what} must be an Array of Arrays')
    return rows


def parse_reply_markup(raw: str) -> dict[str, Any] | None:
    """Parse a reply_markup argument into the markup Telegram would apply (None if none)."""
    if not raw:
        return None
    markup = decode(raw, "reply keyboard markup")
    if not isinstance(markup, dict):
        raise bad_request("object expected as reply markup")
    keyboard = _rows(markup, "keyboard", "")
    inline = _rows(markup, "inline_keyboard", " of the InlineKeyboardMarkup")
    try:
        reply_rows = [[_reply_button(b) for b in row] for row in keyboard]
    except _Invalid as error:
        raise bad_request(f"can't parse keyboard button: {error}") from None
    try:
        inline_rows = [[_inline_button(b) for b in row] for row in inline]
    except _Invalid as error:
        raise bad_request(f"can't parse inline keyboard button: {error}") from None
    if any(reply_rows):
        result: dict[str, Any] = {"keyboard": reply_rows}
        result.update({k: True for k in REPLY_FLAGS if markup.get(k)})
        if markup.get("input_field_placeholder"):
            result["input_field_placeholder"] = str(markup["input_field_placeholder"])
        return result
    if any(inline_rows):
        return {"inline_keyboard": [row for row in inline_rows if row]}
    if markup.get("remove_keyboard") or markup.get("hide_keyboard"):
        return {"remove_keyboard": True}
    if markup.get("force_reply"):
        return {"force_reply": True}
    return None


def check_markup(markup: dict[str, Any] | None) -> None:
    """Apply the checks Telegram's servers make when a message is sent or edited."""
    if not markup:
        return
    rows: list[list[Any]] = markup.get("inline_keyboard") or markup.get("keyboard") or []
    if sum(len(row) for row in rows) > 100:
        raise bad_request("reply markup is too long")
    for row in rows:
        for button in row:
            text = button if isinstance(button, str) else button["text"]
            if not text.strip():
                raise bad_request("BUTTON_TEXT_INVALID")
            if isinstance(button, dict) and "callback_data" in button:
                size = len(button["callback_data"].encode("utf-8"))
                if not 1 <= size <= 64:
                    raise bad_request("BUTTON_DATA_INVALID")
            if isinstance(button, dict) and "url" in button and not _is_url(button["url"]):
                raise bad_request("BUTTON_URL_INVALID")


def _is_url(url: str) -> bool:
    """Tell whether Telegram would accept this button URL."""
    return bool(re.match(r"(https?|tg)://[^\s]+$", url)) or bool(
        re.match(r"[\w-]+(\.[\w-]+)+(/\S*)?$", url)
    )


def parse_commands(raw: str) -> list[dict[str, str]]:
    """Parse and validate setMyCommands' commands like the Bot API server and tdlib."""
    if not raw:
        return []
    value = decode(raw, "commands")
    if not isinstance(value, list):
        raise bad_request("expected an Array of BotCommand")
    commands = []
    for item in value:
        try:
            if not isinstance(item, dict):
                raise _Invalid("expected an Object")
            command = _string(item, "command") or ""
            description = _string(item, "description") or ""
        except _Invalid as error:
            raise bad_request(f"can't parse BotCommand: {error}") from None
        commands.append({"command": command.strip(), "description": description.strip()})
    for entry in commands:
        entry["command"] = entry["command"].removeprefix("/")
        if not entry["command"]:
            raise bad_request("command must be non-empty")
        if len(entry["command"]) > 32:
            raise bad_request("command length must not exceed 32")
        if not entry["description"]:
            raise bad_request("command description must be non-empty")
        if len(entry["description"]) > 256:
            raise bad_request("command description length must not exceed 256")
    if len(commands) > 100:
        raise bad_request("BOT_COMMANDS_TOO_MUCH")
    for entry in commands:
        if not COMMAND_RE.fullmatch(entry["command"]):
            raise bad_request("BOT_COMMAND_INVALID")
    return commands


def parse_scope(raw: str) -> dict[str, Any]:
    """Parse a BotCommandScope argument (default scope when absent)."""
    if not raw:
        return {"type": "default"}
    value = decode(raw, "BotCommandScope")
    try:
        if not isinstance(value, dict):
            raise _Invalid("BotCommandScope must be an Object")
        kind = _string(value, "type")
        if kind not in SCOPE_TYPES:
            raise _Invalid("Unsupported type specified")
        scope: dict[str, Any] = {"type": kind}
        if kind in ("chat", "chat_administrators", "chat_member"):
            chat_id = _string(value, "chat_id")
            if not chat_id:
                raise _Invalid("Empty chat_id specified")
            scope["chat_id"] = int(chat_id) if chat_id.lstrip("-").isdigit() else chat_id
        if kind == "chat_member":
            user_id = value.get("user_id")
            if not isinstance(user_id, int) or user_id <= 0:
                raise _Invalid("Invalid user_id specified")
            scope["user_id"] = user_id
    except _Invalid as error:
        raise bad_request(f"can't parse BotCommandScope: {error}") from None
    return scope


def scope_key(scope: dict[str, Any] | None) -> str:
    """Return a canonical key for a scope dict (default scope for None)."""
    return json.dumps(scope or {"type": "default"}, sort_keys=True)


def check_language_code(code: str) -> None:
    """Reject language codes Telegram rejects (two lowercase letters or empty)."""
    if code and not re.fullmatch(r"[a-z]{2}", code):
        raise ApiError(400, "Bad Request: invalid language code specified")
