"""Channels that carry the assistant to citizens (Telegram)."""
