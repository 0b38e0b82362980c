"""The on-disk index cache: a pipeline loaded from it answers exactly as a fresh build, any change to
what the index is built from rebuilds it, and a damaged, foreign or unusable cache never breaks a start."""

from __future__ import annotations

import logging
import os
import pickle
import shutil
from dataclasses import fields
from pathlib import Path

import pytest

from benchmarks.common import KNOWLEDGE, eval_sets
from bot.core import indexcache
from bot.core.indexcache import KEPT_FILES, KEY_FILE, IndexCache, cache_key
from bot.core.knowledge import KnowledgeBase, load_knowledge_or_raise
from bot.core.models import Reply
from bot.core.pipeline import Pipeline
from bot.settings import Settings
from tests.helpers import TELEGRAM_KB


def _reply(reply: Reply) -> tuple[object, ...]:
    """Every field of a reply but its latency, entries by id."""
    values = []
    for field in fields(reply):
        value = getattr(reply, field.name)
        if field.name == "latency_ms":
            continue
        if field.name == "entry":
            value = reply.entry_id
        elif field.name in ("candidates", "events"):
            value = tuple(e.id for e in value)
        values.append(value)
    return tuple(values)


@pytest.fixture(scope="module")
def shipped() -> KnowledgeBase:
    return load_knowledge_or_raise(KNOWLEDGE)


def _settings(knowledge_dir: Path, cache_dir: Path | None) -> Settings:
    return Settings(knowledge_dir=knowledge_dir, database_path=knowledge_dir.parent / "bot.sqlite3",
                    index_cache_dir=cache_dir)


def test_a_pipeline_loaded_from_the_cache_replies_exactly_as_a_fresh_build(
    shipped: KnowledgeBase, tmp_path: Path
) -> None:
    sets = eval_sets(set(shipped.entries))
    cases = [c for name, cases in sets.items() if name.startswith("knowledge/") for c in cases]
    cases += sets.get("shared/dev-real-styles", [])  # ../shared/eval, when the shared folder is there
    assert len(cases) > 500
    fresh = Pipeline(shipped)
    Pipeline(shipped, index_cache=IndexCache(tmp_path))  # builds and writes
    cache = IndexCache(tmp_path)
    loaded = Pipeline(shipped, index_cache=cache)
    assert cache.last == "loaded"
    assert loaded._indexes["es"] is not fresh._indexes["es"]
    for case in cases:
        for region in (None, "puno"):
            assert _reply(loaded.ask(case.question, case.lang, region)) == _reply(
                fresh.ask(case.question, case.lang, region)
            ), case.question
        # the figures behind them too, unrounded
        assert loaded.explain(case.question, case.lang) == fresh.explain(case.question, case.lang), case.question
    entries = {id(e) for e in shipped.entries.values()}
    assert all(id(p.entry) in entries for index in loaded._indexes.values() for p in index.profiles.values())


def test_a_changed_knowledge_file_rebuilds_the_cache_and_a_reload_uses_it(tmp_path: Path) -> None:
    knowledge = tmp_path / "knowledge"
    shutil.copytree(TELEGRAM_KB, knowledge)
    settings = _settings(knowledge, tmp_path / "cache")
    first = Pipeline.from_settings(settings)
    assert first.index_cache is not None and first.index_cache.last == "built"
    again = Pipeline.from_settings(settings)
    assert again.index_cache is not None and again.index_cache.last == "loaded"
    assert not again._indexes["es"].analyzer.knows("zapallo")

    service = knowledge / "services" / "dni-duplicado.yaml"
    original = service.read_text(encoding="utf-8")
    service.write_text(original.replace("robo, robaron]", "robo, robaron, zapallo]"), encoding="utf-8")
    assert again.reload() == []
    assert again.index_cache.last == "built"  # the reload took the same path, and rebuilt
    assert again._indexes["es"].analyzer.knows("zapallo")
    restarted = Pipeline.from_settings(settings)
    assert restarted.index_cache is not None and restarted.index_cache.last == "loaded"
    assert restarted._indexes["es"].analyzer.knows("zapallo")

    service.write_text(original, encoding="utf-8")  # back as it was: the first file is still kept
    assert restarted.reload() == []
    assert restarted.index_cache.last == "loaded"
    assert not restarted._indexes["es"].analyzer.knows("zapallo")


def test_the_key_covers_every_entry_text_and_the_environment(shipped: KnowledgeBase) -> None:
    from dataclasses import replace

    from bot.core.models import TextList

    key = cache_key(shipped, frozenset())
    assert cache_key(shipped, frozenset()) == key
    assert cache_key(shipped, frozenset({"puno"})) != key
    entry = next(iter(shipped.entries.values()))
    for changed in (
        replace(entry, situations=TextList(es=(*entry.situations.es, "me pasó algo nuevo"))),
        replace(entry, steps=TextList(es=(*entry.steps.es, "un paso más"), en=entry.steps.en)),
        replace(entry, institution=entry.institution + " "),
    ):
        other = replace(shipped, entries={**shipped.entries, entry.id: changed})
        assert cache_key(other, frozenset()) != key
    reordered = replace(shipped, entries=dict(reversed(shipped.entries.items())))
    assert cache_key(reordered, frozenset()) != key  # entry order decides ties


def test_the_environment_digest_covers_code_and_libraries() -> None:
    digest = indexcache.environment_digest()
    assert len(digest) == 32
    assert {"wordfreq", "PyStemmer", "rapidfuzz", "numpy"} <= set(indexcache.LIBRARIES)


def _corrupt(path: Path, how: str, tmp_path: Path, kb: KnowledgeBase) -> None:
    data = path.read_bytes()
    if how == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif how == "flipped byte":
        middle = len(data) // 2
        path.write_bytes(data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1 :])
    elif how == "garbage":
        path.write_bytes(b"not a cache at all")
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "foreign":  # sealed by another installation's secret
        elsewhere = IndexCache(tmp_path / "elsewhere")
        Pipeline(kb, index_cache=elsewhere)
        shutil.copy(next((tmp_path / "elsewhere").glob("index-*.pickle")), path)
    elif how == "sealed but naming other code":  # our own seal on a pickle that is no index
        secret = (path.parent / KEY_FILE).read_bytes()
        key = data[len(indexcache.MAGIC) : len(indexcache.MAGIC) + 32]
        body = pickle.dumps(os.getcwd)
        import hmac

        seal = hmac.new(secret, key + body, "sha256").digest()
        path.write_bytes(indexcache.MAGIC + key + seal + body)


@pytest.mark.parametrize(
    "how", ["truncated", "flipped byte", "garbage", "empty", "foreign", "sealed but naming other code"]
)
def test_a_damaged_or_foreign_cache_file_is_rebuilt_with_one_log_line(
    how: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    kb = load_knowledge_or_raise(TELEGRAM_KB)
    cache_dir = tmp_path / "cache"
    fresh = Pipeline(kb, index_cache=IndexCache(cache_dir))
    path = next(cache_dir.glob("index-*.pickle"))
    _corrupt(path, how, tmp_path, kb)
    cache = IndexCache(cache_dir)
    with caplog.at_level(logging.INFO, logger="bot.core.indexcache"):
        rebuilt = Pipeline(kb, index_cache=cache)
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "rebuilding" in warnings[0].getMessage(), caplog.text
    assert cache.last == "built"
    question = "perdí mi dni"
    assert _reply(rebuilt.ask(question)) == _reply(fresh.ask(question))
    again = IndexCache(cache_dir)
    Pipeline(kb, index_cache=again)
    assert again.last == "loaded"  # the rebuilt file replaced the bad one


def test_an_unusable_folder_or_key_means_no_cache_never_a_crash(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    kb = load_knowledge_or_raise(TELEGRAM_KB)
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    cache = IndexCache(blocker / "cache")  # its parent is a file: the folder cannot be made
    with caplog.at_level(logging.WARNING, logger="bot.core.indexcache"):
        pipeline = Pipeline(kb, index_cache=cache)
    assert cache.last == "built, not cached" and pipeline.ask("perdí mi dni").entry_id == "dni-duplicado"
    assert len(caplog.records) == 1

    shared = tmp_path / "shared"
    Pipeline(kb, index_cache=IndexCache(shared))
    (shared / KEY_FILE).chmod(0o644)  # others could read the secret and forge a file
    caplog.clear()
    cache = IndexCache(shared)
    with caplog.at_level(logging.WARNING, logger="bot.core.indexcache"):
        Pipeline(kb, index_cache=cache)
    assert cache.last == "built, not cached"
    assert len(caplog.records) == 1 and "other users" in caplog.records[0].getMessage()


def test_files_are_private_written_atomically_and_pruned(tmp_path: Path) -> None:
    kb = load_knowledge_or_raise(TELEGRAM_KB)
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir()
    for n in range(KEPT_FILES + 2):  # older files of other bases
        old = cache_dir / f"index-{n:032x}.pickle"
        old.write_bytes(b"old")
        os.utime(old, (1_000_000 + n, 1_000_000 + n))
    Pipeline(kb, index_cache=IndexCache(cache_dir))
    files = sorted(p.name for p in cache_dir.iterdir())
    assert KEY_FILE in files and not [f for f in files if f.endswith(".tmp")]
    kept = [f for f in files if f.endswith(".pickle")]
    assert len(kept) == KEPT_FILES
    newest = max(cache_dir.glob("index-*.pickle"), key=lambda p: p.stat().st_mtime)
    assert newest.read_bytes().startswith(indexcache.MAGIC)
    for path in cache_dir.iterdir():
        if path.name == KEY_FILE or path == newest:
            assert path.stat().st_mode & 0o077 == 0, path


def test_off_builds_without_touching_the_disk(tmp_path: Path) -> None:
    knowledge = tmp_path / "knowledge"
    shutil.copytree(TELEGRAM_KB, knowledge)
    pipeline = Pipeline.from_settings(_settings(knowledge, None))
    assert pipeline.index_cache is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["knowledge"]


def test_a_large_base_with_array_postings_loads_to_the_same_replies(shipped: KnowledgeBase, tmp_path: Path) -> None:
    from benchmarks.synthetic import generate

    generated = generate(1000, shipped)  # >= ARRAY_POSTINGS_FROM: postings are numpy arrays
    fresh = Pipeline(generated.kb)
    Pipeline(generated.kb, index_cache=IndexCache(tmp_path))
    cache = IndexCache(tmp_path)
    loaded = Pipeline(generated.kb, index_cache=cache)
    assert cache.last == "loaded" and loaded._indexes["es"]._arrays
    for question, _ in generated.questions:
        assert _reply(loaded.ask(question)) == _reply(fresh.ask(question)), question
        assert loaded.explain(question) == fresh.explain(question), question
