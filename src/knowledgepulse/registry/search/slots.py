"""Index slots: how several registry processes share one data directory.

A zvec collection can be opened by one process only, so each process owns a *slot*:
`<data_dir>/index/slot-<n>/` holding its three collections and `meta.json` (format, zvec
version, embedder, and the change cursor up to which the slot reflects the store). A process
takes the first slot whose `slot-<n>.lock` it can `flock`; the lock dies with the process.

A slot that is missing or unusable is seeded by copying the most up-to-date *unlocked*
sibling (nobody has it open, so the copy is consistent) and then catches up from the store
by the change cursor, like every slot does at start. With no sibling to copy, the slot is
built from the store (lexical search works at once; vectors follow in the background).
`kp-registry serve --workers N` prepares N slots before the workers start (`rebuild.py`).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

__all__ = [
    "INDEX_FORMAT",
    "IndexMeta",
    "SlotBusy",
    "SlotLease",
    "read_meta",
    "seed_slot",
    "slot_dirs",
    "write_meta",
]

logger = logging.getLogger(__name__)

INDEX_FORMAT = 1  # bump when the collection schema or the document layout changes
MAX_SLOTS = 64
META_FILE = "meta.json"


class SlotBusy(RuntimeError):
    """Every slot is locked by another process (or the one asked for is)."""


@dataclass(frozen=True, slots=True)
class IndexMeta:
    """What a slot says about itself."""

    format: int
    zvec: str
    embedder: str
    dim: int
    cursor: int

    def compatible(self, other: IndexMeta) -> bool:
        """Same layout and vectors (the cursors may differ)."""
        return (self.format, self.zvec, self.embedder, self.dim) == (
            other.format,
            other.zvec,
            other.embedder,
            other.dim,
        )


def read_meta(slot: Path) -> IndexMeta | None:
    """The slot's meta, or None when absent or unreadable."""
    try:
        data = json.loads((slot / META_FILE).read_text(encoding="utf-8"))
        return IndexMeta(
            format=int(data["format"]),
            zvec=str(data["zvec"]),
            embedder=str(data["embedder"]),
            dim=int(data["dim"]),
            cursor=int(data["cursor"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_meta(slot: Path, meta: IndexMeta) -> None:
    """Replace the slot's meta atomically."""
    slot.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=slot, prefix=".meta.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(asdict(meta), handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, slot / META_FILE)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class SlotLease:
    """An exclusive hold on one slot for the life of the process (or until `release`)."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd: int | None = fd

    @classmethod
    def acquire(cls, root: Path, *, slot: int | None = None) -> SlotLease:
        """The first free slot under `root` (or exactly `slot`); `SlotBusy` if none is."""
        root.mkdir(parents=True, exist_ok=True)
        numbers = [slot] if slot is not None else list(range(MAX_SLOTS))
        for n in numbers:
            lease = cls.try_lock(root, n)
            if lease is not None:
                return lease
        raise SlotBusy(f"no free search-index slot under {root}")

    @classmethod
    def try_lock(cls, root: Path, n: int) -> SlotLease | None:
        """Slot `n` if no one holds it, else None."""
        fd = os.open(root / f"slot-{n}.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        return cls(root / f"slot-{n}", fd)

    def release(self) -> None:
        """Give the slot back (idempotent)."""
        if self._fd is not None:
            fd, self._fd = self._fd, None
            with contextlib.suppress(OSError):
                fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)


def slot_dirs(root: Path) -> list[Path]:
    """The slot folders under `root`, by number."""
    if not root.is_dir():
        return []
    found = [p for p in root.iterdir() if p.is_dir() and p.name.startswith("slot-")]
    return sorted(found, key=lambda p: int(p.name.split("-", 1)[1] or 0))


def seed_slot(target: Path, expected: IndexMeta) -> bool:
    """Copy the freshest compatible, unlocked sibling into `target` (emptied first).

    Returns whether a copy was made. The caller holds `target`'s lease.
    """
    root = target.parent
    best: tuple[int, Path] | None = None
    held: list[SlotLease] = []
    try:
        for slot in slot_dirs(root):
            if slot == target:
                continue
            meta = read_meta(slot)
            if meta is None or not meta.compatible(expected):
                continue
            lease = SlotLease.try_lock(root, int(slot.name.split("-", 1)[1]))
            if lease is None:
                continue  # in use by a running process: its files are not a snapshot
            held.append(lease)
            if best is None or meta.cursor > best[0]:
                best = (meta.cursor, slot)
        if best is None:
            return False
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(best[1], target)
        logger.info("seeded search index %s from %s (cursor %d)", target, best[1], best[0])
        return True
    finally:
        for lease in held:
            lease.release()
