"""Core: event queries and listings, `.ics` files, regions in text and regional answers, their validation."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import icalendar
import pytest

from bot.core.dates import LIMA
from bot.core.events import EventQuery, find_events, listing_text, parse_event_query
from bot.core.ics import event_ics
from bot.core.knowledge import KnowledgeBase, load_knowledge, load_knowledge_or_raise
from bot.core.models import Outcome, Reply
from bot.core.pipeline import Pipeline
from tests.events_kb import make_events_kb

NOW = datetime(2099, 2, 1, 10, 0, tzinfo=LIMA)  # webinar later today, others to come; CADE 2022 long past
SHIPPED = Path(__file__).resolve().parents[1] / "knowledge"


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    return load_knowledge_or_raise(make_events_kb(tmp_path_factory.mktemp("kb") / "knowledge"))


@pytest.fixture(scope="module")
def shipped() -> Pipeline:
    return Pipeline(load_knowledge_or_raise(SHIPPED))


def ids(entries: tuple[object, ...]) -> list[str]:
    return [e.id for e in entries]  # type: ignore[attr-defined]


def test_upcoming_soonest_first_then_to_be_announced_and_never_past(kb: KnowledgeBase) -> None:
    listing = find_events(kb, EventQuery(), NOW)
    assert ids(listing.upcoming) == ["webinar-firma", "semana-gobierno-digital", "taller-puno", "hackathon-datos"]
    assert listing.past == ()


def test_region_filter_keeps_national_events_and_drops_other_regions(kb: KnowledgeBase) -> None:
    assert ids(find_events(kb, EventQuery(region="puno"), NOW).upcoming) == [
        "webinar-firma",
        "taller-puno",
        "hackathon-datos",
    ]


def test_modality_and_month_filters(kb: KnowledgeBase) -> None:
    assert ids(find_events(kb, EventQuery(modality="virtual"), NOW).upcoming) == ["webinar-firma", "hackathon-datos"]
    assert ids(find_events(kb, EventQuery(period="month"), NOW).upcoming) == ["webinar-firma"]
    assert ids(find_events(kb, EventQuery(period="next_month"), NOW).upcoming) == ["semana-gobierno-digital"]


def test_nothing_upcoming_names_the_latest_past_as_took_place(kb: KnowledgeBase) -> None:
    later = datetime(2100, 1, 1, tzinfo=LIMA)
    query = EventQuery(region="lima-metropolitana", modality="presencial")
    listing = find_events(kb, query, later)
    assert listing.upcoming == ()
    assert ids(listing.past) == ["cade-digital-2022"]
    assert "se realizó el 25 oct 2022" in listing_text(listing, query, kb, "es", later)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("eventos en Cusco", EventQuery(region="cusco")),
        ("eventos virtuales", EventQuery(modality="virtual")),
        ("¿Hay eventos este mes?", EventQuery(period="month")),
        ("what events are coming up", EventQuery()),
        ("próximos eventos presenciales en Huamanga", EventQuery(region="ayacucho", modality="presencial")),
        ("cuándo es el próximo encuentro por la descentralización", None),
        ("eventos de transformacion digital para alcaldes", None),
        ("como renuevo mi dni", None),
    ],
)
def test_event_queries_in_free_text(kb: KnowledgeBase, text: str, expected: EventQuery | None) -> None:
    assert parse_event_query(text, kb) == expected


def test_pipeline_lists_events_for_a_listing_question(kb: KnowledgeBase) -> None:
    reply = Pipeline(kb).ask("eventos en puno")
    assert reply.intent == "events"
    assert "taller-puno" in ids(reply.events) and "semana-gobierno-digital" not in ids(reply.events)
    assert "Taller de trámites digitales en Puno" in reply.text and "Nacional" in reply.text


def test_pipeline_event_list_uses_the_citizens_region(kb: KnowledgeBase) -> None:
    reply = Pipeline(kb).ask("what events are coming up", "en", region="arequipa")
    assert "taller-puno" not in ids(reply.events)
    assert "in Arequipa" in reply.text


def test_next_encuentro_not_yet_announced_is_offered_as_not_covered(shipped: Pipeline) -> None:
    # The entry says the next editions are "por anunciar": it cannot be *the* answer to "when", so the
    # citizen hears that this point is not covered and gets the entry (which says so) as the closest help.
    reply = shipped.ask("cuándo es el próximo encuentro por la descentralización")
    assert reply.outcome is Outcome.SUGGEST and reply.uncovered
    assert reply.candidates[0].id == "encuentros-descentralizacion" and reply.candidates[0].starts is None


def test_ics_of_a_timed_event_parses_back_in_lima_time(kb: KnowledgeBase) -> None:
    data = event_ics(kb.entries["taller-puno"], "es", NOW)
    calendar = icalendar.Calendar.from_ical(data)
    event = calendar.walk("VEVENT")[0]
    assert str(event["summary"]) == "Taller de trámites digitales en Puno"
    start = event.decoded("dtstart")
    assert start.utcoffset().total_seconds() == -5 * 3600 and (start.hour, start.minute) == (9, 0)
    assert event["dtstart"].params["TZID"] == "America/Lima"
    assert [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")] == ["America/Lima"]
    assert str(event["url"]) == "https://www.gob.pe/taller-puno"


def test_ics_of_an_all_day_event_ends_the_day_after(kb: KnowledgeBase) -> None:
    event = icalendar.Calendar.from_ical(event_ics(kb.entries["semana-gobierno-digital"], "en", NOW)).walk("VEVENT")[0]
    assert event.decoded("dtstart").isoformat() == "2099-03-10"
    assert event.decoded("dtend").isoformat() == "2099-03-13"  # RFC 5545: DTEND of a DATE event is exclusive
    assert str(event["summary"]) == "Digital Government Week"


def test_ics_refuses_an_event_without_date(kb: KnowledgeBase) -> None:
    with pytest.raises(ValueError):
        event_ics(kb.entries["hackathon-datos"], "es", NOW)


@pytest.mark.parametrize(
    ("text", "department"),
    [
        ("soy de Puno, ¿dónde hay un centro MAC?", "puno"),
        ("vivo en Huamanga", "ayacucho"),
        ("mac de lima norte", "lima-metropolitana"),
        ("trabajo en huacho", "lima"),
        ("I live in Cusco", "cusco"),
        ("como renuevo mi dni", None),
        # Provinces and well-known districts, not only capitals: where most citizens say they live.
        ("vivo en un caserio de Ayabaca", "piura"),
        ("tengo mi terreno en Baños del Inca", "cajamarca"),
        ("somos de Coronel Portillo", "ucayali"),
    ],
)
def test_region_named_in_text(shipped: Pipeline, text: str, department: str | None) -> None:
    assert shipped.kb.regions.find(text) == department


def test_a_province_in_the_story_weighs_as_context_not_as_a_rare_word(shipped: Pipeline) -> None:
    analysis = shipped._indexes["es"].analyzer.analyze("vivo en la sierra de Ayabaca y quiero sacar mi dni")
    assert analysis.info(analysis.words.index("ayabaca")) <= 0.2


def test_set_region_changes_the_mac_answer(shipped: Pipeline) -> None:
    arequipa = shipped.ask("¿dónde hay un centro MAC?", region="arequipa")
    lima = shipped.ask("¿dónde hay un centro MAC?", region="lima-metropolitana")
    assert arequipa.entry_id == lima.entry_id == "centros-mac-sedes"
    assert "Porongoche" in arequipa.region_note and "Plaza Norte" in lima.region_note


def test_a_set_region_changes_only_where_questions_and_never_a_suggestion(shipped: Pipeline) -> None:
    what = shipped.ask("hola buenas tardes, que tramites hacen en el centro mac?", region="arequipa")
    assert what.entry_id == "centros-mac"
    for question in ("que hora es", "a qué hora abre el cine de Plaza Norte"):
        alone, regional = shipped.ask(question), shipped.ask(question, region="arequipa")
        assert (regional.outcome, regional.entry_id) == (alone.outcome, alone.entry_id)


def test_region_named_in_question_without_site_says_so(shipped: Pipeline) -> None:
    reply = shipped.ask("soy de tacna, hay centro mac?")
    assert reply.region == "tacna" and reply.region_named
    assert reply.region_note.startswith("En Tacna no hay Centro MAC registrado")


def test_national_service_says_so_only_when_the_region_is_named(kb: KnowledgeBase) -> None:
    pipeline = Pipeline(kb)
    named = pipeline.ask("soy de cusco, como saco mi pasaporte")
    assert named.entry_id == "pasaporte" and "servicio nacional" in named.region_note
    chosen = pipeline.ask("como saco mi pasaporte", region="cusco")
    assert chosen.entry_id == "pasaporte" and chosen.region_note == ""


def test_an_entry_about_one_place_is_never_called_national(shipped: Pipeline) -> None:
    # The SAT collects Lima's tickets: for a citizen in Arequipa it is Lima's information, not the same there.
    away = shipped.ask("como pago mi papeleta del SAT", region="arequipa")
    assert away.entry_id == "sat-papeletas"
    assert "Lima" in away.region_note and "servicio nacional" not in away.region_note
    home = shipped.ask("soy de Lima, como pago mi papeleta del SAT")
    assert home.entry_id == "sat-papeletas" and home.region_note == ""


def _broken_copy(tmp_path: Path, kb_dir: Path, old: str, new: str, file: str) -> Path:
    target = tmp_path / "k"
    shutil.copytree(kb_dir, target)
    path = target / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    return target


def test_unknown_department_in_regions_is_an_error_with_its_line(tmp_path: Path, kb: KnowledgeBase) -> None:
    broken = _broken_copy(tmp_path, kb.directory, "  arequipa:", "  arekipa:", "services/oficinas-atencion.yaml")
    loaded, problems = load_knowledge(broken)
    assert loaded is None
    rendered = [str(p) for p in problems if p.is_error]
    assert any("oficinas-atencion.yaml:" in r and "departamento desconocido 'arekipa'" in r for r in rendered)
    line = next(p.line for p in problems if "arekipa" in p.message)
    source = (broken / "services/oficinas-atencion.yaml").read_text(encoding="utf-8").splitlines()
    assert source[line - 1].startswith("  arekipa:")
    assert any("unknown department 'arekipa'" in p.render("en") for p in problems)


def test_alias_of_two_departments_is_an_error(tmp_path: Path, kb: KnowledgeBase) -> None:
    broken = _broken_copy(tmp_path, kb.directory, "aliases: [tacna,", "aliases: [tacna, juliaca,", "departamentos.yaml")
    loaded, problems = load_knowledge(broken)
    assert loaded is None
    assert any("departamentos.yaml:" in str(p) and "'juliaca' ya es alias de 'puno'" in str(p) for p in problems)


def test_regions_need_the_departments_file(tmp_path: Path, kb: KnowledgeBase) -> None:
    target = tmp_path / "k"
    shutil.copytree(kb.directory, target)
    (target / "departamentos.yaml").unlink()
    loaded, problems = load_knowledge(target)
    assert loaded is None
    assert any("'regions' necesita departamentos.yaml" in str(p) for p in problems)


@pytest.mark.parametrize(
    ("text", "department"),
    [("soy de Puno", "puno"), ("vivo en Huamanga", "ayacucho"), ("Juliaca", "puno"), ("soy de puno, hay mac?", None)],
)
def test_a_message_that_only_says_where_the_citizen_is(shipped: Pipeline, text: str, department: str | None) -> None:
    assert shipped.kb.regions.only_place(text) == department


def test_shipped_departments_are_the_26_choices(shipped: Pipeline) -> None:
    departments = shipped.kb.regions.departments
    assert len(departments) == 26 and {"callao", "lima-metropolitana", "lima"} <= set(departments)


def test_console_and_ask_show_the_regional_note(tmp_path: Path) -> None:
    import subprocess
    import sys

    env = {"KNOWLEDGE_DIR": str(SHIPPED), "DATABASE_PATH": str(tmp_path / "bot.sqlite3"), "PATH": "/usr/bin:/bin"}
    asked = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "soy de tacna, hay centro mac?"],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60, check=True,
    )  # fmt: skip
    assert asked.stdout.rstrip().endswith("📍 En Tacna no hay Centro MAC registrado en nuestra lista; "
                                          "llama gratis al Aló MAC 1800 para saber dónde atenderte.")
    chat = subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--no-log"], input="eventos en puno\n",
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60, check=True,
    )  # fmt: skip
    assert "eventos próximos registrados (en Puno)" in chat.stdout or "Próximos eventos (en Puno):" in chat.stdout


def test_an_event_answer_is_never_swapped_for_a_regional_service(shipped: Pipeline) -> None:
    """The question named that occasion; a regional entry ranking close behind it is another subject."""
    from bot.core.regional import with_region

    kb = shipped.kb
    event, regional = kb.entries["gore-ejecutivo-trujillo-2021"], kb.entries["laboratorios-regionales"]
    assert event.is_event and regional.regions
    reply = Reply(Outcome.ANSWER, "es", "¿qué regiones recibieron la acreditación en Trujillo?", entry=event)
    ranked = [SimpleNamespace(entry=event, score=0.66), SimpleNamespace(entry=regional, score=0.57)]
    kept = with_region(kb, reply, reply.question, None, lambda: ranked, 0.45)
    assert kept.entry_id == event.id and kept.region == "la-libertad"
