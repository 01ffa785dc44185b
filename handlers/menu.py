"""The role menu, /help, /lang and /cancel."""

from __future__ import annotations

from telegram import Update

from bot.people import menu as menu_items
from bot.people.enrollment import set_locale
from bot.people.roles import Role
from bot.settings import SUPPORTED_LOCALES
from bot.telegram.callbacks import LANGUAGE
from bot.telegram.commands import register_chat_commands
from bot.telegram.context import BotContext
from bot.telegram.keyboards import markup
from handlers import children, due, escalations, forms, stats, urgent, visits
from handlers.replies import menu_keyboard, say

LANGUAGE_PATTERN = LANGUAGE.pattern
LANGUAGE_NAMES = {"zh_Hans": "中文", "en": "English"}
MAX_TEXT = 4096


async def show_help(update: Update, context: BotContext) -> None:
    """Explain what the caller's role can do here."""
    caller = context.caller
    assert caller is not None
    t = context.translate
    await say(
        update, context, t(menu_items.HELP_TEXT[caller.role]), reply_markup=menu_keyboard(caller, t)
    )


async def show_menu(update: Update, context: BotContext) -> None:
    """Show the role menu again."""
    caller = context.caller
    assert caller is not None
    t = context.translate
    await say(update, context, t("menu.shown"), reply_markup=menu_keyboard(caller, t))


async def choose_language(update: Update, context: BotContext) -> None:
    """Offer the languages as buttons."""
    buttons = [(LANGUAGE_NAMES[locale], LANGUAGE.encode(locale)) for locale in SUPPORTED_LOCALES]
    await say(update, context, context.translate("lang.choose"), reply_markup=markup([buttons]))


async def set_language(update: Update, context: BotContext) -> None:
    """Store the chosen language and show the menu in it."""
    query = update.callback_query
    caller = context.caller
    assert query is not None and query.data is not None and caller is not None
    decoded = LANGUAGE.decode(query.data)
    assert decoded is not None  # the handler's pattern matched
    (locale,) = decoded
    services = context.services
    await services.db.run(
        lambda s: set_locale(
            session=s, staff_id=caller.staff_id, locale=locale, now=services.clock()
        )
    )
    t = context.t = services.i18n.translator(locale)
    await query.answer()
    await query.edit_message_text(t("lang.changed", language=LANGUAGE_NAMES[locale]))
    await say(update, context, t("menu.shown"), reply_markup=menu_keyboard(caller, t))
    chat = update.effective_chat
    if chat is not None:
        await register_chat_commands(context.application, services, chat.id, locale)


async def cancel(update: Update, context: BotContext) -> None:
    """Offer to discard the form in progress, if there is one."""
    caller = context.caller
    assert caller is not None
    if await forms.cancel(update, context):
        return
    t = context.translate
    await say(update, context, t("cancel.nothing"), reply_markup=menu_keyboard(caller, t))


async def menu_item(update: Update, context: BotContext) -> None:
    """Route a reply-keyboard press; other text gets a pointer to the menu."""
    caller = context.caller
    message = update.effective_message
    assert caller is not None and message is not None and message.text is not None
    t = context.translate
    text = message.text.strip()
    if len(message.text) > MAX_TEXT:
        await say(update, context, t("fallback.too_long", limit=MAX_TEXT))
        return
    key = menu_item_of(context, text)
    if key is not None:
        await _open(update, context, key)
        return
    if await forms.answer_text(update, context):
        return
    if caller.role == Role.DIRECTOR and await visits.pick_child(update, context, text):
        return
    await say(update, context, t("fallback.text"), reply_markup=menu_keyboard(caller, t))


def menu_item_of(context: BotContext, text: str) -> str | None:
    """Return the key of the caller's menu item whose label (in any language) is the text."""
    caller = context.caller
    assert caller is not None
    labels = context.services.i18n.all_labels
    return next((k for k in menu_items.allowed_items(caller.role) if text in labels(k)), None)


async def _open(update: Update, context: BotContext, key: str) -> None:
    if key == menu_items.HELP:
        await show_help(update, context)
    elif key == menu_items.LANGUAGE:
        await choose_language(update, context)
    elif key == menu_items.NEW_FILE:
        await forms.new_file(update, context)
    elif key == menu_items.CHILDREN:
        await children.show_children(update, context)
    elif key == menu_items.URGENT:
        await urgent.urgent_command(update, context)
    elif key == menu_items.WORK_LOG:
        await forms.begin_form(update, context, "work_log")
    elif key == menu_items.VISIT:
        await visits.pick_child(update, context)
    elif key == menu_items.ESCALATIONS:
        await escalations.list_escalations(update, context)
    elif key in (menu_items.DUE, menu_items.OVERDUE):
        await due.show_due(update, context)
    elif key == menu_items.STATS:
        await stats.show_stats(update, context)
    else:
        t = context.translate
        await say(update, context, t("menu.not_ready", item=t.plain(key)))
