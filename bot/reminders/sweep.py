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
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.forms import drafts
from bot.forms.registry import get_form
from bot.i18n import N_, Translator
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
from bot.reminders.texts import ReminderTexts, director_text, visit_buttons
from bot.reply import Reply
from storage import recipient_queries, reminder_queries
from storage.recipient_queries import Recipient

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
]

JOB = "reminders"
OUTBOX_BATCH = 250  # digests per outbox round trip; an alert can be tens of KB, so not more


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
    *, session: Session, today: date, now: datetime, mark_drafts: bool = True
) -> Iterator[Digest]:
    """Yield a digest for each director with children due within 7 days or overdue, then the
    supervisors' and admins' alerts when a period ended yesterday.

    With `mark_drafts`, a director's drafts untouched for 3 days are named, and marked as named.
    """
    directors = recipient_queries.enrolled_staff_by_unit(session=session, role=Role.DIRECTOR)
    stale = drafts.stale_drafts(session=session, now=now) if mark_drafts else {}
    # Every period (month or quarter) starts on the first of a month.
    alerts = OverdueAlerts(session) if today.day == 1 else None
    rows_of = director_rows()
    for village, items in villages_due(session, today):
        people = directors.get(village, ())
        lines = director_lines(items, rows_of) if people else {}
        for director in people:
            titles = []
            for draft in stale.get(director.id, ()):
                draft.stale_mentioned = True
                titles.append(get_form(draft.form).title)
            yield Digest(director, "director", director_notice(lines, titles))
        if alerts is not None:
            alerts.add(village, items)
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
        pending.append(
            Queued(
                key=f"remind:{digest.kind}:{digest.recipient.id}:{today}",
                recipient=digest.recipient,
                message=digest.notice,
                not_before=not_before,
                event=f"reminder:{today}",
                payload=shared_json,
            )
        )
        if len(pending) >= OUTBOX_BATCH:
            enqueue_many(session=session, messages=pending, now=now)
            pending.clear()
    if pending:
        enqueue_many(session=session, messages=pending, now=now)
    messages = [(d.recipient, d.message) for d in digests if d.message is not None]
    return SweepResult(True, count, digests, messages)


def html_to_text(text: str) -> str:
    """Drop the HTML tags of a chat message, for printing at the command line."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))
