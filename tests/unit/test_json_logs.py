"""LOG_FORMAT=json: one JSON object per line, tracebacks without the exception's message."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.logs import configure_logging

PERSONAL = "王小明 350121201501011234"


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """Logs of the bot's configuration, as JSON, into a buffer; the handler goes afterwards."""
    root = logging.getLogger()
    level, before = root.level, list(root.handlers)
    stream = io.StringIO()
    configure_logging(log_format="json", stream=stream)
    yield stream
    for handler in [h for h in root.handlers if h not in before]:
        root.removeHandler(handler)
    root.setLevel(level)


def records(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_json_logs__a_line__time_level_logger_message(json_lines: io.StringIO) -> None:
    logging.getLogger("bot.jobs").info("reminder sweep for %s queued %d digests", "2026-11-02", 3)
    (line,) = records(json_lines)
    assert line["level"] == "INFO" and line["logger"] == "bot.jobs"
    assert line["message"] == "reminder sweep for 2026-11-02 queued 3 digests"
    assert str(line["time"]).endswith("+00:00")  # ISO, UTC
    assert set(line) == {"time", "level", "logger", "message"}


def test_json_logs__exception__types_and_frames_without_its_message(
    json_lines: io.StringIO,
) -> None:
    try:
        raise ValueError(f"could not save {PERSONAL}")
    except ValueError:
        logging.getLogger("bot.telegram.inbox").exception("could not store updates")
    (line,) = records(json_lines)
    assert line["level"] == "ERROR" and line["message"] == "could not store updates"
    assert "builtins.ValueError" in str(line["exception"])
    assert "test_json_logs__exception" in str(line["exception"])  # the frame
    assert PERSONAL not in json_lines.getvalue()


def test_json_logs__stack_info__kept(json_lines: io.StringIO) -> None:
    logging.getLogger("bot").warning("where am I", stack_info=True)
    (line,) = records(json_lines)
    assert "test_json_logs__stack_info__kept" in str(line["stack"])


def test_text_logs__exception__types_and_frames_without_its_message() -> None:
    root = logging.getLogger()
    level, before = root.level, list(root.handlers)
    stream = io.StringIO()
    configure_logging(stream=stream)
    try:
        try:
            raise ValueError(f"could not save {PERSONAL}")
        except ValueError:
            logging.getLogger("bot").exception("could not store updates")
    finally:
        for handler in [h for h in root.handlers if h not in before]:
            root.removeHandler(handler)
        root.setLevel(level)
    text = stream.getvalue()
    assert "INFO" not in text and " ERROR bot could not store updates" in text
    assert "builtins.ValueError" in text and PERSONAL not in text


def test_configure_logging__called_twice__one_handler(json_lines: io.StringIO) -> None:
    configure_logging(log_format="json", stream=json_lines)
    logging.getLogger("bot").info("once")
    assert len(records(json_lines)) == 1
