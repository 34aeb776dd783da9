"""`kp-registry`: run and administer the registry server."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from rich.console import Console

from knowledgepulse.registry.settings import ConfigError, Settings, load_settings

__all__ = ["app", "main"]

app = typer.Typer(
    name="kp-registry",
    help="Run and administer the KnowledgePulse registry.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema commands.", no_args_is_help=True)
app.add_typer(db_app, name="db")
keys_app = typer.Typer(help="API key administration.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
index_app = typer.Typer(help="Search index commands.", no_args_is_help=True)
app.add_typer(index_app, name="index")

_err = Console(stderr=True, highlight=False)
logger = logging.getLogger("knowledgepulse.registry")


class _Server(uvicorn.Server):
    """uvicorn's server, minus re-raising SIGINT/SIGTERM after a graceful shutdown.

    uvicorn re-delivers the signal once it has stopped, so the process would die "killed by
    SIGTERM"; a registry that finished its shutdown exits 0 and logs that it stopped.
    """

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        with super().capture_signals():
            try:
                yield
            finally:
                self._captured_signals.clear()


def _fail(message: str, code: int = 2) -> typer.Exit:
    _err.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code)


def _settings(**overrides: object) -> Settings:
    try:
        return load_settings(**{k: v for k, v in overrides.items() if v is not None})
    except ConfigError as exc:
        raise _fail(str(exc)) from None


def _configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # Migration chatter is noise at start-up; errors still surface.
    logging.getLogger("alembic").setLevel(logging.WARNING)


async def _prepare_store(settings: Settings) -> None:
    # Migrate once before the workers start, so a bad URL fails here with one clear line.
    from knowledgepulse.registry.container import Container

    container = await Container.start(settings, search_index=False)
    await container.close()


async def _prepare_search(settings: Settings, workers: int) -> None:
    # Every worker owns one index slot; fill them before they start (search/slots.py).
    from knowledgepulse.registry.search.rebuild import prepare_slots

    await prepare_slots(settings, workers)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind [env: KP_HOST].")] = None,
    port: Annotated[int | None, typer.Option(help="TCP port [env: KP_PORT].")] = None,
    data_dir: Annotated[
        Path | None, typer.Option(help="Where the SQLite file lives [env: KP_DATA_DIR].")
    ] = None,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    access_log: Annotated[bool, typer.Option(help="Log every request.")] = False,
) -> None:
    """Start the registry HTTP server (Ctrl-C or SIGTERM stops it cleanly)."""
    settings = _settings(host=host, port=port, data_dir=data_dir)
    _configure_logging(settings.log_level)
    if workers > 1 and not settings.redis_url:
        # Rate limits, idempotency records and the response cache would be per process.
        raise _fail("--workers > 1 needs KP_REDIS_URL (shared limits, idempotency and cache)")
    try:
        asyncio.run(_prepare_store(settings))
    except Exception as exc:  # noqa: BLE001 - start-up failure: one line, no traceback
        raise _fail(f"cannot open the {settings.store_backend} store: {exc}", 1) from None
    if workers > 1 and settings.search == "hybrid" and settings.store_backend != "memory":
        try:
            asyncio.run(_prepare_search(settings, workers))
        except Exception as exc:  # noqa: BLE001 - start-up failure: one line, no traceback
            raise _fail(f"cannot prepare the search index: {exc}", 1) from None
    # Workers rebuild settings from the environment, so CLI overrides travel through it.
    for name, value in (("KP_HOST", host), ("KP_PORT", port), ("KP_DATA_DIR", data_dir)):
        if value is not None:
            os.environ[name] = str(value)
    logger.info(
        "KnowledgePulse registry listening on http://%s:%d (store: %s)",
        settings.host,
        settings.port,
        settings.store_backend,
    )
    options = {
        "factory": True,
        "host": settings.host,
        "port": settings.port,
        "log_level": "warning",
        "access_log": access_log,
        "server_header": False,
        "proxy_headers": False,
    }
    target = "knowledgepulse.registry.app:create_app_from_env"
    if workers > 1:
        uvicorn.run(target, workers=workers, **options)  # type: ignore[arg-type]
    else:
        _Server(uvicorn.Config(target, **options)).run()  # type: ignore[arg-type]
    logger.info("KnowledgePulse registry stopped")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply all pending schema migrations to the configured store."""
    from knowledgepulse.registry.db.migrate import upgrade_url_to_head

    settings = _settings()
    _configure_logging(settings.log_level)
    if settings.store_backend == "memory":
        raise _fail("the memory store is migrated at start-up; nothing to upgrade")
    if settings.store_backend == "sqlite":
        path = settings.sqlite_path or settings.data_dir / "knowledgepulse.db"
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        upgrade_url_to_head(settings.database_url_resolved)
    except Exception as exc:  # noqa: BLE001 - CLI edge: one line, no traceback
        raise _fail(f"migration failed: {exc}", 1) from None
    _err.print("[green]schema is up to date[/]")


async def _create_admin_key(settings: Settings, agent_id: str) -> str:
    from knowledgepulse.registry.container import Container

    container = await Container.start(settings, search_index=False)
    try:
        async with container.unit_of_work(write=True) as services:
            registration = await services.auth.create_admin_key(agent_id)
    finally:
        await container.close()
    return registration.raw_key


@keys_app.command("create")
def keys_create(
    agent_id: Annotated[str, typer.Option("--agent-id", help="Agent the key belongs to.")],
    admin: Annotated[bool, typer.Option("--admin", help="Grant the admin scope.")] = False,
) -> None:
    """Create a bootstrap admin key and print it once (it is stored only as a hash)."""
    if not admin:
        raise _fail("only admin keys are created here; others use POST /v1/auth/register")
    settings = _settings()
    if settings.store_backend == "memory":
        raise _fail("the memory store forgets the key at exit; use sqlite or postgres")
    try:
        raw_key = asyncio.run(_create_admin_key(settings, agent_id))
    except Exception as exc:  # noqa: BLE001 - CLI edge: one line, no traceback
        raise _fail(f"could not create the key: {exc}", 1) from None
    typer.echo(raw_key)
    _err.print("[yellow]Store this key now: it cannot be shown again.[/]")


@index_app.command("rebuild")
def index_rebuild() -> None:
    """Rebuild the search index from the store, with a progress bar (stop the server first)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from knowledgepulse.registry.search.rebuild import rebuild_index
    from knowledgepulse.registry.search.slots import SlotBusy

    settings = _settings()
    _configure_logging(settings.log_level)
    if settings.store_backend == "memory":
        raise _fail("the memory store keeps no index on disk; nothing to rebuild")
    if settings.search != "hybrid":
        _err.print("[yellow]KP_SEARCH=sql: the index is built but not used until hybrid[/]")
    columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=_err, transient=False) as bar:
        task = bar.add_task("indexing", total=None)

        def report(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        try:
            result = asyncio.run(rebuild_index(settings, progress=report))
        except SlotBusy as exc:
            raise _fail(str(exc), 1) from None
        except Exception as exc:  # noqa: BLE001 - CLI edge: one line, no traceback
            raise _fail(f"rebuild failed: {exc}", 1) from None
    counts = ", ".join(f"{n} {kind}" for kind, n in result.items.items())
    _err.print(f"[green]search index rebuilt in {result.seconds:.1f} s ({counts})[/]")


def main() -> None:
    """Console-script entry point."""
    code = 0
    try:
        app()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    # zvec's native thread pools are never joined: letting the interpreter finalise them
    # aborts the process ("terminate called without an active exception") after an
    # otherwise clean shutdown. Every store, index and connection is closed by now, so
    # leave without running finalisers and keep the real exit code.
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
