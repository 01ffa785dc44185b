"""Logging set-up for `python -m bot`: the bot's own lines at INFO, library chatter at WARNING.

Lines are text by default, or one JSON object each (`LOG_FORMAT=json`) for a log collector.
Either way a logged exception shows its types and frames only (`bot.tracebacks`): its message
can quote personal data (a database error quotes the row's values).
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import IO, Any

from bot.tracebacks import stack_without_messages

# APScheduler (under PTB's JobQueue) logs two INFO lines per job run: with the outbox polled
# every 2 s that was about 95,000 lines a day from an idle bot. httpx logs every getUpdates.
QUIET_LIBRARIES = ("apscheduler", "httpx", "httpcore", "telegram.ext")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


class TextFormatter(logging.Formatter):
    """The classic one-line format, with tracebacks stripped of exception messages."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        """Render the record; an exception text another handler cached is rendered anew."""
        cached, record.exc_text = record.exc_text, None
        try:
            return super().format(record)
        finally:
            record.exc_text = cached

    def formatException(self, ei: Any) -> str:
        """Render an exception as types and frames."""
        return stack_without_messages(ei[1]) if ei and ei[1] is not None else ""


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (ISO, UTC), level, logger, message, exception, stack."""

    def format(self, record: logging.LogRecord) -> str:
        """Render the record as a line of JSON."""
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and record.exc_info[1] is not None:
            line["exception"] = stack_without_messages(record.exc_info[1])
        if record.stack_info:
            line["stack"] = record.stack_info
        return json.dumps(line, ensure_ascii=False)


class _GuanaiHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The handler `configure_logging` installs (a second call replaces it); without a stream
    of its own it writes to whatever sys.stderr is at the time, as tests swap it."""

    def __init__(self, stream: IO[str] | None) -> None:
        super().__init__(stream)
        self._follows_stderr = stream is None

    def emit(self, record: logging.LogRecord) -> None:
        if self._follows_stderr:
            self.stream = sys.stderr
        super().emit(record)


def configure_logging(
    level: int = logging.INFO, *, log_format: str = "text", stream: IO[str] | None = None
) -> None:
    """Log to stderr (or `stream`) at `level` as text or JSON; keep chatty libraries quieter."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _GuanaiHandler)]:
        root.removeHandler(handler)
    handler = _GuanaiHandler(stream)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    root.addHandler(handler)
    root.setLevel(level)
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
