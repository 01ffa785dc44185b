"""Run the real Application against the fake Bot API, in a thread or as a process."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bot.app import build_application, build_services
from bot.clock import Clock, system_clock
from bot.settings import PROJECT_ROOT, Settings

ALLOWED_UPDATES = ["message", "callback_query"]


class BotThread:
    """The Application of `build_application`, polling in a thread with its own event loop."""

    def __init__(self, settings: Settings, clock: Clock = system_clock) -> None:
        self.settings = settings
        self.clock = clock
        self.application: Any = None
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def _call(self, coroutine: Any, timeout: float = 30) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    async def _start(self) -> None:
        self.application = build_application(build_services(self.settings, clock=self.clock))
        await self.application.initialize()
        if self.application.post_init:
            await self.application.post_init(self.application)
        await self.application.start()
        await self.application.updater.start_polling(
            poll_interval=0, timeout=1, allowed_updates=ALLOWED_UPDATES
        )

    async def _stop(self) -> None:
        application = self.application
        if application is None:
            return
        if application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
        await application.shutdown()
        if application.post_shutdown:
            await application.post_shutdown(application)

    def start(self) -> BotThread:
        self._thread.start()
        self._call(self._start())
        return self

    def stop(self) -> None:
        try:
            self._call(self._stop())
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)


class BotProcess:
    """`python -m bot run` in a child process, as an operator would start it."""

    def __init__(self, environment: Mapping[str, str], log_file: Path) -> None:
        self.environment = environment
        self.log_file = log_file
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> BotProcess:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/tmp"}
        env.update(self.environment)
        with self.log_file.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot", "run"],
                cwd=PROJECT_ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        return self

    def kill(self) -> None:
        """Stop the process the hard way, as a crash or `kill -9` would."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> int | None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()
        return self.process.returncode if self.process else None

    def output(self) -> str:
        return self.log_file.read_text(encoding="utf-8", errors="replace")
