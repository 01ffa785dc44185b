"""The forms the bot knows: one declaration each, registered with one call and checked then."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol

from sqlmodel import Session

from bot.forms.engine import FormState
from bot.forms.model import Form, FormDefinitionError, check_form
from bot.forms.types import FIELD_TYPES
from bot.i18n import N_
from bot.people.access import Caller
from bot.people.roles import Role

if TYPE_CHECKING:
    from bot.care.escalations import EscalationPolicy


@dataclass(frozen=True)
class FormContext:
    """What a form's hooks are given: the transaction, who, when, and the draft's record."""

    session: Session
    caller: Caller
    now: datetime
    today: date
    policy: EscalationPolicy
    draft_id: int = 0
    record_id: int | None = None


@dataclass(frozen=True)
class Saved:
    """What finishing a form stored: the record's id and a name to show in the saved message."""

    record_id: int | None
    name: str = ""


OnSave = Callable[[FormContext, dict[str, Any]], Saved]
# Runs after every answer, before the state is stored; returns the state to store and what to
# tell the screen (e.g. {"notice": catalog key} for a message shown above the next question).
OnAnswer = Callable[[FormContext, FormState], tuple[FormState, Mapping[str, Any]]]
LoadAnswers = Callable[[FormContext], dict[str, Any]]  # raises AccessDenied or UserError


class ButtonData(Protocol):
    """A callback-data codec whose one part is the id of the record a form opens for."""

    @property
    def pattern(self) -> str: ...

    def encode(self, *values: object) -> str: ...

    def decode(self, data: str) -> tuple[str, ...] | None: ...


@dataclass(frozen=True)
class Opener:
    """How and by whom a form is opened, and the answers it starts with."""

    command: str = ""  # a /command that opens it, for no record
    button: ButtonData | None = None  # button data naming the record it opens for
    roles: frozenset[Role] | None = None  # who may open it; None: anyone enrolled
    denied: str = N_("form.error.not_allowed")  # catalog key of the refusal for other roles
    denied_table: str = "form"  # the audit row's table for that refusal
    load: LoadAnswers | None = None  # starting answers for the record; checks access too
    restart: bool = False  # always a fresh draft, never the offer to continue an open one


@dataclass(frozen=True)
class FormSpec:
    """One form: its questions and checks (the Form), how it opens, and what it sets off."""

    form: Form
    on_save: OnSave | None = None
    on_answer: OnAnswer | None = None
    opener: Opener = Opener()
    # The object the form's checks ask database questions through (None: checks need none).
    check_context: Callable[[FormContext], Any] | None = None

    @property
    def name(self) -> str:
        return self.form.name


_SPECS: dict[str, FormSpec] = {}
_BUILTINS_LOADED = False


def register_form(spec: FormSpec) -> FormSpec:
    """Add a form, refusing a declaration that cannot work (no on_save, bad fields, clashes)."""
    if spec.on_save is None:
        raise FormDefinitionError(f"form {spec.name}: no on_save, so finishing it would do nothing")
    check_form(spec.form, FIELD_TYPES)
    for other in _SPECS.values():
        if other.name == spec.name:
            raise FormDefinitionError(f"form {spec.name}: registered twice")
        if spec.opener.command and other.opener.command == spec.opener.command:
            raise FormDefinitionError(
                f"form {spec.name}: /{spec.opener.command} opens {other.name}"
            )
        button, taken = spec.opener.button, other.opener.button
        if button is not None and taken is not None and button.pattern == taken.pattern:
            raise FormDefinitionError(f"form {spec.name}: its button data opens {other.name}")
    _SPECS[spec.name] = spec
    return spec


def unregister_form(name: str) -> None:
    """Forget a form (tests declaring a form of their own take it away again)."""
    _SPECS.pop(name, None)


def _load_builtins() -> None:
    # The built-in declarations call into bot.care; they register themselves on import, which
    # is deferred to first use so that bot.care may use the form data without a circle.
    global _BUILTINS_LOADED
    if not _BUILTINS_LOADED:
        _BUILTINS_LOADED = True
        import bot.forms.declared
        import bot.forms.urgent  # noqa: F401


def form_specs() -> list[FormSpec]:
    """Every registered form, built-in ones first."""
    _load_builtins()
    return list(_SPECS.values())


def form_spec(name: str) -> FormSpec:
    """Return a registered form's declaration."""
    _load_builtins()
    return _SPECS[name]


def get_form(name: str) -> Form:
    """Return a registered form's questions."""
    return form_spec(name).form
