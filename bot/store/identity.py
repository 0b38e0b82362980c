"""Pseudonymous user ids: a keyed hash instead of the Telegram user id.

Counting distinct users and linking a "not helpful" to the question before it needs a stable id,
but the database must not let anyone look a citizen up. HMAC-SHA256 with a secret that never
enters the database gives both: stable within one installation, useless without the secret.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import stat
from pathlib import Path

log = logging.getLogger(__name__)


def secret_path(database_path: Path) -> Path:
    """Where the generated secret lives: beside the database, named after it."""
    return database_path.with_name(database_path.name + ".secret")


def load_or_create_secret(configured: str | None, database_path: Path) -> bytes:
    """The configured secret, or the one kept beside the database (created with 0600 on first start)."""
    if configured:
        return configured.encode("utf-8")
    path = secret_path(database_path)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_secret(path)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(secrets.token_hex(32) + "\n")
    log.info("generated a new user-hash secret in %s", path)
    return _read_secret(path)


def _read_secret(path: Path) -> bytes:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        log.warning("user-hash secret %s was readable by others; restricting it to the owner", path)
        path.chmod(0o600)
    value = path.read_text(encoding="ascii").strip()
    if not value:
        raise ValueError(f"user-hash secret file {path} is empty; delete it to generate a new one")
    return value.encode("ascii")


def hash_user(secret: bytes, user_id: int | None) -> str | None:
    """HMAC-SHA256 of the user id (hex), or None when the message has no user."""
    if user_id is None:
        return None
    return hmac.new(secret, str(user_id).encode("ascii"), hashlib.sha256).hexdigest()
