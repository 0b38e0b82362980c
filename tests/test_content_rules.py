"""Rules every shipped entry must keep, so that an answer is read in seconds (issue 8).

For each entry of `knowledge/`: the first Telegram message (the essentials) stays within about 500
characters, no line of the whole answer appears twice, every source is a specific page rather than
a bare home page, an English answer shows no Spanish label except under the one line that says the
details are only in Spanish, and an entry whose translation was started is translated completely.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bot.channels.telegram.answers import first_message
from bot.channels.telegram.formatting import answer_html, visible_length
from bot.core.knowledge import load_knowledge
from bot.core.models import Entry
from bot.core.render import LABELS, SPANISH_DETAILS_NOTICE, answer_view, details_lang, essentials_lang

ROOT = Path(__file__).resolve().parent.parent
ESSENTIALS_LIMIT = 500
KB, _ = load_knowledge(ROOT / "knowledge")
ENTRIES = sorted(KB.entries.values(), key=lambda e: e.id) if KB is not None else []
ENGLISH = [e for e in ENTRIES if essentials_lang(e, "en") == "en"]  # the others are Spanish, and say so
TRANSLATED = [e for e in ENTRIES if e.steps.en or e.requirements.en]  # translation started past the essentials
# Labels that exist only in Spanish (those the two languages share, like "App", are not evidence).
SPANISH_LABELS = sorted({es for key, es in LABELS["es"].items() if es != LABELS["en"][key]}, key=len, reverse=True)


def ids(entry: Entry) -> str:
    return entry.id


def test_the_shipped_knowledge_base_loads() -> None:
    assert KB is not None and ENTRIES


@pytest.mark.parametrize("entry", ENTRIES, ids=ids)
@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_essentials_message_is_read_in_seconds(entry: Entry, lang: str) -> None:
    text = first_message(answer_view(entry, lang), lang)
    assert visible_length(text) <= ESSENTIALS_LIMIT, f"{entry.id}: {visible_length(text)} characters"


@pytest.mark.parametrize("entry", ENTRIES, ids=ids)
@pytest.mark.parametrize("lang", ["es", "en"])
def test_no_line_is_repeated_in_one_answer(entry: Entry, lang: str) -> None:
    lines = [line for line in answer_html(answer_view(entry, lang), with_details=True).split("\n") if line]
    repeated = sorted({line for line in lines if lines.count(line) > 1})
    assert not repeated, f"{entry.id}: {repeated}"


def is_home_page(url: str) -> bool:
    """An institution's front door (https://www.gob.pe, https://www.sat.gob.pe/, https://onpe.gob.pe):
    it backs nothing in particular. A service's own host (https://consultaelectoral.onpe.gob.pe) is
    the page of that one service, so it is specific even without a path."""
    parts = urlsplit(url)
    if parts.path.strip("/") or parts.query:
        return False
    labels = (parts.hostname or "").removeprefix("www.").split(".")
    institution_levels = 3 if labels[-2:-1] in (["gob"], ["com"], ["org"], ["edu"]) else 2
    return len(labels) <= institution_levels


def test_home_pages_are_told_from_service_pages() -> None:
    assert is_home_page("https://www.gob.pe") and is_home_page("https://www.sat.gob.pe/")
    assert is_home_page("https://onpe.gob.pe") and is_home_page("https://www.policia.gob.pe")
    assert not is_home_page("https://consultaelectoral.onpe.gob.pe")
    assert not is_home_page("https://www.gob.pe/250-renovar-dni")


@pytest.mark.parametrize("entry", ENTRIES, ids=ids)
def test_every_source_is_a_specific_page(entry: Entry) -> None:
    bare = [url for url in entry.sources if is_home_page(url)]
    assert not bare, f"{entry.id}: home pages are not sources: {bare}"


@pytest.mark.parametrize("entry", ENGLISH, ids=ids)
def test_an_english_answer_has_no_spanish_labels(entry: Entry) -> None:
    english = answer_html(answer_view(entry, "en"), with_details=True).partition(SPANISH_DETAILS_NOTICE)[0]
    # Where labels are drawn (headings, fact labels, the review line, channel kinds), not inside
    # entry text, which may quote a Spanish service name such as "¿Dónde me atiendo?".
    places = ("<b>{}", "<i>{}", "• {}:", "· {}", "</b> {} ")
    found = [label for label in SPANISH_LABELS if any(p.format(label) in english for p in places)]
    assert not found, f"{entry.id}: Spanish labels in the English answer: {found}"


@pytest.mark.parametrize("entry", TRANSLATED, ids=ids)
def test_an_entry_with_english_steps_is_wholly_english(entry: Entry) -> None:
    assert details_lang(entry, "en") == "en", f"{entry.id}: some text has no English, so it falls back to Spanish"
