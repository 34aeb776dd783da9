"""Per-call overhead of the infra ports, in-process vs Redis, and raw Lua throughput.

    .venv/bin/python bench/infra_overhead.py [--redis-url URL] [--calls N] [--uvloop]

Talks only to the given Redis (default 127.0.0.1:6379), under a fresh `kpbench:<id>:`
prefix that is deleted afterwards. Client and server share the machine's cores, so the
Redis numbers include the scheduler's share of both.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import redis.asyncio as aioredis

from knowledgepulse.registry.infra import (
    Action,
    MemoryIdempotencyStore,
    MemoryRateLimiter,
    RedisIdempotencyStore,
    RedisRateLimiter,
    StoredResponse,
    connect_redis,
    redis_backends,
)

RESPONSE = StoredResponse(201, (("content-type", "application/json"),), b'{"data":{"id":"x"}}')


@dataclass
class Row:
    backend: str
    operation: str
    concurrency: int
    calls: int
    seconds: float
    cpu_seconds: float
    latencies: list[float]

    def cells(self) -> list[str]:
        lat = sorted(self.latencies) or [0.0]
        p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
        return [
            self.backend,
            self.operation,
            str(self.concurrency),
            str(self.calls),
            f"{self.seconds * 1e6 / self.calls:.1f}",
            f"{self.cpu_seconds * 1e6 / self.calls:.1f}",
            f"{statistics.median(lat) * 1e6:.1f}" if self.latencies else "-",
            f"{p99 * 1e6:.1f}" if self.latencies else "-",
            f"{self.calls / self.seconds:,.0f}",
        ]


async def measure(
    backend: str,
    operation: str,
    concurrency: int,
    calls: int,
    op: Callable[[int], Awaitable[object]],
) -> Row:
    """Run `op(i)` `calls` times from `concurrency` tasks; record wall time and latencies."""
    latencies: list[float] = []
    per_task = calls // concurrency

    async def task(t: int) -> None:
        for j in range(per_task):
            start = time.perf_counter()
            await op(t * per_task + j)
            latencies.append(time.perf_counter() - start)

    for i in range(min(200, calls)):  # warm-up: scripts loaded, pool connections open
        await op(-1 - i)
    latencies.clear()
    start, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(task(t) for t in range(concurrency)))
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return Row(backend, operation, concurrency, per_task * concurrency, seconds, cpu, latencies)


def port_ops(limiter, idem) -> dict[str, Callable[[int], Awaitable[object]]]:
    """The operations measured on each backend."""

    async def check(i: int) -> object:
        return await limiter.check(f"agent-{i % 1000}", "enterprise", Action.READ)

    async def begin_complete(i: int) -> object:
        scope = f"{uuid.uuid4().hex}"
        started = await idem.begin(scope, "fp")
        return await idem.complete(scope, RESPONSE, owner=started.owner)

    return {"ratelimit.check": check, "idempotency.begin+complete": begin_complete}


async def lua_throughput(client: aioredis.Redis, prefix: str, calls: int) -> list[Row]:
    """EVALSHA of the token-bucket script: sequential, pipelined, and concurrent clients."""
    script = RedisRateLimiter._script
    await client.script_load(script.source)
    now = int(time.time() * 1000)
    rows = []

    def args(i: int) -> tuple:
        return (script.sha, 1, f"{prefix}ratelimit:bucket:lua-{i % 1000}:read", 10000, now, 300)

    async def one(i: int) -> object:
        return await client.evalsha(*args(i))

    rows.append(await measure("redis", "lua evalsha", 1, calls, one))
    rows.append(await measure("redis", "lua evalsha", 16, calls, one))

    for batch, clients in ((100, 1), (100, 4)):

        async def pipelined(worker: int, batch: int = batch, clients: int = clients) -> None:
            for b in range(calls // batch // clients):
                pipe = client.pipeline(transaction=False)
                for k in range(batch):
                    pipe.evalsha(*args(worker * 7919 + b * batch + k))
                await pipe.execute()

        start, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(pipelined(w) for w in range(clients)))
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        done = (calls // batch // clients) * batch * clients
        rows.append(Row("redis", f"lua pipelined x{batch}", clients, done, seconds, cpu, []))
    return rows


async def evalsha_stats(client: aioredis.Redis) -> tuple[int, int]:
    """(calls, µs) of EVALSHA so far, from the server's INFO commandstats."""
    stats = await client.info("commandstats")
    entry = stats.get("cmdstat_evalsha", {"calls": 0, "usec": 0})
    return int(entry["calls"]), int(entry["usec"])


async def run(url: str, calls: int) -> list[Row]:
    rows: list[Row] = []
    client = await connect_redis(url, max_connections=32)
    prefix = f"kpbench:{uuid.uuid4().hex}:"
    try:
        backends = {
            "memory": port_ops(MemoryRateLimiter(), MemoryIdempotencyStore()),
            "redis": port_ops(
                RedisRateLimiter(client, prefix=prefix),
                RedisIdempotencyStore(client, prefix=prefix),
            ),
        }
        wrapped = redis_backends(client, url=url, prefix=prefix + "w:")
        backends["resilient(redis)"] = port_ops(wrapped.rate_limiter, wrapped.idempotency)

        async def ping(i: int) -> object:
            return await client.ping()

        # The floor: one redis-py round trip that does no work on the server.
        rows.append(await measure("redis", "PING (baseline)", 1, calls, ping))
        rows.append(await measure("redis", "PING (baseline)", 16, calls, ping))
        for name, ops in backends.items():
            n = calls * 10 if name == "memory" else calls
            for operation, op in ops.items():
                for concurrency in (1, 16):
                    rows.append(await measure(name, operation, concurrency, n, op))
        before = await evalsha_stats(client)
        rows += await lua_throughput(client, prefix, calls * 4)
        after = await evalsha_stats(client)
        server_us = (after[1] - before[1]) / max(1, after[0] - before[0])
        print(f"server-side EVALSHA cost during the Lua runs: {server_us:.1f} µs/call "
              "(INFO commandstats; includes other clients of this server)")  # fmt: skip
    finally:
        keys = [k async for k in client.scan_iter(match=prefix + "*", count=1000)]
        for i in range(0, len(keys), 1000):
            await client.delete(*keys[i : i + 1000])
        await client.aclose()
    return rows


def print_table(rows: list[Row]) -> None:
    head = ["backend", "operation", "conc", "calls", "µs/call", "cpu µs", "p50 µs", "p99 µs",
            "calls/s"]  # fmt: skip
    table = [head] + [r.cells() for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(head))]
    for n, row in enumerate(table):
        print("  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in
                        enumerate(zip(row, widths, strict=True))))  # fmt: skip
        if n == 0:
            print("  ".join("-" * w for w in widths))
    print("\nµs/call = wall time / calls (at concurrency 16, the inverse of throughput);")
    print("cpu µs = this process's CPU time / calls (client-side cost, least disturbed by load);")
    print("p50/p99 = latency of single calls as seen by the awaiting task.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--calls", type=int, default=4000, help="calls per Redis measurement")
    parser.add_argument("--uvloop", action="store_true", help="run on uvloop")
    ns = parser.parse_args()
    load_before = os.getloadavg()[0]
    if ns.uvloop:
        import uvloop

        rows = uvloop.run(run(ns.redis_url, ns.calls))
    else:
        rows = asyncio.run(run(ns.redis_url, ns.calls))
    loop = "uvloop" if ns.uvloop else "asyncio"
    print(f"event loop: {loop}; Redis: {ns.redis_url}; CPUs: {os.cpu_count()}; load average")
    print(f"(1 min) before/after: {load_before:.2f}/{os.getloadavg()[0]:.2f}\n")
    print_table(rows)


if __name__ == "__main__":
    main()
