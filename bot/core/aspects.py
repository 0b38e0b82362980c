"""What exactly a question asks about a service (its cost, its office hours...) and whether an entry says it.

An entry can be the right service and still not hold the answer: "¿a qué hora abren?" about an
entry with no opening hours. Presenting it as *the* answer then misleads the citizen, so the
pipeline offers it as the closest help and says honestly that this point is not covered.

Coverage is read from the entry's own answer fields (cost, requirements, steps, channels...), so
content staff rarely need to declare anything; `not_covered: [hours]` on an entry says it explicitly.
Cues are matched on folded text (lowercase, no accents, chat slang spelled out).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

import yaml

from bot.core.asking import MIN_STORY_WORDS, asking_pieces
from bot.core.literals import HeldTexts, Needs, lacks, required_literals
from bot.core.models import Entry
from bot.core.normalize import STOP_WORDS, fold, longest_first, stem, words


@dataclass(frozen=True)
class Aspect:
    name: str
    asked: re.Pattern[str]  # on the folded question
    # On the entry's folded answer texts; None: the word the question used must appear there.
    said: re.Pattern[str] | None
    channels: frozenset[str] = frozenset()  # channel kinds that by themselves cover the aspect
    # On the entry's folded title: the entry is about something else ("renovación" when asked for the
    # first time, "consulta" when asked how to join); then the aspect is not covered.
    contrary: re.Pattern[str] | None = None
    # Texts one of which every match of `asked` holds (see bot.core.literals): read off the pattern.
    needs: Needs | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "needs", required_literals(self.asked))

    def is_asked(self, text: str, held: frozenset[str] | None = None) -> bool:
        """Whether the folded `text` asks this aspect. A text holding none of the words a match needs is
        not searched: most questions ask no aspect, and 45 searches cost more than the matching itself.
        `held`: the needs of all aspects `text` holds (`_held`), when worked out already."""
        if held is None:
            if lacks(text, self.needs):
                return False
        elif self.needs is not None and held.isdisjoint(self.needs):
            return False
        return self.asked.search(text) is not None


def _re(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"\b(?:{pattern})\b")


# A verb right after "cuántos/as" ("¿cuántas fueron?", "¿cuántos hay?"): the thing counted is elided.
_COUNT_VERB = re.compile(r"fueron|son|eran|hay|habia|hubo|seran|quedan|tienen|tiene|van|existen")
_ANY = re.compile(r"")
_TIMES = "dias|horas|meses|semanas|minutos|anos|days|hours|months|weeks|minutes|years"  # how long: see "duration"
# Spans of time, and how a question asks how long something stays valid (not how long it takes).
_SPAN = r"(?:dias|horas|minutos|semanas|meses|days|hours|minutes|weeks|months)"
_VALID = r"(?:\w+ )?(?:vale|valen|es valid[oa]|son valid[oa]s|dura|duran|tiene vigencia|tiene validez|esta vigente)"
_SPAN_WORDS = (
    r"(?:demora|tarda|toma|takes?) (?:unos |hasta |about |up to )?(?:un|una|a|an) (?:dia|hora|semana|mes|day|hour|week)"
)
# Where Peruvians abroad most often live and write from (the lists of consulates' largest communities).
# "trabajo" as the asker's verb ("trabajo en Chile"), not the noun ("me salió trabajo en España", "un trabajo en").
_WORK_VERB = r"(?<!salio )(?<!consegui )(?<!un )(?<!mi )(?<!el )(?<!de )(?<!por )(?<!tengo )trabajo"
_COUNTRIES = (
    r"espana|italia|chile|argentina|estados unidos|eeuu|japon|venezuela|colombia|ecuador|bolivia|brasil|"
    r"mexico|canada|alemania|francia|inglaterra|reino unido|suiza|australia|corea|china|holanda|belgica|suecia|"
    r"panama|costa rica|uruguay|paraguay|portugal|europa|"
    # their largest cities, as a migrant writes where they are ("ahorita estoy en Bogotá")
    r"bogota|medellin|caracas|quito|guayaquil|buenos aires|santiago de chile|sao paulo|madrid|barcelona|milan|"
    r"roma|turin|miami|nueva york|new york|paterson|los angeles|tokio|la paz"
)
# Without insurance ("no tiene seguro de ningún tipo", "sin ningún seguro"): who needs to join, not to check.
_WITHOUT_INSURANCE = (
    r"(?:no|ni) (?:tengo|tiene|tenemos|tienen|cuento con|cuenta con) (?:\w+ ){0,2}seguro|sin (?:ningun )?seguro"
)
# The title of an entry for getting one's own ("Sacar tu RUC", "Afiliarte al SIS", "Crear tu Clave SOL").
_GETTING_TITLE = _re(r"sacar|saca|obten\w*|inscrib\w*|inscripcion|crear|afiliar\w*|tramitar|get|join")
AMOUNT = r"s \d+|\d+ soles|usd \d+|gratuit[oa]s?|gratis|sin costo|no tiene costo|no cuesta|free|no cost"
MONEY = r"s \d+|\d+ soles|usd \d+|\d+ (?:dolares|dollars|euros)"
ASPECTS: tuple[Aspect, ...] = (
    Aspect(
        "cost",
        _re(
            r"cuanto (?:cuesta|cuestan|sale|salen|cobran|cobra|vale|es el (?:pago|costo|precio)|hay que pagar|"
            r"se paga|pago|(?:esta|estan) (?:costando|cobrando|saliendo))|"
            r"cuanto (?:voy|vamos|va|van|tengo|tendre|tendria) (?:a |que )?pagar|cuanto pagaria|"
            r"cuanto (?:me|nos|le|les|te) (?:toca|tocaria|tocara) pagar|"
            # "me cobraron de más" tells what happened, it asks no fee; "¿me cobran menos?" asks a discount
            r"costo|precio|tarifa|(?:me|nos|te|les|le) (?:van a |vas a )?cobra(?:n|r|ran|rian|ria)\b(?! mas| menos)|"
            r"cobran algo|"
            # "¿cuánto está la renovación?" (what it costs now); "¿cuánto es la tasa / el impuesto predial?"
            r"cuanto (?:esta|estan) (?:ahorita |ahora |actualmente |hoy |hoy en dia )?(?:el|la|los|las|mi|su)\b|"
            r"cuanto (?:es|son|seria|serian|esta|estan) (?:el|la|los|las) (?:\w+ )?"
            r"(?:tasa|derecho|impuesto|tributo|arbitrio)s?\b|(?:cual es|de cuanto es) la tasa\b|"
            r"es (?:gratis|gratuito)|tiene (?:algun )?costo|how much|what s the fee|what is the fee|the fee for|"
            r"price|cost of|is it free"
        ),
        _re(AMOUNT),
    ),
    Aspect(
        "amount",
        _re(r"cuanto (?:dinero|plata)|cuanto (?:le |les |me |te |nos )?(?:van a pagar|pagan|dan|recibe|reciben)|"
            r"(?:de )?cuanto es (?:exactamente |ahora |actualmente |realmente |en soles |en plata )?(?:la|el|mi|su) "
            r"(?:pension|bono|monto|subsidio|pago|sueldo|multa|sancion|deuda)|"
            # "me equivoqué en el monto del comprobante" tells a mistake, it asks no amount
            r"(?:cual es|que|de cuanto es|saber) (?:el )?monto|"
            r"monto (?:de|del) (?:la |el |mi |su )?(?:pension|bono|subsidio|apoyo|pago|beca)|"
            r"cuanto (?:me |le |les |nos |te )?(?:va a |van a )?tocar|cuantos soles|cuanto es ahora en soles|"
            r"(?:multa|sancion|pension|bono) (?:\w+ ){0,5}cuanto es|"
            r"(?:cual es|de cuanto es) (?:la|el) (?:multa|sancion|monto|pago|bono|pension) exact[oa]|"
            r"(?:multa|sancion|monto|pago) exact[oa]|"
            r"how much (?:money|do they pay)"),
        # Only money answers how much is given or owed: "postulas gratis" says nothing of a grant's amount.
        _re(MONEY),
    ),
    Aspect(
        "requirements",
        _re(r"requisitos?|que (?:documentos|papeles) (?:necesit\w*|pid\w*|llev\w*|deb\w*|hay que)|requirements|"
            r"what do i need"),
        None,
    ),
    # "¿me atienden igual?" asks whether they will see the citizen, not at what time.
    # "¿Qué entidades atienden en el MAC?" asks who serves there; "atienden" asks a time only next to one.
    Aspect("hours", _re(r"horarios?|a que hora|hasta que hora|(?:cuando|que dias) (?:\w+ )?atienden|"
                        r"atienden (?:hoy|manana|de noche|en la tarde|en la manana|todo el dia|los fines|el fin)|abren|"
                        r"cierran|que dias (?:atiende|abre)n?|"
                        r"(?:atiende|abre)n? (?:los |el )?(?:sabados?|domingos?|feriados?)|opening hours|what time"),
           _re(r"\d{1,2}(?: \d\d)? ?(?:am|pm|h)|a las \d{1,2}(?: \d\d)?|horarios?|lunes a|24 horas|opening hours")),
    Aspect("phone", _re(r"(?:numero|linea) (?:de )?(?:telefono|whatsapp|contacto|atencion)|"
                        r"telefono de (?:contacto|atencion)|cual es el (?:telefono|correo)|a que numero|llamar|"
                        r"correo electronico de|phone number|whatsapp number|number to call"),
           None, frozenset({"telefono", "whatsapp", "correo"})),
    # What the authorities may do to the citizen or their goods ("¿me pueden embargar o rematar la casa?"):
    # only an entry telling that consequence answers it.
    Aspect("seizure", _re(r"embarg\w+|remat\w+|desaloj\w+|cobranza coactiva|seize\w*|evict\w*|"
                          # Not a story's fraud ("le quisieron quitar su casa con papeles falsos").
                          r"(?<!quisieron )(?<!intentaron )(?<!trataron de )"
                          r"(?:quitar|quitarme|quitan|quitaran|quite|quiten) (?:mi |mis |la |las |el |los |su |sus )?"
                          r"(?:casa|casita|terreno|propiedad|vivienda|inmueble|carro|auto|moto|local|departamento)s?"),
           _re(r"embarg\w+|remat\w+|desaloj\w+|cobranza coactiva|seiz\w+|evict\w*")),
    # A parent's or a notary's authorisation ("¿necesita mi autorización notarial?"): only an entry saying
    # whose authorisation is needed answers it.
    Aspect("authorisation", _re(r"autorizacion (?:notarial|de viaje|del (?:padre|papa)|de la (?:madre|mama)|"
                                r"de (?:mi|su|tu) (?:padre|madre|papa|mama|esposo|esposa)|de ambos)|"
                                r"(?:permiso|poder) notarial|carta poder|notarized|"
                                # "¿el papá tiene que firmar algún permiso?", "permiso del papá para viajar"
                                r"(?:padre|papa|madre|mama) (?:\w+ ){0,3}(?:firmar|firme|autorizar|autorice|"
                                r"dar (?:su |el )?permiso|de (?:su |el )?permiso)|"
                                r"(?:permiso|autorizacion|firma) (?:\w+ ){0,2}"
                                r"(?:del (?:padre|papa)|de la (?:madre|mama))|"
                                r"parental (?:consent|authori[sz]ation)"),
           _re(r"autoriza\w*|notari\w*|carta poder|poder (?:notarial|simple)|consent\w*|authori[sz]\w*")),
    # A private body's own service ("en mi empresa privada queremos una mesa de partes", a private clinic
    # asked about): a state entry answers it only when it speaks of private bodies. "Trabajo en una empresa
    # privada" only tells who asks.
    Aspect("private", _re(r"(?:mi|mis|nuestra|nuestras|nuestro) (?:empresa|clinica|universidad|colegio|institucion|"
                          r"compania|negocio)s? (?:privad[ao]s?|particular(?:es)?)|"
                          r"(?:en|de) (?:la|una) clinica (?:privada|particular)|"
                          r"de (?:la|mi) (?:universidad|clinica|colegio|instituto|academia|empresa) "
                          r"(?:privad[ao]|particular)\b|our private (?:company|business)"),
           _re(r"privad\w*|particular\w*|private")),
    # Another country's document ("la licencia de conducir chilena", "un pasaporte de Italia"): only an entry
    # naming that country says how to get it; a Peruvian document is no answer.
    Aspect("foreign-document",
           _re(r"(?:licencia|brevete|pasaporte|cedula|dni|documento|carnet|carne|partida|acta|visa|permiso)"
               r"(?: de conducir| de manejo| de identidad| de nacimiento)? "
               r"(?:(?:chilen|argentin|bolivian|ecuatorian|colombian|venezolan|brasilen|mexican|italian|"
               r"american|estadounidense|gring|espanol|uruguay|paraguay)[oa]?s?|"
               rf"(?:de|del) (?:{_COUNTRIES}))"),
           None),
    # Paid or issued in another currency ("¿puedo emitir el recibo en dólares?"): only an entry naming it says so.
    Aspect("currency", _re(r"en (?:dolares|euros|moneda extranjera|otra moneda)|in (?:dollars|euros)|"
                           r"(?:foreign|another) currency"),
           _re(r"dolar\w*|euros?|usd|moneda extranjera|dollars?|foreign currency")),
    # "¿Cuál es la página de Pensión 65?": an entry whose only address is gob.pe's home page (the state's
    # portal, where every service is listed) does not give the service's own page; see _own_page.
    Aspect("link", _re(r"(?:pasame|pasen|me pasan|me pasas|dame|denme|me das|me dan|tienes|tienen|hay|cual es) "
                       r"(?:el |un |algun )?(?:link|enlace|url)|"
                       r"(?:cual|que) es (?:la|el) (?:pagina|sitio|direccion|portal|web)(?: web| oficial| exacta)?|"
                       r"(?:pagina|direccion|sitio) (?:web )?exacta|website|web address"),
           None),
    Aspect(
        "when",
        _re(r"en que (?:mes|fecha|dia)|"
            r"hasta que (?:fecha|dia) (?:puedo|podemos|se puede|tengo|tenemos|hay|son|es|van|vencen?|cierran?)|"
            r"que dia (?:pagan|pagaran|depositan|cobran|salen?|abren?|cierran?|vencen?|empiezan?)|"
            r"hasta cuando vencen? (?:el|la|los|las) (?:primer[ao]?|segund[ao]|ultim[ao]|plazo|cuota|pago|declaracion|"
            r"inscripcion)\w*|"
            r"que fecha (?:sale|abre|empieza|inicia|es)|fecha (?:limite|de inicio|de cierre)|"
            r"plazo|desde (?:que|cuando)(?! edad)|a partir de (?:que|cuando)(?! edad)|"
            r"cuant[oa]s? (?:tiempo|dias|semanas|meses) (?:tengo|tenemos|tienes|tiene|hay) (?:para|pa)|"
            r"hasta cuando(?! (?:vence|vencen|esta|estara|tengo|dura|es valid))|since when|"
            r"(?<!hasta )cuando (?:sale|salen|abre|abren|empieza|inicia|cierra|depositan|depositaran|abonan|pagan|"
            r"pagaran|vence(?! (?:mi|mis|tu|su)\b)|"
            r"es la (?:proxima|siguiente))|"
            r"cuando se (?:abre|abren|inicia|inician|cierra|cierran|publica|publican|lanza|convoca)|"
            r"cuando (?:sera|seran|es|son) (?:el|la|los|las) (?:proxim|siguiente)\w*|"
            r"proxima (?:convocatoria|edicion|reunion|sesion|fecha)|deadline"),
        _re(r"enero|febrero|marzo|abril|mayo|junio|julio|agosto|setiembre|septiembre|octubre|noviembre|diciembre|"
            r"plazo|\d+ dias|hasta el|por anunciar|por confirmar|sin fecha|to be announced|january|february|march|"
            r"april|june|july|august|september|october|november|"
            # Where the dates are published answers "¿qué día pagan?" ("la fecha de pago se ve en la app").
            r"(?:fecha|fechas|cronograma|calendario)s? (?:\w+ ){0,4}(?:se ven?|se consultan?|se publican?|aparecen?)\b|"
            r"(?:revisa|consulta|mira|ve) (?:la |las |el )?(?:fecha|fechas|cronograma|calendario)\b|"
            # A look-up that shows the dates ("te muestra las fechas de inicio y fin") tells until when.
            r"fechas? de (?:inicio|fin|vencimiento|caducidad)\b"),
    ),
    Aspect(
        "duration",
        _re(rf"cuanto (?:tiempo )?(?:demora|tarda|se demora|toma|esta demorando|esta tardando)|"
            rf"(?<!cada )cuanto tiempo(?! {_VALID}| (?:tengo|tenemos|tienes|tiene|hay) (?:para|pa))|"
            # "¿cuántos días tengo para pagar?" asks the deadline ("when"), not how long it takes
            r"cuantos dias(?! (?:tengo|tenemos|tienes|tiene|hay) (?:para|pa))|"
            r"cuant[oa]s (?:horas|dias|semanas|meses|anos) (?:\w+ )?(?:demora|demoran|tarda|tardan|toma|se demora)|"
            r"en cuanto tiempo|en cuant[oa]s (?:horas|dias|semanas|meses|anos)|how long(?! is it valid)|"
            r"plazo (?:maximo|legal)(?: que (?:\w+ )?(?:la ley|la norma))? para (?:que|dar|otorgar|entregar|resolver|"
            r"responder|atender)"),
        # How long the procedure takes, not any span: "vale 90 días", "dura 10 años", "65 años", "las 24
        # horas" and "que no venza en los próximos 60 días" say nothing of it.
        _re(rf"(?:en|tarda|tardan|demora|demoran|toma|dentro de|within|in|takes?) (?:unos |hasta |about |up to )?"
            rf"\d+ {_SPAN}|{_SPAN_WORDS}|inmediat\w*|al instante|mismo dia|en el dia|immediately|same day"),
    ),
    # How long before something must be done ("¿con cuánto tiempo de anticipación cambio la cita?"): not how
    # long the procedure takes.
    Aspect("advance", _re(r"cuant[oa] (?:tiempo )?(?:de |con )?anticipacion|cuant[oa]s? (?:horas|dias|semanas) antes|"
                          r"how (?:far|long) in advance"),
           _re(r"\d+ (?:horas|dias|semanas) (?:de anticipacion|antes)|(?:hours|days|weeks) in advance")),
    Aspect(
        "validity",  # how long a certificate or card stays valid: not how long getting it takes
        _re(rf"(?:cuanto tiempo|cuanto) {_VALID}|cada cuanto|cuant[oa]s (?:dias|semanas|meses|anos) {_VALID}|"
            r"(?:cuanto tiempo|cuant[oa]s (?:dias|semanas|meses|anos)) (?:\w+ ){0,3}de (?:validez|vigencia)|"
            r"(?:cuanto|que) (?:tiempo de )?vigencia|"
            r"how long is it valid|how long does it last"),
        _re(r"(?:vale|valen|valido|valida|dura|duran|vigencia de|vigente por|valid for|lasts?|cada|por) "
            r"(?:\d+|un|una|dos|tres|cuatro|cinco|seis|diez) "
            r"(?:dias|semanas|meses|mes|anos|ano|days|weeks|months|years|year)"),
    ),
    # "Argentina" is also the country: "viaja a Argentina" is a trip, "soy argentina" a nationality.
    Aspect("foreigner", _re(r"(?<!el )(?<!al )extranjer[oa]s?|foreigners?|foreign national|"
                             r"(?<!\ba )(?<!\ben )(?<!\bde )(?<!para )(?<!hacia )(?<!desde )(?<!por )"
                             r"(?:venezolan|colombian|bolivian|ecuatorian|chilen|argentin|brasilen|haitian|cuban|"
                             r"mexican|paraguay|urugua|dominican)(?:[oa]s?)|"
                             r"espanol(?:a|es|as)? (?:residente|que vive)"),
           _re(r"extranjer\w*|foreign\w*")),
    # "desde aquí" is abroad only when the message names another country ("vivo en Italia... desde aquí";
    # "vivo en Lima y quiero ayudarla desde aquí" is not).
    Aspect("abroad", _re(r"desde el extranjero|"
                         rf"(?:vivo|estoy|resido|radico|vivimos|estamos|me encuentro|{_WORK_VERB}|trabajamos|"
                         r"vive|esta|reside|trabaja) (?:\w+ )?en el extranjero|desde (?:alla|alli)|"
                         r"desde (?:fuera|afuera) del (?:pais|peru)|desde otro pais|desde el exterior|"
                         rf"(?:(?:vivo|estoy|resido|radico|vivimos|estamos|{_WORK_VERB}|trabajamos|vive|viven|"
                         rf"reside|residen|esta|trabaja|estando|viviendo|residiendo|radicando|trabajando|estudiando) "
                         rf"en (?:{_COUNTRIES}))|"
                         # "¿me sirve para manejar en Argentina?", "¿vale para viajar a Brasil?"
                         rf"(?:sirve|vale|valido|valida|aceptan|acepta) (?:\w+ ){{0,4}}(?:en|a|para) "
                         rf"(?:{_COUNTRIES})\b|"
                         rf"(?:{_COUNTRIES})\b.*\bdesde (?:aqui|aca)|"
                         rf"(?:vivo|estoy|resido|radico|vivimos|estamos|{_WORK_VERB}) (?:\w+ )?fuera del pais|"
                         # "¿puedo postular para estudiar en una universidad de Argentina?"
                         rf"(?:estudiar|estudio|estudie|trabajar|trabaje|usarla|usarlo|usar) (?:\w+ ){{0,4}}(?:en|de) "
                         rf"(?:{_COUNTRIES})\b|"
                         # what happened there: "me pusieron una multa manejando un auto en Santiago de Chile",
                         # "me puse varias vacunas en Venezuela"
                         rf"(?:manejando|manejaba|maneje|conduciendo|me pusieron|me multaron|me puse|me vacune|"
                         rf"me vacunaron|me operaron|me atendieron) (?:\w+ ){{0,6}}en (?:{_COUNTRIES})\b|"
                         r"(?:viajar|volver|regresar) (?:a|al) peru|consulado|abroad|"
                         # "¿puedo cobrar mi pensión desde Estados Unidos?" (not "llegué desde Venezuela").
                         r"(?:cobrar|cobro|pagar|pago|tramitar|renovar|sacar|hacer|hacerlo|votar|pedir|solicitar|"
                         rf"recibir|inscribir\w*|afiliar\w*) (?:\w+ ){{0,4}}desde (?:el |los )?(?:{_COUNTRIES})\b"),
           _re(r"extranjero|exterior|consulados?|abroad")),
    Aspect("minor", _re(r"menor(?:es)? de edad|recien nacid[oa]|(?:de|para) (?:mi|un|una) (?:bebe|nino|nina)|"
                        r"(?:para|de) (?:los |las )?menores\b|"
                        r"for (?:my|a) (?:child|baby)|minors?"),
           _re(r"menor(?:es)?|nin[oa]s?|bebes?|recien nacid\w*|child\w*|minors?")),
    # "mi abuelo cobraba Pensión 65 y falleció": what happens after a death (to the benefit, the pension,
    # the document) is a case of its own that an entry never mentioning death does not answer.
    Aspect("death", _re(r"(?<!se )(?<!se me )(?:fallecio|fallecida|fallecido|fallece|fallecen|fallecimiento|murio|"
                        r"muere|mueren|difunt[oa]|sepelio|velorio|passed away|died)"),
           _re(r"fallec\w*|muert\w*|defuncion\w*|difunt\w*|sepelio|herencia|hereder\w*|deceased|death\w*")),
    # What an inheritance asks ("¿cómo paso a mi nombre la herencia?"), read in the asking part only: a
    # story's "mi casa, herencia de mis padres" tells where the house came from.
    Aspect("inheritance", _re(r"herencia|heredar|heredero|herederos|heredad[oa]|inheritance|inherit\w*"),
           # An entry speaking of the death itself (the death certificate, the last payment) answers it too.
           _re(r"fallec\w*|muert\w*|defuncion\w*|difunt\w*|herencia|hereder\w*|sucesion\w*|deceased|death\w*|"
               r"inheritance|heir\w*")),
    Aspect("first-time", _re(r"por primera vez|first time"), None,
           contrary=_re(r"renov\w*|duplicad\w*|revalid\w*|record|consulta\w*|estado|renew\w*|duplicate|check\w*")),
    Aspect("join", _re(r"afili(?:o|ar|arme|arse|arte|arlo|arla|arnos|e|en|amos)|"
                       r"inscrib(?:o|ir|irme|irse|irte|irlo|irla|irnos|e|en|imos|a|an|amos)|"
                       r"(?:entrar|entre|entremos|ingresar|ingrese|ingresemos) (?:al|a la) (?:programa|padron)|"
                       r"(?:me|nos|te) registro|registrarme|registrarse|registrarte|"
                       # "¿cómo lo meto al SIS?": enrolling someone, in chat
                       r"(?:lo|la|los|las|me|nos|te) (?:meto|metemos|meter|metes|meta) (?:al|a la|a|en) |"
                       r"como (?:me|lo|la|nos) (?:meto|metemos|meter|meta)\b|"
                       r"enrol(?:l|l me)?|sign up|join"),
           _re(r"afilia\w*|inscri\w*|registr\w*|postul\w*|enrol\w*|sign up|apply"),
           contrary=_re(r"consulta\w*|check\w*")),
    # Checking how something stands ("¿cómo veo si está en regla?", "saber si sigue activo"): an entry for
    # getting one's own (its title: "Sacar tu RUC", "Afiliarte al SIS") does not say how to check another's.
    Aspect("check", _re(r"(?:veo|ver|verificar|verifico|consultar|consulto|comprobar|compruebo|saber|se|chequear) si "
                        r"(?:\w+ ){0,4}(?:esta|estan|existe|existen|sigue|siguen) (?:\w+ )?(?:en regla|activ[oa]s?|"
                        r"vigentes?|habid[oa]s?|formal(?:es)?|al dia)"),
           None, contrary=_GETTING_TITLE),
    # The asker has it already ("ya tengo mi RUC, ¿cómo le doy un comprobante?"): the entry for getting one is
    # not what is asked.
    Aspect("already", _re(r"ya (?:tengo|tiene|tenemos|cuento con|cuenta con|saque|sacamos) "
                          r"(?:mi|su|el|la|un|una|mis|sus) "
                          r"(?P<thing>ruc|numero de contribuyente|numero tributario|clave sol|dni|pasaporte|carne|"
                          r"licencia|brevete|seguro|sis|cuenta)"),
           None, contrary=_GETTING_TITLE),
    # "¿cómo pago una multa?" asks how to pay, not what the penalty is.
    Aspect("penalty", _re(r"(?<!pagar una )(?<!pagar la )(?<!pagar mi )(?<!pagar mis )(?<!pago la )(?<!pago mi )"
                          r"(?<!pago una )multas?|sancion\w*|sancionan|penalidad\w*|me bloquean|que pasa si|penalt\w+|"
                          # "no fui (a la mesa) porque me enfermé, ¿cuánto me toca pagar o qué hago?"
                          r"no (?:fui|asisti|vote|me presente|llegue|pude (?:votar|ir|asistir|llegar))\b(?: \w+){0,10} "
                          r"(?:pagar|pago|cobrar|cobran|que hago)|"
                          # a poll worker or voter who did not go: what follows is the fine or its waiver
                          r"(?:mesa|votar|votacion|elecciones?|sufragio)\b(?: \w+){0,12} no (?:pude|pudo|pudimos|"
                          r"pudieron) (?:ir|votar|asistir|llegar)|no (?:fui|fue|pude ir|pudo ir) a votar"),
           _re(r"multas?|sancion\w*|penalidad\w*|infraccion\w*|papeletas?|penalt\w+")),
    # "nota mínima", "nota o puesto mínimo", "¿qué promedio de notas piden como mínimo?"
    Aspect("grade", _re(r"(?:nota|notas|puntaje|promedio|calificacion)(?: \w+){0,3} minim[oa]|"
                        r"que (?:nota|puntaje|promedio)(?: de notas)? "
                        r"(?:necesito|piden|se necesita|hay que sacar)|minimum (?:grade|score|mark)"),
           _re(r"(?:nota|puntaje|promedio|calificacion) minim[oa]|(?:puntaje|promedio|nota) de \d+|\d+ puntos")),
    # A pet as the one the procedure is for ("vacunas para mi perro", "el DNI de mi gato", "qué necesita mi
    # gato para viajar"): a citizen's service never answers it unless the entry speaks of animals. A pet in
    # the story ("mi perro mordió mi DNI") is not asked about.
    Aspect("animal", _re(r"(?:para|de|del|con|a|necesita|necesitan|requiere|lleva|llevar) (?:mi|mis|su|sus|un|una|el|"
                         r"la|los|las|nuestro|nuestra) (?:gat|perr|cachorr)(?:o|a|os|as|ito|ita|itos|itas)\b|"
                         r"(?:para|de|del|con|a) (?:mi|mis|su|sus|una|la|las) mascotas?|"
                         r"(?:for|of|with) (?:my|a|the) (?:cat|dog|pet|puppy|kitten)s?"),
           _re(r"mascota\w*|animal\w*|perr[oa]s?|gat[oa]s?|veterinari\w*|pets?|animals?|dogs?|cats?")),
    Aspect("payment-code", _re(r"codigo de pago|payment code"), _re(r"codigo \d+|code \d+")),
    Aspect("purchase", _re(r"(?:como|donde) (?:\w+ )?(?:compro|comprar|se compra|adquiero)|"
                           r"(?:venden|se vende|se venden|hay venta de)|"
                           r"(?:how|where) (?:do i|to|can i) buy"),
           _re(r"compr\w*|venta|vend\w*|adquiri\w*|buy")),
    Aspect("payment-method", _re(r"con (?:tarjeta|yape|plin|efectivo|paypal)|comision\w*"), None),
    Aspect("refund", _re(r"devuelvan|devuelven|me devuelve|devolver (?:el|mi|la) (?:dinero|pago|plata)|"
                          r"devolucion de (?:mi|la|el) (?:pago|dinero|plata)|reembols\w+|refund"),
           _re(r"devol\w+|reembols\w+|refund\w*")),
    Aspect("legalisation", _re(r"apostill\w+|legaliz\w+|me lo aceptan|lo aceptan en|valid[oa] en"),
           _re(r"apostill\w+|legaliz\w+|valid\w* en el extranjero")),
    # Getting out of a state the citizen is in ("¿qué hago para volver a estar habido?", "¿cómo salgo de la
    # lista?", "levantar la suspensión"): the entry must say how; explaining the state is not that.
    Aspect("remedy", _re(r"(?:volver a (?:estar|ser|quedar)|dejar de (?:estar|ser|figurar|aparecer)|"
                         r"salir de (?:la condicion|la lista|esa condicion|esa lista|ese estado|no habido)|"
                         r"levantar (?:la|el|esa|ese) (?:suspension|bloqueo|condicion|observacion)|"
                         r"regularizar (?:mi|la|el|esa|ese|su))"),
           _re(r"regulariz\w*|levantar\w*|volver a (?:estar|ser)|dejar de|salir de|rehabilit\w*|subsan\w*")),
    Aspect("correction", _re(r"corrij\w*|correg\w*|rectific\w*|correccion|(?:hay|tiene) un error|"
                             r"(?:como|donde|a quien) (?:pido|solicito|hago) (?:que|para que) "
                             r"(?:la |lo |las |los |me )?"
                             r"(?:agreguen|anadan|actualicen|incluyan|registren|corrijan|cambien|modifiquen)|"
                             r"(?:sale|aparece|esta) mal (?:escrito|mi|el|la)|"
                             r"no (?:aparece|aparecen|figura|figuran|sale|salen) (?:\w+ )?en (?:el|la|mi|su) "
                             r"(?:sistema|registro|padron|lista|carne|certificado|pagina|web|consulta|historial)|"
                             r"correct(?:ed|ion)?|"
                             r"fix (?:a|an|the) (?:error|mistake)"),
           _re(r"corregir|corrige|correccion\w*|rectific\w*|error\w*|actualiza\w*|correct\w*")),
    Aspect("appeal", _re(r"(?:hacer|hago|presentar|presento) (?:el |un |mi )?descargo|"
                         r"descargo (?:de|contra) (?:una|la|mi)|apel(?:o|ar|acion)|impugn\w*|reconsideracion|"
                         r"injust[oa]|no estoy de acuerdo|"
                         r"appeal|contest (?:a|the)"),
           _re(r"descargo\w*|apelacion\w*|reconsideracion\w*|impugn\w*|recurso\w*|appeal\w*")),
    Aspect("age-limit", _re(r"hasta que edad|edad (?:maxima|limite)|limite de edad|age limit|how old can"),
           _re(r"hasta (?:los )?\d+ anos|(?:de|entre) (?:los )?\d+ (?:a|y) (?:los )?\d+ anos|edad maxima|"
               r"limite de edad|sin limite de edad|up to \d+ years")),
    # The youngest one may do it ("¿desde qué edad se puede sacar?"): a lower bound or a range answers it.
    Aspect("min-age", _re(r"(?:desde|a partir de) (?:que|cuantos) (?:edad|anos)|edad minima|minimum age|"
                          r"how old do (?:i|you) (?:have|need) to be"),
           _re(r"(?:desde|a partir de) (?:los )?\d+ anos|\d+ anos (?:o|a) mas|mayor(?:es)? de (?:\d+|edad)|"
               r"(?:de|entre) (?:los )?\d+ (?:a|y) (?:los )?\d+ anos|edad minima|\d+ (?:or|and) (?:older|over)")),
    # "el eje 8", "el artículo 5": one numbered part of a text the entry must quote by its number.
    Aspect("item", _re(r"(?:eje|articulo|inciso|numeral|objetivo|lineamiento|capitulo) (?:n |numero |nro )?\d+"), None),
    # A driving licence's class ("la de categoría B", "A-IIb", "A2"): only an entry naming that class answers.
    # "a" alone is a preposition ("licencia a mi nombre"): class A is asked with its number ("A-I", "A2b").
    Aspect("licence-class", _re(r"(?:categoria|clase|licencia|brevete) (?:[ab] (?:i{1,3}|[123])[abc]?(?: [abc])?|b)"),
           None),
    Aspect("instalments", _re(r"en cuotas|(?:fraccion|fraccionar|fraccionamiento)\w*|por partes|a plazos|"
                              r"install?ments?|in parts"),
           _re(r"cuotas|fraccion\w*|install?ment\w*")),
    Aspect("rate", _re(r"(?:que|cuanto(?: es)?(?: el| la| de)?) (?:porcentaje|interes|tasa de interes|mora)|"
                       r"tasa de interes|interest rate|what percentage"),
           _re(r"\d+ (?:por ciento|percent)|interes(?:es)? (?:de|del) \d+")),
    Aspect("rank", _re(r"en que (?:puesto|lugar|posicion)|"
                       r"que (?:puesto|lugar|posicion) (?:exact[oa] |final )?(?:ocupa|ocupo|tiene|tuvo|"
                       r"quedo|obtuvo|saco)|ranking|what (?:rank|position)|which place|ranked"),
           _re(r"(?:puesto|lugar|posicion) (?:numero )?\d+|\d+ (?:de \d+ paises|lugar)|ranked \d+|\d+(?:st|nd|rd|th)")),
    # "¿En qué dirección exacta queda...?": a street address, not that a site exists in that city.
    Aspect("address", _re(r"direccion (?:exacta|fisica)|en que direccion|en que (?:calle|avenida|jiron)|"
                          r"(?:donde|en que lugar) (?:queda|esta) exactamente|ubicacion exacta|exact address|"
                          r"street address"),
           _re(r"(?:av|avenida|jr|jiron|calle|pasaje|psje|cuadra|km|carretera) (?:\w+ ){0,3}\d+")),
    # "¿Cuándo será el próximo GORE Ejecutivo?": an event entry answers it only with a date of its own
    # after it was last reviewed (see covers); past editions' dates do not say when the next one is.
    Aspect("next", _re(r"(?:el|la|los|las) (?:proxim[oa]s?|siguientes?) (?:\w+ ){0,2}(?:edicion|ediciones|reunion|"
                       r"reuniones|sesion|encuentro|encuentros|gore|muni|cumbre|premio|ceremonia)|"
                       r"(?:el|la) (?:proxim[oa]|siguiente) (?:gore|muni|cumbre|premio|encuentro)\w*|"
                       r"next (?:edition|meeting|summit|session|award)"),
           None),
    # "¿En qué centros poblados hay...?": a list of villages or districts, which no entry keeps (they change
    # with every new module or office); the entry says where to ask.
    Aspect("localities", _re(r"en que (?:centros? poblados?|distritos?|caserios?|comunidad|comunidades|localidad|"
                             r"localidades|anexos?)|"
                             r"which (?:villages|districts|towns)"),
           _re(r"(?!)")),
    # "¿Nos suspenden el pago de Juntos si...?": losing a benefit or a licence, which the entry must mention.
    Aspect("suspension", _re(r"(?:me|nos|le|les|te) (?:suspenden|suspenderan|quitan|quitaran|retiran|cortan) "
                             r"(?:el|la|los|las|mi|mis|su|sus)"),
           _re(r"suspen\w*|quit\w*|retir\w*|cort\w*|pierde\w*|perder\w*|desafili\w*|revoca\w*")),
    # "¿Ya prescribió mi papeleta?": whether a debt or a sanction has lapsed, a legal point of its own.
    # "¿cómo borro los puntos de mi brevete?", "¿se puede limpiar el récord?": an entry that shows the record
    # does not say how to erase it ("sacar antecedentes" is getting the certificate, not erasing them).
    Aspect("removal", _re(r"(?:borr|limpi|elimin)(?:o|ar|arlos|arlas|arlo|arla|en|an|e)\b(?: \w+){0,3} "
                          r"(?:puntos?|record|antecedentes?|deudas?|multas?|papeletas?|registro|historial)|"
                          r"(?:puntos?|record|antecedentes?|historial) (?:\w+ ){0,3}(?:se (?:pueden?|puede) )?"
                          r"(?:borr|limpi|elimin)\w+|"
                          r"(?:quitar|quito|levantar|levanto) (?:los |mis |esos |el |mi )?"
                          r"(?:puntos|antecedentes|record)\b(?! (?:policiales|penales|judiciales|de conductor))|"
                          r"rehabilitacion|rehabilitar\w*"),
           _re(r"borr\w+|limpi\w+|elimin\w+|rehabilit\w+|anula\w*|cancelacion|levantamiento|se descuentan")),
    # A discount or benefit for a group ("¿los jubilados tienen descuento en el predial?"): said only where the
    # entry names that group.
    Aspect("group-benefit", _re(r"(?:descuentos?|beneficios?|exonera\w*|rebajas?|deduccion\w*|inafect\w*)\b"
                                r"(?: \w+){0,6} (?:jubilad|pensionist|adultos? mayor|tercera edad|discapacit|"
                                r"estudiant)\w*|"
                                r"(?:jubilad|pensionist|adultos? mayor|tercera edad|discapacit|estudiant)\w*\b"
                                r"(?: \w+){0,6} (?:descuentos?|beneficios?|exonera\w*|rebajas?|deduccion\w*|"
                                r"inafect\w*|pagan menos|no pagan)\b"),
           _re(r"jubilad\w*|pensionist\w*|adultos? mayor\w*|tercera edad|discapacidad|discapacitad\w*|"
               r"estudiantes?")),
    # "¿cómo doy de baja mi RUC?", "darme de baja del programa": leaving or closing, not signing up or checking.
    Aspect("deregister", _re(r"(?:doy|dar|darme|darlo|darla|di|damos|den|de) de baja (?:a |al |el |la |mi |mis |de )?"
                             r"(?:ruc|negocio|empresa|inscripcion|afiliacion|cuenta|registro|programa|seguro|numero|"
                             r"linea|sistema|padron)|(?:me|nos) (?:doy|damos) de baja|darme de baja|"
                             r"cancelar (?:mi |el |la )?(?:ruc|inscripcion|afiliacion|registro)"),
           _re(r"de baja|baja de|suspension (?:temporal )?de actividades|cancelacion|desafili\w*")),
    Aspect("prescription", _re(r"prescri\w*|prescripcion|caduco la deuda|ya no me pueden cobrar"),
           _re(r"prescri\w*")),
    # "¿Cómo me paso de la AFP a la ONP?": moving between two systems or programmes.
    Aspect("switch", _re(r"(?:me paso|pasarme|cambiarme|me cambio|trasladarme|me traslado|desafiliarme|"
                         r"desafiliarse) (?:de|del) (?:la |el |mi )?\w+ (?:a|al) |"
                         # "estoy en la ONP y me quiero pasar a una AFP": the system left is in the story
                         r"(?:me quiero|me puedo|quiero|puedo|como me|se puede) (?:pasar|cambiar|trasladar)(?:me|se)? "
                         r"(?:a|al) (?!\w+(?:ar|er|ir)\b)(?:la |el |una |un |otra |otro )?\w+|"
                         # "¿qué pasos sigo para cambiarme a una AFP?" (not "pasarme a recoger")
                         r"(?:pasarme|cambiarme|trasladarme|pasarse|cambiarse|trasladarse) (?:a|al) "
                         r"(?!\w+(?:ar|er|ir)\b)(?:la |el |una |un |otra |otro )?\w+"),
           _re(r"cambiar\w* de|traslad\w*|desafili\w*|pasar\w* de")),
    # "¿Cuál es el tope de ingresos / el ingreso máximo?": a limit the entry must state with its figure.
    Aspect("threshold", _re(r"tope (?:de|del) (?:ingresos?|sueldo|monto)|"
                            r"(?:ingreso|sueldo|monto)s? (?:familiar )?maximo|"
                            r"limite de ingresos|cuanto (?:puedo|se puede|pueden|podemos) ganar(?: como)? maximo"),
           _re(r"(?:hasta|maximo|tope de|no mas de|menor a|menos de) (?:s )?\d+")),
    # "¿Cuál es el tamaño máximo de archivo?": a size the entry must state with its unit.
    Aspect("size", _re(r"(?:tamano|peso) (?:maximo|limite)|cuantos (?:mb|megas|megabytes)|limite de (?:tamano|peso)"),
           _re(r"\d+ ?(?:mb|megas|megabytes|kb|gb)")),
    # Who holds an office today changes with every appointment: no entry states it, so a question asking
    # for a person ("¿quién es el secretario de...?") is never answered by the entry about the office.
    Aspect("person", _re(r"quien(?:es)? (?:es|son|esta a cargo|dirige|encabeza) (?:hoy |ahora |actualmente )?"
                         r"(?:el |la |los |las )?"
                         r"(?:actual(?:es)? |nuev[oa]s? )?(?:persona (?:a cargo|que dirige|responsable)|"
                         r"secretari|ministr|jef|director|president|titular|"
                         r"encargad|responsable|viceministr|alcalde|gobernador)\w*|"
                         r"como se llama (?:el|la) (?:actual )?(?:secretari|ministr|jef|director|president)\w*|"
                         r"who (?:is|heads|runs) (?:the )?(?:current )?(?:secretary|minister|head|director)"),
           _re(r"(?!)")),
    # "¿Cuántas preguntas tiene el examen?": a number of something the entry must state next to a number.
    Aspect("count", _re(rf"(?<!\bveo )(?<!\bver )(?<!\bsaber )(?<!\bconsultar )(?<!\bconsulto )(?<!\brevisar )"
                        rf"(?:cuant[oa]s|how many) (?!{_TIMES}\b)[a-z]{{4,}}(?! (?:dura|demora|tarda|vale)\b)"),
           None),
)
PLACE = "place"  # a place the entry does not serve (see Places); not a cue pattern
# "¿hay algún curso para...?", "¿Pensión 65 da algún apoyo...?" ask whether a thing exists: an entry
# that never names it does not say.
# Judged by the pipeline, which knows the entry's words and the staff's synonyms (see `thing_asked`);
# nothing for staff to declare.
EXISTENCE = "existence"
_EXISTS = re.compile(
    r"\b(?:hay|existe|existen|da|dan|ofrece|ofrecen|con|tiene|tienen) (?:algun|alguna|algunos|algunas) (\w+)|"
    # "¿me cubre la operación de cataratas?": whether the coverage includes that thing.
    r"\b(?:me |le |te |nos |les )?(?:cubre|cubren|incluye|incluyen) "
    r"(?:la |el |los |las |mi |mis |su |sus |una |un )(\w+)|"
    # "¿los pensionistas tienen deducción en el predial?": whether that benefit exists.
    r"\b(?:hay|existe|existen|tienen|tiene|dan|ofrecen|aplica|aplican) (?:un |una |algun |alguna )?"
    r"(descuento|deduccion|exoneracion|rebaja|beneficio|bonificacion|subsidio)\b|"
    r"\bis there (?:a|an|any) (\w+)"
)
YEAR = "year"  # a year the entry knows nothing of (see year_uncovered); not a cue pattern
CONDITION = "condition"  # a condition the entry requires that the asker says is not met (see condition_unmet)
NAMES = frozenset({*(a.name for a in ASPECTS), PLACE, YEAR, CONDITION})
# A cost field that only sends the citizen elsewhere for the amount does not answer "how much".
_REFERRAL = re.compile(r"(?:consulta|revisa|confirma|verifica|check|see|(?:el )?monto vigente|current fee)\b(?!.*\d)")
# "Código 01465 en Págalo.pe (monto en la página oficial)": a payment code, the amount itself elsewhere.
_ELSEWHERE = re.compile(
    r"\b(?:(?:monto|costo|precio|tarifa)s? (?:vigentes? )?(?:en|de) (?:la |el )?(?:pagina|web|portal)|"
    r"monto vigente)\b"
)
# A cost field that prices several cases names each one ("Duplicado: S/ 20.20 ... Renovación: monto
# vigente..."): a question naming one of them is answered by that case's clause alone.
_CLAUSE = re.compile(r"(?<=[.;])\s+")
_LABELLED = re.compile(r"^([^:]{2,40}):\s*(.+)$")
# A case may be named as a condition instead of a label: "Si tu DNI era azul, revisa el monto vigente".
_CONDITIONED = re.compile(r"^(?:si|para|en caso de)\s+([^,]{2,40}),\s*(.+)$", re.IGNORECASE)
_BY_NAME = {a.name: a for a in ASPECTS}
_AMOUNT = _re(AMOUNT)
# About the asker, or which document the whole message is about ("quiero la de categoría B. ¿Qué piden?"):
# read in the whole message, not only its asking part.
_WHO = frozenset({"foreigner", "abroad", "minor", "first-time", "death", "licence-class", "already", "switch"})


# Aspects asked in words any service may carry ("¿cuánto me van a cobrar?", "¿qué papeles piden?"): the
# words that ask them say which point of the service is wanted, not which service (see `cue_words`).
GENERIC = frozenset({"cost", "amount", "requirements", "hours", "phone", "when", "duration", "validity", "link"})


@lru_cache(maxsize=4096)  # each question is read by several aspects' checks, and again per entry
def _folded(text: str) -> str:
    """The text as the cue patterns read it: folded words, one space apart."""
    return " ".join(words(text))


@lru_cache(maxsize=4096)  # read for each index a question is matched on
def cue_words(question: str) -> frozenset[str]:
    """The folded words of the question that ask a generic aspect ("van a cobrar" -> van, a, cobrar)."""
    generic = [name for name in _asked(question) if name in GENERIC]
    if not generic:
        return frozenset()
    text = _asking_text(question)
    found: set[str] = set()
    for name in generic:
        for match in _BY_NAME[name].asked.finditer(text):
            found.update(match.group(0).split())
    return frozenset(found)


def asked(question: str) -> list[str]:
    """The aspects a question asks about, in the order listed above."""
    return list(_asked(question))


@lru_cache(maxsize=4096)  # the asking part is read by the aspects asked and by the cue words
def _asking_text(question: str) -> str:
    """What a question's point is read in: a long message's asking part, else the whole question, folded."""
    text = _folded(question)
    if len(text.split()) >= MIN_STORY_WORDS and (pieces := asking_pieces(question)):
        return _folded(" ".join(pieces))
    return text


# (aspect, the one its words also match but it rules out): "¿cuántos días tiene de validez?" and "¿con cuánto
# tiempo de anticipación?" ask how long it stays valid or how long before, not how long the procedure takes;
# "no pude votar, ¿me van a cobrar?" asks whether there is a fine, not a fee.
_SUPERSEDES = (("validity", "duration"), ("advance", "duration"), ("penalty", "cost"))
_UNINSURED = _re(_WITHOUT_INSURANCE)
_LOOKING_UP = _re(r"consult\w*|verific\w*|comprob\w*|compruebo|chequ\w*|revis\w*|ver si|veo si|saber si|como se si")
_CHECKING_JOINED = _re(r"(?:saber|ver|veo|consultar|consulto|verificar|verifico|revisar|reviso|averiguar|averiguo|"
                       r"confirmar|chequear|checar) si (?:\w+ ){0,7}(?:afili|inscrib|registr)\w*|"
                       r"(?:check|know|see|ask|find out) (?:if|whether) "
                       r"(?:\w+ ){0,4}(?:enrolled|registered|signed up)")


# Every aspect's needs, looked for in a question at once: one scan instead of ~370 substring tests.
_NEEDED = HeldTexts(text for aspect in ASPECTS if aspect.needs is not None for text in aspect.needs)


@lru_cache(maxsize=4096)  # the pipeline asks this of the same question for the decision and the entry
def _asked(question: str) -> tuple[str, ...]:
    # A long message: what it asks is in its asking part ("ahora me sale una multa. ¿Puedo justificarlo?"
    # does not ask about fines); who the citizen is (a foreigner, a minor, abroad) may be in the story.
    # Only those few cues are searched in the whole message (a story is long: searching every cue in it
    # was most of a long message's matching time).
    whole, asking = _folded(question), _asking_text(question)
    held = _NEEDED.held(whole)
    if asking == whole:
        found = tuple(a.name for a in ASPECTS if a.is_asked(whole, held))
    else:
        held_asking = _NEEDED.held(asking)
        found = tuple(
            a.name for a in ASPECTS
            if (a.is_asked(whole, held) if a.name in _WHO else a.is_asked(asking, held_asking))
        )
        found = tuple(
            n for n in found
            if n not in _NOT_THE_ASKERS or _BY_NAME[n].is_asked(asking, held_asking)
            or not _NOT_THE_ASKERS[n](whole, asking)
        )
    if (
        "cost" in found and "penalty" not in found and asking != whole and "cuant" not in asking
        and _BY_NAME["penalty"].is_asked(whole, held)
    ):
        # "...estuve internada y no pude ir a votar. ¿Igual me van a cobrar?": whether the story's fine is charged
        # ("¿cuánto me toca pagar?" asks its amount, a cost).
        found = tuple("penalty" if name == "cost" else name for name in found)
    if "join" not in found and _UNINSURED.search(asking) and not _LOOKING_UP.search(asking):
        # "no tiene seguro de ningún tipo... ¿cómo se atiende gratis?": getting insured first ("me dijeron que
        # no tiene seguro, ¿cómo reviso?" checks it instead).
        found = (*found, "join")
    if "join" in found and _CHECKING_JOINED.search(whole):
        # "quiero saber si mi empleador me afilió": whether someone was enrolled, not how to enrol.
        found = tuple(name for name in found if name != "join")
    return tuple(n for n in found if not any(n == dropped and kept in found for kept, dropped in _SUPERSEDES))


# Who the story's nationality or country is about, when only the story names it (a long message).
_PERUVIAN = _re(r"peruan[oa]s?")
# The question asks whether someone may, or what they need ("¿puede cobrar?", "¿qué documentos necesita?"):
# only then does being a foreigner change the answer; a fee, a date or a discount is the same for all.
# Getting a document counts in any person ("¿cómo saco mi licencia?" from "soy venezolano").
_ELIGIBILITY = _re(r"puede|puedo|pueden|podemos|podria|podrian|derecho|aplica|aplican|acceder|accede|califica\w*|"
                   r"corresponde|requisitos?|necesita|necesito|necesitan|piden|pide|documentos|inscrib\w*|afili\w*|"
                   r"postul\w*|cobr\w*|recib\w*|sac(?:ar\w*|o|a|an|amos)|tramit\w*|obten\w*|obtien\w*")
_FIRST_PERSON = _re(r"yo|me|puedo|tengo|necesito|quiero|debo|soy|estoy|vivo|podria|sacarme|hago|pago|voy")
_THIRD_PERSON_ABROAD = _re(rf"(?:vive|viven|reside|residen|esta|estan|trabaja|trabajan|radica|radican) (?:\w+ )?en "
                           rf"(?:el extranjero|{_COUNTRIES})")
_AFTER_DEATH = _re(r"cobr\w*|pag\w*|pension\w*|herencia|hereder\w*|quien|quienes|pasa|sigue|seguir|queda|ultimo|"
                   r"sepelio|subsidio|beneficio|dar de baja|anular|cancelar|acta|partida|defuncion|tramit\w*|"
                   r"puede|puedo|podemos|pueden|derecho|recib\w*")
_NOT_THE_ASKERS: dict[str, Callable[[str, str], bool]] = {
    # "papá peruano, mamá venezolana": the family is mixed and the one asked about may be Peruvian; "el señor
    # Ramón, venezolano, ¿cuánto es el descuento de la papeleta?" asks what is the same for everyone.
    "foreigner": lambda whole, asking: _PERUVIAN.search(whole) is not None or _ELIGIBILITY.search(asking) is None,
    # "les saluda Miguel desde New Jersey... mi mamá vive en Trujillo, ¿puede renovar por internet?": the asker
    # is abroad, the one asked about is not.
    # "su esposo murió hace dos meses... ¿el programa llama así?": the death is the story's unless the question
    # asks what becomes of a payment, a document or who may act now.
    "death": lambda whole, asking: _AFTER_DEATH.search(asking) is None,
    "abroad": lambda whole, asking: _FIRST_PERSON.search(asking) is None and _THIRD_PERSON_ABROAD.search(whole) is None,
}


@lru_cache(maxsize=16_384)  # entries are immutable; a reload brings new ones
def _answer_text(entry: Entry) -> str:
    """Everything an entry tells a citizen (not how citizens ask for it), folded, both languages."""
    parts: list[str] = []
    for lang in ("es", "en"):
        parts += [entry.summary.get(lang), *entry.steps.get(lang), *entry.requirements.get(lang)]
        if entry.cost is not None:
            parts.append(entry.cost.get(lang))
        if entry.location is not None:
            parts.append(entry.location.get(lang))
        parts += [c.label.get(lang) for c in entry.channels if c.label is not None]
    parts += [c.value for c in entry.channels]
    return " ".join(" ".join(words(p.replace("%", " por ciento "))) for p in parts)


_SENTENCE = re.compile(r"(?<=[.;:?!])\s+|\n")
_NUMBER = re.compile(r"\b(?:\d+|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|once|doce|quince|veinte|cien|mil|"
                     r"two|three|four|five|six|seven|eight|nine|ten|twelve|hundred|thousand)\b")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


@lru_cache(maxsize=16_384)  # entries are immutable; a reload brings new ones
def _sentences(entry: Entry) -> tuple[str, ...]:
    """The entry's answer texts (as `_answer_text` reads them), one folded sentence each."""
    parts: list[str] = []
    for lang in ("es", "en"):
        parts += [entry.summary.get(lang), *entry.steps.get(lang), *entry.requirements.get(lang)]
        if entry.cost is not None:
            parts.append(entry.cost.get(lang))
    return tuple(" ".join(words(s)) for p in parts for s in _SENTENCE.split(p) if s.strip())


# An entry that says *we* do not know a point ("el puesto exacto en 2025 no lo tenemos confirmado", "dato no
# verificado", "consulta su contenido en el texto oficial") does not answer it: the citizen is told honestly
# that this point is not covered and offered the entry as the closest help. A service saying the point is not
# set yet in the world ("aún no hay fecha", "no ha sido publicado") does answer it: that is the answer, and
# three outside question sets expected it. An event's card shows its last edition's dates, so an event
# whose next edition is "por anunciar" is still offered, not answered, for "when".
_UNCONFIRMED = re.compile(
    r"\bno (?:lo |la |los |las )?(?:tenemos|hemos) (?:\w+ )?(?:confirmad|verificad)\w*|\bno verificad\w*|"
    r"\bsin verificar\b|\bconsulta\w* (?:\w+ ){0,4}en (?:el texto oficial|la norma)\b|\bnot verified\b"
)
_NOT_SET = re.compile(
    r"\bno (?:lo |la |los |las )?(?:esta|estan|fue|ha sido|han sido) (?:confirmad|publicad)\w*|"
    r"\bno (?:esta|hay) (?:\w+ )?confirmad\w*|\bsin (?:confirmar|fecha)|\bno hay fecha|"
    r"\bpor (?:anunciar|confirmar|definir)\b|\bno confirmad\w*|"
    r"\bnot (?:yet )?(?:confirmed|announced)\b|\bto be (?:announced|confirmed)\b"
)
# What an unconfirmed sentence must be about to leave the aspect unanswered.
_TOPIC = {
    "rank": _re(r"puesto|lugar|posicion|rank\w*|place"),
    "when": _re(r"fechas?|inicio|cuando|plazo|edicion|ediciones|siguientes?|proxim\w*|dates?|next|start"),
    "cost": _re(r"costo|monto|precio|tarifa|tasa|fee|cost|price"),
    "amount": _re(r"monto|pago|montos|amount"),
    "hours": _re(r"horarios?|hours"),
}


@lru_cache(maxsize=16_384)  # entries are immutable; a reload brings new ones
def _unconfirmed_sentences(entry: Entry, with_next: bool = False) -> tuple[str, ...]:
    """The entry's sentences saying a point is not known (nearly always none), each joined to the next
    one when `with_next` ("...presentó el eje 8. Consulta su nombre y contenido en el texto oficial.")."""
    sentences = _sentences(entry)
    if with_next:
        sentences = tuple(f"{a} {b}" for a, b in zip(sentences, (*sentences[1:], ""), strict=True))
    return tuple(s for s in sentences if _UNCONFIRMED.search(s) or (entry.is_event and _NOT_SET.search(s)))


def _unconfirmed(entry: Entry, name: str, question: str) -> bool:
    """The entry says the asked point is not known (see _UNCONFIRMED). A sentence naming a year leaves
    that year's point unanswered only ("2025 no lo tenemos confirmado": 2022's rank is still stated)."""
    if name == "item":
        used = _BY_NAME["item"].asked.search(_folded(question))
        topic = None if used is None else re.compile(rf"\b{re.escape(used.group(0))}\b")
    else:
        topic = _TOPIC.get(name)
    if topic is None:
        return False
    years = set(_YEAR.findall(_folded(question)))
    for sentence in _unconfirmed_sentences(entry, with_next=name == "item"):
        if topic.search(sentence):
            said_years = set(_YEAR.findall(sentence))
            if not said_years or years & said_years:
                return True
    return False


# What the asker already has, as entry titles name it ("número de contribuyente" is the RUC).
_HAD_AS_TITLED = {"numero de contribuyente": "ruc", "numero tributario": "ruc", "brevete": "licencia"}


def _already_had(question: str) -> str:
    """The thing "ya tengo mi ..." names, as a title would write it ("\0", in no title, when none is named)."""
    found = _BY_NAME["already"].asked.search(_folded(question))
    if found is None:
        return "\0"  # in no title
    thing = found.group("thing")
    return _HAD_AS_TITLED.get(thing, thing)


def covers(entry: Entry, name: str, question: str = "") -> bool:
    """Whether the entry says what the aspect asks (staff `not_covered` overrules what the text suggests)."""
    if name in entry.not_covered or _unconfirmed(entry, name, question):
        return False
    aspect = _BY_NAME.get(name)
    if aspect is None:  # "place" is judged by place_uncovered; a staff declaration is all it needs here
        return True
    if name == "already":  # only the entry for getting that very thing is not what is asked
        return not (aspect.contrary is not None and aspect.contrary.search(_folded(entry.title.es))
                    and _already_had(question) in _folded(entry.title.es))
    if aspect.contrary is not None and aspect.contrary.search(_folded(entry.title.es)):
        return False  # a look-up entry does not tell how to join, a renewal one how to get it first
    if aspect.said is None and aspect.contrary is not None:
        return True
    if name == "next":
        return not entry.is_event or _after(entry.starts, entry.reviewed)
    if name == "requirements":
        return bool(entry.requirements.es)
    if name == "link":
        return _own_page(entry)
    if name == "cost" and _free_for_case_asked(entry, question):
        return True
    clauses = _cost_clauses(entry, question)
    if name == "cost" and clauses is not None:  # the cost field says what is paid ("Gratuito", "S/ 41")
        return any(not _REFERRAL.match(c) and not (_ELSEWHERE.search(c) and not _AMOUNT.search(c)) for c in clauses)
    if name == "payment-code" and clauses is not None and _named_case(entry, question):
        return any(aspect.said is not None and aspect.said.search(clause) for clause in clauses)
    if aspect.channels and any(c.kind in _channels_asked(aspect, question) for c in entry.channels):
        return True
    text = _answer_text(entry)
    if name == "rank" and (year := _YEAR.search(_folded(question))) is not None:
        return year.group(0) in text and aspect.said is not None and aspect.said.search(text) is not None
    if aspect.said is not None:
        return aspect.said.search(text) is not None
    used = aspect.asked.search(_folded(question))
    if used is None:
        return False
    word = re.escape(used.group(0).split()[-1])
    if name == "item":  # the same part by its number: "eje 8" in the question, "eje 8" in the entry
        return re.search(rf"\b{re.escape(used.group(0))}\b", text) is not None
    if name == "licence-class":
        return _names_class(used.group(0), f"{text} {_folded(entry.title.es)}")
    if name == "count":  # "hasta 5 menores", "había 38 módulos": a number in a sentence naming the thing counted
        # The number must count the thing, not name it ("Beca 18", "Pensión 65"), and be of the year asked.
        stem_ = word[: max(4, len(word) - 2)]
        counted, naming = re.compile(rf"\b{stem_}"), re.compile(rf"\b{stem_}\w* \d+\b")
        if _CHILD.fullmatch(used.group(0).split()[-1]):  # "¿cuántos niños?" is counted as "hasta 5 menores"
            counted = _CHILD
        elif _COUNT_VERB.fullmatch(word):  # "¿cuántas fueron?": the thing counted was named before; any count
            counted = _ANY
        years = set(_YEAR.findall(_folded(question)))
        return any(
            counted.search(s) and _NUMBER.search(naming.sub(" ", s))
            and (not years or not (said := set(_YEAR.findall(s))) or bool(years & said))
            for s in _sentences(entry)
        )
    return re.search(rf"\b{word}\b", text) is not None


_ROMAN = {"1": "i", "2": "ii", "3": "iii"}
_CLASS_WORDS = frozenset({"categoria", "clase", "licencia", "brevete", "de"})


def _names_class(asked_class: str, text: str) -> bool:
    """The entry names the licence class asked: "b" needs a class B, "a ii" the A-II (folded "a ii")."""
    spaced = re.sub(r"\b(i{1,3}|[123])([abc])\b", r"\1 \2", asked_class)  # "iib" -> "ii b"
    code = [_ROMAN.get(w, w) for w in spaced.split() if w not in _CLASS_WORDS]
    if not code:
        return True
    letter, rest = code[0], " ".join(code[1:2])  # the class and its number; a sub-letter ("A-IIb") is of it
    if rest:
        return re.search(rf"\b{letter} (?:categoria )?{rest}\b", text) is not None
    return re.search(rf"\b(?:clase|categoria) {letter}\b|\b{letter} i{{1,3}}\b", text) is not None


_EMAIL_ASKED = re.compile(r"\b(?:correo|email|e mail|mail)\b")


def _channels_asked(aspect: Aspect, question: str) -> frozenset[str]:
    """The channel kinds that answer the question: asked for a number to call or write on WhatsApp, an
    e-mail address is no answer ("¿cuál es el teléfono del SAT?" when the entry gives only its e-mail)."""
    if aspect.name != "phone" or not question:
        return aspect.channels
    if _EMAIL_ASKED.search(_folded(question)):
        return aspect.channels
    return aspect.channels - {"correo"}


_PORTAL_HOME = re.compile(r"https?://(?:www\.)?gob\.pe/?")
_PORTAL_NAME = re.compile(r"\bgob ?pe\b")


def _own_page(entry: Entry) -> bool:
    """The entry gives an address of its own: not only gob.pe's home page, unless the entry is about gob.pe."""
    addresses = [entry.url, *(c.value for c in entry.channels if c.value.startswith("http"))]
    if _PORTAL_NAME.search(_folded(entry.title.es)):
        return True
    return any(a and not _PORTAL_HOME.fullmatch(a.strip()) for a in addresses)


def _after(when: date | datetime | None, reviewed: date) -> bool:
    """An event's own date falls after the entry was last reviewed: it is a coming edition."""
    if when is None:
        return False
    day = when.date() if isinstance(when, datetime) else when
    return day > reviewed


@lru_cache(maxsize=16_384)  # entries are immutable; a reload brings new ones
def _cases(entry: Entry) -> tuple[tuple[frozenset[str], str], ...]:
    """The cost field's clauses, folded, each with the content stems of the case it names (or none)."""
    if entry.cost is None:
        return ()
    result: list[tuple[frozenset[str], str]] = []
    for clause in _CLAUSE.split(entry.cost.es.strip()):
        labelled = _LABELLED.match(clause) or _CONDITIONED.match(clause)
        label, body = (labelled.group(1), labelled.group(2)) if labelled else ("", clause)
        names = frozenset(_content_stems(label, "es"))
        result.append((names, " ".join(words(body))))
    return tuple(result)


def _content_stems(text: str, *langs: str) -> set[str]:
    """The stems of a text's words that are no stop word of `langs`."""
    stop = frozenset().union(*(STOP_WORDS[lang] for lang in langs))
    return {stem(w) for w in words(text) if w not in stop}


def _named_case(entry: Entry, question: str) -> list[str]:
    """The clauses of the cases a question names whole ("renovar" names "Renovación:")."""
    asked_stems = {stem(w) for w in words(question)}
    return [body for names, body in _cases(entry) if names and names <= asked_stems]


_FREE = re.compile(r"\b(?:gratis|gratuit[oa]s?|sin costo|no (?:pagan|pagas|cuesta)|free of charge)\b")
_CASE_WORD = re.compile(r"\b[a-z]{6,}\b")


def _free_for_case_asked(entry: Entry, question: str) -> bool:
    """The entry says it is free in the very case the question names ("Es gratis en casos como
    discapacidad" for "¿nos cobran la tasa por ser persona con discapacidad?")."""
    asked = {w[:6] for w in _CASE_WORD.findall(_asking_text(question))} - _NO_CASE
    if not asked:
        return False
    return any(
        _FREE.search(s) and asked & {w[:6] for w in _CASE_WORD.findall(s)}
        for s in _sentences(entry)
    )


# Word beginnings (6 letters) of the asking itself or of anyone, never a case of their own.
_NO_CASE = frozenset({"cuanto", "cuesta", "cuestan", "cobran", "precio", "tarifa", "gratis", "gratui", "costos",
                      "pagar", "pagamo", "tramit", "person"})


def _cost_clauses(entry: Entry, question: str) -> list[str] | None:
    """What the cost field says for this question: the named cases' clauses, else all; None without a field."""
    if entry.cost is None:
        return None
    return _named_case(entry, question) or [body for _, body in _cases(entry)]


# What tells two sibling entries apart (joining vs checking, a lost document vs an expired one, a
# minor's, a first one): (kind, the cue in a question, the kind in an entry's title or id).
SIBLING_KINDS: tuple[tuple[str, re.Pattern[str], re.Pattern[str]], ...] = (
    ("look-up",
     _re(r"consult\w*|verific\w*|comprob\w*|compruebo|chequ\w*|busc\w*|ver si|saber si|revis\w*|"
         r"(?:estoy|sigo) (?:afiliad|asegurad)\w*|sigue (?:activ|vigente)\w*|check\w*|whether|look up|"
         r"veo si|vea si|como se si|sigo (?:en|afiliad\w*|asegurad\w*|inscrit\w*)"),
     _re(r"consulta\w*|verifica\w*|check\w*|look up")),
    ("join", _re(r"afili(?:o|ar|arme|arse|arte|arla|arlo|acion)|inscrib\w*|inscripcion|enrol\w*|sign up|join|"
                 r"(?:lo|la|los|las|me|nos|te) (?:meto|metemos|meter|metes|meta) (?:al|a la|a|en)|"
                 r"como (?:me|lo|la|nos) (?:meto|metemos|meter|meta)\b|"
                 rf"{_WITHOUT_INSURANCE}|desasegurad\w*"),
     _re(r"afiliarte|afiliarse|afiliacion|inscripcion|inscribirte|join\w*|enrol\w*")),
    ("lost", _re(r"perd\w*|rob\w*|extravi\w*|duplicad\w*|malogr\w*|deterior\w*|no (?:lo|la|los|las) encuentro|"
                 r"se me (?:cayo|cayeron|mojo|rompio)|(?:otro|otra) igual\w*|pedazos|mordi\w*|lost|stolen|damaged"),
     _re(r"duplicad\w*|perdida|robo|replacement")),
    ("expired", _re(r"vencid\w*|vence|vencio|caduc\w*|renov\w*|revalid\w*|expir\w*|renew\w*"),
     _re(r"renov\w*|revalid\w*|renew\w*")),
    ("minor", _re(r"menor(?:es)? de edad|mi (?:hijo|hija|bebe)|recien nacid\w*|nin[oa]s?|child\w*|baby"),
     _re(r"menor\w*|bebe|nin[oa]s?|child\w*|baby")),
    ("first", _re(r"primera vez|nunca (?:he|ha|hemos) tenido|first time"), _re(r"primera vez|first")),
    # Being excused from a penalty, not paying it: "¿qué hago para que no me cobren la multa?", "evitar la
    # multa", "justificar".
    ("waiver", _re(r"(?:evitar|evito|evitarla|evitarlo|librarme de|salvarme de) (?:la |una |esa )?multa|"
                   r"(?:que|pa que|para que) no me (?:cobren|pongan|multen|caiga)|no me multen|justific\w*|"
                   r"(?:pa|para) no (?:pagar|pagarla) (?:la |esa |una )?multa|"
                   r"dispens\w*|excus\w*|waiver|excused?"),
     _re(r"dispensa\w*|justificacion\w*|waiver")),
    # Where the offices are, not what they do: "¿dónde queda exactamente?", "el más cercano", "located".
    ("where", _re(r"donde (?:queda|quedan|esta|estan|se ubica|se ubican|se encuentra|se encuentran)|ubicacion|"
                  r"ubicad[oa]s?|direccion(?:es)?|(?:mas )?cercan[oa]s?|cerca de (?:mi|mi casa|aqui|aca)|"
                  r"(?:queda|quede|quedan|esta|estan) mas cerca|"
                  r"where (?:is|are)|located|address\w*|nearest|locations?"),
     _re(r"donde|sedes|where|locations?")),
)


# Any mention of a child, in the words parents use ("mi nena", "el chibolo", "mi hijito de 3 años", "our
# daughter"): wider than the "minor" cue, which must tell two sibling entries apart.
_CHILD = _re(r"hij[oa]s?|hijit[oa]s?|nen[ae]s?|chibol[oa]s?|bebes?|bebit[oa]s?|wawas?|guaguas?|menor\w*|"
             r"nin[oa]s?|ninit[oa]s?|recien nacid\w*|naci[oa]|nacio|daughters?|sons?|kids?|child\w*|bab(?:y|ies)|born")


_FOR_MINORS: dict[tuple[str, str, str], bool] = {}  # (id, titles) -> for minors? (an Entry hashes slowly)


def for_minors(entry: Entry) -> bool:
    """The entry is its family's one for minors, by its title and id (see SIBLING_KINDS)."""
    key = (entry.id, entry.title.es, entry.title.en or "")  # a reload may retitle an entry
    known = _FOR_MINORS.get(key)
    if known is None:
        if len(_FOR_MINORS) > 100_000:
            _FOR_MINORS.clear()
        said = next(said for kind, _, said in SIBLING_KINDS if kind == "minor")
        known = _FOR_MINORS[key] = said.search(" ".join(words(" ".join(key).replace("-", " ")))) is not None
    return known


def names_a_child(question: str) -> bool:
    """The question speaks of a child at all: an entry for minors can only answer such a question."""
    return _CHILD.search(_folded(question)) is not None


def sibling_kinds(question: str, entries: Iterable[Entry] = ()) -> frozenset[str]:
    """The sibling kinds a question's own cues name ("se me venció" -> expired), and which of `entries`'
    institutions it names ("el certificado del Poder Judicial": the Poder Judicial's, not the INPE's)."""
    text = _folded(question)
    kinds = {kind for kind, cue, _ in SIBLING_KINDS if cue.search(text)}
    if "join" in kinds and "look-up" in kinds and _CHECKING_JOINED.search(text):
        kinds.discard("join")  # "¿cómo veo si sigo en el SIS? mi mamá me afilió de chiquito": checking
    padded = f" {text} "
    entries = tuple(entries)
    kinds.update(f"{INSTITUTION}{name}" for e in entries for name in institution_names(e) if f" {name} " in padded)
    if entries:
        asked_stems = _content_stems(text, "es", "en")
        kinds.update(k for e in entries for k in title_kinds(e) if k.removeprefix(TITLE) in asked_stems)
    return frozenset(kinds)


TITLE = "title:"  # prefix of the kind "a word of this entry's title is asked"


@lru_cache(maxsize=16_384)
def title_kinds(entry: Entry) -> frozenset[str]:
    """The stems of the entry's titles as kinds: of two siblings, the one whose own title word the question
    uses ("antecedentes penales" against "antecedentes judiciales") is the one asked, when no cue decides."""
    return frozenset(f"{TITLE}{s}" for s in _content_stems(f"{entry.title.es} {entry.title.en or ''}", "es", "en"))


INSTITUTION = "institution:"  # prefix of the kind "this entry's institution is named"
_ACRONYM_IN_BRACKETS = re.compile(r"\(([A-ZÁÉÍÓÚÑ]{2,8})\)")
_NAME_BEFORE = re.compile(r"^([^(,;]+?)\s*(?:\(|,|;|$)")
_NATIONAL = " nacional del peru"


@lru_cache(maxsize=16_384)
def institution_names(entry: Entry) -> frozenset[str]:
    """How a question names the entry's institution, folded: its name (of two words or more, before any
    bracket or comma) and its acronym in brackets ("Instituto Nacional Penitenciario (INPE)")."""
    names = {fold(found) for found in _ACRONYM_IN_BRACKETS.findall(entry.institution)}
    lead = _NAME_BEFORE.match(entry.institution)
    name = " ".join(words(lead.group(1))) if lead is not None else ""
    whole = name != "" and name == " ".join(words(entry.institution))  # "Reniec", "SUNAT": one word, all of it
    if len(name.split()) >= 2 or whole:
        names.add(name)
        if name.endswith(_NATIONAL) and len(name) > len(_NATIONAL):  # "la policía" for the Policía Nacional del Perú
            names.add(name.removesuffix(_NATIONAL))
    return frozenset(n for n in names if n)


@lru_cache(maxsize=16_384)  # entries are immutable; a reload brings new ones
def entry_kinds(entry: Entry) -> frozenset[str]:
    """The sibling kinds an entry is, by its title and id ("Consultar si estás afiliado al SIS": look-up),
    and its institution's names."""
    text = " ".join(words(f"{entry.title.es} {entry.title.en or ''} {entry.id.replace('-', ' ')}"))
    kinds = {kind for kind, _, said in SIBLING_KINDS if said.search(text)}
    return frozenset(kinds | {f"{INSTITUTION}{name}" for name in institution_names(entry)} | title_kinds(entry))


# "¿hay algún lugar / alguna página / alguna forma...?" asks for a way to do what follows, not for a thing
# an entry must name.
_ANY_WAY = frozenset(
    # A number or line to call is the phone aspect's point, judged by the entry's channels (a WhatsApp or an
    # email address asked for stays a thing the entry must name).
    """numero numeros telefono telefonos linea lineas
    lugar lugares sitio sitios pagina paginas web forma formas manera maneras modo opcion opciones programa
    programas ayuda ayudas apoyo apoyos tramite tramites servicio servicios oficina oficinas app aplicativo
    plataforma link enlace beneficio beneficios mecanismo mecanismos sistema sistemas herramienta herramientas
    medio medios alternativa alternativas posibilidad procedimiento procedimientos canal canales via vias solucion
    way place website page program help service office tool mechanism option
    costo costos cobro pago precio requisito requisitos""".split()  # "¿tiene algún costo?" asks the cost
)


@lru_cache(maxsize=4096)  # read for the decision and again for the entry offered
def thing_asked(question: str) -> str | None:
    """The thing a question asks whether it exists ("hay alguna beca para..." -> "beca"), folded."""
    found = _EXISTS.search(_folded(question))
    thing = None if found is None else next((g for g in found.groups() if g), None)
    return None if thing in _ANY_WAY else thing


def uncovered(entry: Entry, question: str) -> list[str]:
    """The aspects the question asks that the entry does not say."""
    missing = [name for name in asked(question) if not covers(entry, name, question)]
    if year_uncovered(entry, question):
        missing.append(YEAR)
    if condition_unmet(entry, question):
        missing.append(CONDITION)
    return missing


# "el acta no está digitalizada", "mi DNI no está vigente": a state the asker says their case is not in.
_NOT_MET = re.compile(
    r"\bno (?:esta|estan|es|son|figura|figuran|aparece|aparecen|sale|salen) (?:\w+ )?"
    r"([a-z]{3,}(?:ad[oa]s?|id[oa]s?)|vigentes?)\b"
)


def condition_unmet(entry: Entry, question: str) -> bool:
    """The asker says a condition the entry's requirements state is not met ("la partida de mi abuelo no
    está digitalizada" against "Que el acta esté digitalizada"; "mi DNI no está vigente" against "DNI
    vigente"): the entry tells how it goes when the condition holds, not what to do otherwise, unless it
    says so ("si no está digitalizada, ..."). The whole message is read: the state is often told in the story."""
    if CONDITION in entry.not_covered:
        return True
    states = _NOT_MET.findall(_folded(question))
    if not states or not entry.requirements.es:
        return False
    requirements = [_folded(r) for r in entry.requirements.es]
    text = _answer_text(entry)
    for state in states:
        root = re.escape(state[: max(5, len(state) - 3)])
        required = any(
            re.search(rf"\b{root}", r) and not re.search(rf"\b(?:no|sin|ni) (?:\w+ ){{0,3}}{root}", r)
            for r in requirements
        )
        if required and not re.search(rf"\bsi no (?:\w+ ){{0,3}}{root}", text):
            return True
    return False


def year_uncovered(entry: Entry, question: str) -> bool:
    """Of an event, the question asks a year later than anything the entry knows ("el próximo GORE
    Ejecutivo en 2027" of an entry last reviewed in 2026) or one it did not take place in: the entry tells
    what was, not what will be or another edition. A service's year ("mi DNI vence en 2029") is a detail
    of the asker's case; a long message's story years are not read (see `_asked`)."""
    if not entry.is_event:
        return False
    years = {int(y) for y in _YEAR.findall(_asking_text(question))}
    if not years:
        return False
    known = {int(y) for y in _YEAR.findall(f"{_answer_text(entry)} {_folded(entry.title.es)}")}
    known.add(entry.reviewed.year)
    known.update(d.year for d in (entry.starts, entry.ends) if d is not None)
    return max(years) > max(known) or not years & known


class Places:
    """Peru's places as citizens write them (knowledge/departamentos.yaml aliases) -> their department.

    A question naming a place ("me pusieron una papeleta en Trujillo") asks about that place; an entry
    whose title names another one ("Papeletas de tránsito en Lima") does not answer it.
    """

    def __init__(self, aliases: dict[str, str]) -> None:
        self.aliases = aliases
        # The longest alias matching wins ("lima metropolitana" over "lima"), as a tree of shared prefixes.
        self._pattern = re.compile(rf"\b(?:{longest_first(aliases)})\b") if aliases else None
        self._first_words = frozenset(a.split()[0] for a in aliases)  # most texts hold none: no search
        # The words of the aliases ("lima metropolitana"), and short aliases whole ("sjl", "ilo", "ica").
        self.words = frozenset(w for a in aliases for w in a.split() if len(w) > 3 or w == a)

    @classmethod
    def load(cls, path: Path) -> Places:
        """Read the departments file; a missing or unreadable one means no places (validation reports it)."""
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError):
            return cls({})
        aliases: dict[str, str] = {}
        for item in data if isinstance(data, list) else []:
            if isinstance(item, dict) and isinstance(item.get("aliases"), list):
                for alias in item["aliases"]:
                    aliases.setdefault(" ".join(words(str(alias))), str(item.get("id", "")))
        return cls({a: d for a, d in aliases.items() if a})

    def named(self, text: str) -> set[str]:
        """The departments a text names; a street named after one ("en la av. Abancay") is not it."""
        folded = words(text)
        if self._pattern is None or self._first_words.isdisjoint(folded):
            return set()
        joined = " ".join(folded)
        if _STREET_WORDS.intersection(folded):
            joined = _STREET.sub(" ", joined)
        return {self.aliases[m.group(0)] for m in self._pattern.finditer(joined)}


# A street, avenue or square's name: "av Abancay", "jr. Puno", "avenida Arequipa" are in Lima.
_STREET_WORDS = frozenset({"av", "avda", "avenida", "jr", "jiron", "calle", "psje", "pasaje", "prolongacion", "ovalo"})
_STREET = re.compile(rf"\b(?:{'|'.join(sorted(_STREET_WORDS))}) (?:de |del )?\w+(?: \w+)?")

# "¿tiene el descuento como en Lima?": a place compared with, not the place asked about.
# "como en Lima", "igual que el Callao", "como dicen que hay en Lima": the place compared with, not asked about.
# "en el Callao, no en Lima", "ni en Lima", "no es de Lima": a place set aside, not asked about either.
# "como" compares only before "en" ("como en Lima"): "¿cómo la pago?" compares nothing.
_COMPARED = re.compile(
    r"\b(?:como (?:(?:dicen|me dijeron|escuche) que (?:hay |es |pasa )?)?en (?:el |la |los )?|"
    r"(?:igual que|al igual que|a diferencia de) (?:(?:dicen|me dijeron|escuche) que (?:hay |es |pasa )?)?"
    r"(?:(?:en|el|la|los|del) )*|"
    r"(?:no|ni|en vez de|en lugar de) (?:es |son |era |soy )?(?:en|de|del) (?:el |la |los )?)\w+(?: de \w+| \w+)?"
    r"(?: de \w+)?"
)
# An entry saying a figure or a schedule is set place by place ("la fija cada municipalidad en su TUPA")
# does not give it for the place a question names, unless it names that place too.
_SET_BY_PLACE = re.compile(
    r"\b(?:cada|segun (?:la|el|cada|tu|su)|depende de (?:la|el|cada|tu|su)|(?:que )?(?:fija|fijan|establece|establecen|"
    r"determina|determinan) (?:la|el|cada|tu|su)|(?:cronograma|calendario|ordenanza) de (?:la|el|cada|tu|su)) "
    r"(?:municipalidad|municipio|region|"
    r"gobierno regional|distrito|provincia|sede|oficina|centro|agencia)\b"
)
_SINCE = _re(r"desde (?:que (?:fecha|ano|mes)|cuando)|a partir de (?:que (?:fecha|ano|mes)|cuando)")
LOCAL = frozenset({"cost", "amount", "hours", "phone", "penalty", "when"})  # what one place's office sets for itself


def place_uncovered(entry: Entry, question: str, places: Places) -> bool:
    """The question names a place and the entry is about another one only (by its title), or asks a point
    the entry says each place sets for itself (a fee, opening hours) without naming the place asked."""
    asked_places = places.named(_COMPARED.sub(" ", _folded(question)))
    if not asked_places:
        return False
    scope = places.named(entry.title.es)
    if scope:
        return not asked_places & scope
    text = _answer_text(entry)
    local = LOCAL.intersection(asked(question))
    if local == {"when"} and _SINCE.search(_folded(question)):
        local = frozenset()  # since when a duty starts ("¿desde cuándo pago el predial?") is the law's, not the town's
    return bool(local) and _SET_BY_PLACE.search(text) is not None and not asked_places & places.named(text)
