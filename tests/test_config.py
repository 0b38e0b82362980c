"""Settings: .env plus environment, and a clear one-line error for every wrong value."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.config import DEFAULT_API_BASE_URL, ConfigError, load_settings, parse_dotenv


def test_dotenv_syntax_comments_quotes_and_export() -> None:
    text = '# comment\nexport A=1\nB = "two words"\nC=\'x # y\'\nD=plain # trailing comment\nbroken line\n'
    assert parse_dotenv(text) == {"A": "1", "B": "two words", "C": "x # y", "D": "plain"}


def test_environment_overrides_dotenv(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("ADMIN_USER_IDS=1,2\nKNOWLEDGE_DIR=from-file\nRETENTION_DAYS=30\n", encoding="utf-8")
    settings = load_settings({"KNOWLEDGE_DIR": "from-env"}, dotenv_path=dotenv)
    assert settings.admin_user_ids == frozenset({1, 2})
    assert settings.knowledge_dir == Path("from-env")
    assert settings.retention_days == 30


def test_defaults_without_anything(tmp_path: Path) -> None:
    settings = load_settings({}, dotenv_path=tmp_path / "missing.env")
    assert settings.telegram_bot_token is None
    assert settings.telegram_api_base_url == DEFAULT_API_BASE_URL
    assert settings.admin_user_ids == frozenset()
    assert settings.thresholds.suggest <= settings.thresholds.answer


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"RETENTION_DAYS": "soon"}, "RETENTION_DAYS must be a whole number"),
        ({"RETENTION_DAYS": "0"}, "RETENTION_DAYS must be at least 1"),
        ({"ADMIN_USER_IDS": "@admin"}, "ADMIN_USER_IDS must be numeric"),
        ({"MATCH_MARGIN": "-0.1"}, "MATCH_MARGIN must be between 0 and 1"),
        ({"MATCH_ANSWER_THRESHOLD": "0.3", "MATCH_SUGGEST_THRESHOLD": "0.5"}, "must not be greater"),
        ({"WEBHOOK_URL": "example.org/hook"}, "WEBHOOK_URL must start with http"),
        ({"TELEGRAM_BOT_TOKEN": "not a token"}, "does not look like a BotFather token"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL must be"),
    ],
)
def test_wrong_values_are_explained(tmp_path: Path, env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        load_settings(env, dotenv_path=tmp_path / "none")
    assert "\n" not in str(caught.value)
    if "TELEGRAM_BOT_TOKEN" in env:
        assert env["TELEGRAM_BOT_TOKEN"] not in str(caught.value)  # never echo a token
