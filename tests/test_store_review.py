"""The review queue staff work through: grouped questions, resolve/ignore, answerable-now hints."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from replies import reply

from bot.core.models import Outcome, Reply
from bot.settings import Settings
from bot.store import Store


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    store = await Store.open(Settings(database_path=tmp_path / "bot.sqlite3"))
    yield store
    await store.close()


async def ask(store: Store, *questions: str, outcome: Outcome = Outcome.NONE, user_id: int = 1) -> None:
    for question in questions:
        store.record_question(user_id=user_id, channel="telegram", reply=reply(question, outcome))
    await store.flush()


async def test_typo_variants_form_one_group_and_unrelated_questions_another(store: Store) -> None:
    await ask(
        store,
        "como saco mi licencia de pesca",
        "como saco mi lisencia de pesca",
        "licencia de pesca como saco",
        "donde pago mi multa de transito",
    )
    groups = await store.list_groups()
    assert [(g.text, g.count) for g in groups] == [
        ("como saco mi licencia de pesca", 3),
        ("donde pago mi multa de transito", 1),
    ]
    assert set(groups[0].examples) == {
        "como saco mi licencia de pesca",
        "como saco mi lisencia de pesca",
        "licencia de pesca como saco",
    }
    assert groups[0].status == "pending"
    assert groups[0].first_seen <= groups[0].last_seen


async def test_similar_but_different_services_stay_apart(store: Store) -> None:
    await ask(store, "como saco mi pasaporte", "como saco mi partida", "como saco mi licencia de conducir")
    assert len(await store.list_groups()) == 3


async def test_suggested_questions_are_reviewed_answers_and_small_talk_are_not(store: Store) -> None:
    await ask(store, "cuanto cuesta el pasaporte", outcome=Outcome.SUGGEST)
    await ask(store, "como renuevo mi dni", outcome=Outcome.ANSWER)
    await ask(store, "hola", outcome=Outcome.SMALLTALK)
    assert [g.text for g in await store.list_groups()] == ["cuanto cuesta el pasaporte"]


async def test_not_helpful_on_an_answer_puts_the_question_into_review(store: Store) -> None:
    store.record_question(
        user_id=7, channel="telegram", reply=reply("como saco mi pasaporte", Outcome.ANSWER, "pasaporte")
    )
    store.record_feedback(user_id=7, channel="telegram", entry_id="pasaporte", helpful=False)
    store.record_feedback(user_id=8, channel="telegram", entry_id="dni", helpful=True, question="renovar dni")
    await store.flush()
    groups = await store.list_groups()
    assert [(g.text, g.count) for g in groups] == [("como saco mi pasaporte", 1)]
    stats = await store.stats()
    assert (stats.feedback_helpful, stats.feedback_not_helpful, stats.feedback_share) == (1, 1, 0.5)


async def test_not_helpful_with_only_the_question_text(store: Store) -> None:
    store.record_feedback(
        user_id=None, channel="telegram", entry_id="x", helpful=False, question="¿Cómo saco mi pasaporte?"
    )
    await store.flush()
    [group] = await store.list_groups()
    assert group.text == "¿Cómo saco mi pasaporte?"


async def test_most_asked_first_and_limit(store: Store) -> None:
    await ask(store, "antecedentes penales")
    await ask(store, *["como saco mi pasaporte"] * 3)
    await ask(store, *["donde pago mi multa de transito"] * 2)
    groups = await store.list_groups(limit=2)
    assert [(g.text, g.count) for g in groups] == [
        ("como saco mi pasaporte", 3),
        ("donde pago mi multa de transito", 2),
    ]


async def test_resolve_and_ignore_change_status_with_who_and_when(store: Store) -> None:
    await ask(store, "como saco mi pasaporte", "hsdjfhsjdf")
    passport, junk = await store.list_groups()
    assert await store.resolve_group(passport.id, "pasaporte", by="cli:ana")
    assert await store.ignore_group(junk.id, by="telegram:123")
    assert await store.list_groups() == []

    resolved = await store.get_group(passport.id)
    assert resolved is not None
    assert (resolved.status, resolved.entry_id, resolved.changed_by) == ("resolved", "pasaporte", "cli:ana")
    assert resolved.changed_at is not None
    assert [g.id for g in await store.list_groups("ignored")] == [junk.id]
    assert len(await store.list_groups(None)) == 2
    assert len(await store.list_groups("all")) == 2


async def test_missing_group_is_reported_not_raised(store: Store) -> None:
    assert await store.get_group(999) is None
    assert not await store.resolve_group(999, "x", by="cli:ana")
    assert not await store.ignore_group(999, by="cli:ana")


async def test_unknown_status_is_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="unknown status"):
        await store.list_groups("done")


async def test_new_questions_after_resolving_open_a_new_group(store: Store) -> None:
    await ask(store, "como saco mi pasaporte")
    [group] = await store.list_groups()
    await store.resolve_group(group.id, "pasaporte", by="cli:ana")
    await ask(store, "como saco mi pasaporte")  # still not answered: the fix did not work
    [again] = await store.list_groups()
    assert again.id != group.id and again.count == 1


async def test_ignored_groups_keep_absorbing_their_questions(store: Store) -> None:
    await ask(store, "asdf asdf")
    [group] = await store.list_groups()
    await store.ignore_group(group.id, by="cli:ana")
    await ask(store, "asdf asdf")
    assert await store.list_groups() == []
    [ignored] = await store.list_groups("ignored")
    assert ignored.count == 2


async def test_mark_answerable_flags_groups_the_new_content_answers(store: Store) -> None:
    await ask(store, "como saco mi licencia de pesca", "cuanto cuesta el pasaporte")

    def answer(text: str) -> Reply:
        if "pesca" in text:
            return reply(text, Outcome.ANSWER, "licencia-pesca")
        return reply(text, Outcome.SUGGEST, "pasaporte")

    assert await store.mark_answerable(answer) == 1
    by_text = {g.text: g for g in await store.list_groups()}
    assert by_text["como saco mi licencia de pesca"].answerable_entry_id == "licencia-pesca"
    assert by_text["cuanto cuesta el pasaporte"].answerable_entry_id is None

    # after another reload the entry is gone again: the hint is cleared
    assert await store.mark_answerable(lambda text: reply(text, Outcome.NONE)) == 0
    assert all(g.answerable_entry_id is None for g in await store.list_groups())


async def test_mark_answerable_survives_a_failing_pipeline(store: Store) -> None:
    await ask(store, "como saco mi licencia de pesca")

    def broken(text: str) -> Reply:
        raise RuntimeError("boom")

    assert await store.mark_answerable(broken) == 0


async def test_group_to_dict_is_json_ready(store: Store) -> None:
    import json

    await ask(store, "¿Dónde está mi DNI?")
    [group] = await store.list_groups()
    data = json.loads(json.dumps(group.to_dict()))
    assert {"id", "text", "count", "first_seen", "last_seen", "status", "examples"} <= set(data)
    assert data["examples"] == ["¿Dónde está mi DNI?"]


async def test_admin_by_user_id_is_stored_as_a_keyed_hash_never_the_id(store: Store, tmp_path: Path) -> None:
    admin_id = 4242987
    await ask(store, "como saco mi pasaporte", "hsdjfhsjdf")
    passport, junk = await store.list_groups()
    assert await store.resolve_group(passport.id, "pasaporte", by_user_id=admin_id)
    assert await store.ignore_group(junk.id, by_user_id=admin_id)
    resolved, ignored = await store.get_group(passport.id), await store.get_group(junk.id)
    assert resolved is not None and ignored is not None
    label = store.staff_label(admin_id)
    assert label.startswith("telegram:") and len(label) == len("telegram:") + 12
    assert resolved.changed_by == ignored.changed_by == label  # the same admin is recognisable
    assert store.staff_label(admin_id + 1) != label
    assert str(admin_id) not in label
    with pytest.raises(ValueError):
        await store.ignore_group(junk.id)
    with pytest.raises(ValueError):
        await store.ignore_group(junk.id, by="cli:ana", by_user_id=admin_id)

    await store.close()
    data = b"".join(p.read_bytes() for p in tmp_path.glob("bot.sqlite3*") if "secret" not in p.name)
    assert str(admin_id).encode() not in data


async def test_mark_answerable_ignores_the_entry_a_citizen_rejected(store: Store) -> None:
    # answered with "pasaporte", the citizen said it did not help: the question goes into review
    store.record_question(
        user_id=7, channel="telegram", reply=reply("como saco mi pasaporte", Outcome.ANSWER, "pasaporte")
    )
    store.record_feedback(user_id=7, channel="telegram", entry_id="pasaporte", helpful=False)
    # a 👎 that only carries the question text
    store.record_feedback(
        user_id=None, channel="telegram", entry_id="multas", helpful=False, question="donde pago mi multa de transito"
    )
    await store.flush()
    assert len(await store.list_groups()) == 2

    # the reloaded pipeline still answers both with the entries that were rejected: no news
    rejected = {"pasaporte": "pasaporte", "multa": "multas"}

    def same_answer(text: str) -> Reply:
        key = "pasaporte" if "pasaporte" in text else "multa"
        return reply(text, Outcome.ANSWER, rejected[key])

    assert await store.mark_answerable(same_answer) == 0
    assert all(g.answerable_entry_id is None for g in await store.list_groups())

    # a different entry does answer them now
    def new_entry(text: str) -> Reply:
        return reply(text, Outcome.ANSWER, "pasaporte-cita" if "pasaporte" in text else "multas-sat")

    assert await store.mark_answerable(new_entry) == 2
    assert {g.answerable_entry_id for g in await store.list_groups()} == {"pasaporte-cita", "multas-sat"}


async def test_mark_answerable_ignores_a_rejected_suggestion_already_in_review(store: Store) -> None:
    # a suggestion puts the question into review itself; the 👎 on it names the rejected entry
    store.record_question(
        user_id=7, channel="telegram", reply=reply("cuanto cuesta el pasaporte", Outcome.SUGGEST, "pasaporte")
    )
    store.record_feedback(user_id=7, channel="telegram", entry_id="pasaporte", helpful=False)
    await ask(store, "cuanto cuesta el pasaporte", outcome=Outcome.SUGGEST, user_id=8)
    [group] = await store.list_groups()
    assert group.count == 2

    assert await store.mark_answerable(lambda text: reply(text, Outcome.ANSWER, "pasaporte")) == 0
    assert await store.mark_answerable(lambda text: reply(text, Outcome.ANSWER, "pasaporte-precio")) == 1
