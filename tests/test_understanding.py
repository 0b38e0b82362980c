"""How the matcher reads what citizens really write: context, slang, acronyms, entry texts, and what
an entry does not say (issue 9)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.core.analyzer import Analyzer
from bot.core.explain import format_explanation
from bot.core.knowledge import load_knowledge, load_knowledge_or_raise
from bot.core.lexicon import information
from bot.core.models import Outcome
from bot.core.normalize import stem
from bot.core.pipeline import Pipeline

FIXTURE = Path(__file__).parent / "fixtures" / "mini_kb"
SHIPPED = Path(__file__).resolve().parent.parent / "knowledge"


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline(load_knowledge_or_raise(FIXTURE))


@pytest.fixture(scope="module")
def shipped() -> Pipeline:
    return Pipeline(load_knowledge_or_raise(SHIPPED))


def edited_kb(tmp_path: Path, entry: str, extra: str) -> Path:
    folder = tmp_path / "kb"
    shutil.copytree(FIXTURE, folder)
    path = folder / "services" / f"{entry}.yaml"
    path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return folder


def test_family_places_and_ages_do_not_drown_the_question(pipeline: Pipeline) -> None:
    reply = pipeline.ask("buenas tardes, mi hermana vive en Cusco, tiene 42 años y perdió su dni, qué tiene que hacer")
    assert reply.outcome is Outcome.ANSWER and reply.entry_id == "dni-duplicado"


def test_a_rare_unknown_word_still_weighs_more_than_a_context_word() -> None:
    assert information("yape", "es") == 1.0
    assert information("hermana", "es") < 0.2 and information("necesito", "es") < information("perro", "es")
    assert information("cordiales", "es") < 0.2  # "saludos cordiales desde Puno": a letter's greeting
    # The register of official FAQ pages: "¿qué dispositivo legal regula...?", "¿qué órgano ejerce...?"
    assert max(information(w, "es") for w in ("dispositivo", "regula", "ejerce", "materias", "requiero")) < 0.2


def test_a_common_word_spelled_by_ear_weighs_like_that_word_not_like_a_rare_one() -> None:
    # "otroo", "aiuda", "kiero", "ablar" are in no word list, but they are "otro", "ayuda", "quiero", "hablar".
    for spelled, word in (("otroo", "otro"), ("aiuda", "ayuda"), ("kiero", "quiero"), ("ablar", "hablar")):
        assert information(spelled, "es") == information(word, "es") < 0.6
    assert information("emoliente", "es") == 1.0  # a rare real thing keeps its weight


def test_diminutives_and_plurals_of_family_words_are_context_too(shipped: Pipeline) -> None:
    assert max(information(w, "es") for w in ("hermanita", "abuelitos", "mamita", "papito", "pasada")) < 0.2
    assert information("gatito", "es") == 1.0  # another thing's diminutive is no family word
    reply = shipped.ask("tengo miedo de que alguien falsifique papeles para vender la casa de mis papas sin enterarnos")
    assert reply.outcome is Outcome.ANSWER and reply.entry_id == "alerta-registral"


def test_real_words_are_not_bent_into_knowledge_base_words() -> None:
    analyzer = Analyzer("es")
    for text in ("pero", "puntos", "porque", "transparencia", "foto", "licencia"):
        analyzer.learn(text)
    analyzer.freeze()
    assert [analyzer.correct(w) for w in ("perro", "juntos", "parque", "transferencia")] == [
        "perro", "juntos", "parque", "transferencia"
    ]
    assert analyzer.correct("lisencia") == "licencia"


def test_glued_words_are_split_against_the_vocabulary() -> None:
    analyzer = Analyzer("es")
    analyzer.learn("renovar dni")
    analyzer.freeze()
    assert analyzer.analyze("renovardni").stems == (stem("renovar"), "dni")


def test_verb_forms_with_pronouns_meet_the_infinitive() -> None:
    assert stem("sacarlos") == stem("sacar") == stem("saca")
    assert stem("costaria") == stem("costar")
    assert stem("pague") == stem("pagar") and stem("falsifique") == stem("falsificar")


@pytest.mark.parametrize("message", ["q puedes hacer", "k hace este bot", "ke sabes hacer"])
def test_chat_spelling_reaches_the_help_intent(shipped: Pipeline, message: str) -> None:
    reply = shipped.ask(message)
    assert reply.outcome is Outcome.SMALLTALK and reply.intent == "help"


def test_slang_question_is_answered(pipeline: Pipeline) -> None:
    assert pipeline.ask("kiero renovar mi dni xq ta vencido, q hago").entry_id == "dni-renovacion"


def test_chat_abbreviations_for_family_and_school_are_read(shipped: Pipeline) -> None:
    # "bb" is a baby, not an unknown thing completing "el dni de mi ...".
    reply = shipped.ask("kiero sakar el dni d mi bb q acaba d nacer")
    assert reply.outcome is Outcome.ANSWER and reply.entry_id == "dni-menores"


def test_chat_shorthand_for_reassurance_and_never_is_not_a_rare_word(shipped: Pipeline) -> None:
    # "ntp" (no te preocupes) and "nunk" (nunca) would otherwise weigh like the name of another product.
    reply = shipped.ask("ntp si no sabes, como veo si tengo sis")
    assert reply.outcome is Outcome.ANSWER and reply.entry_id == "sis-consulta"
    words = shipped._indexes["es"].analyzer.analyze("nunk me dijeron si toy en afp weno").words
    assert not {"ntp", "nunk", "weno"} & set(words)


def test_where_a_loss_happened_is_the_story_not_the_thing_asked(shipped: Pipeline) -> None:
    from bot.core.analyzer import _circumstances
    from bot.core.normalize import words

    assert _circumstances(words("perdi mi dni en la fiesta patronal q hago")) == {"fiesta", "patronal"}
    assert _circumstances(words("quiero sacar mi dni en la agencia")) == frozenset()  # no loss told
    # "el estadio" is where the licence fell, not a police matter the report entry's situations hold.
    reply = shipped.ask("se me cayo la licencia de conducir en el estadio y no la encuentro, como consigo otra")
    assert reply.entry_id != "denuncia-policial-digital"
    assert reply.candidates[0].id == "licencia-conducir-duplicado"


def test_a_rare_diminutive_weighs_as_its_word_a_common_lookalike_does_not() -> None:
    # "vive solita" is "sola"; "papelito" is "papel" (a root ending in a consonant); "ámbitos" is no "ambos".
    assert information("solita", "es") == information("sola", "es") < 0.6
    assert information("papelito", "es") == information("papel", "es") < 0.6
    assert information("ambitos", "es") > information("ambos", "es")


def test_interjections_and_a_clipped_page_are_chat_not_content(shipped: Pipeline) -> None:
    # "pucha" is a sigh, "pag" a page, "pongan" a form of poner: none names another topic.
    assert information("pucha", "es") < 0.2
    analysis = shipped._indexes["es"].analyzer.analyze("pucha la pag donde pongan los tramites")
    assert "pagina" in analysis.words and "pongan" not in analysis.words


def test_a_venezuelan_vocative_and_chat_forms_of_work_and_have_are_not_other_topics(shipped: Pipeline) -> None:
    # "chamo" calls the reader, like "causa"; "chambeando" is working; "tngo" is "tengo".
    assert information("chamo", "es") < 0.2
    words = shipped._indexes["es"].analyzer.analyze("chamo tngo 2 anos chambeando en una tienda").words
    assert "tngo" not in words and "chambeando" not in words


def test_function_words_and_greetings_spelled_by_ear_weigh_nothing(shipped: Pipeline) -> None:
    # "kon" is "con", an opening "ola" is "hola": neither is a rare word naming another topic.
    analysis = shipped._indexes["es"].analyzer.analyze("ola kiero ver kon mi dni si tengo multa por no votar")
    assert "kon" not in analysis.words and "ola" not in analysis.words
    assert "ola" in shipped._indexes["es"].analyzer.analyze("una ola grande se llevo mi dni").words


def test_an_answer_word_finds_its_entry() -> None:
    # "biofacial" is only in the steps: it still counts, as a weaker field, towards renewal.
    kb = load_knowledge_or_raise(FIXTURE)
    index = Pipeline(kb)._indexes["es"]
    assert index.field_of("dni-renovacion", "biofacial") == "body"
    assert index.field_of("dni-renovacion", stem("renovar")) == "main"


def test_situations_are_matched_like_questions(tmp_path: Path) -> None:
    before = Pipeline(load_knowledge_or_raise(FIXTURE)).ask("me asaltaron en el micro y se llevaron la billetera")
    assert before.outcome is not Outcome.ANSWER
    folder = edited_kb(tmp_path, "dni-duplicado", "situations: [me asaltaron y se llevaron mi billetera]\n")
    reply = Pipeline(load_knowledge_or_raise(folder)).ask("me asaltaron en el micro y se llevaron la billetera")
    assert reply.outcome is Outcome.ANSWER and reply.entry_id == "dni-duplicado"


def test_a_word_only_situations_use_is_the_askers_story_not_a_name_staff_chose(tmp_path: Path) -> None:
    # "mercado" stands in a situation only: it weighs by its general information (a common word, about
    # half), while "robo", a keyword staff chose, keeps at least a third of its rarity across entries.
    folder = edited_kb(tmp_path, "dni-duplicado", "situations: [en el mercado me robaron la billetera]\n")
    index = Pipeline(load_knowledge_or_raise(folder))._indexes["es"]
    weights = index.word_weights(index.analysis("robo cerca del mercado"))
    assert weights[stem("mercado")] == pytest.approx(index.weights[stem("mercado")] * information("mercado", "es"))
    assert weights[stem("robo")] >= index.weights[stem("robo")] / 3


def test_a_point_the_entry_does_not_say_is_offered_honestly_not_answered(pipeline: Pipeline) -> None:
    reply = pipeline.ask("a que hora atienden para renovar el dni")
    assert reply.outcome is Outcome.SUGGEST and reply.uncovered and reply.aspect == "hours"
    assert reply.candidates[0].id == "dni-renovacion"
    covered = pipeline.ask("cuanto cuesta renovar el dni")  # the entry gives the fee
    assert covered.outcome is Outcome.ANSWER and covered.aspect == "cost" and not covered.uncovered


def test_not_covered_message_is_used_when_the_base_has_one(shipped: Pipeline) -> None:
    reply = shipped.ask("¿Cuánto cuesta exactamente un certificado literal en SUNARP?")
    assert reply.outcome is Outcome.SUGGEST and reply.uncovered and reply.aspect == "cost"
    assert reply.candidates[0].id == "sunarp-sprl"
    assert reply.text == shipped.kb.message("not_covered", "es") != shipped.kb.message("suggest_intro", "es")


def test_staff_can_declare_what_an_entry_does_not_cover(tmp_path: Path) -> None:
    folder = edited_kb(tmp_path, "dni-renovacion", "not_covered: [cost]\n")
    reply = Pipeline(load_knowledge_or_raise(folder)).ask("cuanto cuesta renovar el dni")
    assert reply.outcome is Outcome.SUGGEST and reply.uncovered and reply.aspect == "cost"


def test_an_unknown_aspect_is_a_validation_error_with_its_line(tmp_path: Path) -> None:
    folder = edited_kb(tmp_path, "dni-renovacion", "not_covered: [horas]\n")
    kb, problems = load_knowledge(folder)
    assert kb is None
    messages = [p.render("en") for p in problems]
    assert any("dni-renovacion.yaml:" in m and "unknown aspect 'horas'" in m for m in messages)


def test_acronyms_match_on_their_written_form_or_their_context(shipped: Pipeline) -> None:
    assert shipped.ask("olvidé mi clave SOL").entry_id == "clave-sol"
    assert shipped.ask("olvide mi clave sol").entry_id == "clave-sol"
    weather = shipped.ask("va a salir el sol mañana")
    assert weather.outcome is not Outcome.ANSWER and "clave-sol" not in {e.id for e in weather.candidates}
    assert "pide" not in {e.id for e in shipped.ask("me piden el dni").candidates}
    assert shipped.ask("qué es la PIDE").entry_id == "pide"


def test_a_word_after_an_object_pronoun_is_the_verb_not_the_acronym(shipped: Pipeline) -> None:
    # "pide" stands next to "municipalidad" in the PIDE entry too, but "me pide" is the verb.
    reply = shipped.ask("que papeles me pide la muni para abrir mi bodega")
    assert reply.entry_id == "licencia-funcionamiento" and "pide" not in {e.id for e in reply.candidates}
    assert shipped.ask("como se conecta mi municipalidad a la pide").entry_id == "pide"


def test_explain_shows_weights_aspect_coverage_and_gates(shipped: Pipeline) -> None:
    text = format_explanation(shipped.explanation("¿Cuánto cuesta exactamente un certificado literal en SUNARP?"))
    assert "aspect asked: cost" in text
    assert "sunarp-sprl" in text and "does not say: cost" in text and "held back: aspect not covered" in text
    assert "certificado=" in text and "held back: score" in text  # each word's weight; each candidate's gate
    assert "netflix*=" in format_explanation(shipped.explanation("cuanto cuesta netflix"))  # * marks unknown words


def test_a_place_the_entry_does_not_serve_is_not_answered_as_if_it_did(shipped: Pipeline) -> None:
    lima = shipped.ask("tengo una papeleta de transito, donde la pago en Lima")
    elsewhere = shipped.ask("tengo una papeleta de transito que me pusieron en Trujillo, donde la pago")
    assert lima.outcome is Outcome.ANSWER and lima.entry_id == "sat-papeletas"
    assert elsewhere.outcome is Outcome.SUGGEST and elsewhere.uncovered and elsewhere.aspect == "place"
    assert elsewhere.candidates[0].id == "sat-papeletas"


def test_diminutives_meet_their_word() -> None:
    analyzer = Analyzer("es")
    analyzer.learn("bodega papel")
    analyzer.freeze()
    assert [analyzer.correct(w) for w in ("bodeguita", "papelito")] == ["bodega", "papel"]


def test_how_to_join_is_not_answered_by_a_look_up_entry(shipped: Pipeline) -> None:
    from bot.core import aspects

    assert not aspects.covers(shipped.kb.entries["sis-consulta"], "join")
    assert aspects.covers(shipped.kb.entries["sis-afiliacion"], "join")
    assert shipped.ask("¿cómo me afilio al SIS?").entry_id == "sis-afiliacion"
    assert shipped.ask("¿dónde verifico si estoy afiliado al SIS?").entry_id == "sis-consulta"


def test_a_cost_field_pricing_several_cases_answers_only_the_case_it_prices(shipped: Pipeline) -> None:
    from bot.core import aspects

    card = shipped.kb.entries["carne-extranjeria"]  # "Duplicado: S/ 20.20 (código ...). Renovación: monto vigente..."
    assert aspects.covers(card, "cost", "cuanto cuesta el duplicado del carne de extranjeria")
    assert not aspects.covers(card, "cost", "cuanto cuesta renovar el carne de extranjeria")
    assert not aspects.covers(card, "payment-code", "cual es el codigo de pago para renovar el carne")
    reply = shipped.ask("¿Cuál es el código de pago para renovar el carné de extranjería?")
    assert reply.outcome is Outcome.SUGGEST and reply.uncovered and reply.aspect == "payment-code"


def test_asking_whether_something_is_charged_asks_its_cost(shipped: Pipeline) -> None:
    from bot.core import aspects

    assert aspects.asked("y si nos van a cobrar por el dni") == ["cost"]
    assert aspects.asked("es gratis sacar el dni de mi hijo") == ["cost"]
    assert "cost" not in aspects.asked("me atrase con el predial, me van a cobrar mas?")


def test_a_minimum_grade_is_not_answered_by_an_entry_that_gives_none(shipped: Pipeline) -> None:
    reply = shipped.ask("¿qué nota mínima piden para ganar la beca 18?")
    assert reply.outcome is Outcome.SUGGEST and reply.uncovered and reply.aspect == "grade"


def test_an_english_question_finds_an_entry_written_only_in_spanish(shipped: Pipeline) -> None:
    for spanish_only in ("conadis-discapacidad", "cnsd-incidentes"):  # no English phrasing to match directly
        assert not shipped.kb.entries[spanish_only].questions.en
    reply = shipped.ask("how do I register my disability with conadis", "en")
    assert reply.outcome is Outcome.ANSWER and reply.entry_id == "conadis-discapacidad" and reply.lang == "en"
    phishing = shipped.ask("how do I report a phishing email to the national digital security center", "en")
    assert phishing.entry_id == "cnsd-incidentes" and phishing.lang == "en"


def test_english_words_the_glossary_lacks_still_count_against_a_match(shipped: Pipeline) -> None:
    for question in ("how do I pay my electricity bill online", "how much does a spotify subscription cost"):
        assert shipped.ask(question, "en").outcome is not Outcome.ANSWER


def test_the_glossary_is_validated_like_the_synonyms(tmp_path: Path) -> None:
    folder = tmp_path / "kb"
    shutil.copytree(FIXTURE, folder)
    (folder / "glosario-en.yaml").write_text(
        "- term: dni\n  same_as: [id card]\n- term: pasaporte\n  same_as: [id card]\n  lang: en\n", encoding="utf-8"
    )
    kb, problems = load_knowledge(folder)
    messages = [p.render("en") for p in problems]
    assert kb is None
    assert any("glosario-en.yaml:4" in m and "already a synonym on line 1" in m for m in messages)
    assert any("glosario-en.yaml:5" in m and "unknown field 'lang'" in m for m in messages)


def test_a_whole_phrasing_far_ahead_is_answered_despite_the_askers_story(shipped: Pipeline) -> None:
    question = (
        "ayer fui con mi suegra a la muni de mi distrito en pleno verano, nos tuvieron esperando horas en la cola "
        "bajo el sol y nadie nos atendio, donde pongo mi queja formal"
    )
    best = shipped.explain(question)[0]
    assert best.entry.id == "libro-reclamaciones" and best.coverage < shipped.thresholds.min_coverage
    assert shipped.ask(question).entry_id == "libro-reclamaciones"


def test_a_capitalised_name_the_base_does_not_know_keeps_a_low_coverage_match_a_suggestion(shipped: Pipeline) -> None:
    own = shipped.ask("como subo mi CV a la bolsa de trabajo del estado")
    other = shipped.ask("como subo mi CV a la bolsa de trabajo de Computrabajo")
    assert own.outcome is Outcome.ANSWER and own.entry_id == "empleos-peru"
    assert other.outcome is Outcome.SUGGEST and other.candidates[0].id == "empleos-peru"


@pytest.mark.parametrize("question", ["1", "el 2", "a1", "3 b"])
def test_short_numbers_and_single_letters_alone_are_never_answered(shipped: Pipeline, question: str) -> None:
    # "A1", a licence category in an entry's keywords, folds to "a 1": a bare "1" must not find it.
    reply = shipped.ask(question)
    assert reply.outcome is Outcome.NONE and reply.entry is None and not reply.candidates


def test_a_licence_category_next_to_a_real_word_still_finds_its_entry(shipped: Pipeline) -> None:
    assert shipped.ask("brevete a1 por primera vez").entry_id == "licencia-conducir-nueva"


def test_explain_names_the_numbers_only_gate(shipped: Pipeline) -> None:
    assert "held back: numbers only" in format_explanation(shipped.explanation("1"))


@pytest.mark.parametrize(
    "question", ["cuánto cuesta la partida de dominó del club", "quiero renovar la licencia de mi videojuego"]
)
def test_a_service_word_completed_by_an_unknown_thing_offers_no_service(shipped: Pipeline, question: str) -> None:
    # "partida", "licencia" are service words; "de dominó", "de mi videojuego" say which other one is meant.
    reply = shipped.ask(question)
    assert reply.outcome is Outcome.NONE and not reply.candidates
    assert "held back: names another thing" in format_explanation(shipped.explanation(question))


def test_an_everyday_noun_completed_by_an_unknown_thing_offers_the_service_but_never_answers(
    shipped: Pipeline,
) -> None:
    # "tienda" is no service's noun: "de zapatillas" may be what is asked about, so the entry is only offered.
    question = "quiero borrar mis datos personales de la tienda de zapatillas"
    reply = shipped.ask(question)
    assert reply.outcome is Outcome.SUGGEST and reply.candidates[0].id == "datos-personales"
    assert "held back: names another thing beside it" in format_explanation(shipped.explanation(question))


def test_a_noun_phrase_acting_on_the_asker_is_the_story_not_the_thing_asked(shipped: Pipeline) -> None:
    # "una tienda de muebles *me* llama": who calls the citizen, not another thing they ask about.
    question = "una tienda de muebles me llama todos los dias ofreciendo prestamos, nunca les di mis datos"
    assert shipped.ask(question).entry_id == "datos-personales"
    assert "names another thing" not in format_explanation(shipped.explanation(question))


def test_the_askers_own_business_described_by_a_real_word_is_who_asks(shipped: Pipeline) -> None:
    # "mi negocio de tortas" tells what the asker sells; "mi app de glovo" names another product (no real word).
    assert shipped.ask("tengo que sacar ruc para mi negocio de tortas, cobran?").entry_id == "ruc-inscripcion"
    assert shipped.ask("quiero cambiar mi direccion en mi app de glovo").outcome is Outcome.SUGGEST


def test_a_place_or_a_person_after_de_keeps_the_service(shipped: Pipeline) -> None:
    assert shipped.ask("licencia de funcionamiento de Surco").entry_id == "licencia-funcionamiento"
    assert shipped.ask("necesito la partida de nacimiento de mi hijo").entry_id == "actas-certificadas"


def test_a_verbs_de_says_from_where_not_which_other_thing(shipped: Pipeline) -> None:
    # "licencia de manejar del bolsillo": the "del" follows a verb, so "bolsillo" names no other licence.
    question = "se me cayo la licencia de manejar del bolsillo y no la encuentro, como saco otra"
    assert "names another thing" not in format_explanation(shipped.explanation(question))
    assert "licencia-conducir-duplicado" in {e.id for e in shipped.ask(question).candidates}


STORY = (
    "hola buenas, mi esposa y yo tenemos una bodeguita en el mercado del barrio y el serenazgo vino a "
    "molestarnos, quería saber cómo saco la licencia de funcionamiento"
)


def test_a_long_story_does_not_hold_back_the_question_it_ends_with(shipped: Pipeline) -> None:
    assert shipped.ask(STORY).entry_id == "licencia-funcionamiento"


def test_a_long_message_is_answered_by_an_entry_ahead_by_the_usual_margin(shipped: Pipeline) -> None:
    # Pensión 65 leads the household classification by less than the old long-message lead (0.12) but by more
    # than the margin any answer needs: the story's words are context, the question is Pensión 65's.
    question = (
        "Buenas tardes, soy Rosa de Chiclayo. Mi abuelo Mateo tiene 79 años, siempre fue pescador y nunca aportó a "
        "ninguna pensión, vive con nosotros. Nos visitó el empadronador y salimos pobres extremos. Me dijeron que "
        "el Estado da un apoyo a los abuelitos así, ¿cuánto es y dónde lo inscribimos?"
    )
    assert shipped.ask(question).entry_id == "pension-65"


def test_story_words_weigh_less_than_the_same_words_asked(shipped: Pipeline) -> None:
    def weight(question: str, word: str) -> float:
        return next(w.weight for w in shipped.explanation(question).words if w.word == word)

    assert weight(STORY, "serenazgo") < 0.5 * weight("el serenazgo vino a molestarnos", "serenazgo")
    assert weight(STORY, "funcionamiento") == weight("cómo saco la licencia de funcionamiento", "funcionamiento")


def test_a_situation_told_in_one_entrys_words_far_ahead_of_the_rest_is_answered(shipped: Pipeline) -> None:
    # It follows none of alerta-registral's phrasings closely, but every word it has is that entry's.
    reply = shipped.ask("quiero protegerme de que falsifiquen la venta de mi casa")
    assert reply.outcome is Outcome.ANSWER and reply.entry_id == "alerta-registral"


def test_peruvian_chat_fillers_weigh_like_context_not_like_another_topic() -> None:
    # Rare in general Spanish, so without this they would weigh like "Netflix" and hold the answer back.
    assert max(information(w, "es") for w in ("causa", "floro", "juerga", "jato", "onda", "puro")) < 0.2
    assert information("antivirus", "es") == 1.0
    # The past of the commonest verbs tells the story ("nunca supe si...", "no pude ir"), not the topic.
    assert max(information(w, "es") for w in ("supe", "iban", "pudimos", "vine")) < 0.2


def test_how_long_it_takes_is_not_answered_by_how_long_it_is_valid(shipped: Pipeline) -> None:
    # The police certificate's entry says it "vale 90 días": that answers validity, not the wait.
    from bot.core import aspects

    assert aspects.asked("cuánto tiempo vale el certificado") == ["validity"]
    assert aspects.asked("cada cuánto tiempo se renueva la licencia") == ["validity"]
    assert aspects.asked("cuánto tiempo demora el certificado") == ["duration"]
    slow = shipped.ask("cuánto tiempo demora el certificado de antecedentes policiales")
    assert slow.outcome is Outcome.SUGGEST and slow.uncovered and slow.aspect == "duration"
    valid = shipped.ask("cuánto tiempo vale el certificado de antecedentes policiales")
    assert valid.outcome is Outcome.ANSWER and valid.entry_id == "antecedentes-policiales"
    assert shipped.ask("cuanto demora el certificado itse de la licencia de funcionamiento").entry_id == (
        "licencia-funcionamiento"  # its entry says the ITSE "tarda hasta 7 días hábiles"
    )


def test_asking_whether_a_thing_exists_is_not_answered_by_an_entry_that_never_names_it(shipped: Pipeline) -> None:
    # The driving-record entry tells the points, not of any course to clear them.
    reply = shipped.ask("¿existe algún curso para limpiar los puntos de mi brevete?")
    assert reply.outcome is Outcome.SUGGEST and reply.uncovered and reply.aspect == "existence"
    assert reply.candidates[0].id == "mtc-record-conductor"
    explained = format_explanation(shipped.explanation("¿hay algún curso para limpiar mis puntos?"))
    assert "aspect asked: existence" in explained and "does not say: existence" in explained
    # A thing the entry names, itself or through a staff synonym, is covered: the answer stands.
    assert shipped.ask("¿hay alguna página para ver los puntos de mi brevete?").entry_id == "mtc-record-conductor"
    assert shipped.ask("hay algun bono para familias pobres").entry_id == "bonos-consulta"
    # "¿X da algún Y?" asks the same of a programme.
    life = shipped.ask("¿pensión 65 da algún seguro de vida a sus usuarios?")
    assert life.outcome is Outcome.SUGGEST and life.uncovered and life.aspect == "existence"
    assert shipped.ask("pension 65 da algun pago a los adultos mayores").entry_id == "pension-65"


def test_what_follows_quiero_confirmar_is_the_question_and_the_story_before_it_weighs_less(shipped: Pipeline) -> None:
    question = (
        "el jueves me operan de la vesícula en el hospital del distrito y antes "
        "quiero confirmar si sigo asegurado en el sis"
    )
    weights = {w.word: w.weight for w in shipped.explanation(question).words}
    assert weights["vesicula"] < 0.5 * weights["sis"]  # a rare story word, no longer a rival topic
    reply = shipped.ask(question)
    assert reply.outcome is Outcome.ANSWER and reply.entry_id == "sis-consulta"


def test_the_questions_own_cue_decides_between_two_close_sibling_entries(shipped: Pipeline) -> None:
    from bot.core import aspects

    question = "afiliacion al sis"  # joining, not checking
    first, second = shipped.explain(question)[:2]
    assert {first.entry.id, second.entry.id} == {"sis-afiliacion", "sis-consulta"}
    assert abs(first.score - second.score) < shipped.thresholds.margin  # the margin alone would ask which
    reply = shipped.ask(question)
    assert reply.outcome is Outcome.ANSWER and reply.entry_id == "sis-afiliacion"
    explained = format_explanation(shipped.explanation(question))
    assert explained.index("sis-afiliacion") < explained.index("sis-consulta")  # shown first, as decided
    assert shipped.ask("sis afiliado").outcome is Outcome.SUGGEST  # no cue for either: the margin asks which
    cues = {k for k in aspects.entry_kinds(shipped.kb.entries["sis-consulta"]) if not k.startswith(aspects.TITLE)}
    assert cues == {"look-up", "institution:sis", "institution:seguro integral de salud"}  # both SIS entries
    assert aspects.sibling_kinds("se me venció el brevete") == {"expired"}
    assert aspects.sibling_kinds("perdí el brevete de mi hijo") == {"lost", "minor"}


def test_the_words_asking_a_point_do_not_count_against_the_entry_that_says_it(shipped: Pipeline) -> None:
    # "cobrar", "requisitos" ask the cost and the requirements: the aspect check judges those, so they
    # weigh little in coverage, and an entry is not held back for not using the asker's word.
    def weight(question: str, word: str) -> float:
        return next(w.weight for w in shipped.explanation(question).words if w.word == word)

    assert weight("me van a cobrar por el duplicado del dni", "cobrar") < 0.5 * weight(
        "cobrar la pension 65 en el banco", "cobrar"
    )
    reply = shipped.ask("que requisitos tiene el bono")
    assert reply.outcome is Outcome.ANSWER and reply.entry_id == "bonos-consulta" and reply.aspect == "requirements"


def test_the_official_register_of_faq_pages_weighs_like_context() -> None:
    # "¿Qué entidad es la encargada de administrar...?": the register says nothing of which service.
    assert max(information(w, "es") for w in ("herramienta", "permite", "encargada", "normativa", "segun")) < 0.2


def test_a_question_worded_like_an_official_faq_is_answered(shipped: Pipeline) -> None:
    reply = shipped.ask("¿Qué entidad es la encargada de administrar la Casilla Única Electrónica?")
    assert reply.outcome is Outcome.ANSWER and reply.entry_id == "casilla-unica"


def test_an_acronym_the_base_does_not_know_names_another_institution(shipped: Pipeline) -> None:
    # "beca" and "estudiar" are Beca 18's words, but the scholarship asked for is another body's.
    other = shipped.ask("¿qué beca da el ICPNA para estudiar inglés?")
    assert other.outcome is not Outcome.ANSWER
    # An acronym the base knows, and a shouted real word, still let the entry answer.
    assert shipped.ask("¿cómo postulo a Beca 18 del PRONABEC?").entry_id == "beca-18"
    assert shipped.ask("URGENTE como postulo a beca 18").entry_id == "beca-18"


def test_a_context_word_keeps_its_low_weight_through_its_synonym(shipped: Pipeline) -> None:
    # "esposo" is read as "cónyuge", a rare word the base uses; the citizen only told who they are.
    def weight(question: str, word: str) -> float:
        return next(w.weight for w in shipped.explanation(question).words if w.word == word)

    told = weight("mi esposo trabaja en Lima y quiero sacar la licencia de funcionamiento", "conyuge")
    asked = weight("el conyuge puede sacar la licencia de funcionamiento", "conyuge")
    assert told < 0.5 * asked


def test_where_the_asker_lives_alone_is_a_place_of_the_story_not_a_name_asked() -> None:
    from bot.core.analyzer import person_names

    assert "pachacamac" in person_names("mi mamá vive sola en Pachacámac y no tiene pensión")
    assert "surco" in person_names("trabajo en Surco y quiero saber")


def test_what_a_paper_must_say_is_not_the_service_asked(shipped: Pipeline) -> None:
    # "diga" is only in the INPE entry's situations ("un papel que diga que nunca estuve preso"): a form of
    # "decir" reports, it does not pick the certificate; "la policía" does.
    reply = shipped.ask(
        "en la empresa donde voy a entrar me piden un papel que diga que no tengo problemas con la policía"
    )
    assert reply.entry_id == "antecedentes-policiales"
    assert information("diga", "es") == information("dijeron", "es") < 0.2


def test_a_real_word_the_lists_lack_is_not_cut_into_rare_pieces(shipped: Pipeline) -> None:
    analyzer = shipped._indexes["es"].analyzer
    assert analyzer.correct("moroso") == "moroso"  # not "mor oso": "mor" is too rare to be a word typed alone
    assert analyzer.correct("clavesol") == "clave sol" and analyzer.correct("quierosacar") == "quiero sacar"


def test_a_named_street_or_building_of_the_story_is_a_place_not_another_product() -> None:
    from bot.core.analyzer import person_names

    assert {"javier", "prado"} <= person_names("me pusieron una multa en la Javier Prado")
    assert "netflix" not in person_names("quiero pagar Netflix con mi tarjeta")


def test_the_institution_named_decides_between_close_sibling_certificates(shipped: Pipeline) -> None:
    from bot.core import aspects

    police = shipped.kb.entries["antecedentes-policiales"]
    assert {"pnp", "policia"} <= aspects.institution_names(police)
    # Close to the INPE's certificate by its words ("un papel que diga que..."), but the police is named.
    reply = shipped.ask("En la chamba nueva me piden un papel que diga que no tengo problemas con la policía")
    assert reply.outcome is Outcome.ANSWER and reply.entry_id == "antecedentes-policiales"
    judiciary = shipped.ask("necesito el certificado del poder judicial para un trabajo")
    assert judiciary.entry_id == "antecedentes-penales"


def test_asking_where_the_offices_are_picks_the_sites_entry_over_its_sibling(shipped: Pipeline) -> None:
    from bot.core import aspects

    assert "where" in aspects.entry_kinds(shipped.kb.entries["centros-mac-sedes"])
    assert "where" not in aspects.entry_kinds(shipped.kb.entries["centros-mac"])
    reply = shipped.ask("Where are the MAC one-stop government service centers located in Lima and Callao?", "en")
    assert reply.outcome is Outcome.ANSWER and reply.entry_id == "centros-mac-sedes"


def test_a_word_of_only_one_siblings_title_decides_when_no_cue_does(shipped: Pipeline) -> None:
    # "antecedentes penales" is the Poder Judicial certificate's title; the INPE's says "judiciales".
    question = (
        "Mi hijo consiguió trabajo en una minera y le piden un certificado de antecedentes penales. "
        "Él está en la mina y no puede bajar a Lima. ¿Se puede sacar por internet?"
    )
    first, second = shipped.explain(question)[:2]
    assert {first.entry.id, second.entry.id} == {"antecedentes-penales", "antecedentes-judiciales"}
    reply = shipped.ask(question)
    assert reply.outcome is Outcome.ANSWER and reply.entry_id == "antecedentes-penales"


def test_a_word_the_base_uses_keeps_its_weight_after_a_place_preposition(shipped: Pipeline) -> None:
    def weight(question: str, word: str) -> float:
        return next(w.weight for w in shipped.explanation(question).words if w.word == word)

    # "en la Sunat" reads like "en la Javier Prado", but SUNAT is what the question is about.
    told = weight("vendo artesanias y me dijeron que primero tengo que inscribirme en la Sunat", "sunat")
    assert told == weight("tengo que inscribirme en la sunat", "sunat")


def test_an_institution_known_from_other_entries_only_holds_the_answer_back(shipped: Pipeline) -> None:
    # The BCP is in the base as a place to pay; a password of the BCP's app is not Clave SOL (SUNAT's).
    question = "olvidé la clave de mi app del BCP, cómo la recupero"
    assert shipped.ask(question).outcome is not Outcome.ANSWER
    assert "held back: names another institution" in format_explanation(shipped.explanation(question))
    assert shipped.ask("olvidé mi clave SOL de la SUNAT, cómo la recupero").entry_id == "clave-sol"


def test_an_institution_named_as_where_or_as_a_kind_does_not_hold_the_answer_back(shipped: Pipeline) -> None:
    # A complaint is made to any public entity: the one named is where it happened.
    assert shipped.ask("quiero hacer un reclamo formal contra la SUNARP porque me atendieron mal").entry_id == (
        "libro-reclamaciones"
    )
    # "MUNI" stands for the municipalities the entry speaks of.
    assert shipped.ask("MUNI Ejecutivo: qué es y quiénes participan").entry_id == "muni-ejecutivo"
    # "una ONG" is a kind of client, not the institution whose receipt is asked about.
    question = "hago trabajos para una ONG como independiente y me piden recibo electronico, como lo hago"
    assert "names another institution" not in format_explanation(shipped.explanation(question))


def test_an_institution_in_the_story_of_a_long_message_does_not_hold_the_answer_back(shipped: Pipeline) -> None:
    question = (
        "Buenas tardes, soy asistente en una UGEL de Cusco y estoy preparando una exposición para mis colegas. "
        "¿Con qué decreto supremo se aprobó la Política Nacional de Transformación Digital al 2030?"
    )
    assert shipped.ask(question).entry_id == "politica-td-2030"


def test_a_word_split_by_voice_typing_is_joined_back_but_two_words_stay_two(shipped: Pipeline) -> None:
    analyzer = shipped._indexes["es"].analyzer
    assert "breve" not in analyzer.analyze("como saco mi breve te por primera vez").words
    # "hogar es" and "paga la" are two words: joined they would be other words of the base.
    assert "hogar" in analyzer.analyze("quieren medir si mi hogar es pobre").words
    assert "pagala" not in analyzer.analyze("cuanto es la pension que paga la onp").words
    # A five-letter name split ("sun at") is joined too, and then completes "la app de" as the base's own word.
    assert "sunat" in analyzer.analyze("como entro a la app de sun at").words
    assert shipped.ask("olvide mi clave sol, como la recupero desde la app de sun at").entry_id == "clave-sol"


@pytest.mark.parametrize(
    ("question", "entry"),
    [
        ("se me perdio el de ene i en el mercado, como saco un duplicado", "dni-duplicado"),
        ("el ese i ese para todos es gratis, como me afilio", "sis-afiliacion"),
    ],
)
def test_an_acronym_spelled_out_letter_by_letter_is_the_acronym(shipped: Pipeline, question: str, entry: str) -> None:
    reply = shipped.ask(question)
    assert reply.outcome is Outcome.ANSWER and reply.entry_id == entry


def test_letter_names_that_spell_no_word_of_the_base_stay_words(shipped: Pipeline) -> None:
    analyzer = shipped._indexes["es"].analyzer
    assert "ene" in analyzer.analyze("el de la ene i de mi hermano").words


def test_asking_how_to_be_spared_a_fine_picks_the_waiver_over_the_fine(shipped: Pipeline) -> None:
    from bot.core import aspects

    assert "waiver" in aspects.sibling_kinds("que hago para que no me cobren la multa por no votar")
    reply = shipped.ask("no vote porque estaba de viaje por trabajo, que hago para que no me cobren la multa")
    assert reply.outcome is Outcome.ANSWER and reply.entry_id == "jne-dispensa"
    assert "look-up" in aspects.sibling_kinds("como compruebo que la empresa esta activa")


def test_a_document_that_fell_and_cannot_be_found_is_a_lost_one(shipped: Pipeline) -> None:
    from bot.core import aspects

    assert "lost" in aspects.sibling_kinds("se me cayo el brevete y no lo encuentro")
    reply = shipped.ask("se me cayo la licencia de manejar en la combi y no la encuentro, como saco otra igualita")
    assert (reply.entry_id or reply.candidates[0].id) == "licencia-conducir-duplicado"


def test_where_in_town_and_short_district_names_weigh_as_context(shipped: Pipeline) -> None:
    analyzer = shipped._indexes["es"].analyzer
    analysis = analyzer.analyze("me multaron en la avenida grau de sjl, si pago rapido me rebajan algo")
    assert analysis.info(analysis.words.index("avenida")) < 0.2
    assert analysis.info(analysis.words.index("sjl")) < 0.2
    assert "descuento" in analysis.words  # "me rebajan" asks for the discount


def test_a_number_in_words_is_the_number_the_base_writes_in_digits(shipped: Pipeline) -> None:
    reply = shipped.ask("causa como inscribo a mi tio en pension sesenta y cinco")
    assert reply.outcome is Outcome.ANSWER and reply.entry_id == "pension-65"
    analysis = shipped._indexes["es"].analyzer.analyze("pension sesenta y cinco")
    assert "65" in analysis.stems and "sesent" not in " ".join(analysis.stems)


def test_a_cracked_or_bent_card_is_a_damaged_one(shipped: Pipeline) -> None:
    for question in ("se me rajo el dni, como saco otro", "mi dni esta doblado y ya no lo aceptan, como saco otro"):
        reply = shipped.ask(question)
        assert reply.outcome is Outcome.ANSWER and reply.entry_id == "dni-duplicado", question


def test_cobrar_a_pension_is_receiving_it_and_cobrar_por_a_procedure_is_its_fee(shipped: Pipeline) -> None:
    received = shipped.ask("mi mamá tiene 72 años y vive en una comunidad de Cajamarca, no cobra ninguna pension")
    assert received.outcome is Outcome.ANSWER and received.entry_id == "pension-65"
    fee = shipped.ask("cuanto cobra reniec por el duplicado del dni")
    assert fee.outcome is Outcome.ANSWER and fee.entry_id == "dni-duplicado" and fee.aspect == "cost"


def test_chat_clippings_of_como_and_direccion_are_read_as_the_words(shipped: Pipeline) -> None:
    from bot.core.normalize import words

    assert words("kmo cambio la dire de mi dni, tas segura?") == [
        "como", "cambio", "la", "direccion", "de", "mi", "dni", "estas", "segura",
    ]
    reply = shipped.ask("kmo cambio la dire de mi dni, me mude")
    assert reply.outcome is Outcome.ANSWER and reply.entry_id == "dni-renovacion"


def test_a_whole_phrasing_beside_another_products_name_is_not_answered(shipped: Pipeline) -> None:
    # "bolsa de trabajo" is Empleos Perú's phrasing; "de Indeed" names a private board the base does not know,
    # so the lower coverage a whole phrasing is allowed does not apply.
    reply = shipped.ask("la bolsa de trabajo de Indeed no me deja subir mi cv")
    assert reply.outcome is Outcome.SUGGEST and reply.entry is None


def test_a_question_naming_two_sibling_services_offers_first_the_entry_that_joins_them(shipped: Pipeline) -> None:
    # The penal and the police certificates are siblings; the CUL holds both: neither alone is the answer.
    reply = shipped.ask("en la empresa me piden los antecedentes penales y policiales, y no quiero sacar dos tramites")
    assert reply.outcome is Outcome.SUGGEST and reply.candidates[0].id == "cul"
    assert {"antecedentes-penales", "antecedentes-policiales"} & {c.id for c in reply.candidates}


def test_a_question_naming_siblings_by_their_institutions_is_offered_not_answered(shipped: Pipeline) -> None:
    # The police, the judiciary and the INPE each issue one certificate: naming all three asks for more than
    # the INPE's, though its words score best.
    reply = shipped.ask("para un trabajo me piden papeles de la policía, del poder judicial y del inpe")
    assert reply.outcome is Outcome.SUGGEST and reply.entry is None
    assert "antecedentes-judiciales" in {c.id for c in reply.candidates}
    # The institution's own certificate alone, or a story's policeman beside a licence, is still answered.
    assert shipped.ask("como saco el certificado de antecedentes del inpe").entry_id == "antecedentes-judiciales"
    renew = shipped.ask("un policía me paró y me dijo que mi licencia de conducir está vencida, ¿cómo la renuevo?")
    assert renew.entry_id == "licencia-conducir-revalidacion"
    # Named in a long message's story, the asking part only referring back to them, they still count.
    story = shipped.ask(
        "Voy a trabajar de vigilante en una empresa de Arequipa y me piden antecedentes policiales, judiciales y "
        "penales. ¿Puedo sacarlos todos juntos?"
    )
    assert story.entry is None and {c.id for c in story.candidates} & {"antecedentes-judiciales", "cul"}


def test_a_capitalised_name_completing_a_services_noun_is_offered_never_answered(shipped: Pipeline) -> None:
    # "de Laborum": a brand the base does not know, whatever the entry's coverage of the rest.
    reply = shipped.ask("quiero subir mi cv a la bolsa de trabajo de Laborum")
    assert reply.outcome is Outcome.SUGGEST and reply.candidates[0].id == "empleos-peru"
    # A name the message introduces as the asker's is who asks, not another thing.
    assert shipped.ask("soy Rosa Quispe, como renuevo mi dni").entry_id == "dni-renovacion"


def test_the_kind_of_work_the_asker_does_is_not_another_thing_asked(shipped: Pipeline) -> None:
    # "trabajos de carpintería": what the neighbour does for a living, not a carpentry service asked about.
    reply = shipped.ask("mi vecino hace trabajos de carpintería para una empresa y le piden que emita un comprobante")
    assert reply.entry_id == "recibo-honorarios"
