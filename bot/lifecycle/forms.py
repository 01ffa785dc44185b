"""The forms of a file's life: close, reopen, return from review, transfer. Each one a
declaration; they register with the built-in forms (bot.forms.declared imports this module).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlmodel import Session

from bot.errors import UserError
from bot.forms.conditions import Answers
from bot.forms.engine import FormState
from bot.forms.intake import INTAKE
from bot.forms.model import Choice, Field, Form, Problem, section
from bot.forms.registry import FormContext, FormSpec, Opener, Saved, register_form
from bot.i18n import N_
from bot.lifecycle import closing, review, transfers
from bot.people.access import Caller
from bot.people.roles import Role
from bot.telegram import callbacks

DIRECTORS = frozenset({Role.DIRECTOR})
REVIEWERS = frozenset({Role.SUPERVISOR, Role.ADMIN})


# Closing: a reason by button, a date (today by button, or typed; never in the future).

CLOSE = Form(
    name="child_close",
    title=N_("lifecycle.form.close"),
    sections=(
        section(
            "close",
            N_("lifecycle.form.close"),
            Field(
                "reason",
                "choice",
                N_("lifecycle.form.close_reason"),
                choices=tuple(Choice(v, k) for v, k in closing.CLOSE_REASONS.items()),
            ),
            Field("closed_on", "date", N_("lifecycle.form.closed_on")),
            Field("note", "long_text", N_("lifecycle.form.close_note"), required=False),
        ),
    ),
    saved=N_("lifecycle.saved.closed"),
)


def _closable(ctx: FormContext) -> dict[str, Any]:
    closing.closable(ctx.session, ctx.caller, ctx.record_id or 0)
    return {}


def _close(ctx: FormContext, answers: dict[str, Any]) -> Saved:
    child = closing.close_child(
        session=ctx.session,
        caller=ctx.caller,
        child_id=ctx.record_id or 0,
        reason=str(answers["reason"]),
        closed_on=date.fromisoformat(str(answers["closed_on"])),
        note=str(answers.get("note") or ""),
        today=ctx.today,
        now=ctx.now,
    )
    return Saved(child.id, child.name)


# Reopening: one question, why.

REOPEN = Form(
    name="child_reopen",
    title=N_("lifecycle.form.reopen"),
    sections=(
        section(
            "reopen",
            N_("lifecycle.form.reopen"),
            Field("reason", "long_text", N_("lifecycle.form.reopen_reason")),
        ),
    ),
    brief_review=True,
    saved=N_("lifecycle.saved.reopened"),
)


def _reopenable(ctx: FormContext) -> dict[str, Any]:
    closing.reopenable(ctx.session, ctx.caller, ctx.record_id or 0)
    return {}


def _reopen(ctx: FormContext, answers: dict[str, Any]) -> Saved:
    child = closing.reopen_child(
        session=ctx.session,
        caller=ctx.caller,
        child_id=ctx.record_id or 0,
        reason=str(answers["reason"]),
        today=ctx.today,
        now=ctx.now,
    )
    return Saved(child.id, child.name)


# Returning a file from review: the part of the intake to look at again, and a note.

RETURN = Form(
    name="review_return",
    title=N_("lifecycle.form.return"),
    sections=(
        section(
            "return",
            N_("lifecycle.form.return"),
            Field(
                "section",
                "choice",
                N_("lifecycle.form.return_section"),
                choices=tuple(Choice(s.name, s.label) for s in INTAKE.sections),
            ),
            Field("note", "long_text", N_("lifecycle.form.return_note")),
        ),
    ),
    saved=N_("lifecycle.saved.returned"),
)


def _reviewable(ctx: FormContext) -> dict[str, Any]:
    review.reviewable(ctx.session, ctx.caller, ctx.record_id or 0)
    return {}


def _return(ctx: FormContext, answers: dict[str, Any]) -> Saved:
    child = review.return_file(
        session=ctx.session,
        caller=ctx.caller,
        child_id=ctx.record_id or 0,
        section=str(answers["section"]),
        note=str(answers["note"]),
        now=ctx.now,
    )
    return Saved(child.id, child.name)


# Transfer: the receiving village, by code or by a part of its name; an optional note.


@dataclass
class TransferChecks:
    """The database question the transfer form asks: which village the answer names."""

    session: Session
    caller: Caller

    def village_problem(self, text: str) -> UserError | None:
        try:
            transfers.destination(self.session, self.caller, text)
        except UserError as error:
            return error
        return None


def check_village(answers: Answers, context: TransferChecks) -> Sequence[Problem]:
    """Refuse a village that is unknown, ambiguous or the caller's own."""
    text = answers.get("village")
    error = context.village_problem(str(text)) if text else None
    if error is None:
        return []
    return [Problem(error.key, ("village",), error.values)]


TRANSFER = Form(
    name="child_transfer",
    title=N_("lifecycle.form.transfer"),
    sections=(
        section(
            "transfer",
            N_("lifecycle.form.transfer"),
            Field(
                "village",
                "text",
                N_("lifecycle.form.transfer_village"),
                options={"max_length": transfers.NAME_MAX},
            ),
            Field("note", "long_text", N_("lifecycle.form.transfer_note"), required=False),
        ),
    ),
    checks=(check_village,),
    saved=N_("lifecycle.saved.transfer_asked"),
)


def _name_the_village(ctx: FormContext, state: FormState) -> tuple[FormState, dict[str, Any]]:
    """Show the village found for a typed code or name by its name and code."""
    typed = state.answers.get("village")
    if not typed:
        return state, {}
    shown = transfers.shown_village(ctx.session, str(typed))
    if shown == typed:
        return state, {}
    return replace(state, answers={**state.answers, "village": shown}), {}


def _transferable(ctx: FormContext) -> dict[str, Any]:
    transfers.transferable(ctx.session, ctx.caller, ctx.record_id or 0)
    return {}


def _transfer(ctx: FormContext, answers: dict[str, Any]) -> Saved:
    transfers.send_file(
        session=ctx.session,
        caller=ctx.caller,
        child_id=ctx.record_id or 0,
        village=str(answers["village"]),
        note=str(answers.get("note") or ""),
        now=ctx.now,
    )
    return Saved(ctx.record_id)


# Declining a transfer: one question, why; both sides are told.

DECLINE = Form(
    name="transfer_decline",
    title=N_("lifecycle.form.decline"),
    sections=(
        section(
            "decline",
            N_("lifecycle.form.decline"),
            Field("reason", "long_text", N_("lifecycle.form.decline_reason")),
        ),
    ),
    brief_review=True,
    saved=N_("lifecycle.saved.declined"),
)


def _decidable(ctx: FormContext) -> dict[str, Any]:
    transfers.decidable(ctx.session, ctx.caller, ctx.record_id or 0)
    return {}


def _decline(ctx: FormContext, answers: dict[str, Any]) -> Saved:
    _, child = transfers.decide(
        session=ctx.session,
        caller=ctx.caller,
        transfer_id=ctx.record_id or 0,
        accept=False,
        now=ctx.now,
        today=ctx.today,
        reason=str(answers["reason"]),
    )
    return Saved(ctx.record_id, child.name)


register_form(
    FormSpec(
        CLOSE,
        on_save=_close,
        opener=Opener(button=callbacks.CLOSE_FILE, roles=DIRECTORS, load=_closable, restart=True),
    )
)
register_form(
    FormSpec(
        REOPEN,
        on_save=_reopen,
        opener=Opener(
            button=callbacks.REOPEN_FILE, roles=DIRECTORS, load=_reopenable, restart=True
        ),
    )
)
register_form(
    FormSpec(
        RETURN,
        on_save=_return,
        opener=Opener(
            button=callbacks.RETURN_FILE,
            roles=REVIEWERS,
            denied=N_("lifecycle.error.not_reviewer"),
            load=_reviewable,
            restart=True,
        ),
    )
)
register_form(
    FormSpec(
        TRANSFER,
        on_save=_transfer,
        on_answer=_name_the_village,
        opener=Opener(
            button=callbacks.TRANSFER_FILE, roles=DIRECTORS, load=_transferable, restart=True
        ),
        check_context=lambda ctx: TransferChecks(ctx.session, ctx.caller),
    )
)
register_form(
    FormSpec(
        DECLINE,
        on_save=_decline,
        opener=Opener(
            button=callbacks.DECLINE_TRANSFER,
            denied_table="child_transfer",
            load=_decidable,
            restart=True,
        ),
    )
)
