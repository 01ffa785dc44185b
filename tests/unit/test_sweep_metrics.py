"""The reminder job records how long its sweep took, once per sweep it actually ran."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from types import SimpleNamespace

from prometheus_client import REGISTRY

from bot.app import build_services
from bot.jobs import send_reminders
from bot.settings import Settings
from storage.db import Database
from tests.support.clock import FakeClock
from tests.support.seed import seed_region


def sweeps_timed() -> float:
    return REGISTRY.get_sample_value("guanai_sweep_duration_seconds_count") or 0.0


def test_sweep_job__ran_then_already_done__one_duration_recorded(
    make_settings: Callable[..., Settings], clock: FakeClock, db: Database
) -> None:
    seed_region(db)
    services = build_services(make_settings(), clock=clock)  # 09:00 in Shanghai: time to sweep
    context = SimpleNamespace(application=SimpleNamespace(bot_data={"services": services}))
    before = sweeps_timed()
    try:
        asyncio.run(send_reminders(context))  # type: ignore[arg-type]
        asyncio.run(send_reminders(context))  # type: ignore[arg-type]  # today's is done
    finally:
        services.db.dispose()
    assert sweeps_timed() - before == 1
