"""Telegram assistant for Peru's digital government services."""

__version__ = "0.1.0"
