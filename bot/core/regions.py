"""Peru's regions: which department a question names, and what an entry says for that department.

The departments come from `knowledge/departamentos.yaml` (24 departments, the Constitutional
Province of Callao and Lima Metropolitana, each with aliases: capital, known cities). An entry may
carry a `regions` block keyed by department id; for a department without a block the entry's
`otras` text (if any) says so, with `{region}` replaced by the department's name. An entry without
any `regions` block is national: it is the same everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from bot.core.models import Entry, Text
from bot.core.normalize import fold, longest_first

OTHER_REGIONS = "otras"  # the `regions` key whose text covers departments without their own block
_LIVES_IN = r"\b(?:soy|vivo|estoy|radico|resido|somos|vivimos|i live|i am|i m)\s+(?:de|en|in|from)\s+"
_LEAD_IN = re.compile(r"\b(?:soy|vivo|estoy|radico|resido|somos|vivimos|i live|i am|i m|from|de|en|in)\s+$")


@dataclass(frozen=True)
class Department:
    """One of the 26 choices of /region: a department, Callao or Lima Metropolitana."""

    id: str
    name: str
    capital: str
    aliases: tuple[str, ...]


class RegionFinder:
    """Finds the department a text names, by whole folded words ("vivo en huamanga" -> ayacucho)."""

    def __init__(self, departments: Iterable[Department]) -> None:
        self.departments = {d.id: d for d in departments}
        names: dict[str, str] = {}
        # Staff's aliases first: the region Lima is named "Lima" but "lima" alone means Lima Metropolitana.
        spellings = [(alias, d.id) for d in self.departments.values() for alias in d.aliases]
        spellings += [(spelling, d.id) for d in self.departments.values() for spelling in (d.name, d.capital)]
        for spelling, department_id in spellings:
            key = fold(spelling)
            if key:
                names.setdefault(key, department_id)
        # Longest alias first, so "lima provincias" wins over "lima" and "cerro de pasco" over "pasco" (the
        # patterns are written as trees of shared prefixes, see `longest_first`).
        self._aliases = sorted(names.items(), key=lambda item: -len(item[0]))
        self._pattern = (
            re.compile(r"\b(" + longest_first(alias for alias, _ in self._aliases) + r")\b")
            if self._aliases
            else None
        )
        self._by_alias = names
        # An alias can only match where its first word stands: most texts hold none, and the alternation of
        # every alias is slow to search (~35 us a question with the provinces).
        self._first_words = frozenset(alias.split()[0] for alias, _ in self._aliases)
        self._lives_in = (
            re.compile(_LIVES_IN + r"(?:" + longest_first(alias for alias, _ in self._aliases) + r")\b")
            if self._aliases
            else None
        )

    def find(self, text: str) -> str | None:
        """The department id named in `text`, or None; a name said after "soy de", "vivo en"… wins."""
        if self._pattern is None:
            return None
        folded = fold(text)
        if self._first_words.isdisjoint(folded.split()):
            return None
        found = [(m.start(), m.group(1)) for m in self._pattern.finditer(folded)]
        if not found:
            return None
        for start, alias in found:
            if _LEAD_IN.search(folded[:start]):
                return self._by_alias[alias]
        return self._by_alias[found[0][1]]

    def strip(self, text: str) -> str:
        """`text` folded, without "soy de <place>" / "vivo en <place>"; `text` itself when it has none.

        A place named alone stays: "papeletas en arequipa" asks about Arequipa's tickets.
        """
        if self._lives_in is None:
            return text
        folded = fold(text)
        if self._first_words.isdisjoint(folded.split()):
            return text
        stripped = self._lives_in.sub(" ", folded)
        return " ".join(stripped.split()) if stripped != folded else text

    def only_place(self, text: str) -> str | None:
        """The department when `text` says nothing but where the citizen is ("soy de Puno", "Huamanga")."""
        department = self.find(text)
        if department is None:
            return None
        rest = fold(self.strip(text))
        return department if not rest or rest in self._by_alias else None

    def of_place(self, place: str) -> str | None:
        """The department of an event's `region` field ("Puno", "La Libertad"); None for "Nacional"."""
        return self._by_alias.get(fold(place))

    def name(self, department_id: str) -> str:
        department = self.departments.get(department_id)
        return department.name if department else department_id


def region_note(
    entry: Entry, department: Department, lang: str, named: bool, scope: Department | None = None
) -> str:
    """What `entry` says for `department`: its regional variant, that the region has none, or that it
    is national (said only when the citizen named the region: a set region should not add noise).

    `scope`: the one department the entry's title is about ("Papeletas de tránsito en Lima (SAT)"). Such an
    entry is not national: for another department the note says whose information it is.
    """
    own = entry.region_text(department.id)
    if own is not None:
        return own.get(lang)
    if entry.regions:
        other = entry.region_text(OTHER_REGIONS)
        if other is not None:
            return other.get(lang).replace("{region}", department.name)
        return MISSING.get(lang).format(region=department.name, title=entry.title.get(lang))
    if scope is not None:
        return "" if scope.id == department.id else ELSEWHERE.get(lang).format(place=scope.name, region=department.name)
    return NATIONAL.get(lang).format(region=department.name) if named else ""


MISSING = Text(
    es="En {region} no tenemos registrada una sede para «{title}».",
    en="We have nothing registered in {region} for “{title}”.",
)
ELSEWHERE = Text(
    es="Esta información es de {place}; en {region} puede ser distinta: consulta en tu municipalidad.",
    en="This information is for {place}; it may differ in {region}: ask your local municipality.",
)
NATIONAL = Text(
    es="Es un servicio nacional: es el mismo en {region}.",
    en="This is a national service: it is the same in {region}.",
)
