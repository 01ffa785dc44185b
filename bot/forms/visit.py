"""The visit report: a home visit or a phone/video contact, on the same engine as the intake."""

from __future__ import annotations

from datetime import date, timedelta

from bot.forms.binding import from_date, joined, split, to_bool, to_date
from bot.forms.conditions import Answers, Condition, equals, includes, is_true, one_of
from bot.forms.family import NEEDS, caregiver_contact_fields, choices
from bot.forms.model import Field, Form, section
from bot.forms.rules import none_is_exclusive
from bot.i18n import N_

OLD_REPORT_DAYS = 30
URGENT = (
    "alone",
    "missing",
    "guardian_incapable",
    "domestic_violence",
    "injury_harm",
    "other_danger",
)
PROBLEMS = (
    "guardianship",
    "safety",
    "health",
    "schooling",
    "psychology",
    "internet",
    "living",
    "assistance",
)


def urgent_situations(answer: object, _answers: Answers) -> str:
    """The mandatory-report situations ticked, without "none"."""
    return ",".join(s for s in answer or [] if s in URGENT)  # type: ignore[attr-defined]


def urgent_from_column(stored: object, name: str) -> dict[str, object]:
    """Stored situations read back as ticks; none stored reads back as "none of these"."""
    ticks = [s for s in str(stored or "").split(",") if s in URGENT]
    return {name: ticks or ["none"]}


# Answers the form starts with and never asks: the child's category and tier, and today.
CONTEXT = ("_category", "_risk_tier", "_today", "_child", "_urgent_escalation")


def _older_than_a_month() -> Condition:
    def test(answers: dict[str, object]) -> bool:
        on, today = answers.get("visited_on"), answers.get("_today")
        if not isinstance(on, str) or not isinstance(today, str):
            return False
        return date.fromisoformat(on) < date.fromisoformat(today) - timedelta(OLD_REPORT_DAYS)

    return Condition(test, frozenset({"visited_on", "_today"}))  # type: ignore[arg-type]


HOME_VISIT = equals("kind", "home_visit")
NOBODY_HOME = includes("met", "nobody_home")
LEFT_BEHIND = equals("_category", "left_behind")
CAREGIVER_CHANGED = includes("changes", "caregiver")
ANY_PROBLEM = includes("problems", *PROBLEMS)
ANY_NEED = includes("needs", *NEEDS)
MET_SOMEONE = HOME_VISIT & ~NOBODY_HOME
# The child was met in person when "who was met" ticks the child: then it is not asked again.
SEEN_UNSETTLED = MET_SOMEONE & ~includes("met", "child")


def outcome_of(answers: Answers) -> str:
    """A home visit where nobody was home is an attempt, not a visit; anything else took place."""
    return "nobody_home" if "nobody_home" in (answers.get("met") or ()) else "completed"


def seen_in_person(answer: object, answers: Answers) -> bool:
    """Asked only when "who was met" leaves it open; the child met in person settles it."""
    if answer is not None:
        return bool(answer)
    return HOME_VISIT(answers) and "child" in (answers.get("met") or ())


def caregiver_changed(answer: object, _answers: Answers) -> bool:
    return "caregiver" in (answer or ())  # type: ignore[operator]


def caregiver_changed_answer(stored: object, name: str) -> dict[str, object]:
    return {name: ["caregiver"] if stored else ["none"]}


VISIT = Form(
    name="visit",
    title=N_("visit.title"),
    context=CONTEXT,
    saved=N_("visit.saved"),
    sections=(
        section(
            "basics",
            N_("visit.section.basics"),
            Field(
                "kind",
                "choice",
                N_("visit.kind"),
                bind="visit.kind",
                choices=choices("choice.visit_kind", "home_visit", "contact"),
            ),
            Field(
                "visited_on",
                "date",
                N_("visit.visited_on"),
                bind="visit.visited_on",
                to_column=to_date,
                from_column=from_date,
            ),
            Field(
                "old_date_confirm",
                "yes_no",
                N_("visit.old_date_confirm"),
                relevant=_older_than_a_month(),
                options={"redo_on_no": "visited_on"},
                label_values=lambda a, _t: {"days": OLD_REPORT_DAYS},
            ),
        ),
        section(
            "urgent",
            N_("visit.section.urgent"),
            Field(
                "urgent",
                "multi_choice",
                N_("visit.urgent"),
                bind="visit.urgent",
                to_column=urgent_situations,
                from_column=urgent_from_column,
                choices=choices("choice.urgent", *URGENT, "none"),
                validator=none_is_exclusive,
            ),
            Field(
                "urgent_note",
                "text",
                N_("visit.urgent_note"),
                bind="visit.urgent_note",
                relevant=includes("urgent", *URGENT),
                options={"max_length": 500},
            ),
        ),
        section(
            "meeting",
            N_("visit.section.meeting"),
            # In person only: a phone or video contact skips who was met and was the child seen.
            Field(
                "met",
                "multi_choice",
                N_("visit.met"),
                bind="visit.met",
                to_column=joined,
                from_column=split,
                relevant=HOME_VISIT,
                choices=choices(
                    "choice.met", "child", "caregiver", "parent", "others", "nobody_home"
                ),
                options={"exclusive": ("nobody_home",)},
            ),
            Field(
                "seen_in_person",
                "yes_no",
                N_("visit.seen_in_person"),
                bind="visit.seen_in_person",
                to_column=seen_in_person,
                relevant=SEEN_UNSETTLED,
            ),
        ),
        section(
            "problems",
            N_("visit.section.problems"),
            Field(
                "problems",
                "multi_choice",
                N_("visit.problems"),
                relevant=~NOBODY_HOME,
                choices=choices("choice.problem", *PROBLEMS, "none"),
                validator=none_is_exclusive,
            ),
            *(
                Field(
                    f"problem_{p}",
                    "text",
                    f"visit.problem.{p}",
                    relevant=includes("problems", p),
                    options={"max_length": 500},
                )
                for p in PROBLEMS
            ),
            Field(
                "measures",
                "long_text",
                N_("visit.measures"),
                bind="visit.measures",
                relevant=ANY_PROBLEM,
            ),
            # Needs found on a visit come from its problems: a visit that found none adds none.
            Field(
                "needs",
                "multi_choice",
                N_("visit.needs"),
                bind="visit.need_kinds",
                to_column=joined,
                from_column=split,
                relevant=ANY_PROBLEM,
                choices=choices("choice.need", *NEEDS, "none"),
                validator=none_is_exclusive,
            ),
            Field(
                "care_needs",
                "long_text",
                N_("visit.care_needs"),
                bind="visit.care_needs",
                relevant=ANY_NEED,
                required=False,
            ),
        ),
        section(
            "changes",
            N_("visit.section.changes"),
            # A left-behind child's two changes, caregiver and tier, are one question whose
            # "nothing changed" answers both in one tap; other children are asked the tier only.
            Field(
                "changes",
                "multi_choice",
                N_("visit.changes"),
                bind="visit.caregiver_changed",
                to_column=caregiver_changed,
                from_column=caregiver_changed_answer,
                relevant=LEFT_BEHIND & ~NOBODY_HOME,
                choices=choices("choice.change", "caregiver", "tier", "none"),
                validator=none_is_exclusive,
            ),
            *caregiver_contact_fields(CAREGIVER_CHANGED),
            Field(
                "risk_change",
                "choice",
                N_("visit.risk_change"),
                relevant=~NOBODY_HOME & (~LEFT_BEHIND | includes("changes", "tier")),
                choices=choices("choice.risk_change", "keep", "low", "medium", "high"),
                label_values=lambda a, t: {"tier": t.plain(f"choice.risk.{a.get('_risk_tier')}")},
            ),
            Field(
                "risk_reason",
                "text",
                N_("visit.risk_reason"),
                bind="visit.tier_reason",
                relevant=one_of("risk_change", "low", "medium", "high"),
                options={"max_length": 300},
            ),
        ),
        section(
            "media",
            N_("visit.section.media"),
            # One optional step: a home visit takes photos, a voice note and the location; a
            # phone or video contact only a voice note (photos and location are in person).
            Field(
                "media",
                "media",
                N_("visit.media"),
                required=False,
                relevant=HOME_VISIT,
                options={"skip_label": N_("visit.media_none")},
            ),
            Field(
                "call_media",
                "media",
                N_("visit.call_media"),
                required=False,
                relevant=~HOME_VISIT,
                options={"kinds": ("voice",), "skip_label": N_("visit.media_none")},
            ),
        ),
        section(
            "report",
            N_("visit.section.report"),
            # Reporting upward is asked when the visit found something to report.
            Field(
                "flag",
                "yes_no",
                N_("visit.flag"),
                bind="visit.flagged",
                to_column=to_bool,
                relevant=ANY_PROBLEM | ANY_NEED,
            ),
            Field(
                "flag_reason",
                "text",
                N_("visit.flag_reason"),
                bind="visit.flag_reason",
                relevant=is_true("flag"),
                options={"max_length": 500},
            ),
        ),
    ),
)

# The author may correct a visit report for a week. Tier and caregiver changes are events of
# their own and are not re-run; a situation or flag the correction adds raises the report the
# first save would have raised, and one it removes is told to whoever has the open report.
VISIT_EDIT = Form(
    name="visit_edit",
    title=N_("visit.title"),
    sections=tuple(
        s
        for s in VISIT.sections
        if s.name in ("basics", "urgent", "meeting", "problems", "media", "report")
    ),
    context=("_today",),
    edits_record=True,
    saved=N_("visit.saved_edit"),
)
