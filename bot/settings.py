"""Settings of a running bot (token, webhook, database...) from the environment and an optional `.env`.

They live outside `bot/core/` because the core knows nothing of Telegram or SQLite; the core only
receives its `MatchThresholds`. Every variable is documented in `.env.example`. A wrong value raises
`ConfigError` with a one-line message that the CLI prints instead of a traceback; a variable in
`.env` that the bot does not know (a typo such as MATCH_ANSWER_TRESHOLD) is a warning naming the
closest known one, since silently ignoring it would run the bot with a default the admin did not want.
"""

from __future__ import annotations

import difflib
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values

from bot.core.config import MatchThresholds

DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
THRESHOLD_VARIABLES = {
    "MATCH_ANSWER_THRESHOLD": "answer",
    "MATCH_SUGGEST_THRESHOLD": "suggest",
    "MATCH_MARGIN": "margin",
    "MATCH_MIN_COVERAGE": "min_coverage",
    "MATCH_MIN_SPECIFICITY": "min_specificity",
    "MATCH_MIN_FIT": "min_fit",
    "MATCH_MIN_COVERAGE_FULL_PHRASING": "min_coverage_full_phrasing",
}
KNOWN_VARIABLES = frozenset(
    {
        "TELEGRAM_BOT_TOKEN",
        "TELEGRAM_API_BASE_URL",
        "ADMIN_USER_IDS",
        "DATABASE_PATH",
        "KNOWLEDGE_DIR",
        "USER_HASH_SECRET",
        "RETENTION_DAYS",
        "REVIEWED_MAX_AGE_DAYS",
        "WEBHOOK_URL",
        "WEBHOOK_SECRET",
        "WEBHOOK_LISTEN",
        "WEBHOOK_PORT",
        "LOG_LEVEL",
        "REPLAY_MAX_AGE_MINUTES",
        "HEALTH_FILE",
        "TELEGRAM_RATE_LIMIT",
        "REPLY_CACHE",
        "INDEX_CACHE_DIR",
        *THRESHOLD_VARIABLES,
    }
)
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
RATE_LIMITS = ("telegram", "none")  # Telegram's flood limits kept by the bot, or none (local Bot API server)


class ConfigError(ValueError):
    """A configuration value is missing or malformed."""


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
    replay_max_age_minutes: int = 60  # older unanswered questions at start get an apology, not an answer
    health_file: Path | None = None  # written by the running bot for `python -m bot health`
    telegram_rate_limit: str = "telegram"
    reply_cache: bool = True  # the same question (same language, region, day) is matched once
    # The matching indexes kept between starts (bot.core.indexcache); None builds them at every start.
    # `load_settings` defaults it to a folder beside the database.
    index_cache_dir: Path | None = None
    thresholds: MatchThresholds = field(default_factory=MatchThresholds)


def _value(env: Mapping[str, str], name: str) -> str | None:
    value = (env.get(name) or "").strip()
    return value or None


def _as_int(env: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = _value(env, name)
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
    raw = _value(env, name)
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
    raw = _value(env, "ADMIN_USER_IDS")
    ids: set[int] = set()
    for part in (raw or "").replace(";", ",").replace(" ", ",").split(","):
        if not part:
            continue
        try:
            ids.add(int(part))
        except ValueError:
            raise ConfigError(
                f"ADMIN_USER_IDS must be numeric Telegram user ids separated by commas, got {part!r}"
            ) from None
    return frozenset(ids)


def _as_url(env: Mapping[str, str], name: str, default: str, schemes: tuple[str, ...] = ("http", "https")) -> str:
    raw = _value(env, name)
    if raw is None:
        return default
    if not raw.startswith(tuple(f"{scheme}://" for scheme in schemes)):
        allowed = " or ".join(f"{scheme}://" for scheme in schemes)
        raise ConfigError(f"{name} must start with {allowed}, got {raw!r}")
    return raw


def _thresholds(env: Mapping[str, str]) -> MatchThresholds:
    defaults = MatchThresholds()
    values = {key: _as_score(env, name, getattr(defaults, key)) for name, key in THRESHOLD_VARIABLES.items()}
    thresholds = MatchThresholds(**values)
    if thresholds.suggest > thresholds.answer:
        raise ConfigError("MATCH_SUGGEST_THRESHOLD must not be greater than MATCH_ANSWER_THRESHOLD")
    return thresholds


def _index_cache_dir(env: Mapping[str, str], database_path: Path) -> Path | None:
    """INDEX_CACHE_DIR: a folder, `off`, or unset for `index-cache/` beside the database."""
    raw = _value(env, "INDEX_CACHE_DIR")
    if raw is None:
        return database_path.parent / "index-cache"
    if raw.lower() == "off":
        return None
    path = Path(raw)
    if path.exists() and not path.is_dir():
        raise ConfigError(f"INDEX_CACHE_DIR must be a folder or off, got the file {raw!r}")
    return path


def _token(env: Mapping[str, str]) -> str | None:
    token = _value(env, "TELEGRAM_BOT_TOKEN")
    if token is not None and (":" not in token or any(c.isspace() for c in token)):
        raise ConfigError("TELEGRAM_BOT_TOKEN does not look like a BotFather token (expected 123456:ABC...)")
    return token


def _default_knowledge_dir() -> Path:
    """`knowledge/` in the working folder, else the one shipped beside the code (run from anywhere)."""
    here = Settings.knowledge_dir
    shipped = Path(__file__).resolve().parents[1] / "knowledge"
    return here if here.is_dir() or not shipped.is_dir() else shipped


def unknown_variables(names: set[str]) -> list[str]:
    """One warning per name the bot does not read, naming the closest known variable when there is one."""
    warnings = []
    for name in sorted(names - KNOWN_VARIABLES):
        close = difflib.get_close_matches(name, sorted(KNOWN_VARIABLES), n=1, cutoff=0.75)
        hint = f"; did you mean {close[0]}?" if close else ""
        warnings.append(f".env sets {name}, which the bot does not use{hint}")
    return warnings


def _warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


def load_settings(
    env: Mapping[str, str] | None = None,
    dotenv_path: Path | None = Path(".env"),
    warn: Callable[[str], None] = _warn,
) -> Settings:
    """Build settings from `env` (default: os.environ) over the values of a `.env` file."""
    from_file: dict[str, str] = {}
    if dotenv_path is not None and dotenv_path.is_file():
        from_file = {k: v for k, v in dotenv_values(dotenv_path).items() if v is not None}
    for message in unknown_variables(set(from_file)):
        warn(message)
    merged = {**from_file, **(os.environ if env is None else env)}

    log_level = (_value(merged, "LOG_LEVEL") or "INFO").upper()
    if log_level not in LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL, got {log_level!r}")
    webhook_url = _as_url(merged, "WEBHOOK_URL", "", schemes=("https",))  # Telegram calls only https
    database_path = Path(_value(merged, "DATABASE_PATH") or Settings.database_path)
    rate_limit = (_value(merged, "TELEGRAM_RATE_LIMIT") or "telegram").lower()
    if rate_limit not in RATE_LIMITS:
        raise ConfigError(f"TELEGRAM_RATE_LIMIT must be telegram or none, got {rate_limit!r}")
    reply_cache = (_value(merged, "REPLY_CACHE") or "on").lower()
    if reply_cache not in ("on", "off"):
        raise ConfigError(f"REPLY_CACHE must be on or off, got {reply_cache!r}")
    return Settings(
        telegram_bot_token=_token(merged),
        telegram_api_base_url=_as_url(merged, "TELEGRAM_API_BASE_URL", DEFAULT_API_BASE_URL),
        admin_user_ids=_as_admin_ids(merged),
        database_path=database_path,
        knowledge_dir=Path(_value(merged, "KNOWLEDGE_DIR") or _default_knowledge_dir()),
        user_hash_secret=_value(merged, "USER_HASH_SECRET"),
        retention_days=_as_int(merged, "RETENTION_DAYS", 180, minimum=1),
        reviewed_max_age_days=_as_int(merged, "REVIEWED_MAX_AGE_DAYS", 365, minimum=1),
        webhook_url=webhook_url or None,
        webhook_secret=_value(merged, "WEBHOOK_SECRET"),
        webhook_listen=_value(merged, "WEBHOOK_LISTEN") or "0.0.0.0",
        webhook_port=_as_int(merged, "WEBHOOK_PORT", 8443, minimum=1),
        log_level=log_level,
        replay_max_age_minutes=_as_int(merged, "REPLAY_MAX_AGE_MINUTES", 60, minimum=0),
        health_file=Path(_value(merged, "HEALTH_FILE") or database_path.with_suffix(".health")),
        telegram_rate_limit=rate_limit,
        reply_cache=reply_cache == "on",
        index_cache_dir=_index_cache_dir(merged, database_path),
        thresholds=_thresholds(merged),
    )
