"""The channel-neutral views (bot/core/render.py): what a citizen sees first, in which language, once."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from bot.core.knowledge import KnowledgeBase, load_knowledge
from bot.core.models import Outcome, Reply, Text, TextList
from bot.core.render import (
    SPANISH_DETAILS_NOTICE,
    SPANISH_ONLY_NOTICE,
    AnswerView,
    MessageView,
    SuggestionView,
    answer_view,
    catalogue,
    reply_view,
)
from tests.helpers import TELEGRAM_KB


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    loaded, _ = load_knowledge(TELEGRAM_KB)
    assert loaded is not None
    return loaded


def lines_of(view: AnswerView) -> list[str]:
    texts = [view.notice, view.title, view.summary, *(f.text for f in view.facts), view.reviewed, view.details_notice]
    texts += [item.text for section in view.details for item in section.items]
    return [text for text in texts if text]


def test_the_essentials_hold_cost_where_link_and_review_date(kb: KnowledgeBase) -> None:
    view = answer_view(kb.entries["dni-renovacion"], "es")
    assert [(f.key, f.label, f.text) for f in view.facts] == [
        ("cost", "Costo", "S/ 41 (código 00525)"),
        ("where", "Dónde", "En línea · App"),
        ("url", "Enlace oficial", "https://www.gob.pe/dni?a=1&b=2"),
    ]
    assert view.reviewed == "Información revisada el 1 jun 2026"
    assert [s.title for s in view.details] == ["Pasos", "Requisitos", "Canales de atención"]


def test_a_complete_english_entry_is_drawn_wholly_in_english(kb: KnowledgeBase) -> None:
    view = answer_view(kb.entries["dni-renovacion"], "en")
    assert view.lang == "en" and view.notice == ""
    assert view.title == "Renew your electronic DNI"
    assert view.reviewed == "Information checked on 1 Jun 2026"
    assert [s.title for s in view.details] == ["Steps", "Requirements", "Where to get it"]
    assert view.details[1].items[0].text == "An electronic DNI."


def test_an_entry_whose_essentials_lack_english_is_spanish_and_says_so_once(kb: KnowledgeBase) -> None:
    entry = kb.entries["pagalo-pe"]  # English title and answer, but the cost is Spanish only
    assert entry.title.en and entry.cost is not None and not entry.cost.en
    view = answer_view(entry, "en")
    assert view.lang == view.details_lang == "es" and view.notice == SPANISH_ONLY_NOTICE
    assert view.title == entry.title.es and view.summary == entry.summary.es
    assert "Información revisada el" in view.reviewed and {s.title for s in view.details} <= {
        "Pasos", "Requisitos", "Canales de atención"}
    assert [line for line in lines_of(view) if "Spanish" in line] == [SPANISH_ONLY_NOTICE]
    assert answer_view(entry, "es").notice == ""


def test_english_essentials_with_spanish_only_steps_say_so_once_above_them(kb: KnowledgeBase) -> None:
    entry = kb.entries["pagalo-pe"]
    assert entry.cost is not None
    translated = replace(entry, cost=Text(entry.cost.es, "No extra cost"))
    view = answer_view(translated, "en")
    assert (view.lang, view.details_lang) == ("en", "es")
    assert view.notice == "" and view.details_notice == SPANISH_DETAILS_NOTICE
    assert view.summary == entry.summary.en and view.facts[0].label == "Cost"
    assert view.details[0].title == "Pasos" and view.details[0].items[0].text == entry.steps.es[0]


def test_a_cost_the_answer_already_states_is_not_repeated(kb: KnowledgeBase) -> None:
    entry = kb.entries["dni-renovacion"]
    said = replace(entry, summary=Text("Cuesta S/ 41 (código 00525) y se hace en línea."))
    assert "cost" not in [f.key for f in answer_view(said, "es").facts]
    assert "cost" in [f.key for f in answer_view(entry, "es").facts]


def test_no_line_appears_twice_in_one_answer(kb: KnowledgeBase) -> None:
    entry = kb.entries["dni-renovacion"]
    echo = replace(
        entry,
        steps=TextList(es=(*entry.steps.es, entry.summary.es, "Tener DNI electrónico.")),
        requirements=TextList(es=("Tener DNI electrónico.", "tener dni electronico")),
    )
    lines = lines_of(answer_view(echo, "es"))
    assert lines.count(entry.summary.es) == 1
    assert sum(line.lower().startswith("tener dni") for line in lines) == 1


def test_a_suggestion_is_introduced_by_the_pipelines_text_whatever_it_says(kb: KnowledgeBase) -> None:
    candidates = (kb.entries["dni-renovacion"], kb.entries["dni-duplicado"])
    intro = "Eso exacto no lo tengo; quizá te sirve:"
    view = reply_view(Reply(Outcome.SUGGEST, "es", "dni", candidates=candidates, text=intro))
    assert isinstance(view, SuggestionView) and view.intro == intro
    assert [o.entry_id for o in view.options] == ["dni-renovacion", "dni-duplicado"]


def test_the_fallback_offers_the_catalogue_and_small_talk_does_not() -> None:
    fallback = reply_view(Reply(Outcome.NONE, "es", "x", text="No lo sé; llama al 1800."))
    hello = reply_view(Reply(Outcome.SMALLTALK, "es", "hola", intent="greeting", text="¡Hola!"))
    assert fallback == MessageView("No lo sé; llama al 1800.", offer_browse=True)
    assert hello == MessageView("¡Hola!", offer_browse=False)


def test_the_catalogue_sorts_titles_ignoring_accents_and_case(kb: KnowledgeBase) -> None:
    entry = kb.entries["pasaporte"]
    extra = replace(entry, id="acta", title=Text("Ácta de nacimiento"), reviewed=date(2026, 1, 1))
    kb.entries["acta"] = extra
    try:
        identity = next(c for c in catalogue(kb, "es") if c.category_id == "identidad")
        assert identity.services[0].title == "Ácta de nacimiento"
    finally:
        del kb.entries["acta"]
