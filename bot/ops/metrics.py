"""Prometheus metrics: what this process did, and what waits in the database at each scrape.

Counters and histograms live in the process (the default registry, with the process's own CPU
and memory); the backlogs and escalations are read from the database when /metrics is asked,
so every process shows the same deployment-wide numbers. Labels name kinds and states, never
people, chats or texts.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric

from bot.ops.state import OpsState, age

UPDATE_KINDS = ("message", "callback", "other")

UPDATES_HANDLED = Counter(
    "guanai_updates_handled", "Updates whose handlers ran, by kind.", ["kind"]
)
HANDLER_SECONDS = Histogram(
    "guanai_update_handler_seconds", "Time spent running one update's handlers.", ["kind"]
)
OUTBOX_SENT = Counter("guanai_outbox_sent", "Outbox messages delivered.")
OUTBOX_FAILED = Counter(
    "guanai_outbox_failed",
    "Outbox messages given up on: failed (refused by Telegram) or undeliverable (recipient "
    "blocked the bot or lost access).",
    ["state"],
)
SWEEP_SECONDS = Histogram(
    "guanai_sweep_duration_seconds",
    "Duration of the daily reminder sweep runs this process did.",
    buckets=(1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600),
)
for _kind in UPDATE_KINDS:  # shown from the start, at zero, so rates have a beginning
    UPDATES_HANDLED.labels(_kind)
    HANDLER_SECONDS.labels(_kind)
for _state in ("failed", "undeliverable"):
    OUTBOX_FAILED.labels(_state)


def update_kind(update: Any) -> str:
    """Name what kind of update this is: a message, a button press (callback) or other."""
    if getattr(update, "callback_query", None) is not None:
        return "callback"
    if getattr(update, "message", None) is not None:
        return "message"
    return "other"


@contextmanager
def handling(update: Any) -> Iterator[None]:
    """Count one update's handling and time it, whatever the handlers did."""
    kind = update_kind(update)
    started = time.perf_counter()
    try:
        yield
    finally:
        HANDLER_SECONDS.labels(kind).observe(time.perf_counter() - started)
        UPDATES_HANDLED.labels(kind).inc()


def outbox_sent() -> None:
    """Count one outbox message delivered (all its parts)."""
    OUTBOX_SENT.inc()


def outbox_gave_up(*, permanent: bool) -> None:
    """Count one outbox message given up on."""
    OUTBOX_FAILED.labels("failed" if permanent else "undeliverable").inc()


def sweep_took(started: float) -> None:
    """Record a sweep run that began at `started` (time.perf_counter()) and ended now."""
    SWEEP_SECONDS.observe(time.perf_counter() - started)


class DatabaseCollector:
    """Gauges of one database reading (or only `guanai_database_up 0` without one)."""

    def __init__(self, state: OpsState | None) -> None:
        self.state = state

    def collect(self) -> Iterable[Metric]:
        """Yield the gauges."""
        state = self.state
        up = GaugeMetricFamily("guanai_database_up", "1 when the database answered the scrape.")
        up.add_metric([], 0.0 if state is None else 1.0)
        yield up
        if state is None:
            return
        yield _gauge("guanai_database_latency_seconds", "Time for a trivial query.", state.latency)
        yield _gauge("guanai_inbox_backlog", "Updates stored but not finished.", state.inbox.size)
        yield _gauge(
            "guanai_inbox_oldest_age_seconds",
            "How long the oldest unfinished update has waited (0 when none).",
            age(state.inbox.oldest, state.now) or 0.0,
        )
        backlog = GaugeMetricFamily(
            "guanai_outbox_backlog", "Outbox messages waiting, by state.", labels=["state"]
        )
        backlog.add_metric(["pending"], state.outbox_pending)
        backlog.add_metric(["sending"], state.outbox_sending)
        yield backlog
        yield _gauge(
            "guanai_outbox_oldest_due_age_seconds",
            "How long the pending message due longest ago has waited (0 when none).",
            age(state.outbox_oldest_due, state.now) or 0.0,
        )
        yield from _escalation_gauges(state)
        if state.last_sweep is not None:
            yield _gauge(
                "guanai_sweep_last_started_timestamp_seconds",
                "When the newest daily sweep started.",
                state.last_sweep.started_at.timestamp(),
            )
            yield _gauge(
                "guanai_sweep_last_finished",
                "1 when the newest daily sweep finished.",
                float(state.last_sweep.finished_at is not None),
            )


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


def _escalation_gauges(state: OpsState) -> Iterable[Metric]:
    labels = ["state", "level", "urgency"]
    count = GaugeMetricFamily(
        "guanai_escalations", "Escalations open or acknowledged, not resolved.", labels=labels
    )
    oldest = GaugeMetricFamily(
        "guanai_escalation_oldest_age_seconds",
        "Age of the oldest escalation in each group, from when it was raised.",
        labels=labels,
    )
    for group in state.escalations:
        values = [group.state, group.level, "urgent" if group.urgent else "normal"]
        count.add_metric(values, group.total)
        oldest.add_metric(values, age(group.oldest_raised_at, state.now) or 0.0)
    yield count
    yield oldest


def exposition(state: OpsState | None) -> bytes:
    """Render the process's metrics and the database gauges in Prometheus text format."""
    database = CollectorRegistry(auto_describe=False)
    database.register(DatabaseCollector(state))
    return generate_latest(REGISTRY) + generate_latest(database)
