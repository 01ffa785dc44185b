"""The spot check's checklist as a declared form: five items, each ok or a problem with a note.

Opened from a sampled file's button (`sc:<file id>`); only an admin over the county or an
assigned checker may open or save it (bot/county/spotcheck.py decides).
"""

from __future__ import annotations

from typing import Any

from bot.county import spotcheck
from bot.forms.conditions import equals
from bot.forms.model import Choice, Field, Form, section
from bot.forms.registry import FormContext, FormSpec, Opener, Saved, register_form
from bot.i18n import N_
from bot.people.roles import Role
from bot.telegram.callbacks import SPOT_CHECK

OK_OR_PROBLEM = (
    Choice("ok", N_("spotcheck.choice.ok")),
    Choice("problem", N_("spotcheck.choice.problem")),
)
LABELS = {
    "basic_info": N_("spotcheck.item.basic_info"),
    "visits": N_("spotcheck.item.visits"),
    "records": N_("spotcheck.item.records"),
    "follow_up": N_("spotcheck.item.follow_up"),
    "privacy": N_("spotcheck.item.privacy"),
}


def _child(answers: Any, _t: Any) -> dict[str, object]:
    return {"name": answers.get("child_name", "")}


def _item(name: str) -> tuple[Field, Field]:
    return (
        Field(name, "choice", LABELS[name], choices=OK_OR_PROBLEM, label_values=_child),
        Field(
            f"{name}_note",
            "long_text",
            N_("spotcheck.item.note"),
            relevant=equals(name, "problem"),
            options={"max_length": 500},
        ),
    )


CHECKLIST = Form(
    name="spot_check",
    title=N_("spotcheck.form.title"),
    context=("child_name",),
    sections=(
        section(
            "checklist",
            N_("spotcheck.form.section"),
            *(f for item in spotcheck.ITEMS for f in _item(item)),
        ),
    ),
    saved=N_("spotcheck.saved"),
)


def _start(ctx: FormContext) -> dict[str, Any]:
    checking = spotcheck.file_to_check(
        session=ctx.session, caller=ctx.caller, file_id=ctx.record_id or 0, now=ctx.now
    )
    return {"child_name": checking.child_name}


def _save(ctx: FormContext, answers: dict[str, Any]) -> Saved:
    checking = spotcheck.record_checklist(
        session=ctx.session,
        caller=ctx.caller,
        file_id=ctx.record_id or 0,
        answers=answers,
        now=ctx.now,
    )
    return Saved(checking.file.id, checking.child_name)


register_form(
    FormSpec(
        CHECKLIST,
        on_save=_save,
        opener=Opener(
            button=SPOT_CHECK,
            roles=frozenset({Role.ADMIN, Role.SUPERVISOR}),
            denied=N_("spotcheck.error.not_assigned"),
            denied_table="spot_check_file",
            load=_start,
            restart=True,
        ),
    )
)
