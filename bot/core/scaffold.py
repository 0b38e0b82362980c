"""A new service entry file started from a citizen's question, for staff to complete.

The template is commented field by field in Spanish (the staff guide, knowledge/README.md, explains
each field), with the question already in `questions`, so starting an entry for a question nobody
could answer takes one command. Every value still to write says TODO: the file does not validate
until staff fill it in with sourced facts, so a half-written entry is never served.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from bot.core.normalize import fold
from bot.core.phrasing import PhrasingRefused, clean_phrasing
from bot.core.schema import ID_PATTERN

MAX_ID_WORDS = 5

TEMPLATE = """\
# Entrada nueva creada con `python -m bot review new` desde una pregunta sin respuesta.
# Completa cada TODO solo con datos que tengan fuente (ver knowledge/README.md) y valida con
# `python -m bot validate`. Mientras no valide, el asistente sigue usando la versión anterior.
id: {entry_id}
# Nombre corto del servicio (español; `en:` opcional).
title: TODO nombre del servicio
# 2 a 4 frases cortas y sencillas; incluye costo y código de pago si se conocen.
answer: TODO la respuesta
# Al menos 8 formas de preguntar, como escribe un ciudadano (minúsculas, sin tildes, jerga).
questions:
  - {question}
# Palabras o siglas propias del tema.
keywords: [TODO]
# Enlace oficial (gob.pe, reniec.gob.pe, ...).
url: TODO https://www.gob.pe/...
steps:
  - TODO primer paso
requirements:
  - TODO requisito
# `Gratuito.` si es gratis; si no se sabe, di que se revise la página oficial.
cost: TODO costo
# type: online, presencial, telefono, app, correo o whatsapp; label es opcional.
channels:
  - type: online
    value: TODO https://www.gob.pe/...
institution: TODO entidad responsable
# Una de las categorías de categories.yaml.
category: TODO
# De dónde sale cada dato (al menos una fuente).
sources:
  - TODO https://...
reviewed: {today}
"""


def entry_id_for(question: str) -> str:
    """A kebab-case id from the question's first words ("¿Cómo saco mi brevete?" -> como-saco-mi-brevete)."""
    return "-".join(fold(clean_phrasing(question)).split()[:MAX_ID_WORDS])


def scaffold_entry(directory: Path, question: str, entry_id: str | None = None, today: date | None = None) -> Path:
    """Write `services/<id>.yaml` from the template; refuses a bad id or an existing file."""
    text = clean_phrasing(question)
    if not fold(text):
        raise PhrasingRefused("la pregunta está vacía (o su texto ya se borró por antigüedad)")
    entry_id = entry_id or entry_id_for(text)
    if not ID_PATTERN.match(entry_id):
        raise PhrasingRefused(f"el id '{entry_id}' no vale: solo minúsculas, números y guiones (mi-tramite)")
    path = directory / "services" / f"{entry_id}.yaml"
    if path.exists() or any(directory.glob(f"*/{entry_id}.y*ml")):
        raise PhrasingRefused(f"ya existe una entrada '{entry_id}': elige otro id con --id")
    # A double-quoted YAML string is JSON-compatible: quotes, colons and accents stay safe.
    body = TEMPLATE.format(
        entry_id=entry_id, question=json.dumps(text, ensure_ascii=False), today=(today or date.today()).isoformat()
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body, encoding="utf-8")
    return path
