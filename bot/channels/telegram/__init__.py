"""The Telegram channel (python-telegram-bot): `serve` runs the bot, `build_application` wires it for tests."""

from .app import build_application
from .runner import serve

__all__ = ["build_application", "serve"]
