"""Validation of the knowledge base: every problem reported as path:line, and a broken base never loads."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from bot.core.knowledge import load_knowledge

FIXTURE = Path(__file__).parent / "fixtures" / "mini_kb"
TODAY = date(2026, 11, 27)


@pytest.fixture
def kb_dir(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(FIXTURE, target)
    return target


def problems_of(directory: Path, max_age_days: int = 365) -> list[str]:
    _kb, problems = load_knowledge(directory, today=TODAY, max_age_days=max_age_days)
    return [p.render("en") for p in problems]


def _line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line.lower())


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text not found: {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_fixture_loads_cleanly(kb_dir: Path) -> None:
    kb, problems = load_knowledge(kb_dir, today=TODAY)
    assert problems == []
    assert kb is not None
    assert {e.id for e in kb.services()} == {"dni-renovacion", "dni-duplicado", "mtc-record-conductor"}
    assert kb.entries["dni-renovacion"].title.get("en") == "Renew your DNI"
    assert kb.entries["dni-duplicado"].title.get("en") == "Duplicado del DNI"  # falls back to Spanish
    assert kb.entries["encuentro-futuro"].starts is None  # "por anunciar"


def test_malformed_yaml_reports_line_and_blocks_loading(kb_dir: Path) -> None:
    path = kb_dir / "services" / "dni-duplicado.yaml"
    edit(path, "answer: Si perdiste", "answer: [Si perdiste")
    kb, problems = load_knowledge(kb_dir, today=TODAY)
    assert kb is None
    assert len(problems) == 1
    assert str(problems[0]).startswith(f"{path}:")
    assert "YAML inválido" in str(problems[0])
    assert "invalid YAML" in problems[0].render("en")


def test_several_problems_are_reported_at_once_with_their_lines(kb_dir: Path) -> None:
    path = kb_dir / "services" / "dni-renovacion.yaml"
    edit(path, "url: https://www.reniec.gob.pe", "url: www.reniec.gob.pe\ncolour: blue")
    edit(path, "reviewed: 2026-11-01", "reviewed: 2026-13-45")
    edit(path, "category: identidad", "category: deportes")
    found = problems_of(kb_dir)
    lines = path.read_text(encoding="utf-8").splitlines()
    url_line = next(i for i, line in enumerate(lines, 1) if line.startswith("url:"))
    assert f"{path}:{url_line}: 'url' is not a valid http(s) address: 'www.reniec.gob.pe'" in found
    assert f"{path}:{url_line + 1}: unknown field 'colour' (known fields: " in " ".join(found)
    assert any(":" in p and "'reviewed' must be a date" in p for p in found)
    assert any("unknown category 'deportes'" in p for p in found)


def test_unknown_field_suggests_the_right_name(kb_dir: Path) -> None:
    edit(kb_dir / "services" / "dni-duplicado.yaml", "keywords:", "keywrods:")
    found = problems_of(kb_dir)
    assert any("unknown field 'keywrods' (did you mean 'keywords'?)" in p for p in found)
    assert any("missing required field 'keywords'" in p for p in found)


def test_duplicate_id_names_both_files(kb_dir: Path) -> None:
    edit(kb_dir / "services" / "mtc-record-conductor.yaml", "id: mtc-record-conductor", "id: dni-duplicado")
    found = problems_of(kb_dir)
    assert any("duplicate id 'dni-duplicado' (also in" in p and "dni-duplicado.yaml:1)" in p for p in found)


def test_same_question_on_two_entries_is_an_error(kb_dir: Path) -> None:
    edit(kb_dir / "services" / "dni-duplicado.yaml", "dni roto", '"Cómo renuevo mi DNI?"')
    found = problems_of(kb_dir)
    duplicado, renovacion = kb_dir / "services" / "dni-duplicado.yaml", kb_dir / "services" / "dni-renovacion.yaml"
    line_in = {path: _line_of(path, "renuevo mi") for path in (duplicado, renovacion)}
    first, second = sorted(line_in)  # entries load in file-name order
    assert (
        f"{second}:{line_in[second]}: question '" in " ".join(found)
        and f"is also on '{first.stem}' ({first}:{line_in[first]})" in " ".join(found)
    ), found


def test_bad_event_dates_and_modality(kb_dir: Path) -> None:
    path = kb_dir / "events" / "gore-ejecutivo.yaml"
    edit(path, "ends: 2022-10-25", "ends: 2022-10-20")
    edit(path, "modality: presencial", "modality: telepatica")
    found = problems_of(kb_dir)
    assert any("'ends' is before 'starts'" in p for p in found)
    assert any("'modality' must be one of" in p for p in found)


def test_old_review_date_is_only_a_warning(kb_dir: Path) -> None:
    kb, problems = load_knowledge(kb_dir, today=TODAY, max_age_days=10)
    assert kb is not None
    assert problems and all(p.severity == "warning" for p in problems)
    assert "warning: 'reviewed' is 26 days old (more than 10)" in problems[0].render("en")
    assert "aviso: 'reviewed' tiene 26 días (más de 10)" in str(problems[0])


def test_unknown_related_entry_and_missing_required_field(kb_dir: Path) -> None:
    path = kb_dir / "services" / "dni-renovacion.yaml"
    edit(path, "related: [dni-duplicado]", "related: [dni-triplicado]")
    edit(path, "institution: Reniec\n", "")
    found = problems_of(kb_dir)
    assert any("'related' names unknown entry 'dni-triplicado'" in p for p in found)
    assert any(p.startswith(f"{path}:1: missing required field 'institution'") for p in found)


def test_file_that_is_not_a_mapping(kb_dir: Path) -> None:
    (kb_dir / "services" / "lista.yaml").write_text("- a\n- b\n", encoding="utf-8")
    assert any("lista.yaml:1: the file must contain a mapping" in p for p in problems_of(kb_dir))


def test_missing_folder(tmp_path: Path) -> None:
    kb, problems = load_knowledge(tmp_path / "nope")
    assert kb is None and "knowledge folder not found" in problems[0].render("en")
