"""General-language knowledge the knowledge base itself cannot give: how common a word is.

The knowledge base only knows its own vocabulary, so on its own every other word looks equally
informative: "necesito", "hermana" and "Netflix" would all weigh like "pasaporte". Word frequencies
of general Spanish and English (the offline `wordfreq` lists) tell a context word that any message
may carry from a rare word that says the question is about something else, and tell a real word
("perro", "parque") that must not be "corrected" from a typo ("lisencia") that may.
"""

from __future__ import annotations

import math
import re
import unicodedata
from functools import cache

from wordfreq import get_frequency_dict

VALID_WORD_ZIPF = 3.0  # at least about once per million words: a real word, not a typo
DIMINUTIVE_MAX_ZIPF = 3.5  # rarer than this, a word in -ito/-ita weighs as the word it makes small
RARE_ZIPF = 4.0  # this rare or rarer: fully informative
COMMON_ZIPF = 6.5  # this common: as little information as a function word
MIN_INFORMATION = 0.1

# Words about the person asking rather than the service asked for: family, self-introduction,
# politeness, wanting and hearing, the past and subjunctive forms of the commonest verbs (ser, ir, saber,
# tener, hacer, poder, decir, ver, venir... : "nunca supe", "no pude ir", which frequency lists rank as
# rare words), where in town the asker is ("en la avenida...", "un asentamiento humano"), voice typing's
# dictated "coma", Peruvian chat fillers ("oe causa", "es puro floro", "en la juerga") and the official
# register of FAQ pages ("¿qué herramienta permite...?", "la entidad encargada de administrar...", "según
# la normativa"). Frequencies alone rank some of them like content words.
CONTEXT_WORDS: dict[str, frozenset[str]] = {
    "es": frozenset(
        """
        mama mami papa papi madre padre hijo hija hijos hijas hermano hermana hermanos hermanas abuelo abuela
        abuelita abuelito abuelos tio tia tios primo prima esposo esposa esposos novio novia suegro suegra
        sobrino sobrina nieto nieta vecino vecina amigos amigas familia familiar pareja cunado cunada senor
        soy llamo llama nombre anos edad vivo vive viven vivimos trabajo trabaja estudio estudia
        escuche escucho oi dijeron dicen dice dijo diga digan decir contaron comentaron recomendaron entiendo entendi
        pregunto pregunta
        consulta consultar averiguar averigue quisiera queria quieren necesita necesitan necesitamos
        gustaria agradeceria agradezco saludo saludos cordial cordiales cordialmente atentamente estimados
        buenas noches tardes
        disculpa disculpe molestia perdon antemano bendiciones bendicion dios
        uno una dos tres cuatro cinco seis siete ocho nueve diez once doce quince veinte treinta cien mil
        ayer anoche anteayer pasada pasado
        enero febrero marzo abril mayo junio julio agosto setiembre septiembre octubre noviembre diciembre
        ayudarme ayudarnos orientarme orientacion informacion info
        causa causita pata patita broder brother bro chamo chama chamito chamita pana panas floro juerga tono
        jato chevere bacan manyas asu pes jerma pucha pucta caray uy uff chamare achachau atatay
        onda puro cuento coma
        fuera fueran iba ibas iban ibamos supe supo supimos supieron sabia sabias sabiamos sabian sepa sepan
        tuve tuvo tuvimos tuvieron tenia tenias teniamos tenian tenga tengan hice hizo hicimos hicieron hacia
        hacian haga hagan pude pudo pudimos pudieron podia podian pueda puedan quise quiso quisimos quisieron
        quiera quieran dije dijimos decia decian di dio dimos dieron daba daban vi vio vimos vieron veia veian
        puse puso pusimos pusieron ponia ponga vine vino vinimos vinieron venia venga estuve estuvo estuvimos
        estuvieron estaban esten hubo habia habian haya hayan vaya vayan vayas conmigo contigo
        debia debias debiamos debian avenida jiron calle cuadra urbanizacion asentamiento barrio
        herramienta herramientas permite permiten mecanismo mecanismos normativa normativas establece establecen
        segun procedimiento procedimientos efectuar realizar obtener brinda brindan funciona funcionan administra
        administran encargada encargado encargadas encargados existente existentes actualmente dispositivo
        dispositivos constituye constituyen materias regula regulan abarca abarcan ejerce ejercen consiste
        consisten requiero denominacion competencias
        """.split()
    ),
    "en": frozenset(
        """
        mom mum dad mother father son daughter brother sister grandma grandmother grandpa grandfather aunt uncle
        cousin wife husband neighbour neighbor friend family name years old live lives living heard told said
        wondering wonder asking ask question information info
        """.split()
    ),
}


def _plain(word: str) -> str:
    if word.isascii():
        return word.lower()
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@cache
def zipf_table(lang: str) -> dict[str, float]:
    """Folded word -> Zipf frequency (log10 per billion words); loaded once per process."""
    folded: dict[str, float] = {}
    for word, share in get_frequency_dict(lang, "small").items():
        plain = _plain(word)
        if plain.isalnum():
            folded[plain] = folded.get(plain, 0.0) + share
    return {w: math.log10(share * 1e9) for w, share in folded.items()}


def zipf(word: str, lang: str) -> float:
    """How common a folded word is in general language (0.0 when not in the list)."""
    return zipf_table(lang if lang in CONTEXT_WORDS else "es").get(word, 0.0)


def is_valid_word(word: str, lang: str) -> bool:
    """A real word of the language, which typo correction must leave alone."""
    return zipf(word, lang) >= VALID_WORD_ZIPF


# A diminutive: its root and its vowel ("bodeguita" -> bodegu, a; "papelito" -> papel, o). The analyzer
# undoes it to correct a word; `information` to see a context word in it.
DIMINUTIVE = re.compile(r"^(\w{2,}?)it([oa])s?$")


def _base_forms(word: str) -> tuple[str, ...]:
    """The word, its singular and the word its diminutive is made from: a context word's forms are
    context too ("mi hermanita", "mis abuelitos", "mamita"), though frequency lists rank them as rare."""
    forms = [word, word.removesuffix("s")]
    if (found := DIMINUTIVE.match(word)) is not None:
        root = found.group(1)
        if len(root) > 2 and root.endswith("c"):  # "-cito": "amorcito" is made from "amor"
            root = root[:-1]
        forms += [root + "a", root + "o", root + "as", root + "os"]
    return tuple(forms)


_DOUBLED = re.compile(r"([a-z])\1")
_I_BETWEEN_VOWELS = re.compile(r"(?<=[aeiou])i(?=[aeiou])")
_K_HARD = re.compile(r"k(?=[aou])")
_K_SOFT = re.compile(r"k(?=[ei])")


def _spoken_forms(word: str) -> tuple[str, ...]:
    """The words a chat spelling may stand for, by ear: a doubled letter ("otroo", "graciass"), "i" for
    "y" ("aiuda"), "k" for "c"/"qu" ("kasa", "kiero"), a dropped "h" ("ablar"). Only for a word that is no
    word at all: "creer" and "llave" are left as they are."""
    forms = {_DOUBLED.sub(r"\1", word)}
    forms |= {_I_BETWEEN_VOWELS.sub("y", f) for f in forms}
    forms |= {_K_SOFT.sub("qu", _K_HARD.sub("c", f)) for f in forms}
    forms |= {"h" + f for f in forms if f[:1] in "aeiou"}
    forms.discard(word)
    return tuple(forms)


def _frequency(word: str, lang: str) -> float:
    """The word's Zipf frequency or, for no word at all, that of the commonest word it is spoken as; a
    diminutive is as common as its word ("solita" as "sola", "cuartito" as "cuarto"): frequency lists
    rank the diminutive itself as rare, which would make it weigh like another product's name."""
    found = zipf(word, lang)
    if lang != "es":
        return found
    # A word common in its own right ("ámbitos", "poquito") is no diminutive to undo ("ámbitos" is not "ambos").
    if found < DIMINUTIVE_MAX_ZIPF and (small := DIMINUTIVE.match(word)) is not None:
        # the word of the same ending ("solita": "sola", not "solo"), or a root ending in a consonant ("papel")
        root = small.group(1)[:-1] if len(small.group(1)) > 3 and small.group(1).endswith("c") else small.group(1)
        plural = "s" if word.endswith("s") else ""
        same = zipf(root + small.group(2) + plural, lang)
        found = max(found, same if same >= VALID_WORD_ZIPF else zipf(root + plural, lang))
    if found:
        return found
    return max((zipf(form, lang) for form in _spoken_forms(word)), default=0.0)


def information(word: str, lang: str) -> float:
    """0.1..1: how much a word the knowledge base does not know says about what is asked.

    Rare words (names of other products, animals, institutions: "Yape", "perro"...) keep most of
    their weight, so they still pull a question away from every entry; common ones and words about
    the asker ("mi hermana", "escuché", "tengo 45 años") weigh little.
    """
    context = CONTEXT_WORDS.get(lang, CONTEXT_WORDS["es"])
    if word.isdigit() or any(form in context for form in _base_forms(word)):
        return MIN_INFORMATION
    frequency = _frequency(word, lang)
    if frequency <= RARE_ZIPF:
        return 1.0
    share = (COMMON_ZIPF - frequency) / (COMMON_ZIPF - RARE_ZIPF)
    return max(MIN_INFORMATION, min(1.0, share))
