"""URL normalisation: the URLs users already have become async-driver URLs."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import make_url

from knowledgepulse.registry.db.engine import is_memory_url, normalize_url


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("sqlite:///data/registry.db", "sqlite+aiosqlite:///data/registry.db"),
        ("sqlite:////var/lib/kp/registry.db", "sqlite+aiosqlite:////var/lib/kp/registry.db"),
        ("sqlite+aiosqlite:///registry.db", "sqlite+aiosqlite:///registry.db"),
        ("sqlite+pysqlite:///registry.db", "sqlite+aiosqlite:///registry.db"),
        ("sqlite:///:memory:", "sqlite+aiosqlite:///:memory:"),
        ("sqlite://", "sqlite+aiosqlite://"),
        ("postgresql://kp@db:5432/registry", "postgresql+asyncpg://kp@db:5432/registry"),
        ("postgres://kp@db:5432/registry", "postgresql+asyncpg://kp@db:5432/registry"),
        ("postgresql+asyncpg://kp@db/registry", "postgresql+asyncpg://kp@db/registry"),
        ("postgresql+psycopg2://kp@db/registry", "postgresql+asyncpg://kp@db/registry"),
        (
            "postgresql://kp@db/registry?sslmode=require",
            "postgresql+asyncpg://kp@db/registry?ssl=require",
        ),
        (
            "postgresql://kp@db/registry?connect_timeout=3&application_name=kp",
            "postgresql+asyncpg://kp@db/registry?application_name=kp&timeout=3",
        ),
    ],
)
def test_user_urls_are_rewritten_for_the_async_drivers(given: str, expected: str) -> None:
    assert normalize_url(given) == make_url(expected)


def test_passwords_with_escaped_characters_survive_normalisation() -> None:
    url = normalize_url("postgres://kp:p%40ss%2Fword@db:6543/registry")
    assert (url.username, url.password, url.host, url.port) == ("kp", "p@ss/word", "db", 6543)


@pytest.mark.parametrize("given", ["sqlite://", "sqlite:///:memory:", "sqlite+aiosqlite://"])
def test_in_memory_sqlite_urls_are_recognised(given: str) -> None:
    assert is_memory_url(normalize_url(given))


@pytest.mark.parametrize("given", ["sqlite:///registry.db", "postgresql://kp@db/registry"])
def test_file_and_server_urls_are_not_in_memory(given: str) -> None:
    assert not is_memory_url(normalize_url(given))


@pytest.mark.parametrize(
    "given",
    [
        "mysql://kp@db/registry",
        "not a url",
        "postgresql://kp@db/registry?channel_binding=require",
        "postgresql://kp@db/registry?sslmode=sometimes",
        "postgresql://kp@db/registry?sslmode=require&ssl=disable",
    ],
)
def test_urls_the_store_cannot_honour_are_refused(given: str) -> None:
    with pytest.raises(ValueError):
        normalize_url(given)
