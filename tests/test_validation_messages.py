"""Every validation rule, as staff meet it: a broken file -> the exact `path:line: message` they read.

Each row breaks one thing in a copy of tests/fixtures/mini_kb and names the line staff must fix and
the Spanish message they see there; every problem also has its English text (`validate --lang en`).
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from bot.core.knowledge import SERVICE_FIELDS, load_knowledge
from bot.core.problems import Problem

FIXTURE = Path(__file__).parent / "fixtures" / "mini_kb"
TODAY = date(2026, 11, 27)
R = "services/dni-renovacion.yaml"
D = "services/dni-duplicado.yaml"
E = "events/encuentro-futuro.yaml"
G = "events/gore-ejecutivo.yaml"
CHANNEL = '  - {type: online, value: "https://www.pagalo.pe"}'
STEPS = "steps: [Paga S/ 41 en Págalo.pe., Usa la app DNI BioFacial.]"
TITLE = "title: {es: Renovar el DNI, en: Renew your DNI}"
DELETE = "<delete>"
COLON_HINT = " (si lleva ': ' ponlo entre comillas dobles)"

# (file to edit, old text or None for the whole file, new text, file reported, "line: message")
CASES: list[tuple[str, str | None, str, str, str]] = [
    (R, "cost: S/ 41 (código 00525)\n", "", R, "1: falta el campo obligatorio 'cost'"),
    (R, "institution: Reniec", "institution:", R, "15: falta el campo obligatorio 'institution'"),
    (R, "institution: Reniec", "institution: [Reniec, PCM]", R, "15: 'institution' debe ser un solo texto"),
    (R, "id: dni-renovacion", "id: DNI_Renovacion", R,
     "1: 'id' solo admite minúsculas, números y guiones (mi-tramite); dice 'DNI_Renovacion'"),
    (R, TITLE, "title: {en: Renew your DNI}", R, "2: 'title' necesita el texto en español en 'es'"),
    (R, TITLE, "title: {es: Renovar el DNI, en: [a, b]}", R, "2: 'title.en' debe ser un solo texto"),
    (R, TITLE, "title: [Renovar, DNI]", R,
     "2: 'title' debe ser un texto, o 'es:' y (opcional) 'en:' con un texto cada uno"),
    (R, "  en: [renew my dni, my id card expired, dni renewal online, how to renew the national id]",
     "  en: renew my dni", R,
     "7: 'questions.en' debe ser una lista (una línea por elemento, empezando con '- ')"),
    (R, "  es: [como renuevo", "  fr: [como renuevo", R, "4: 'questions' necesita la lista en español en 'es'"),
    (R, "  es: [como renuevo", "  fr: [como renuevo", R,
     "5: 'questions' tiene un idioma desconocido 'fr' (usa 'es' o 'en')"),
    (R, TITLE, "title: {es: Renovar el DNI, Estado actual: vigente}", R,
     "2: 'title' tiene un idioma desconocido 'Estado actual' (usa 'es' o 'en'; un texto con dos puntos o comas "
     "dentro de {...} va entre comillas dobles)"),
    (R, "keywords: [renovar, vencido]", "keywords: renovar", R,
     "8: 'keywords' debe ser una lista, o 'es:' y 'en:' con una lista cada uno"),
    (R, "url: https://www.reniec.gob.pe", "url: www.reniec.gob.pe", R,
     "9: 'url' no es una dirección web válida (debe empezar con https://): 'www.reniec.gob.pe'"),
    (R, "sources: [https://identidad.reniec.gob.pe/es/preguntas-frecuentes-identidad-y-certificados-digitales]",
     "sources: https://www.gob.pe", R, "18: 'sources' debe ser una lista de direcciones web"),
    (R, "sources: [https://", "sources: [www.gob.pe, https://", R,
     "18: 'sources', elemento 1, no es una dirección web válida: 'www.gob.pe'"),
    (R, "related: [dni-duplicado]", "related: dni-duplicado", R, "17: 'related' debe ser una lista de ids de entradas"),
    (R, "reviewed: 2026-11-01", "reviewed: ayer", R, "19: 'reviewed' debe ser una fecha como 2026-11-27; dice 'ayer'"),
    (R, "reviewed: 2026-11-01", "reviewed: 2027-01-01", R, "19: 'reviewed' es una fecha futura (2027-01-01)"),
    (R, "reviewed: 2026-11-01", "reviewed: 2024-01-01", R,
     "19: aviso: 'reviewed' tiene 1061 días (más de 365): vuelve a revisar los datos"),
    (E, "starts: por anunciar", "starts: pronto", E,
     "4: 'starts' debe ser una fecha (2026-03-15), fecha y hora entre comillas (\"2026-03-15 09:00\") o "
     "'por anunciar'; dice 'pronto'"),
    (E, "modality: hibrido", "modality: telepatica", E,
     "6: 'modality' debe ser uno de hibrido, presencial, tba, virtual; dice 'telepatica'"),
    (G, "ends: 2022-10-25", "ends: 2022-10-20", G, "5: 'ends' es anterior a 'starts'"),
    (R, "channels:\n" + CHANNEL, "channels: online", R, "13: 'channels' debe ser una lista de {type, value, label}"),
    (R, CHANNEL, "  - online", R, "14: 'channels', elemento 1, necesita 'type' y 'value'"),
    (R, "type: online", "type: fax", R,
     "14: el tipo de canal debe ser uno de online, presencial, telefono, app, correo, whatsapp; dice 'fax'"),
    (R, "keywords:", "keywrods:", R, "8: campo desconocido 'keywrods' (¿quisiste decir 'keywords'?)"),
    (R, "url: https://www.reniec.gob.pe", "url: https://www.reniec.gob.pe\ncolour: blue", R,
     f"10: campo desconocido 'colour' (campos: {', '.join(sorted(SERVICE_FIELDS))})"),
    (R, STEPS, "steps:\n  - Paga S/ 41 en Págalo.pe.\n  - Nota: usa la app.", R,
     "12: 'steps', elemento 2, debe ser un texto no vacío" + COLON_HINT),
    (R, STEPS, "steps:\n  - Paga S/ 41 en Págalo.pe.\n    - Usa la app DNI BioFacial.", R,
     "12: esta línea empieza con '- ' pero quedó dentro del texto de arriba: alinea el guion con los otros "
     "elementos de la lista"),
    (R, "channels:\n" + CHANNEL, "channels:\n\t- {type: online, value: x}", R,
     "14: YAML inválido: hay un tabulador en esta línea; YAML solo admite espacios (cámbialo por espacios)"),
    (R, "keywords: [renovar, vencido]", "keywords: [renovar, vencido", R,
     "8: YAML inválido: falta cerrar '[' con ']' en esta línea (o pon el texto entre comillas dobles)"),
    (R, "institution: Reniec", 'institution: "Reniec', R,
     "15: YAML inválido: hay comillas sin cerrar en esta línea; cierra el texto con la misma comilla con que "
     "lo abriste"),
    (R, "institution: Reniec", "institution: Reniec: oficina central", R,
     "15: YAML inválido: un texto lleva ': ' (dos puntos y espacio); ponlo entre comillas dobles, por ejemplo "
     '- "Nota: ..."'),
    (R, "institution: Reniec", "   institution: Reniec", R,
     "15: YAML inválido: la sangría no cuadra; los campos de un mismo nivel y los '- ' de una lista van "
     "alineados, con espacios"),
    (R, "institution: Reniec", "institution: Reniec\ninstitution: PCM", R,
     "16: el campo 'institution' aparece dos veces"),
    (R, "institution: Reniec", "institution: TODO entidad responsable", R,
     "15: falta completar este campo: todavía dice TODO"),
    (R, "keywords: [renovar, vencido]", "keywords: [TODO]", R, "8: falta completar este campo: todavía dice TODO"),
    ("services/lista.yaml", None, "- a\n- b\n", "services/lista.yaml",
     "1: el archivo debe contener campos con su valor (campo: valor)"),
    ("extra.yaml", None, "a: 1\n", "extra.yaml", "1: aviso: archivo sin uso: las entradas van en services/ o events/"),
    ("categories.yaml", None, DELETE, "categories.yaml", "0: falta categories.yaml"),
    ("categories.yaml", "  title: {es: Salud, en: Health}", "  title: {es: Salud, en: Health}\n- salud",
     "categories.yaml", "5: cada categoría necesita id y title"),
    ("categories.yaml", "- id: salud", "- id: identidad", "categories.yaml",
     "3: la categoría 'identidad' está dos veces"),
    ("synonyms.yaml", "  same_as: [partida]", "  same_as: [partida]\n- brevete", "synonyms.yaml",
     "7: cada sinónimo necesita 'term' y 'same_as'"),
    ("synonyms.yaml", "  same_as: [partida]", "  same_as: [partida]\n  lang: fr", "synonyms.yaml",
     "7: 'lang' debe ser es o en; dice 'fr'"),
    ("synonyms.yaml", "  same_as: [partida]", "  same_as: [partida, acta]", "synonyms.yaml",
     "6: aviso: 'acta' es el propio término"),
    ("synonyms.yaml", "  same_as: [partida]", "  same_as: [partida, brevete]", "synonyms.yaml",
     "6: 'brevete' ya es sinónimo en la línea 1"),
    ("conversation.yaml", None, DELETE, "conversation.yaml",
     "0: falta conversation.yaml (respuesta sin resultado y conversación)"),
    ("conversation.yaml", "intents:", "intentos:", "conversation.yaml",
     "1: falta 'intents' con greeting, thanks, goodbye y help"),
    ("conversation.yaml", "  goodbye:", "  adios:", "conversation.yaml",
     "6: falta el intent 'goodbye' (o no tiene phrases y reply)"),
    (R, "id: dni-renovacion", "id: dni-renueva", R,
     "1: aviso: el nombre del archivo 'dni-renovacion.yaml' no coincide con el id 'dni-renueva'"),
    (R, TITLE, "title: Renovar el DNI", R, "2: aviso: hay preguntas en inglés pero el título no tiene texto 'en'"),
    (R, "mi dni ya vencio, ", "", R, "4: aviso: solo 7 preguntas en español; agrega al menos 8"),
    (R, "category: identidad", "category: deportes", R, "16: categoría desconocida 'deportes' (mira categories.yaml)"),
    ("services/mtc-record-conductor.yaml", "id: mtc-record-conductor", "id: dni-duplicado",
     "services/mtc-record-conductor.yaml", "1: id repetido 'dni-duplicado' (también en {kb}/" + D + ":1)"),
    (R, "related: [dni-duplicado]", "related: [dni-renovacion]", R, "1: 'related' nombra a la propia entrada"),
    (R, "related: [dni-duplicado]", "related: [dni-triplicado]", R,
     "1: 'related' nombra una entrada que no existe: 'dni-triplicado'"),
    (R, "actualizar mi dni]", "actualizar mi dni, dni vencido]", R, "5: aviso: pregunta repetida: 'dni vencido'"),
    (D, "dni roto", "dni vencido", R,
     "5: la pregunta 'dni vencido' también está en 'dni-duplicado' ({kb}/" + D + ":4): cada pregunta va en una "
     "sola entrada"),
]


def broken_copy(tmp_path: Path, target: str, old: str | None, new: str) -> Path:
    kb = Path(shutil.copytree(FIXTURE, tmp_path / "kb"))
    path = kb / target
    if new == DELETE:
        path.unlink()
    elif old is None:
        path.write_text(new, encoding="utf-8")
    else:
        text = path.read_text(encoding="utf-8")
        assert old in text, f"fixture text not found: {old!r}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return kb


def problems_in(kb: Path) -> list[Problem]:
    _, problems = load_knowledge(kb, today=TODAY)
    return problems


@pytest.mark.parametrize(("target", "old", "new", "reported", "expected"), CASES)
def test_broken_file_gives_the_exact_line_and_message(
    tmp_path: Path, target: str, old: str | None, new: str, reported: str, expected: str
) -> None:
    kb = broken_copy(tmp_path, target, old, new)
    problems = problems_in(kb)
    line = f"{kb / reported}:{expected.replace('{kb}', str(kb))}"
    assert line in [str(p) for p in problems], "\n".join(str(p) for p in problems)
    [problem] = [p for p in problems if str(p) == line]
    assert problem.english and problem.render("en") != str(problem)


def test_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    kb = Path(shutil.copytree(FIXTURE, tmp_path / "kb"))
    (kb / R).write_bytes((kb / R).read_text(encoding="utf-8").encode("latin-1"))
    assert f"{kb / R}:1: el archivo no es texto UTF-8: guárdalo como UTF-8" in [str(p) for p in problems_in(kb)]


def test_missing_folder_and_missing_services(tmp_path: Path) -> None:
    assert [str(p) for p in problems_in(tmp_path / "nada")] == [
        f"{tmp_path / 'nada'}:0: no se encuentra la carpeta de conocimiento"
    ]
    kb = Path(shutil.copytree(FIXTURE, tmp_path / "kb"))
    shutil.rmtree(kb / "services")
    assert f"{kb / 'services'}:0: no hay archivos de servicios" in [str(p) for p in problems_in(kb)]


def test_english_messages_on_request(tmp_path: Path) -> None:
    kb = broken_copy(tmp_path, R, "url: https://www.reniec.gob.pe", "url: www.reniec.gob.pe")
    rendered = [p.render("en") for p in problems_in(kb)]
    assert f"{kb / R}:9: 'url' is not a valid http(s) address: 'www.reniec.gob.pe'" in rendered


def test_the_swallowed_item_check_leaves_real_lists_and_texts_alone(tmp_path: Path) -> None:
    """Dashes inside a text ("Lima - Callao") and comment lines are not list items staff lost."""
    kb = broken_copy(
        tmp_path, R, STEPS, "steps:\n  # - una nota\n  - Paga S/ 41 en Lima - Callao.\n  - Usa la app DNI BioFacial."
    )
    assert problems_in(kb) == []
