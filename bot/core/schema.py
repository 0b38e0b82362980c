"""Field-by-field conversion of YAML data into typed values, collecting problems instead of failing.

Each `read_*` function returns a value (or a safe default) and appends a `Problem` for whatever is
wrong, so one run reports every fault in a file at once.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from bot.core.dates import LIMA
from bot.core.models import LANGS, Channel, Text, TextList
from bot.core.problems import Problem
from bot.core.yamlfile import Located, LocatedList

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TO_BE_ANNOUNCED = {"por anunciar", "por confirmar", "to be announced", "tba", "tbd"}
CHANNEL_KINDS = ("online", "presencial", "telefono", "app", "correo", "whatsapp")
MODALITIES = {
    "virtual": "virtual",
    "presencial": "presencial",
    "hibrido": "hibrido",
    "híbrido": "hibrido",
    "por anunciar": "tba",  # unknown until the organiser says: never guess it
    "to be announced": "tba",
}


class FieldReader:
    """Reads the fields of one YAML mapping, recording problems against its file and lines."""

    def __init__(self, path: str, data: Located, problems: list[Problem]) -> None:
        self.path = path
        self.data = data
        self.problems = problems

    def error(self, key: str | None, es: str, en: str = "", line: int | None = None) -> None:
        """Record an error against `key`'s line (or `line`), in Spanish (`es`) and English (`en`)."""
        where = line if line is not None else (self.data.line_of(key) if key else self.data.line)
        self.problems.append(Problem(self.path, where, es, "error", en))

    def warning(self, key: str | None, es: str, en: str = "", line: int | None = None) -> None:
        where = line if line is not None else (self.data.line_of(key) if key else self.data.line)
        self.problems.append(Problem(self.path, where, es, "warning", en))

    def present(self, key: str, required: bool) -> bool:
        value = self.data.get(key)
        if value is None or value == "" or value == [] or value == {}:
            if required:
                where = None if key not in self.data else key
                self.error(where, f"falta el campo obligatorio '{key}'", f"missing required field '{key}'")
            return False
        return True

    def string(self, key: str, required: bool = True) -> str:
        if not self.present(key, required):
            return ""
        value = self.data[key]
        if isinstance(value, (dict, list)):
            self.error(key, f"'{key}' debe ser un solo texto", f"'{key}' must be a single text")
            return ""
        return str(value).strip()

    def identifier(self, key: str = "id") -> str:
        value = self.string(key)
        if value and not ID_PATTERN.match(value):
            self.error(
                key,
                f"'{key}' solo admite minúsculas, números y guiones (mi-tramite); dice {value!r}",
                f"'{key}' must be kebab-case (lowercase letters, digits and hyphens), got {value!r}",
            )
        return value

    def text(self, key: str, required: bool = True) -> Text | None:
        if not self.present(key, required):
            return None
        value = self.data[key]
        if isinstance(value, str):
            return Text(es=value.strip())
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return Text(es=str(value))
        if isinstance(value, dict):
            per_lang = self._languages(key, value)
            es = per_lang.get("es")
            if not isinstance(es, str) or not es.strip():
                self.error(
                    key, f"'{key}' necesita el texto en español en 'es'", f"'{key}' needs Spanish text under 'es'"
                )
                return None
            en = per_lang.get("en")
            if en is not None and not isinstance(en, str):
                self.error(key, f"'{key}.en' debe ser un solo texto", f"'{key}.en' must be a single text")
                en = None
            return Text(es=es.strip(), en=en.strip() if en else None)
        self.error(
            key,
            f"'{key}' debe ser un texto, o 'es:' y (opcional) 'en:' con un texto cada uno",
            f"'{key}' must be a text or a mapping with 'es' and optionally 'en'",
        )
        return None

    def text_list(self, key: str, required: bool = True) -> TextList:
        if not self.present(key, required):
            return TextList()
        value = self.data[key]
        if isinstance(value, list):
            return TextList(es=self._strings(key, value))
        if isinstance(value, dict):
            per_lang = self._languages(key, value)
            lists: dict[str, tuple[str, ...]] = {}
            for lang, items in per_lang.items():
                if not isinstance(items, list):
                    self.error(
                        key,
                        f"'{key}.{lang}' debe ser una lista (una línea por elemento, empezando con '- ')",
                        f"'{key}.{lang}' must be a list",
                        line=_line(value, lang),
                    )
                    continue
                lists[lang] = self._strings(f"{key}.{lang}", items)
            if not lists.get("es"):
                self.error(
                    key, f"'{key}' necesita la lista en español en 'es'", f"'{key}' needs a Spanish list under 'es'"
                )
            return TextList(es=lists.get("es", ()), en=lists.get("en", ()))
        self.error(
            key,
            f"'{key}' debe ser una lista, o 'es:' y 'en:' con una lista cada uno",
            f"'{key}' must be a list or a mapping of lists per language",
        )
        return TextList()

    def url(self, key: str, required: bool = True) -> str:
        value = self.string(key, required)
        if value and not is_valid_url(value):
            self.error(
                key,
                f"'{key}' no es una dirección web válida (debe empezar con https://): {value!r}",
                f"'{key}' is not a valid http(s) address: {value!r}",
            )
        return value

    def urls(self, key: str, required: bool = True) -> tuple[str, ...]:
        if not self.present(key, required):
            return ()
        value = self.data[key]
        if not isinstance(value, list):
            self.error(key, f"'{key}' debe ser una lista de direcciones web", f"'{key}' must be a list of addresses")
            return ()
        good: list[str] = []
        for index, item in enumerate(value):
            line = _line(value, index)
            if not isinstance(item, str) or not is_valid_url(item.strip()):
                self.error(
                    key,
                    f"'{key}', elemento {index + 1}, no es una dirección web válida: {item!r}",
                    f"'{key}' item {index + 1} is not a valid http(s) address: {item!r}",
                    line=line,
                )
            else:
                good.append(item.strip())
        return tuple(good)

    def identifiers(self, key: str) -> tuple[str, ...]:
        if not self.present(key, False):
            return ()
        value = self.data[key]
        if not isinstance(value, list):
            self.error(key, f"'{key}' debe ser una lista de ids de entradas", f"'{key}' must be a list of entry ids")
            return ()
        return tuple(str(item).strip() for item in value)

    def review_date(self, key: str, today: date, max_age_days: int) -> date:
        if not self.present(key, True):
            return today
        value = self.data[key]
        parsed: date | None = None
        if isinstance(value, datetime):
            parsed = value.date()
        elif isinstance(value, date):
            parsed = value
        elif isinstance(value, str):
            try:
                parsed = date.fromisoformat(value.strip())
            except ValueError:
                parsed = None
        if parsed is None:
            self.error(
                key,
                f"'{key}' debe ser una fecha como 2026-11-27; dice {value!r}",
                f"'{key}' must be a date like 2026-11-27, got {value!r}",
            )
            return today
        if parsed > today:
            self.error(
                key,
                f"'{key}' es una fecha futura ({parsed.isoformat()})",
                f"'{key}' is in the future ({parsed.isoformat()})",
            )
        elif (today - parsed).days > max_age_days:
            age = (today - parsed).days
            self.warning(
                key,
                f"'{key}' tiene {age} días (más de {max_age_days}): vuelve a revisar los datos",
                f"'{key}' is {age} days old (more than {max_age_days}): re-check the facts",
            )
        return parsed

    def moment(self, key: str) -> tuple[date | datetime | None, bool]:
        """An event date: returns (value, ok); None with ok=True means 'to be announced'."""
        if not self.present(key, True):
            return None, False
        value = self.data[key]
        if isinstance(value, datetime):
            return (value if value.tzinfo else value.replace(tzinfo=LIMA)), True
        if isinstance(value, date):
            return value, True
        if isinstance(value, str):
            text = value.strip()
            if text.lower() in TO_BE_ANNOUNCED:
                return None, True
            try:
                if len(text) == 10:
                    return date.fromisoformat(text), True
                moment = datetime.fromisoformat(text)
                return (moment if moment.tzinfo else moment.replace(tzinfo=LIMA)), True
            except ValueError:
                pass
        self.error(
            key,
            f"'{key}' debe ser una fecha (2026-03-15), fecha y hora entre comillas (\"2026-03-15 09:00\") "
            f"o 'por anunciar'; dice {value!r}",
            f"'{key}' must be a date (2026-03-15), a date and time (2026-03-15 09:00) or 'por anunciar', got {value!r}",
        )
        return None, False

    def choice(self, key: str, options: dict[str, str]) -> str:
        value = self.string(key)
        if not value:
            return ""
        canonical = options.get(value.lower())
        if canonical is None:
            known = ", ".join(sorted(set(options.values())))
            self.error(
                key,
                f"'{key}' debe ser uno de {known}; dice {value!r}",
                f"'{key}' must be one of {known}, got {value!r}",
            )
            return ""
        return canonical

    def channels(self, key: str, required: bool = True) -> tuple[Channel, ...]:
        if not self.present(key, required):
            return ()
        value = self.data[key]
        if not isinstance(value, list):
            self.error(
                key,
                f"'{key}' debe ser una lista de {{type, value, label}}",
                f"'{key}' must be a list of {{type, value, label}}",
            )
            return ()
        result: list[Channel] = []
        for index, item in enumerate(value):
            line = _line(value, index)
            if not isinstance(item, Located):
                self.error(
                    key,
                    f"'{key}', elemento {index + 1}, necesita 'type' y 'value'",
                    f"'{key}' item {index + 1} must be a mapping with 'type' and 'value'",
                    line=line,
                )
                continue
            sub = FieldReader(self.path, item, self.problems)
            sub.unknown_fields({"type", "value", "label"})
            kind = sub.string("type").lower()
            if kind and kind not in CHANNEL_KINDS:
                kinds = ", ".join(CHANNEL_KINDS)
                sub.error(
                    "type",
                    f"el tipo de canal debe ser uno de {kinds}; dice {kind!r}",
                    f"channel type must be one of {kinds}, got {kind!r}",
                )
            channel_value = sub.string("value")
            label = sub.text("label", required=False)
            if kind and channel_value:
                result.append(Channel(kind=kind, value=channel_value, label=label))
        return tuple(result)

    def unknown_fields(self, known: set[str]) -> None:
        for key in self.data:
            if key not in known:
                hint = closest(key, known)
                fields = ", ".join(sorted(known))
                self.error(
                    key,
                    f"campo desconocido '{key}'"
                    + (f" (¿quisiste decir '{hint}'?)" if hint else f" (campos: {fields})"),
                    f"unknown field '{key}'" + (f" (did you mean '{hint}'?)" if hint else f" (known fields: {fields})"),
                )

    def _languages(self, key: str, value: dict[str, Any]) -> dict[str, Any]:
        for lang in value:
            if lang not in LANGS:
                quotes = " " in str(lang)  # "Nota: ..." read as a key: a colon inside an unquoted text
                self.error(
                    key,
                    f"'{key}' tiene un idioma desconocido '{lang}' (usa 'es' o 'en'"
                    + (
                        "; un texto con dos puntos o comas dentro de {...} va entre comillas dobles)" if quotes else ")"
                    ),
                    f"'{key}' has unknown language '{lang}' (use 'es' or 'en'"
                    + ("; a text with commas or colons inside {...} must be in quotes)" if quotes else ")"),
                    line=_line(value, lang),
                )
        return {lang: value[lang] for lang in LANGS if lang in value}

    def _strings(self, key: str, items: list[Any]) -> tuple[str, ...]:
        result: list[str] = []
        for index, item in enumerate(items):
            if isinstance(item, (dict, list)) or item is None or not str(item).strip():
                self.error(
                    key,
                    f"'{key}', elemento {index + 1}, debe ser un texto no vacío"
                    + (" (si lleva ': ' ponlo entre comillas dobles)" if isinstance(item, dict) else ""),
                    f"'{key}' item {index + 1} must be a non-empty text"
                    + (" (if it contains ': ' put it in double quotes)" if isinstance(item, dict) else ""),
                    line=_line(items, index),
                )
                continue
            result.append(str(item).strip())
        return tuple(result)


def _line(container: Any, key: Any) -> int | None:
    if isinstance(container, Located):
        return container.line_of(str(key))
    if isinstance(container, LocatedList) and isinstance(key, int):
        return container.line_of(key)
    return None


def is_valid_url(value: str) -> bool:
    if any(c.isspace() for c in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    host = parts.hostname or ""
    return parts.scheme in ("http", "https") and "." in host and not host.startswith(".")


def closest(word: str, options: set[str]) -> str | None:
    """The known field name a typo most likely meant, if any is close."""
    from rapidfuzz import process
    from rapidfuzz.distance import Levenshtein

    found = process.extractOne(word, options, scorer=Levenshtein.distance, score_cutoff=2)
    return str(found[0]) if found else None
