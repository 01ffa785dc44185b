"""The visit report: a home visit or a phone/video contact, on the same engine as the intake."""

from __future__ import annotations

from datetime import date, timedelta

from bot.forms.binding import from_date, joined, split, to_bool, to_date
from bot.forms.conditions import Answers, Condition, equals, includes, is_true
from bot.forms.intake import caregiver_contact_fields, choices
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


CAREGIVER_CHANGED = is_true("caregiver_changed")
ANY_PROBLEM = includes("problems", *PROBLEMS)


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
            Field(
                "met",
                "multi_choice",
                N_("visit.met"),
                bind="visit.met",
                to_column=joined,
                from_column=split,
                choices=choices("choice.met", "child", "caregiver", "parent", "others"),
            ),
            Field(
                "seen_in_person",
                "yes_no",
                N_("visit.seen_in_person"),
                bind="visit.seen_in_person",
                to_column=to_bool,
            ),
        ),
        section(
            "problems",
            N_("visit.section.problems"),
            Field(
                "problems",
                "multi_choice",
                N_("visit.problems"),
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
            Field(
                "care_needs",
                "long_text",
                N_("visit.care_needs"),
                bind="visit.care_needs",
                required=False,
            ),
        ),
        section(
            "changes",
            N_("visit.section.changes"),
            Field(
                "caregiver_changed",
                "yes_no",
                N_("visit.caregiver_changed"),
                bind="visit.caregiver_changed",
                to_column=to_bool,
                relevant=equals("_category", "left_behind"),
            ),
            *caregiver_contact_fields(CAREGIVER_CHANGED),
            Field(
                "risk_change",
                "choice",
                N_("visit.risk_change"),
                choices=choices("choice.risk_change", "keep", "low", "medium", "high"),
                label_values=lambda a, t: {"tier": t.plain(f"choice.risk.{a.get('_risk_tier')}")},
            ),
            Field(
                "risk_reason",
                "text",
                N_("visit.risk_reason"),
                bind="visit.tier_reason",
                relevant=~equals("risk_change", "keep"),
                options={"max_length": 300},
            ),
        ),
        section(
            "media",
            N_("visit.section.media"),
            Field("photo", "photo", N_("visit.photo"), required=False),
            Field("voice", "voice", N_("visit.voice"), required=False),
            Field("location", "location", N_("visit.location"), required=False),
        ),
        section(
            "report",
            N_("visit.section.report"),
            Field("flag", "yes_no", N_("visit.flag"), bind="visit.flagged", to_column=to_bool),
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
