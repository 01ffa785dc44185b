"""The family questions of the intake: parents, an orphan's guardian, the entrusted caregiver.

A visit asks again about the caregiver (bot/forms/visit.py), so these live apart from the intake.
"""

from __future__ import annotations

from bot.forms.binding import joined, split
from bot.forms.conditions import Condition, equals, includes, is_true
from bot.forms.model import Choice, Field
from bot.forms.rules import none_is_exclusive
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
