"""Entering, switching sides in, finishing and leaving one's practice area.

While a round is active the person's Telegram account acts as a staff row of the practice area
(bot/people/access.py reads `practice_round`): the intake, visits, urgent reports and the
supervisor's side all work as they do for real, inside units whose codes start with 99. Those
staff rows have no Telegram account, so the outbox never sends anything from there, and no
real area's prefix covers the practice units, so no statistics or export counts them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlmodel import Session

from bot.audit import Actor, record_audit
from bot.care.cadence import next_due
from bot.errors import UserError
from bot.i18n import N_, default_i18n
from bot.people.roles import Role
from storage import practice_queries, queries, staff_ledger_queries
from storage.child_models import Child
from storage.county_models import TrainingAttendance, TrainingEvent
from storage.models import OrgLevel, OrgUnit, Staff
from storage.practice_models import PracticeRound

PRACTISING_ROLES = (Role.DIRECTOR, Role.SUPERVISOR)
MAX_STAFF_ID = 98_999  # 98 practice cities of 1000 townships each
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
TIERS = ("low", "medium", "high")
PRACTICE_HOURS = Decimal("1.0")


@dataclass(frozen=True)
class Status:
    acting: str
    village: str
    files: int
    visits: int


def _codes(real_staff_id: int) -> list[tuple[str, str, str]]:
    """(code, level, name key) of the practice units of one person, top down."""
    if real_staff_id > MAX_STAFF_ID:
        raise UserError(N_("practice.error.full"))
    block, suffix = real_staff_id // 1000 + 1, real_staff_id % 1000
    city, county = f"99{block:02d}00", f"99{block:02d}01"
    township = f"{county}{suffix:03d}"
    return [
        ("990000", OrgLevel.PROVINCE, N_("practice.unit.province")),
        (city, OrgLevel.CITY, N_("practice.unit.city")),
        (county, OrgLevel.COUNTY, N_("practice.unit.county")),
        (township, OrgLevel.TOWNSHIP, N_("practice.unit.township")),
        (f"{township}201", OrgLevel.VILLAGE, N_("practice.unit.village")),
    ]


def _resident_id(region: str, birth: date, sequence: int) -> str:
    body = f"{region}{birth:%Y%m%d}{sequence:03d}"
    total = sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


def _made_up_children(
    village: str, real_staff_id: int, director_id: int, now: datetime, today: date
) -> list[Child]:
    t = default_i18n().translator(None)
    names = t.plain("practice.children").split(",")
    children = []
    for n, (name, tier) in enumerate(zip(names, TIERS, strict=False)):
        serial = real_staff_id * len(TIERS) + n
        birth = date(2014, 1, 1) + timedelta(days=serial % 3000)
        contact_due, visit_due = next_due(
            tier=tier, filed_on=today, last_contact_on=None, last_visit_on=None, today=today
        )
        children.append(
            Child(
                name=name.strip(),
                id_number=_resident_id("990101", birth, serial // 3000 % 1000),
                sex="male" if n % 2 == 0 else "female",
                birth_date=birth,
                ethnicity="汉族",
                home_address=t.plain("practice.address"),
                hukou="rural",
                category="left_behind",
                single_parent="no",
                schooling="primary",
                guardianship="parent",
                health="good",
                risk_tier=tier,
                village_code=village,
                filed_by=director_id,
                filed_at=now,
                updated_at=now,
                next_contact_due=contact_due,
                next_visit_due=visit_due,
            )
        )
    return children


def _staff(session: Session, role: Role, org: str, name: str | None, now: datetime) -> int:
    staff = Staff(role=role.value, org_code=org, name=name, created_at=now, enrolled_at=now)
    queries.insert_staff(session=session, staff=staff)
    assert staff.id is not None
    return staff.id


def enter(
    *, session: Session, real_staff_id: int, telegram_user_id: int, now: datetime, today: date
) -> Status:
    """Open the person's practice area with made-up children; act there as its director."""
    real = queries.get_staff(session=session, staff_id=real_staff_id)
    if real is None or not real.active or Role(real.role) not in PRACTISING_ROLES:
        raise UserError(N_("practice.error.role"))
    found = practice_queries.round_of_staff(session=session, real_staff_id=real_staff_id)
    if found is not None and found.active:
        raise UserError(N_("practice.error.already_in"))
    t = default_i18n().translator(None)
    codes = _codes(real_staff_id)
    parent = None
    for code, level, name in codes:
        unit = OrgUnit(
            code=code, name=t.plain(name), level=level, parent_code=parent, practice=True
        )
        practice_queries.ensure_unit(session=session, unit=unit)
        parent = code
    township, village = codes[-2][0], codes[-1][0]
    if found is None:
        found = PracticeRound(
            real_staff_id=real_staff_id,
            telegram_user_id=telegram_user_id,
            director_id=_staff(session, Role.DIRECTOR, village, real.name, now),
            supervisor_id=_staff(session, Role.SUPERVISOR, township, real.name, now),
            village_code=village,
            started_at=now,
        )
    found.active, found.acting, found.started_at = True, Role.DIRECTOR.value, now
    found.telegram_user_id = telegram_user_id
    practice_queries.save_round(session=session, practice_round=found)
    children = _made_up_children(village, real_staff_id, found.director_id, now, today)
    session.add_all(children)
    record_audit(
        session=session,
        actor=Actor.staff(real_staff_id),
        action="practice.enter",
        table="practice_round",
        record_id=found.id,
        at=now,
    )
    return status_of(session=session, practice_round=found)


def active_round(*, session: Session, telegram_user_id: int) -> PracticeRound:
    found = practice_queries.round_of_account(session=session, telegram_user_id=telegram_user_id)
    if found is None or not found.active:
        raise UserError(N_("practice.error.not_in"))
    return found


def status_of(*, session: Session, practice_round: PracticeRound) -> Status:
    village = practice_round.village_code
    return Status(
        practice_round.acting,
        village,
        len(practice_queries.children_of(session=session, village_code=village)),
        practice_queries.visits_count(session=session, village_code=village),
    )


def switch_side(*, session: Session, telegram_user_id: int) -> Status:
    """Act as the practice township's supervisor, or back as the village's director."""
    found = active_round(session=session, telegram_user_id=telegram_user_id)
    found.acting = Role.SUPERVISOR if found.acting == Role.DIRECTOR else Role.DIRECTOR
    practice_queries.save_round(session=session, practice_round=found)
    return status_of(session=session, practice_round=found)


def leave(*, session: Session, telegram_user_id: int, now: datetime) -> int:
    """Wipe the practice area's files and drafts and act as oneself again; return files wiped."""
    found = active_round(session=session, telegram_user_id=telegram_user_id)
    wiped = practice_queries.wipe(
        session=session,
        village_code=found.village_code,
        staff_ids=[found.director_id, found.supervisor_id],
    )
    found.active, found.acting = False, Role.DIRECTOR.value
    practice_queries.save_round(session=session, practice_round=found)
    record_audit(
        session=session,
        actor=Actor.staff(found.real_staff_id),
        action="practice.leave",
        table="practice_round",
        record_id=found.id,
        new={"files_wiped": wiped},
        at=now,
    )
    return wiped


def finish(*, session: Session, telegram_user_id: int, now: datetime, today: date) -> int:
    """Record a round with at least one visit as training attendance at the person's county,
    then leave; return the training event's id."""
    found = active_round(session=session, telegram_user_id=telegram_user_id)
    if not practice_queries.visits_count(session=session, village_code=found.village_code):
        raise UserError(N_("practice.error.nothing_done"))
    real = queries.get_staff(session=session, staff_id=found.real_staff_id)
    assert real is not None
    county = real.org_code[:6]
    t = default_i18n().translator(None)
    topic, organiser = t.plain("practice.training_topic"), t.plain("practice.training_organiser")
    event = next(
        (
            e
            for e in staff_ledger_queries.events_in_area(
                session=session, area_prefix=county, year=today.year
            )
            if e.org_code == county and e.held_on == today and e.topic == topic
        ),
        None,
    )
    if event is None:
        event = staff_ledger_queries.insert_event(
            session=session,
            event=TrainingEvent(
                org_code=county,
                held_on=today,
                level=OrgLevel.COUNTY,
                hours=PRACTICE_HOURS,
                organiser=organiser,
                topic=topic,
                created_at=now,
            ),
        )
    assert event.id is not None and real.id is not None
    if (
        staff_ledger_queries.find_attendance(session=session, event_id=event.id, staff_id=real.id)
        is None
    ):
        staff_ledger_queries.add_attendance(
            session=session,
            attendance=TrainingAttendance(
                event_id=event.id, staff_id=real.id, source="practice", recorded_at=now
            ),
        )
    leave(session=session, telegram_user_id=telegram_user_id, now=now)
    return event.id
