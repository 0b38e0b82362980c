"""Long messages — a greeting, who is writing, a story, then the question — are answered when one entry
is clearly ahead, and what the story mentions does not change what is asked (issue 9)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core import aspects
from bot.core.analyzer import Analysis, person_names
from bot.core.knowledge import load_knowledge_or_raise
from bot.core.models import Outcome
from bot.core.pipeline import Pipeline

SHIPPED = Path(__file__).resolve().parent.parent / "knowledge"


@pytest.fixture(scope="module")
def shipped() -> Pipeline:
    return Pipeline(load_knowledge_or_raise(SHIPPED))


def test_a_long_story_with_one_entry_far_ahead_is_answered(shipped: Pipeline) -> None:
    reply = shipped.ask(
        "Buen día, me llamo Gladys, soy costurera y tengo 45 años. Hace tiempo que quiero comprar una casita "
        "propia con mi esposo porque vivimos alquilados con nuestros tres hijos en Villa El Salvador. Tenemos "
        "algo ahorrado. ¿El Estado ayuda en algo?"
    )
    assert reply.outcome is Outcome.ANSWER and reply.entry_id == "techo-propio"


def test_districts_the_story_names_do_not_stop_the_answer(shipped: Pipeline) -> None:
    # Paucarpata and Characato are capitalised words the base does not know; they are where the asker
    # lives, told in the story, while the question itself names nothing unknown.
    reply = shipped.ask(
        "Hola, buenas tardes. Mi esposo y yo vivimos en Paucarpata con nuestros tres hijos y compramos un "
        "terrenito hace años en Characato. Una vecina nos contó que a su tía casi le venden la casa con papeles "
        "falsos. ¿Hay algún servicio que nos avise si alguien intenta inscribir algo en nuestra partida? Gracias."
    )
    assert reply.outcome is Outcome.ANSWER and reply.entry_id == "alerta-registral"


def test_a_long_story_about_something_no_entry_has_is_not_answered(shipped: Pipeline) -> None:
    reply = shipped.ask(
        "Hola, soy Juan, tengo 40 años, vivo en Comas con mi familia y trabajo de chofer. ¿Cómo hago para ver "
        "una película en Netflix desde el celular de mi hijo?"
    )
    assert reply.outcome is Outcome.NONE


def test_a_fine_told_in_the_story_is_not_what_the_question_asks() -> None:
    story = (
        "Hola, soy Pedro, tengo 30 años, el año pasado no fui a votar porque estaba enfermo y ahora me sale "
        "una multa en la web. ¿Puedo justificarlo con un certificado médico?"
    )
    assert "penalty" not in aspects.asked(story)
    assert "penalty" in aspects.asked("¿de cuánto es la multa por no votar?")
    # Who the citizen is, told anywhere in the message, still counts.
    assert "foreigner" in aspects.asked(
        "Buenas tardes, soy venezolano y vivo en Lima hace cuatro años con mi esposa y mis hijos. Trabajo en "
        "una bodega. ¿Cómo saco mi licencia de conducir?"
    )


def test_a_verb_after_de_names_no_other_thing(shipped: Pipeline) -> None:
    reply = shipped.ask(
        "Quiero actualizar la dirección de mi DNI porque acabo de separarme, ¿se puede por internet?"
    )
    assert reply.outcome is Outcome.ANSWER and reply.entry_id == "dni-renovacion"


def test_names_the_writer_introduces_are_about_the_writer() -> None:
    assert person_names("Buenas, le escribe Gloria, y mi nombre es Luis Fernández") >= {"gloria", "luis", "fernandez"}
    assert person_names("Me presento: Andrés, de Chiclayo") >= {"andres"}
    assert "netflix" not in person_names("quiero ver Netflix")


def test_asking_for_any_place_or_way_is_not_asking_whether_a_thing_exists() -> None:
    assert aspects.thing_asked("¿hay algún lugar donde pueda hacer todos mis trámites juntos?") is None
    assert aspects.thing_asked("¿hay alguna página para descargar datos del Estado?") is None
    assert aspects.thing_asked("¿hay algún curso para que me borren puntos?") == "curso"


def test_a_pain_told_by_someone_with_no_insurance_is_not_an_essalud_appointment(shipped: Pipeline) -> None:
    reply = shipped.ask(
        "no tengo ningún seguro de salud y hace semanas me duele la muela, ¿hay algún seguro que no me cueste?"
    )
    assert reply.entry_id != "essalud-citas"
    assert "sis-afiliacion" in {e.id for e in reply.candidates}


def test_a_question_opened_after_a_comma_is_the_asking_part() -> None:
    from bot.core.asking import asking_pieces

    text = "Una empresa de seguros me llama todos los días con mis datos que nunca di, ¿ante quién me quejo?"
    assert asking_pieces(text) == ["¿ante quién me quejo?"]
    assert asking_pieces(text, after_comma=False) == [text]


def test_an_asking_verb_in_the_first_person_opens_the_question_without_a_question_mark(shipped: Pipeline) -> None:
    from bot.core.asking import asking_pieces

    # What the story says ("no me aparece en el padrón": a record to correct) is not what is asked.
    text = "mi tia fue al centro de salud y le dijeron q no aparece en el padron, como veo si esta asegurada al sis"
    assert asking_pieces(text) == ["como veo si esta asegurada al sis"]
    assert asking_pieces("me robaron la cartera en el paradero, q saco primero") == ["q saco primero"]
    reply = shipped.ask(text)
    assert reply.outcome is Outcome.ANSWER and reply.entry_id == "sis-consulta"


def test_a_long_story_met_by_one_short_phrasing_and_little_else_is_offered_not_answered(shipped: Pipeline) -> None:
    from bot.core.matcher import Candidate

    # "...su documento quedó hecho papilla... el suyo vence recién en el 2029, ¿puede pedir otro?": the renewal
    # entry's "dni vencido" is met whole, but a quarter of what the message says is all it covers.
    renewal = shipped.kb.entries["dni-renovacion"]
    thin = Candidate(renewal, score=0.44, coverage=0.26, fit=1.0, phrase=0.0, specificity=0.75, evidence=2.0)
    assert shipped.held_back(thin, runner_up=0.37, long_message=True, spanish=True) is not None
    covered = Candidate(renewal, score=0.44, coverage=0.45, fit=1.0, phrase=0.0, specificity=0.75, evidence=2.0)
    assert shipped.held_back(covered, runner_up=0.37, long_message=True, spanish=True) is None


def test_an_asking_part_pointing_back_at_the_story_keeps_the_story_whole(shipped: Pipeline) -> None:
    analyzer = shipped._indexes["es"].analyzer
    story = "Mi tio tiene 80 anos, vive solo en la sierra y nunca aporto a ninguna jubilacion. "
    pointing = analyzer.analyze(story + "¿Que apoyo economico del Estado hay para alguien como el?")
    apart = analyzer.analyze(story + "¿Que apoyo economico del Estado hay para los jovenes?")

    def weight(analysis: Analysis, word: str) -> float:
        return analysis.info(analysis.words.index(word))

    # "alguien como él" is the story's man: his pension is what is asked, not a quarter of it.
    assert weight(pointing, "jubilacion") == pytest.approx(4 * weight(apart, "jubilacion"))


def test_a_long_story_whose_question_holds_a_phrasing_whole_is_answered(shipped: Pipeline) -> None:
    reply = shipped.ask(
        "Buenas tardes, soy Lucía de Chiclayo. Mi hijo de 8 años va a viajar con su tío a Chile en febrero para "
        "visitar a su papá. ¿Por cuántos años le dan el pasaporte a un niño de esa edad?"
    )
    assert reply.outcome is Outcome.ANSWER and reply.entry_id == "pasaporte"


def test_a_relative_donde_tells_the_story_and_an_opening_one_asks() -> None:
    from bot.core.asking import asking_pieces

    # "la universidad donde estudio" says which university; nothing here is asked with a question word.
    assert asking_pieces("quiero mandar una carta a la mesa de partes de la universidad privada donde estudio") == []
    assert asking_pieces("mi mamá vive en Puno, dónde queda el MAC, gracias") == ["donde queda el mac gracias"]
    assert asking_pieces("vengo de lejos y quiero saber dónde saco mi DNI") == ["saber donde saco mi dni"]
