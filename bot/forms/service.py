"""Apply one update to the caller's draft in one transaction, and say what to show next."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from bot.care.escalations import EscalationPolicy
from bot.errors import TranslatableError, UserError
from bot.forms import drafts, engine
from bot.forms.engine import FormState
from bot.forms.model import Problem
from bot.forms.registry import FormContext, form_spec, get_form
from bot.forms.types import ParseContext
from bot.i18n import N_
from bot.people.access import Caller, Identity, identify, identity_of
from storage.child_models import FormSession

SAVED_AS = "_saved_as"  # on a saved draft: the record it made, for a redelivered Save press


@dataclass(frozen=True)
class Screen:
    """What the user should see after an update."""

    # question, review, saved, cancel_confirm, cancelled, stale, none, resume_offer, paused
    kind: str
    form: str = ""
    draft_id: int = 0
    state: FormState | None = None
    error: TranslatableError | None = None
    problems: tuple[Problem, ...] = ()
    record_id: int | None = None
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def version(self) -> int:
        return self.state.version if self.state else 0


@dataclass(frozen=True)
class Turn:
    """One update being applied: who, when, in which transaction, under which policy."""

    session: Session
    caller: Caller
    now: datetime
    today: date
    policy: EscalationPolicy


def _screen(
    draft: FormSession,
    state: FormState,
    error: Any = None,
    problems: tuple[Problem, ...] = (),
    info: dict[str, Any] | None = None,
) -> Screen:
    kind = "review" if state.in_review else "question"
    return Screen(
        kind,
        form=draft.form,
        draft_id=draft.id or 0,
        state=state,
        error=error,
        problems=problems,
        record_id=draft.record_id,
        info=info or {},
    )


def _hook_context(turn: Turn, draft: FormSession) -> FormContext:
    return FormContext(
        turn.session,
        turn.caller,
        turn.now,
        turn.today,
        turn.policy,
        draft_id=draft.id or 0,
        record_id=draft.record_id,
    )


def _review_problems(turn: Turn, draft: FormSession, state: FormState) -> tuple[Problem, ...]:
    spec = form_spec(draft.form)
    checks = spec.check_context(_hook_context(turn, draft)) if spec.check_context else None
    return tuple(engine.problems(spec.form, state, checks))


def _store(turn: Turn, draft: FormSession, state: FormState, error: Any = None) -> Screen:
    """Save the state (its next question or review is now in front); run what an answer sets off."""
    on_answer = form_spec(draft.form).on_answer
    info: dict[str, Any] = {}
    state = replace(state, notice="")  # an answer came after it: the notice was seen
    if on_answer is not None:
        state, said = on_answer(_hook_context(turn, draft), state)
        info = dict(said)
        state = replace(state, notice=str(info.get("notice", "")))
    drafts.save_state(session=turn.session, draft=draft, state=state, now=turn.now)
    found = _review_problems(turn, draft, state) if state.in_review else ()
    return _screen(draft, state, error, found, info)


def _refused(turn: Turn, draft: FormSession, state: FormState, error: Any) -> Screen:
    found = _review_problems(turn, draft, state) if state.in_review else ()
    # Shown again with a redelivered answer: its first reply may have been lost to a crash.
    info = {"notice": state.notice} if state.notice and error is None else None
    return _screen(draft, state, error, found, info)


def begin(
    *,
    session: Session,
    caller: Caller,
    form: str,
    now: datetime,
    today: date,
    record_id: int | None = None,
    answers: dict[str, Any] | None = None,
    restart: bool = False,
    policy: EscalationPolicy,
) -> Screen:
    """Start a form, or offer to continue the open draft of it."""
    turn = Turn(session, caller, now, today, policy)
    existing = drafts.open_draft_of(session=session, staff_id=caller.staff_id, form=form)
    if existing is not None and not restart and not get_form(form).edits_record:
        # The offer, not the draft's question, is now in front: typed text waits for Continue.
        drafts.pause_drafts(session=session, staff_id=caller.staff_id)
        return Screen(
            "resume_offer", form=form, draft_id=existing.id or 0, state=drafts.state_of(existing)
        )
    state = engine.start(get_form(form), answers)
    draft = drafts.create_draft(
        session=session,
        staff_id=caller.staff_id,
        form=form,
        state=state,
        now=now,
        record_id=record_id,
    )
    return _store(turn, draft, state)


def apply_text(
    *,
    session: Session,
    caller: Caller,
    text: str,
    now: datetime,
    today: date,
    update_id: int = 0,
    policy: EscalationPolicy,
) -> Screen:
    """Answer the active draft's question with typed text, if that question is in front.

    Text typed while the draft is paused (a menu item or command was used since its question,
    or something else was shown) is not an answer: "none", and the caller treats it as text.
    """
    turn = Turn(session, caller, now, today, policy)
    draft = drafts.active_draft(session=session, staff_id=caller.staff_id)
    if draft is None:
        return Screen("none")
    state = drafts.state_of(draft)
    if update_id and update_id <= state.last_update:
        # Applied already (the reply was lost to a crash): show what comes next again.
        return _refused(turn, draft, state, None)
    if not draft.asking:
        return Screen("none")
    outcome = engine.answer_text(get_form(draft.form), state, text, ParseContext(today=today))
    if outcome.error is not None:
        return _refused(turn, draft, state, outcome.error)
    return _store(turn, draft, replace(outcome.state, last_update=update_id))


def apply_media(
    *,
    session: Session,
    caller: Caller,
    kind: str,
    value: Any,
    now: datetime,
    today: date,
    policy: EscalationPolicy,
) -> Screen:
    """Answer the active draft's question with a photo, voice note or location, if in front."""
    turn = Turn(session, caller, now, today, policy)
    draft = drafts.active_draft(session=session, staff_id=caller.staff_id)
    if draft is None or not draft.asking:
        return Screen("none")
    state = drafts.state_of(draft)
    outcome = engine.answer_media(get_form(draft.form), state, kind, value)
    if outcome.error is not None:
        return _screen(draft, state, outcome.error)
    return _store(turn, draft, outcome.state)


def _save(turn: Turn, draft: FormSession, state: FormState, confirmed: bool) -> Screen:
    found = _review_problems(turn, draft, state)
    blocking = [p for p in found if not p.warning]
    if blocking or (found and not confirmed):
        return _screen(draft, state, problems=found)
    spec = form_spec(draft.form)
    answers = engine.relevant_answers(spec.form, state.answers)
    assert spec.on_save is not None  # the registry refuses a form without one
    try:
        saved = spec.on_save(_hook_context(turn, draft), answers)
    except UserError as error:
        return _screen(draft, state, error=error, problems=found)
    if state.last_update:
        # Kept so that the Save press, redelivered after a crash took its reply, says "saved".
        outcome = {"record_id": saved.record_id, "name": saved.name}
        state = replace(state, answers={**state.answers, SAVED_AS: outcome})
        drafts.save_state(session=turn.session, draft=draft, state=state, now=turn.now)
    drafts.close_draft(draft=draft, status=drafts.SAVED, now=turn.now)
    # Another open draft stays paused until its Continue: the saved message is in front now.
    drafts.pause_drafts(session=turn.session, staff_id=turn.caller.staff_id)
    return Screen(
        "saved",
        form=draft.form,
        draft_id=draft.id or 0,
        state=state,
        record_id=saved.record_id,
        info={"name": saved.name},
    )


def identify_and_press(
    *,
    session: Session,
    telegram_user_id: int,
    draft_id: int,
    version: int,
    action: str,
    arg: str,
    now: datetime,
    today: date,
    policy: EscalationPolicy,
    update_id: int = 0,
) -> tuple[Identity, Screen | None]:
    """Look up who pressed a form button and apply it in one transaction; None for a stranger.

    The draft and its owner come in one query: most presses cost one trip for both.
    """
    found = drafts.draft_with_sender(
        session=session, telegram_user_id=telegram_user_id, draft_id=draft_id
    )
    if found is None:
        # A stranger, a draft that is not the sender's (or no longer exists), or one the
        # sender's practice identity owns (bot/practice/: a staff row with no account).
        identity = identify(session=session, telegram_user_id=telegram_user_id)
        if identity.caller is None:
            return identity, None
        draft = drafts.draft_by_id(
            session=session, staff_id=identity.caller.staff_id, draft_id=draft_id
        )
        if draft is None:
            return identity, Screen("stale")
        turn = Turn(session, identity.caller, now, today, policy)
        return identity, _press(turn, draft, version, action, arg, update_id)
    draft, sender = found
    identity = identity_of(sender)
    if identity.caller is None:
        return identity, None
    turn = Turn(session, identity.caller, now, today, policy)
    return identity, _press(turn, draft, version, action, arg, update_id)


def apply_button(
    *,
    session: Session,
    caller: Caller,
    draft_id: int,
    version: int,
    action: str,
    arg: str,
    now: datetime,
    today: date,
    policy: EscalationPolicy,
    update_id: int = 0,
) -> Screen:
    """Apply a caller's button press if it belongs to the draft's current version.

    For a caller known already, as when data is filed without Telegram; the chat's presses go
    through identify_and_press, which shares everything after the draft lookup.
    """
    turn = Turn(session, caller, now, today, policy)
    draft = drafts.draft_by_id(session=session, staff_id=caller.staff_id, draft_id=draft_id)
    if draft is None:
        return Screen("stale")
    return _press(turn, draft, version, action, arg, update_id)


def _press(
    turn: Turn, draft: FormSession, version: int, action: str, arg: str, update_id: int = 0
) -> Screen:
    now = turn.now
    if draft.status != drafts.OPEN:
        return _saved_again(draft, update_id)
    if draft.version != version:
        return _redelivered(turn, draft, update_id)
    form = get_form(draft.form)
    state = drafts.state_of(draft)
    if update_id:
        # Kept so that the same press, redelivered after a crash, shows its result again.
        state = replace(state, last_update=update_id)
    if action == "cancel":
        return Screen("cancel_confirm", form=draft.form, draft_id=draft.id or 0, state=state)
    if action == "discard":
        drafts.close_draft(draft=draft, status=drafts.DISCARDED, now=now)
        drafts.pause_drafts(session=turn.session, staff_id=turn.caller.staff_id)
        return Screen("cancelled", form=draft.form, record_id=draft.record_id)
    if action == "restart":
        drafts.close_draft(draft=draft, status=drafts.DISCARDED, now=now)
        context = {k: v for k, v in state.answers.items() if k in form.context}
        return begin(
            session=turn.session,
            caller=turn.caller,
            form=draft.form,
            now=now,
            today=turn.today,
            restart=True,
            answers=context,
            record_id=draft.record_id,
            policy=turn.policy,
        )
    if action == "resume":
        return _store(turn, draft, state)
    if action in ("save", "confirm"):
        return _save(turn, draft, state, confirmed=action == "confirm")
    if action == "transfer" and state.in_review:
        return _request_transfer(turn, draft, state)
    if action == "section" and state.in_review:
        names = [s.name for s in form.sections]
        if arg.isdigit() and int(arg) < len(names):
            return _store(turn, draft, engine.revisit_section(form, state, names[int(arg)]))
    if action == "fix" and state.in_review:
        fields = [f.name for f in form.fields]
        if arg.isdigit() and int(arg) < len(fields):
            return _store(turn, draft, engine.jump_to(form, state, fields[int(arg)]))
    outcome = engine.press(form, state, action, arg)
    if outcome.error is not None:
        return _screen(draft, state, outcome.error)
    return _store(turn, draft, outcome.state)


def _request_transfer(turn: Turn, draft: FormSession, state: FormState) -> Screen:
    """Record a transfer request for a child on file elsewhere; the county office follows up."""
    from bot.care.children import request_transfer

    found = _review_problems(turn, draft, state)
    number = state.answers.get("child_id")
    if number and any(p.action == "transfer" for p in found):
        request_transfer(
            session=turn.session, caller=turn.caller, id_number=str(number), now=turn.now
        )
        return _screen(
            draft, state, problems=found, info={"notice": N_("duplicate.transfer_requested")}
        )
    return _screen(draft, state, problems=found)


def _saved_again(draft: FormSession, update_id: int) -> Screen:
    """A press on a finished draft: stale, unless it is the Save press itself, redelivered after a
    crash took its reply, which says "saved" again."""
    state = drafts.state_of(draft)
    outcome = state.answers.get(SAVED_AS)
    if draft.status != drafts.SAVED or not update_id or state.last_update != update_id:
        return Screen("stale")
    if not isinstance(outcome, dict):
        return Screen("stale")
    return Screen(
        "saved",
        form=draft.form,
        draft_id=draft.id or 0,
        state=state,
        record_id=outcome.get("record_id"),
        info={"name": outcome.get("name", "")},
    )


def _redelivered(turn: Turn, draft: FormSession, update_id: int) -> Screen:
    """A press of an earlier version: stale, unless it is the press applied last (redelivered
    after a crash took its reply), which shows the current question again."""
    if not update_id:
        return Screen("stale")
    state = drafts.state_of(draft)
    if state.last_update != update_id:
        return Screen("stale")
    return _refused(turn, draft, state, None)


def pause(*, session: Session, caller: Caller) -> Screen:
    """Pause the form whose question was in front (a menu item or command was used instead);
    return the offer to continue it, or "none" when no question was in front."""
    paused = drafts.pause_drafts(session=session, staff_id=caller.staff_id)
    if not paused:
        return Screen("none")
    draft = paused[0]
    return Screen("paused", form=draft.form, draft_id=draft.id or 0, state=drafts.state_of(draft))


def cancel_active(*, session: Session, caller: Caller) -> Screen:
    """Ask to confirm discarding the active draft (/cancel)."""
    draft = drafts.active_draft(session=session, staff_id=caller.staff_id)
    if draft is None:
        return Screen("none")
    return Screen(
        "cancel_confirm", form=draft.form, draft_id=draft.id or 0, state=drafts.state_of(draft)
    )
