"""The urgent report (plan section 6), from the menu or /urgent, at any time.

Two forms: for a child on file (picked by button), and for a child not yet on file in a village
(name or Skip, approximate age, where, what happened). Either raises the urgent escalation the
moment the note is given, before any photo or location, as the visit form does; the second
also opens a placeholder file, which the third form, the intake, completes.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from bot.care import urgent, visits
from bot.care.escalations import EscalationPolicy
from bot.errors import AccessDenied
from bot.forms import service
from bot.forms.declared import IntakeChecks
from bot.forms.engine import FormState
from bot.forms.intake import INTAKE
from bot.forms.model import Field, Form, section
from bot.forms.registry import FormContext, FormSpec, Opener, Saved, register_form
from bot.forms.visit import VISIT
from bot.i18n import N_
from bot.people.access import Caller
from bot.people.roles import Action, roles_that_may
from bot.telegram import callbacks

REPORTERS = roles_that_may(Action.REPORT_URGENT)
ESCALATION = "_urgent_escalation"

# The situations are the visit form's section 6 list, without "none of these": an urgent
# report is about at least one of them (Done with nothing ticked is refused).
_VISIT_URGENT = VISIT.field("urgent")
SITUATIONS = replace(
    _VISIT_URGENT,
    label=N_("urgent.situations"),
    choices=tuple(c for c in _VISIT_URGENT.choices if c.value != "none"),
    validator=None,
)
NOTE = replace(VISIT.field("urgent_note"), label=N_("urgent.note"))
MEDIA = section(
    "media",
    N_("visit.section.media"),
    Field("photo", "photo", N_("urgent.photo"), required=False),
    Field("location", "location", N_("urgent.location"), required=False),
)

URGENT_ON_FILE = Form(
    name="urgent",
    title=N_("urgent.title"),
    context=("_child", ESCALATION),
    sections=(section("what", N_("urgent.section.what"), SITUATIONS, NOTE), MEDIA),
    saved=N_("urgent.saved"),
)

URGENT_UNFILED = Form(
    name="urgent_unfiled",
    title=N_("urgent.title_unfiled"),
    context=("_village", "_child", ESCALATION),
    sections=(
        section(
            "who",
            N_("urgent.section.who"),
            Field(
                "child_name",
                "text",
                N_("urgent.child_name"),
                required=False,
                options={"max_length": 50},
            ),
            Field(
                "age",
                "number",
                N_("urgent.age"),
                required=False,
                options={"minimum": 0, "maximum": 17},
            ),
            Field("place", "text", N_("urgent.place"), options={"max_length": 200}),
        ),
        section("what", N_("urgent.section.what"), SITUATIONS, NOTE),
        MEDIA,
    ),
    saved=N_("urgent.saved"),
)


def _ready(answers: dict[str, Any]) -> bool:
    """The report goes out once the situations and the note are both given, once."""
    return (
        not answers.get(ESCALATION)
        and "urgent_note" in answers
        and bool(urgent.situations_of(answers))
    )


def _raised(state: FormState, esc_id: int, **more: Any) -> tuple[FormState, dict[str, Any]]:
    state = replace(state, answers={**state.answers, ESCALATION: esc_id, **more})
    return state, {"notice": N_("urgent.raised")}


def _raise_on_file(ctx: FormContext, state: FormState) -> tuple[FormState, dict[str, Any]]:
    """Raise the urgent report for the child on file the moment it is described."""
    if not _ready(state.answers):
        return state, {}
    esc_id = visits.raise_urgent(
        session=ctx.session,
        caller=ctx.caller,
        answers=state.answers,
        draft_id=ctx.draft_id,
        now=ctx.now,
        policy=ctx.policy,
    )
    return _raised(state, esc_id)


def _raise_unfiled(ctx: FormContext, state: FormState) -> tuple[FormState, dict[str, Any]]:
    """Open the placeholder file and raise the urgent report the moment it is described."""
    if not _ready(state.answers):
        return state, {}
    child, esc = urgent.report_unfiled(
        session=ctx.session,
        caller=ctx.caller,
        village_code=str(state.answers["_village"]),
        answers=state.answers,
        draft_id=ctx.draft_id,
        now=ctx.now,
        policy=ctx.policy,
    )
    assert esc.id is not None
    return _raised(state, esc.id, _child=child.id)


def _on_file_start(ctx: FormContext) -> dict[str, Any]:
    child = visits.child_for_visit(
        session=ctx.session,
        caller=ctx.caller,
        child_id=ctx.record_id or 0,
        action=Action.REPORT_URGENT,
    )
    return {"_child": child.id}


def open_unfiled(
    *,
    session: Session,
    caller: Caller,
    village_code: str,
    now: datetime,
    today: date,
    policy: EscalationPolicy,
) -> service.Screen:
    """Start an urgent report for a child not on file in a village the caller may report from.

    The village is a starting answer, not the draft's record: a village code is no record id.
    """
    if caller.role not in REPORTERS:
        raise AccessDenied(urgent.NOT_YOUR_VILLAGE, table="org_unit", record_id=village_code)
    village = urgent.village_for_report(session=session, caller=caller, code=village_code)
    return service.begin(
        session=session,
        caller=caller,
        form=URGENT_UNFILED.name,
        now=now,
        today=today,
        answers={"_village": village.code},
        restart=True,
        policy=policy,
    )


def _keep_media(ctx: FormContext, answers: dict[str, Any]) -> Saved:
    """Finishing the form keeps the photo and location with the report that went out."""
    esc_id = int(answers.get(ESCALATION) or 0)
    urgent.attach_media(
        session=ctx.session, caller=ctx.caller, esc_id=esc_id, answers=answers, now=ctx.now
    )
    return Saved(esc_id)


register_form(
    FormSpec(
        URGENT_ON_FILE,
        on_save=_keep_media,
        on_answer=_raise_on_file,
        opener=Opener(
            button=callbacks.URGENT_CHILD,
            roles=REPORTERS,
            denied=N_("children.error.not_found"),
            denied_table="child",
            load=_on_file_start,
            restart=True,
        ),
    )
)
register_form(
    FormSpec(
        URGENT_UNFILED,
        on_save=_keep_media,
        on_answer=_raise_unfiled,
        # Opened by open_unfiled, from the picker's "not on file" button (URGENT_UNFILED).
        opener=Opener(roles=REPORTERS, restart=True),
    )
)


# Finishing the file an unfiled child's report opened: the intake, started from what the
# report said, saved over the placeholder (which stops being one).


def _placeholder_start(ctx: FormContext) -> dict[str, Any]:
    return urgent.intake_answers(
        session=ctx.session, caller=ctx.caller, child_id=ctx.record_id or 0
    )


def _complete(ctx: FormContext, answers: dict[str, Any]) -> Saved:
    child = urgent.complete_placeholder(
        session=ctx.session,
        caller=ctx.caller,
        child_id=ctx.record_id or 0,
        answers=answers,
        now=ctx.now,
        today=ctx.today,
    )
    return Saved(child.id, child.name)


register_form(
    FormSpec(
        replace(INTAKE, name="intake_complete", saved=N_("urgent.intake_completed")),
        on_save=_complete,
        opener=Opener(
            button=callbacks.URGENT_COMPLETE,
            roles=roles_that_may(Action.KEEP_FILES),
            denied=N_("children.error.not_found"),
            denied_table="child",
            load=_placeholder_start,
        ),
        check_context=lambda ctx: IntakeChecks(ctx.session, ctx.today, exclude_child=ctx.record_id),
    )
)
