"""Hostile or careless YAML never crashes or stalls the loader: every fault is a `path:line` problem."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from bot.core.knowledge import load_knowledge
from bot.core.yamlfile import MAX_FILE_BYTES, YamlProblem, load_yaml

FIXTURE = Path(__file__).parent / "fixtures" / "mini_kb"
TODAY = date(2026, 11, 27)
BILLION_LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]\n" for prev, name in zip("abcdefgh", "bcdefghi", strict=True)
)


@pytest.fixture
def kb_dir(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(FIXTURE, target)
    return target


def _replace(path: Path, old: str, new: str) -> int:
    """Replace the first line starting with `old`; returns its line number."""
    lines = path.read_text(encoding="utf-8").splitlines()
    number = next(n for n, line in enumerate(lines) if line.startswith(old))
    lines[number] = new
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return number + 1


@pytest.mark.parametrize(
    ("field", "tagged"),
    [
        ("reviewed:", "reviewed: !!int soon"),
        ("id:", "id: !!int x"),
        ("cost:", "cost: !!float abc"),
        ("cost:", "cost: !!python/object/apply:os.system [echo hi]"),
        ("cost:", "cost: !!timestamp mañana"),
        ("cost:", "cost: !!set [[1, 2]]"),
        ("cost:", "cost: !!omap [uno]"),
        ("cost:", "cost: !!binary '%%%'"),
    ],
)
def test_a_bad_tag_is_a_problem_on_its_line(kb_dir: Path, field: str, tagged: str) -> None:
    path = kb_dir / "services" / "dni-duplicado.yaml"
    line = _replace(path, field, tagged)
    kb, problems = load_knowledge(kb_dir, today=TODAY)
    assert kb is None
    assert any(str(p).startswith(f"{path}:{line}:") for p in problems), [str(p) for p in problems]


def test_an_alias_bomb_is_refused_in_milliseconds(tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(BILLION_LAUGHS, encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(YamlProblem, match="alias") as caught:
        load_yaml(path)
    assert time.perf_counter() - started < 0.5  # expanding it took 8.5 s on the bot's event loop
    assert caught.value.line > 1


def test_a_self_containing_alias_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "loop.yaml"
    path.write_text("questions: &q [hola, *q]\n", encoding="utf-8")
    with pytest.raises(YamlProblem, match="sí mismo"):
        load_yaml(path)


def test_deep_nesting_is_a_problem_not_a_recursion_error(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("a: " + "[" * 200 + "]" * 200 + "\n", encoding="utf-8")
    with pytest.raises(YamlProblem, match="anidados"):
        load_yaml(path)


def test_a_huge_file_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_text("- hola\n" * (MAX_FILE_BYTES // 7 + 1), encoding="utf-8")
    with pytest.raises(YamlProblem, match="demasiado grande"):
        load_yaml(path)


def test_aliases_of_reasonable_size_still_work(tmp_path: Path) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text("base: &b [uno, dos]\notra: *b\n", encoding="utf-8")
    data, _ = load_yaml(path)
    assert data["otra"] == ["uno", "dos"]


def test_validate_reports_bad_tags_without_a_traceback(kb_dir: Path) -> None:
    _replace(kb_dir / "services" / "dni-duplicado.yaml", "reviewed:", "reviewed: !!int soon")
    _replace(kb_dir / "services" / "dni-renovacion.yaml", "cost:", "cost: !!float abc")
    (kb_dir / "services" / "bomba.yaml").write_text(BILLION_LAUGHS, encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "bot", "validate", str(kb_dir)], capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 1
    assert "Traceback" not in run.stdout + run.stderr
    out = run.stdout + run.stderr
    assert "dni-duplicado.yaml:" in out and "dni-renovacion.yaml:" in out and "bomba.yaml:" in out
