"""The change sequence: gapless, one number per call, returned by a rollback."""

from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import AsyncEngine

from knowledgepulse.registry.db.changes import next_change_seq


async def test_the_change_sequence_starts_at_one_and_counts_up(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        first = [await next_change_seq(conn) for _ in range(3)]
    async with engine.begin() as conn:
        second = await next_change_seq(conn)
    assert [*first, second] == [1, 2, 3, 4]


async def test_a_rolled_back_write_hands_its_number_back(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        transaction = await conn.begin()
        assert await next_change_seq(conn) == 1
        await transaction.rollback()
    async with engine.begin() as conn:
        assert await next_change_seq(conn) == 1


async def test_concurrent_writers_get_distinct_gapless_numbers(engine: AsyncEngine) -> None:
    async def take() -> int:
        async with engine.begin() as conn:
            return await next_change_seq(conn)

    numbers = await asyncio.gather(*(take() for _ in range(8)))
    assert sorted(numbers) == list(range(1, 9))
