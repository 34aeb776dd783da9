"""SQLite files are served inline: the connection stores see, WAL checkpoints off the loop."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import sqlalchemy as sa

from knowledgepulse.registry.db.connection import SCAN
from knowledgepulse.registry.db.database import Database
from knowledgepulse.registry.db.engine import create_engine
from knowledgepulse.registry.db.inline import InlineConnection
from knowledgepulse.registry.db.migrate import upgrade_to_head
from knowledgepulse.registry.knowledge.tables import knowledge_units
from tests.registry.db.test_db_engine import unit_row


async def _database(path: Path) -> Database:
    engine = create_engine(f"sqlite:///{path}")
    await upgrade_to_head(engine)
    return Database(engine)


def statement_threads(database: Database) -> list[int]:
    """The ids of the threads that execute each following statement, in order."""
    threads: list[int] = []
    sa.event.listen(
        database._inline.engine,
        "before_cursor_execute",
        lambda *a: threads.append(threading.get_ident()),
    )
    return threads


async def test_a_sqlite_file_runs_statements_on_the_loop_thread(tmp_path: Path) -> None:
    database = await _database(tmp_path / "registry.db")
    threads = statement_threads(database)
    try:
        async with database.transaction(write=True) as conn:
            assert isinstance(conn, InlineConnection)
            await conn.execute(knowledge_units.insert(), [unit_row("kp:trace:1")])
        async with database.transaction(write=False) as conn:
            rows = (await conn.execute(sa.select(knowledge_units.c.id))).scalars().all()
            autocheckpoint = (await conn.execute(sa.text("PRAGMA wal_autocheckpoint"))).scalar()
        assert rows == ["kp:trace:1"]
        assert set(threads) == {threading.get_ident()}  # no thread hop per statement
        assert autocheckpoint == 0  # request connections never checkpoint in their commit
    finally:
        await database.dispose()


async def test_a_failed_write_transaction_rolls_back_inline(tmp_path: Path) -> None:
    database = await _database(tmp_path / "registry.db")
    try:
        try:
            async with database.transaction(write=True) as conn:
                await conn.execute(knowledge_units.insert(), [unit_row("kp:trace:1")])
                raise RuntimeError("handler failed")
        except RuntimeError:
            pass
        async with database.transaction(write=False) as conn:
            count = await conn.execute(sa.select(sa.func.count()).select_from(knowledge_units))
            assert count.scalar_one() == 0
    finally:
        await database.dispose()


async def test_the_checkpointer_copies_committed_rows_into_the_database_file(
    tmp_path: Path,
) -> None:
    path = tmp_path / "registry.db"
    database = await _database(path)

    def rows_in_main_file() -> int:
        # immutable=1 reads the database file alone, ignoring the write-ahead log.
        conn = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
        try:
            return conn.execute("SELECT count(*) FROM knowledge_units").fetchone()[0]
        except sqlite3.OperationalError:  # the schema itself is still only in the log
            return -1
        finally:
            conn.close()

    try:
        async with database.transaction(write=True) as conn:
            rows = [unit_row(f"kp:trace:{i}", change_seq=i + 1) for i in range(200)]
            await conn.execute(knowledge_units.insert(), rows)
        for _ in range(100):  # the checkpointer runs every second
            if rows_in_main_file() == 200:
                break
            await asyncio.sleep(0.05)
        assert rows_in_main_file() == 200
    finally:
        await database.dispose()


async def test_the_write_ahead_log_is_started_over_under_a_steady_write_load(
    tmp_path: Path,
) -> None:
    path = tmp_path / "registry.db"
    database = await _database(path)
    payload = {"text": "x" * 4000}
    written = 0
    try:
        # Writes back to back for ~3 s (several checkpoint intervals), ~4 KB of JSON each.
        deadline = asyncio.get_running_loop().time() + 3
        while asyncio.get_running_loop().time() < deadline:
            async with database.transaction(write=True) as conn:
                row = unit_row(f"kp:trace:{written}", change_seq=written + 1, unit_json=payload)
                await conn.execute(knowledge_units.insert(), [row])
            written += 1
            await asyncio.sleep(0.002)  # paced like requests, a few hundred per second
        probe = sqlite3.connect(path)
        try:
            frames = probe.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1]
        finally:
            probe.close()
        assert written > 100
        # A log never started over holds every frame: about 12 per write here. Started over
        # after each checkpoint it holds the last interval's: about 2 per write over 3 s.
        assert frames < 6 * written
    finally:
        await database.dispose()


async def test_a_scan_runs_off_the_loop_and_reads_like_any_result(tmp_path: Path) -> None:
    database = await _database(tmp_path / "registry.db")
    threads = statement_threads(database)
    try:
        async with database.transaction(write=True) as conn:
            rows = [unit_row(f"kp:trace:{i}", change_seq=i + 1) for i in range(3)]
            await conn.execute(knowledge_units.insert(), rows)
        threads.clear()
        async with database.transaction(write=False) as conn:
            ids = sa.select(knowledge_units.c.id).order_by(knowledge_units.c.id)
            found = (await conn.execute(ids.execution_options(**SCAN))).scalars().all()
            count = sa.select(sa.func.count()).select_from(knowledge_units)
            total = (await conn.execute(count.execution_options(**SCAN))).scalar_one()
        assert found == ["kp:trace:0", "kp:trace:1", "kp:trace:2"]
        assert total == 3
        loop_thread = threading.get_ident()
        assert threads[0] == loop_thread  # BEGIN, on the loop
        assert len(threads) == 3
        assert loop_thread not in threads[1:]  # both scans on a worker
    finally:
        await database.dispose()
