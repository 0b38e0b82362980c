"""What a citizen sees from the pipeline: answers despite typos and slang, small talk, honest 'none'."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.config import MatchThresholds
from bot.core.knowledge import load_knowledge_or_raise
from bot.core.models import Outcome
from bot.core.normalize import fold, sound_key, stem
from bot.core.pipeline import Pipeline

FIXTURE = Path(__file__).parent / "fixtures" / "mini_kb"
SHIPPED = Path(__file__).resolve().parent.parent / "knowledge"


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline(load_knowledge_or_raise(FIXTURE))


@pytest.fixture(scope="module")
def shipped_pipeline() -> Pipeline:
    return Pipeline(load_knowledge_or_raise(SHIPPED))


def test_fold_removes_case_accents_punctuation_emoji_and_stretching() -> None:
    assert fold("¿Cómo RENUEVO mi DNI??? 😀 holaaaa") == "como renuevo mi dni hola"
    assert fold("  ") == ""


def test_laughter_in_any_spelling_is_one_filler_word(shipped_pipeline: Pipeline) -> None:
    assert {fold(w) for w in ("jajajaja", "JAJAJ", "jsjsjs", "jejeje", "xddd")} == {"jaja"}
    assert fold("juan jose vive en jamaica") == "juan jose vive en jamaica"
    words = shipped_pipeline.explanation("perdi mi dni en la fiesta jajajajaja como saco otro").words
    assert "jaja" not in {w.word for w in words} and "jajajajaja" not in {w.word for w in words}


def test_sound_key_joins_common_spanish_misspellings() -> None:
    assert sound_key("antesedentes") == sound_key("antecedentes")
    assert sound_key("clabe") == sound_key("clave")
    assert sound_key("komo") == sound_key("como")
    assert sound_key("aiuda") == sound_key("ayuda")  # i for y, as chat writes it


def test_short_stems_do_not_merge_unrelated_words() -> None:
    assert stem("soleado") != stem("sol")
    assert stem("citas") == stem("cita")


@pytest.mark.parametrize(
    "question",
    ["como renuevo mi dni", "Cómo RENUEVO mi DNI???", "komo renuebo mi dni", "mi dni esta vencido q hago"],
)
def test_answers_through_typos_accents_and_noise(pipeline: Pipeline, question: str) -> None:
    reply = pipeline.ask(question)
    assert reply.outcome is Outcome.ANSWER
    assert reply.entry_id == "dni-renovacion"


def test_synonyms_from_the_knowledge_base_are_used(pipeline: Pipeline) -> None:
    reply = pipeline.ask("puntos de mi brevete")
    assert reply.entry_id == "mtc-record-conductor"


def test_greeting_around_a_question_still_answers(pipeline: Pipeline) -> None:
    reply = pipeline.ask("hola buenas tardes, perdi mi dni que hago? gracias")
    assert reply.outcome is Outcome.ANSWER and reply.entry_id == "dni-duplicado"


@pytest.mark.parametrize(
    ("message", "intent"),
    [("hola", "greeting"), ("Holaaa buenas tardes!!", "greeting"), ("gracias!", "thanks"), ("chau", "goodbye"),
     ("¿qué puedes hacer?", "help")],
)
def test_small_talk_is_never_matched_to_a_service(pipeline: Pipeline, message: str, intent: str) -> None:
    reply = pipeline.ask(message)
    assert reply.outcome is Outcome.SMALLTALK
    assert reply.intent == intent and reply.entry is None and reply.text


@pytest.mark.parametrize(
    "question",
    ["configurar alarma para las 7 am", "va a estar soleado manana", "recomiendame una pelicula", "que hora es"],
)
def test_out_of_scope_gets_the_fallback_with_human_help(pipeline: Pipeline, question: str) -> None:
    reply = pipeline.ask(question)
    assert reply.outcome is Outcome.NONE
    assert "1800" in reply.text


def test_english_question_answered_from_english_text(pipeline: Pipeline) -> None:
    reply = pipeline.ask("how can I renew my DNI", "en")
    assert reply.entry_id == "dni-renovacion"
    assert reply.entry is not None and reply.entry.title.get(reply.lang) == "Renew your DNI"


def test_english_user_writing_spanish_is_still_answered(pipeline: Pipeline) -> None:
    assert pipeline.ask("me robaron el dni", "en").entry_id == "dni-duplicado"


def test_empty_and_huge_messages_do_not_break(pipeline: Pipeline) -> None:
    assert pipeline.ask("   ").outcome is Outcome.NONE
    assert pipeline.ask("😀😀😀").outcome is Outcome.NONE
    huge = "perdi mi dni " + "bla " * 5000
    reply = pipeline.ask(huge)
    assert reply.outcome in (Outcome.ANSWER, Outcome.SUGGEST, Outcome.NONE)


def test_stricter_thresholds_turn_answers_into_suggestions() -> None:
    strict = Pipeline(load_knowledge_or_raise(FIXTURE), MatchThresholds(answer=0.99, suggest=0.3))
    reply = strict.ask("mi dni ya vencio y quiero renovar por internet")
    assert reply.outcome is Outcome.SUGGEST
    assert reply.candidates[0].id == "dni-renovacion"


def test_reload_keeps_serving_the_old_knowledge_when_the_new_one_is_broken(tmp_path: Path) -> None:
    import shutil

    folder = tmp_path / "kb"
    shutil.copytree(FIXTURE, folder)
    live = Pipeline(load_knowledge_or_raise(folder))
    (folder / "services" / "dni-duplicado.yaml").write_text("id: [broken\n", encoding="utf-8")
    problems = live.reload()
    assert problems and "dni-duplicado.yaml:" in str(problems[0]) and "YAML inválido" in str(problems[0])
    assert live.ask("perdi mi dni").entry_id == "dni-duplicado"


def test_personal_data_neither_steers_matching_nor_reaches_the_normalised_text(pipeline: Pipeline) -> None:
    reply = pipeline.ask("perdi mi dni 45678912, escribanme al 987 654 321")
    assert reply.entry_id == "dni-duplicado"
    assert "45678912" not in reply.normalized and "987" not in reply.normalized


def test_normalised_text_keeps_only_corrected_informative_words(pipeline: Pipeline) -> None:
    # The review log groups questions on this text, so typo variants must come out the same.
    first = pipeline.ask("como saco mi lisencia de pesca?")
    second = pipeline.ask("Licencia de pesca, como la saco")
    assert first.outcome is Outcome.NONE
    assert first.normalized == second.normalized == "licencia pesca"


def test_the_question_language_wins_over_the_setting_when_it_is_clear(pipeline: Pipeline) -> None:
    english = pipeline.ask("how can I renew my DNI")  # default setting: Spanish
    assert english.lang == "en" and english.entry_id == "dni-renovacion"
    spanish = pipeline.ask("como renuevo el dni", "en")
    assert spanish.lang == "es" and spanish.entry_id == "dni-renovacion"
    keyword_only = pipeline.ask("brevete puntos", "en")  # nothing to tell: keep the setting
    assert keyword_only.lang == "en"


@pytest.mark.parametrize("question", ["where can I vote", "where do I vote?"])
def test_a_short_english_question_is_not_small_talk_by_its_sound(shipped_pipeline: Pipeline, question: str) -> None:
    # By sound, "I" was the greeting "hi" and "vote" the word "bot": the question got the greeting.
    reply = shipped_pipeline.ask(question, "en")
    assert reply.outcome is Outcome.ANSWER and reply.entry_id == "onpe-consulta-electoral"


@pytest.mark.parametrize(("message", "intent"), [("grasias", "thanks"), ("<b>hola</b>", "greeting")])
def test_small_talk_survives_typos_and_markup(pipeline: Pipeline, message: str, intent: str) -> None:
    assert pipeline.ask(message).intent == intent


def test_a_spanish_question_is_not_searched_again_among_the_english_phrasings(
    shipped_pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Its function words say it is Spanish: nothing the English index holds can be its answer.
    searched: list[str] = []
    match = shipped_pipeline._match_ranked

    def spy(text: str, lang: str, *args: object, **kwargs: object) -> object:
        searched.append(lang)
        return match(text, lang, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(shipped_pipeline, "_match_ranked", spy)
    assert shipped_pipeline.ask("como preparo un ceviche de pescado para mi familia").outcome is Outcome.NONE
    assert searched == ["es"]
    searched.clear()
    reply = shipped_pipeline.ask("renew driving licence")  # keywords alone: either language may hold them
    assert searched[:2] == ["es", "en"] and reply.outcome is not Outcome.NONE


def test_a_lead_of_a_few_points_over_a_related_entry_is_enough_to_answer() -> None:
    """The margin (0.05) is for real ties; a lost licence ahead of the police report by ~0.06 is answered."""
    pipeline = Pipeline(load_knowledge_or_raise(Path(__file__).resolve().parent.parent / "knowledge"))
    ranked = pipeline.explain("se me perdio el brevete en la playa, como tramito uno nuevo")
    assert 0.05 <= ranked[0].score - ranked[1].score < 0.08
    reply = pipeline.ask("se me perdio el brevete en la playa, como tramito uno nuevo")
    assert reply.outcome is Outcome.ANSWER and reply.entry_id == "licencia-conducir-duplicado"


def test_the_chat_clipping_mi_contra_is_a_password(shipped_pipeline: Pipeline) -> None:
    assert shipped_pipeline.ask("no me acuerdo mi contra de la sunat, como la saco").entry_id == "clave-sol"


def test_a_last_letter_typed_twice_is_read_as_the_word(shipped_pipeline: Pipeline) -> None:
    analyzer = shipped_pipeline._indexes["es"].analyzer
    assert [analyzer.correct(w) for w in ("otroo", "holaa", "sacarr")] == ["otro", "hola", "sacar"]
    assert analyzer.correct("creer") == "creer"  # a real word keeps its double letter
