"""Mask personal data in citizens' questions before anything is stored.

People paste their DNI, phone or e-mail into questions ("mi dni es 45678912 y no puedo..."). The
question log and the review queue only need the shape of the question, so every such value is
replaced by a placeholder ([DNI], [CE], [RUC], [TELEFONO], [EMAIL], [TARJETA]) first.

Numbers are found with and without separators ("45678912", "45.678.912", "45 678 912",
"+51 987 654 321"). The patterns stay narrow around short numbers on purpose: payment codes
("00525"), years (2026), amounts ("S/ 41"), legal references ("D.S. 004-2019-JUS") and the Aló MAC
line ("1800") are what the review staff needs to read, and none of them identifies a person.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_L = r"(?<!\d)"  # not glued to a digit on the left
_R = r"(?!\d)"  # not glued to a digit on the right
# Grouped numbers: not the continuation of a longer number ("1.45.678.912", "45.678.912,50"), not
# an amount ("S/ 12.345.678") and not part of a hyphenated reference ("0123-2024-PCM").
_NUM_L = r"(?<!\d)(?<!\d[.,\-])(?<![Ss]/)(?<![Ss]/ )"
_NUM_R = r"(?!\d)(?![.,\-]\d)(?!-[^\W\d])"


@dataclass(frozen=True)
class _Rule:
    kind: str
    pattern: re.Pattern[str]
    group: int = 0  # the part of the match that is personal (the rest is kept, e.g. "CE N° ")


_RULES: tuple[_Rule, ...] = (
    # E-mail first: addresses may contain digits that would otherwise look like phones or DNIs.
    _Rule("EMAIL", re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")),
    # With the country code: +51 987 654 321, 0051987654321, (+51) 1 411-8000, 51987654321.
    _Rule(
        "TELEFONO",
        re.compile(
            r"\(?(?:\+\s?|(?<![\d+])00)51\)?(?:[ .\-]?\(?\d\)?){8,9}(?!\d)"
            r"|(?<![\d+])51[ .\-]?9(?:[ .\-]?\d){8}(?!\d)"
        ),
    ),
    # Carné de extranjería named as such ("carné de extranjería N° 001234567", "CE: 000123456").
    _Rule(
        "CE",
        re.compile(
            r"(?:carn[eé]t?\s+de\s+extranjer[ií]a|(?<!\w)c\.\s?e\.|(?<!\w)ce(?!\w))"
            r"\s*(?:n(?:[°º.]|ro\.?|[uú]mero)\s*)?[:#]?\s*([A-Z]?\d{6,12})" + _R,
            re.IGNORECASE,
        ),
        group=1,
    ),
    # Card and bank account numbers: 13 to 20 digits, optionally grouped with spaces or dashes.
    _Rule("TARJETA", re.compile(_L + r"\d(?:[ \-]?\d){12,19}" + _R)),
    # RUC: 11 digits starting 10, 15, 17 or 20 (a person's RUC 10 embeds the DNI): 20123456789,
    # 20-12345678-9, and grouped in threes (20 123 456 789, 20.123.456.789).
    _Rule("RUC", re.compile(_L + r"(?:10|15|17|20)[ .\-]?\d{8}[ .\-]?\d" + _R)),
    _Rule("RUC", re.compile(_NUM_L + r"(?:10|15|17|20)(?:[ .\-]\d{3}){3}" + _NUM_R)),
    # Landlines with an area code: (01) 411-8000, (044) 123456, 01 411 8000, 044-123456.
    _Rule(
        "TELEFONO",
        re.compile(
            r"\(\s*0?\d{1,2}\s*\)\s*[ .\-]?\s*\d{2,3}[ .\-]?\d{3,4}(?!\d)"
            r"|(?<!\d)0\d{1,2}[ .\-]\d{3}[ .\-]?\d{3,4}(?!\d)"
        ),
    ),
    # Mobiles: 9 digits starting with 9, possibly grouped (987 654 321, 987-654-321, 987.654.321).
    _Rule("TELEFONO", re.compile(r"(?<!\d)9(?:[ .\-]?\d){8}(?!\d)")),
    # Lima landlines without area code but with a separator (411-8000); not "Ley 345-2023".
    _Rule("TELEFONO", re.compile(r"(?<![\d\-])[2-7]\d{2}[ \-](?!(?:19|20)\d{2}(?!\d))\d{4}(?![\d\-])")),
    # DNI: 8 digits, optionally with the check digit (45678912-3).
    _Rule("DNI", re.compile(_L + r"\d{8}(?:-\d)?" + _R)),
    # DNI written in groups: 45.678.912, 45 678 912, 45-678-912, 4567 8912. Not a pair of years
    # ("2025 2026"), nor a legal reference ending in a year ("R.M. 0123-2024-PCM").
    _Rule(
        "DNI",
        re.compile(
            _NUM_L
            + r"(?:\d{2}[ .\-]\d{3}[ .\-]\d{3}"
            + r"|(?!(?:19|20)\d{2}[ .\-](?:19|20)\d{2}(?!\d))(?!\d{4}-(?:19|20)\d{2}(?!\d))\d{4}[ .\-]\d{4})"
            + r"(?:-\d)?"
            + _NUM_R
        ),
    ),
    # Carné de extranjería without the words: 9 digits (mobiles, starting with 9, are gone by now).
    _Rule("CE", re.compile(_L + r"\d{9}" + _R)),
)


@dataclass(frozen=True)
class Match:
    """One personal value found in a text: its kind (the placeholder's name) and the value."""

    kind: str
    value: str


def _apply(rule: _Rule, text: str, found: list[Match] | None) -> str:
    def repl(m: re.Match[str]) -> str:
        if found is not None:
            found.append(Match(rule.kind, m.group(rule.group)))
        whole = m.group(0)
        start, end = m.start(rule.group) - m.start(0), m.end(rule.group) - m.start(0)
        return f"{whole[:start]}[{rule.kind}]{whole[end:]}"

    return rule.pattern.sub(repl, text)


def mask_personal_data(text: str) -> str:
    """Return `text` with DNI, CE, RUC, phone, e-mail and card numbers replaced by placeholders."""
    for rule in _RULES:
        text = _apply(rule, text, None)
    return text


def find_personal_data(text: str) -> list[Match]:
    """The personal values `mask_personal_data` replaces, in the order it replaces them."""
    found: list[Match] = []
    for rule in _RULES:
        text = _apply(rule, text, found)
    return found


def personal_tokens(text: str) -> dict[str, str]:
    """Lower-case alphanumeric pieces of the personal values in `text`, mapped to their kind.

    A normalised copy of a question ("juan perez gmail com") no longer matches the patterns, so the
    store removes these pieces from it too.
    """
    tokens: dict[str, str] = {}
    for match in find_personal_data(text):
        for token in re.findall(r"\w+", match.value.lower()):
            if len(token) >= 2:
                tokens.setdefault(token, match.kind)
    return tokens
