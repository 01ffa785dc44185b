"""Notifications that must arrive, queued in the outbox with their cause."""
