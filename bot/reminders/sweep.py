"""The daily sweep: a digest for each director, overdue alerts for supervisors and the county.

The digests themselves are computed in bot/reminders/digests.py; this module runs the sweep
once a day, queues their parameters in the outbox (rendered only when sent), and answers the
on-demand "due" and "overdue" menus.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.forms import drafts
from bot.forms.registry import get_form
from bot.i18n import N_, Translator
from bot.lifecycle.ageing import prompt_aged_out, prompt_unqualified
from bot.notify.outbox import Queued, enqueue_many
from bot.notify.render import Renderer
from bot.people.roles import Role
from bot.reminders.digests import (
    DUE_WITHIN,
    Digest,
    Item,
    director_lines,
    director_notice,
    director_rows,
    villages_due,
)
from bot.reminders.overdue_alerts import OverdueAlerts
from bot.reminders.placeholders import placeholder_digests
from bot.reminders.texts import ReminderTexts, director_text, visit_buttons
from bot.reply import Reply
from storage import child_queries, recipient_queries, reminder_queries
from storage.recipient_queries import Recipient

if TYPE_CHECKING:
    from storage.db import Database

__all__ = [
    "DUE_WITHIN",
    "JOB",
    "Digest",
    "Recipient",
    "SweepResult",
    "daily_digests",
    "due_items",
    "due_message",
    "html_to_text",
    "quiet_until",
    "sweep",
    "sweep_in_chunks",
]

JOB = "reminders"
OUTBOX_BATCH = 250  # digests per outbox round trip; an alert can be tens of KB, so not more
# How long a chunked sweep holds the day before another process may carry it on; each
# committed batch renews it, and a batch takes milliseconds.
LEASE = timedelta(minutes=2)


def due_items(*, session: Session, area_prefix: str, horizon: date, today: date) -> list[Item]:
    """What falls due by `horizon` (or is overdue) in an area, the most urgent first."""
    found = villages_due(session, today, horizon=horizon, area_prefix=area_prefix)
    return sorted(item for _, items in found for item in items)


def due_message(items: Sequence[Item], t: Translator, *, overdue_only: bool) -> Reply:
    """The on-demand list: a director's due visits, or a supervisor's overdue children."""
    if not items:
        return Reply(
            t(N_("reminder.nothing_overdue") if overdue_only else N_("reminder.nothing_due"))
        )
    texts = ReminderTexts(t)
    children = {child_id: name for _, name, child_id, _, _, _ in items}  # first mention first
    lines = [
        shown.join(texts.director_line(kind, due.on, due.days_overdue))
        for _, _, _, kind, due, shown in items
    ]
    buttons = [] if overdue_only else visit_buttons(texts, children)
    return Reply(director_text(texts, len(children), lines, []), buttons)


def quiet_until(local_now: datetime, quiet: tuple[time, time] | None) -> datetime:
    """Return when a reminder may go out: now, or the end of the quiet hours it falls in."""
    if quiet is None:
        return local_now
    start, end = quiet
    clock = local_now.time()
    inside = (start <= clock or clock < end) if start > end else (start <= clock < end)
    if not inside:
        return local_now
    end_day = local_now.date() if clock < end else local_now.date() + timedelta(days=1)
    return datetime.combine(end_day, end, tzinfo=local_now.tzinfo)


def daily_digests(
    *,
    session: Session,
    today: date,
    now: datetime,
    mark_drafts: bool = True,
    mentioned: list[int] | None = None,
) -> Iterator[Digest]:
    """Yield a digest for each director with children due within 7 days or overdue, a reminder
    for each with files to complete, then the supervisors' and admins' alerts when a period
    ended yesterday.

    With `mark_drafts`, a director's drafts untouched for 3 days are named, and marked as named;
    given `mentioned`, their ids are appended to it instead, for the caller to mark.
    """
    directors = recipient_queries.enrolled_staff_by_unit(session=session, role=Role.DIRECTOR)
    stale = drafts.stale_drafts(session=session, now=now) if mark_drafts else {}
    # Every period (month or quarter) starts on the first of a month.
    alerts = OverdueAlerts(session) if today.day == 1 else None
    rows_of = director_rows()
    # Files still without an ID number are named every day until the number is added.
    no_id = child_queries.children_without_id(session=session)

    def titles_of(director: Recipient) -> list[str]:
        titles = []
        for draft in stale.get(director.id, ()):
            if mentioned is None:
                draft.stale_mentioned = True
            else:
                mentioned.append(draft.id or 0)
            titles.append(get_form(draft.form).title)
        return titles

    for village, items in villages_due(session, today):
        people = directors.get(village, ())
        lines = director_lines(items, rows_of) if people else {}
        unregistered = no_id.pop(village, [])
        for director in people:
            notice = director_notice(lines, titles_of(director), unregistered)
            yield Digest(director, "director", notice)
        if alerts is not None:
            alerts.add(village, items)
    yield from placeholder_digests(session, directors)
    for village, unregistered in no_id.items():
        for director in directors.get(village, ()):
            yield Digest(
                director, "director", director_notice({}, titles_of(director), unregistered)
            )
    if alerts is not None:
        yield from alerts.digests()


@dataclass(frozen=True)
class SweepResult:
    ran: bool
    count: int = 0
    digests: Sequence[Digest] = ()  # kept only when the caller asks to collect them
    messages: Sequence[tuple[Recipient, Reply]] = ()  # the same, rendered (given a renderer)


def sweep(
    *,
    session: Session,
    today: date,
    now: datetime,
    tz: ZoneInfo,
    quiet: tuple[time, time] | None,
    dry_run: bool = False,
    collect: bool = True,
    renderer: Renderer | None = None,
    on_message: Callable[[Recipient, Reply], None] | None = None,
) -> SweepResult:
    """Build the day's digests once; queue them in the outbox unless it is a dry run.

    The outbox gets each digest's parameters; the sender renders them when it sends. Given a
    `renderer`, each digest is also rendered here in its recipient's language (a preview), for
    `on_message` and the collected digests. `collect=False` keeps none in memory.
    """
    if not dry_run and not reminder_queries.claim_day(
        session=session, job=JOB, day=today, started_at=now
    ):
        return SweepResult(False)
    digests: list[Digest] = []
    pending: list[Queued] = []
    not_before = quiet_until(now.astimezone(tz), quiet)
    count = 0
    shared, shared_json = None, ""  # an alert's recipients share one notice: its JSON is made once
    for digest in daily_digests(session=session, today=today, now=now, mark_drafts=not dry_run):
        count += 1
        if renderer is not None:
            message = renderer.render(digest.notice, digest.recipient.locale)
            if on_message is not None:
                on_message(digest.recipient, message)
            if collect:
                digest = Digest(digest.recipient, digest.kind, digest.notice, message)
        if collect:
            digests.append(digest)
        if dry_run:
            continue
        if digest.notice is not shared:
            shared, shared_json = digest.notice, digest.notice.to_json()
        pending.append(_queued(digest, today, not_before, shared_json))
        if len(pending) >= OUTBOX_BATCH:
            enqueue_many(session=session, messages=pending, now=now)
            pending.clear()
    if pending:
        enqueue_many(session=session, messages=pending, now=now)
    if not dry_run:
        prompt_aged_out(session=session, today=today, now=now)
        prompt_unqualified(session=session, now=now)
    messages = [(d.recipient, d.message) for d in digests if d.message is not None]
    return SweepResult(True, count, digests, messages)


def sweep_in_chunks(
    *,
    db: Database,
    today: date,
    now: datetime,
    tz: ZoneInfo,
    quiet: tuple[time, time] | None,
    clock: Callable[[], datetime] | None = None,
) -> SweepResult:
    """Run the day's sweep if it is due, committing its digests batch by batch.

    Each batch commits on its own, so a chat write waits for one batch, never the whole sweep
    (on SQLite a writing transaction holds the one write lock). A run that dies mid-way leaves
    its lease to run out; the next one reads everything again and queues only what is missing,
    since each digest's outbox key is unique per recipient and day.
    """
    clock = clock or (lambda: now)
    due = db.read(lambda s: reminder_queries.day_due(session=s, job=JOB, day=today, now=now))
    if not due or not db.call(
        lambda s: reminder_queries.lease_day(session=s, job=JOB, day=today, now=now, lease=LEASE)
    ):
        return SweepResult(False)
    not_before = quiet_until(now.astimezone(tz), quiet)

    def commit(batch: Sequence[Queued], mentioned: Sequence[int]) -> None:
        def work(session: Session) -> None:
            enqueue_many(session=session, messages=batch, now=now)
            reminder_queries.mark_drafts_mentioned(session=session, draft_ids=mentioned)
            until = clock() + LEASE
            reminder_queries.renew_lease(session=session, job=JOB, day=today, until=until)

        db.call(work)

    # One read (a snapshot, without the write lock) feeds many short writing transactions.
    count = db.read(
        lambda s: _queue_in_batches(
            session=s, today=today, now=now, not_before=not_before, commit=commit
        )
    )
    # Children past their category's age limit: their directors are asked once (bot.lifecycle).
    db.call(lambda s: prompt_aged_out(session=s, today=today, now=now))
    db.call(lambda s: prompt_unqualified(session=s, now=now))
    db.call(
        lambda s: reminder_queries.finish_day(
            session=s, job=JOB, day=today, now=clock(), recipients=count
        )
    )
    return SweepResult(True, count)


def _queue_in_batches(
    *,
    session: Session,
    today: date,
    now: datetime,
    not_before: datetime,
    commit: Callable[[Sequence[Queued], Sequence[int]], None],
) -> int:
    """Hand the day's digests to `commit` a batch at a time, with the drafts they name."""
    pending: list[Queued] = []
    mentioned: list[int] = []
    count = 0
    shared, shared_json = None, ""  # an alert's recipients share one notice: its JSON is made once
    digests = daily_digests(session=session, today=today, now=now, mentioned=mentioned)
    for digest in digests:
        count += 1
        if digest.notice is not shared:
            shared, shared_json = digest.notice, digest.notice.to_json()
        pending.append(_queued(digest, today, not_before, shared_json))
        if len(pending) >= OUTBOX_BATCH:
            commit(pending, mentioned)
            pending.clear()
            mentioned.clear()
    if pending or mentioned:
        commit(pending, mentioned)
    return count


def _queued(digest: Digest, today: date, not_before: datetime, payload: str) -> Queued:
    return Queued(
        key=f"remind:{digest.kind}:{digest.recipient.id}:{today}",
        recipient=digest.recipient,
        message=digest.notice,
        not_before=not_before,
        event=f"reminder:{today}",
        payload=payload,
    )


def html_to_text(text: str) -> str:
    """Drop the HTML tags of a chat message, for printing at the command line."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))
