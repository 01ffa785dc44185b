"""Telegram plumbing: the Bot API client, transport, rate limit, update order and sending."""
