"""The intake form: the attachment's one-child-one-file ledger plus section 5's entrustment."""

from __future__ import annotations

from dataclasses import replace

from bot.forms.binding import (
    from_date,
    from_decimal,
    joined,
    joined_or_none,
    split,
    to_date,
    to_decimal,
)
from bot.forms.conditions import (
    ALWAYS,
    Answers,
    answered,
    equals,
    includes,
    one_of,
)
from bot.forms.family import (
    CHILD_AID,
    ETHNICITIES,
    FAMILY_AID,
    IN_DIFFICULTY,
    LEFT_BEHIND,
    NEEDS,
    NO_ID,
    amount_fields,
    caregiver_contact_fields,
    choices,
    guardian_fields,
    parent_fields,
)
from bot.forms.model import Field, Form, section
from bot.forms.rules import (
    check_duplicates,
    check_eligibility,
    derived_identity,
    entrusted_until_after_from,
    none_is_exclusive,
)
from bot.i18n import N_

__all__ = ["INTAKE", "INTAKE_EDIT", "NEEDS", "caregiver_contact_fields", "choices"]


def ethnicity_to_column(answer: object, answers: Answers) -> str:
    """Another ethnicity is stored by its typed name."""
    if answer == "other":
        return str(answers.get("ethnicity_other") or "other")
    return str(answer)


def ethnicity_from_column(stored: object, name: str) -> dict[str, object]:
    """A stored name that is none of the listed ethnicities reads back as Other, typed."""
    if stored in ETHNICITIES:
        return {name: stored}
    return {name: "other", "ethnicity_other": stored}


INTAKE = Form(
    name="intake",
    title=N_("intake.title"),
    sections=(
        section(
            "child",
            N_("intake.section.child"),
            Field(
                "child_name",
                "text",
                N_("intake.child.name"),
                bind="child.name",
                options={"max_length": 50},
            ),
            # A child with no ID number yet (unregistered) is filed all the same: why, and the
            # birth date and sex the number would have given; a daily reminder follows until
            # the number is added.
            Field(
                "child_id",
                "id_number",
                N_("intake.child.id"),
                bind="child.id_number",
                required=False,
                options={"skip_label": N_("intake.child.no_id")},
            ),
            Field(
                "child_id_confirm",
                "yes_no",
                N_("intake.child.id_confirm"),
                relevant=answered("child_id"),
                label_values=derived_identity,
                options={"redo_on_no": "child_id", "hide_in_review": True},
            ),
            Field(
                "no_id_reason",
                "choice",
                N_("intake.child.no_id_reason"),
                bind="child.no_id_reason",
                relevant=NO_ID,
                choices=choices("choice.no_id", "unregistered", "not_issued", "unknown"),
            ),
            Field(
                "birth_date",
                "date",
                N_("intake.child.birth_date"),
                bind="child.birth_date",
                to_column=to_date,
                from_column=from_date,
                relevant=NO_ID,
            ),
            Field(
                "sex",
                "choice",
                N_("intake.child.sex"),
                bind="child.sex",
                relevant=NO_ID,
                choices=choices("choice.sex", "male", "female"),
            ),
            Field(
                "ethnicity",
                "choice",
                N_("intake.child.ethnicity"),
                bind="child.ethnicity",
                to_column=ethnicity_to_column,
                from_column=ethnicity_from_column,
                choices=choices("choice.ethnicity", *ETHNICITIES, "other"),
            ),
            Field(
                "ethnicity_other",
                "text",
                N_("intake.child.ethnicity_other"),
                relevant=equals("ethnicity", "other"),
                options={"max_length": 20},
            ),
            Field(
                "home_address",
                "text",
                N_("intake.child.address"),
                bind="child.home_address",
                options={"max_length": 200},
            ),
            Field(
                "hukou",
                "choice",
                N_("intake.child.hukou"),
                bind="child.hukou",
                choices=choices("choice.hukou", "rural", "urban"),
            ),
            Field(
                "category",
                "choice",
                N_("intake.child.category"),
                bind="child.category",
                choices=choices("choice.category", "left_behind", "difficulty"),
            ),
            Field(
                "difficulty_type",
                "multi_choice",
                N_("intake.child.difficulty_type"),
                bind="child.difficulty_type",
                to_column=joined_or_none,
                from_column=split,
                relevant=IN_DIFFICULTY,
                choices=choices(
                    "choice.difficulty",
                    "poverty",
                    "disability",
                    "guardianship",
                    "orphan",
                    "de_facto",
                    "hiv",
                    "other",
                ),
            ),
            Field(
                "difficulty_detail",
                "text",
                N_("intake.child.difficulty_detail"),
                bind="child.difficulty_detail",
                relevant=IN_DIFFICULTY,
                required=False,
                options={"max_length": 200},
            ),
            Field(
                "single_parent",
                "choice",
                N_("intake.child.single_parent"),
                bind="child.single_parent",
                choices=choices("choice.single_parent", "no", "mother", "father"),
            ),
            Field(
                "schooling",
                "choice",
                N_("intake.child.schooling"),
                bind="child.schooling",
                choices=choices(
                    "choice.schooling",
                    "not_yet",
                    "kindergarten",
                    "primary",
                    "junior",
                    "senior",
                    "vocational",
                    "dropped_out",
                ),
            ),
            Field(
                "boarding",
                "choice",
                N_("intake.child.boarding"),
                bind="child.boarding",
                relevant=one_of("schooling", "primary", "junior", "senior", "vocational"),
                choices=choices("choice.boarding", "boarder", "day"),
            ),
            Field(
                "guardianship",
                "choice",
                N_("intake.child.guardianship"),
                bind="child.guardianship",
                choices=choices("choice.guardianship", "good", "fair", "inadequate"),
            ),
            Field(
                "guardianship_detail",
                "text",
                N_("intake.child.guardianship_detail"),
                bind="child.guardianship_detail",
                relevant=equals("guardianship", "inadequate"),
                options={"max_length": 200},
            ),
            # Several at once (ill and disabled); "healthy" stands alone and answers in one tap.
            Field(
                "health",
                "multi_choice",
                N_("intake.child.health"),
                bind="child.health",
                to_column=joined,
                from_column=split,
                options={"exclusive": ("healthy",)},
                choices=choices(
                    "choice.health",
                    "healthy",
                    "weak",
                    "serious_illness",
                    "chronic",
                    "disabled",
                    "other",
                ),
            ),
            Field(
                "health_detail",
                "text",
                N_("intake.child.health_detail"),
                bind="child.health_detail",
                relevant=includes("health", "serious_illness", "chronic", "other"),
                options={"max_length": 200},
            ),
            Field(
                "disability_grade",
                "choice",
                N_("intake.child.disability_grade"),
                bind="child.disability_grade",
                relevant=includes("health", "disabled"),
                choices=choices("choice.disability_grade", "1", "2", "3", "4"),
            ),
            Field(
                "psychology",
                "long_text",
                N_("intake.child.psychology"),
                bind="child.psychology",
                required=False,
            ),
        ),
        section(
            "assistance",
            N_("intake.section.assistance"),
            Field(
                "assistance",
                "multi_choice",
                N_("intake.assistance.kinds"),
                choices=choices("choice.assistance", "orphan", "de_facto", *CHILD_AID, "none"),
                validator=none_is_exclusive,
            ),
            *amount_fields("aid", "assistance", CHILD_AID),
            Field(
                "education_aid",
                "text",
                N_("intake.assistance.education"),
                bind="child.education_aid",
                required=False,
            ),
            Field(
                "medical_aid",
                "text",
                N_("intake.assistance.medical"),
                bind="child.medical_aid",
                required=False,
            ),
            Field(
                "other_aid",
                "text",
                N_("intake.assistance.other"),
                bind="child.other_aid",
                required=False,
            ),
        ),
        section("father", N_("intake.section.father"), *parent_fields("father")),
        section("mother", N_("intake.section.mother"), *parent_fields("mother")),
        section("guardian", N_("intake.section.guardian"), *guardian_fields()),
        section(
            "family",
            N_("intake.section.family"),
            Field(
                "income_per_capita",
                "money",
                N_("intake.family.income"),
                bind="child.income_per_capita",
                to_column=to_decimal,
                from_column=from_decimal,
                required=False,
                options={"skip_label": N_("intake.family.income_unknown")},
            ),
            Field(
                "family_subsidies",
                "multi_choice",
                N_("intake.family.subsidies"),
                choices=choices("choice.subsidy", *FAMILY_AID, "none"),
                validator=none_is_exclusive,
            ),
            *amount_fields("subsidy", "family_subsidies", FAMILY_AID),
            Field(
                "social_support",
                "text",
                N_("intake.family.social_support"),
                bind="child.social_support",
                required=False,
                options={"max_length": 200},
            ),
        ),
        section(
            "caregiver",
            N_("intake.section.caregiver"),
            *caregiver_contact_fields(LEFT_BEHIND),
            Field(
                "caregiver_address",
                "text",
                N_("intake.caregiver.address"),
                bind="caregiver.address",
                required=False,
                relevant=LEFT_BEHIND & ~equals("caregiver_relation", "none"),
                options={"max_length": 200},
            ),
            Field(
                "caregiver_reason",
                "choice",
                N_("intake.caregiver.reason"),
                bind="caregiver.reason",
                relevant=LEFT_BEHIND,
                choices=choices("choice.caregiver_reason", "both_away", "one_away", "both_unable"),
            ),
            Field(
                "entrusted_from",
                "date",
                N_("intake.caregiver.entrusted_from"),
                bind="caregiver.entrusted_from",
                to_column=to_date,
                from_column=from_date,
                relevant=LEFT_BEHIND & ~equals("caregiver_relation", "none"),
            ),
            Field(
                "entrusted_until",
                "date",
                N_("intake.caregiver.entrusted_until"),
                bind="caregiver.entrusted_until",
                to_column=to_date,
                from_column=from_date,
                relevant=LEFT_BEHIND & ~equals("caregiver_relation", "none"),
                required=False,
                options={"allow_future": True, "skip_label": N_("intake.caregiver.open_ended")},
                validator=entrusted_until_after_from,
            ),
        ),
        section(
            "risk",
            N_("intake.section.risk"),
            Field(
                "risk_tier",
                "choice",
                N_("intake.risk.tier"),
                bind="child.risk_tier",
                relevant=ALWAYS,
                choices=choices("choice.risk", "low", "medium", "high"),
            ),
        ),
        section(
            "pairing",
            N_("intake.section.pairing"),
            Field(
                "helper_name",
                "text",
                N_("intake.pairing.helper_name"),
                bind="child.helper_name",
                required=False,
            ),
            Field(
                "helper_phone",
                "phone",
                N_("intake.pairing.helper_phone"),
                bind="child.helper_phone",
                required=False,
            ),
            Field(
                "helper_unit",
                "text",
                N_("intake.pairing.helper_unit"),
                bind="child.helper_unit",
                required=False,
                options={"max_length": 100},
            ),
        ),
        section(
            "needs",
            N_("intake.section.needs"),
            Field(
                "need_kinds",
                "multi_choice",
                N_("intake.needs.kinds"),
                bind="child.need_kinds",
                to_column=joined,
                from_column=split,
                choices=choices("choice.need", *NEEDS, "none"),
                validator=none_is_exclusive,
            ),
            Field(
                "care_needs",
                "long_text",
                N_("intake.needs.care"),
                bind="child.care_needs",
                required=False,
            ),
            Field(
                "notes", "long_text", N_("intake.needs.notes"), bind="child.notes", required=False
            ),
        ),
        # A new file may record the home visit the director made that day: it counts as the
        # period's visit (bot/care/children.py stores it as one).
        section(
            "visit_today",
            N_("intake.section.visit_today"),
            Field("visited_today", "yes_no", N_("intake.visit_today")),
        ),
    ),
    checks=(check_eligibility, check_duplicates),
    saved=N_("form.saved"),
)

# Editing walks the same questions, without the day's visit: that belongs to the new file.
INTAKE_EDIT = replace(
    INTAKE,
    name="intake_edit",
    sections=tuple(s for s in INTAKE.sections if s.name != "visit_today"),
    edits_record=True,
    saved=N_("form.saved_edit"),
)
