"""Which part of a long message asks: the sentence with a question mark or, without one, what follows
an asking phrase ("quería saber si...", "quiero confirmar que...", "cómo hago para...").

A long message often tells a story before it asks ("soy Rosa, de Puno, mi esposo trabaja en Juliaca...;
¿qué papeles necesito para su DNI?"). The analyzer weighs the story's words less; the aspects read what
is asked (a cost, a deadline, a penalty) from the asking part only, so "ahora me sale una multa" in the
story does not make "¿puedo justificarlo?" a question about fines.
"""

from __future__ import annotations

import re

from bot.core.normalize import fold

MIN_STORY_WORDS = 14  # shorter messages are read whole
_PIECE = re.compile(r"[^.;!?\n]+\??")  # sentences; "¿" stays inside its sentence
_ASKING = re.compile(
    r"\b(?:saber|confirmar|verificar|averiguar|comprobar|"
    # "cómo hago", "q necesito", "cómo lo saco", "cómo veo si...", "qué pedimos": chat writes "q", "k", "kmo"
    r"(?:como|komo|kmo|que|q|k) (?:(?:me|lo|la|los|las|le|les|se|nos) )?(?:hago|hacer|puedo|debo|necesito|tengo|se|"
    r"veo|saco|consigo|pido|reviso|averiguo|tramito|pago|obtengo|consulto|hacemos|podemos|debemos|necesitamos|"
    r"tenemos|sacamos|conseguimos|pedimos|pagamos)|"
    r"donde|dnd|por donde|cuanto|cuanta|quien|quienes)\b"
)


# Words after which "donde" or "quien" opens a question ("quiero saber dónde...", "y quién me atiende",
# "a dónde voy"); after any other word it is a relative ("la universidad donde estudio", "la señora quien
# me atendió") and tells the story, it does not ask.
_OPENS_QUESTION = frozenset(
    "saber se sabe sabes saben sabria dime diganme digame indiquen indiqueme preguntar pregunto averiguar "
    "consultar ver conocer y o pero a por de hasta desde para en con ante me nos le les te ahora entonces "
    "bueno ya".split()
)
_RELATIVE_ABLE = frozenset({"donde", "quien", "quienes"})


def _asking_from(piece: str) -> str | None:
    """The folded rest of a sentence from its asking phrase on, if it has one that is no relative
    pronoun; a comma opens a clause, so "vive en Puno, dónde queda el MAC" asks."""
    clauses = [fold(c) for c in piece.split(",")]
    for i, clause in enumerate(clauses):
        for found in _ASKING.finditer(clause):
            before = clause[: found.start()].split()
            if found.group(0) in _RELATIVE_ABLE and before and before[-1] not in _OPENS_QUESTION:
                continue
            return " ".join(c for c in [clause[found.start() :], *clauses[i + 1 :]] if c)
    return None


def asking_pieces(text: str, *, after_comma: bool = True) -> list[str]:
    """The sentences that ask (raw), or the folded rest of each sentence from its asking phrase on.

    A question opened after a comma ("..., ¿ante quién me quejo?") asks on its own; with `after_comma`
    False it stays with the clause before it ("la clave de mi app del BCP, ¿cómo la recupero?")."""
    pieces = _PIECE.findall(text.replace("¿", "\n¿") if after_comma else text)
    asking = [p for p in pieces if "?" in p or "¿" in p]
    if not asking:
        asking = [rest for rest in map(_asking_from, pieces) if rest is not None]
    return asking


def asking_part(text: str, *, after_comma: bool = True) -> str:
    """What a message asks, for the checks that read only that: a long message's asking pieces (raw or
    folded, see `asking_pieces`) joined, else the whole text."""
    if len(text.split()) >= MIN_STORY_WORDS and (pieces := asking_pieces(text, after_comma=after_comma)):
        return " ".join(pieces)
    return text
