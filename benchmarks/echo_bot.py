"""The framework floor: a bare python-telegram-bot echo bot, with PTB's defaults.

Replies to every text with the same text (and one inline button, so users have something to
press) and answers every callback query. Same settings convention as the bot:
TELEGRAM_BOT_TOKEN, and TELEGRAM_API_URL for the Bot API base URL (`python -m benchmarks.echo_bot`).
"""

from __future__ import annotations

import os

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

BUTTON_LABEL = "再来一次"
BUTTON = InlineKeyboardMarkup([[InlineKeyboardButton(BUTTON_LABEL, callback_data="again")]])


async def echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is not None and message.text is not None:
        await message.reply_text(message.text, reply_markup=BUTTON)


async def answer(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer()


def build(token: str, base_url: str) -> Application:  # type: ignore[type-arg]
    application = ApplicationBuilder().token(token).base_url(base_url).build()
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.add_handler(CallbackQueryHandler(answer))
    return application


def main() -> None:
    token = os.environ["TELEGRAM_BOT_TOKEN"]
    base_url = os.environ.get("TELEGRAM_API_URL", "https://api.telegram.org/bot")
    build(token, base_url).run_polling(allowed_updates=["message", "callback_query"])


if __name__ == "__main__":
    main()
