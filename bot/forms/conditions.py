"""Relevance predicates over earlier answers, small enough to check which fields they read."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Answers = Mapping[str, Any]


@dataclass(frozen=True)
class Condition:
    """A predicate over the answers that knows the names of the fields it reads."""

    test: Callable[[Answers], bool]
    fields: frozenset[str]

    def __call__(self, answers: Answers) -> bool:
        return self.test(answers)

    def __and__(self, other: Condition) -> Condition:
        return Condition(lambda a: self(a) and other(a), self.fields | other.fields)

    def __or__(self, other: Condition) -> Condition:
        return Condition(lambda a: self(a) or other(a), self.fields | other.fields)

    def __invert__(self) -> Condition:
        return Condition(lambda a: not self(a), self.fields)


def equals(name: str, value: object) -> Condition:
    """True when the answer to `name` is `value`."""
    return Condition(lambda a: a.get(name) == value, frozenset({name}))


def one_of(name: str, *values: object) -> Condition:
    """True when the answer to `name` is any of `values`."""
    return Condition(lambda a: a.get(name) in values, frozenset({name}))


def includes(name: str, *values: object) -> Condition:
    """True when a multiple-choice answer to `name` ticks any of `values`."""
    return Condition(lambda a: any(v in (a.get(name) or ()) for v in values), frozenset({name}))


def is_true(name: str) -> Condition:
    """True when a yes/no answer to `name` is yes."""
    return Condition(lambda a: a.get(name) is True, frozenset({name}))


def answered(name: str) -> Condition:
    """True when `name` has a non-empty answer."""
    return Condition(lambda a: a.get(name) not in (None, "", [], ()), frozenset({name}))


ALWAYS = Condition(lambda _a: True, frozenset())
