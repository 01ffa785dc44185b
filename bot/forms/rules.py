"""Rules the intake answers must keep: section 二's eligibility, one child one file, coherence."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Protocol

from bot.errors import InvalidAnswer
from bot.forms.conditions import Answers
from bot.forms.model import Problem
from bot.forms.parsers import ResidentId, age_on, parse_id_number
from bot.i18n import N_, Translator

SEX_LABEL = {"male": N_("choice.sex.male"), "female": N_("choice.sex.female")}
LEFT_BEHIND_AGE_LIMIT = 16
DIFFICULTY_AGE_LIMIT = 18
AWAY_MONTHS = 3


class IntakeContext(Protocol):
    """What the checks may ask of the database, for the director filing the form."""

    today: date

    def holder_of_id(self, id_number: str) -> str | None:
        """Return the village holding a file with this ID number (None when there is none)."""

    def same_name_and_birth(self, name: str, birth_date: date) -> int:
        """Count other files with the same name and birth date."""


def identity_of(id_number: str) -> ResidentId:
    """Read birth date and sex from a resident ID number the form already accepted."""
    return parse_id_number(id_number, today=date.max)


def derived_identity(answers: Answers, t: Translator) -> Mapping[str, object]:
    """Values for the question that confirms what the ID number says."""
    number = answers.get("child_id")
    if not number:
        return {"sex": "", "birth_date": ""}
    identity = identity_of(number)
    return {
        "sex": t.plain(SEX_LABEL[identity.sex]),
        "birth_date": identity.birth_date.isoformat(),
    }


def none_is_exclusive(value: Any, _answers: Answers) -> None:
    """Refuse "none" ticked together with anything else."""
    if "none" in (value or []) and len(value) > 1:
        raise InvalidAnswer(N_("error.choice.none_exclusive"))


def entrusted_until_after_from(value: Any, answers: Answers) -> None:
    """Refuse an entrustment that ends before it starts."""
    start = answers.get("entrusted_from")
    if start and value and value < start:
        raise InvalidAnswer(N_("error.date.end_before_start"), start=start)


def _away_long_enough(answers: Answers, who: str) -> bool:
    return (
        answers.get(f"{who}_away") is True
        and int(answers.get(f"{who}_away_months") or 0) >= AWAY_MONTHS
    )


def _cannot_guard(answers: Answers, who: str) -> bool:
    if "deceased" in (answers.get(f"{who}_special") or ()):
        return True
    return answers.get(f"{who}_away") is not True and answers.get(f"{who}_can_guard") is False


def birth_date_of(answers: Answers) -> date | None:
    """The child's birth date: read from the ID number, or as answered when there is none."""
    number = answers.get("child_id")
    if number:
        return identity_of(number).birth_date
    given = answers.get("birth_date")
    return date.fromisoformat(given) if given else None


def check_eligibility(answers: Answers, context: IntakeContext) -> Sequence[Problem]:
    """Check the category chosen against section 二's definitions."""
    born = birth_date_of(answers)
    if born is None:
        return []
    age = age_on(born, context.today)
    age_fields = ("child_id", "birth_date", "category")
    found: list[Problem] = []
    if answers.get("category") == "left_behind":
        if answers.get("hukou") != "rural":
            found.append(Problem(N_("eligibility.hukou"), ("hukou", "category")))
        if age >= LEFT_BEHIND_AGE_LIMIT:
            found.append(Problem(N_("eligibility.age_left_behind"), age_fields, {"age": age}))
        father, mother = _away_long_enough(answers, "father"), _away_long_enough(answers, "mother")
        parents_ok = (
            (father and mother)
            or (father and _cannot_guard(answers, "mother"))
            or (mother and _cannot_guard(answers, "father"))
        )
        if not parents_ok:
            found.append(
                Problem(
                    N_("eligibility.parents"),
                    (
                        "father_away",
                        "father_away_months",
                        "mother_away",
                        "mother_away_months",
                        "category",
                    ),
                    {"months": AWAY_MONTHS},
                )
            )
    elif answers.get("category") == "difficulty" and age >= DIFFICULTY_AGE_LIMIT:
        found.append(Problem(N_("eligibility.age_difficulty"), age_fields, {"age": age}))
    return found


def check_duplicates(answers: Answers, context: IntakeContext) -> Sequence[Problem]:
    """One child, one file: the same ID refuses; the same name and birth date warns."""
    number = answers.get("child_id")
    village = context.holder_of_id(number) if number else None
    if village is not None:
        # Only that it is on file elsewhere: where is personal data of its own.
        return [
            Problem(
                N_("duplicate.id"),
                ("child_id",),
                action="transfer",
                action_label=N_("duplicate.transfer_button"),
            )
        ]
    name, born = answers.get("child_name"), birth_date_of(answers)
    if name and born and context.same_name_and_birth(name, born):
        return [Problem(N_("duplicate.name_birth"), ("child_name", "child_id"), warning=True)]
    return []
