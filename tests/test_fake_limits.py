"""The fake Bot API's flood-limit mode, which the end-to-end benchmark drives the bot against."""

from __future__ import annotations

import httpx

from tests.fake_bot_api import FakeBotAPI, Limits


async def send(fake: FakeBotAPI, client: httpx.AsyncClient, chat_id: int, method: str = "sendMessage") -> int:
    response = await client.post(f"{fake.base_url}{fake.token}/{method}", json={"chat_id": chat_id, "text": "hola"})
    if response.status_code == 429:
        assert response.json()["parameters"]["retry_after"] >= 1
    return response.status_code


async def test_one_chat_gets_a_short_burst_then_429(fake_bot_api: FakeBotAPI) -> None:
    fake_bot_api.enforce_limits(Limits(chat_burst=3))
    async with httpx.AsyncClient() as client:
        codes = [await send(fake_bot_api, client, 77) for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        assert await send(fake_bot_api, client, 78) == 200  # another chat has its own allowance
        assert await send(fake_bot_api, client, 77, "sendChatAction") == 200  # typing is not a message
    assert fake_bot_api.too_many_requests == 1


async def test_the_overall_limit_holds_across_chats(fake_bot_api: FakeBotAPI) -> None:
    fake_bot_api.enforce_limits(Limits(overall_per_second=30))
    waits = [fake_bot_api._over_limit("sendMessage", {"chat_id": 1000 + n}) for n in range(31)]
    assert waits[:30] == [0.0] * 30 and 0 < waits[30] <= 1 / 30


async def test_groups_get_twenty_messages_a_minute(fake_bot_api: FakeBotAPI) -> None:
    fake_bot_api.enforce_limits(Limits(group_per_minute=20))
    async with httpx.AsyncClient() as client:
        codes = [await send(fake_bot_api, client, -100500) for _ in range(21)]
    assert codes.count(200) == 20 and codes[-1] == 429


async def test_without_limits_nothing_is_refused(fake_bot_api: FakeBotAPI) -> None:
    async with httpx.AsyncClient() as client:
        codes = [await send(fake_bot_api, client, 5) for _ in range(40)]
    assert set(codes) == {200} and fake_bot_api.too_many_requests == 0
