"""Alembic environment for the registry schema.

Two ways in: `knowledgepulse.registry.db.migrate` hands over an open connection (already
inside the migration transaction) through `config.attributes["connection"]`; the `alembic`
command line (repo-root `alembic.ini`) takes `-x url=…`, else `KP_DATABASE_URL` (through the
settings object, the only reader of the environment), else `sqlalchemy.url` of the ini file.
"""

from __future__ import annotations

import asyncio
from logging.config import fileConfig

from alembic import context
from sqlalchemy.engine import Connection

from knowledgepulse.registry.db.all_tables import metadata
from knowledgepulse.registry.db.engine import create_engine, normalize_url
from knowledgepulse.registry.db.migrate import migration_transaction
from knowledgepulse.registry.settings import load_settings

config = context.config


def _configure(**options: object) -> None:
    context.configure(
        target_metadata=metadata,
        compare_type=True,
        # Custom column types render as kp_types.X(); script.py.mako imports that module.
        user_module_prefix="kp_types.",
        **options,
    )


def _run_on(connection: Connection) -> None:
    _configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


def _cli_url() -> str:
    url = (
        context.get_x_argument(as_dictionary=True).get("url")
        or load_settings().database_url
        or config.get_main_option("sqlalchemy.url")
    )
    if not url:
        raise RuntimeError("pass -x url=…, set KP_DATABASE_URL or sqlalchemy.url in alembic.ini")
    return url


async def _run_from_cli() -> None:
    engine = create_engine(_cli_url())
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run_in_migration_transaction)
    finally:
        await engine.dispose()


def _run_in_migration_transaction(connection: Connection) -> None:
    with migration_transaction(connection):
        _run_on(connection)


def _run_offline() -> None:
    url = normalize_url(_cli_url())
    _configure(
        url=url,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        render_as_batch=url.get_backend_name() == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


given = config.attributes.get("connection")
if given is not None:
    _run_on(given)
else:
    if config.config_file_name is not None:
        fileConfig(config.config_file_name, disable_existing_loggers=False)
    if context.is_offline_mode():
        _run_offline()
    else:
        asyncio.run(_run_from_cli())
