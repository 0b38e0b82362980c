"""Versioned inline-button callback data: ``v1|<kind>|<args...>``, always within Telegram's 64 bytes.

Every button the bot sends carries one of these strings. `decode` never raises: forged, stale,
oversized or garbage data decodes to `None` (or to an action whose id no longer exists, which the
handlers answer politely). Each feature module routes its own actions with
``CallbackQueryHandler(handler, pattern=cb.matches(cb.Feedback))`` and reads them back with
`decode_as`; a new action is one dataclass here plus its `encode`/`decode` cases.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

VERSION = "v1"
MAX_BYTES = 64  # Telegram's limit for callback_data
_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,58}")  # entry and category ids
_DIGITS = re.compile(r"[0-9]+")
_LANGS = ("es", "en")


@dataclass(frozen=True)
class OpenAnswer:
    """Show the answer of an entry (suggestion, related entry, browse list, event list)."""

    entry_id: str


@dataclass(frozen=True)
class Feedback:
    """"¿Te sirvió?" yes/no on an answer."""

    entry_id: str
    helpful: bool


@dataclass(frozen=True)
class Details:
    """"Pasos y requisitos" under an answer drawn in `lang`: extend it with the details."""

    entry_id: str
    lang: str


@dataclass(frozen=True)
class Categories:
    """The category list of /servicios, page `page` (1-based)."""

    page: int


@dataclass(frozen=True)
class Category:
    """The services of one category, page `page` (1-based)."""

    category: str
    page: int


@dataclass(frozen=True)
class SetLanguage:
    """Switch the conversation language (/idioma)."""

    lang: str


@dataclass(frozen=True)
class ResolveGroup:
    """Admin: mark an unanswered question group as answered by `entry_id`."""

    group_id: int
    entry_id: str


@dataclass(frozen=True)
class AddPhrasing:
    """Admin: add a group's question to `entry_id`'s phrasings, resolve the group and reload."""

    group_id: int
    entry_id: str


@dataclass(frozen=True)
class IgnoreGroup:
    """Admin: ignore an unanswered question group."""

    group_id: int


@dataclass(frozen=True)
class EventsPage:
    """/eventos, page `page` (1-based)."""

    page: int


@dataclass(frozen=True)
class AddToCalendar:
    """"📅 Añadir a mi calendario": send the event's .ics file."""

    event_id: str


@dataclass(frozen=True)
class RemindMe:
    """"⏰ Recordarme": reminders 1 day and 1 hour before the event."""

    event_id: str


@dataclass(frozen=True)
class CancelReminders:
    """/recordatorios: cancel the reminders of one event."""

    event_id: str


@dataclass(frozen=True)
class WatchDate:
    """"🔔 Avísame cuando haya fecha" on a to-be-announced event."""

    event_id: str


@dataclass(frozen=True)
class SetRegion:
    """/region: the citizen's department (an id of departamentos.yaml)."""

    region: str


@dataclass(frozen=True)
class ForgetMe:
    """/olvidame: confirmed (delete everything) or not."""

    confirmed: bool


Action = (
    OpenAnswer
    | Feedback
    | Details
    | Categories
    | Category
    | SetLanguage
    | ResolveGroup
    | AddPhrasing
    | IgnoreGroup
    | EventsPage
    | AddToCalendar
    | RemindMe
    | CancelReminders
    | WatchDate
    | SetRegion
    | ForgetMe
)


def _join(*parts: str) -> str | None:
    data = "|".join((VERSION, *parts))
    return data if len(data.encode("utf-8")) <= MAX_BYTES else None


def encode(action: Action) -> str | None:
    """The callback data for `action`, or None if it would not fit in 64 bytes."""
    match action:
        case OpenAnswer(entry_id):
            return _join("a", entry_id)
        case Feedback(entry_id, helpful):
            return _join("fb", "1" if helpful else "0", entry_id)
        case Details(entry_id, lang):
            return _join("d", lang, entry_id)
        case Categories(page):
            return _join("cats", str(page))
        case Category(category, page):
            return _join("cat", category, str(page))
        case SetLanguage(lang):
            return _join("lang", lang)
        case ResolveGroup(group_id, entry_id):
            return _join("gr", str(group_id), entry_id)
        case AddPhrasing(group_id, entry_id):
            return _join("ga", str(group_id), entry_id)
        case IgnoreGroup(group_id):
            return _join("gi", str(group_id))
        case EventsPage(page):
            return _join("evp", str(page))
        case AddToCalendar(event_id):
            return _join("ics", event_id)
        case RemindMe(event_id):
            return _join("rem", event_id)
        case CancelReminders(event_id):
            return _join("remx", event_id)
        case WatchDate(event_id):
            return _join("watch", event_id)
        case SetRegion(region):
            return _join("reg", region)
        case ForgetMe(confirmed):
            return _join("forget", "1" if confirmed else "0")
    return None


def _page(text: str) -> int | None:
    if not _DIGITS.fullmatch(text) or len(text) > 4:
        return None
    page = int(text)
    return page if page >= 1 else None


def _group_id(text: str) -> int | None:
    if not _DIGITS.fullmatch(text) or len(text) > 12:
        return None
    return int(text)


def decode(data: object) -> Action | None:
    """Parse callback data; None for anything that is not well-formed current-version data."""
    if not isinstance(data, str) or not data or len(data.encode("utf-8")) > MAX_BYTES:
        return None
    parts = data.split("|")
    if parts[0] != VERSION or len(parts) < 3:
        return None
    kind, args = parts[1], parts[2:]
    match kind, args:
        case "a", [entry_id] if _ID.fullmatch(entry_id):
            return OpenAnswer(entry_id)
        case "fb", [("1" | "0") as flag, entry_id] if _ID.fullmatch(entry_id):
            return Feedback(entry_id, flag == "1")
        case "d", [lang, entry_id] if lang in _LANGS and _ID.fullmatch(entry_id):
            return Details(entry_id, lang)
        case "cats", [page] if _page(page):
            return Categories(int(page))
        case "cat", [category, page] if _ID.fullmatch(category) and _page(page):
            return Category(category, int(page))
        case "lang", [lang] if lang in _LANGS:
            return SetLanguage(lang)
        case "gr", [group, entry_id] if _group_id(group) is not None and _ID.fullmatch(entry_id):
            return ResolveGroup(int(group), entry_id)
        case "ga", [group, entry_id] if _group_id(group) is not None and _ID.fullmatch(entry_id):
            return AddPhrasing(int(group), entry_id)
        case "gi", [group] if _group_id(group) is not None:
            return IgnoreGroup(int(group))
        case "evp", [page] if _page(page):
            return EventsPage(int(page))
        case "ics", [event_id] if _ID.fullmatch(event_id):
            return AddToCalendar(event_id)
        case "rem", [event_id] if _ID.fullmatch(event_id):
            return RemindMe(event_id)
        case "remx", [event_id] if _ID.fullmatch(event_id):
            return CancelReminders(event_id)
        case "watch", [event_id] if _ID.fullmatch(event_id):
            return WatchDate(event_id)
        case "reg", [region] if _ID.fullmatch(region):
            return SetRegion(region)
        case "forget", [("1" | "0") as flag]:
            return ForgetMe(flag == "1")
    return None


A = TypeVar(
    "A",
    OpenAnswer,
    Feedback,
    Details,
    Categories,
    Category,
    SetLanguage,
    ResolveGroup,
    IgnoreGroup,
    EventsPage,
    AddToCalendar,
    RemindMe,
    CancelReminders,
    WatchDate,
    SetRegion,
    AddPhrasing,
    ForgetMe,
)


def decode_as(data: object, kind: type[A]) -> A | None:
    """`data` decoded, if it is an action of `kind`."""
    action = decode(data)
    return action if isinstance(action, kind) else None


def matches(*kinds: type[Action]) -> Callable[[object], bool]:
    """A CallbackQueryHandler pattern: true for callback data that decodes to one of `kinds`."""
    return lambda data: isinstance(decode(data), kinds)
