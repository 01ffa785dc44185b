"""Failed jobs log where they failed (types and frames), never what the exception's message says."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from types import SimpleNamespace

import pytest

from bot.care.escalations import EscalationPolicy
from bot.jobs import move_overdue_escalations
from bot.tracebacks import stack_without_messages
from storage.db import Database
from tests.support.clock import FakeClock

PERSONAL = "王小明 350121201501011234"


def _fail_with_personal_data() -> None:
    guardian_name = PERSONAL[:3]
    try:
        {}[guardian_name]
    except KeyError as missing:
        raise ValueError(f"could not save {PERSONAL}") from missing


def test_stack_without_messages__chained_errors__types_and_frames_but_no_message() -> None:
    try:
        _fail_with_personal_data()
    except ValueError as error:
        logged = stack_without_messages(error)
    assert "builtins.KeyError" in logged and "builtins.ValueError" in logged
    assert logged.index("KeyError") < logged.index("ValueError")  # cause first, as Python prints
    assert "_fail_with_personal_data" in logged
    assert PERSONAL not in logged and PERSONAL[:3] not in logged


def test_escalation_job__database_without_tables__traceback_logged_without_the_sql(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = Database(f"sqlite:///{tmp_path / 'empty.db'}")
    services = SimpleNamespace(db=db, clock=FakeClock(), escalation=EscalationPolicy())
    context = SimpleNamespace(application=SimpleNamespace(bot_data={"services": services}))
    try:
        with caplog.at_level(logging.ERROR, logger="bot.jobs"):
            asyncio.run(move_overdue_escalations(context))  # type: ignore[arg-type]
    finally:
        db.dispose()
    (record,) = caplog.records
    logged = record.getMessage()
    assert "escalation sweep failed" in logged
    assert "OperationalError" in logged
    assert "in move_overdue" in logged  # the frame that failed, not only the type
    assert "no such table" not in logged and "SELECT" not in logged
