"""`python -m bot webhook set|delete|info`: tell Telegram where to deliver updates."""

from __future__ import annotations

from bot.settings import Settings, SettingsError
from bot.telegram.inbox import ALLOWED_UPDATES

MAX_CONNECTIONS = 40  # Telegram's default: requests in flight at once to the webhook


async def set_webhook(settings: Settings) -> str:
    """Register WEBHOOK_URL with the secret and the update types the bot uses; return it."""
    from bot.app import build_bot

    if not settings.uses_webhook:
        raise SettingsError(
            "WEBHOOK_URL is not set: put the public https URL Telegram should call in it "
            "(and WEBHOOK_SECRET) first."
        )
    async with build_bot(settings) as bot:
        await bot.set_webhook(
            url=settings.webhook_url,
            secret_token=settings.webhook_secret,
            allowed_updates=list(ALLOWED_UPDATES),
            max_connections=MAX_CONNECTIONS,
        )
    return settings.webhook_url


async def delete_webhook(settings: Settings) -> None:
    """Remove the webhook; updates wait for long polling again (none are dropped)."""
    from bot.app import build_bot

    async with build_bot(settings) as bot:
        await bot.delete_webhook(drop_pending_updates=False)


async def webhook_info(settings: Settings) -> list[tuple[str, str]]:
    """Return what Telegram says of the webhook, as (field, value) rows."""
    from bot.app import build_bot

    async with build_bot(settings) as bot:
        info = await bot.get_webhook_info()
    rows = [
        ("url", info.url or "-"),
        ("pending_update_count", str(info.pending_update_count)),
        ("max_connections", str(info.max_connections or "-")),
        ("allowed_updates", ",".join(info.allowed_updates or ()) or "-"),
        ("last_error_date", info.last_error_date.isoformat() if info.last_error_date else "-"),
        ("last_error_message", info.last_error_message or "-"),
    ]
    return rows
