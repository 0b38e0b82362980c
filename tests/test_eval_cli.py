"""`python -m bot eval` as the gate staff and CI run: thresholds, the failing-case table, save/compare."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bot.cli import main

FIXTURE = Path(__file__).parent / "fixtures" / "mini_kb"
CASES = (
    "- {question: se me perdio el dni en la combi, expect: dni-duplicado, style: slang}\n"
    "- {question: komo renuebo mi dni, expect: dni-renovacion, style: slang}\n"
    "- {question: Renovación del DNI electrónico vencido, expect: dni-renovacion, style: formal}\n"
    "- {question: pon una alarma a las 6, expect: null}\n"
)


@pytest.fixture
def kb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    kb = Path(shutil.copytree(FIXTURE, tmp_path / "knowledge"))
    (kb / "eval").mkdir()
    (kb / "eval" / "cases.yaml").write_text(CASES, encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # away from any developer .env
    monkeypatch.setenv("KNOWLEDGE_DIR", str(kb))
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "bot.sqlite3"))
    return kb


def break_duplicado(kb: Path) -> None:
    """A content edit gone wrong: the duplicate-DNI entry loses the phrasings about losing it."""
    target = kb / "services" / "dni-duplicado.yaml"
    text = target.read_text(encoding="utf-8")
    start, end = text.index("questions:"), text.index("keywords:")
    questions = (
        "questions: [duplicado de dni, sacar otro dni, dni roto, duplicado dni costo, dni nuevo, otro dni, dni dos]\n"
    )
    target.write_text(text[:start] + questions + text[end:].replace("perdida, robo", "copia"), encoding="utf-8")


def test_gate_passes_then_fails_after_a_breaking_edit_naming_the_case(
    kb: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["eval", str(kb / "eval"), "--min-accuracy", "0.99"]) == 0
    assert "gate passed" in capsys.readouterr().out

    break_duplicado(kb)
    assert main(["eval", str(kb / "eval"), "--min-accuracy", "0.99"]) == 1
    out = capsys.readouterr().out
    table = out[out.index("failing cases") :]
    assert "WHERE" in table and "QUESTION" in table
    [row] = [line for line in table.splitlines() if "se me perdio el dni en la combi" in line]
    assert f"{kb / 'eval' / 'cases.yaml'}:1" in row and "dni-duplicado" in row
    assert "GATE FAILED: accuracy" in out


def test_max_false_and_max_wrong_are_shares_of_their_cases(kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (kb / "eval" / "cases.yaml").write_text(
        CASES + "- {question: perdi mi dni, expect: dni-renovacion}\n- {question: como renuevo mi dni, expect: null}\n",
        encoding="utf-8",
    )
    assert main(["eval", str(kb / "eval"), "--max-wrong", "0.5", "--max-false", "0.5"]) == 0
    assert main(["eval", str(kb / "eval"), "--max-wrong", "0.1"]) == 1
    assert "1 wrong answers are more than 10% of 4 in-scope cases" in capsys.readouterr().out
    assert main(["eval", str(kb / "eval"), "--max-false", "0.1"]) == 1
    assert "1 false answers are more than 10% of 2 out-of-scope cases" in capsys.readouterr().out


def test_json_has_per_style_figures(kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", str(kb / "eval" / "cases.yaml"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data["by_style"]) == {"slang", "formal"}
    assert data["by_style"]["slang"]["in_scope"] == 2 and data["by_style"]["formal"]["cases"] == 1


def test_save_and_compare_list_better_and_worse_cases(
    kb: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = tmp_path / "before.json"
    assert main(["eval", str(kb / "eval"), "--save", str(saved)]) == 0
    break_duplicado(kb)
    capsys.readouterr()
    assert main(["eval", str(kb / "eval"), "--compare", str(saved)]) == 0  # no threshold: a report only
    out = capsys.readouterr().out
    assert "compared with the saved run: 0 better, 1 worse, 0 new, 0 gone" in out
    worse = out[out.index("  worse:") :]
    assert "answered_correct ->" in worse and "se me perdio el dni en la combi" in worse


def test_compare_shows_a_suggestion_turned_into_a_wrong_answer_though_both_fail(
    kb: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (kb / "eval" / "cases.yaml").write_text(CASES + "- {question: perdi mi dni, expect: dni-renovacion}\n", "utf-8")
    saved = tmp_path / "before.json"
    assert main(["eval", str(kb / "eval"), "--save", str(saved)]) == 0
    before = json.loads(saved.read_text("utf-8"))
    [key] = [k for k in before["cases"] if k.endswith("perdi mi dni")]
    assert before["cases"][key]["kind"] == "answered_wrong"
    before["cases"][key]["kind"] = "suggested_correct"  # as if, before the edit, it was only offered
    saved.write_text(json.dumps(before), "utf-8")
    capsys.readouterr()
    assert main(["eval", str(kb / "eval"), "--compare", str(saved)]) == 0
    out = capsys.readouterr().out
    assert "0 better, 1 worse" in out and "suggested_correct -> answered_wrong" in out


def test_a_share_outside_0_1_is_a_usage_error(kb: Path) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["eval", str(kb / "eval"), "--min-accuracy", "90"])
    assert exc.value.code == 2
