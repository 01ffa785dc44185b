"""/start: enrol with an invite code, or greet an enrolled user with their menu."""

from __future__ import annotations

from telegram import Update

from bot.people.enrollment import RedeemStatus, enroll
from bot.people.menu import WELCOME_TEXT
from bot.telegram.context import BotContext
from handlers.replies import menu_keyboard, say


async def _welcome(update: Update, context: BotContext) -> None:
    caller = context.caller
    assert caller is not None
    t = context.translate
    await say(
        update,
        context,
        t(WELCOME_TEXT[caller.role], name=caller.name or ""),
        reply_markup=menu_keyboard(caller, t),
    )


async def start(update: Update, context: BotContext) -> None:
    """Redeem the invite code in the deep link, or show the menu."""
    if not context.args:
        if context.caller is None:
            await say(update, context, context.translate("access.stranger"))
        else:
            await _welcome(update, context)
        return
    user = update.effective_user
    assert user is not None
    services = context.services
    code = context.args[0]
    outcome = await services.db.run(
        lambda s: enroll(
            session=s,
            code=code,
            telegram_user_id=user.id,
            locale=services.settings.bot_locale,
            now=services.clock(),
            policy=services.throttle,
            escalation=services.escalation,
        )
    )
    t = context.translate
    if outcome.status is RedeemStatus.THROTTLED:
        await say(update, context, t("start.throttled", minutes=outcome.retry_minutes))
        return
    if outcome.status is RedeemStatus.INVALID:
        await say(update, context, t("start.invalid_code"))
        return
    context.caller = outcome.caller
    context.t = services.i18n.translator(outcome.caller.locale if outcome.caller else None)
    if outcome.status is RedeemStatus.ALREADY_ENROLLED:
        await say(update, context, context.translate("start.already_enrolled"))
    await _welcome(update, context)
