"""The monthly roll-up: on the first working day of a month, each supervisor and admin gets
their area's chart and a short summary of the month before, once, through the outbox.

The outbox row holds the figures (a few numbers per unit), never the picture: the chart is
drawn when the row is sent (`render_rollup`), in the recipient's language. Figures are read in
a snapshot first, then claimed and queued in one short writing transaction, so a province's
hundreds of areas never hold SQLite's write lock while they are counted.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.i18n import Translator
from bot.notify.notification import Notification
from bot.notify.outbox import Queued, enqueue_many
from bot.oversight.chart import MAX_UNITS, ChartData, UnitBar, render_chart
from bot.oversight.figures import TIERS, Ratio, add_done, add_owed, layout
from bot.oversight.periods import month_slots
from bot.oversight.screen import ratio_text, table
from bot.people.access import Caller
from bot.people.orgs import prefix_of
from bot.people.roles import PERMISSIONS, Action, Role
from bot.reply import Reply
from storage import recipient_queries, reminder_queries, stats_queries
from storage.db import Database
from storage.recipient_queries import Recipient

JOB = "stats.rollup"
KIND = "stats.rollup"
SATURDAY = 5


def first_working_day(day: date) -> date:
    """The first Monday-to-Friday of the month holding `day` (public holidays are not known)."""
    first = day.replace(day=1)
    while first.weekday() >= SATURDAY:
        first += timedelta(days=1)
    return first


def previous_month(day: date) -> date:
    """The first day of the month before the one holding `day`."""
    return (day.replace(day=1) - timedelta(days=1)).replace(day=1)


def receiving_roles() -> list[Role]:
    """Whoever may see statistics gets the roll-up of the area they see."""
    return sorted({role for role, action in PERMISSIONS if action is Action.VIEW_STATS})


def area_summary(
    *, session: Session, caller: Caller, code: str, month: date, today: date, tz: ZoneInfo
) -> dict[str, Any]:
    """The roll-up's figures of an area for `month`: compliance by unit, children by tier,
    children overdue today, and escalations raised and resolved in the month."""
    found = layout(session=session, caller=caller, code=code)
    start = datetime.combine(month, time(), tzinfo=tz)
    end = datetime.combine(month.replace(day=28) + timedelta(days=4), time(), tzinfo=tz)
    end = end.replace(day=1)
    slots = [replace(slot, period="month") for slot in month_slots(month)]
    for count in stats_queries.child_counts(
        session=session,
        area_prefix=found.prefix,
        unit_length=found.unit_length,
        today=today,
        filed_before=end,  # a child filed since the month ended owed it nothing
    ):
        owner = found.owner(count.unit)
        if owner is not None:
            owner.tiers[count.risk_tier] += count.children
    add_owed(found.by_prefix, slots)
    done = stats_queries.visits_done(
        session=session,
        area_prefix=found.prefix,
        unit_length=found.unit_length,
        slots=slots,
        filed_before=end,
    )
    add_done(found.by_prefix, slots, done)
    tiers = dict.fromkeys(TIERS, 0)
    overdue = 0
    for count in stats_queries.child_counts(
        session=session, area_prefix=found.prefix, unit_length=len(found.prefix), today=today
    ):
        tiers[count.risk_tier] = tiers.get(count.risk_tier, 0) + count.children
        overdue += count.overdue
    opened, closed = stats_queries.escalations_opened_closed(
        session=session, area_prefix=found.prefix, start=start, end=end
    )
    total = sum((row.month for row in found.rows), Ratio())
    return {
        "code": found.area.code,
        "area": found.area.name,
        "month": f"{month:%Y-%m}",
        "today": today.isoformat(),
        "units": [[row.name, row.month.done, row.month.required] for row in found.rows],
        "total": [total.done, total.required],
        "tiers": [tiers.get(tier, 0) for tier in TIERS],
        "overdue": overdue,
        "opened": opened,
        "closed": closed,
    }


def _caller(session: Session, recipient: Recipient) -> Caller | None:
    unit = stats_queries.unit(session=session, code=recipient.org_code)
    if unit is None:
        return None
    return Caller(
        recipient.id,
        Role(recipient.role),
        recipient.org_code,
        prefix_of(unit.code, unit.level),
        recipient.locale,
        recipient.name,
    )


def rollup_messages(
    *, session: Session, today: date, tz: ZoneInfo, not_before: datetime
) -> list[Queued]:
    """One roll-up per supervisor and admin, of their own area; areas shared are counted once."""
    month = previous_month(today)
    by_area: dict[str, tuple[Notification, str]] = {}
    messages = []
    for role in receiving_roles():
        people = recipient_queries.enrolled_staff_by_unit(session=session, role=role)
        for code, recipients in sorted(people.items()):
            caller = _caller(session, recipients[0])
            if caller is None:
                continue
            if code not in by_area:
                params = area_summary(
                    session=session, caller=caller, code=code, month=month, today=today, tz=tz
                )
                notice = Notification(KIND, params)
                by_area[code] = (notice, notice.to_json())
            notice, payload = by_area[code]
            messages += [
                Queued(
                    key=f"{KIND}:{recipient.id}:{month:%Y-%m}",
                    recipient=recipient,
                    message=notice,
                    not_before=not_before,
                    event=f"{JOB}:{month:%Y-%m}",
                    payload=payload,
                )
                for recipient in recipients
            ]
    return messages


def queue_rollups(
    *, db: Database, today: date, now: datetime, tz: ZoneInfo, not_before: datetime
) -> int | None:
    """Queue this month's roll-ups if today is on or after its first working day and they were
    not queued yet; return how many were queued (None when not due or done already)."""
    day = first_working_day(today)
    if today < day:
        return None
    if not db.read(lambda s: reminder_queries.day_due(session=s, job=JOB, day=day, now=now)):
        return None
    messages = db.read(
        lambda s: rollup_messages(session=s, today=today, tz=tz, not_before=not_before)
    )

    def claim_and_queue(session: Session) -> int | None:
        if not reminder_queries.claim_day(session=session, job=JOB, day=day, started_at=now):
            return None
        return enqueue_many(session=session, messages=messages, now=now)

    return db.call(claim_and_queue)


def rollup_text(t: Translator, params: dict[str, Any]) -> str:
    """The summary under the chart: the month's compliance, overdue children, escalations."""
    done, required = params["total"]
    ratio = Ratio(done, required)
    shown = "-" if ratio.percent is None else f"{ratio.percent}% ({done}/{required})"
    lines = [
        t("stats.rollup.title", area=params["area"], month=params["month"]),
        t("stats.rollup.compliance", ratio=shown),
        t("stats.overdue", count=params["overdue"]),
        t("stats.rollup.escalations", opened=params["opened"], closed=params["closed"]),
    ]
    rows = [[name, ratio_text(Ratio(d, r))] for name, d, r in params["units"]]
    if len(rows) > 1:
        lines.append(table([t.plain("stats.col.unit"), t.plain("stats.rollup.col")], rows))
    lines.append(t("stats.rollup.more"))
    return "\n".join(lines)


def render_rollup(t: Translator, params: dict[str, Any]) -> Reply:
    """The roll-up as it is sent: the chart as a photo, the summary as its caption or after it."""
    chart = ChartData(
        title=t.plain("stats.rollup.chart_title", area=params["area"], month=params["month"]),
        compliance_title=t.plain("stats.chart.compliance"),
        periods=(t.plain("stats.rollup.col"),),
        units=[UnitBar(name, ((d, r),)) for name, d, r in params["units"]],
        tiers_title=t.plain("stats.chart.tiers"),
        tiers=[
            (tier, t.plain(f"choice.risk.{tier}"), n)
            for tier, n in zip(TIERS, params["tiers"], strict=True)
        ],
        no_data=t.plain("stats.chart.no_data"),
        lowest_note=t.plain("stats.chart.lowest", shown=MAX_UNITS, total=len(params["units"])),
    )
    return Reply(rollup_text(t, params), photo=render_chart(chart))
