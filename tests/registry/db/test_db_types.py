"""Portable column types round-trip and order identically on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import StatementError
from sqlalchemy.ext.asyncio import AsyncEngine

from knowledgepulse.registry.audit.tables import audit_log
from knowledgepulse.registry.credits.tables import credit_balances, credit_transactions
from knowledgepulse.registry.db.types import format_timestamp, parse_timestamp, to_credit_units
from knowledgepulse.registry.providers.tables import providers


def test_timestamps_render_in_the_wire_format_with_milliseconds_in_utc() -> None:
    moment = datetime(2026, 2, 23, 12, 15, 30, 123456, tzinfo=timezone(timedelta(hours=2)))
    assert format_timestamp(moment) == "2026-02-23T10:15:30.123Z"
    assert format_timestamp(datetime(999, 1, 2, tzinfo=UTC)) == "0999-01-02T00:00:00.000Z"


def test_canonical_timestamps_parse_to_aware_utc_datetimes() -> None:
    assert parse_timestamp("2026-02-23T10:15:30.123Z") == datetime(
        2026, 2, 23, 10, 15, 30, 123000, tzinfo=UTC
    )


@pytest.mark.parametrize(
    "text", ["2026-02-23T10:15:30Z", "2026-02-23T10:15:30.123+00:00", "2026-02-23 10:15:30.123Z"]
)
def test_other_timestamp_spellings_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_timestamp(text)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError):
        format_timestamp(datetime(2026, 2, 23))


def test_credit_amounts_convert_exactly_or_not_at_all() -> None:
    assert to_credit_units(Decimal("10.5")) == 10_500_000
    assert to_credit_units(0.1) == 100_000
    assert to_credit_units(7) == 7_000_000
    with pytest.raises(ValueError):
        to_credit_units(Decimal("0.0000001"))
    with pytest.raises(ValueError):
        to_credit_units(float("nan"))
    with pytest.raises(TypeError):
        to_credit_units(True)


def provider(provider_id: str, registered_at: object) -> dict[str, object]:
    return {"id": provider_id, "url": provider_id, "name": "p", "registered_at": registered_at}


async def test_timestamps_round_trip_as_aware_utc_truncated_to_milliseconds(
    engine: AsyncEngine,
) -> None:
    moment = datetime(2026, 2, 23, 10, 15, 30, 123999, tzinfo=UTC)
    async with engine.begin() as conn:
        await conn.execute(providers.insert().values(provider("a", moment)))
        await conn.execute(providers.insert().values(provider("b", "2026-02-23T10:15:30.124Z")))
        stored = (
            (await conn.execute(sa.select(providers.c.registered_at).order_by(providers.c.id)))
            .scalars()
            .all()
        )
        raw = (
            await conn.execute(sa.text("SELECT registered_at FROM providers WHERE id = 'a'"))
        ).scalar_one()
    assert stored == [moment.replace(microsecond=123000), moment.replace(microsecond=124000)]
    assert raw == "2026-02-23T10:15:30.123Z"


async def test_timestamps_sort_and_compare_chronologically(engine: AsyncEngine) -> None:
    moments = [
        datetime(2026, 1, 1, tzinfo=UTC),
        datetime(2025, 12, 31, 23, 59, 59, 999000, tzinfo=UTC),
        datetime(2026, 1, 1, 0, 0, 0, 1000, tzinfo=UTC),
        datetime(1999, 6, 1, tzinfo=UTC),
    ]
    async with engine.begin() as conn:
        for index, moment in enumerate(moments):
            await conn.execute(providers.insert().values(provider(f"p{index}", moment)))
        ordered = (
            (await conn.execute(sa.select(providers.c.registered_at).order_by("registered_at")))
            .scalars()
            .all()
        )
        later = (
            await conn.execute(
                sa.select(sa.func.count())
                .select_from(providers)
                .where(providers.c.registered_at > datetime(2026, 1, 1, tzinfo=UTC))
            )
        ).scalar_one()
    assert ordered == sorted(moments)
    assert later == 1


async def test_a_naive_datetime_is_refused_before_it_reaches_the_database(
    engine: AsyncEngine,
) -> None:
    with pytest.raises(StatementError):
        async with engine.begin() as conn:
            await conn.execute(providers.insert().values(provider("a", datetime(2026, 1, 1))))


async def test_identifiers_sort_bytewise_on_both_dialects(engine: AsyncEngine) -> None:
    ids = ["kp:trace:ab", "kp:trace:a-b", "kp:trace:aB", "kp:trace:A", "kp:trace:é", "kp:trace:a b"]
    async with engine.begin() as conn:
        for provider_id in ids:
            await conn.execute(
                providers.insert().values(provider(provider_id, "2026-01-01T00:00:00.000Z"))
            )
        ordered = (
            (await conn.execute(sa.select(providers.c.id).order_by(providers.c.id))).scalars().all()
        )
    assert ordered == sorted(ids)


async def test_credit_arithmetic_in_sql_is_exact(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(credit_balances.insert().values(agent_id="a", balance=Decimal("0.1")))
        await conn.execute(credit_balances.update().values(balance=credit_balances.c.balance + 0.2))
        for index, amount in enumerate(["0.1", "0.2", "-0.05"]):
            await conn.execute(
                credit_transactions.insert().values(
                    id=f"t{index}",
                    agent_id="a",
                    amount=Decimal(amount),
                    type="earned",
                    created_at="2026-01-01T00:00:00.000Z",
                )
            )
        balance = (await conn.execute(sa.select(credit_balances.c.balance))).scalar_one()
        total = (
            await conn.execute(sa.select(sa.func.sum(credit_transactions.c.amount)))
        ).scalar_one()
    assert balance == Decimal("0.3")
    assert total == Decimal("0.25")
    assert isinstance(total, Decimal)


async def test_json_documents_round_trip_and_none_is_sql_null(engine: AsyncEngine) -> None:
    details = {"name": "Grüße — 漢字", "nested": {"list": [1, 2.5, True, None]}, "n": 10**15}
    entry = {
        "action": "create",
        "agent_id": "kp:agent:a",
        "resource_type": "skill",
        "resource_id": "/v1/skills",
        "timestamp": "2026-01-01T00:00:00.000Z",
    }
    async with engine.begin() as conn:
        await conn.execute(audit_log.insert().values(id="with", details=details, **entry))
        await conn.execute(audit_log.insert().values(id="without", details=None, **entry))
        stored = (
            (await conn.execute(sa.select(audit_log.c.details).order_by(audit_log.c.seq)))
            .scalars()
            .all()
        )
        nulls = (
            await conn.execute(
                sa.select(sa.func.count())
                .select_from(audit_log)
                .where(audit_log.c.details.is_(None))
            )
        ).scalar_one()
    assert stored == [details, None]
    assert nulls == 1


async def test_json_cannot_hold_nan(engine: AsyncEngine) -> None:
    with pytest.raises(StatementError):
        async with engine.begin() as conn:
            await conn.execute(
                audit_log.insert().values(
                    id="nan",
                    action="create",
                    agent_id="a",
                    resource_type="skill",
                    resource_id="/",
                    timestamp="2026-01-01T00:00:00.000Z",
                    details={"x": float("nan")},
                )
            )
