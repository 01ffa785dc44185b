"""The help-given and work-log forms, declared: questions in care_log.py, rules in bot.care."""

from __future__ import annotations

from typing import Any

from bot.care import care_log
from bot.forms.care_log import HELP, WORK_LOG
from bot.forms.registry import FormContext, FormSpec, Opener, Saved, register_form
from bot.i18n import N_
from bot.people.roles import Role
from bot.telegram import callbacks

DIRECTORS = frozenset({Role.DIRECTOR})


def _help_start(ctx: FormContext) -> dict[str, Any]:
    return care_log.help_context(
        session=ctx.session, caller=ctx.caller, child_id=ctx.record_id or 0
    )


def _save_help(ctx: FormContext, answers: dict[str, Any]) -> Saved:
    row = care_log.save_help(session=ctx.session, caller=ctx.caller, answers=answers, now=ctx.now)
    return Saved(row.id, str(answers.get("_child_name") or ""))


register_form(
    FormSpec(
        HELP,
        on_save=_save_help,
        # Opened from the child's card.
        opener=Opener(
            button=callbacks.HELP_GIVEN,
            roles=DIRECTORS,
            denied=N_("children.error.not_found"),
            denied_table="child",
            load=_help_start,
            restart=True,
        ),
    )
)


def _work_log_start(ctx: FormContext) -> dict[str, Any]:
    return care_log.work_log_context(session=ctx.session, caller=ctx.caller)


def _save_work_log(ctx: FormContext, answers: dict[str, Any]) -> Saved:
    entry = care_log.save_work_log(
        session=ctx.session, caller=ctx.caller, answers=answers, now=ctx.now
    )
    return Saved(entry.id)


register_form(
    FormSpec(
        WORK_LOG,
        on_save=_save_work_log,
        # From /log or the menu's Work log.
        opener=Opener(command="log", roles=DIRECTORS, load=_work_log_start),
    )
)
