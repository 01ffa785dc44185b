"""The callback context handlers receive: the caller of this update and the services."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from telegram.ext import Application, CallbackContext

from bot.i18n import Translator
from bot.people.access import Caller
from bot.telegram.botapi import GuanaiBot

if TYPE_CHECKING:
    from bot.services import Services


class BotContext(CallbackContext[GuanaiBot, dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """A context that carries who is calling, as the gate resolved it for this update."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application, chat_id=chat_id, user_id=user_id)
        self.caller: Caller | None = None
        self.t: Translator | None = None
        # The form this update paused (a form-service screen), offered to continue after the
        # update's reply unless a form's screen was shown (form_shown) and took the front.
        self.paused: Any = None
        self.form_shown = False

    @property
    def services(self) -> Services:
        return self.application.bot_data["services"]  # type: ignore[no-any-return]

    def today(self) -> date:
        """Return today's date in the bot's time zone."""
        services = self.services
        return services.clock().astimezone(services.settings.timezone).date()

    @property
    def translate(self) -> Translator:
        """Return the translator for this update's user (the default locale before the gate)."""
        if self.t is None:
            self.t = self.services.i18n.translator(None)
        return self.t
