"""The built-in forms, each one declaration: questions, opener, checks, and what they set off.

The questions live in intake.py, visit.py and notes.py; the rules what saving changes live in
bot.care. This module joins the two, in that one direction: bot.care never imports it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlmodel import Session

from bot.care import children, escalations, visits
from bot.errors import AccessDenied, UserError
from bot.forms.engine import FormState
from bot.forms.intake import INTAKE, INTAKE_EDIT
from bot.forms.notes import ASK, REPLY, RESOLVE
from bot.forms.registry import FormContext, FormSpec, Opener, Saved, register_form
from bot.forms.rules import check_eligibility
from bot.forms.visit import URGENT, VISIT, VISIT_EDIT
from bot.i18n import N_
from bot.lifecycle import review
from bot.lifecycle.ageing import mark_qualification
from bot.lifecycle.eligibility import relaxed_for_edits
from bot.people.roles import Action, roles_that_may
from bot.telegram import callbacks
from storage import child_queries, queries, visit_queries


@dataclass
class IntakeChecks:
    """The database questions the intake rules ask, for one caller and one edit."""

    session: Session
    today: date
    exclude_child: int | None = None

    def holder_of_id(self, id_number: str) -> str | None:
        child = child_queries.child_by_id_number(session=self.session, id_number=id_number)
        if child is None or child.id == self.exclude_child:
            return None
        village = queries.get_org(session=self.session, code=child.village_code)
        return village.name if village else child.village_code

    def same_name_and_birth(self, name: str, birth_date: date) -> int:
        return child_queries.count_same_name_and_birth(
            session=self.session, name=name, birth_date=birth_date, exclude_id=self.exclude_child
        )


def _intake_checks(ctx: FormContext) -> IntakeChecks:
    return IntakeChecks(ctx.session, ctx.today, exclude_child=ctx.record_id)


# Intake: a new child's file, from /new (or the menu's button, which calls the same opener).


def _create_child(ctx: FormContext, answers: dict[str, Any]) -> Saved:
    child = children.create_child(
        session=ctx.session, caller=ctx.caller, answers=answers, now=ctx.now, today=ctx.today
    )
    review.after_save(
        session=ctx.session,
        caller=ctx.caller,
        child=child,
        kind=review.NEW,
        changed=(),
        enabled=ctx.policy.review_new_files,
        now=ctx.now,
    )
    return Saved(child.id, child.name)


register_form(
    FormSpec(
        INTAKE,
        on_save=_create_child,
        opener=Opener(command="new"),
        check_context=_intake_checks,
    )
)


# Editing a file walks the same questions, pre-filled, and saves over the stored file.


def _file_answers(ctx: FormContext) -> dict[str, Any]:
    child_id = ctx.record_id or 0
    file = children.load_file(session=ctx.session, caller=ctx.caller, child_id=child_id)
    if file is None:
        raise AccessDenied(N_("children.error.not_found"), table="child", record_id=child_id)
    if not children.can_edit(ctx.caller, file):
        raise UserError(N_("children.error.read_only"))
    review.check_editor(ctx.caller, file.child)
    return children.answers_of(file)


def _update_child(ctx: FormContext, answers: dict[str, Any]) -> Saved:
    before = _file_answers(ctx)
    child = children.update_child(
        session=ctx.session,
        caller=ctx.caller,
        child_id=ctx.record_id or 0,
        answers=answers,
        now=ctx.now,
        today=ctx.today,
    )
    # Whether the recorded facts still qualify: the daily sweep asks about those that do not.
    mark_qualification(child, check_eligibility(answers, _intake_checks(ctx)), ctx.today)
    after = {k: v for k, v in answers.items() if v is not None}
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    # Review again when the edit touched what is reviewed, or answered a return (even unchanged).
    review.after_save(
        session=ctx.session,
        caller=ctx.caller,
        child=child,
        kind=review.EDIT,
        changed=changed,
        enabled=ctx.policy.review_new_files,
        now=ctx.now,
    )
    return Saved(child.id, child.name)


# A file on record stays editable when the child no longer qualifies: eligibility warns, with
# the prompt to close the file or change its category (bot.lifecycle).
EDIT_CHECKS = tuple(relaxed_for_edits(c) if c is check_eligibility else c for c in INTAKE.checks)

register_form(
    FormSpec(
        replace(
            INTAKE_EDIT,
            checks=EDIT_CHECKS,
        ),
        on_save=_update_child,
        # Opened from the file card's Edit button, whose data the children's codec carries.
        opener=Opener(load=_file_answers),
        check_context=_intake_checks,
    )
)


# A visit report for one of the director's children, from the picker or the card.


def _visit_start(ctx: FormContext) -> dict[str, Any]:
    child = visits.child_for_visit(
        session=ctx.session, caller=ctx.caller, child_id=ctx.record_id or 0
    )
    return visits.visit_context(child, ctx.today)


def _raise_urgent_when_answered(
    ctx: FormContext, state: FormState
) -> tuple[FormState, dict[str, Any]]:
    """Raise the urgent report the moment a mandatory-report situation is described."""
    answers = state.answers
    if answers.get("_urgent_escalation") or "urgent_note" not in answers:
        return state, {}
    if not any(s in URGENT for s in answers.get("urgent") or []):
        return state, {}
    escalation_id = visits.raise_urgent(
        session=ctx.session,
        caller=ctx.caller,
        answers=answers,
        draft_id=ctx.draft_id,
        now=ctx.now,
        policy=ctx.policy,
    )
    state = replace(state, answers={**answers, "_urgent_escalation": escalation_id})
    return state, {"notice": N_("visit.urgent_raised")}


def _save_visit(ctx: FormContext, answers: dict[str, Any]) -> Saved:
    visit = visits.save_visit(
        session=ctx.session,
        caller=ctx.caller,
        answers=answers,
        now=ctx.now,
        today=ctx.today,
        policy=ctx.policy,
    )
    urgent_id = answers.get("_urgent_escalation")
    if urgent_id and visit.id is not None:
        # The urgent report went out before the visit existed; it now points at it.
        visit_queries.link_escalation_to_visit(
            session=ctx.session, escalation_id=int(urgent_id), visit_id=visit.id
        )
    return Saved(visit.id)


register_form(
    FormSpec(
        VISIT,
        on_save=_save_visit,
        on_answer=_raise_urgent_when_answered,
        opener=Opener(
            button=callbacks.VISIT_START,
            roles=roles_that_may(Action.REPORT_VISITS),
            denied=N_("children.error.not_found"),
            denied_table="child",
            load=_visit_start,
        ),
    )
)


# Correcting one of the caller's visit reports of the last week, opened at its review.


def _visit_edit_answers(ctx: FormContext) -> dict[str, Any]:
    visit = visits.editable_visit(
        session=ctx.session, caller=ctx.caller, visit_id=ctx.record_id or 0, now=ctx.now
    )
    return visits.visit_answers(session=ctx.session, visit=visit, today=ctx.today)


def _update_visit(ctx: FormContext, answers: dict[str, Any]) -> Saved:
    visit = visits.update_visit(
        session=ctx.session,
        caller=ctx.caller,
        visit_id=ctx.record_id or 0,
        answers=answers,
        now=ctx.now,
        today=ctx.today,
        policy=ctx.policy,
    )
    return Saved(visit.id)


register_form(
    FormSpec(
        VISIT_EDIT,
        on_save=_update_visit,
        opener=Opener(button=callbacks.VISIT_EDIT, load=_visit_edit_answers),
    )
)


# The escalation steps: a resolution note, a question to the director, the director's reply.
# Opened from the escalation's buttons, whose codec also carries Acknowledge.


def _actionable(ctx: FormContext) -> dict[str, Any]:
    escalations.actionable(session=ctx.session, caller=ctx.caller, esc_id=ctx.record_id or 0)
    return {}


def _own_report(ctx: FormContext) -> dict[str, Any]:
    escalations.own_report(session=ctx.session, caller=ctx.caller, esc_id=ctx.record_id or 0)
    return {}


def _note(answers: dict[str, Any]) -> str:
    return str(answers.get("note") or "")


def _resolve(ctx: FormContext, answers: dict[str, Any]) -> Saved:
    esc_id = ctx.record_id or 0
    escalations.resolve(
        session=ctx.session, caller=ctx.caller, esc_id=esc_id, note=_note(answers), now=ctx.now
    )
    return Saved(esc_id)


def _ask(ctx: FormContext, answers: dict[str, Any]) -> Saved:
    esc_id = ctx.record_id or 0
    escalations.ask_director(
        session=ctx.session, caller=ctx.caller, esc_id=esc_id, question=_note(answers), now=ctx.now
    )
    return Saved(esc_id)


def _reply(ctx: FormContext, answers: dict[str, Any]) -> Saved:
    esc_id = ctx.record_id or 0
    escalations.reply_to_question(
        session=ctx.session, caller=ctx.caller, esc_id=esc_id, answer=_note(answers), now=ctx.now
    )
    return Saved(esc_id)


register_form(FormSpec(RESOLVE, on_save=_resolve, opener=Opener(load=_actionable, restart=True)))
register_form(FormSpec(ASK, on_save=_ask, opener=Opener(load=_actionable, restart=True)))
register_form(FormSpec(REPLY, on_save=_reply, opener=Opener(load=_own_report, restart=True)))


# Forms declared by other concerns, registered with the built-ins.
import bot.county.checklist  # noqa: E402

# Help given and the work log are declared in a module of their own.
import bot.forms.declared_care_log  # noqa: E402

# The forms of a file's life (close, reopen, return from review, transfer) register here too.
import bot.lifecycle.forms  # noqa: E402, F401
