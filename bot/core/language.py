"""Which language a question is written in, from its function words ("how do I" vs "cómo"), when it is clear.

Users rarely change the bot's language setting; answering an English question in English and a
Spanish one in Spanish is what they expect whatever the setting says.
"""

from __future__ import annotations

from bot.core.normalize import words

ENGLISH = frozenset(
    "the how do does did i my can could where is are what which when who get to for of an you your "
    "please need want should this that with from".split()
)
SPANISH = frozenset(
    "el la los las del como mi mis que para por donde cuando cual cuanto cuanta quiero necesito tengo "
    "puedo es un una se con sin hay esta estoy hacer saco sacar".split()
)


def detect_language(text: str) -> str | None:
    """"en" or "es" when the function words clearly say so; None for keywords alone ("pasaporte")."""
    tokens = words(text)
    english = sum(token in ENGLISH for token in tokens)
    spanish = sum(token in SPANISH for token in tokens)
    if english >= 2 and english > spanish:
        return "en"
    if spanish >= 1 and spanish > english:
        return "es"
    return None
