"""The bot's command list, published to Telegram in each language."""

from __future__ import annotations

from telegram import BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from telegram.ext import Application

from bot.i18n import N_, I18n
from bot.services import Services

COMMANDS = [
    ("urgent", N_("command.urgent")),
    ("start", N_("command.start")),
    ("help", N_("command.help")),
    ("lang", N_("command.lang")),
    ("cancel", N_("command.cancel")),
    ("new", N_("command.new")),
    ("children", N_("command.children")),
    ("visit", N_("command.visit")),
    ("escalations", N_("command.escalations")),
    ("complete", N_("command.complete")),
    ("spotcheck", N_("command.spotcheck")),
    ("tasks", N_("command.tasks")),
    ("training", N_("command.training")),
    ("practice", N_("command.practice")),
    ("export", N_("command.export")),
    ("stats", N_("command.stats")),
]


def bot_commands(i18n: I18n, locale: str) -> list[BotCommand]:
    t = i18n.translator(locale)
    return [BotCommand(name, t.plain(key)) for name, key in COMMANDS]


async def register_commands(application: Application, services: Services) -> None:
    """Publish the command list in the default locale and in each other locale."""
    i18n = services.i18n
    await application.bot.set_my_commands(
        bot_commands(i18n, i18n.default_locale), scope=BotCommandScopeDefault()
    )
    for locale in i18n.catalogs:
        if locale != i18n.default_locale:
            await application.bot.set_my_commands(
                bot_commands(i18n, locale),
                scope=BotCommandScopeDefault(),
                language_code=locale.split("_")[0],
            )


async def register_chat_commands(
    application: Application, services: Services, chat_id: int, locale: str
) -> None:
    """Show one chat the commands in the language its user chose."""
    await application.bot.set_my_commands(
        bot_commands(services.i18n, locale), scope=BotCommandScopeChat(chat_id)
    )
