"""Exact points a citizen asks about a covered service — how many, who holds an office today, in
instalments, at what interest, since when, a refund, a ranking — are answered only when the entry
says them; otherwise the entry is offered as the closest help with an honest "not covered" (issue 9)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core import aspects
from bot.core.knowledge import load_knowledge_or_raise
from bot.core.models import Outcome
from bot.core.pipeline import Pipeline

SHIPPED = Path(__file__).resolve().parent.parent / "knowledge"


@pytest.fixture(scope="module")
def shipped() -> Pipeline:
    return Pipeline(load_knowledge_or_raise(SHIPPED))


@pytest.mark.parametrize(
    ("question", "entry", "aspect"),
    [
        ("cuantas preguntas tiene el examen de manejo para el brevete", "licencia-conducir-nueva", "count"),
        ("quien es el actual secretario de gobierno y transformacion digital", "personas-sgtd-descentralizacion",
         "person"),
        ("puedo pagar mi multa electoral en cuotas", "jne-multas", "instalments"),
        ("puedo fraccionar mis papeletas del sat", "sat-papeletas", "instalments"),
        ("cuanto es el interes por pagar tarde el predial", "predial-arbitrios", "rate"),
        ("si pague dos veces en pagalo me devuelven el dinero", "pagalo-pe", "refund"),
        # A payment code with the amount "en la página oficial" does not say how much.
        ("cuanto cuesta la dispensa por no votar", "jne-dispensa", "cost"),
        ("cuantos soles es la multa por no tener soat", "soat-consulta", "amount"),
        ("cual es la multa exacta si me chapan manejando sin soat", "soat-consulta", "amount"),
        ("cuando se abre la proxima convocatoria de techo propio", "techo-propio", "when"),
        ("en el carne de vacunacion digital no aparece mi tercera dosis, como lo corrijo", "carnet-vacunacion",
         "correction"),
        ("como presento mi descargo de una papeleta del sat", "sat-papeletas", "appeal"),
        ("hasta que edad se puede revalidar el brevete", "licencia-conducir-revalidacion", "age-limit"),
        # "Desde los 65 años" is when a duty starts, not the oldest age allowed.
        ("hasta que edad maxima se puede seguir revalidando el brevete", "licencia-conducir-revalidacion",
         "age-limit"),
        # A nationality says the asker is a foreigner as plainly as "extranjero" does.
        ("soy colombiano y tengo 70 anos, puedo cobrar pension 65", "pension-65", "foreigner"),
        # "¿me cubre X?" asks whether the coverage includes X: an entry never naming X does not say.
        ("el sis gratuito me cubre la operacion de rodilla", "sis-afiliacion", "existence"),
        # The fee is set by each municipality: the entry gives Huancayo's, not Chiclayo's.
        ("cuanto cuesta la licencia de funcionamiento en Chiclayo", "licencia-funcionamiento", "place"),
        # Lima is what the question compares with; Trujillo is the place asked about.
        ("me pusieron una papeleta en Trujillo, tiene descuento como en Lima", "sat-papeletas", "place"),
        ("me pusieron una papeleta en Piura, hay descuento como dicen que hay en Lima", "sat-papeletas", "place"),
        # An event entry tells what was, not a later edition.
        ("cuando sera el gore ejecutivo 2031", "gore-ejecutivo", "year"),
        ("mi papa cobraba pension 65 y fallecio, quien cobra ese dinero", "pension-65", "death"),
        # The event's next edition is "por anunciar" and its card shows the last edition's dates, so the
        # citizen is told this point is not covered and shown the entry (which says so), not handed it as the date.
        ("proxima edicion de encuentros por la descentralizacion", "encuentros-descentralizacion", "when"),
        ("en que puesto quedo el peru en el indice govtech 2025", "govtech-gtmi", "rank"),
        # Consequences, limits and moves between systems are points of their own.
        ("mi brevete peruano me sirve para manejar en argentina", "licencia-conducir-nueva", "abroad"),
        ("tengo una papeleta del sat de hace diez anos, ya prescribio", "sat-papeletas", "prescription"),
        # Cues in the forms chat uses: a gerund of the fee, joining as a family, "la persona a cargo"
        # asked before the long message's "como se llama".
        ("cuanto esta costando ahorita el certificado de antecedentes penales", "antecedentes-penales", "cost"),
        ("mi familia quiere entrar al programa juntos, donde vamos a inscribirnos", "juntos", "join"),
        ("quien es actualmente la persona a cargo de la secretaria de gobierno y transformacion digital, "
         "como se llama", "personas-sgtd-descentralizacion", "person"),
        # The entry's only address is gob.pe's home page: the programme's own page is not given.
        ("cual es la pagina web actual de pension 65", "pension-65", "link"),
        ("puedo emitir el recibo por honorarios en dolares", "recibo-honorarios", "currency"),
        ("cuando fallece un usuario de pension 65 la familia cobra el ultimo pago", "pension-65", "death"),
        ("cuantos meses demora salir la afiliacion a pension 65", "pension-65", "duration"),
        ("si mi hijo falta al colegio nos quitan el pago de juntos", "juntos", "suspension"),
        ("como me paso de la afp a la onp", "afp-onp-consulta", "switch"),
        ("los pensionistas tienen deduccion en el impuesto predial", "predial-arbitrios", "existence"),
        ("cuantos meses dura la suspension de la licencia por puntos", "mtc-record-conductor", "validity"),
        # "¿Cuánto está...?" is what it costs now, and a "tasa" or a tax is a fee: a cost field that sends
        # the citizen to the official page for the amount does not say it.
        ("oigan cuanto esta ahorita la renovacion de mi carne de extranjeria", "carne-extranjeria", "cost"),
        ("cuanto es la tasa para revalidar mi brevete", "licencia-conducir-revalidacion", "cost"),
        ("cuanto seria el impuesto predial de mi casita", "predial-arbitrios", "cost"),
        ("en cuantos meses me depositan el bono de techo propio", "techo-propio", "duration"),
        # Studying in another country is being abroad for a scholarship that never speaks of it.
        ("puedo usar beca 18 para estudiar una carrera en chile", "beca-18", "abroad"),
        # A grade asked in other words, and being abroad told by the city or by what happened there.
        ("cuanto de nota como minimo hay que tener para beca 18", "beca-18", "grade"),
        ("estoy trabajando en madrid y se me vencio el carne de extranjeria, como lo renuevo", "carne-extranjeria",
         "abroad"),
        ("me multaron manejando en buenos aires, como pago esa papeleta", "sat-papeletas", "abroad"),
        ("quiero cambiarme a una afp, como hago", "afp-onp-consulta", "switch"),
        # A parent's consent asked in other words, getting out of a state (not what it means), and a
        # vaccine given abroad.
        ("mi hijo viaja con su papa, la mama tiene que dar su permiso para el pasaporte", "pasaporte",
         "authorisation"),
        ("la sunat dice que mi ruc esta como no habido, como hago para dejar de estar en esa condicion",
         "ruc-consulta", "remedy"),
        ("me vacunaron contra la fiebre amarilla en bolivia, sale en mi carnet digital", "carnet-vacunacion",
         "abroad"),
        ("estoy en la onp, que tramite hago para cambiarme a una afp", "afp-onp-consulta", "switch"),
        # A private university's own office is not the state's digital mesa de partes.
        ("como mando mi solicitud a la mesa de partes de la universidad privada", "mesa-partes-digital", "private"),
    ],
)
def test_an_exact_point_the_entry_does_not_state_is_offered_not_answered(
    shipped: Pipeline, question: str, entry: str, aspect: str
) -> None:
    reply = shipped.ask(question)
    assert reply.outcome is Outcome.SUGGEST and reply.uncovered and reply.aspect == aspect
    assert reply.candidates[0].id == entry
    assert reply.text == shipped.kb.message("not_covered", "es")


@pytest.mark.parametrize(
    ("question", "entry", "aspect"),
    [
        ("cuantos menores puedo consultar al mes en el carne de vacunacion", "carnet-vacunacion", "count"),
        # Children counted in any word for them: "hasta 5 menores" says how many "niños".
        ("cuantos niños puedo consultar al mes en la pagina del carne de vacunacion", "carnet-vacunacion", "count"),
        ("de cuanto es la multa por no votar", "jne-multas", "amount"),
        ("cuanto me va a tocar de pension 65", "pension-65", "amount"),
        ("en que puesto esta el peru en el indice govtech", "govtech-gtmi", "rank"),
        ("requisitos para sacar el brevete A-I por primera vez", "licencia-conducir-nueva", "requirements"),
        ("cuanto esta el pasaporte", "pasaporte", "cost"),
        # "Aún no hay fecha confirmada": no date is set yet, and that is the answer (unlike "no lo tenemos
        # confirmado", a point the base does not know).
        ("desde que fecha los ciudadanos usaremos la casilla unica electronica", "casilla-unica", "when"),
        # An age range ("de 18 a 64 años") answers both "hasta qué edad" and "desde qué edad"; a lower bound
        # ("desde los 18 años") answers the youngest age, which is not a date.
        ("hasta que edad puedo entrar a trabaja peru", "trabaja-peru", "age-limit"),
        ("desde que edad puedo sacar mi brevete", "licencia-conducir-nueva", "min-age"),
        # Where the dates are published ("la fecha de pago se ve en la app") answers which day they pay.
        ("que dia pagan juntos a mi mama", "juntos", "when"),
        # "¿Cuántas fueron?": the thing counted was named before it; any count the entry states answers.
        ("la secretaria de gobierno digital reconocio a entidades en 2025, cuantas fueron", "sgtd-pcm", "count"),
        # "¿Hay algún número para llamar?" asks for a phone, which the entry gives ("llama al 113").
        ("mi mama se cayo y no figura en el sis, como veo si esta afiliada, hay algun numero para llamar?",
         "sis-consulta", "phone"),
        # Since when a tax is owed is the law's ("desde el 1 de enero siguiente"), not a date each town sets.
        ("compre un terreno en Cajamarca en julio, desde cuando tengo que pagar el predial?", "predial-arbitrios",
         "when"),
        # A look-up showing the start and end dates tells until when it is valid.
        ("un policia me paro y dice que mi soat no sirve, como reviso hasta cuando vale el soat de mi moto",
         "soat-consulta", "when"),
    ],
)
def test_the_same_kind_of_point_is_answered_when_the_entry_states_it(
    shipped: Pipeline, question: str, entry: str, aspect: str
) -> None:
    reply = shipped.ask(question)
    assert reply.outcome is Outcome.ANSWER and reply.entry_id == entry and reply.aspect == aspect


@pytest.mark.parametrize(
    "question",
    [
        "quiero sacar mi licencia de categoria b para la moto, que examenes piden",
        # The class may be told in the story and the question only ask what is needed.
        "trabajo con mi mototaxi en Ilo y necesito la licencia, la de categoría B. ¿Qué requisitos y exámenes piden?",
        "como saco la licencia A-IIb para manejar taxi",
    ],
)
def test_a_licence_class_the_entry_does_not_name_is_offered_not_answered(shipped: Pipeline, question: str) -> None:
    assert "licence-class" in aspects.asked(question)
    reply = shipped.ask(question)
    assert reply.outcome is Outcome.SUGGEST and reply.uncovered
    assert "licence-class" not in aspects.asked("quiero la licencia a nombre de mi empresa")


def test_what_the_entry_says_of_the_case_asked_answers_it(shipped: Pipeline) -> None:
    # "Es gratis en casos como discapacidad": free for the case the question names, though the fee is not given.
    entry = shipped.kb.entries["jne-dispensa"]
    assert aspects.covers(entry, "cost", "¿la dispensa electoral es gratis para una persona con discapacidad?")
    assert not aspects.covers(entry, "cost", "cuanto cuesta la dispensa por no votar")
    # "debían llegar a las 6:00" gives the hour; "con 24 horas de anticipación" how long before.
    onpe = shipped.kb.entries["onpe-consulta-electoral"]
    assert aspects.covers(onpe, "hours", "¿a qué hora tenían que llegar los miembros de mesa?")
    question = "¿con cuánto tiempo de anticipación puedo cambiar mi cita de essalud?"
    assert aspects.asked(question) == ["advance"]
    assert aspects.covers(shipped.kb.entries["essalud-citas"], "advance", question)


def test_the_amount_of_a_fine_asked_in_soles_is_an_amount() -> None:
    assert "amount" in aspects.asked("¿cuánto es en soles la multa por no tener soat?")


def test_an_inheritance_asked_is_read_in_the_question() -> None:
    assert "inheritance" in aspects.asked("como reparto la herencia de mi papa entre mis hermanos")


def test_asking_how_to_look_a_number_up_or_how_long_something_lasts_is_no_count() -> None:
    assert "count" in aspects.asked("cuantas papeletas tengo")
    assert "count" not in aspects.asked("como veo cuantas papeletas tiene mi auto")
    assert "count" not in aspects.asked("cuantos anitos dura el dni")
    assert aspects.asked("cuantos dias demora el duplicado") == ["duration"]


def test_who_held_an_office_in_the_past_is_not_the_person_asked_for_today() -> None:
    assert aspects.asked("quien es hoy el secretario de gobierno digital") == ["person"]
    assert "person" not in aspects.asked("quien era la secretaria de transformacion digital en 2021")
    assert "person" not in aspects.asked("quienes pueden sacar el dni electronico")


def test_downloading_is_not_an_appeal_and_a_stated_amount_still_answers(shipped: Pipeline) -> None:
    download = shipped.ask("como descargo mi carne de vacunacion")
    assert download.outcome is Outcome.ANSWER and download.entry_id == "carnet-vacunacion"
    assert "appeal" not in aspects.asked("donde descargo datos abiertos del estado")
    priced = shipped.ask("cuanto cuesta el pasaporte")
    assert priced.outcome is Outcome.ANSWER and priced.entry_id == "pasaporte" and priced.aspect == "cost"


def test_a_numbered_part_or_a_ranking_of_a_year_must_be_named_by_the_entry() -> None:
    assert aspects.asked("que dice el eje 8 de la politica") == ["item"]
    assert "rank" in aspects.asked("en que puesto quedo el peru en 2030")


@pytest.mark.parametrize(
    ("question", "entry"),
    [
        ("cuanto cuesta la licencia de funcionamiento en Huancayo", "licencia-funcionamiento"),
        # A story's "papá de trillizos" says whose relative the asker is, not another thing asked about.
        ("Buenas tardes, soy papá de trillizos de 4 años y los tres tienen su DNI pero ya se les venció "
         "hace un mes. ¿Qué necesito para renovar el DNI de mis hijos? Muchas gracias", "dni-renovacion"),
    ],
)
def test_what_the_entry_says_for_that_place_or_that_story_is_answered(
    shipped: Pipeline, question: str, entry: str
) -> None:
    reply = shipped.ask(question)
    assert reply.outcome is Outcome.ANSWER and reply.entry is not None and reply.entry.id == entry


def test_what_happened_or_where_the_trip_goes_is_not_the_point_asked() -> None:
    # Past charges, being seen at all, and travelling abroad are the citizen's story, not a fee, opening
    # hours or a procedure from abroad.
    assert aspects.asked("en el hospital me cobraron de mas y quiero quejarme") == []
    assert aspects.asked("no encuentro cita, me atienden igual?") == []
    assert aspects.asked("me voy a viajar fuera del pais y nunca tuve pasaporte") == []
    assert aspects.asked("trabajo en chile, puedo votar desde alla") == ["abroad"]
    assert aspects.asked("a que hora atienden en el mac") == ["hours"]


def test_a_situation_with_solid_exclusive_evidence_far_ahead_is_answered(shipped: Pipeline) -> None:
    # No phrasing of the entry is followed closely, but its own words carry the question far ahead of
    # every other entry (pipeline.TOLD_*).
    reply = shipped.ask("con mi esposa ahorramos algo y queremos nuestra primera vivienda con apoyo del gobierno")
    assert reply.outcome is Outcome.ANSWER and reply.entry_id == "techo-propio"


def test_a_numbered_part_the_entry_sends_to_the_official_text_is_not_answered(shipped: Pipeline) -> None:
    # The entry names the eje 8 and, in the next sentence, sends the citizen to the official text for
    # its name and content: it does not say what the eje 8 contains.
    reply = shipped.ask("que dice exactamente el eje 8 de la politica general de gobierno 2021 2026")
    assert reply.outcome is Outcome.SUGGEST and reply.uncovered and reply.aspect == "item"


def test_signing_up_a_deadline_to_act_and_a_list_of_villages_are_points_of_their_own() -> None:
    assert "join" in aspects.asked("como me registro en id gob pe")
    assert "join" in aspects.asked("mi viejo no tiene seguro como lo meto al sis")
    assert "when" in aspects.asked("hasta que fecha puedo cambiar mi direccion para votar")
    assert "when" not in aspects.asked("donde veo hasta que fecha esta el soat de mi camioneta")
    assert "localities" in aspects.asked("en que centros poblados de ayacucho hay mac express")


def test_who_serves_there_is_not_opening_hours_and_a_count_may_be_spelled_out(shipped: Pipeline) -> None:
    assert aspects.asked("que entidades atienden en los centros mac") == []
    assert aspects.asked("atienden los domingos en reniec") == ["hours"]
    # "postulas en dos etapas": a number in words states the count.
    reply = shipped.ask("en cuantas etapas se postula a beca 18")
    assert reply.outcome is Outcome.ANSWER and reply.entry_id == "beca-18" and reply.aspect == "count"


def test_checking_how_something_stands_or_having_it_already_is_not_getting_one(shipped: Pipeline) -> None:
    entries = shipped.kb.entries
    check = "tengo el numero tributario de un proveedor, como compruebo si esta activo"
    assert "check" in aspects.asked(check)
    assert not aspects.covers(entries["ruc-inscripcion"], "check", check)
    assert aspects.covers(entries["ruc-consulta"], "check", check)
    # "Número tributario" is the RUC; having one already, getting one is not what is asked.
    had = "ya cuento con mi numero tributario, como le doy un comprobante a mi cliente"
    assert "already" in aspects.asked(had)
    assert not aspects.covers(entries["ruc-inscripcion"], "already", had)
    assert aspects.covers(entries["recibo-honorarios"], "already", had)
    # Having a DNI says nothing against getting a passport.
    assert aspects.covers(entries["pasaporte"], "already", "ya tengo mi dni, como saco mi pasaporte")
    reply = shipped.ask("ya tengo mi ruc, como lo saco")
    assert reply.outcome is Outcome.SUGGEST


def test_the_charge_asked_after_a_missed_vote_is_its_fine_and_passing_by_is_no_switch() -> None:
    story = "El domingo de la eleccion me toco turno en la mina y no pude ir a votar. ¿Igual me van a cobrar?"
    assert aspects.asked(story) == ["penalty"]
    assert aspects.asked("puedo pasarme a recoger mi dni el sabado") == []


def test_a_pets_papers_are_no_citizens_service_not_even_the_closest_help(shipped: Pipeline) -> None:
    # The vaccination card and the passport are a person's: nothing is offered, the question goes to review.
    for question in ("que vacunas le piden a mi perrito para viajar en avion", "como saco el pasaporte de mi gato"):
        reply = shipped.ask(question)
        assert reply.outcome is Outcome.NONE and not reply.candidates
    assert "animal" in aspects.asked("que vacunas le piden a mi perrito para viajar en avion")
    # A pet in the story is not what is asked.
    assert shipped.ask("mi perro mordio mi dni y ya no sirve, como saco otro").outcome is not Outcome.NONE


def test_a_switch_told_before_the_question_and_asking_them_to_change_a_record_are_points() -> None:
    # "¿qué trámite hago para eso?" asks about the switch the story tells.
    story = "Aporto a la ONP desde que entre a trabajar y quiero cambiarme a una AFP, ¿que tramite hago para eso?"
    assert "switch" in aspects.asked(story)
    assert "correction" in aspects.asked("me mude de distrito, como pido que me cambien el lugar de votacion")


def test_abroad_is_where_the_asker_is_not_where_the_trip_goes() -> None:
    assert aspects.asked("vivo en Lima y quiero ayudar a mi mama desde aqui, donde veo su local de votacion") == []
    assert aspects.asked("vivo en Italia, puedo pedir el duplicado de mi dni desde aqui") == ["abroad"]
    assert aspects.asked("vivo en espana como renuevo mi dni") == ["abroad"]
    assert "foreigner" not in aspects.asked("nos vamos de viaje al extranjero y piden el carne de vacunacion")


def test_applying_to_a_scholarship_is_how_one_joins_it(shipped: Pipeline) -> None:
    reply = shipped.ask("como me inscribo en beca 18")
    assert reply.outcome is Outcome.ANSWER and reply.entry_id == "beca-18"


@pytest.mark.parametrize(
    ("question", "not_asked"),
    [
        # Each tells the citizen's case; none asks the point its words resemble.
        ("la muni me cobra por mi terreno y no se por que", "cost"),
        ("me equivoque en el monto del comprobante que le di a la empresa", "amount"),
        ("como saber hasta cuando vence el soat de mi moto", "when"),
        ("se me cayo mi documento en la chacra y no aparece", "correction"),
        ("como pago una multa del estado por internet", "penalty"),
        ("para trabajar en el extranjero me piden constancia de que no tengo condenas", "abroad"),
        ("cuanto tiempo tiene validez el cul", "duration"),
        ("a mi vecino le quisieron quitar su casa con papeles falsos, como lo evito", "seizure"),
        ("desde que edad puedo sacar mi brevete", "when"),
        # Where the house came from, told in the story, is no question about a death or an inheritance.
        ("Buenas tardes, vivo en Tacna y tengo una casa inscrita en registros publicos, herencia de mis padres, y "
         "mis primos andan con malas intenciones. ¿Hay algo que me avise si alguien quiere inscribir algo sobre mi "
         "casa?", "death"),
    ],
)
def test_a_story_is_not_read_as_asking_the_point_its_words_resemble(question: str, not_asked: str) -> None:
    assert not_asked not in aspects.asked(question)


def test_an_entrys_own_phrasings_are_answered_by_it(shipped: Pipeline) -> None:
    # Staff wrote these as what the entry answers; a cue misread as an exact point would hold them back.
    for entry_id, question in [
        ("cul", "cuanto tiempo tiene validez el cul"),
        ("predial-arbitrios", "la muni me cobra por mi terreno y no se por que"),
        ("antecedentes-penales", "para trabajar en el extranjero me piden constancia de que no tengo condenas"),
    ]:
        reply = shipped.ask(question)
        assert reply.outcome is Outcome.ANSWER and reply.entry_id == entry_id, question


def test_a_size_limit_is_a_point_of_its_own_and_stated_sizes_answer_it(shipped: Pipeline) -> None:
    assert aspects.asked("cual es el peso maximo del archivo que acepta la mesa de partes") == ["size"]
    reply = shipped.ask("cual es el tamano maximo de archivo en la mesa de partes digital")
    assert reply.outcome is Outcome.ANSWER and reply.entry_id == "mesa-partes-digital" and reply.aspect == "size"


def test_a_link_is_given_when_the_entry_has_a_page_of_its_own_and_a_story_link_asks_nothing(
    shipped: Pipeline,
) -> None:
    portal = shipped.ask("cual es la pagina oficial del gobierno peruano")
    assert portal.outcome is Outcome.ANSWER and portal.entry_id == "gobpe"
    own = shipped.ask("pasame el link para ver en que local de votacion me toca")
    assert own.outcome is Outcome.ANSWER and own.entry_id == "onpe-consulta-electoral"
    assert "link" not in aspects.asked("me escribieron por whatsapp que me toca un bono y me pasaron un link")


def test_an_email_address_does_not_answer_a_question_for_a_phone_number(shipped: Pipeline) -> None:
    # The SAT entry gives an e-mail channel and no number to call.
    phone = shipped.ask("¿cuál es el número de teléfono del SAT para consultar mis papeletas?")
    assert phone.outcome is Outcome.SUGGEST and phone.aspect == "phone" and phone.uncovered
    mail = shipped.ask("¿cuál es el correo del SAT para consultar mis papeletas?")
    assert mail.outcome is Outcome.ANSWER and mail.entry_id == "sat-papeletas"


def test_a_place_set_aside_is_not_the_place_asked(shipped: Pipeline) -> None:
    elsewhere = shipped.ask("me pusieron una papeleta en el Callao, no en Lima, ¿dónde la pago?")
    assert elsewhere.outcome is not Outcome.ANSWER
    assert shipped.ask("me pusieron una papeleta en Lima, ¿dónde la pago?").entry_id == "sat-papeletas"


def test_the_words_asking_for_a_link_do_not_decide_which_service(shipped: Pipeline) -> None:
    # "link" says which point is wanted (the page), like "cuánto cuesta" or "horario"; "colegio" and "voto"
    # say which service. Weighed in full, "link" held the ONPE look-up back as a mere suggestion.
    reply = shipped.ask("pasame link pa ver en q colegio voto xfa")
    assert reply.outcome is Outcome.ANSWER and reply.entry_id == "onpe-consulta-electoral"
    assert aspects.cue_words("pasame link pa ver en q colegio voto xfa") == {"pasame", "link"}


@pytest.mark.parametrize(
    "question",
    ["hasta que dia son las inscripciones de beca 18 para la convocatoria 2026",
     "que dia pagan pension 65 este bimestre en cajabamba",
     "hasta cuando vence la primera cuota del predial 2026 en la municipalidad de piura"],
)
def test_a_day_or_deadline_the_entry_does_not_give_is_offered_not_answered(shipped: Pipeline, question: str) -> None:
    assert aspects.asked(question)[:1] == ["when"]
    reply = shipped.ask(question)
    assert reply.outcome is Outcome.SUGGEST and reply.uncovered


def test_a_validity_question_is_not_a_deadline() -> None:
    assert "when" not in aspects.asked("hasta cuando vence mi dni")


def test_how_many_days_of_validity_asks_how_long_it_is_valid_not_how_long_it_takes(shipped: Pipeline) -> None:
    assert aspects.asked("cuantos meses de vigencia tiene el certificado de antecedentes penales") == ["validity"]
    reply = shipped.ask("el certificado de antecedentes judiciales del inpe cuantos dias tiene de validez")
    assert reply.outcome is Outcome.ANSWER and reply.entry_id == "antecedentes-judiciales"


def test_a_trip_to_argentina_is_no_nationality_but_an_argentinian_asker_is_a_foreigner() -> None:
    assert "foreigner" not in aspects.asked("mi hija viaja a Argentina en mayo, cuanto dura su pasaporte")
    assert "foreigner" in aspects.asked("soy argentina y vivo en Arequipa, puedo sacar el sis")


def test_a_thing_asked_in_a_diminutive_is_read_as_its_word(shipped: Pipeline) -> None:
    # "platita" is money, which the entry talks about: asking whether there is some is not a point it omits.
    reply = shipped.ask("mi abuelo tiene 70 anos y nunca aporto, hay alguna platita del estado para el")
    assert reply.outcome is Outcome.ANSWER and reply.entry_id == "pension-65"


def test_an_office_of_another_place_compared_with_is_not_the_place_asked(shipped: Pipeline) -> None:
    reply = shipped.ask("como pago una papeleta que me pusieron en arequipa, hay descuento como en el sat de lima?")
    assert reply.outcome is not Outcome.ANSWER


def test_another_countrys_document_is_not_answered_by_the_peruvian_one(shipped: Pipeline) -> None:
    assert "foreign-document" in aspects.asked("vivo en Arica, como saco la licencia de conducir chilena?")
    assert "foreign-document" not in aspects.asked("como renuevo mi pasaporte peruano")
    reply = shipped.ask("vivo en Arica, como saco la licencia de conducir chilena?")
    assert reply.outcome is Outcome.SUGGEST and reply.uncovered


def test_a_thing_asked_by_an_acronym_that_is_also_a_word_is_found_in_its_entry(shipped: Pipeline) -> None:
    # "mac" is read folded in the thing asked ("is there a MAC ... in Piura"); the index knows it as MAC.
    reply = shipped.ask("Is there a MAC citizen service centre in Piura and where is it?", "en")
    assert reply.outcome is Outcome.ANSWER and reply.entry_id == "centros-mac-sedes"


@pytest.mark.parametrize(
    ("question", "aspect"),
    [("si dejo de pagar los arbitrios varios años, ¿la municipalidad me puede embargar la casa?", "seizure"),
     ("debo tres años de predial, ¿me pueden quitar mi terreno?", "seizure"),
     ("mi hijo viaja con su mamá, ¿para sacarle el pasaporte necesita mi autorización notarial?", "authorisation")],
)
def test_a_consequence_or_an_authorisation_the_entry_does_not_tell_is_offered(
    shipped: Pipeline, question: str, aspect: str
) -> None:
    assert aspect in aspects.asked(question)
    reply = shipped.ask(question)
    assert reply.outcome is Outcome.SUGGEST and reply.uncovered


def test_the_consequence_the_entry_tells_is_answered(shipped: Pipeline) -> None:
    # The SAT entry says unpaid tickets go to cobranza coactiva (account seizure).
    reply = shipped.ask("si no pago las papeletas del sat me pueden embargar?")
    assert reply.outcome is Outcome.ANSWER and reply.entry_id == "sat-papeletas"


def test_the_askers_own_private_body_is_the_subject_but_an_employer_is_only_context() -> None:
    assert "private" in aspects.asked("en mi empresa privada queremos una mesa de partes virtual para clientes")
    assert "private" not in aspects.asked("trabajo en una empresa privada y quiero saber si estoy en afp")


def test_the_childrens_entry_answers_only_a_question_that_speaks_of_a_child(shipped: Pipeline) -> None:
    adult = shipped.ask("cuanto demora reniec en entregar el dni renovado")
    assert adult.entry_id != "dni-menores"
    for question in ("en cuantos dias entregan el dni de mi nena", "cuanto demora el dni de mi hijito"):
        reply = shipped.ask(question)
        assert reply.outcome is Outcome.ANSWER and reply.entry_id == "dni-menores"


def test_asking_whether_someone_was_enrolled_is_a_look_up_not_how_to_join() -> None:
    assert "join" not in aspects.asked("quiero saber si mi empleador me afilio a una afp")
    assert "join" not in aspects.asked("como veo si ya me inscribieron en pension 65")
    assert aspects.asked("como me afilio al sis") == ["join"]


def test_asking_whether_they_sell_something_is_a_purchase_the_service_does_not_offer(shipped: Pipeline) -> None:
    question = "¿en el centro MAC de Plaza Norte venden celulares baratos?"
    assert "purchase" in aspects.asked(question)
    assert shipped.ask(question).outcome is not Outcome.ANSWER
    assert "where" in aspects.sibling_kinds("cual es la sede que me queda mas cerca")


def test_only_money_answers_how_much_is_given_and_being_in_a_country_is_abroad(shipped: Pipeline) -> None:
    # Beca 18 is free to apply for ("postulas gratis"), which says nothing of how much money it gives.
    assert not aspects.covers(shipped.kb.entries["beca-18"], "amount", "cuanto dinero da beca 18 al mes")
    assert aspects.covers(shipped.kb.entries["jne-multas"], "amount", "de cuanto es la multa por no votar")
    assert "abroad" in aspects.asked("puedo sacar mi certificado estando en españa")


def test_how_long_it_is_taking_is_a_duration_and_not_paying_the_fine_is_being_excused(shipped: Pipeline) -> None:
    assert "duration" in aspects.asked("cuanto esta demorando el tramite del pasaporte")
    assert "waiver" in aspects.sibling_kinds("no fui a votar, que hago pa no pagar la multa")
    reply = shipped.ask("no fui a votar porque estuve enfermo, que hago pa no pagar la multa")
    assert reply.outcome is Outcome.ANSWER and reply.entry_id == "jne-dispensa"


def test_a_job_offered_abroad_is_no_asker_abroad_and_any_cost_asks_the_cost(shipped: Pipeline) -> None:
    assert "abroad" not in aspects.asked("me salio un trabajo en españa y nunca he viajado, como saco el pasaporte")
    assert "abroad" in aspects.asked("trabajo en chile hace años, puedo renovar mi dni desde alla")
    # "¿Tiene algún costo?" asks the cost, not whether some thing called "costo" exists.
    reply = shipped.ask("quiero bajar el carne de vacunacion de mi hijo por internet, tiene algun costo?")
    assert reply.outcome is Outcome.ANSWER and reply.entry_id == "carnet-vacunacion" and reply.aspect == "cost"


def test_a_fee_conditioned_on_the_askers_case_is_read_for_that_case(shipped: Pipeline) -> None:
    # "DNI electrónico: S/ 33 (código 00522). Si tu DNI era azul, revisa el monto vigente...": the amount is
    # given for the electronic DNI, and only a referral for the blue one.
    azul = shipped.ask("se me perdio mi dni azul antiguo, cuanto cuesta sacar el duplicado")
    assert azul.outcome is Outcome.SUGGEST and azul.uncovered and azul.aspect == "cost"
    assert azul.candidates[0].id == "dni-duplicado"
    plain = shipped.ask("se me perdio mi dni, cuanto cuesta sacar el duplicado")
    assert plain.outcome is Outcome.ANSWER and plain.entry_id == "dni-duplicado" and plain.aspect == "cost"


def test_a_required_condition_the_asker_says_is_not_met_is_offered_as_not_covered(shipped: Pipeline) -> None:
    # "Que el acta esté digitalizada" and "DNI vigente" are conditions: the entries tell the case where they hold.
    for question, entry in [
        ("el acta de matrimonio de mis papas no esta digitalizada, como pido la copia certificada",
         "actas-certificadas"),
        ("mi dni no esta vigente, puedo sacar el duplicado por internet", "dni-duplicado"),
    ]:
        reply = shipped.ask(question)
        assert reply.outcome is Outcome.SUGGEST and reply.uncovered and reply.aspect == "condition", question
        assert reply.candidates[0].id == entry
    met = shipped.ask("como pido la copia certificada del acta de matrimonio de mis papas")
    assert met.outcome is Outcome.ANSWER and met.entry_id == "actas-certificadas"


@pytest.mark.parametrize(
    ("question", "aspect", "asked"),
    [
        # A mixed family: the one asked about may be Peruvian.
        ("Buenas tardes, les escribe Carla desde Trujillo. Mi esposo es venezolano y yo soy peruana, tenemos un "
         "bebé de dos meses que ya tiene su acta de nacimiento. ¿El bebé tiene que ir a la oficina de RENIEC para "
         "su DNI?", "foreigner", False),
        # A discount is the same for a foreigner: only whether one may, or what one needs, depends on it.
        ("Pregunto por mi vecino Carlos, colombiano de 40 años que maneja taxi en Comas y tiene tres hijos; le "
         "pusieron una papeleta el lunes en la avenida. Si la paga esta semana, ¿cuánto descuento le hacen?",
         "foreigner", False),
        ("Buenas tardes, mi cuñado Jorge es colombiano, tiene 70 años y vive en Comas hace veinte años con mi "
         "hermana, es muy pobre. ¿Puede cobrar Pensión 65?", "foreigner", True),
        # The asker lives abroad; the father asked about lives in Piura.
        ("Hola, vivo en España hace diez años con mi familia y les escribo desde Madrid. Mi papá tiene 70 años y "
         "vive en Piura; su DNI vence en mayo. ¿Puede renovarlo por internet?", "abroad", False),
        ("Buenas, mi hija Lucía tiene 25 años, vive en Chile hace cinco años y trabaja allá en un restaurante de "
         "Santiago. ¿Puede renovar su DNI por internet desde ahí?", "abroad", True),
        # A death told in the story, and a question about a phone call: nothing is asked of the death.
        ("Buenas tardes, mi abuela Rosa tiene 80 años y cobra Pension 65 en Huaraz; su esposo murio el mes pasado. "
         "Ayer la llamaron diciendo que eran del programa y le pidieron la clave de su tarjeta. ¿El programa llama "
         "asi a la gente?", "death", False),
        ("Buenas tardes, mi abuelo Ernesto cobraba Pension 65 en Huaraz y murio el mes pasado, lo enterramos en su "
         "pueblo. ¿Quien cobra el ultimo pago que le tocaba?", "death", True),
    ],
)
def test_a_nationality_or_country_in_the_story_is_the_point_only_for_the_one_asked_about(
    question: str, aspect: str, asked: bool
) -> None:
    assert (aspect in aspects.asked(question)) is asked


def test_doing_it_from_another_country_is_abroad_and_for_minors_asks_for_minors() -> None:
    assert "abroad" in aspects.asked("aporte a la onp, puedo cobrar mi pension desde estados unidos?")
    assert "abroad" not in aspects.asked("llegue desde venezuela hace dos anos, como saco mi carne de extranjeria")
    assert "minor" in aspects.asked("cuanto cuesta el duplicado del dni para menores")


def test_erasing_a_record_is_not_what_the_entry_showing_it_says(shipped: Pipeline) -> None:
    # The MTC entry shows the points; it does not say how to erase them.
    reply = shipped.ask("como borro los puntos de mi brevete, se puede limpiar el record?")
    assert reply.outcome is Outcome.SUGGEST and reply.uncovered
    assert "removal" not in aspects.asked("tengo que sacar antecedentes y pagar en el banco")  # getting, not erasing
    assert shipped.ask("como veo los puntos de mi brevete").entry_id == "mtc-record-conductor"


def test_a_discount_for_a_group_the_entry_never_names_is_not_covered(shipped: Pipeline) -> None:
    reply = shipped.ask("los jubilados tienen descuento en el predial o no")
    assert reply.outcome is Outcome.SUGGEST and reply.uncovered
    assert "group-benefit" in aspects.asked("¿Qué beneficio tienen los pensionistas en el impuesto predial?")
    assert "group-benefit" not in aspects.asked("¿hay descuento en el predial si pago antes?")


def test_from_outside_peru_is_abroad_and_not_going_asks_the_penalty() -> None:
    assert "abroad" in aspects.asked("¿Se puede renovar el carné de extranjería desde fuera del Perú?")
    assert "cost" in aspects.asked("me salio q era miembro de mesa y no fui, cuanto me toca pagar o q hago")
    assert "penalty" in aspects.asked("no fui a la mesa xq me enferme, q hago?")


def test_a_place_said_to_be_not_the_one_is_not_the_place_asked(shipped: Pipeline) -> None:
    # "no es de Lima": the ticket is Cusco's, and the SAT entry is Lima's.
    reply = shipped.ask("papeleta en cusco como la pago, no es de lima")
    assert reply.entry is None
    assert shipped.ask("papeleta en lima como la pago").entry_id == "sat-papeletas"


def test_a_fine_for_not_going_is_the_penalty_not_a_fee_and_a_discount_is_no_cost(shipped: Pipeline) -> None:
    reply = shipped.ask("el dia de las elecciones estaba en el hospital con mi papa, no pude votar, me van a cobrar?")
    assert reply.entry_id in {"jne-dispensa", "jne-multas"}
    assert "cost" not in aspects.asked("si pago la papeleta pronto, ¿me cobran menos?")
    assert "cost" in aspects.asked("cuanto me cobran por el duplicado del dni")


def test_a_street_named_after_a_department_is_not_that_department(shipped: Pipeline) -> None:
    # Avenida Abancay is a street of Lima: the SAT's ticket, not another region's.
    reply = shipped.ask("me pusieron una papeleta en la avenida abancay, como la pago")
    assert reply.entry_id == "sat-papeletas"
    assert shipped.ask("me pusieron una papeleta en abancay, como la pago").entry is None


def test_asking_whether_some_mechanism_exists_asks_for_the_service_itself(shipped: Pipeline) -> None:
    # "¿existe algún mecanismo / sistema para...?" names no thing the entry must hold: the service is the way.
    reply = shipped.ask("temo que falsifiquen mi firma para vender mi casa, ¿existe algún mecanismo para avisarme?")
    assert reply.entry_id == "alerta-registral"
    assert aspects.thing_asked("¿existe algún curso para limpiar los puntos?") == "curso"


def test_how_many_days_one_has_to_do_something_is_the_deadline_not_the_duration() -> None:
    late = aspects.asked("ahora me dicen q tengo multa, cuantos dias tengo pa pagar?")
    assert "when" in late and "duration" not in late
    assert list(aspects.asked("cuanto tiempo tengo para renovar mi brevete")) == ["when"]
    assert list(aspects.asked("cuantos dias demora el duplicado")) == ["duration"]


def test_someone_without_insurance_needs_to_join_and_a_look_up_is_checking(shipped: Pipeline) -> None:
    reply = shipped.ask("un joven no tiene seguro de ningún tipo, se cayó de la moto, ¿cómo se atiende gratis?")
    assert reply.entry_id != "sis-consulta"  # the look-up does not say how to get insured
    checking = shipped.ask("en la posta me dijeron q mi hija no tiene seguro, como reviso yo misma")
    assert checking.entry_id == "sis-consulta"
    assert "join" not in aspects.sibling_kinds("como veo si sigo en el sis, mi mama me afilio de chiquito")


def test_closing_down_a_registration_and_a_poll_workers_absence_are_their_own_points() -> None:
    assert "deregister" in aspects.asked("ya no trabajo independiente, como doy de baja mi ruc?")
    assert "deregister" not in aspects.asked("quiero dar de baja el dni de mi papa fallecido")
    absent = aspects.asked("a mi papa lo sortearon para la mesa de votacion pero estaba en la mina y no pudo ir")
    assert "penalty" in absent
    assert "when" in aspects.asked("cuando depositan a los miembros de mesa?")


def test_how_do_i_get_in_is_joining(shipped: Pipeline) -> None:
    reply = shipped.ask("mi compadre dice que con el sis ya no pagas nada en la posta, ¿cómo me meto yo?")
    chosen = reply.entry or reply.candidates[0]
    assert chosen.id == "sis-afiliacion"
