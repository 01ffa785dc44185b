"""Forms in chat: start or resume a draft, hand each answer to the form service, show the result."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest

from bot.forms import callbacks, service
from bot.forms.launch import open_form
from bot.forms.registry import ButtonData
from bot.forms.render import render_screen
from bot.reply import Reply
from bot.telegram.botapi import GuanaiBot
from bot.telegram.context import BotContext
from bot.telegram.keyboards import markup
from handlers.denied import refused
from handlers.gate import accept_identity, refuse
from handlers.replies import menu_keyboard, say

FORM_PATTERN = callbacks.PATTERN.pattern
UNEDITABLE = ("can't be edited", "not found", "no text in the message")
IN_PLACE = ("question", "review")  # screens that replace the pressed message


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    return markup(reply.buttons)


async def show(
    update: Update,
    context: BotContext,
    screen: service.Screen,
    replies: list[Reply] | None = None,
) -> None:
    """Send the screen's messages (rendered here unless given); after a save or discard, bring
    the menu back."""
    t = context.translate
    context.form_shown = True
    if replies is None:
        replies = render_screen(screen, t, context.today())
    finished = screen.kind in ("saved", "cancelled", "none")
    for index, reply in enumerate(replies):
        markup: Any = keyboard(reply)
        if finished and index == len(replies) - 1 and context.caller is not None:
            markup = menu_keyboard(context.caller, t)
        await say(update, context, reply.text, reply_markup=markup)


async def begin_form(
    update: Update, context: BotContext, form: str, record_id: int | None = None
) -> None:
    """Open a form as its declaration says (or offer to continue the caller's draft of it)."""
    caller = context.caller
    assert caller is not None
    services = context.services
    async with refused(update, context):
        screen = await services.db.run(
            lambda s: open_form(
                session=s,
                caller=caller,
                form=form,
                now=services.clock(),
                today=context.today(),
                policy=services.escalation,
                record_id=record_id,
            )
        )
        await show(update, context, screen)


def command_opener(form: str) -> Callable[[Update, BotContext], Coroutine[Any, Any, None]]:
    """The handler of a form's /command: open the form, for no record."""

    async def open_by_command(update: Update, context: BotContext) -> None:
        await begin_form(update, context, form)

    open_by_command.__doc__ = f"Open the {form} form."
    return open_by_command


def button_opener(
    form: str, button: ButtonData
) -> Callable[[Update, BotContext], Coroutine[Any, Any, None]]:
    """The handler of a button that opens a form for the record its data names."""

    async def open_by_button(update: Update, context: BotContext) -> None:
        query = update.callback_query
        assert query is not None and query.data is not None
        parts = button.decode(query.data)
        await query.answer()
        if parts is None:
            return
        await begin_form(update, context, form, record_id=int(parts[-1]))

    open_by_button.__doc__ = f"Open the {form} form for the record a pressed button names."
    return open_by_button


async def new_file(update: Update, context: BotContext) -> None:
    """Start the intake of a new child's file (/new, or the menu's button)."""
    await begin_form(update, context, "intake")


async def answer_text(update: Update, context: BotContext) -> bool:
    """Give typed text to the caller's active draft; tell whether there was one."""
    caller, message = context.caller, update.effective_message
    assert caller is not None and message is not None and message.text is not None
    services = context.services
    text, update_id = message.text, update.update_id
    screen = await services.db.run(
        lambda s: service.apply_text(
            session=s,
            caller=caller,
            text=text,
            now=services.clock(),
            today=context.today(),
            update_id=update_id,
            policy=services.escalation,
        )
    )
    if screen.kind == "none":
        return False
    await show(update, context, screen)
    return True


async def answer_media(update: Update, context: BotContext) -> bool:
    """Give a photo, voice note or location to the active draft; tell whether there was one."""
    caller, message = context.caller, update.effective_message
    assert caller is not None and message is not None
    kind, value = media_of(message)
    if kind is None:
        return False
    services = context.services
    screen = await services.db.run(
        lambda s: service.apply_media(
            session=s,
            caller=caller,
            kind=kind,
            value=value,
            now=services.clock(),
            today=context.today(),
            policy=services.escalation,
        )
    )
    if screen.kind == "none":
        return False
    await show(update, context, screen)
    return True


def media_of(message: Message) -> tuple[str | None, Any]:
    """Return the kind and stored value (Telegram file ids, coordinates) of a media message."""
    if message.photo:
        return "photo", {"file_id": message.photo[-1].file_id}
    if message.voice:
        return "voice", {"file_id": message.voice.file_id}
    if message.location:
        return "location", {"lat": message.location.latitude, "lon": message.location.longitude}
    return None, None


async def press(update: Update, context: BotContext) -> None:
    """Identify who pressed a form button and apply it, unless it belongs to an earlier question.

    The gate leaves form buttons to this handler, which identifies the sender in the same
    transaction as the answer: the busiest update costs one trip to the database, not two.
    """
    query, user = update.callback_query, update.effective_user
    assert query is not None and query.data is not None and user is not None
    context.form_shown = True
    decoded = callbacks.decode(query.data)
    if decoded is None:
        await query.answer(context.translate.plain("fallback.stale_button"))
        return
    services, update_id = context.services, update.update_id
    identity, screen = await services.db.run(
        lambda s: service.identify_and_press(
            session=s,
            telegram_user_id=user.id,
            draft_id=decoded.draft_id,
            version=decoded.version,
            action=decoded.action,
            arg=decoded.arg,
            now=services.clock(),
            today=context.today(),
            policy=services.escalation,
            update_id=update_id,
        )
    )
    accept_identity(context, identity)
    if screen is None:
        await refuse(update, context, identity)
        return
    t = context.translate
    if screen.kind == "stale":
        await query.answer(t.plain("form.already_answered"))
        return
    replies = render_screen(screen, t, context.today())
    message = query.message if isinstance(query.message, Message) else None
    # Stopping the pressed button's spinner and changing the message are independent calls:
    # made together, the director waits for one round trip instead of two.
    if screen.kind in IN_PLACE and message is not None:
        # The next question, or the review's first part, takes the pressed one's place: one
        # call fewer, and no stale buttons. Any further parts follow as new messages.
        _, edited = await asyncio.gather(
            query.answer(), edit_in_place(context.bot, message, replies[0])
        )
        if edited:
            if len(replies) > 1:
                await show(update, context, screen, replies[1:])
            return
    elif message is not None:
        await asyncio.gather(query.answer(), drop_buttons(context.bot, message))
    else:
        await query.answer()
    await show(update, context, screen, replies)


async def edit_in_place(bot: GuanaiBot, message: Message, reply: Reply) -> bool:
    """Show the reply in place of the message; tell whether Telegram let it be edited."""
    try:
        await bot.edit_question(
            chat_id=message.chat_id,
            message_id=message.message_id,
            text=reply.text,
            buttons=reply.buttons,
        )
    except BadRequest as error:
        if "not modified" in str(error):
            return True
        if _uneditable(error):
            return False  # too old, deleted or not a text: the caller sends the question anew
        raise
    return True


def _uneditable(error: BadRequest) -> bool:
    return any(reason in str(error) for reason in UNEDITABLE)


async def drop_buttons(bot: GuanaiBot, message: Message) -> None:
    # Old buttons would only earn "already answered"; removing them keeps the chat readable.
    if not message.reply_markup:
        return
    try:
        await bot.remove_buttons(chat_id=message.chat_id, message_id=message.message_id)
    except BadRequest as error:
        if "not modified" not in str(error) and not _uneditable(error):
            raise


async def cancel(update: Update, context: BotContext) -> bool:
    """Ask to confirm discarding the active draft; tell whether there was one."""
    caller = context.caller
    assert caller is not None
    screen = await context.services.db.run(
        lambda s: service.cancel_active(session=s, caller=caller)
    )
    if screen.kind == "none":
        return False
    await show(update, context, screen)
    return True
