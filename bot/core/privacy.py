"""Mask personal data in citizens' questions before anything is stored.

People paste their DNI, phone, e-mail, birth date, address or name into questions ("mi dni es
45678912 y no puedo...", "me llamo Ana Torres", "vivo en jr. ayacucho 123"). The question log and
the review queue only need the shape of the question, so every such value is replaced by a
placeholder ([DNI], [CE], [RUC], [TELEFONO], [EMAIL], [TARJETA], [FECHA], [DIRECCION], [NOMBRE],
[NUMERO]) first.

Numbers are found with and without separators ("45678912", "45.678.912", "4 5 6 7 8 9 1 2",
"987/654/321", "+51 987 654 321"). The patterns stay narrow around short numbers on purpose:
payment codes ("00525"), years (2026), amounts ("S/ 41"), legal references ("D.S. 004-2019-JUS"),
appointment dates ("15/03/2026") and the Aló MAC line ("1800") are what the review staff needs to
read, and none of them identifies a person. A date is masked only when it can be a date of birth:
its year is at least `BIRTH_YEARS_BACK` years ago, or a word about birth comes right before it.

Every pattern starts only where its match can start (a lookbehind rejects the middle of a run), so
masking stays linear in the length of the text: a 20,000-digit message costs milliseconds, not
seconds. Lone surrogates (invalid Unicode a client may send) become U+FFFD, so the text can always
be encoded and stored.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

_L = r"(?<!\d)"  # not glued to a digit on the left
_R = r"(?!\d)"  # not glued to a digit on the right
# Grouped numbers: not the continuation of a longer number ("1.45.678.912", "45.678.912,50"), not
# an amount ("S/ 12.345.678") and not part of a hyphenated reference ("0123-2024-PCM").
_NUM_L = r"(?<!\d)(?<!\d[.,\-/])(?<![Ss]/)(?<![Ss]/ )"
_NUM_R = r"(?!\d)(?![.,\-/]\d)(?!-[^\W\d])"

BIRTH_YEARS_BACK = 10  # a full date this many years ago or more is taken for a date of birth
_BIRTH_WORDS = re.compile(r"naci|nacimiento|cumple|naci[oó]|f\.?\s?nac", re.IGNORECASE)
_BIRTH_CONTEXT_CHARS = 40
_SURROGATE = re.compile("[\ud800-\udfff]")

Kind = Callable[[re.Match[str]], str | None]
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class _Rule:
    kind: str
    pattern: re.Pattern[str]
    group: int = 0  # the part of the match that is personal (the rest is kept, e.g. "CE N° ")
    kind_of: Kind | None = None  # decides the placeholder from the match; None keeps the text
    hint: re.Pattern[str] = _DIGIT  # cheap test: a text without it cannot match (most rules are numbers)
    # Digits any match holds at least: a text with fewer digits in all cannot match. A long message
    # with an age and a year ("tengo 45 años... en 2019") then skips the phone, DNI, card and RUC rules,
    # which were most of its matching time.
    min_digits: int = 0


def _digits_kind(match: re.Match[str]) -> str:
    """What a run of separated digits is, by how many digits it has."""
    digits = re.sub(r"\D", "", match.group(0))
    if len(digits) == 8:
        return "DNI"
    if len(digits) == 9:
        return "TELEFONO" if digits.startswith("9") else "CE"
    if len(digits) == 11 and digits[:2] in {"10", "15", "17", "20"}:
        return "RUC"
    if 13 <= len(digits) <= 20:
        return "TARJETA"
    return "NUMERO"


def _full_year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        this_century = date.today().year // 100 * 100
        year += this_century if year <= date.today().year % 100 else this_century - 100
    return year


def _date_part(match: re.Match[str], name: str) -> str:
    """Day, month or year of whichever of the date forms matched (groups d, d2, d3 and so on)."""
    return next(str(v) for suffix in ("", "2", "3") if (v := match.group(name + suffix)) is not None)


def _birth_date_kind(match: re.Match[str]) -> str | None:
    """[FECHA] for a date that can be a date of birth; None keeps an appointment or a deadline."""
    day, month, year = (_date_part(match, name) for name in ("d", "m", "y"))
    if month.isdigit() and not 1 <= int(month) <= 12:
        return None
    if not 1 <= int(day) <= 31:
        return None
    before = match.string[max(0, match.start() - _BIRTH_CONTEXT_CHARS) : match.start()]
    if _BIRTH_WORDS.search(before) or _full_year(year) <= date.today().year - BIRTH_YEARS_BACK:
        return "FECHA"
    return None


_MONTHS = r"(?:enero|febrero|marzo|abril|mayo|junio|julio|agosto|se?tiembre|octubre|noviembre|diciembre)"
_EMAIL_CHARS = r"[\w.+\-]"
_TLD = r"(?:com|net|org|edu|gob|pe|es|info|io|co|mx|ar|cl|us)(?!\w)"
_OBFUSCATED_AT = r"(?:\s?@\s?|\s+arroba\s+|\s?[(\[](?:at|arroba)[)\]]\s?)"
_OBFUSCATED_DOT = r"(?:\s?\.\s?|\s+(?:punto|dot)\s+|\s?[(\[](?:dot|punto)[)\]]\s?)"
_CAP = r"[A-ZÁÉÍÓÚÑ][a-záéíóúñü]+"
_PARTICLE = r"(?:(?:de|del|la|las|los)\s+)?"
# After "me llamo" / "mi nombre es", a name may be written in lower case; these words end it.
_NOT_A_NAME = (
    r"(?!(?:y|e|o|u|pero|quiero|quisiera|necesito|tengo|como|c[oó]mo|que|qu[eé]|mi|mis|por|para|con|"
    r"soy|vivo|estoy|no|si|s[ií]|el|un|una|en|es|esta|est[aá]|hola|gracias|incorrecto|incorrecta|"
    r"diferente|distinto|distinta|mal|muy|igual|largo|corto|compuesto|and|i|my)(?![^\W\d_]))"
)
_WORD = r"[^\W\d_]+"

_RULES: tuple[_Rule, ...] = (
    # E-mail first: addresses may contain digits that would otherwise look like phones or DNIs.
    _Rule("EMAIL", re.compile(rf"(?<!{_EMAIL_CHARS}){_EMAIL_CHARS}+@[\w\-]+(?:\.[\w\-]+)+"), hint=re.compile("@")),
    # Written to dodge spam filters: "ana.torres @ gmail.com", "luis arroba gmail punto com".
    _Rule(
        "EMAIL",
        re.compile(
            rf"(?<!{_EMAIL_CHARS}){_EMAIL_CHARS}+{_OBFUSCATED_AT}[\w\-]+(?:\.[\w\-]+)*(?:{_OBFUSCATED_DOT}{_TLD}){{1,2}}",
            re.IGNORECASE,
        ),
        hint=re.compile(r"@|arroba|\(at\)|\[at\]", re.IGNORECASE),
    ),
    # Names the citizen gives: "me llamo Ana Torres", "mi nombre es luis quispe", "soy María Pérez".
    _Rule(
        "NOMBRE",
        re.compile(
            rf"(?i:(?<![^\W\d_])(?:me\s+llamo|mi\s+nombre\s+es))\s+"
            rf"({_NOT_A_NAME}{_WORD}(?:\s+{_PARTICLE}{_NOT_A_NAME}{_WORD}){{0,2}})"
            rf"|(?i:(?<![^\W\d_])soy)\s+({_CAP}(?:\s+{_PARTICLE}{_CAP}){{0,3}})"
        ),
        group=-1,
        hint=re.compile(r"llamo|nombre|soy", re.IGNORECASE),
    ),
    # Street addresses with a number: "jr. ayacucho 123", "av. arequipa 1234", "calle los pinos 456",
    # "psje. san martín 12", "mz. b lt. 5".
    _Rule(
        "DIRECCION",
        re.compile(
            r"(?<![^\W\d_])(?:jr|jir[oó]n|av|avda|avenida|calle|cll|psje|pje|prolongaci[oó]n|prol)\.?\s*"
            rf"(?:{_WORD}\.?\s+){{0,4}}(?:n(?:[°º.]|ro\.?)\s*|#\s*)?\d{{1,5}}(?!\d)(?![.,]\d)"
            r"|(?<![^\W\d_])mz\.?\s*\w{1,3}\s*,?\s*(?:lt|lote)\.?\s*\d{1,4}(?!\d)",
            re.IGNORECASE,
        ),
        min_digits=1,
    ),
    # With the country code: +51 987 654 321, 0051987654321, (+51) 1 411-8000, 51987654321.
    _Rule(
        "TELEFONO",
        re.compile(
            r"\(?(?:\+\s?|(?<![\d+])00)51\)?(?:[ .\-]?\(?\d\)?){8,9}(?!\d)"
            r"|(?<![\d+])51[ .\-]?9(?:[ .\-]?\d){8}(?!\d)"
        ),
        min_digits=10,
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
        min_digits=6,
    ),
    # Dates of birth: 12/03/1985, 12-03-85, 1985-03-12, 12 de marzo de 1985.
    _Rule(
        "FECHA",
        re.compile(
            r"(?<![\d/.\-])(?P<d>\d{1,2})([/.\-])(?P<m>\d{1,2})\2(?P<y>\d{4}|\d{2})(?![\d/.\-]?\d)"
            r"|(?<![\d/.\-])(?P<y2>\d{4})-(?P<m2>\d{1,2})-(?P<d2>\d{1,2})(?![\d/.\-]?\d)"
            rf"|(?<!\d)(?P<d3>\d{{1,2}})\s+de\s+(?P<m3>{_MONTHS})\s+(?:del?\s+)?(?P<y3>\d{{4}})(?!\d)",
            re.IGNORECASE,
        ),
        kind_of=_birth_date_kind,
        min_digits=4,
    ),
    # Cards and bank accounts: 13 to 20 digits, optionally grouped with spaces or dashes, or in
    # fours with dots or slashes (4111.1111.1111.1111).
    _Rule("TARJETA", re.compile(_L + r"\d(?:[ \-]?\d){12,19}" + _R), min_digits=13),
    _Rule("TARJETA", re.compile(_NUM_L + r"\d{4}([./])\d{4}\1\d{4}\1\d{1,7}" + _NUM_R), min_digits=13),
    # RUC: 11 digits starting 10, 15, 17 or 20 (a person's RUC 10 embeds the DNI): 20123456789,
    # 20-12345678-9, and grouped in threes (20 123 456 789, 20.123.456.789).
    _Rule("RUC", re.compile(_L + r"(?:10|15|17|20)[ .\-]?\d{8}[ .\-]?\d" + _R), min_digits=11),
    _Rule("RUC", re.compile(_NUM_L + r"(?:10|15|17|20)(?:[ .\-]\d{3}){3}" + _NUM_R), min_digits=11),
    # One digit at a time: "4 5 6 7 8 9 1 2" (the kind follows from how many digits there are).
    _Rule(
        "NUMERO",
        re.compile(r"(?<![\d.,/\-])(?<![Ss]/ )\d(?: \d){7,}(?!\d)(?![.,/\-]\d)"),
        kind_of=_digits_kind,
        min_digits=8,
    ),
    # Landlines with an area code: (01) 411-8000, (044) 123456, 01 411 8000, 044-123456.
    _Rule(
        "TELEFONO",
        re.compile(
            r"\(\s*0?\d{1,2}\s*\)\s*[ .\-]?\s*\d{2,3}[ .\-]?\d{3,4}(?!\d)"
            r"|(?<!\d)0\d{1,2}[ .\-]\d{3}[ .\-]?\d{3,4}(?!\d)"
        ),
        min_digits=6,
    ),
    # Mobiles: 9 digits starting with 9, possibly grouped (987 654 321, 987-654-321, 987.654.321,
    # 987/654/321).
    _Rule("TELEFONO", re.compile(r"(?<!\d)9(?:[ .\-]?\d){8}(?!\d)"), min_digits=9),
    _Rule("TELEFONO", re.compile(r"(?<![\d/])9\d{2}/\d{3}/\d{3}(?![\d/])"), min_digits=9),
    # Lima landlines without area code but with a separator (411-8000); not "Ley 345-2023".
    _Rule("TELEFONO", re.compile(r"(?<![\d\-])[2-7]\d{2}[ \-](?!(?:19|20)\d{2}(?!\d))\d{4}(?![\d\-])"), min_digits=7),
    # DNI: 8 digits, optionally with the check digit (45678912-3).
    _Rule("DNI", re.compile(_L + r"\d{8}(?:-\d)?" + _R), min_digits=8),
    # DNI written in groups: 45.678.912, 45 678 912, 45-678-912, 45/678/912, 4567 8912. Not a pair
    # of years ("2025 2026"), nor a legal reference ending in a year ("R.M. 0123-2024-PCM").
    _Rule(
        "DNI",
        re.compile(
            _NUM_L
            + r"(?:\d{2}([ .\-/])\d{3}\1\d{3}|\d{2}[ .\-]\d{3}[ .\-]\d{3}"
            + r"|(?!(?:19|20)\d{2}[ .\-](?:19|20)\d{2}(?!\d))(?!\d{4}-(?:19|20)\d{2}(?!\d))\d{4}[ .\-]\d{4})"
            + r"(?:-\d)?"
            + _NUM_R
        ),
        min_digits=8,
    ),
    # Carné de extranjería without the words: 9 digits (mobiles, starting with 9, are gone by now).
    _Rule("CE", re.compile(_L + r"\d{9}" + _R), min_digits=9),
)


@dataclass(frozen=True)
class Match:
    """One personal value found in a text: its kind (the placeholder's name) and the value."""

    kind: str
    value: str


def _apply(rule: _Rule, text: str, found: list[Match] | None, digits: int) -> str:
    """`digits`: how many digits the text held before any rule ran (masking only removes digits)."""
    if digits < rule.min_digits or not rule.hint.search(text):
        return text

    def repl(m: re.Match[str]) -> str:
        kind = rule.kind if rule.kind_of is None else rule.kind_of(m)
        whole = m.group(0)
        if kind is None:
            return whole
        group = rule.group
        if group < 0:  # the first alternative's group that took part in the match
            group = next(i for i in range(1, (m.re.groups or 0) + 1) if m.group(i) is not None)
        if found is not None:
            found.append(Match(kind, m.group(group)))
        start, end = m.start(group) - m.start(0), m.end(group) - m.start(0)
        return f"{whole[:start]}[{kind}]{whole[end:]}"

    return rule.pattern.sub(repl, text)


def clean_text(text: str) -> str:
    """`text` with lone surrogates (invalid Unicode from a broken client) replaced by U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


def mask_personal_data(text: str) -> str:
    """Return `text` with personal values (see the module docstring) replaced by placeholders."""
    text = clean_text(text)
    digits = len(_DIGIT.findall(text))
    for rule in _RULES:
        text = _apply(rule, text, None, digits)
    return text


def find_personal_data(text: str) -> list[Match]:
    """The personal values `mask_personal_data` replaces, in the order it replaces them."""
    found: list[Match] = []
    text = clean_text(text)
    digits = len(_DIGIT.findall(text))
    for rule in _RULES:
        text = _apply(rule, text, found, digits)
    return found


def _fold(token: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", token.lower()) if not unicodedata.combining(c))


def personal_tokens(text: str) -> dict[str, str]:
    """Lower-case, accent-free alphanumeric pieces of the personal values in `text`, mapped to their kind.

    A normalised copy of a question ("juan perez gmail com") no longer matches the patterns, so the
    store removes these pieces from it too.
    """
    tokens: dict[str, str] = {}
    for match in find_personal_data(text):
        for token in re.findall(r"\w+", _fold(match.value)):
            if len(token) >= 2:
                tokens.setdefault(token, match.kind)
    return tokens
