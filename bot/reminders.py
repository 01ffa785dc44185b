"""The daily sweep: a digest for each director, overdue alerts for supervisors and the county."""

from __future__ import annotations

import html
import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from itertools import chain, groupby
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import Select, true
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.cadence import Period, period_bounds, requirements_for
from bot.forms import drafts
from bot.forms.registry import get_form
from bot.i18n import N_, Translator, default_i18n
from bot.outbox import Outgoing, enqueue
from storage import queries
from storage.child_models import Child
from storage.models import OrgUnit, Role, Staff
from storage.outbox_models import SweepRun

DUE_WITHIN = timedelta(days=7)
JOB = "reminders"
KIND_LABEL = {"contact": N_("reminder.kind.contact"), "home_visit": N_("reminder.kind.visit")}


class DueChild(NamedTuple):
    """The few columns of a child the sweep needs (whole rows cost too much at scale)."""

    id: int
    name: str
    village_code: str
    risk_tier: str
    next_contact_due: date | None
    next_visit_due: date | None


def _due_statement(area_prefix: str, horizon: date) -> Select:  # type: ignore[type-arg]
    """Children with a stored due date on or before `horizon`, through the due-date indexes."""
    return sa_select(
        col(Child.id),
        col(Child.name),
        col(Child.village_code),
        col(Child.risk_tier),
        col(Child.next_contact_due),
        col(Child.next_visit_due),
    ).where(
        col(Child.closed).is_(False),
        col(Child.village_code).startswith(area_prefix),
        (col(Child.next_contact_due) <= horizon) | (col(Child.next_visit_due) <= horizon),
    )


def _due_children(session: Session, area_prefix: str, horizon: date) -> list[DueChild]:
    statement = _due_statement(area_prefix, horizon)
    return [DueChild(*row) for row in session.execute(statement).all()]


@dataclass(frozen=True)
class DueItem:
    child: DueChild
    kind: str  # contact or home_visit
    due: date
    days_overdue: int
    missed_periods: int = 0


@dataclass
class Digest:
    """One message for one recipient."""

    recipient: Staff
    kind: str  # director, overdue or county
    items: list[DueItem] = field(default_factory=list)
    stale_drafts: list[str] = field(default_factory=list)  # form title keys

    def render(self, t: Translator, village_names: dict[str, str]) -> Outgoing:
        if self.kind == "director":
            return _director_message(self.items, self.stale_drafts, t)
        return _overdue_message(self, t, village_names)


@cache
def _column_requirements(tier: str) -> dict[str, Period]:
    """Which period each stored due date follows for a tier."""
    periods: dict[str, Period] = {}
    for requirement in requirements_for(tier):
        column = "contact" if "contact" in requirement.kinds else "home_visit"
        periods.setdefault(column, requirement.period)
    return periods


def _periods_between(due: date, ended: date, period: Period) -> int:
    """How many whole periods from the one ending on `due` to the one ending on `ended`."""
    count, end = 0, due
    while end <= ended:
        count += 1
        end = period_bounds(end + timedelta(days=1), period)[1]
    return count


def _items(child: DueChild, today: date, horizon: date) -> list[DueItem]:
    found = []
    for kind, due in (("contact", child.next_contact_due), ("home_visit", child.next_visit_due)):
        if due is not None and due <= horizon and kind in _column_requirements(child.risk_tier):
            found.append(DueItem(child, kind, due, max(0, (today - due).days)))
    return found


def _staff(session: Session, role: Role, org_codes: set[str] | None) -> dict[str, list[Staff]]:
    """Active, enrolled staff of a role by unit (of every unit when `org_codes` is None)."""
    statement = (
        select(Staff)
        .where(
            col(Staff.org_code).in_(org_codes) if org_codes is not None else true(),
            Staff.role == role.value,
            col(Staff.active).is_(True),
            col(Staff.telegram_user_id).is_not(None),
        )
        .order_by(col(Staff.id))
    )
    by_org: dict[str, list[Staff]] = defaultdict(list)
    for staff in session.exec(statement).all():
        by_org[staff.org_code].append(staff)
    return by_org


def due_items(*, session: Session, area_prefix: str, horizon: date, today: date) -> list[DueItem]:
    """What falls due by `horizon` (or is overdue) in an area, the most urgent first."""
    items = [
        item
        for child in _due_children(session, area_prefix, horizon)
        for item in _items(child, today, horizon)
    ]
    return sorted(items, key=lambda item: (item.due, item.child.name))


def due_message(items: Sequence[DueItem], t: Translator, *, overdue_only: bool) -> Outgoing:
    """The on-demand list: a director's due visits, or a supervisor's overdue children."""
    if not items:
        return Outgoing(
            t(N_("reminder.nothing_overdue") if overdue_only else N_("reminder.nothing_due"))
        )
    message = _director_message(items, [], t)
    buttons = [] if overdue_only else message.buttons[:-1]
    return Outgoing(message.text, buttons)


def director_digests(
    *, session: Session, today: date, now: datetime, mark_drafts: bool = True
) -> Iterator[Digest]:
    """Yield a digest for each director with children due within 7 days or overdue.

    Children are read village by village in a stream, so memory stays flat at any scale.
    """
    horizon = today + DUE_WITHIN
    directors = _staff(session, Role.DIRECTOR, None)
    stale = drafts.stale_drafts(session=session, now=now)
    statement = _due_statement("", horizon).order_by(col(Child.village_code))
    rows = (DueChild(*row) for row in session.execute(statement).yield_per(5_000))
    for village, children in groupby(rows, key=lambda child: child.village_code):
        items = sorted(
            (item for child in children for item in _items(child, today, horizon)),
            key=lambda item: (item.due, item.child.name),
        )
        for director in directors.get(village, []) if items else []:
            assert director.id is not None
            digest = Digest(director, "director", items)
            if mark_drafts:
                for draft in stale.get(director.id, []):
                    draft.stale_mentioned = True
                    digest.stale_drafts.append(get_form(draft.form).title)
            yield digest


def _parents(session: Session, codes: set[str]) -> dict[str, str]:
    """Map each unit code to its parent's code, in one query."""
    statement = select(col(OrgUnit.code), col(OrgUnit.parent_code)).where(
        col(OrgUnit.code).in_(codes)
    )
    return {code: parent or "" for code, parent in session.exec(statement).all()}


def overdue_digests(*, session: Session, today: date) -> list[Digest]:
    """On the first day of a period, alert supervisors to what the ended period missed.

    Children that missed two periods in a row or more also go to the county admins.
    """
    if today.day != 1:
        return []  # every period (month or quarter) starts on the first of a month
    ended = today - timedelta(days=1)
    items: list[DueItem] = []
    for child in _due_children(session, "", ended):
        for item in _items(child, today, ended):
            period = _column_requirements(child.risk_tier)[item.kind]
            if period_bounds(ended, period)[1] != ended:
                continue  # that requirement's period did not end yesterday
            missed = _periods_between(item.due, ended, period)
            items.append(DueItem(child, item.kind, item.due, item.days_overdue, missed))
    if not items:
        return []
    township_of = _parents(session, {i.child.village_code for i in items})
    county_of = _parents(session, set(township_of.values()))
    supervisors = _staff(session, Role.SUPERVISOR, set(county_of))
    admins = _staff(session, Role.ADMIN, set(county_of.values()))
    digests: dict[tuple[int, str], Digest] = {}
    for item in sorted(items, key=lambda i: (i.child.village_code, i.due, i.child.name)):
        township = township_of[item.child.village_code]
        targets = [(s, "overdue") for s in supervisors.get(township, [])]
        if item.missed_periods >= 2:
            targets += [(a, "county") for a in admins.get(county_of.get(township, ""), [])]
        for staff, kind in targets:
            assert staff.id is not None
            digests.setdefault((staff.id, kind), Digest(staff, kind)).items.append(item)
    return list(digests.values())


def _director_message(
    items: Sequence[DueItem], stale_drafts: Sequence[str], t: Translator
) -> Outgoing:
    lines = [t("reminder.director_title", count=len({i.child.id for i in items}))]
    buttons: list[list[tuple[str, str]]] = []
    for item in items:
        key = N_("reminder.overdue_line") if item.days_overdue else N_("reminder.due_line")
        lines.append(
            t(
                key,
                name=item.child.name,
                kind=t.plain(KIND_LABEL[item.kind]),
                due=item.due.isoformat(),
                days=item.days_overdue,
            )
        )
        button = (t.plain("reminder.visit_button", name=item.child.name), f"vs:{item.child.id}")
        if [button] not in buttons:
            buttons.append([button])
    for title in stale_drafts:
        lines.append(t("reminder.stale_draft", title=t.plain(title)))
    buttons.append([(t.plain("reminder.snooze"), "rz:1")])
    return Outgoing("\n".join(lines), buttons)


def _overdue_message(digest: Digest, t: Translator, village_names: dict[str, str]) -> Outgoing:
    key = N_("reminder.county_title") if digest.kind == "county" else N_("reminder.overdue_title")
    lines = [t(key, count=len({i.child.id for i in digest.items}))]
    village = None
    for item in digest.items:
        if item.child.village_code != village:
            village = item.child.village_code
            lines.append(t("reminder.village", village=village_names.get(village, village)))
        lines.append(
            t(
                "reminder.overdue_child",
                name=item.child.name,
                kind=t.plain(KIND_LABEL[item.kind]),
                due=item.due.isoformat(),
                periods=item.missed_periods,
            )
        )
    return Outgoing("\n".join(lines))


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


@dataclass(frozen=True)
class SweepResult:
    ran: bool
    count: int = 0
    digests: Sequence[Digest] = ()  # kept only when the caller asks to collect them
    messages: Sequence[tuple[Staff, Outgoing]] = ()


def sweep(
    *,
    session: Session,
    today: date,
    now: datetime,
    tz: ZoneInfo,
    quiet: tuple[time, time] | None,
    dry_run: bool = False,
    collect: bool = True,
    on_message: Callable[[Staff, Outgoing], None] | None = None,
) -> SweepResult:
    """Build the day's digests once; queue them in the outbox unless it is a dry run.

    Digests are rendered and queued one at a time; `collect=False` keeps none in memory.
    """
    if not dry_run:
        try:
            with session.begin_nested():
                session.add(SweepRun(job=JOB, day=today, started_at=now))
        except IntegrityError:
            return SweepResult(False)
    digests: list[Digest] = []
    messages: list[tuple[Staff, Outgoing]] = []
    not_before = quiet_until(now.astimezone(tz), quiet)
    names: dict[str, str] | None = None
    count = 0
    overdue = overdue_digests(session=session, today=today)
    for digest in chain(
        director_digests(session=session, today=today, now=now, mark_drafts=not dry_run), overdue
    ):
        if digest.kind != "director" and names is None:
            names = {o.code: o.name for o in queries.list_orgs(session=session)}
        message = digest.render(default_i18n().translator(digest.recipient.locale), names or {})
        count += 1
        if collect:
            digests.append(digest)
            messages.append((digest.recipient, message))
        if on_message is not None:
            on_message(digest.recipient, message)
        if not dry_run:
            enqueue(
                session=session,
                key=f"remind:{digest.kind}:{digest.recipient.id}:{today}",
                recipient=digest.recipient,
                message=message,
                now=now,
                not_before=not_before,
                event=f"reminder:{today}",
            )
    return SweepResult(True, count, digests, messages)


def html_to_text(text: str) -> str:
    """Drop the HTML tags of a chat message, for printing at the command line."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))
