"""From an unanswered question to a better answer in one step: `review add/new/refresh/show`.

Runs on a copy of the shipped knowledge base, with questions recorded through the real pipeline.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from bot.core.knowledge import load_knowledge
from bot.core.models import Outcome
from bot.core.phrasing import PhrasingRefused, add_question
from bot.core.pipeline import Pipeline
from bot.review_cli import add_review_parser, run_review
from bot.settings import Settings
from bot.store import Store

ROOT = Path(__file__).resolve().parent.parent
UNKNOWN = "quiero mi chapa con foto nueva"


def run(settings: Settings, *argv: str) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot")
    add_review_parser(parser.add_subparsers(dest="command"))
    return run_review(parser.parse_args(["review", *argv]), settings)


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return Path(shutil.copytree(ROOT / "knowledge", tmp_path_factory.mktemp("shipped") / "knowledge"))


@pytest.fixture
def kb_dir(shipped: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(shipped, tmp_path / "knowledge"))


def ask_and_record(settings: Settings, *questions: str) -> None:
    pipeline = Pipeline.from_settings(settings)

    async def record() -> None:
        store = await Store.open(settings, retention_every=None)
        for question in questions:
            store.record_question(user_id=7, channel="telegram", reply=pipeline.ask(question))
        await store.close()

    asyncio.run(record())


def pending(settings: Settings, capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    capsys.readouterr()
    assert run(settings, "list", "--json") == 0
    return list(json.loads(capsys.readouterr().out)["groups"])


@pytest.fixture
def settings(kb_dir: Path, tmp_path: Path) -> Settings:
    settings = Settings(database_path=tmp_path / "bot.sqlite3", knowledge_dir=kb_dir)
    assert Pipeline.from_settings(settings).ask(UNKNOWN).outcome is not Outcome.ANSWER
    ask_and_record(settings, UNKNOWN, UNKNOWN + " porfa")
    return settings


def test_add_appends_one_line_keeps_comments_and_then_answers(
    settings: Settings, kb_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = kb_dir / "services" / "dni-renovacion.yaml"
    before = target.read_text(encoding="utf-8")
    [group] = pending(settings, capsys)
    assert run(settings, "add", str(group["id"]), "--entry", "dni-renovacion") == 0
    out = capsys.readouterr().out
    assert f"+    - {UNKNOWN}" in out and "resolved" in out

    after = target.read_text(encoding="utf-8")
    removed = [line for line in before.splitlines() if line not in after.splitlines()]
    added = [line for line in after.splitlines() if line not in before.splitlines()]
    assert removed == [] and added == [f"    - {UNKNOWN}"]
    assert after.startswith("# Renovación del DNI")  # the comment is intact
    assert load_knowledge(kb_dir)[0] is not None
    reply = Pipeline.from_settings(settings).ask(UNKNOWN)
    assert (reply.outcome, reply.entry_id) == (Outcome.ANSWER, "dni-renovacion")
    assert pending(settings, capsys) == []


def test_a_phrasing_another_entry_has_is_refused(kb_dir: Path) -> None:
    owned = "como renuevo mi dni"  # a phrasing of dni-renovacion
    before = (kb_dir / "services" / "pasaporte.yaml").read_text(encoding="utf-8")
    with pytest.raises(PhrasingRefused, match=r"ya es de la entrada 'dni-renovacion'"):
        add_question(kb_dir, "pasaporte", "¿Cómo RENUEVO mi DNI?")
    with pytest.raises(PhrasingRefused, match=r"ya tiene la pregunta"):
        add_question(kb_dir, "dni-renovacion", owned)
    assert (kb_dir / "services" / "pasaporte.yaml").read_text(encoding="utf-8") == before


def test_refused_add_is_one_spanish_line_and_the_group_stays_pending(
    settings: Settings, kb_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    [group] = pending(settings, capsys)
    assert run(settings, "add", str(group["id"]), "--entry", "dni-renovasion") == 1
    err = capsys.readouterr().err
    assert err.startswith("rechazado: no existe la entrada 'dni-renovasion'") and "dni-renovacion" in err
    assert err.count("\n") == 1
    assert [g["status"] for g in pending(settings, capsys)] == ["pending"]


def test_masked_data_never_becomes_a_phrasing(kb_dir: Path) -> None:
    addition = add_question(kb_dir, "dni-duplicado", "perdi mi dni [DNI] y necesito otro ya mismo")
    assert "[DNI]" not in addition.diff and "+    - perdi mi dni y necesito otro ya mismo" in addition.diff


def test_a_file_that_cannot_be_written_back_unchanged_is_refused_untouched(tmp_path: Path) -> None:
    kb_dir = Path(shutil.copytree(ROOT / "tests" / "fixtures" / "mini_kb", tmp_path / "kb"))
    target = kb_dir / "services" / "dni-duplicado.yaml"  # a flow list wrapped over two lines
    before = target.read_text(encoding="utf-8")
    with pytest.raises(PhrasingRefused, match="sin cambiar su formato"):
        add_question(kb_dir, "dni-duplicado", "se me cayo el dni al rio y no lo encuentro")
    assert target.read_text(encoding="utf-8") == before


def test_refresh_flags_groups_the_edited_base_answers(
    settings: Settings, kb_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add_question(kb_dir, "dni-renovacion", UNKNOWN)  # edited by hand, the group is still pending
    capsys.readouterr()
    assert run(settings, "refresh") == 0
    out = capsys.readouterr().out
    assert "1 pending group(s) are answered" in out
    [group] = pending(settings, capsys)
    assert group["answerable_entry_id"] == "dni-renovacion"
    assert run(settings, "list") == 0
    assert "[answerable now: dni-renovacion]" in capsys.readouterr().out


def test_show_says_what_the_bot_replied_and_the_closest_entries(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    [group] = pending(settings, capsys)
    assert run(settings, "show", str(group["id"]), "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["replies"]) == 2
    for reply in data["replies"]:
        assert reply["outcome"] in ("suggest", "none")
        if reply["outcome"] == "suggest":
            assert reply["suggested"] and all(isinstance(s, str) for s in reply["suggested"])
    assert data["candidates"][0]["entry"].startswith("dni")
    assert run(settings, "show", str(group["id"])) == 0
    out = capsys.readouterr().out
    assert "the bot replied (latest first, Lima time)" in out
    assert f"review add {group['id']} --entry" in out


def test_new_scaffolds_a_commented_entry_that_does_not_validate_until_filled(
    settings: Settings, kb_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    [group] = pending(settings, capsys)
    assert run(settings, "new", str(group["id"]), "--id", "dni-familiar") == 0
    path = kb_dir / "services" / "dni-familiar.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("#") and "id: dni-familiar" in text and f'  - "{UNKNOWN}"' in text
    kb, problems = load_knowledge(kb_dir)
    assert kb is None and any(p.path == str(path) and "todavía dice TODO" in p.message for p in problems)
    assert run(settings, "new", str(group["id"]), "--id", "dni-familiar") == 1
    assert "ya existe" in capsys.readouterr().err


def test_review_on_a_missing_database_says_so_and_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nowhere" / "bot.sqlite3"
    assert run(Settings(database_path=missing), "list") == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: no database at {missing}") and err.count("\n") == 1
    assert not missing.parent.exists()


def test_git_diff_of_an_added_phrasing_is_one_line(kb_dir: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    subprocess.run(["git", "init", "-q", str(kb_dir)], check=True)
    subprocess.run(["git", "-C", str(kb_dir), "add", "."], check=True)
    add_question(kb_dir, "pasaporte", "cuanto demora en salir el pasaporte si lo saco en lima")
    stat = subprocess.run(
        ["git", "-C", str(kb_dir), "diff", "--numstat"], check=True, capture_output=True, text=True
    ).stdout.split()
    assert stat == ["1", "0", "services/pasaporte.yaml"]
