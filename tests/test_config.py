"""Settings: .env plus environment, a clear one-line error for every wrong value, a warning for typos."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import DEFAULT_API_BASE_URL, ConfigError, load_settings


def test_dotenv_syntax_comments_quotes_and_export(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text(
        "# comment\nexport ADMIN_USER_IDS=1\nWEBHOOK_SECRET = \"two words\"\nUSER_HASH_SECRET='x # y'\n"
        "WEBHOOK_LISTEN=127.0.0.1 # trailing comment\n",
        encoding="utf-8",
    )
    settings = load_settings({}, dotenv_path=dotenv)
    assert settings.admin_user_ids == frozenset({1})
    assert settings.webhook_secret == "two words"
    assert settings.user_hash_secret == "x # y"
    assert settings.webhook_listen == "127.0.0.1"


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
    assert settings.webhook_url is None
    assert settings.thresholds.suggest <= settings.thresholds.answer


def test_a_misspelt_variable_in_dotenv_is_a_warning_naming_the_known_one(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("MATCH_ANSWER_TRESHOLD=0.7\nLOG_LEVEL=INFO\nCOLOR=blue\n", encoding="utf-8")
    warnings: list[str] = []
    settings = load_settings({}, dotenv_path=dotenv, warn=warnings.append)
    assert warnings == [
        ".env sets COLOR, which the bot does not use",
        ".env sets MATCH_ANSWER_TRESHOLD, which the bot does not use; did you mean MATCH_ANSWER_THRESHOLD?",
    ]
    assert settings.thresholds.answer == 0.55  # the typo did not silently set anything


def test_thresholds_are_read_from_the_environment(tmp_path: Path) -> None:
    settings = load_settings({"MATCH_MIN_FIT": "0.3", "MATCH_MARGIN": "0.1"}, dotenv_path=None)
    assert (settings.thresholds.min_fit, settings.thresholds.margin) == (0.3, 0.1)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"RETENTION_DAYS": "soon"}, "RETENTION_DAYS must be a whole number"),
        ({"RETENTION_DAYS": "0"}, "RETENTION_DAYS must be at least 1"),
        ({"ADMIN_USER_IDS": "@admin"}, "ADMIN_USER_IDS must be numeric"),
        ({"MATCH_MARGIN": "-0.1"}, "MATCH_MARGIN must be between 0 and 1"),
        ({"MATCH_ANSWER_THRESHOLD": "0.3", "MATCH_SUGGEST_THRESHOLD": "0.5"}, "must not be greater"),
        ({"WEBHOOK_URL": "example.org/hook"}, "WEBHOOK_URL must start with https://"),
        ({"WEBHOOK_URL": "http://example.org/hook"}, "WEBHOOK_URL must start with https://"),
        ({"TELEGRAM_API_BASE_URL": "ftp://x"}, "TELEGRAM_API_BASE_URL must start with http:// or https://"),
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


def test_telegram_rate_limit_is_telegram_unless_switched_off(tmp_path: Path) -> None:
    assert load_settings({}, dotenv_path=None).telegram_rate_limit == "telegram"
    assert load_settings({"TELEGRAM_RATE_LIMIT": "None"}, dotenv_path=None).telegram_rate_limit == "none"
    with pytest.raises(ConfigError, match="TELEGRAM_RATE_LIMIT must be telegram or none, got 'off'"):
        load_settings({"TELEGRAM_RATE_LIMIT": "off"}, dotenv_path=None)


def test_index_cache_dir_defaults_beside_the_database_and_can_be_switched_off(tmp_path: Path) -> None:
    database = tmp_path / "db" / "bot.sqlite3"
    settings = load_settings({"DATABASE_PATH": str(database)}, dotenv_path=None)
    assert settings.index_cache_dir == tmp_path / "db" / "index-cache"
    assert load_settings({"INDEX_CACHE_DIR": str(tmp_path / "c")}, dotenv_path=None).index_cache_dir == tmp_path / "c"
    assert load_settings({"INDEX_CACHE_DIR": "OFF"}, dotenv_path=None).index_cache_dir is None
    dotenv = tmp_path / ".env"
    dotenv.write_text("INDEX_CACHE_DIR=off\n", encoding="utf-8")
    warnings: list[str] = []
    assert load_settings({}, dotenv_path=dotenv, warn=warnings.append).index_cache_dir is None
    assert warnings == []  # a known variable
    a_file = tmp_path / "cache.txt"
    a_file.write_text("")
    with pytest.raises(ConfigError, match="INDEX_CACHE_DIR must be a folder or off, got the file"):
        load_settings({"INDEX_CACHE_DIR": str(a_file)}, dotenv_path=None)
