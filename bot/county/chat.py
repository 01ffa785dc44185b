"""The county's screens in chat, as Replies: record attendance, the files to check, tasks.

Handlers (handlers/training.py, handlers/spotcheck.py) call these in a transaction and send
what they return.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session

from bot.audit import Actor
from bot.county import spotcheck, training
from bot.county.notices import item_label
from bot.errors import AccessDenied, UserError
from bot.i18n import N_, Translator
from bot.people.access import Caller
from bot.people.roles import Action, may
from bot.reply import Reply
from bot.telegram.callbacks import SPOT_CHECK, TASK_DONE, TRAINING
from storage import queries, staff_ledger_queries
from storage.models import OrgLevel

EVENTS_SHOWN = 10
FILES_SHOWN = 30


def _require(caller: Caller, action: Action, key: str) -> None:
    if not may(caller.role, action):
        raise AccessDenied(key, table="menu", record_id=action.value)


def events_screen(*, session: Session, caller: Caller, t: Translator) -> Reply:
    """The latest trainings the caller's staff could attend, each a button."""
    _require(caller, Action.RECORD_TRAINING, N_("training.error.not_allowed"))
    events = staff_ledger_queries.events_in_area(
        session=session, area_prefix=caller.area_prefix, limit=EVENTS_SHOWN
    )
    if not events:
        return Reply(t("training.chat.no_events"))
    buttons = [[(f"{e.held_on} {e.topic}"[:60], TRAINING.encode("ev", e.id, ""))] for e in events]
    return Reply(t("training.chat.pick_event"), buttons)


def townships_screen(*, session: Session, caller: Caller, event_id: int, t: Translator) -> Reply:
    """The townships of the caller's area, to pick whose staff to tick."""
    _require(caller, Action.RECORD_TRAINING, N_("training.error.not_allowed"))
    event = training.event_in_reach(session=session, event_id=event_id, prefix=caller.area_prefix)
    townships = staff_ledger_queries.units_in_area(
        session=session, area_prefix=caller.area_prefix, level=OrgLevel.TOWNSHIP
    )
    buttons = [[(u.name, TRAINING.encode("tw", event_id, u.code))] for u in townships]
    return Reply(t("training.chat.pick_township", topic=event.topic, day=event.held_on), buttons)


def ticks_screen(
    *, session: Session, caller: Caller, event_id: int, township: str, t: Translator
) -> Reply:
    """The township's directors and supervisor, ✅ for those recorded at the event."""
    _require(caller, Action.RECORD_TRAINING, N_("training.error.not_allowed"))
    event = training.event_in_reach(session=session, event_id=event_id, prefix=caller.area_prefix)
    unit = queries.get_org(session=session, code=township)
    if unit is None or not caller.sees(township) or unit.level != OrgLevel.TOWNSHIP:
        raise UserError(N_("org.error.unknown"), code=township)
    staff = staff_ledger_queries.active_staff_in_area(session=session, area_prefix=township)
    present = staff_ledger_queries.attendance_of(session=session, event_id=event_id)
    buttons = [
        [
            (
                f"{'✅' if s.id in present else '⬜'} {s.name or s.id}",
                TRAINING.encode("tick", event_id, s.id),
            )
        ]
        for s in staff
    ]
    buttons.append([(t.plain("training.chat.back"), TRAINING.encode("ev", event_id, ""))])
    ticked = sum(1 for s in staff if s.id in present)
    text = t(
        "training.chat.tick",
        topic=event.topic,
        day=event.held_on,
        township=unit.name,
        ticked=ticked,
        count=len(staff),
    )
    return Reply(text, buttons)


def tick(
    *, session: Session, caller: Caller, event_id: int, staff_id: int, now: datetime, t: Translator
) -> Reply:
    """Tick or untick one person, then show their township's list again."""
    _require(caller, Action.RECORD_TRAINING, N_("training.error.not_allowed"))
    training.toggle_attendance(
        session=session,
        event_id=event_id,
        staff_id=staff_id,
        area=caller.area_prefix,
        actor=Actor.staff(caller.staff_id),
        now=now,
    )
    staff = queries.get_staff(session=session, staff_id=staff_id)
    assert staff is not None
    return ticks_screen(
        session=session, caller=caller, event_id=event_id, township=staff.org_code[:9], t=t
    )


def files_to_check(*, session: Session, caller: Caller, today: date, t: Translator) -> Reply:
    """The sampled files of this year the caller may check, unchecked first, each a button."""
    _require(caller, Action.CHECK_FILES, N_("spotcheck.error.not_assigned"))
    files = spotcheck.checkable(session=session, caller=caller, year=today.year)
    if not files:
        return Reply(t("spotcheck.chat.none", year=today.year))
    done = sum(f.checked for f in files)
    buttons = [
        [
            (
                f"{'✅' if f.checked else '📋'} {f.child_name} {f.village_code}",
                SPOT_CHECK.encode(f.file_id),
            )
        ]
        for f in files[:FILES_SHOWN]
    ]
    return Reply(t("spotcheck.chat.list", year=today.year, done=done, count=len(files)), buttons)


def tasks_screen(*, session: Session, caller: Caller, t: Translator) -> Reply:
    """The village's open tasks, each with a Done button."""
    _require(caller, Action.FOLLOW_TASKS, N_("tasks.error.not_allowed"))
    tasks = spotcheck.open_tasks(session=session, caller=caller)
    if not tasks:
        return Reply(t("tasks.none"))
    lines = [t("tasks.title", count=len(tasks))]
    buttons = []
    for number, task in enumerate(tasks, start=1):
        lines.append(
            t(
                "tasks.line",
                number=number,
                child=task.child_name,
                item=item_label(t, task.item),
                note=task.note,
            )
        )
        buttons.append(
            [(t.plain("tasks.button.done", number=number), TASK_DONE.encode(task.task_id))]
        )
    return Reply("\n".join(lines), buttons)


def task_done(
    *, session: Session, caller: Caller, task_id: int, now: datetime, t: Translator
) -> Reply:
    _require(caller, Action.FOLLOW_TASKS, N_("tasks.error.not_allowed"))
    spotcheck.finish_task(session=session, caller=caller, task_id=task_id, now=now)
    return tasks_screen(session=session, caller=caller, t=t)
