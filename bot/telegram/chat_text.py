"""Telegram's limit on one message's text, and splitting longer HTML texts where it is safe.

Telegram counts a message's length in UTF-16 code units of the text after entity parsing (`&amp;`
is one, `<b>` is none). Here the HTML as sent is measured instead: it is never shorter, so a part
that fits here fits there, and 4,096 code units are at most 12,288 UTF-8 bytes, well inside the
32 KiB Telegram takes before parsing.
"""

from __future__ import annotations

import html
import re

MESSAGE_LIMIT = 4096

# One escaped unit of Telegram HTML: a tag, an entity, or a single character.
_UNIT = re.compile(r"<[^<>]*>|&#?\w+;|.", re.DOTALL)
_TAG = re.compile(r"<(/?)([a-zA-Z][\w-]*)[^>]*>")
_ANY_TAG = re.compile(r"<[^<>]*>")

OpenTags = tuple[tuple[str, str], ...]  # (name, opening tag as written), outermost first


def text_length(text: str) -> int:
    """The length Telegram counts: UTF-16 code units (an emoji outside the BMP counts two)."""
    return len(text.encode("utf-16-le", errors="surrogatepass")) // 2


def _after(open_tags: OpenTags, unit: str) -> OpenTags:
    """The tags open after `unit`: an opening tag is pushed, a closing tag pops its match."""
    found = _TAG.fullmatch(unit)
    if not found:
        return open_tags
    name = found[2].lower()
    if not found[1]:
        return (*open_tags, (name, unit))
    for index in range(len(open_tags) - 1, -1, -1):
        if open_tags[index][0] == name:
            return open_tags[:index] + open_tags[index + 1 :]
    return open_tags


def _closing(open_tags: OpenTags) -> str:
    return "".join(f"</{name}>" for name, _ in reversed(open_tags))


def _visible(part: str) -> bool:
    """Whether the part shows anything (Telegram refuses a text that is empty once trimmed)."""
    return bool(html.unescape(_ANY_TAG.sub("", part)).strip())


def _lines(units: list[str], sizes: list[int]) -> tuple[list[int], list[int]]:
    """The line number of each unit (a newline ends its line) and the size of each line."""
    line_of: list[int] = []
    line_sizes = [0]
    for unit, size in zip(units, sizes, strict=True):
        line_of.append(len(line_sizes) - 1)
        line_sizes[-1] += size
        if unit == "\n":
            line_sizes.append(0)
    return line_of, line_sizes


def split_html(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split HTML into parts within the limit: between lines; a line longer than a message after
    a space or else between escaped units. A tag open at a cut is closed and opened again."""
    units = _UNIT.findall(text)
    sizes = [text_length(unit) for unit in units]
    line_of, line_sizes = _lines(units, sizes)
    parts: list[str] = []
    start = 0
    open_tags: OpenTags = ()
    while start < len(units):
        reopen = "".join(tag for _, tag in open_tags)
        size, tags, index = text_length(reopen), open_tags, start
        # The last newline and the last space taken into this part, with the tags open there.
        line_cut: tuple[int, OpenTags] | None = None
        space_cut: tuple[int, OpenTags] | None = None
        while index < len(units):
            after = _after(tags, units[index])
            if index > start and size + sizes[index] + text_length(_closing(after)) > limit:
                break
            if units[index] == "\n" and index > start:
                line_cut = (index, tags)
            elif units[index] == " " and index > start:
                space_cut = (index + 1, after)
            size, tags, index = size + sizes[index], after, index + 1
        end, end_tags, next_start = index, tags, index
        if index == len(units):
            pass
        elif units[index] == "\n":
            next_start = index + 1  # the part ends with its line; the newline is dropped
        elif line_cut is not None and line_sizes[line_of[index]] <= limit:
            end, end_tags = line_cut
            next_start = end + 1
        elif space_cut is not None and line_of[space_cut[0] - 1] == line_of[index]:
            end, end_tags = space_cut
            next_start = end
        parts.append(reopen + "".join(units[start:end]) + _closing(end_tags))
        start, open_tags = next_start, end_tags
    return [part for part in parts if _visible(part)]


def split_messages(
    blocks: list[str], limit: int = MESSAGE_LIMIT, separator: str = "\n\n"
) -> list[str]:
    """Join blocks into as few messages as fit the limit; a block longer than it is split."""
    messages: list[str] = []
    current = ""
    for block in blocks:
        pieces = split_html(block, limit) if text_length(block) > limit else [block]
        for piece in pieces:
            candidate = f"{current}{separator}{piece}" if current else piece
            if text_length(candidate) <= limit:
                current = candidate
            else:
                if current:
                    messages.append(current)
                current = piece
    if current:
        messages.append(current)
    return messages
