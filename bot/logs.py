"""Logging set-up for `python -m bot`: the bot's own lines at INFO, library chatter at WARNING."""

from __future__ import annotations

import logging

# APScheduler (under PTB's JobQueue) logs two INFO lines per job run: with the outbox polled
# every 2 s that was about 95,000 lines a day from an idle bot. httpx logs every getUpdates.
QUIET_LIBRARIES = ("apscheduler", "httpx", "httpcore", "telegram.ext")


def configure_logging(level: int = logging.INFO) -> None:
    """Log to stderr at `level`; keep the libraries that log every poll or job run to WARNING."""
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger().setLevel(level)  # basicConfig sets no level when handlers exist already
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
