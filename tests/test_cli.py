"""The command line as staff, admins and CI use it: real subprocesses, real exit codes."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).parent / "fixtures" / "mini_kb"


def run_bot(
    *args: str, tmp_path: Path, stdin: str = "", knowledge: Path | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "MATCH_", "WEBHOOK_"))}
    environment.update(KNOWLEDGE_DIR=str(knowledge or FIXTURE), DATABASE_PATH=str(tmp_path / "db" / "bot.sqlite3"))
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=tmp_path,  # away from any developer .env in the repo
        env=environment,
        timeout=60,
    )


def test_validate_passes_on_a_good_knowledge_base(tmp_path: Path) -> None:
    result = run_bot("validate", tmp_path=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK: 3 servicios, 2 eventos" in result.stdout


def test_validate_fails_on_a_broken_copy_with_path_and_line(tmp_path: Path) -> None:
    broken = tmp_path / "kb"
    shutil.copytree(FIXTURE, broken)
    target = broken / "services" / "dni-duplicado.yaml"
    target.write_text(target.read_text(encoding="utf-8").replace("url: https://", "url: htp//"), encoding="utf-8")
    url_line = next(i for i, line in enumerate(target.read_text().splitlines(), 1) if line.startswith("url:"))
    result = run_bot("validate", str(broken), tmp_path=tmp_path)
    assert result.returncode == 1
    assert f"{target}:{url_line}: 'url' no es una dirección web válida" in result.stdout
    assert "NO VÁLIDA" in result.stdout
    result = run_bot("validate", str(broken), "--lang", "en", tmp_path=tmp_path)
    assert result.returncode == 1
    assert f"{target}:{url_line}: 'url' is not a valid http(s) address" in result.stdout
    assert "INVALID" in result.stdout


def test_run_without_token_opens_the_console_and_answers(tmp_path: Path) -> None:
    result = run_bot("run", tmp_path=tmp_path, stdin="como renuevo mi dni\n")
    assert result.returncode == 0, result.stderr
    first_line, _, answer = result.stdout.partition("\n")
    assert "TELEGRAM_BOT_TOKEN" in first_line
    assert "RENOVAR EL DNI" in answer
    assert "https://www.reniec.gob.pe" in answer
    assert "Traceback" not in result.stderr


def test_default_command_is_run(tmp_path: Path) -> None:
    result = run_bot(tmp_path=tmp_path, stdin="hola\nperdi mi dni\n")
    assert result.returncode == 0
    assert "Pregúntame por un trámite" in result.stdout
    assert "DUPLICADO DEL DNI" in result.stdout


def test_chat_picks_a_suggestion_by_number(tmp_path: Path) -> None:
    result = run_bot("chat", "--no-log", tmp_path=tmp_path, stdin="dni\n1\n", MATCH_MIN_SPECIFICITY="0.99")
    assert "¿Te refieres a alguno de estos?" in result.stdout
    assert result.stdout.count("Enlace oficial") == 1  # the picked answer


def test_ask_json(tmp_path: Path) -> None:
    result = run_bot("ask", "how do I renew my dni", "--lang", "en", "--json", tmp_path=tmp_path)
    data = json.loads(result.stdout)
    assert data["outcome"] == "answer" and data["entry"] == "dni-renovacion"
    assert data["url"] == "https://www.reniec.gob.pe"
    # The entry's steps have no English: the whole answer is Spanish, and says so once.
    assert data["text"].count("This answer is only available in Spanish.") == 1
    assert "RENOVAR EL DNI" in data["text"] and "Pasos:" in data["text"]
    assert not any(label in data["text"] for label in ("Steps", "Cost:", "Official link", "Renew your"))


def test_ask_shows_the_essentials_first_then_the_details(tmp_path: Path) -> None:
    out = run_bot("ask", "como renuevo mi dni", tmp_path=tmp_path).stdout
    essentials, _, details = out.partition("Información revisada el 1 nov 2026")
    assert essentials.startswith("RENOVAR EL DNI") and "Enlace oficial: https://www.reniec.gob.pe" in essentials
    assert "Pasos:\n  1. Paga S/ 41 en Págalo.pe." in details and "Pasos" not in essentials


def test_ask_out_of_scope_points_to_human_help(tmp_path: Path) -> None:
    data = json.loads(run_bot("ask", "configurar alarma a las 7", "--json", tmp_path=tmp_path).stdout)
    assert data["outcome"] == "none" and data["entry"] is None and "1800" in data["text"]


def test_dump_lists_entries_with_per_language_text(tmp_path: Path) -> None:
    data = json.loads(run_bot("dump", tmp_path=tmp_path).stdout)
    by_id = {e["id"]: e for e in data["entries"]}
    service, event = by_id["dni-renovacion"], by_id["gore-ejecutivo"]
    assert service["kind"] == "service" and service["title"] == {"es": "Renovar el DNI", "en": "Renew your DNI"}
    assert service["answer"]["es"].startswith("Renueva")
    assert service["questions"]["en"] and service["keywords"]["es"]
    assert service["sources"] and service["reviewed"] == "2026-11-01"
    assert event["kind"] == "event" and event["starts"] == "2022-10-25"
    assert event["region"] == "Lima" and event["modality"] == "presencial" and "description" in event
    assert by_id["encuentro-futuro"]["starts"] is None
    assert by_id["encuentro-futuro"]["modality"] == "híbrido"


def test_eval_json_reports_the_contract_keys(tmp_path: Path) -> None:
    cases = tmp_path / "cases.yaml"
    cases.write_text(
        "- {question: komo renuebo mi dni, expect: dni-renovacion}\n"
        "- {question: me robaron el dni, expect: [dni-duplicado, dni-renovacion]}\n"
        "- {question: renew my dni, expect: dni-renovacion, lang: en}\n"
        "- {question: pon una alarma a las 6, expect: null}\n"
        "- {question: hola, expect: null}\n",
        encoding="utf-8",
    )
    data = json.loads(run_bot("eval", str(cases), "--json", tmp_path=tmp_path).stdout)
    keys = (
        "cases in_scope out_of_scope answered_correct answered_wrong suggested_correct suggested_wrong missed "
        "false_answers oos_suggested accuracy accuracy_with_suggestions abstention latency_ms failures"
    ).split()
    assert all(k in data for k in keys)
    assert (data["cases"], data["in_scope"], data["out_of_scope"]) == (5, 3, 2)
    assert data["answered_correct"] == 3 and data["accuracy"] == 1.0
    assert data["false_answers"] == 0 and data["abstention"] == 1.0
    assert set(data["latency_ms"]) == {"p50", "p99", "max"} and data["failures"] == []


def test_one_shot_commands_print_only_their_output_when_the_index_cache_is_built(tmp_path: Path) -> None:
    # A first run builds and writes the cache, a second loads it: neither adds a log line that a reader
    # merging stdout and stderr would find in front of the JSON.
    cache = str(tmp_path / "cache")
    for _ in range(2):
        done = run_bot("ask", "como renuevo mi dni", "--json", tmp_path=tmp_path, INDEX_CACHE_DIR=cache)
        assert done.returncode == 0 and done.stderr == ""
        json.loads(done.stdout)
    assert list((tmp_path / "cache").glob("index-*"))  # the cache was really written and used


def test_eval_rejects_unknown_ids_with_path_and_line(tmp_path: Path) -> None:
    cases = tmp_path / "cases.yaml"
    cases.write_text("- {question: hola, expect: null}\n- {question: x, expect: no-such-entry}\n", encoding="utf-8")
    result = run_bot("eval", str(cases), tmp_path=tmp_path)
    assert result.returncode == 1
    assert f"{cases}:2: expect nombra una entrada que no existe: no-such-entry" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("ADMIN_USER_IDS", "12,abc", "ADMIN_USER_IDS must be numeric"),
        ("MATCH_ANSWER_THRESHOLD", "2", "MATCH_ANSWER_THRESHOLD must be between 0 and 1"),
        ("TELEGRAM_API_BASE_URL", "ftp://x", "TELEGRAM_API_BASE_URL must start with http"),
    ],
)
def test_bad_configuration_is_one_clear_line(tmp_path: Path, variable: str, value: str, message: str) -> None:
    result = run_bot("ask", "hola", tmp_path=tmp_path, **{variable: value})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("configuration error: ")
    assert message in lines[0]


def test_invalid_knowledge_base_is_not_served(tmp_path: Path) -> None:
    broken = tmp_path / "kb"
    shutil.copytree(FIXTURE, broken)
    (broken / "services" / "dni-duplicado.yaml").write_text("id: dni-duplicado\n", encoding="utf-8")
    result = run_bot("ask", "perdi mi dni", tmp_path=tmp_path, knowledge=broken)
    assert result.returncode == 1
    assert "falta el campo obligatorio 'title'" in result.stderr and "Traceback" not in result.stderr


def test_console_still_answers_when_the_database_cannot_be_opened(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    result = run_bot("run", tmp_path=tmp_path, stdin="perdi mi dni\n", DATABASE_PATH=str(blocker / "bot.sqlite3"))
    assert result.returncode == 0
    assert "DUPLICADO DEL DNI" in result.stdout
    assert "questions will not be recorded" in result.stderr and "Traceback" not in result.stderr


def test_console_commands_list_services_and_open_one_by_number(tmp_path: Path) -> None:
    result = run_bot("chat", "--no-log", tmp_path=tmp_path, stdin="/servicios\n1\n/eventos\n/nada\n")
    assert "Identidad:" in result.stdout and "1. Duplicado del DNI" in result.stdout
    assert "DUPLICADO DEL DNI" in result.stdout  # opened by its number
    assert "GORE Ejecutivo (Se realizó: 25 oct 2022)" in result.stdout
    assert "Comandos: /servicios, /eventos, /ayuda" in result.stdout


def test_console_a_number_out_of_range_keeps_the_list_and_is_not_logged(tmp_path: Path) -> None:
    result = run_bot("chat", tmp_path=tmp_path, stdin="/servicios\n99\nel 2\n")
    assert "Elige un número del 1 al 3." in result.stdout
    assert "RENOVAR EL DNI" in result.stdout  # "el 2" still opened item 2 of the same list
    listed = run_bot("review", "list", "--json", tmp_path=tmp_path)
    assert json.loads(listed.stdout)["groups"] == []  # neither line reached the unanswered-question log


def test_console_a_bare_number_without_a_list_says_there_is_none(tmp_path: Path) -> None:
    result = run_bot("chat", tmp_path=tmp_path, stdin="1\n")
    assert "No hay ninguna lista en pantalla." in result.stdout and "DNI" not in result.stdout
    listed = run_bot("review", "list", "--json", tmp_path=tmp_path)
    assert json.loads(listed.stdout)["groups"] == []  # not asked as a question, so nothing to review


def test_console_shows_the_steps_on_demand(tmp_path: Path) -> None:
    out = run_bot("chat", "--no-log", tmp_path=tmp_path, stdin="como renuevo mi dni\npasos\n").stdout
    answer, _, steps = out.partition("(escribe «pasos» para ver los pasos y requisitos)")
    assert "Pasos:" not in answer and steps.strip().startswith("Pasos:\n  1. Paga S/ 41 en Págalo.pe.")


def test_ctrl_c_quits_the_console_at_once_with_a_goodbye(tmp_path: Path) -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "MATCH_", "WEBHOOK_"))}
    environment.update(KNOWLEDGE_DIR=str(FIXTURE), DATABASE_PATH=str(tmp_path / "bot.sqlite3"))
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "chat"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, cwd=tmp_path, env=environment,
    )
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write("hola\n")
    process.stdin.flush()
    assert "Pregúntame" in process.stdout.readline() + process.stdout.readline()  # it is waiting for input
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=10)  # stdin still open: a blocked read must not hold it
    assert process.returncode == 0, err
    assert "¡Hasta luego!" in out and "Traceback" not in err


def test_telegram_mode_stops_at_start_when_the_database_cannot_be_created(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    result = run_bot("run", tmp_path=tmp_path, TELEGRAM_BOT_TOKEN="123:abc",
                     TELEGRAM_API_BASE_URL="http://127.0.0.1:9/bot", DATABASE_PATH=str(blocker / "bot.sqlite3"))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: DATABASE_PATH {blocker / 'bot.sqlite3'} cannot be created")


def test_a_typo_in_dotenv_is_a_warning_and_the_command_still_runs(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("MATCH_ANSWER_TRESHOLD=0.9\n", encoding="utf-8")
    result = run_bot("ask", "hola", tmp_path=tmp_path)
    assert result.returncode == 0
    assert "did you mean MATCH_ANSWER_THRESHOLD?" in result.stderr
