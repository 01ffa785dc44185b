"""Eligibility after intake: a file on record stays editable when the child no longer qualifies."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from bot.forms.conditions import Answers
from bot.forms.model import Check, Problem
from bot.i18n import N_


def relaxed_for_edits(check: Check) -> Check:
    """An eligibility check that warns instead of refusing: a file on record is edited even when
    the child no longer qualifies (grew past the age, parents came home), with the prompt to
    close it or change its category."""

    def relaxed(answers: Answers, context: Any) -> Sequence[Problem]:
        found = check(answers, context)
        if not found:
            return []
        prompt = Problem(N_("lifecycle.eligibility.prompt"), ("category",), warning=True)
        return [*(replace(p, warning=True) for p in found), prompt]

    return relaxed
