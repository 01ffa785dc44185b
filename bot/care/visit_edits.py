"""What correcting a visit report sets off: the reports the first save would have raised.

A correction that adds a mandatory-report situation or a flag raises the escalation saving the
visit that way would have raised. One that takes them away closes nothing: whoever holds the
open report is told that the author changed it, and decides.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot.care.escalation.routing import holders
from bot.care.escalations import RESOLVED, EscalationPolicy, Report, raise_escalation
from bot.forms.visit import PROBLEMS, URGENT
from bot.i18n import N_
from bot.notify.notification import text_notice
from bot.notify.outbox import enqueue
from storage import visit_queries
from storage.child_models import Child
from storage.visit_models import Escalation, Visit

SITUATIONS_CHANGED = N_("urgent.edit.situations_changed")
FLAG_REMOVED = N_("urgent.edit.flag_removed")


def situations(answers: dict[str, Any]) -> list[str]:
    """The mandatory-report situations ticked, in the list's order."""
    return [s for s in URGENT if s in (answers.get("urgent") or [])]


def _urgent_report(answers: dict[str, Any]) -> Report:
    return Report(
        situations=[f"choice.urgent.{s}" for s in situations(answers)],
        note=answers.get("urgent_note") or "",
    )


def _flag_report(answers: dict[str, Any]) -> Report:
    problems = [
        (f"choice.problem.{p}", answers.get(f"problem_{p}") or "")
        for p in answers.get("problems") or []
        if p in PROBLEMS
    ]
    return Report(
        problems=problems,
        measures=answers.get("measures") or "",
        note=answers.get("flag_reason") or "",
    )


def _tell_holders(
    session: Session, esc: Escalation, key: str, child: Child, visit: Visit, now: datetime
) -> None:
    """Queue to whoever holds an open report (its owner, or everyone at its level) that the
    visit it came from was changed, and how."""
    notice = text_notice(key, id=esc.id or 0, name=child.name)
    people = holders(session, esc)
    stamp = now.strftime("%Y%m%d%H%M%S")
    for person in people:
        enqueue(
            session=session,
            key=f"esc:{esc.id}:changed:{visit.id}:{stamp}:{person.id}",
            recipient=person,
            message=notice,
            now=now,
        )


def rerun_reports(
    *,
    session: Session,
    author_id: int,
    visit: Visit,
    child: Child,
    before: dict[str, Any],
    after: dict[str, Any],
    now: datetime,
    policy: EscalationPolicy,
) -> list[Escalation]:
    """Raise what the corrected report now calls for; tell of what it no longer says.

    Returns the escalations raised (none when an open one already covers the report).
    """
    assert visit.id is not None
    open_reports = [
        esc
        for esc in visit_queries.escalations_of_visit(session=session, visit_id=visit.id)
        if esc.state != RESOLVED
    ]
    open_urgent = [e for e in open_reports if e.urgent]
    open_flagged = [e for e in open_reports if not e.urgent]
    raised: list[Escalation] = []
    now_urgent, was_urgent = situations(after), situations(before)
    if now_urgent and set(now_urgent) - set(was_urgent) and not open_urgent:
        raised.append(
            raise_escalation(
                session=session,
                child=child,
                raised_by=author_id,
                urgent=True,
                reason="urgent:" + ",".join(now_urgent),
                report=_urgent_report(after),
                now=now,
                policy=policy,
                visit_id=visit.id,
            )
        )
    elif set(was_urgent) != set(now_urgent):
        for esc in open_urgent:
            _tell_holders(session, esc, SITUATIONS_CHANGED, child, visit, now)
    if after.get("flag") and not before.get("flag") and not open_flagged:
        raised.append(
            raise_escalation(
                session=session,
                child=child,
                raised_by=author_id,
                urgent=False,
                reason=after.get("flag_reason") or "",
                report=_flag_report(after),
                now=now,
                policy=policy,
                visit_id=visit.id,
            )
        )
    elif before.get("flag") and not after.get("flag"):
        for esc in open_flagged:
            _tell_holders(session, esc, FLAG_REMOVED, child, visit, now)
    return raised
