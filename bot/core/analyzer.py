"""Turns a text into the informative word stems the matcher compares.

Steps: fold (with chat slang spelled out), correct typos against the knowledge base's own
vocabulary, split glued words, apply staff synonyms, drop stop words, stem. Only words that are not
real words of the language are corrected, and only towards words the knowledge base knows, so an
unrelated word ("alarma", "perro") is kept as it is and counts against a match instead of being bent
into one. Each stem carries how informative its word is in general language (see lexicon), which
the matcher uses for words the knowledge base does not know.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.core.asking import MIN_STORY_WORDS, asking_pieces
from bot.core.lexicon import DIMINUTIVE, MIN_INFORMATION, information, is_valid_word, zipf
from bot.core.normalize import STOP_WORDS, base_form, fold, folded_words, sound_key, stem, words
from bot.core.typos import NearWords

MIN_CORRECTABLE_LENGTH = 4
MIN_UNSTRETCHED_LENGTH = 4  # "otroo", "siii" (3+ are folded); "zoo", "lee" are words
MIN_REJOINED_LENGTH = 5  # two halves joined back into a word this long at least ("breve te" -> brevete)
MIN_GLUED_PART = 3
GLUED_PART_ZIPF = 4.0  # a part of a glued word the base lacks must be this common (about 10 per million words)
# A capitalised word where a name or a place stands ("soy Luis", "vive sola en Huancayo", "mi tía Marta",
# "en la Javier Prado", "en el Rebagliati") is about the asker and their story, not the service.
_NAMED = re.compile(
    r"\b(?:soy|llamo|llama|nombre es|(?:vivo|vive|viven|vivimos|resido|reside|radico|radica)(?: sol[oa]s?| ahora)? en|"
    r"(?:trabajo|trabaja|estudio|estudia|naci|nacio) en|en (?:el|la)|cerca (?:del|de la)|soy de|es de|somos de|"
    r"desde|tia|tio|hermana|hermano|vecina|vecino|mama|papa|abuela|abuelo|hija|hijo|esposa|esposo|amiga|amigo|"
    r"don|dona|i live in|from|my|"
    r"escribe|saluda|presento|habla|senora|senor|senorita|sra|sr|doctor|doctora|ingeniero|ingeniera|profesor|"
    r"profesora|i am|i'm|name is)"
    r"[:,]?\s+([A-Z][a-z]+(?: [A-Z][a-z]+)?)",
)
_UPPER_WORD = re.compile(r"(?<![A-ZÁÉÍÓÚÑ] )\b[A-ZÁÉÍÓÚÑ]{2,6}\b(?! [A-ZÁÉÍÓÚÑ]{2})")
_LETTER = re.compile(r"[A-Za-zÁÉÍÓÚÑáéíóúñ]")
_CAPITAL = re.compile(r"[A-ZÁÉÍÓÚÑ]")
# The story of a long message (see bot.core.asking), read once in the same pass as its asking part,
# keeps this share of its words' information, so it neither drowns the question nor pulls it towards
# another entry.
NARRATIVE_SHARE = 0.25
# An asking part that points back at the story's person or case ("para una persona como ella", "en su caso",
# "en mi situación"): the story is what is asked about, so it keeps its full weight.
_POINTS_BACK = re.compile(
    r"\b(?:(?:una persona|alguien|gente|personas) como (?:ella|el|yo|nosotros|ellos|ellas|mi (?:mama|papa|abuel[oa]))|"
    r"en (?:su|mi|nuestro|tu) (?:caso|situacion|condicion))\b"
)
_TWO_CAPITALS = re.compile(r"[A-ZÁÉÍÓÚÑ]{2}")  # what any written acronym needs: most texts have none
_ACCENTED = str.maketrans("áéíóúüñÁÉÍÓÚÜÑ", "aeiouunAEIOUUN")


# Where a loss or a theft happened ("perdí mi DNI en la fiesta patronal", "me robaron en la combi"): the
# story's circumstance, which weighs as a long message's story does, not a thing asked about.
_EVENT_VERBS = frozenset(
    "perdi perdio perdimos perdieron cayo cayeron robaron robo asaltaron jalaron arrancharon mojo mojaron olvide "
    "olvido deje dejo".split()
)
_PLACE_DETERMINERS = frozenset("el la los las un una mi su este esta ese esa".split())
CIRCUMSTANCE_REACH = 5  # words after the verb in which "en ..." may start


def _circumstances(tokens: list[str]) -> frozenset[str]:
    """The one or two words naming where the event a verb of losing tells happened ("en (la) W1 W2")."""
    if _EVENT_VERBS.isdisjoint(tokens):
        return frozenset()
    found: set[str] = set()
    for i, token in enumerate(tokens):
        if token not in _EVENT_VERBS:
            continue
        for j in range(i + 1, min(i + 1 + CIRCUMSTANCE_REACH, len(tokens))):
            if tokens[j] != "en":
                continue
            k = j + 1 + (j + 1 < len(tokens) and tokens[j + 1] in _PLACE_DETERMINERS)
            found.update(tokens[k : k + 2])
            break
    return frozenset(found)


def written_acronyms(text: str) -> set[str]:
    """Words written in capitals ("la PIDE"), folded; not runs of capitals ("FIRMA PERÚ") nor a shouted message."""
    if not _TWO_CAPITALS.search(text):
        return set()
    letters = len(_LETTER.findall(text))
    if not letters or len(_CAPITAL.findall(text)) > 0.6 * letters:
        return set()
    return {fold(word) for word in _UPPER_WORD.findall(text)}


def person_names(text: str) -> set[str]:
    """Folded words of the names a message introduces ("soy Luis Fernández", "le escribe Gloria", "mi tía
    Marta") or the places it says the asker lives in: about the asker, never what is asked."""
    return {word for name in _NAMED.findall(_plain_letters(text)) for word in fold(name).split()}


def _plain_letters(text: str) -> str:
    """The text without Spanish accents, case kept: "tía Marta" -> "tia Marta"."""
    return text.translate(_ACCENTED)


def acronym_stem(word: str) -> str:
    """The stem an acronym that is also a common word ("sol", "pide", "mac") matches on: its own, uppercase."""
    return word.upper()


def allowed_edits(word: str) -> int:
    """Edits tolerated for a typo: none for short words, where one edit changes the meaning."""
    if len(word) < 6:
        return 0
    return 1 if len(word) < 9 else 2


def _edits_of_length(length: int) -> int:
    return allowed_edits("x" * length)  # it depends on the length only


@dataclass(frozen=True)
class Analysis:
    folded: str  # the question folded (lowercase, no accents or punctuation)
    stems: tuple[str, ...]  # informative stems, in order, without repeats
    key: str  # informative words (corrected, unstemmed): "lisencia de pesca?" -> "licencia pesca"
    words: tuple[str, ...] = ()  # the word behind each stem
    information: tuple[float, ...] = ()  # per stem: how informative its word is in general language

    def info(self, index: int) -> float:
        return self.information[index] if index < len(self.information) else 1.0


MAX_REMEMBERED_WORDS = 50_000  # per-word analysis kept; questions bring new words without end


_OBJECT_PRONOUNS = frozenset({"me", "te", "se", "le", "les", "nos", "os"})
# Spanish letter names, as voice typing spells an acronym out ("de ene i" for DNI).
_LETTER_NAMES = {
    "a": "a", "be": "b", "ce": "c", "de": "d", "e": "e", "efe": "f", "ge": "g", "hache": "h", "i": "i",
    "jota": "j", "ka": "k", "ele": "l", "eme": "m", "ene": "n", "o": "o", "pe": "p", "cu": "q", "erre": "r",
    "ere": "r", "ese": "s", "te": "t", "u": "u", "uve": "v", "ve": "v", "equis": "x", "ye": "y", "zeta": "z",
}

# Spanish numbers from 16 to 99 in words, as a voice note or a careful writer puts them ("pensión sesenta y
# cinco", "beca dieciocho"): one word, or tens, "y" and a unit.
_UNITS = {"uno": 1, "un": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7, "ocho": 8,
          "nueve": 9}
_TENS = {"treinta": 30, "cuarenta": 40, "cincuenta": 50, "sesenta": 60, "setenta": 70, "ochenta": 80, "noventa": 90}
_ONE_WORD_NUMBERS = {
    "dieciseis": 16, "diecisiete": 17, "dieciocho": 18, "diecinueve": 19, "veinte": 20, "veintiuno": 21,
    "veintidos": 22, "veintitres": 23, "veinticuatro": 24, "veinticinco": 25, "veintiseis": 26, "veintisiete": 27,
    "veintiocho": 28, "veintinueve": 29, **_TENS,
}


class Analyzer:
    """Per-language analysis built once from the knowledge base's vocabulary and synonyms."""

    def __init__(
        self, lang: str, synonyms: Iterable[tuple[str, tuple[str, ...]]] = (), places: frozenset[str] = frozenset()
    ) -> None:
        self.lang = lang
        self.places = places  # where the asker lives or went says nothing about the service asked
        self.stop_words = STOP_WORDS.get(lang, STOP_WORDS["es"])
        self._phrases: dict[tuple[str, ...], tuple[str, ...]] = {}
        for term, variants in synonyms:
            target = tuple(term.split())
            for variant in variants:
                self._phrases[tuple(variant.split())] = target
        lengths: dict[str, set[int]] = {}
        for phrase in self._phrases:
            lengths.setdefault(phrase[0], set()).add(len(phrase))
        # A one-word variant about the asker ("mi esposo" -> conyuge, "necesitan" -> necesito) lends its
        # canonical word its own low information: the citizen wrote a context word, not the term.
        self._context_variants: dict[str, tuple[str, float]] = {}
        for phrase, target in self._phrases.items():
            if len(phrase) == 1 and len(target) == 1 and phrase[0] not in places:
                written = information(phrase[0], lang)
                if written < information(target[0], lang):
                    self._context_variants[phrase[0]] = (target[0], written)
        # first word -> the lengths of the phrases it starts, longest first (the only ones worth trying)
        self._lengths_from = {word: sorted(sizes, reverse=True) for word, sizes in lengths.items()}
        self._tokens: dict[str, tuple[bool, str, float]] = {}  # word -> (stop word?, stem, information)
        self._vocabulary: set[str] = set(self.stop_words)
        for phrase, target in self._phrases.items():
            self._vocabulary.update(phrase)
            self._vocabulary.update(target)
        self._stems: set[str] = set()
        self._by_sound: dict[str, str] = {}
        self._by_length: dict[int, list[str]] = {}
        self._near = NearWords({}, _edits_of_length)
        self._corrections: dict[str, str] = {}
        # Acronyms that fold into a common word (Clave SOL, la PIDE, Centro MAC) -> the stems of their
        # entries: written in lowercase they are the acronym only next to one of those words.
        self.acronyms: dict[str, frozenset[str]] = {}

    def learn(self, text: str) -> None:
        """Add a knowledge-base text's words to the vocabulary typos are corrected towards."""
        self._vocabulary.update(words(text))

    def learn_words(self, folded: Iterable[str]) -> None:
        """`learn` for a text already folded into words."""
        self._vocabulary.update(folded)

    def freeze(self) -> None:
        """Precompute lookup tables once all texts are learned."""
        for word in sorted(self._vocabulary):
            self._by_sound.setdefault(sound_key(word), word)
            self._stems.add(stem(word, self.lang))
        self._by_length.clear()
        for word in sorted(self._vocabulary):
            if len(word) >= MIN_CORRECTABLE_LENGTH and not word.isdigit():
                self._by_length.setdefault(len(word), []).append(word)
        self._near = NearWords(self._by_length, _edits_of_length)
        self._corrections.clear()

    def knows(self, word: str) -> bool:
        return word in self._vocabulary or stem(word, self.lang) in self._stems

    def correct(self, word: str) -> str:
        """The vocabulary word (or two glued ones, space-separated) a typo most likely meant, or the word."""
        if word in self._vocabulary or word.isdigit():
            return word
        if (unstretched := self._unstretched(word)) is not None:
            return unstretched
        if len(word) < MIN_CORRECTABLE_LENGTH:
            # Too short to correct, except a function word spelled by ear ("kon" for "con"): no real word,
            # and it sounds like a stop word, so it must not weigh like a rare content word.
            if len(word) > 1 and not is_valid_word(word, self.lang):
                same_sound = self._by_sound.get(sound_key(word))
                if same_sound is not None and same_sound in self.stop_words:
                    return same_sound
            return word
        cached = self._corrections.get(word)
        if cached is not None:
            return cached
        result = word
        if stem(word, self.lang) not in self._stems and not is_valid_word(word, self.lang):
            same_sound = self._by_sound.get(sound_key(word))
            if (base := self._undiminish(word)) is not None:
                result = base
            elif same_sound is not None:
                result = same_sound
            elif (glued := self._split(word)) is not None:
                result = glued
            elif (limit := allowed_edits(word)) > 0:
                # Only words within `limit` of this length, and of these letters, can be within `limit` edits.
                choices = self._near.candidates(word, limit)
                found = process.extractOne(word, choices, scorer=OSA.distance, score_cutoff=limit)
                if found is not None:
                    result = str(found[0])
        if len(self._corrections) < 20_000:
            self._corrections[word] = result
        return result

    def _unstretched(self, word: str) -> str | None:
        """A last letter typed twice in chat ("otroo", "holaa", "graciass", "sacarr"; three or more are
        squeezed by folding already): the word without it, when that is a word of the base or the language."""
        if len(word) < MIN_UNSTRETCHED_LENGTH or word[-1] != word[-2] or is_valid_word(word, self.lang):
            return None
        shorter = word[:-1]
        return shorter if shorter in self._vocabulary or is_valid_word(shorter, self.lang) else None

    def _undiminish(self, word: str) -> str | None:
        """The vocabulary word a diminutive is made from ("bodeguita" -> bodega, "papelito" -> papel)."""
        found = DIMINUTIVE.match(word)
        if found is None:
            return None
        root, vowel = found.group(1), found.group(2)
        root = root[:-2] + ("g" if root.endswith("gu") else "c") if root.endswith(("gu", "qu")) else root
        for base in (root + vowel, root, root.removesuffix("ec"), root.removesuffix("c")):
            if len(base) >= MIN_GLUED_PART and base in self._vocabulary:
                return base
        return None

    def _split(self, word: str) -> str | None:
        """Two glued words ("sacarmi", "clavesol") when both halves are known words."""
        for cut in range(MIN_GLUED_PART, len(word) - MIN_GLUED_PART + 1):
            left, right = word[:cut], word[cut:]
            if self._is_word(left) and self._is_word(right) and (self.knows(left) or self.knows(right)):
                return f"{left} {right}"
        return None

    def _acronyms_meant(self, tokens: list[str], text: str, own: frozenset[str]) -> set[str]:
        """Which ambiguous acronym words the text means as the acronym: written in capitals, in
        their own entry's texts, or next to a word that stands next to it there ("clave sol", "centro mac")."""
        present = {t for t in tokens if t in self.acronyms}
        if not present:
            return set()
        meant = present & (own | written_acronyms(text))
        # After an object pronoun the word is the verb, whatever stands around it: "me pide la muni"
        # asks what the municipality asks for, not about the PIDE platform.
        verbs = {t for before, t in pairwise(tokens) if before in _OBJECT_PRONOUNS}
        content = [t for t in tokens if t not in self.stop_words]
        for i, token in enumerate(content):
            if token in present and token not in meant and token not in verbs:
                neighbours = {stem(t, self.lang) for t in content[max(i - 1, 0) : i + 2] if t != token}
                if neighbours & self.acronyms[token]:
                    meant.add(token)
        return meant

    def rejoined(self, tokens: list[str], foreign: frozenset[str] = frozenset()) -> list[str]:
        """A word split in two by voice typing or a slip of the thumb ("breve te", "antece dentes") joined
        back, when together they are a knowledge-base word and neither half is a content word of it ("hogar
        es" stays: "hogares" would change what is asked; so does "pasa porte", "pasa" being a word of it)."""
        if len(tokens) < 2:
            return tokens
        vocabulary, stops = self._vocabulary, self.stop_words
        # One half at least is a word the base does not know (stop words are in its vocabulary), and the
        # other is one too or a stop word: most questions have no such pair, so look for that first.
        unknown = [t not in vocabulary for t in tokens]
        if not any(unknown):
            return tokens
        free = [u or t in stops for u, t in zip(unknown, tokens, strict=True)]
        result: list[str] = []
        i = 0
        while i < len(tokens):
            if i + 1 < len(tokens) and free[i] and free[i + 1] and (unknown[i] or unknown[i + 1]):
                first, second = tokens[i], tokens[i + 1]
                joined = first + second
                if (
                    len(joined) >= MIN_REJOINED_LENGTH and joined in vocabulary and joined not in stops
                    and first not in foreign and second not in foreign and not first.isdigit()
                    and not second.isdigit()
                ):
                    result.append(joined)
                    i += 2
                    continue
            result.append(tokens[i])
            i += 1
        return result

    def _spelled_out(self, tokens: list[str]) -> list[str]:
        """An acronym spelled letter by letter, as voice typing writes it ("el de ene i" -> dni, "ese i
        ese" -> sis): a run of Spanish letter names whose letters make a word of the base."""
        letters = _LETTER_NAMES
        if not any(a in letters and b in letters for a, b in pairwise(tokens)):
            return tokens  # nearly every question: no two letter names in a row
        result: list[str] = []
        i = 0
        while i < len(tokens):
            end = i
            while end < len(tokens) and tokens[end] in letters:
                end += 1
            found = None
            for start in range(i, end - 1):  # the longest run of two letters or more, from the left
                for stop in range(end, start + 1, -1):
                    joined = "".join(letters[t] for t in tokens[start:stop])
                    if len(joined) >= 3 and joined in self._vocabulary and joined not in self.stop_words:
                        found = (start, stop, joined)
                        break
                if found:
                    break
            if found is None:
                result.extend(tokens[i : max(end, i + 1)])
                i = max(end, i + 1)
                continue
            start, stop, joined = found
            result.extend(tokens[i:start])
            result.append(joined)
            i = stop
        return result

    def _numbers_in_words(self, tokens: list[str]) -> list[str]:
        """A number written in words that the base writes in digits ("pension sesenta y cinco" -> 65): only
        when those digits are a word of the base, so "tengo treinta años" keeps its context word."""
        if _ONE_WORD_NUMBERS.keys().isdisjoint(tokens):
            return tokens  # nearly every question
        result: list[str] = []
        i = 0
        while i < len(tokens):
            value, size = _ONE_WORD_NUMBERS.get(tokens[i], 0), 1
            if tokens[i] in _TENS and tokens[i + 1 : i + 2] == ["y"] and i + 2 < len(tokens):
                unit = _UNITS.get(tokens[i + 2])
                if unit is not None:
                    value, size = value + unit, 3
            if value and (digits := str(value)) in self._vocabulary:
                result.append(digits)
                i += size
            else:
                result.append(tokens[i])
                i += 1
        return result

    def _is_word(self, part: str) -> bool:
        """A half of a glued word: a word of the base, or a common word of the language. A rare one ("mor")
        is more likely a piece of a real word the frequency list lacks ("moroso" -> "mor oso")."""
        return part in self._vocabulary or zipf(part, self.lang) >= GLUED_PART_ZIPF

    def _softened(self, tokens: list[str]) -> dict[str, float]:
        """Canonical words the question reaches only through a context variant -> that variant's information."""
        variants = self._context_variants
        found = {variants[t][0]: variants[t][1] for t in tokens if t in variants}
        return {target: weight for target, weight in found.items() if target not in tokens} if found else found

    def apply_synonyms(self, tokens: list[str]) -> list[str]:
        """Replace every synonym phrase (longest first) by its canonical term."""
        starts = self._lengths_from
        found = [i for i, t in enumerate(tokens) if t in starts]  # most words start no synonym phrase
        if not found:
            return tokens
        result: list[str] = []
        done = 0
        for i in found:
            if i < done:  # inside a phrase already replaced
                continue
            result.extend(tokens[done:i])
            done = i + 1
            for size in starts[tokens[i]]:
                if i + size > len(tokens):
                    continue
                target = self._phrases.get(tuple(tokens[i : i + size]))
                if target is not None:
                    result.extend(target)
                    done = i + size
                    break
            else:
                result.append(tokens[i])
        result.extend(tokens[done:])
        return result

    def _asking_words(self, text: str, size: int) -> frozenset[str] | None:
        """The words of a long message's asking part, as analysed (corrected, synonyms applied);
        None when the message is short or all of it asks."""
        if size < MIN_STORY_WORDS:
            return None
        asking = asking_pieces(text)
        tokens = [self.correct(t) for t in words(" ".join(asking))]
        content = [t for t in tokens if t not in self.stop_words]
        if len(content) < 2 or len(tokens) > size - 3:  # "¿qué hago?" alone says nothing of what is asked
            return None
        if _POINTS_BACK.search(" ".join(tokens)):  # "¿hay algún apoyo para una persona como ella?": the story
            return None  # says who, so all of it is asked
        return frozenset(self.apply_synonyms(" ".join(tokens).split()))

    def _token(self, token: str) -> tuple[bool, str, float]:
        """What analysis needs of one word, worked out once: a knowledge base repeats its words
        across thousands of texts. Context words (places) weigh as little as the asker's own."""
        stop = token in self.stop_words or base_form(token) in self.stop_words
        weight = MIN_INFORMATION if token in self.places else information(token, self.lang)
        found = (stop, stem(token, self.lang), weight)
        if len(self._tokens) < MAX_REMEMBERED_WORDS:
            self._tokens[token] = found
        return found

    def text_stems(self, text: str, own_acronyms: frozenset[str] = frozenset()) -> tuple[list[str], tuple[str, ...]]:
        """(folded words, stems) of a knowledge-base text: `analyze(text, correct=False)` without what
        only questions need (weights, names, the key), since an index analyses 200,000 texts at 10,000 entries."""
        folded = list(folded_words(text))
        tokens = self.apply_synonyms(folded)
        acronyms = (
            self._acronyms_meant(tokens, text, own_acronyms)
            if self.acronyms and not self.acronyms.keys().isdisjoint(tokens)
            else set()
        )
        stems: list[str] = []
        remembered = self._tokens.get
        for token in tokens:
            stop, stemmed, _ = remembered(token) or self._token(token)
            if stop:
                continue
            if token in acronyms:
                stemmed = acronym_stem(token)
            if stemmed not in stems:
                stems.append(stemmed)
        return folded, tuple(stems)

    def analyze(
        self,
        text: str,
        *,
        correct: bool = True,
        own_acronyms: frozenset[str] = frozenset(),
        foreign: tuple[str, frozenset[str]] = ("", frozenset()),
    ) -> Analysis:
        """Analyse a question (`correct`) or a knowledge-base text (whose entry owns `own_acronyms`).

        `foreign` = (language, words): words of another language left in the question (an English
        question read through the glossary) are neither corrected nor weighed as this language's words.
        """
        tokens = words(text)
        folded = " ".join(tokens)
        foreign_lang, foreign_words = foreign
        if correct:
            tokens = self._numbers_in_words(self._spelled_out(self.rejoined(tokens, foreign_words)))
            tokens = " ".join(t if t in foreign_words else self.correct(t) for t in tokens).split()
            if len(tokens) > 1 and tokens[0] not in self.stop_words:
                # A message opens with a greeting spelled by ear ("ola, kiero saber..."): the word that
                # sounds like a stop word there is that word, though it is also a real one (a wave).
                opening = self._by_sound.get(sound_key(tokens[0]))
                if opening is not None and opening in self.stop_words and not self.knows(tokens[0]):
                    tokens[0] = opening
        softened = self._softened(tokens) if correct else {}
        told = _circumstances(tokens) if correct else frozenset()  # read before synonyms ("perdí" -> perder)
        tokens = self.apply_synonyms(tokens)
        # Names and places of the story weigh as context; a word the base uses keeps its weight ("en la Sunat").
        named = {w for w in person_names(text) if not self.knows(w)} if correct else set()
        asking = self._asking_words(text, len(tokens)) if correct else None
        acronyms = (
            self._acronyms_meant(tokens, text, own_acronyms)
            if self.acronyms and not self.acronyms.keys().isdisjoint(tokens)
            else set()
        )
        stems: list[str] = []
        informative: list[str] = []
        info: list[float] = []
        for token in tokens:
            stop, stemmed, information_ = self._tokens.get(token) or self._token(token)
            if stop:  # "sacarle" like "sacar"
                continue
            if token in acronyms:
                stemmed = acronym_stem(token)
            if stemmed not in stems:
                stems.append(stemmed)
                informative.append(token)
                share = NARRATIVE_SHARE if (asking is not None and token not in asking) or token in told else 1.0
                if token in foreign_words:
                    context = token in named or token in self.places
                    info.append(share * (MIN_INFORMATION if context else information(token, foreign_lang)))
                else:
                    written = softened.get(token, information_) if softened else information_
                    info.append(share * (MIN_INFORMATION if token in named else min(information_, written)))
        return Analysis(
            folded=folded, stems=tuple(stems), key=" ".join(informative), words=tuple(informative),
            information=tuple(info),
        )
