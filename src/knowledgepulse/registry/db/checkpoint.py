"""WAL checkpoints for the inline SQLite engine, on a thread of their own.

A checkpoint copies committed pages from the write-ahead log back into the database file and
fsyncs it. Left to SQLite, the connection whose commit crosses `wal_autocheckpoint` pages does
that work inside its commit — on the event loop, for a few milliseconds to tens of them — so
every few hundred writes one request pays for all. `WalCheckpointer` runs a PASSIVE
checkpoint (it never waits for or blocks readers and writers) every `interval` seconds on a
daemon thread, where the fsync releases the GIL and the loop keeps serving.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy.engine import Engine

__all__ = ["WalCheckpointer"]

logger = logging.getLogger(__name__)

CHECKPOINT_INTERVAL = 1.0  # seconds; the WAL stays within about one second of writes


class WalCheckpointer:
    """Checkpoints `engine`'s database every `interval` seconds until `stop()`."""

    def __init__(self, engine: Engine, *, interval: float = CHECKPOINT_INTERVAL) -> None:
        self._engine = engine
        self._interval = interval
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpoint", daemon=True)
        self._failing = False

    def start(self) -> None:
        """Start the thread."""
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread after one last checkpoint."""
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)

    def checkpoint(self) -> None:
        """One PASSIVE checkpoint now (a failure is logged once per outage, never raised)."""
        try:
            # The raw DBAPI connection (autocommit): SQLAlchemy's would open a transaction,
            # and a checkpoint cannot run inside one.
            conn = self._engine.raw_connection()
            try:
                cursor = conn.cursor()
                cursor.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                cursor.close()
            finally:
                conn.close()
        except Exception:
            if not self._failing:
                self._failing = True
                logger.warning("SQLite WAL checkpoint failed; retrying", exc_info=True)
        else:
            self._failing = False

    def _run(self) -> None:
        while not self._stopping.wait(self._interval):
            self.checkpoint()
        self.checkpoint()
