"""Helpers of the infra suites: test tiers, backend parameters and a private redis-server."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from knowledgepulse.registry.infra import TierLimits, connect_redis
from tests._server import free_port
from tests._services import redis_url, require_redis

__all__ = ["BACKENDS", "TEST_TIERS", "OwnRedisServer", "connect_test_redis", "free_port"]

# A tier with a small budget makes "exactly N admitted" cheap to assert.
TEST_TIERS = {
    "anonymous": TierLimits(read=60, write=0),
    "free": TierLimits(read=300, write=30),
    "pro": TierLimits(read=1000, write=200),
    "enterprise": TierLimits(read=10000, write=2000),
    "tiny": TierLimits(read=20, write=3),
    # (123 / 60) * 60 rounds to just below 123: catches float drift between implementations.
    "odd": TierLimits(read=123, write=7),
}
BACKENDS = ["memory", pytest.param("redis", marks=pytest.mark.redis)]


async def connect_test_redis() -> aioredis.Redis:
    """A client for the shared test Redis, or skip/fail the test (KP_REQUIRE_SERVICES)."""
    require_redis()
    return await connect_redis(redis_url())


class OwnRedisServer:
    """A `redis-server` child on a spare loopback port, killed and restarted by its PID."""

    def __init__(self, binary: str, workdir: Path, *extra_args: str) -> None:
        self.binary = binary
        self.workdir = workdir
        self.extra_args = extra_args
        self.port = free_port()
        self.proc: asyncio.subprocess.Process | None = None
        self.log: list[str] = []
        self._drain: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    async def start(self) -> None:
        """Start on `self.port` and return once the server logs that it is ready."""
        self.proc = await asyncio.create_subprocess_exec(
            self.binary,
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--save", "",
            "--appendonly", "no",
            "--dir", str(self.workdir),
            "--logfile", "",
            "--daemonize", "no",
            *self.extra_args,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        assert self.proc.stdout is not None
        async with asyncio.timeout(10):
            while True:
                line = (await self.proc.stdout.readline()).decode(errors="replace")
                if not line:
                    raise RuntimeError("redis-server exited:\n" + "".join(self.log))
                self.log.append(line)
                if "Ready to accept connections" in line:
                    break
        # Keep reading so a chatty server can never block on a full pipe.
        self._drain = asyncio.create_task(self._read_rest(self.proc.stdout))

    async def _read_rest(self, stream: asyncio.StreamReader) -> None:
        while line := await stream.readline():
            self.log.append(line.decode(errors="replace"))

    async def kill(self) -> None:
        """SIGKILL this server (by its PID) and wait for it to exit."""
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()
            async with asyncio.timeout(10):
                await self.proc.wait()
        if self._drain is not None:
            async with asyncio.timeout(10):
                await self._drain
            self._drain = None
