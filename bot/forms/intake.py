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
    Condition,
    answered,
    equals,
    includes,
    is_true,
    one_of,
)
from bot.forms.model import Choice, Field, Form, section
from bot.forms.rules import (
    check_duplicates,
    check_eligibility,
    derived_identity,
    entrusted_until_after_from,
    none_is_exclusive,
)
from bot.i18n import N_


def choices(prefix: str, *values: str) -> tuple[Choice, ...]:
    """Choices whose label keys are `<prefix>.<value>`."""
    return tuple(Choice(v, f"{prefix}.{v}") for v in values)


def skipped(name: str) -> Condition:
    """True when the optional question `name` was asked and skipped (answered "none")."""
    return Condition(lambda a: name in a and a[name] is None, frozenset({name}))


LEFT_BEHIND = equals("category", "left_behind")
IN_DIFFICULTY = equals("category", "difficulty")
NO_ID = skipped("child_id")
# Orphans and children without de facto carers have a guardian of their own, asked after.
NEEDS_GUARDIAN = IN_DIFFICULTY & includes("difficulty_type", "orphan", "de_facto")
# Section 8's needs list (分类建立需求清单), by the plan's lines of care: living, study, health,
# psychology, guardianship, safety, assistance, the parents' work near home (源头帮扶), other.
NEEDS = (
    "living",
    "study",
    "health",
    "psychology",
    "guardianship",
    "safety",
    "assistance",
    "family",
    "other",
)
SPECIAL = choices(
    "choice.special",
    "none",
    "restricted",
    "deceased",
    "missing",
    "serious_illness",
    "serious_disability",
    "lost_contact",
    "imprisoned",
    "rehab",
    "other",
)
CHILD_AID = ("dibao", "tekun", "disability", "temporary", "other")
FAMILY_AID = ("dibao", "tekun", "disability", "other")
ETHNICITIES = ("han", "she", "hui")


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


def caregiver_contact_fields(when: Condition) -> tuple[Field, ...]:
    """Who the entrusted caregiver is and how to reach them (intake, and a visit's change)."""
    named = when & ~equals("caregiver_relation", "none")
    return (
        Field(
            "caregiver_relation",
            "choice",
            N_("intake.caregiver.relation"),
            bind="caregiver.relation",
            relevant=when,
            choices=choices("choice.caregiver", "grandparents", "relatives", "none"),
        ),
        Field(
            "caregiver_name",
            "text",
            N_("intake.caregiver.name"),
            bind="caregiver.name",
            relevant=named,
        ),
        Field(
            "caregiver_phone",
            "phone",
            N_("intake.caregiver.phone"),
            bind="caregiver.phone",
            relevant=named,
            required=False,
            options={"skip_label": N_("intake.no_phone")},
        ),
    )


def parent_fields(who: str) -> tuple[Field, ...]:
    """The questions asked of the father and of the mother alike.

    Special situations come early: a parent who died is not asked for a phone, an address,
    health, work away or whether they can guard.
    """
    alive = ~includes(f"{who}_special", "deceased")
    away = alive & is_true(f"{who}_away")
    return (
        Field(f"{who}_name", "text", f"intake.{who}.name", bind="guardian.name", required=False),
        Field(
            f"{who}_id",
            "id_number",
            f"intake.{who}.id",
            bind="guardian.id_number",
            required=False,
            options={"adult": True},
        ),
        Field(
            f"{who}_special",
            "multi_choice",
            f"intake.{who}.special",
            bind="guardian.special",
            to_column=joined,
            from_column=split,
            choices=SPECIAL,
            validator=none_is_exclusive,
        ),
        Field(
            f"{who}_phone",
            "phone",
            f"intake.{who}.phone",
            bind="guardian.phone",
            required=False,
            relevant=alive,
        ),
        Field(
            f"{who}_address",
            "text",
            f"intake.{who}.address",
            bind="guardian.address",
            required=False,
            relevant=alive,
            options={"max_length": 200},
        ),
        Field(
            f"{who}_health",
            "choice",
            f"intake.{who}.health",
            bind="guardian.health",
            relevant=alive,
            choices=choices("choice.parent_health", "healthy", "unhealthy"),
        ),
        Field(
            f"{who}_illness",
            "text",
            f"intake.{who}.illness",
            bind="guardian.illness",
            relevant=alive & equals(f"{who}_health", "unhealthy"),
        ),
        Field(
            f"{who}_away",
            "yes_no",
            f"intake.{who}.away",
            bind="guardian.away",
            relevant=LEFT_BEHIND & alive,
        ),
        Field(
            f"{who}_away_months",
            "number",
            f"intake.{who}.away_months",
            bind="guardian.away_months",
            relevant=away,
            options={"minimum": 0, "maximum": 240},
        ),
        Field(
            f"{who}_work_place",
            "text",
            f"intake.{who}.work_place",
            bind="guardian.work_place",
            relevant=away,
            options={"max_length": 200},
        ),
        Field(
            f"{who}_can_guard",
            "yes_no",
            f"intake.{who}.can_guard",
            bind="guardian.can_guard",
            relevant=LEFT_BEHIND & alive & ~is_true(f"{who}_away"),
        ),
    )


def guardian_fields() -> tuple[Field, ...]:
    """Who guards an orphan or a child without de facto carers, and how to reach them."""
    return (
        Field(
            "guardian_name",
            "text",
            N_("intake.guardian.name"),
            bind="guardian.name",
            relevant=NEEDS_GUARDIAN,
            options={"max_length": 100},
        ),
        Field(
            "guardian_kinship",
            "choice",
            N_("intake.guardian.kinship"),
            bind="guardian.kinship",
            relevant=NEEDS_GUARDIAN,
            choices=choices("choice.kinship", "grandparents", "relatives", "institution", "other"),
        ),
        Field(
            "guardian_phone",
            "phone",
            N_("intake.guardian.phone"),
            bind="guardian.phone",
            relevant=NEEDS_GUARDIAN,
            required=False,
            options={"skip_label": N_("intake.no_phone")},
        ),
    )


def amount_fields(prefix: str, source: str, kinds: tuple[str, ...]) -> tuple[Field, ...]:
    """One yuan-per-month question for each assistance kind ticked."""
    return tuple(
        Field(
            f"{prefix}_{kind}", "money", f"intake.{prefix}.{kind}", relevant=includes(source, kind)
        )
        for kind in kinds
    )


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
