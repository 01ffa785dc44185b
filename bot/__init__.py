"""Guanai (关爱): a Telegram assistant for village child directors."""
