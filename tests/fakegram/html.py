"""Telegram's HTML parse mode, following the Bot API server (tdlib `parse_html`).

`parse_html(text)` returns the plain text and the Bot API entities, or raises
`EntityParseError` with the message Telegram puts after "can't parse entities: ".
Offsets are byte offsets into the UTF-8 text, as Telegram reports them. `format_text` and
`check_text` apply it (or explicit entities) to a message and raise Telegram's 400 errors.

One rule is stricter than Telegram: a bare `&` that starts no valid entity is rejected
(Telegram passes it through, but its documentation requires `&amp;`). Pass
`strict_ampersand=False` to get Telegram's lenient behaviour.
"""

from __future__ import annotations

import re
from typing import Any

from tests.fakegram.markup import decode
from tests.fakegram.state import bad_request

ALLOWED_TAGS = frozenset(
    [
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "span",
        "pre",
        "code",
        "blockquote",
    ]
)
SIMPLE_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}
NAMED_ENTITIES = {b"lt": ord("<"), b"gt": ord(">"), b"amp": ord("&"), b"quot": ord('"')}
SPACES = frozenset(b" \t\r\n\v\x00")
SPECIAL = re.compile(b"[&<]")
TRIM = " \t\r\n\v\f"


class EntityParseError(ValueError):
    """Raised when Telegram would answer "can't parse entities"."""


def utf16_len(text: str) -> int:
    """Return the length of text in UTF-16 code units, as Telegram counts it."""
    return len(text.encode("utf-16-le")) // 2


def _decode_entity(data: bytes, pos: int) -> tuple[int, int]:
    """Decode the HTML entity at pos; return (code point or 0, position after it)."""
    end = pos + 1
    code = 0
    if data[end : end + 1] == b"#":
        end += 1
        if data[end : end + 1] == b"x":
            end += 1
            while end < len(data) and chr(data[end]) in "0123456789abcdefABCDEF":
                code = code * 16 + int(chr(data[end]), 16)
                end += 1
        else:
            while end < len(data) and 48 <= data[end] <= 57:
                code = code * 10 + data[end] - 48
                end += 1
        if code == 0 or code >= 0x10FFFF or end - pos >= 10 or 0xD800 <= code <= 0xDFFF:
            return 0, pos
    else:
        while end < len(data) and chr(data[end]).isascii() and chr(data[end]).isalpha():
            end += 1
        code = NAMED_ENTITIES.get(data[pos + 1 : end], 0)
        if code == 0:
            return 0, pos
    if data[end : end + 1] == b";":
        end += 1
    return code, end


def _checked_url(url: str) -> str | None:
    """Return the URL Telegram would keep for a text link, or None to drop the link."""
    url = url.strip()
    if not url or any(c in url for c in ' \n\t<>"'):
        return None
    scheme, sep, _ = url.partition("://")
    if sep:
        return url if scheme.lower() in {"http", "https", "tg", "ton", "tonsite"} else None
    if url.lower().startswith("tg:"):
        return url
    host = url.split("/", 1)[0]
    return f"http://{url}" if "." in host else None


class _Parser:
    """One pass over the UTF-8 bytes of a message, as tdlib does it."""

    def __init__(self, text: str, strict_ampersand: bool) -> None:
        self.data = text.encode("utf-8")
        self.strict = strict_ampersand
        self.out = bytearray()
        self.utf16 = 0
        self.stack: list[tuple[str, str, int, int]] = []
        self.entities: list[dict[str, Any]] = []

    def at(self, i: int) -> int:
        """Return the byte at i, or 0 past the end (tdlib's terminating NUL)."""
        return self.data[i] if i < len(self.data) else 0

    def emit(self, raw: bytes) -> None:
        """Append decoded bytes (whole characters) to the plain text; advance the UTF-16 offset."""
        try:
            self.utf16 += len(raw.decode("utf-8").encode("utf-16-le")) // 2
        except UnicodeDecodeError:  # not whole characters: count lead bytes as tdlib does
            for byte in raw:
                if byte & 0xC0 != 0x80:
                    self.utf16 += 2 if byte >= 0xF0 else 1
        self.out += raw

    def run(self) -> tuple[str, list[dict[str, Any]]]:
        """Parse the whole text."""
        i = 0
        while i < len(self.data):
            c = self.data[i]
            if c == ord("&"):
                code, end = _decode_entity(self.data, i)
                if code:
                    self.emit(chr(code).encode("utf-8"))
                    i = end
                    continue
                if self.strict:
                    raise EntityParseError(
                        f"Character '&' is reserved and must be escaped as \"&amp;\" "
                        f"at byte offset {i}"
                    )
                self.emit(b"&")  # a bare "&" (lenient mode) stays as it is
                i += 1
                continue
            if c != ord("<"):  # plain text up to the next "&" or "<", in one piece
                special = SPECIAL.search(self.data, i)
                end = special.start() if special else len(self.data)
                self.emit(self.data[i:end])
                i = end
                continue
            i = self.end_tag(i) if self.at(i + 1) == ord("/") else self.start_tag(i)
        if self.stack:
            raise EntityParseError(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1][0]}"'
            )
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return self.out.decode("utf-8"), self.entities

    def start_tag(self, begin: int) -> int:
        """Parse a start tag at begin; return the position after it."""
        i = begin + 1
        while self.at(i) not in SPACES and self.at(i) != ord(">"):
            i += 1
        if self.at(i) == 0:
            raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
        tag = self.data[begin + 1 : i].decode("utf-8", "replace").lower()
        if tag not in ALLOWED_TAGS:
            raise EntityParseError(f'Unsupported start tag "{tag}" at byte offset {begin}')
        argument = ""
        while self.at(i) != ord(">"):
            while self.at(i) != 0 and self.at(i) in SPACES:
                i += 1
            if self.at(i) == ord(">"):
                break
            name_begin = i
            while self.at(i) not in SPACES and self.at(i) not in (ord("="), ord(">")):
                i += 1
            name = self.data[name_begin:i].decode("utf-8", "replace")
            if not name:
                raise EntityParseError(
                    f'Empty attribute name in the tag "{tag}" at byte offset {begin}'
                )
            while self.at(i) != 0 and self.at(i) in SPACES:
                i += 1
            if self.at(i) != ord("="):
                if tag == "blockquote" and name == "expandable":
                    argument = "1"
                    continue
                raise EntityParseError(
                    "Expected equal sign in declaration of an attribute of the tag "
                    f'"{tag}" at byte offset {begin}'
                )
            i += 1
            while self.at(i) != 0 and self.at(i) in SPACES:
                i += 1
            if self.at(i) == 0:
                raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')
            value, i = self.attribute_value(i)
            if self.at(i) == 0:
                raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
            argument = self.argument_for(tag, name, value, argument)
        if tag == "span" and argument != "spoiler":
            raise EntityParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {begin}'
            )
        self.stack.append((tag, argument, self.utf16, len(self.out)))
        return i + 1

    def attribute_value(self, i: int) -> tuple[str, int]:
        """Read a quoted string or a name token starting at i."""
        quote = self.at(i)
        if quote not in (ord("'"), ord('"')):
            begin = i
            while (self.at(i) < 128 and chr(self.at(i)).isalnum()) or self.at(i) in b".-":
                i += 1
            if self.at(i) not in SPACES and self.at(i) != ord(">"):
                raise EntityParseError(f"Unexpected end of name token at byte offset {begin}")
            return self.data[begin:i].decode().lower(), i
        i += 1
        value = bytearray()
        while self.at(i) != quote and self.at(i) != 0:
            if self.at(i) == ord("&"):
                code, end = _decode_entity(self.data, i)
                if code:
                    value += chr(code).encode("utf-8")
                    i = end
                    continue
            value.append(self.at(i))
            i += 1
        if self.at(i) == quote:
            i += 1
        return value.decode("utf-8", "replace"), i

    @staticmethod
    def argument_for(tag: str, name: str, value: str, current: str) -> str:
        """Return the tag argument an attribute sets (href, language, class, emoji id)."""
        if tag == "a" and name == "href":
            return value
        if tag == "code" and name == "class" and value.startswith("language-"):
            return value[9:]
        if tag == "span" and name == "class" and value.startswith("tg-"):
            return value[3:]
        if tag == "tg-emoji" and name == "emoji-id":
            return value
        return current

    def end_tag(self, begin: int) -> int:
        """Parse an end tag at begin, emit its entity; return the position after it."""
        if not self.stack:
            raise EntityParseError(f"Unexpected end tag at byte offset {begin}")
        i = begin + 2
        while self.at(i) not in SPACES and self.at(i) != ord(">"):
            i += 1
        name = self.data[begin + 2 : i].decode("utf-8", "replace").lower()
        while self.at(i) != 0 and self.at(i) in SPACES:
            i += 1
        if self.at(i) != ord(">"):
            raise EntityParseError(f"Unclosed end tag at byte offset {begin}")
        tag, argument, offset, out_begin = self.stack[-1]
        if name and name != tag:
            raise EntityParseError(
                f'Unmatched end tag at byte offset {begin}, expected "</{tag}>", found "</{name}>"'
            )
        self.stack.pop()
        if self.utf16 > offset:
            self.add_entity(tag, argument, offset, self.utf16 - offset, out_begin)
        return i + 1

    def add_entity(self, tag: str, argument: str, offset: int, length: int, start: int) -> None:
        """Record the entity a closed tag produces."""
        entity: dict[str, Any] = {"offset": offset, "length": length}
        last = self.entities[-1] if self.entities else None
        same = last is not None and (last["offset"], last["length"]) == (offset, length)
        if tag in SIMPLE_TYPES:
            entity["type"] = SIMPLE_TYPES[tag]
        elif tag == "tg-emoji":
            if not argument.isdigit() or int(argument) == 0:
                raise EntityParseError("Invalid custom emoji identifier specified")
            entity.update(type="custom_emoji", custom_emoji_id=argument)
        elif tag == "a":
            url = _checked_url(argument or self.out[start:].decode("utf-8", "replace"))
            if url is None:
                return
            entity.update(type="text_link", url=url)
        elif tag == "blockquote":
            entity["type"] = "expandable_blockquote" if argument else "blockquote"
        elif tag == "pre":
            if same and last and last["type"] == "code" and last.get("language"):
                last["type"] = "pre"
                return
            entity["type"] = "pre"
        else:  # code
            if same and last and last["type"] == "pre" and argument:
                last["language"] = argument
                return
            entity.update(type="code", language=argument)
        self.entities.append(entity)


def parse_html(text: str, *, strict_ampersand: bool = True) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram HTML; return the plain text and its entities."""
    plain, entities = _Parser(text, strict_ampersand).run()
    for entity in entities:
        if entity["type"] == "code":
            entity.pop("language", None)
    return plain, entities


def trim_text(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Strip leading and trailing whitespace as Telegram does, moving entities along."""
    stripped = text.strip(TRIM)
    if stripped == text:
        return text, entities
    lead = utf16_len(text[: len(text) - len(text.lstrip(TRIM))])
    size = utf16_len(stripped)
    kept = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, size)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return stripped, kept


def format_text(
    text: str, parse_mode: str, raw_entities: str, *, strict_ampersand: bool = True
) -> tuple[str, list[dict[str, Any]]]:
    """Turn text + parse_mode (or explicit entities) into trimmed plain text and entities."""
    if len(text.encode("utf-8")) > 1 << 15:
        raise bad_request("text is too long")
    mode = parse_mode.strip().lower()
    entities: list[dict[str, Any]] = []
    if text and mode and mode != "none":
        if mode == "html":
            try:
                text, entities = parse_html(text, strict_ampersand=strict_ampersand)
            except EntityParseError as error:
                raise bad_request(f"can't parse entities: {error}") from None
        elif mode not in ("markdown", "markdownv2"):
            raise bad_request("unsupported parse_mode")
    elif raw_entities:
        value = decode(raw_entities, "entities")
        entities = [e for e in value if isinstance(e, dict)] if isinstance(value, list) else []
    return trim_text(text, entities)


def check_text(plain: str) -> None:
    """Apply Telegram's limits to a message text after entity parsing."""
    if not plain:
        raise bad_request("message must be non-empty")
    if utf16_len(plain) > 4096:
        raise bad_request("message is too long")
