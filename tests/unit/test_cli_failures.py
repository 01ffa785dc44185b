"""When the database cannot be used, the command line says so in one sentence and exits 1;
library loggers stay quiet at INFO so an idle bot's log holds only its own lines."""

from __future__ import annotations

import logging
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from apscheduler.schedulers.background import BackgroundScheduler

from bot.cli import main
from bot.logs import QUIET_LIBRARIES, configure_logging
from bot.settings import PROJECT_ROOT
from tests.conftest import TEST_DATA_KEY


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BOT_LOCALE", "en")
    monkeypatch.setenv("DATA_KEY", TEST_DATA_KEY)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)


def one_sentence(stderr: str) -> str:
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


def test_cli__postgresql_not_running__one_sentence_password_hidden_exit_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://guanai:secret@127.0.0.1:1/guanai")
    assert main(["org", "list"]) == 1
    line = one_sentence(capsys.readouterr().err)
    assert line.startswith("Cannot use the database postgresql://guanai:***@127.0.0.1:1/guanai")
    assert "secret" not in line and "Connection refused" in line


def test_cli__schema_not_created__one_sentence_naming_db_upgrade(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    assert main(["staff", "list"]) == 1
    line = one_sentence(capsys.readouterr().err)
    assert "no such table" in line and "python -m bot db upgrade" in line


def test_cli__unwritable_sqlite_path__one_sentence_from_the_real_process(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "BOT_LOCALE": "en", "DATABASE_URL": "sqlite:////proc/guanai.db"}
    for command in (["db", "upgrade"], ["org", "list"]):
        done = subprocess.run(
            [sys.executable, "-m", "bot", *command],
            cwd=tmp_path,
            env={**env, "PYTHONPATH": str(PROJECT_ROOT)},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 1, done.stderr
        line = one_sentence(done.stderr)
        assert line.startswith("Cannot use the database sqlite:////proc/guanai.db: unable to open")


@pytest.fixture
def restored_loggers() -> Iterator[None]:
    names = ("", *QUIET_LIBRARIES)
    levels = {name: logging.getLogger(name).level for name in names}
    yield
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


@pytest.mark.usefixtures("restored_loggers")
def test_configure_logging__scheduler_running_jobs__no_library_info_lines(
    caplog: pytest.LogCaptureFixture,
) -> None:
    configure_logging()
    runs: list[float] = []
    scheduler = BackgroundScheduler()
    scheduler.add_job(lambda: runs.append(time.monotonic()), "interval", seconds=0.05)
    with caplog.at_level(logging.INFO):
        scheduler.start()
        time.sleep(0.6)
        scheduler.shutdown()
    assert len(runs) >= 5
    assert [r.getMessage() for r in caplog.records if r.name.startswith("apscheduler")] == []
    assert all(
        logging.getLogger(name).getEffectiveLevel() == logging.WARNING for name in QUIET_LIBRARIES
    )
    assert logging.getLogger("bot.jobs").getEffectiveLevel() == logging.INFO
