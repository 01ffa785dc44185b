"""Practice mode's screens: /practice enters (or shows the round), buttons switch, finish, leave."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session

from bot.i18n import N_, Translator
from bot.people.access import Caller
from bot.practice import area
from bot.reply import Reply
from bot.telegram.callbacks import PRACTICE
from storage import practice_queries

ACTING = {
    "director": N_("practice.acting.director"),
    "supervisor": N_("practice.acting.supervisor"),
}


def _status_reply(status: area.Status, t: Translator, key: str) -> Reply:
    side = (
        N_("practice.button.to_supervisor")
        if status.acting == "director"
        else N_("practice.button.to_director")
    )
    text = t(key, acting=t(ACTING[status.acting]), files=status.files, visits=status.visits)
    return Reply(
        text,
        [
            [(t.plain(side), PRACTICE.encode("side"))],
            [
                (t.plain("practice.button.finish"), PRACTICE.encode("finish")),
                (t.plain("practice.button.leave"), PRACTICE.encode("leave")),
            ],
        ],
    )


def practice_command(
    *,
    session: Session,
    caller: Caller,
    telegram_user_id: int,
    now: datetime,
    today: date,
    t: Translator,
) -> Reply:
    """Enter practice, or, inside it, show where one stands."""
    found = practice_queries.round_of_account(session=session, telegram_user_id=telegram_user_id)
    if found is not None and found.active:
        status = area.status_of(session=session, practice_round=found)
        return _status_reply(status, t, N_("practice.status"))
    status = area.enter(
        session=session,
        real_staff_id=caller.staff_id,
        telegram_user_id=telegram_user_id,
        now=now,
        today=today,
    )
    return _status_reply(status, t, N_("practice.entered"))


def practice_button(
    *,
    session: Session,
    action: str,
    telegram_user_id: int,
    now: datetime,
    today: date,
    t: Translator,
) -> Reply:
    """Switch sides, finish (recorded as training) or leave."""
    if action == "side":
        status = area.switch_side(session=session, telegram_user_id=telegram_user_id)
        return _status_reply(status, t, N_("practice.switched"))
    if action == "finish":
        area.finish(session=session, telegram_user_id=telegram_user_id, now=now, today=today)
        return Reply(t("practice.finished"))
    wiped = area.leave(session=session, telegram_user_id=telegram_user_id, now=now)
    return Reply(t("practice.left", files=wiped))
