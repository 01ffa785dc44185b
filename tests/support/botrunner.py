"""Run the real Application against the fake Bot API, in a thread or as a process."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from bot.app import build_application, build_services
from bot.clock import Clock, system_clock
from bot.processes import serve
from bot.settings import PROJECT_ROOT, Settings


class BotThread:
    """The Application of `build_application`, polling through the inbox in a thread of its own."""

    def __init__(self, settings: Settings, clock: Clock = system_clock) -> None:
        self.settings = settings
        self.clock = clock
        self.application: Any = None
        self._serving: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def _call(self, coroutine: Any, timeout: float = 30) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    async def _start(self) -> None:
        self.application = build_application(build_services(self.settings, clock=self.clock))
        self._stopping = asyncio.Event()
        self._serving = asyncio.create_task(serve(self.application, self._stopping, poll_timeout=1))
        while not self.application.running:  # started: post_init ran, the inbox is next
            if self._serving.done():
                self._serving.result()
            await asyncio.sleep(0.01)

    async def _stop(self) -> None:
        if self._serving is None:
            return
        self._stopping.set()
        await self._serving

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

    def __init__(
        self, environment: Mapping[str, str], log_file: Path, args: Sequence[str] = ("run",)
    ) -> None:
        self.environment = environment
        self.log_file = log_file
        self.args = tuple(args)
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> BotProcess:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/tmp"}
        env.update(self.environment)
        with self.log_file.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot", *self.args],
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
