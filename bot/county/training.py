"""The training archive (section 17): events, who attended, and the staff ledger's columns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from sqlmodel import Session

from bot.audit import Actor, record_audit
from bot.county.tables import Row
from bot.errors import UserError
from bot.i18n import N_
from bot.people.orgs import area_prefix, prefix_of
from storage import queries, staff_ledger_queries
from storage.county_models import TRAINING_LEVELS, TrainingAttendance, TrainingEvent
from storage.models import Staff

MAX_HOURS = Decimal("1000")
GENDERS = {
    "男": "male",
    "女": "female",
    "male": "male",
    "female": "female",
    "m": "male",
    "f": "female",
}
ID_COLUMNS = ("staff_id", "id", "编号", "工作人员编号")
NAME_COLUMNS = ("name", "姓名")
ORG_COLUMNS = ("org", "单位代码", "区划代码")


@dataclass(frozen=True)
class EventInput:
    org_code: str
    held_on: str
    hours: str
    organiser: str
    topic: str


def _text(value: str, limit: int, key: str) -> str:
    text = " ".join(value.split())
    if not text or len(text) > limit:
        raise UserError(key, limit=limit)
    return text


def parse_hours(value: str) -> Decimal:
    try:
        hours = Decimal(value.strip()).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise UserError(N_("training.error.hours"), value=value) from None
    if not Decimal(0) < hours <= MAX_HOURS:
        raise UserError(N_("training.error.hours"), value=value)
    return hours


def parse_day(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise UserError(N_("training.error.date"), value=value) from None


def add_event(*, session: Session, data: EventInput, actor: Actor, now: datetime) -> TrainingEvent:
    """Record a training held by a province, city or county unit; its level is the unit's."""
    org = queries.get_org(session=session, code=data.org_code.strip())
    if org is None:
        raise UserError(N_("org.error.unknown"), code=data.org_code)
    if org.level not in TRAINING_LEVELS:
        raise UserError(N_("training.error.level"), code=org.code, level=org.level)
    event = TrainingEvent(
        org_code=org.code,
        held_on=parse_day(data.held_on),
        level=org.level,
        hours=parse_hours(data.hours),
        organiser=_text(data.organiser, 100, N_("training.error.organiser")),
        topic=_text(data.topic, 200, N_("training.error.topic")),
        created_at=now,
    )
    staff_ledger_queries.insert_event(session=session, event=event)
    record_audit(
        session=session,
        actor=actor,
        action="training.add",
        table="training_event",
        record_id=event.id,
        new={"org": org.code, "held_on": event.held_on, "hours": event.hours},
        at=now,
    )
    return event


def event_in_reach(*, session: Session, event_id: int, prefix: str) -> TrainingEvent:
    """The event when the area sees it (held inside the area or above it); a UserError if not."""
    event = staff_ledger_queries.get_event(session=session, event_id=event_id)
    if event is None or not reaches(event, prefix):
        raise UserError(N_("training.error.unknown_event"), id=event_id)
    return event


def reaches(event: TrainingEvent, prefix: str) -> bool:
    """Held inside the area, or by a unit whose area holds it (a city's reaches its counties)."""
    held = prefix_of(event.org_code, event.level)
    return held.startswith(prefix) or prefix.startswith(held)


def _attendee(session: Session, row: Row, event: TrainingEvent) -> Staff:
    cells = {name.lower(): value for name, value in row.cells.items()}
    staff_id = next((cells[c] for c in ID_COLUMNS if cells.get(c)), "")
    staff: Staff | None = None
    if staff_id:
        if not (staff_id.isascii() and staff_id.isdigit()):
            raise UserError(N_("training.error.staff_id"), value=staff_id)
        staff = queries.get_staff(session=session, staff_id=int(staff_id))
    else:
        name = next((cells[c] for c in NAME_COLUMNS if cells.get(c)), "")
        org = next((cells[c] for c in ORG_COLUMNS if cells.get(c)), "")
        if not name or not org:
            raise UserError(N_("training.error.no_staff_columns"))
        matches = [
            s
            for s in queries.staff_in_area(session=session, area_prefix=org)
            if s.org_code == org and s.name == name
        ]
        if len(matches) > 1:
            raise UserError(N_("training.error.ambiguous"), name=name, org=org)
        staff = matches[0] if matches else None
    if staff is None or not staff.org_code.startswith(prefix_of(event.org_code, event.level)):
        raise UserError(N_("training.error.unknown_staff"))
    return staff


def import_attendance(
    *, session: Session, event_id: int, rows: list[Row], actor: Actor, now: datetime, source: str
) -> tuple[int, int]:
    """Record every listed attendee of an event, or none when a row names nobody known.

    Returns (newly recorded, already recorded). Importing the same list twice adds nothing.
    """
    event = event_in_reach(session=session, event_id=event_id, prefix="")
    if not rows:
        raise UserError(N_("training.error.empty"))
    attendees: list[Staff] = []
    for row in rows:
        try:
            attendees.append(_attendee(session, row, event))
        except UserError as exc:
            raise UserError(N_("training.error.line"), line=row.line, reason=exc) from None
    recorded = staff_ledger_queries.attendance_of(session=session, event_id=event_id)
    added = 0
    for staff in attendees:
        assert staff.id is not None
        if staff.id in recorded:
            continue
        recorded.add(staff.id)
        _add(session, event_id, staff.id, actor, now, source)
        added += 1
    return added, len(attendees) - added


def _add(
    session: Session, event_id: int, staff_id: int, actor: Actor, now: datetime, source: str
) -> None:
    staff_ledger_queries.add_attendance(
        session=session,
        attendance=TrainingAttendance(
            event_id=event_id, staff_id=staff_id, source=source, recorded_at=now
        ),
    )
    record_audit(
        session=session,
        actor=actor,
        action="training.attended",
        table="training_attendance",
        record_id=f"{event_id}:{staff_id}",
        new={"source": source},
        at=now,
    )


def toggle_attendance(
    *, session: Session, event_id: int, staff_id: int, area: str, actor: Actor, now: datetime
) -> bool:
    """Tick or untick one staff member of the area at an event; tell whether now ticked."""
    event = event_in_reach(session=session, event_id=event_id, prefix=area)
    staff = queries.get_staff(session=session, staff_id=staff_id)
    if staff is None or not staff.org_code.startswith(area) or not staff.active:
        raise UserError(N_("training.error.unknown_staff"))
    assert event.id is not None
    found = staff_ledger_queries.find_attendance(
        session=session, event_id=event.id, staff_id=staff_id
    )
    if found is None:
        _add(session, event.id, staff_id, actor, now, "chat")
        return True
    staff_ledger_queries.remove_attendance(session=session, attendance=found)
    record_audit(
        session=session,
        actor=actor,
        action="training.unticked",
        table="training_attendance",
        record_id=f"{event_id}:{staff_id}",
        at=now,
    )
    return False


@dataclass(frozen=True)
class EventLine:
    event: TrainingEvent
    attendees: int


def list_events(*, session: Session, org_code: str, year: int | None) -> list[EventLine]:
    """Trainings an area's staff could attend (held in it or above), with attendee counts."""
    org = queries.get_org(session=session, code=org_code.strip())
    if org is None:
        raise UserError(N_("org.error.unknown"), code=org_code)
    events = staff_ledger_queries.events_in_area(
        session=session, area_prefix=area_prefix(org), year=year
    )
    counts = staff_ledger_queries.attendance_counts(
        session=session, event_ids=[e.id for e in events if e.id is not None]
    )
    return [EventLine(e, counts.get(e.id or 0, 0)) for e in events]


@dataclass(frozen=True)
class LedgerInput:
    staff_id: int
    appointed_on: str | None = None
    gender: str | None = None
    education: str | None = None


def update_ledger(*, session: Session, data: LedgerInput, actor: Actor, now: datetime) -> Staff:
    """Set a staff member's appointment date, gender or education (those given), audited."""
    staff = queries.get_staff(session=session, staff_id=data.staff_id)
    if staff is None:
        raise UserError(N_("staff.error.unknown"), id=data.staff_id)
    old = {"appointed_on": staff.appointed_on, "gender": staff.gender, "education": staff.education}
    if data.appointed_on is not None:
        staff.appointed_on = parse_day(data.appointed_on)
    if data.gender is not None:
        gender = GENDERS.get(data.gender.strip().lower())
        if gender is None:
            raise UserError(N_("staff.error.gender"), value=data.gender)
        staff.gender = gender
    if data.education is not None:
        staff.education = _text(data.education, 32, N_("staff.error.education"))
    new = {"appointed_on": staff.appointed_on, "gender": staff.gender, "education": staff.education}
    session.add(staff)
    record_audit(
        session=session,
        actor=actor,
        action="staff.ledger",
        table="staff",
        record_id=staff.id,
        old=old,
        new=new,
        at=now,
    )
    return staff
