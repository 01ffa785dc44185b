"""Apply one update to the caller's draft in one transaction, and say what to show next."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from bot.access import Caller
from bot.children import create_child, update_child
from bot.errors import TranslatableError, UserError
from bot.forms import drafts, engine
from bot.forms.engine import FormState
from bot.forms.model import Problem
from bot.forms.registry import get_form
from bot.forms.types import ParseContext
from storage import child_queries
from storage.child_models import FormSession


@dataclass(frozen=True)
class Screen:
    """What the user should see after an update."""

    kind: str  # question, review, saved, cancel_confirm, cancelled, stale, none, resume_offer
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


@dataclass
class IntakeChecks:
    """The database questions the intake rules ask, for one caller and one edit."""

    session: Session
    today: date
    exclude_child: int | None = None

    def holder_of_id(self, id_number: str) -> str | None:
        from storage import queries

        child = child_queries.child_by_id_number(session=self.session, id_number=id_number)
        if child is None or child.id == self.exclude_child:
            return None
        village = queries.get_org(session=self.session, code=child.village_code)
        return village.name if village else child.village_code

    def same_name_and_birth(self, name: str, birth_date: date) -> int:
        return child_queries.count_same_name_and_birth(
            session=self.session, name=name, birth_date=birth_date, exclude_id=self.exclude_child
        )


def _screen(
    draft: FormSession, state: FormState, error: Any = None, problems: tuple[Problem, ...] = ()
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
    )


def _review_problems(
    session: Session, draft: FormSession, state: FormState, today: date
) -> tuple[Problem, ...]:
    form = get_form(draft.form)
    checks = IntakeChecks(session, today, exclude_child=draft.record_id)
    return tuple(engine.problems(form, state, checks))


def _store(
    session: Session,
    draft: FormSession,
    state: FormState,
    now: datetime,
    today: date,
    error: Any = None,
) -> Screen:
    drafts.save_state(draft=draft, state=state, now=now)
    found = _review_problems(session, draft, state, today) if state.in_review else ()
    return _screen(draft, state, error, found)


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
) -> Screen:
    """Start a form, or offer to continue the open draft of it."""
    existing = drafts.open_draft_of(session=session, staff_id=caller.staff_id, form=form)
    if existing is not None and not restart and record_id is None:
        return Screen(
            "resume_offer", form=form, draft_id=existing.id or 0, state=drafts.state_of(existing)
        )
    state = engine.start(get_form(form), answers)
    if record_id is not None:
        state = engine.FormState(answers=state.answers, current=engine.REVIEW, version=1)
    draft = drafts.create_draft(
        session=session,
        staff_id=caller.staff_id,
        form=form,
        state=state,
        now=now,
        record_id=record_id,
    )
    return _store(session, draft, state, now, today)


def resume(
    *, session: Session, caller: Caller, draft_id: int, now: datetime, today: date
) -> Screen:
    """Bring a draft back to the front at the question it stopped at."""
    draft = drafts.draft_by_id(session=session, staff_id=caller.staff_id, draft_id=draft_id)
    if draft is None or draft.status != drafts.OPEN:
        return Screen("stale")
    return _store(session, draft, drafts.state_of(draft), now, today)


def current(*, session: Session, caller: Caller, today: date) -> Screen:
    """Show the active draft where it stands (after a restart, or on request)."""
    draft = drafts.active_draft(session=session, staff_id=caller.staff_id)
    if draft is None:
        return Screen("none")
    state = drafts.state_of(draft)
    found = _review_problems(session, draft, state, today) if state.in_review else ()
    return _screen(draft, state, problems=found)


def apply_text(
    *,
    session: Session,
    caller: Caller,
    text: str,
    now: datetime,
    today: date,
    update_id: int = 0,
) -> Screen:
    """Answer the active draft's question with typed text."""
    draft = drafts.active_draft(session=session, staff_id=caller.staff_id)
    if draft is None:
        return Screen("none")
    state = drafts.state_of(draft)
    if update_id and update_id <= state.last_update:
        return Screen("duplicate")
    outcome = engine.answer_text(get_form(draft.form), state, text, ParseContext(today=today))
    if outcome.error is not None:
        return _screen(
            draft,
            state,
            outcome.error,
            _review_problems(session, draft, state, today) if state.in_review else (),
        )
    return _store(session, draft, replace(outcome.state, last_update=update_id), now, today)


def apply_media(
    *, session: Session, caller: Caller, kind: str, value: Any, now: datetime, today: date
) -> Screen:
    """Answer the active draft's question with a photo, voice note or location."""
    draft = drafts.active_draft(session=session, staff_id=caller.staff_id)
    if draft is None:
        return Screen("none")
    state = drafts.state_of(draft)
    outcome = engine.answer_media(get_form(draft.form), state, kind, value)
    if outcome.error is not None:
        return _screen(draft, state, outcome.error)
    return _store(session, draft, outcome.state, now, today)


def _save(
    session: Session,
    caller: Caller,
    draft: FormSession,
    state: FormState,
    now: datetime,
    today: date,
    confirmed: bool,
) -> Screen:
    found = _review_problems(session, draft, state, today)
    blocking = [p for p in found if not p.warning]
    if blocking or (found and not confirmed):
        return _screen(draft, state, problems=found)
    answers = engine.relevant_answers(get_form(draft.form), state.answers)
    savers: dict[str, Callable[[], Any]] = {
        "intake": lambda: create_child(session=session, caller=caller, answers=answers, now=now),
        "intake_edit": lambda: update_child(
            session=session, caller=caller, child_id=draft.record_id or 0, answers=answers, now=now
        ),
    }
    try:
        record = savers[draft.form]()
    except UserError as error:
        return _screen(draft, state, error=error, problems=found)
    drafts.close_draft(draft=draft, status=drafts.SAVED, now=now)
    return Screen(
        "saved",
        form=draft.form,
        draft_id=draft.id or 0,
        state=state,
        record_id=record.id,
        info={"name": record.name},
    )


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
) -> Screen:
    """Apply a button press if it belongs to the draft's current version."""
    draft = drafts.draft_by_id(session=session, staff_id=caller.staff_id, draft_id=draft_id)
    if draft is None or draft.status != drafts.OPEN or draft.version != version:
        return Screen("stale")
    form = get_form(draft.form)
    state = drafts.state_of(draft)
    if action == "cancel":
        return Screen("cancel_confirm", form=draft.form, draft_id=draft.id or 0, state=state)
    if action == "discard":
        drafts.close_draft(draft=draft, status=drafts.DISCARDED, now=now)
        return Screen("cancelled", form=draft.form, record_id=draft.record_id)
    if action == "restart":
        drafts.close_draft(draft=draft, status=drafts.DISCARDED, now=now)
        return begin(
            session=session, caller=caller, form=draft.form, now=now, today=today, restart=True
        )
    if action == "resume":
        return _store(session, draft, state, now, today)
    if action in ("save", "confirm"):
        return _save(session, caller, draft, state, now, today, confirmed=action == "confirm")
    if action == "section" and state.in_review:
        names = [s.name for s in form.sections]
        if arg.isdigit() and int(arg) < len(names):
            return _store(
                session, draft, engine.revisit_section(form, state, names[int(arg)]), now, today
            )
    if action == "fix" and state.in_review:
        fields = [f.name for f in form.fields]
        if arg.isdigit() and int(arg) < len(fields):
            return _store(session, draft, engine.jump_to(form, state, fields[int(arg)]), now, today)
    outcome = engine.press(form, state, action, arg)
    if outcome.error is not None:
        return _screen(draft, state, outcome.error)
    return _store(session, draft, outcome.state, now, today)


def cancel_active(*, session: Session, caller: Caller) -> Screen:
    """Ask to confirm discarding the active draft (/cancel)."""
    draft = drafts.active_draft(session=session, staff_id=caller.staff_id)
    if draft is None:
        return Screen("none")
    return Screen(
        "cancel_confirm", form=draft.form, draft_id=draft.id or 0, state=drafts.state_of(draft)
    )
