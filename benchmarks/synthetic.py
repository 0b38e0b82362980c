"""Synthetic knowledge bases in realistic Spanish, for measuring matching at a ministry's scale.

gob.pe lists thousands of procedures that differ by one or two words: the same "licencia de
funcionamiento" offered by hundreds of municipalities, for a bodega or for a restaurant. That is
the hard case for a matcher (many entries share every common word), so the generator builds
entries as procedure x subject x institution, each with ~10 phrasings in the style of the shipped
base, plus held-out citizen questions (other templates, informal words, typos, no accents) and
out-of-scope questions that reuse the base's own place names. Deterministic for a given seed; no
downloaded data.

    python -m benchmarks.synthetic --entries 1000 --out /tmp/kb1000   # write YAML to look at
"""

from __future__ import annotations

import argparse
import random
import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from bot.core.knowledge import KnowledgeBase
from bot.core.models import Channel, Entry, Text, TextList

# (id stem, noun phrase, verbs a citizen uses for it, subjects it applies to, category)
PROCEDURES: tuple[tuple[str, str, tuple[str, ...], str, str], ...] = (
    ("licencia-funcionamiento", "licencia de funcionamiento", ("sacar", "tramitar", "obtener"), "negocio", "empresas"),
    ("certificado-defensa-civil", "certificado de inspección técnica de seguridad", ("pedir", "tramitar"), "negocio",
     "empresas"),
    ("anuncio-publicitario", "autorización de anuncio publicitario", ("solicitar", "tramitar"), "negocio", "empresas"),
    ("licencia-edificacion", "licencia de edificación", ("sacar", "tramitar", "solicitar"), "obra", "vivienda"),
    ("conformidad-obra", "conformidad de obra y declaratoria de fábrica", ("pedir", "tramitar"), "obra", "vivienda"),
    ("certificado-parametros", "certificado de parámetros urbanísticos", ("pedir", "obtener"), "obra", "vivienda"),
    ("subdivision-lote", "subdivisión de lote", ("tramitar", "solicitar"), "obra", "vivienda"),
    ("numeracion-predio", "certificado de numeración de predio", ("pedir", "sacar"), "obra", "vivienda"),
    ("impuesto-predial", "pago del impuesto predial", ("pagar", "fraccionar", "consultar"), "contribuyente",
     "tributos"),
    ("arbitrios", "pago de arbitrios municipales", ("pagar", "consultar"), "contribuyente", "tributos"),
    ("alcabala", "impuesto de alcabala", ("pagar", "calcular"), "contribuyente", "tributos"),
    ("vehicular", "impuesto vehicular", ("pagar", "declarar"), "contribuyente", "tributos"),
    ("fraccionamiento", "fraccionamiento de deuda tributaria", ("solicitar", "pedir"), "contribuyente", "tributos"),
    ("matrimonio-civil", "matrimonio civil", ("inscribir", "programar", "reservar"), "persona", "familia"),
    ("divorcio-municipal", "separación convencional y divorcio ulterior", ("iniciar", "tramitar"), "persona",
     "familia"),
    ("partida-nacimiento", "copia certificada de acta de nacimiento", ("pedir", "sacar"), "persona", "identidad"),
    ("constancia-posesion", "constancia de posesión", ("solicitar", "obtener"), "persona", "vivienda"),
    ("certificado-domiciliario", "certificado domiciliario", ("sacar", "pedir"), "persona", "identidad"),
    ("carnet-sanidad", "carné de sanidad", ("sacar", "renovar"), "persona", "salud"),
    ("cita-medica", "cita médica en consulta externa", ("reservar", "sacar", "cancelar"), "paciente", "salud"),
    ("historia-clinica", "copia de historia clínica", ("pedir", "solicitar"), "paciente", "salud"),
    ("certificado-discapacidad", "certificado de discapacidad", ("tramitar", "obtener"), "paciente", "salud"),
    ("certificado-medico", "certificado médico de salud", ("sacar", "pedir"), "paciente", "salud"),
    ("vacunacion", "vacunación", ("programar", "consultar"), "paciente", "salud"),
    ("matricula", "matrícula", ("hacer", "renovar", "anular"), "estudiante", "educacion"),
    ("constancia-estudios", "constancia de estudios", ("pedir", "sacar"), "estudiante", "educacion"),
    ("certificado-estudios", "certificado de estudios", ("solicitar", "sacar"), "estudiante", "educacion"),
    ("traslado-colegio", "traslado de matrícula", ("solicitar", "tramitar"), "estudiante", "educacion"),
    ("grado-bachiller", "grado de bachiller", ("tramitar", "solicitar"), "estudiante", "educacion"),
    ("titulo-profesional", "título profesional", ("tramitar", "registrar"), "estudiante", "educacion"),
    ("convalidacion", "convalidación de cursos", ("pedir", "solicitar"), "estudiante", "educacion"),
    ("permiso-circulacion", "permiso de circulación de mototaxi", ("sacar", "renovar"), "transportista",
     "transporte"),
    ("tarjeta-circulacion", "tarjeta única de circulación", ("obtener", "renovar"), "transportista", "transporte"),
    ("papeleta", "papeleta de tránsito", ("pagar", "consultar", "apelar"), "transportista", "transporte"),
    ("deposito-vehicular", "liberación de vehículo del depósito", ("tramitar", "solicitar"), "transportista",
     "transporte"),
    ("licencia-pesca", "permiso de pesca artesanal", ("sacar", "renovar"), "productor", "produccion"),
    ("registro-productor", "inscripción en el padrón de productores agrarios", ("hacer", "solicitar"), "productor",
     "produccion"),
    ("certificado-sanitario", "certificado sanitario de alimentos", ("sacar", "tramitar"), "productor",
     "produccion"),
    ("queja-atencion", "queja por mala atención", ("presentar", "registrar"), "persona", "atencion-ciudadana"),
    ("acceso-informacion", "solicitud de acceso a la información pública", ("presentar", "enviar"), "persona",
     "atencion-ciudadana"),
    ("mesa-partes", "expediente por mesa de partes", ("presentar", "enviar", "consultar"), "persona",
     "atencion-ciudadana"),
    ("denuncia-ruidos", "denuncia por ruidos molestos", ("presentar", "hacer"), "vecino", "atencion-ciudadana"),
    ("poda-arboles", "poda de árboles en la vía pública", ("pedir", "solicitar"), "vecino", "atencion-ciudadana"),
    ("recojo-desmonte", "recojo de desmonte", ("pedir", "programar"), "vecino", "atencion-ciudadana"),
    ("serenazgo", "apoyo de serenazgo", ("pedir", "solicitar"), "vecino", "atencion-ciudadana"),
    ("uso-losa", "reserva de losa deportiva", ("reservar", "pagar"), "vecino", "atencion-ciudadana"),
    ("beca-municipal", "beca de estudios municipal", ("postular", "solicitar"), "estudiante", "programas-sociales"),
    ("vaso-leche", "inscripción en el vaso de leche", ("hacer", "solicitar"), "persona", "programas-sociales"),
    ("comedor-popular", "reconocimiento de comedor popular", ("tramitar", "solicitar"), "vecino",
     "programas-sociales"),
    ("ciam", "inscripción en el centro del adulto mayor", ("hacer", "solicitar"), "persona", "programas-sociales"),
)

SUBJECTS: dict[str, tuple[str, ...]] = {
    "negocio": ("bodega", "restaurante", "farmacia", "taller mecánico", "peluquería", "ferretería",
                "cabina de internet", "panadería", "lavandería", "consultorio dental"),
    "obra": ("vivienda unifamiliar", "ampliación de segundo piso", "local comercial", "cerco perimétrico",
             "demolición", "edificio multifamiliar"),
    "contribuyente": ("persona natural", "empresa", "pensionista", "adulto mayor", "predio rústico",
                      "herederos"),
    "persona": ("mayor de edad", "extranjero residente", "menor de edad con apoderado", "persona con discapacidad",
                "adulto mayor", "representante legal"),
    "paciente": ("asegurado del SIS", "paciente particular", "gestante", "niño menor de cinco años", "adulto mayor",
                 "persona con discapacidad"),
    "estudiante": ("inicial", "primaria", "secundaria", "pregrado", "posgrado", "educación técnica"),
    "transportista": ("mototaxi", "taxi colectivo", "camión de carga", "bus interprovincial", "moto lineal",
                      "auto particular"),
    "productor": ("pescador artesanal", "agricultor", "ganadero", "asociación de productores", "apicultor",
                  "piscicultor"),
    "vecino": ("junta vecinal", "vecino de urbanización", "asentamiento humano", "condominio", "mercado",
               "parque"),
}

PLACES = (
    "Arequipa", "Cusco", "Trujillo", "Chiclayo", "Piura", "Iquitos", "Huancayo", "Tacna", "Puno", "Ayacucho",
    "Cajamarca", "Huánuco", "Ica", "Juliaca", "Chimbote", "Sullana", "Tarapoto", "Pucallpa", "Tumbes", "Moquegua",
    "Abancay", "Huaraz", "Puerto Maldonado", "Chachapoyas", "Huancavelica", "Cerro de Pasco", "Moyobamba", "Ilo",
    "Jaén", "Talara", "Huacho", "Barranca", "Cañete", "Chincha", "Pisco", "Nasca", "Camaná", "Mollendo", "Sicuani",
    "Quillabamba", "Andahuaylas", "Tingo María", "La Merced", "Tarma", "Jauja", "Huanta", "Bagua", "Yurimaguas",
    "Santiago de Surco", "Miraflores", "San Juan de Lurigancho", "Comas", "Ate", "Villa El Salvador", "Los Olivos",
    "San Martín de Porres", "Chorrillos", "Carabayllo", "Puente Piedra", "Lurín", "Pachacámac", "La Molina",
    "Jesús María", "Lince", "Breña", "Rímac", "Independencia", "El Agustino", "Callao", "Ventanilla", "Bellavista",
    "La Perla", "Huaral", "Paita", "Sechura", "Lambayeque", "Ferreñafe", "Pacasmayo", "Chepén", "Virú",
)

INSTITUTIONS: dict[str, tuple[str, ...]] = {  # by the kind of procedure, who offers it
    "negocio": ("Municipalidad Distrital de {p}", "Municipalidad Provincial de {p}"),
    "obra": ("Municipalidad Distrital de {p}", "Municipalidad Provincial de {p}"),
    "contribuyente": ("Municipalidad Distrital de {p}", "Servicio de Administración Tributaria de {p}"),
    "persona": ("Municipalidad Distrital de {p}", "Municipalidad Provincial de {p}"),
    "paciente": ("Hospital Regional de {p}", "Red de Salud de {p}", "Centro de Salud de {p}"),
    "estudiante": ("Universidad Nacional de {p}", "UGEL {p}", "Instituto Tecnológico de {p}"),
    "transportista": ("Municipalidad Provincial de {p}", "Dirección Regional de Transportes de {p}"),
    "productor": ("Dirección Regional de la Producción de {p}", "Agencia Agraria de {p}"),
    "vecino": ("Municipalidad Distrital de {p}",),
}
SHORT_NAMES = {"Municipalidad": "muni", "Servicio": "sat", "Hospital": "hospital", "Red": "red de salud",
               "Centro": "posta", "Universidad": "universidad", "UGEL": "ugel", "Instituto": "instituto",
               "Dirección": "direccion regional", "Agencia": "agencia agraria"}

PHRASINGS = (
    "como {verb} {proc} {sub} en {place}",
    "requisitos para {verb} {proc} {sub} en la {short} de {place}",
    "cuanto cuesta {proc} {sub} {place}",
    "donde puedo {verb} {proc} para {sub} en {place}",
    "{proc} {sub} {place} en linea",
    "quiero {verb} {proc} {sub} en {place}",
    "plazo de {proc} {sub} en la {short} de {place}",
    "tramite de {proc} {sub} {place}",
    "que documentos piden para {proc} {sub} en {place}",
    "{verb} {proc} {sub} {place}",
    "horario para {verb} {proc} {sub} en {place}",
)
HELD_OUT = (
    "oe como hago para {verb} {proc} de {sub} aca en {place}",
    "necesito {proc} para {sub} en {place} que me piden",
    "ayuda con {proc} {sub} {place} por favor",
    "cuanto demora {proc} {sub} en {place}",
    "se puede {verb} {proc} {sub} por internet en {place}",
    "buenas, para {proc} de {sub} en {place} a donde voy",
)
OUT_OF_SCOPE = (
    "que clima hara manana en {place}",
    "restaurantes baratos en {place} para almorzar",
    "resultado del partido de futbol de {place}",
    "cuanto cuesta un pasaje de bus a {place}",
    "hoteles cerca a la plaza de armas de {place}",
    "a que hora abre el mercado de {place} los domingos",
    "receta de ceviche de pescado",
    "precio del dolar hoy en el banco",
    "como cambio la clave de mi wifi",
    "mejor celular para tomar fotos",
    "letra de la cancion de la selección",
    "cuantos goles hizo paolo guerrero",
)


@dataclass(frozen=True)
class SyntheticBase:
    kb: KnowledgeBase
    # (held-out question, entry ids that answer it: the same procedure, subject and place at any
    # of the place's institutions; empty when out of scope)
    questions: list[tuple[str, tuple[str, ...]]]


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def typo(word: str, rng: random.Random) -> str:
    """One realistic slip in a long word: a dropped, doubled or swapped letter."""
    if len(word) < 7 or not word.isalpha():
        return word
    i = rng.randrange(1, len(word) - 2)
    kind = rng.randrange(3)
    if kind == 0:
        return word[:i] + word[i + 1 :]
    if kind == 1:
        return word[:i] + word[i] + word[i:]
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", strip_accents(text).lower()).strip("-")


def _short(institution: str) -> str:
    return SHORT_NAMES.get(institution.split()[0], "entidad")


def generate(count: int, template: KnowledgeBase, *, seed: int = 12, held_out: int = 300,
             out_of_scope: int = 60) -> SyntheticBase:
    """`count` entries with the conversation texts and synonyms of `template` (the shipped base)."""
    rng = random.Random(seed)
    combos = [
        (proc, subject, inst.format(p=place), place)
        for proc in PROCEDURES
        for subject in SUBJECTS[proc[3]]
        for place in PLACES
        for inst in INSTITUTIONS[proc[3]]
    ]
    rng.shuffle(combos)
    if count > len(combos):
        raise ValueError(f"at most {len(combos)} distinct entries")
    entries: dict[str, Entry] = {}
    facts: dict[str, tuple[tuple[str, ...], str, str, str]] = {}  # id -> (verbs, noun, subject, place)
    for (slug, noun, verbs, _kind, category), subject, institution, place in combos[:count]:
        entry_id = f"{slug}-{_slug(subject)}-{_slug(institution)}"
        facts[entry_id] = (verbs, noun, subject, place)
        fill = {"proc": noun, "sub": subject, "place": place, "short": _short(institution)}
        phrasings = [t.format(verb=verbs[i % len(verbs)], **fill) for i, t in enumerate(PHRASINGS)]
        entries[entry_id] = Entry(
            id=entry_id,
            kind="service",
            title=Text(f"{noun[0].upper()}{noun[1:]} para {subject} – {institution}"),
            summary=Text(f"La {institution} atiende la {noun} para {subject} en línea y en su sede."),
            questions=TextList(es=tuple(strip_accents(p).lower() for p in phrasings[:10])),
            keywords=TextList(es=(noun, subject, place.lower())),
            url="https://www.gob.pe",
            sources=("https://www.gob.pe",),
            reviewed=date(2026, 12, 1),
            category=category,
            institution=institution,
            steps=TextList(es=("Reúne los requisitos.", "Presenta tu solicitud por mesa de partes digital.")),
            requirements=TextList(es=("DNI vigente.",)),
            cost=Text("Según el TUPA de la entidad."),
            channels=(Channel("online", "https://www.gob.pe"),),
        )
    ids = list(entries)
    same: dict[tuple[str, str, str], list[str]] = {}
    for entry_id, (_verbs, noun, subject, place) in facts.items():
        same.setdefault((noun, subject, place), []).append(entry_id)
    questions: list[tuple[str, tuple[str, ...]]] = []
    for entry_id in rng.sample(ids, min(held_out, len(ids))):
        verbs, noun, subject, place = facts[entry_id]
        text = rng.choice(HELD_OUT).format(verb=rng.choice(verbs), proc=noun, sub=subject, place=place)
        text = " ".join(typo(w, rng) if rng.random() < 0.15 else w for w in strip_accents(text).split())
        questions.append((text, tuple(same[noun, subject, place])))
    for _ in range(out_of_scope):
        questions.append((rng.choice(OUT_OF_SCOPE).format(place=rng.choice(PLACES)), ()))
    kb = replace(template, entries=entries)
    return SyntheticBase(kb, questions)


def write_yaml(base: SyntheticBase, out: Path) -> None:
    """The entries as YAML files (services/<id>.yaml), to read or load like the shipped base."""
    import yaml

    (out / "services").mkdir(parents=True, exist_ok=True)
    for entry in base.kb.entries.values():
        data = {
            "id": entry.id, "title": entry.title.es, "answer": entry.summary.es,
            "questions": {"es": list(entry.questions.es)}, "keywords": list(entry.keywords.es), "url": entry.url,
            "steps": list(entry.steps.es), "requirements": list(entry.requirements.es),
            "cost": entry.cost.es if entry.cost else "", "channels": [{"type": "online", "value": entry.url}],
            "institution": entry.institution, "category": entry.category, "sources": list(entry.sources),
            "reviewed": entry.reviewed.isoformat(),
        }
        path = out / "services" / f"{entry.id}.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    lines = [f"- {{question: {q!r}, expect: {list(e) or 'null'}}}" for q, e in base.questions]
    (out / "eval.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    from bot.core.knowledge import load_knowledge_or_raise

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    template = load_knowledge_or_raise(Path(__file__).resolve().parent.parent / "knowledge")
    base = generate(args.entries, template, seed=args.seed)
    write_yaml(base, args.out)
    print(f"wrote {len(base.kb.entries)} entries and {len(base.questions)} questions to {args.out}")


if __name__ == "__main__":
    main()
