"""The pipeline's per-language indexes kept on disk between starts, so a restart does not rebuild them.

A cache file holds the indexes one knowledge base builds and is used when, and only when, its key
matches: a SHA-256 of everything an index is built from (`index_inputs`: every entry text by field,
in order, the synonyms and the places, for each language), the code (every `bot/core/*.py`), the
Python version, the versions of the libraries that change analysis (wordfreq, PyStemmer,
snowballstemmer, rapidfuzz, numpy) and `FORMAT`. The key covers the base as loaded rather than the
YAML files' bytes: an index is built from the loaded entries, synonyms and places only (every file
the loader reads reaches it through them), so a base built in code, or a file edited while it was
being read, can never be given another base's index, and a comment-only edit costs no rebuild. Any
change is a new key: the indexes are built again and written under it. `Pipeline` uses this on
every construction, so a reload (`/recargar`) takes the same path as a start.

Why an HMAC: the file is a pickle, and unpickling a file runs whatever code the file names; a cache
folder is a writable place on disk, so a file in it must not be trusted for being there. Each file
carries an HMAC-SHA256 of its key and contents, keyed by a random secret in `index-cache.key` beside
it (created owner-only, 0600; refused if anyone else can read or write it, or another user owns it),
checked before a byte is unpickled: only a file this installation wrote is ever loaded. The
unpickler also resolves only the few classes an index is made of. Entries are not stored: the file
names them by id and loading binds them to the base being installed (an id it lacks voids the file).

Never a crash: a missing, truncated, corrupt, foreign or stale file is rebuilt with one log line;
a folder that cannot be created, read or written leaves the pipeline building its indexes as if
there were no cache. Files are written atomically (a temporary file, fsync, `os.replace`); the
`KEPT_FILES` most recent are kept (a reload after an edit writes a new one).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import io
import logging
import os
import pickle
import secrets
import sys
import tempfile
import time
from collections.abc import Callable
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from bot.core.knowledge import KnowledgeBase
from bot.core.matcher import LanguageIndex, index_inputs
from bot.core.models import LANGS, Entry

FORMAT = 1  # raise when the file layout or what an index holds changes in a way the code digest misses
MAGIC = b"GOBPEIX\x01"
KEY_FILE = "index-cache.key"
SECRET_BYTES = 32
KEPT_FILES = 4
_DIGEST = hashlib.sha256
_DIGEST_SIZE = _DIGEST().digest_size
_HEADER = len(MAGIC) + 2 * _DIGEST_SIZE  # magic, key, HMAC
LIBRARIES = ("wordfreq", "PyStemmer", "snowballstemmer", "rapidfuzz", "numpy")
# What an index pickle may name: its own classes and numpy's array and dtype reconstructors.
_ALLOWED = {
    "bot.core.matcher": {"LanguageIndex", "_EntryProfile"},
    "bot.core.analyzer": {"Analyzer"},
    "bot.core.typos": {"NearWords"},
    "numpy": {"dtype", "ndarray"},
    "numpy._core.numeric": {"_frombuffer"},
    "numpy.core.numeric": {"_frombuffer"},
    "numpy._core.multiarray": {"_reconstruct", "scalar"},
    "numpy.core.multiarray": {"_reconstruct", "scalar"},
}

log = logging.getLogger(__name__)

Indexes = dict[str, LanguageIndex]


class _Unusable(Exception):
    """A cache file that is not ours, not this base's, or damaged."""


@cache
def environment_digest() -> bytes:
    """The code, Python and library versions an index depends on, besides the knowledge base."""
    digest = _DIGEST(f"format {FORMAT}\n{sys.implementation.name} {sys.version}\n".encode())
    for name in LIBRARIES:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "-"
        digest.update(f"{name} {version}\n".encode())
    for path in sorted(Path(__file__).resolve().parent.glob("*.py")):
        source = path.read_bytes()
        digest.update(f"{path.name} {len(source)}\n".encode())
        digest.update(source)
    return digest.digest()


def cache_key(kb: KnowledgeBase, places: frozenset[str]) -> bytes:
    """The key of the indexes `kb` builds (see the module's docstring)."""
    digest = _DIGEST(environment_digest())
    for lang in LANGS:
        digest.update(index_inputs(kb, lang, places))
    return digest.digest()


class _Pickler(pickle.Pickler):
    def persistent_id(self, obj: Any) -> str | None:
        return obj.id if type(obj) is Entry else None


class _Unpickler(pickle.Unpickler):
    def __init__(self, data: bytes, entries: dict[str, Entry]) -> None:
        super().__init__(io.BytesIO(data))
        self._entries = entries

    def persistent_load(self, pid: Any) -> Entry:
        entry = self._entries.get(pid) if isinstance(pid, str) else None
        if entry is None:
            raise _Unusable(f"it names an entry the base does not have ({pid!r})")
        return entry

    def find_class(self, module: str, name: str) -> Any:
        if name not in _ALLOWED.get(module, ()):
            raise _Unusable(f"it names {module}.{name}, which is no part of an index")
        return super().find_class(module, name)


class IndexCache:
    """A folder of cached indexes; `indexes` loads them or builds and writes them."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.last = ""  # what the last `indexes` did: "loaded", "built" or "built, not cached"
        self._secret: bytes | None = None

    @classmethod
    def at(cls, directory: Path | None) -> IndexCache | None:
        """The cache in `directory`, or None (no cache) for None."""
        return None if directory is None else cls(directory)

    def path(self, key: bytes) -> Path:
        return self.directory / f"index-{key.hex()[:32]}.pickle"

    def indexes(self, kb: KnowledgeBase, places: frozenset[str], build: Callable[[], Indexes]) -> Indexes:
        """The indexes of `kb` from the cache when it holds them, else `build()`, then written to it."""
        secret = self._key_secret()
        if secret is None:
            self.last = "built, not cached"
            return build()
        key = cache_key(kb, places)
        path = self.path(key)
        started = time.perf_counter()
        found = self._read(path, key, secret, kb)
        if found is not None:
            self.last = "loaded"
            log.debug("index cache: loaded %s in %.0f ms", path, (time.perf_counter() - started) * 1000)
            return found
        built = build()
        written = self._write(path, key, secret, built)
        self.last = "built" if written else "built, not cached"
        if written:
            log.info("index cache: built in %.0f ms, written to %s", (time.perf_counter() - started) * 1000, path)
        return built

    def _key_secret(self) -> bytes | None:
        """The HMAC secret, made on first use; None (no cache, logged once) when the folder or the key
        file cannot be used or the key file is open to other users."""
        if self._secret is not None:
            return self._secret
        path = self.directory / KEY_FILE
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass
            else:
                with os.fdopen(fd, "wb") as out:
                    out.write(secrets.token_bytes(SECRET_BYTES))
                    out.flush()
                    os.fsync(out.fileno())
            with open(path, "rb") as key_file:
                status = os.fstat(key_file.fileno())
                secret = key_file.read(SECRET_BYTES + 1)
        except OSError as exc:
            log.warning("index cache in %s unusable (%s): building the index at every start", self.directory, exc)
            return None
        others = status.st_mode & 0o077 or (hasattr(os, "getuid") and status.st_uid != os.getuid())
        if others or len(secret) != SECRET_BYTES:
            why = "other users can use it" if others else "it is not a key this bot wrote"
            log.warning("index cache: %s ignored (%s): building the index at every start", path, why)
            return None
        self._secret = secret
        return secret

    def _read(self, path: Path, key: bytes, secret: bytes, kb: KnowledgeBase) -> Indexes | None:
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            log.warning("index cache: cannot read %s (%s): rebuilding it", path, exc)
            return None
        try:
            return _decode(data, key, secret, kb)
        except Exception as exc:  # whatever is wrong with the file, the answer is to build the index
            log.warning("index cache: %s is unusable (%s): rebuilding it", path, exc)
            return None

    def _write(self, path: Path, key: bytes, secret: bytes, indexes: Indexes) -> bool:
        temporary = None
        try:
            payload = io.BytesIO()
            _Pickler(payload, protocol=pickle.HIGHEST_PROTOCOL).dump(indexes)
            body = payload.getvalue()
            seal = hmac.new(secret, key + body, _DIGEST).digest()
            fd, temporary = tempfile.mkstemp(dir=self.directory, prefix=".index-", suffix=".tmp")  # 0600
            with os.fdopen(fd, "wb") as out:
                out.write(MAGIC + key + seal)
                out.write(body)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, path)
            temporary = None
        except (OSError, pickle.PicklingError) as exc:
            log.warning("index cache: cannot write %s (%s): the next start builds the index again", path, exc)
            return False
        finally:
            if temporary is not None:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
        self._prune(path)
        return True

    def _prune(self, kept: Path) -> None:
        """Remove all but the KEPT_FILES most recent cache files (never the one just written)."""
        with contextlib.suppress(OSError):
            files = sorted(self.directory.glob("index-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
            for old in [f for f in files if f != kept][KEPT_FILES - 1 :]:
                old.unlink()


def _decode(data: bytes, key: bytes, secret: bytes, kb: KnowledgeBase) -> Indexes:
    if len(data) < _HEADER or not data.startswith(MAGIC):
        raise _Unusable("not an index cache file, or truncated")
    stored_key = data[len(MAGIC) : len(MAGIC) + _DIGEST_SIZE]
    seal = data[len(MAGIC) + _DIGEST_SIZE : _HEADER]
    body = data[_HEADER:]
    if not hmac.compare_digest(stored_key, key):
        raise _Unusable("written for another base or version")
    if not hmac.compare_digest(seal, hmac.new(secret, key + body, _DIGEST).digest()):
        raise _Unusable("its seal does not match: damaged, or not written by this bot")
    indexes = _Unpickler(body, kb.entries).load()
    if (
        not isinstance(indexes, dict) or list(indexes) != list(LANGS)
        or not all(isinstance(index, LanguageIndex) for index in indexes.values())
    ):
        raise _Unusable("it does not hold one index per language")
    return indexes

