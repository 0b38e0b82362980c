"""Text normalisation shared by the knowledge base index and incoming questions.

Both sides go through the same steps so that "¿Cómo RENUEVO mi DNI???" and "como renuevo mi dni"
meet on equal terms: fold case, accents, punctuation, emoji and stretched letters ("holaaa").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from itertools import chain
from typing import TypeAlias

import snowballstemmer

_NON_WORD = re.compile(r"[^a-z0-9]+")
_STRETCHED = re.compile(r"([a-z])\1{2,}")
_SPACES = re.compile(r"\s+")  # squeezed by _NON_WORD already (see _fold); the plain reference folding uses it
_GLUED_NUMBER = re.compile(r"(?<=[a-z])(?=[0-9])|(?<=[0-9])(?=[a-z]{3,})")
_A_DIGIT = re.compile(r"[0-9]")  # what a glued number needs


class _Marks(dict[int, int | None]):
    """str.translate table that drops combining marks (accents), filled one code point at a time."""

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.combining(chr(code)) else code
        self[code] = kept
        return kept


_MARKS = _Marks()


@lru_cache(maxsize=2048)  # one question is folded by small talk, language detection and each index
def fold(text: str) -> str:
    """Lowercase, drop accents, emoji and punctuation, squeeze letters repeated 3+ times."""
    return _fold(text)


def _fold(text: str) -> str:
    plain = text.lower()
    if not plain.isascii():  # ASCII is its own decomposition, without marks
        plain = unicodedata.normalize("NFKD", plain).translate(_MARKS)
    # Letters, digits and single spaces from here on: no whitespace run is left to squeeze (_SPACES), and
    # the steps below put a space only between a letter and a digit, never beside another space.
    plain = _NON_WORD.sub(" ", plain)
    if _A_DIGIT.search(plain):  # (most texts have none: one scan instead of a lookbehind at every position)
        plain = _GLUED_NUMBER.sub(" ", plain)  # "beca18" -> "beca 18", "covid19" -> "covid 19"
    plain = _STRETCHED.sub(r"\1", plain).strip()
    return _LAUGH.sub("jaja", plain) if "j" in plain or "xd" in plain else plain


# Laughter in any length or spelling ("jajajaja", "jsjsjs", "jejeje", "xddd") is one filler word: each
# spelling would otherwise be a rare word the knowledge base does not know, weighing like a product's name.
_LAUGH = re.compile(r"\b(?:(?:j+[aeiou]+){2,}j?|(?:js){2,}j?|(?:ja|je)+j|x+d+)\b")


_PrefixTree: TypeAlias = "dict[str, _PrefixTree]"  # letter -> the tree after it; "" -> {}: an end


def longest_first(alternatives: Iterable[str]) -> str:
    """A regular expression matching, at each position, the longest of `alternatives` that lets the rest of
    the pattern match there: what `"|".join(map(re.escape, alternatives))` matches with the alternatives
    sorted longest first, written as a tree of shared prefixes ("lima" and "lima provincias" as
    `lima(?:\\ provincias)?`). The order `alternatives` come in does not matter.

    The same matches, since the alternatives that can match at one position are all prefixes of the text
    there, and both forms try them longest first. The plain alternation tries every alternative at every
    position (hundreds of place names, a search several times slower); the tree only those sharing the
    letter at hand."""
    tree: _PrefixTree = {}
    for alternative in alternatives:
        node = tree
        for letter in alternative:
            node = node.setdefault(letter, {})
        node[""] = {}  # an alternative ends here
    return _prefix_tree(tree)


def _prefix_tree(node: _PrefixTree) -> str:
    """The regular expression of a prefix tree (see `longest_first`): each letter's branch, a run of
    single-child letters written as one literal, and an alternative ending here tried last."""
    branches = []
    for letter, child in node.items():
        if not letter:
            continue
        literal = letter
        while len(child) == 1 and "" not in child:
            ((letter, child),) = child.items()
            literal += letter
        branches.append(re.escape(literal) + _prefix_tree(child))
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
    return f"(?:{body})?" if "" in node else body


# Chat spellings of function words ("q", "xq", "pa", "dnd") and common clipped words ("cel", "poli"),
# spelled out so that stop words, small talk and matching treat them like the full words.
SLANG = {
    "q": "que", "k": "que", "ke": "que", "xq": "porque", "pq": "porque", "porq": "porque", "pa": "para",
    "d": "de", "x": "por", "dnd": "donde", "dnde": "donde", "tb": "tambien", "tmb": "tambien",
    "xfa": "por favor", "xfavor": "por favor", "porfa": "por favor", "porfis": "por favor", "sta": "esta",
    "ta": "esta", "toy": "estoy", "ud": "usted", "uds": "ustedes", "bn": "bien", "kien": "quien",
    "cdo": "cuando", "cuano": "cuanto", "nd": "nada", "nose": "no se", "msj": "mensaje", "xk": "porque",
    "aki": "aqui",
    "tlf": "telefono", "telf": "telefono", "num": "numero", "cel": "celular", "depa": "departamento",
    "compu": "computadora", "poli": "policia", "profe": "profesor", "doc": "documento", "docs": "documentos",
    "hrs": "horas", "xa": "para", "m": "me", "t": "te", "bb": "bebe", "bbs": "bebes", "cole": "colegio",
    "grax": "gracias", "xfis": "por favor", "ofi": "oficina", "nro": "numero", "tel": "telefono",
    "hno": "hermano", "hna": "hermana", "sra": "senora", "sr": "senor", "vdd": "verdad", "dps": "despues",
    "abue": "abuela", "nda": "nada", "taba": "estaba", "tabamos": "estabamos", "tabas": "estabas", "toi": "estoy",
    "tas": "estas", "kmo": "como", "komo": "como", "cmo": "como", "pk": "porque", "dire": "direccion",
    "ntp": "no te preocupes", "nunk": "nunca", "nunka": "nunca", "weno": "bueno", "wena": "buena",
    "wenas": "buenas", "bno": "bueno", "grs": "gracias", "dsp": "despues", "mnn": "manana", "pue": "pues",
    "tonces": "entonces", "plis": "por favor", "pls": "por favor", "tngo": "tengo", "tng": "tengo",
    "tiens": "tienes", "pag": "pagina", "pags": "paginas",
}


@lru_cache(maxsize=65_536)
def _word(raw: str) -> tuple[str, ...]:
    """The words one whitespace-separated piece of text folds into (punctuation may split it)."""
    return tuple(" ".join(SLANG.get(token, token) for token in _fold(raw).split()).split())


def folded_words(text: str) -> tuple[str, ...]:
    """`words` without the per-text cache, for an index that folds each of its texts once."""
    # Folding never joins across whitespace, so a text folds piece by piece, and the pieces (words)
    # repeat across a knowledge base's thousands of texts far more than the texts do.
    return tuple(chain.from_iterable(map(_word, text.split())))


_words = lru_cache(maxsize=2048)(folded_words)


def words(text: str) -> list[str]:
    """Folded words with chat slang spelled out: "q hago pa sacar" -> que hago para sacar."""
    return list(_words(text))


STOP_WORDS: dict[str, frozenset[str]] = {
    "es": frozenset(
        """
        a al algo algun alguna algunas alguno algunos ante antes aqui asi aun bien cada casi como con contra
        cual cuales cualquier cuando cuanto cuanta cuantos cuantas de del desde donde dos el ella ellas ello
        ellos en entre era eran es esa esas ese eso esos esta estaba estan estar este esto estos estoy fue
        fueron ha habia han has hay he la las le les lo los me mi mis mucho muy nada ni no nos nosotros nuestra
        nuestro o otra otro otros para pero poco por porque pues que quien quienes se sea ser si sido sin sobre
        su sus tal tambien tan tanto te ti tiene tienen tengo toda todo todos tu tus un una uno unos usted
        ustedes va vamos y ya yo hola holi buenas buenos buen dia dias tarde tardes noche noches saludos
        gracias graciass porfa favor porfavor disculpa disculpe disculpen oiga senor senora senorita estimado
        estimada amigo amiga hermano bro pe oe ps nomas please plis pls ok okey okay bueno ayudame
        ayudeme ayuda ayudas ayudar quiero quisiera queria necesito necesitaria podria podrias puede puedes puedo
        pueden deseo desearia saber sabe sabes decir dime digame indicar indiqueme indicame hacer hago hace
        hacen hacerlo tengo tenia tener hay debo deberia favor gustaria seria
        pido pedir solicito tramito saco sacar obtengo
        q k ke xq pq porq tb tmb d x xfa xfavor
        ayer hoy manana ahora ahorita luego despues pronto temprano siempre nunca todavia recien rato momento
        lunes martes miercoles jueves viernes sabado domingo semana mes
        voy vas van fui fuimos dar doy dan dejar deja dejan dejo poner pongo pone ver veo vea funciona sirve
        existe existen usar uso mucha muchas muchos poca pocos varios varias mas menos solo solamente mio mia
        tuyo suyo aquel aquella estas entonces osea igual tipo nomas alguien cosa cosas forma manera modo
        urgente rapido rapidamente facil facilmente duda dudas pregunta preguntas problema problemas
        queremos necesitamos tenemos podemos quisieramos haciendo hecho hizo hice jaja jeje xd
        queda quedan dice dicen vez veces preocupes preocupe pongan ponen pones
        son soy eres somos estas estamos seran sera quiere quieres quieren quisieramos
        podre podra podran podemos pudo pude debe deben tenga tengan haya hubo tienes pidio pidieron
        haber habido ido vi vio visto pasame mandame dame diganme avisenme tenido tuve tuvo tuvimos puse puso
        """.split()
    ),
    "en": frozenset(
        """
        a about an and any are as at be been being but by can could do does did for from get got have has how i
        if in into is it its me my need of on or our please should so some tell that the their them there these
        this those to want was we what when where which who why will with would you your hi hello hey thanks
        thank help know
        s t no not another other whether there here just also still even very really each every much many
        more most one way im ive dont cant doesnt isnt am was were then than too only ever
        someone somebody something anyone anybody anything
        """.split()
    ),
}

_STEMMERS = {"es": snowballstemmer.stemmer("spanish"), "en": snowballstemmer.stemmer("english")}


_CLITICS = re.compile(r"^(.{3,}(?:ar|er|ir))(?:me|te|se|lo|la|le|nos|los|las|les)+$")
# Subjunctives that change spelling before e: "pague", "saque", "falsifique" -> pagar, sacar, falsificar.
_SUBJUNCTIVE = re.compile(r"^(.{2,})(qu|gu)(e|es|en|emos)$")
# Conditional forms lose their accent when folded ("costaría" -> costaria), which the stemmer expects.
_CONDITIONAL = re.compile(r"^(.{3,}(?:ar|er|ir))(?:ia|ias|iamos|iais|ian)$")


def base_form(word: str) -> str:
    """A Spanish infinitive without its glued pronouns ("sacarle" -> sacar); other words as they are."""
    bare = _CLITICS.match(word)
    return bare.group(1) if bare else word


@lru_cache(maxsize=50_000)
def stem(word: str, lang: str = "es") -> str:
    """Snowball stem (cached: stemming is the slowest step of normalisation).

    Spanish pronouns glued to an infinitive go first ("sacarlos", "afiliarme" -> sacar, afiliar), so
    every form of a verb meets its other forms.
    """
    if word.isdigit() or len(word) <= 3:
        return word
    if lang == "es" and (bare := _CLITICS.match(word) or _CONDITIONAL.match(word)):
        word = bare.group(1)
    elif lang == "es" and (spelled := _SUBJUNCTIVE.match(word)):
        word = spelled.group(1) + ("car" if spelled.group(2) == "qu" else "gar")
    stemmed = str(_STEMMERS.get(lang, _STEMMERS["es"]).stemWord(word))
    if len(stemmed) <= 4 and len(stemmed) < 0.6 * len(word):
        # A short stem that cut most of the word merges unrelated words ("soleado" -> "sol", as in
        # Clave SOL): keep the word, only without its plural ending.
        return _singular(word)
    return stemmed


def _singular(word: str) -> str:
    if word.endswith("es") and len(word) > 5 and word[-3] not in "aeiou":
        return word[:-2]
    return word[:-1] if word.endswith("s") and len(word) > 4 else word


# The sound-alike rules, in this order: "qu", "c" and "g" softened before e/i (lookaheads, so no group
# has to be copied back), "ch" and "ll", then single letters in one translation (y as i: "aiuda", "rei"),
# and repeated letters. Every question word the knowledge base lacks gets a key: ~2 us this way, where one
# regex with a group template per rule cost ~20 us.
_SOFTENED = ((re.compile(r"qu(?=[ei])"), "k"), (re.compile(r"c(?=[ei])"), "s"), (re.compile(r"g(?=[ei])"), "j"))
_SOUNDS = str.maketrans({"h": None, "c": "k", "q": "k", "z": "s", "v": "b", "w": "u", "y": "i"})
_REPEATED = re.compile(r"([a-z])\1+")


def _letter(repeated: re.Match[str]) -> str:
    return repeated.group(1)


@lru_cache(maxsize=50_000)
def sound_key(word: str) -> str:
    """A rough Spanish sound-alike key: 'antesedentes' and 'antecedentes', 'clabe' and 'clave' agree."""
    key = word
    for pattern, replacement in _SOFTENED:
        key = pattern.sub(replacement, key)
    key = key.replace("ch", "x").replace("ll", "y").translate(_SOUNDS)
    return _REPEATED.sub(_letter, key)
