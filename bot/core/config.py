"""Settings from the environment and an optional `.env` file.

Every variable is documented in `.env.example`. A wrong value raises `ConfigError` with a one-line
message that the CLI prints instead of a traceback.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"


class ConfigError(ValueError):
    """A configuration value is missing or malformed."""


@dataclass(frozen=True)
class MatchThresholds:
    """Decision thresholds of the matcher (scores are 0..1)."""

    answer: float = 0.55
    suggest: float = 0.45
    margin: float = 0.08
    min_coverage: float = 0.67
    min_specificity: float = 0.6
    min_fit: float = 0.4
    min_coverage_full_phrasing: float = 0.5


@dataclass(frozen=True)
class Settings:
    telegram_bot_token: str | None = None
    telegram_api_base_url: str = DEFAULT_API_BASE_URL
    admin_user_ids: frozenset[int] = frozenset()
    database_path: Path = Path("data/bot.sqlite3")
    knowledge_dir: Path = Path("knowledge")
    user_hash_secret: str | None = None
    retention_days: int = 180
    reviewed_max_age_days: int = 365
    webhook_url: str | None = None
    webhook_secret: str | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    log_level: str = "INFO"
    thresholds: MatchThresholds = field(default_factory=MatchThresholds)


def parse_dotenv(text: str) -> dict[str, str]:
    """Parse the small subset of .env syntax we document: KEY=VALUE, comments, optional quotes."""
    values: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export ") :].lstrip()
        key, sep, value = line.partition("=")
        if not sep:
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        values[key.strip()] = value
    return values


def _env_value(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name)
    if value is None:
        return None
    value = value.strip()
    return value or None


def _as_int(env: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = _env_value(env, name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}")
    return value


def _as_score(env: Mapping[str, str], name: str, default: float) -> float:
    raw = _env_value(env, name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number between 0 and 1, got {raw!r}") from None
    if not 0.0 <= value <= 1.0:
        raise ConfigError(f"{name} must be between 0 and 1, got {value}")
    return value


def _as_admin_ids(env: Mapping[str, str]) -> frozenset[int]:
    raw = _env_value(env, "ADMIN_USER_IDS")
    if raw is None:
        return frozenset()
    ids: set[int] = set()
    for part in raw.replace(";", ",").replace(" ", ",").split(","):
        if not part:
            continue
        try:
            ids.add(int(part))
        except ValueError:
            raise ConfigError(
                f"ADMIN_USER_IDS must be numeric Telegram user ids separated by commas, got {part!r}"
            ) from None
    return frozenset(ids)


def _as_url(env: Mapping[str, str], name: str, default: str | None) -> str | None:
    raw = _env_value(env, name)
    if raw is None:
        return default
    if not raw.startswith(("http://", "https://")):
        raise ConfigError(f"{name} must start with http:// or https://, got {raw!r}")
    return raw


def _default_knowledge_dir() -> Path:
    """`knowledge/` in the working folder, else the one shipped beside the code (run from anywhere)."""
    here = Settings.knowledge_dir
    shipped = Path(__file__).resolve().parents[2] / "knowledge"
    return here if here.is_dir() or not shipped.is_dir() else shipped


def load_settings(env: Mapping[str, str] | None = None, dotenv_path: Path | None = Path(".env")) -> Settings:
    """Build settings from `env` (default: os.environ) over the values of a `.env` file."""
    merged: dict[str, str] = {}
    if dotenv_path is not None and dotenv_path.is_file():
        merged.update(parse_dotenv(dotenv_path.read_text(encoding="utf-8")))
    merged.update(os.environ if env is None else env)

    thresholds = MatchThresholds(
        answer=_as_score(merged, "MATCH_ANSWER_THRESHOLD", MatchThresholds.answer),
        suggest=_as_score(merged, "MATCH_SUGGEST_THRESHOLD", MatchThresholds.suggest),
        margin=_as_score(merged, "MATCH_MARGIN", MatchThresholds.margin),
        min_coverage=_as_score(merged, "MATCH_MIN_COVERAGE", MatchThresholds.min_coverage),
        min_specificity=_as_score(merged, "MATCH_MIN_SPECIFICITY", MatchThresholds.min_specificity),
        min_fit=_as_score(merged, "MATCH_MIN_FIT", MatchThresholds.min_fit),
        min_coverage_full_phrasing=_as_score(
            merged, "MATCH_MIN_COVERAGE_FULL_PHRASING", MatchThresholds.min_coverage_full_phrasing
        ),
    )
    if thresholds.suggest > thresholds.answer:
        raise ConfigError("MATCH_SUGGEST_THRESHOLD must not be greater than MATCH_ANSWER_THRESHOLD")

    log_level = (_env_value(merged, "LOG_LEVEL") or "INFO").upper()
    if log_level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
        raise ConfigError(f"LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL, got {log_level!r}")

    base_url = _as_url(merged, "TELEGRAM_API_BASE_URL", DEFAULT_API_BASE_URL)
    assert base_url is not None
    token = _env_value(merged, "TELEGRAM_BOT_TOKEN")
    if token is not None and (":" not in token or any(c.isspace() for c in token)):
        raise ConfigError("TELEGRAM_BOT_TOKEN does not look like a BotFather token (expected 123456:ABC...)")

    return Settings(
        telegram_bot_token=token,
        telegram_api_base_url=base_url,
        admin_user_ids=_as_admin_ids(merged),
        database_path=Path(_env_value(merged, "DATABASE_PATH") or Settings.database_path),
        knowledge_dir=Path(_env_value(merged, "KNOWLEDGE_DIR") or _default_knowledge_dir()),
        user_hash_secret=_env_value(merged, "USER_HASH_SECRET"),
        retention_days=_as_int(merged, "RETENTION_DAYS", 180, minimum=1),
        reviewed_max_age_days=_as_int(merged, "REVIEWED_MAX_AGE_DAYS", 365, minimum=1),
        webhook_url=_as_url(merged, "WEBHOOK_URL", None),
        webhook_secret=_env_value(merged, "WEBHOOK_SECRET"),
        webhook_listen=_env_value(merged, "WEBHOOK_LISTEN") or "0.0.0.0",
        webhook_port=_as_int(merged, "WEBHOOK_PORT", 8443, minimum=1),
        log_level=log_level,
        thresholds=thresholds,
    )
