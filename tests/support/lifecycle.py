"""Helpers for the chat tests of a file's life: file a child, read it back, open its card."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from bot.people.access import Caller, identify
from storage.child_models import Child
from storage.db import Database
from storage.models import AuditEntry
from tests.fakegram import FakeUser, SentMessage
from tests.support.formdriver import FormDriver
from tests.support.intake import LEFT_BEHIND, MULTI_CHOICE

WAIT = 15


def caller_of(db: Database, user_id: int) -> Caller:
    caller = db.call(lambda s: identify(session=s, telegram_user_id=user_id)).caller
    assert caller is not None
    return caller


def file_through_intake(
    db: Database, user_id: int = 1001, **answers: tuple[str, str]
) -> tuple[FormDriver, int | None]:
    """File a child through the intake form as the director would; return the driver and id."""
    driver = FormDriver(db, caller_of(db, user_id))
    driver.begin()
    driver.fill({**LEFT_BEHIND, **answers}, MULTI_CHOICE)
    if "保存" not in driver.buttons():
        return driver, None
    return driver, driver.press("保存").record_id


def the_child(db: Database, child_id: int) -> Child:
    child = db.call(lambda s: s.get(Child, child_id))
    assert child is not None
    return child


def audit_actions(db: Database, child_id: int) -> list[tuple[str, int | None]]:
    rows = db.call(
        lambda s: s.exec(
            select(AuditEntry)
            .where(AuditEntry.table_name == "child", AuditEntry.record_id == str(child_id))
            .order_by(AuditEntry.id)  # type: ignore[arg-type]
        ).all()
    )
    return [(row.action, row.actor_staff_id) for row in rows]


def open_card(user: FakeUser, name: str = "张小明") -> SentMessage:
    """List the caller's children, open one's card; return its last part (the buttons)."""
    user.send("/children")
    listing = user.wait_for(lambda m: any(label.startswith(name) for label, _ in m.buttons()))
    user.press(next(label for label, _ in listing.buttons() if label.startswith(name)))
    return user.wait_for_text("请选择", timeout=WAIT)


def make_overdue(session: object, child_id: int) -> None:
    child = session.get(Child, child_id)  # type: ignore[attr-defined]
    child.next_visit_due = child.next_contact_due = date(2026, 10, 31)
