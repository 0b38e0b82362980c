"""`python -m bot review ...` as staff use it: list, show, resolve, ignore, export, stats."""

from __future__ import annotations

import argparse
import asyncio
import json
from datetime import date
from pathlib import Path

import pytest

from bot.core.models import Entry, Outcome, Reply, Text, TextList
from bot.review_cli import add_review_parser, run_review
from bot.settings import Settings
from bot.store import Store

KNOWN = {"licencia-pesca", "pasaporte", "dni-renovacion"}
PESCA = Entry(
    "licencia-pesca",
    "service",
    Text("Licencia de pesca"),
    Text("..."),
    TextList(),
    TextList(),
    "",
    (),
    date(2026, 1, 1),
)


def run(settings: Settings, *argv: str, known_ids: set[str] | None = KNOWN) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot")
    add_review_parser(parser.add_subparsers(dest="command"))
    return run_review(parser.parse_args(["review", *argv]), settings, known_ids=known_ids)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    settings = Settings(database_path=tmp_path / "bot.sqlite3")

    async def seed() -> None:
        store = await Store.open(settings)
        for q in [
            "como saco mi licencia de pesca",
            "como saco mi lisencia de pesca",
            "licencia de pesca como saco",
            "¿Dónde veo mi trámite?",
        ]:
            store.record_question(user_id=1, channel="telegram", reply=Reply(Outcome.NONE, "es", q, q.lower()))
        await store.close()

    asyncio.run(seed())
    return settings


def groups_json(settings: Settings, capsys: pytest.CaptureFixture[str], *extra: str) -> list[dict[str, object]]:
    capsys.readouterr()
    assert run(settings, "list", "--json", *extra) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"groups"}
    return list(data["groups"])


def test_list_json_shape_most_asked_first(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    groups = groups_json(settings, capsys)
    assert [(g["text"], g["count"]) for g in groups] == [
        ("como saco mi licencia de pesca", 3),
        ("¿Dónde veo mi trámite?", 1),
    ]
    for g in groups:
        assert {"id", "text", "count", "first_seen", "last_seen", "status", "examples"} <= set(g)
        assert g["status"] == "pending"
        assert isinstance(g["examples"], list)


def test_list_table_is_readable(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(settings, "list", "--limit", "1") == 0
    out = capsys.readouterr().out
    assert "COUNT" in out and "como saco mi licencia de pesca" in out
    assert "trámite" not in out


def test_resolve_and_ignore_change_the_status(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    pesca, tramite = groups_json(settings, capsys)
    assert run(settings, "resolve", str(pesca["id"]), "--entry", "licencia-pesca") == 0
    assert run(settings, "ignore", str(tramite["id"])) == 0
    assert groups_json(settings, capsys) == []

    [resolved] = groups_json(settings, capsys, "--status", "resolved")
    assert resolved["entry_id"] == "licencia-pesca"
    assert str(resolved["changed_by"]).startswith("cli:")
    [ignored] = groups_json(settings, capsys, "--status", "ignored")
    assert ignored["id"] == tramite["id"]
    assert len(groups_json(settings, capsys, "--status", "all")) == 2


def test_unknown_entry_id_is_refused(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    [pesca, _] = groups_json(settings, capsys)
    assert run(settings, "resolve", str(pesca["id"]), "--entry", "licencia-pezca") == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unknown entry id 'licencia-pezca'" in err and "licencia-pesca" in err
    assert groups_json(settings, capsys)[0]["status"] == "pending"


def test_without_known_ids_any_entry_is_accepted(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    [pesca, _] = groups_json(settings, capsys)
    assert run(settings, "resolve", str(pesca["id"]), "--entry", "anything", known_ids=None) == 0


@pytest.mark.parametrize("action", [["show", "999"], ["ignore", "999"], ["resolve", "999", "--entry", "pasaporte"]])
def test_missing_group_is_one_line_and_exit_1(
    settings: Settings, capsys: pytest.CaptureFixture[str], action: list[str]
) -> None:
    assert run(settings, *action) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: no review group 999") and err.count("\n") == 1


def test_show_lists_examples_and_the_answerable_hint(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    async def reload() -> None:
        store = await Store.open(settings)
        await store.mark_answerable(
            lambda text: Reply(
                Outcome.ANSWER if "pesca" in text else Outcome.NONE,
                "es",
                text,
                text,
                score=0.9,
                entry=PESCA if "pesca" in text else None,
            )
        )
        await store.close()

    asyncio.run(reload())
    [pesca, _] = groups_json(settings, capsys)
    assert run(settings, "show", str(pesca["id"])) == 0
    out = capsys.readouterr().out
    assert "como saco mi lisencia de pesca" in out
    assert f"review resolve {pesca['id']} --entry licencia-pesca" in out


def test_export_writes_a_csv(settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "pendientes.csv"
    assert run(settings, "export", "--csv", str(out)) == 0
    assert "wrote 2 group(s)" in capsys.readouterr().out
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    assert "¿Dónde veo mi trámite?" in out.read_text(encoding="utf-8-sig")


def test_stats_json_text_and_png(settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(settings, "stats", "--days", "7", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["questions"], data["unanswered"], len(data["per_day"])) == (4, 4, 7)

    assert run(settings, "stats") == 0
    out = capsys.readouterr().out
    assert "preguntas:   4 (respondidas 0 = 0%" in out
    assert "preguntas sin respuesta más repetidas" in out and "3  #1 como saco mi licencia de pesca" in out

    png = tmp_path / "chart.png"
    assert run(settings, "stats", "--png", str(png)) == 0
    assert png.read_bytes().startswith(b"\x89PNG")


def test_unwritable_outputs_are_one_line_errors(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    assert run(settings, "stats", "--png", str(blocker / "chart.png")) == 1
    assert run(settings, "export", "--csv", str(blocker / "out.csv")) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 2 and "Traceback" not in err


def test_database_that_cannot_be_opened_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    garbage = tmp_path / "bot.sqlite3"
    garbage.write_text("not a database " * 100)
    assert run(Settings(database_path=garbage), "list") == 1
    err = capsys.readouterr().err
    assert err.startswith("error: cannot open database") and err.count("\n") == 1


def test_bad_arguments_are_usage_errors(settings: Settings) -> None:
    with pytest.raises(SystemExit) as exc:
        run(settings, "list", "--status", "done")
    assert exc.value.code == 2
