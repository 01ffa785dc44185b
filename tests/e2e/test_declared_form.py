"""A form declared here, in the test, and registered with one call, works in chat end to end.

Nothing outside this module knows of it: the registry gives handlers its /command, the engine
its questions, and the service its on_save.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bot.forms.model import Choice, Field, Form, section
from bot.forms.registry import FormContext, FormSpec, Opener, Saved, register_form, unregister_form
from bot.people.roles import Role
from storage.db import Database
from tests.e2e.test_chat_foundation import TOWNSHIP, enrol
from tests.fakegram import FakeTelegram
from tests.support.botrunner import BotThread

# Labels are catalog keys; a key with no text in the catalogs is shown as written.
PET_SURVEY = Form(
    name="pet_survey",
    title="Pet survey",
    saved="Pet noted",
    sections=(
        section(
            "pet",
            "About the pet",
            Field(
                "species",
                "choice",
                "Which animal",
                choices=(Choice("cat", "Cat"), Choice("dog", "Dog")),
            ),
            Field("pet_name", "text", "Its name", options={"max_length": 20}),
        ),
    ),
)


@pytest.fixture
def pet_survey() -> Iterator[list[dict[str, Any]]]:
    """Register the pet survey before the bot starts; return where its saves are recorded."""
    saved: list[dict[str, Any]] = []

    def on_save(ctx: FormContext, answers: dict[str, Any]) -> Saved:
        saved.append({"staff": ctx.caller.staff_id, **answers})
        return Saved(len(saved), answers["pet_name"])

    register_form(
        FormSpec(
            PET_SURVEY,
            on_save=on_save,
            opener=Opener(command="pets", roles=frozenset({Role.DIRECTOR})),
        )
    )
    yield saved
    unregister_form("pet_survey")


def test_declared_form__walked_through_chat__on_save_gets_the_answers(
    pet_survey: list[dict[str, Any]], fake: FakeTelegram, region: Database, bot: BotThread
) -> None:
    user, _ = enrol(fake, region)
    user.send("/pets")
    user.wait_for_text("Which animal")
    user.press("Dog")
    user.wait_for_text("Its name")
    user.send("Wangcai")
    user.wait_for(lambda m: "保存" in str(m.buttons()))
    summary = "\n".join(m.text for m in user.messages()[-3:])
    assert "Dog" in summary and "Wangcai" in summary, user.transcript()
    user.press("保存")
    user.wait_for_text("Pet noted")
    assert len(pet_survey) == 1
    assert pet_survey[0]["species"] == "dog" and pet_survey[0]["pet_name"] == "Wangcai"


def test_declared_form__role_the_opener_does_not_allow__refused(
    pet_survey: list[dict[str, Any]], fake: FakeTelegram, region: Database, bot: BotThread
) -> None:
    user, _ = enrol(fake, region, 2001, "supervisor", TOWNSHIP)
    user.send("/pets")
    user.wait_for_text("您的角色不能填写这份表单")
    assert pet_survey == []
