"""Drive a form through the service layer the way a chat would, pressing buttons by label."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from bot.care.escalations import EscalationPolicy
from bot.forms import callbacks, service
from bot.forms.render import render_screen
from bot.i18n import I18n
from bot.people.access import Caller, Identity
from storage.db import Database
from tests.support.intake import completes_at_once

TODAY = date(2026, 11, 2)
NOW = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
T = I18n().translator("zh_Hans")
POLICY = EscalationPolicy()


class FormDriver:
    def __init__(self, db: Database, caller: Caller, policy: EscalationPolicy = POLICY) -> None:
        self.db, self.caller, self.policy = db, caller, policy
        self.screen: service.Screen | None = None

    def begin(self, form: str = "intake", **kwargs: Any) -> service.Screen:
        self.screen = self.db.call(
            lambda s: service.begin(
                session=s,
                caller=self.caller,
                form=form,
                now=NOW,
                today=TODAY,
                policy=self.policy,
                **kwargs,
            )
        )
        return self.screen

    def type(self, text: str, update_id: int = 0) -> service.Screen:
        self.screen = self.db.call(
            lambda s: service.apply_text(
                session=s,
                caller=self.caller,
                text=text,
                now=NOW,
                today=TODAY,
                policy=self.policy,
                update_id=update_id,
            )
        )
        return self.screen

    def buttons(self) -> dict[str, str]:
        assert self.screen is not None
        replies = render_screen(self.screen, T, TODAY)
        return {label: data for reply in replies for row in reply.buttons for label, data in row}

    def _press_args(self, label: str) -> dict[str, Any]:
        buttons = self.buttons()
        assert label in buttons, f"no button {label!r} in {list(buttons)}"
        press = callbacks.decode(buttons[label])
        assert press is not None
        return {
            "draft_id": press.draft_id,
            "version": press.version,
            "action": press.action,
            "arg": press.arg,
            "now": NOW,
            "today": TODAY,
            "policy": self.policy,
        }

    def press(self, label: str, update_id: int = 0) -> service.Screen:
        args = self._press_args(label)
        self.screen = self.db.call(
            lambda s: service.apply_button(
                session=s, caller=self.caller, update_id=update_id, **args
            )
        )
        return self.screen

    def pause(self) -> service.Screen:
        """Use the bot for something else (a menu item, a command): the form in front pauses."""
        self.screen = self.db.call(lambda s: service.pause(session=s, caller=self.caller))
        return self.screen

    def press_as(self, telegram_user_id: int, label: str) -> tuple[Identity, service.Screen | None]:
        """Press a button of the screen on show as a Telegram account would, identity unknown."""
        args = self._press_args(label)
        return self.db.call(
            lambda s: service.identify_and_press(
                session=s, telegram_user_id=telegram_user_id, **args
            )
        )

    def fill(self, answers: dict[str, tuple[str, str]], multi: set[str]) -> service.Screen:
        """Answer every question the form asks from `answers`, until the review."""
        assert self.screen is not None
        while self.screen.kind == "question":
            assert self.screen.state is not None
            name = self.screen.state.current
            assert name in answers, f"the form asked {name}, which the script does not answer"
            kind, value = answers[name]
            before = self.screen.version
            self.type(value) if kind == "text" else self.press(value)
            if name in multi and not completes_at_once(self.screen.form, name, value):
                self.press("完成")
            assert self.screen.error is None, (name, self.screen.error.key)
            assert self.screen.version > before
        return self.screen
